//! `mfaproof generate --lake`: the generator on a thread of its own, its files streamed
//! through a bounded pipe into an ingest run on this thread; nothing of the archive is
//! written but the answers.

use std::process::ExitCode;

use anyhow::Context;

use super::args::Lake;
use super::exit::usage;
use super::generate::{GenerateArgs, print_summary, summary_json};
use super::ingest::print_summary as print_ingest;
use super::output::outln;
use super::progress::Terminal;
use super::settings;
use crate::generate::{self, OutputFormat};
use crate::ingest::{self, IngestOptions};

/// Generates `opts` into the new lake `lake` (a folder or an object store URL).
pub fn run(args: &GenerateArgs, lake: &str, opts: generate::Options) -> anyhow::Result<ExitCode> {
    let runtime = super::runtime()?;
    let lake = Lake {
        dir: lake.to_owned(),
    }
    .open(&runtime)?;
    let exists = match lake.as_local() {
        Some(dir) => dir.exists(),
        None => !lake.list()?.is_empty(),
    };
    if exists {
        return Err(usage(format!(
            "{lake}: already exists; generate --lake writes a new lake"
        )));
    }
    if !generate::can_stream(opts.format) {
        return Err(usage(format!(
            "the {} layout cannot be streamed into a lake (a sign-ins CSV is read with its companion file): use graph, azure-monitor or log-analytics, or write the archive without --lake",
            opts.format
        )));
    }
    if opts.tenants > 1 && opts.format != OutputFormat::AzureMonitor {
        return Err(usage(
            "generate --lake writes several tenants in azure-monitor only, whose every record names its tenant (the others would need `ingest --tenant` per tenant)",
        ));
    }
    let mut options = IngestOptions {
        format: None,
        writer: settings::writer(None)?,
    };
    // What `ingest --tenant` gives a written archive of one tenant.
    options.writer.tenant = (opts.tenants == 1).then(|| generate::TENANT_ID.to_owned());
    let (mut writer, mut inputs) = ingest::pipe();
    let truth_dir = args.out.clone();
    let planned = opts.clone();
    let generator = std::thread::spawn(move || {
        let made =
            generate::generate_streamed(&truth_dir, &planned, &mut |name: &str| writer.open(name));
        if let Err(e) = &made {
            writer.fail(e.to_string());
        }
        made
    });
    let mut terminal = Terminal::new(args.json);
    let ingested = ingest::ingest_streamed(&lake, &mut inputs, &options, &mut terminal);
    terminal.finish();
    // A generator waiting on a full pipe sees the reader gone and stops.
    drop(inputs);
    let generated = generator
        .join()
        .map_err(|_| anyhow::anyhow!("the generator thread panicked"))?;
    let generated = generated?;
    let ingested = ingested.with_context(|| format!("ingesting into {lake}"))?;
    if args.json {
        let mut v = summary_json(&generated, args, &opts);
        v["ingest"] = serde_json::to_value(&ingested)?;
        outln!("{v}")?;
    } else {
        let into = format!("(never written) into the lake {lake}");
        print_summary(&generated, args, &into)?;
        print_ingest(&ingested)?;
    }
    Ok(super::ingest::status(&ingested))
}
