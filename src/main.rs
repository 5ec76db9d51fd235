//! The `mfaproof` binary: parse the command line, run, print an error once, exit.

use std::process::ExitCode;

use clap::Parser;

// Ingest allocates a string per field on one thread and frees it on another; glibc
// malloc spent a quarter of ingest in its locks and free lists (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    mfaproof::cli::main(mfaproof::cli::Cli::parse())
}
