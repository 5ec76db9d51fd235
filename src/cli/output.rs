//! Standard output for every command. `println!` panics when the reader has gone away
//! (`mfaproof query … | head -1`); writes through [`stdout`] return the error instead and
//! remember that the pipe closed, so the command ends quietly with status 0.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether a write to standard output found the pipe closed.
pub fn closed() -> bool {
    CLOSED.load(Ordering::Relaxed)
}

/// Standard output (line-buffered by the standard library, as `println!`).
pub fn stdout() -> Stdout {
    Stdout(io::stdout())
}

/// See [`stdout`].
pub struct Stdout(io::Stdout);

fn note<T>(result: io::Result<T>) -> io::Result<T> {
    if let Err(e) = &result
        && e.kind() == io::ErrorKind::BrokenPipe
    {
        CLOSED.store(true, Ordering::Relaxed);
    }
    result
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        note(self.0.write(buf))
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        note(self.0.write_all(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        note(self.0.flush())
    }
}

/// `println!` through [`stdout`]: returns the write's error instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!($crate::cli::output::stdout(), $($arg)*)
    }};
}
pub(crate) use outln;
