//! Terminal feedback for ingest: a progress bar (bytes and records) on a terminal, nothing
//! when stderr is not one; messages always go to stderr.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::ingest::{Event, Level, Observer};

/// Draws ingest events on stderr.
pub struct Terminal {
    bar: Option<ProgressBar>,
    quiet_info: bool,
}

impl Terminal {
    /// A terminal observer; the bar only appears when stderr is a terminal.
    pub fn new(quiet_info: bool) -> Terminal {
        Terminal {
            bar: None,
            quiet_info,
        }
    }

    /// Removes the bar before the summary is printed.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Observer for Terminal {
    fn event(&mut self, event: Event) {
        match event {
            Event::Started { total_bytes } => {
                // A pull of many tenants starts once per tenant.
                self.finish();
                if std::io::stderr().is_terminal() {
                    let bar = ProgressBar::with_draw_target(
                        Some(total_bytes),
                        ProgressDrawTarget::stderr(),
                    );
                    // An unknown total (a pull) shows a spinner instead of a bar.
                    let template = if total_bytes == 0 {
                        "{spinner} {bytes} {binary_bytes_per_sec} {msg} ({elapsed})"
                    } else {
                        "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg} ({eta})"
                    };
                    bar.set_style(
                        ProgressStyle::with_template(template)
                            .unwrap_or_else(|_| ProgressStyle::default_bar()),
                    );
                    if total_bytes == 0 {
                        bar.enable_steady_tick(std::time::Duration::from_millis(200));
                    }
                    self.bar = Some(bar);
                }
            }
            Event::Progress { bytes, records } => {
                if let Some(bar) = &self.bar {
                    bar.set_position(bytes);
                    bar.set_message(format!("{records} records"));
                }
            }
            Event::Message { level, text } => {
                if level == Level::Info && self.quiet_info {
                    return;
                }
                let prefix = match level {
                    Level::Info => "info",
                    Level::Warning => "warning",
                    Level::Error => "error",
                };
                let line = format!("{prefix}: {text}");
                match &self.bar {
                    Some(bar) => bar.println(line),
                    None => eprintln!("{line}"),
                }
            }
        }
    }
}
