//! `alpharun`: check Alpharun contact files, then import them.

mod import;
mod sandbox;
mod snippet;
mod token;
mod validate;

use std::process::ExitCode;

// `validate` makes many small allocations per contact on several threads at once; jemalloc
// serves them faster than glibc's allocator (tuned in .cargo/config.toml to return freed pages
// soon, which keeps peak memory flat).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "alpharun", version, about = "Validate and import Alpharun contact files", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check contact files and report every problem with file:line:column.
    ///
    /// A file is a JSON array of contacts, or JSON Lines (one contact per line: .jsonl/.ndjson,
    /// or a file starting with `{`). `-` reads standard input.
    ///
    /// Exit status: 0 valid, 1 invalid (or warnings with --strict), 2 unreadable file or usage.
    ///
    /// Examples:
    ///   alpharun validate contacts.json
    ///   alpharun validate --format json contacts.jsonl > problems.jsonl
    ///   cat contacts.json | alpharun validate -
    #[command(verbatim_doc_comment)]
    Validate(validate::Args),
    /// Import contact files: validate everything first, then send in batches.
    ///
    /// Every contact ends in one bucket: imported, rejected by the server, invalid, uncertain
    /// (sent, outcome unknown) or unsent. Those not imported go to a failed file beside the
    /// input (each with `_alpharun_error`), ready to fix and import again. A journal beside the
    /// input records every batch; after Ctrl-C or a crash, `--resume` goes on without sending
    /// acknowledged contacts again. The token comes from ALPHARUN_API_TOKEN or --token-file.
    ///
    /// Exit status: 0 all imported, 1 partly imported, 2 nothing imported or a fatal error.
    ///
    /// Examples:
    ///   alpharun import contacts.json
    ///   alpharun import --dry-run --job-opening-id jo_123 contacts.jsonl
    ///   alpharun import --resume contacts.json
    ///   alpharun import contacts.failed.json        # after fixing what failed
    #[command(verbatim_doc_comment)]
    Import(import::Args),
    /// Run a local Alpharun-compatible server to try imports against (never production).
    ///
    /// It checks bearer tokens (401), answers 400 at once to a body that is not an array of
    /// contacts, returns invalid contacts, duplicate emails within a job opening and unknown
    /// job openings in `failed_contacts`, and stores the rest (in memory, or in --data-dir).
    /// It prints its base URL on standard output and one line per request on standard error.
    ///
    /// Examples:
    ///   alpharun sandbox --token dev-token
    ///   alpharun sandbox --token dev-token --rate-limit 5/s --fail-rate 0.1 --latency 50
    ///   alpharun sandbox --token dev-token --job-opening jo_1 --data-dir .sandbox
    #[command(verbatim_doc_comment)]
    Sandbox(sandbox::Args),
    /// Print the contact-file JSON Schema (draft 2020-12) that `validate` checks against.
    ///
    /// Example:
    ///   alpharun schema > contact-file.schema.json
    #[command(verbatim_doc_comment)]
    Schema,
}

/// The async runtime for `import` (one thread) and `sandbox` (every core); a failure to start
/// it is a tool error (exit 2).
pub(crate) fn async_runtime(multi_thread: bool) -> Result<tokio::runtime::Runtime, ExitCode> {
    let mut builder = if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder.enable_all().build().map_err(|error| {
        eprintln!("error: cannot start the async runtime: {error}");
        ExitCode::from(2)
    })
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Validate(args) => validate::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Sandbox(args) => sandbox::run(args),
        Command::Schema => {
            print!("{}", alpharun_validate::CONTACT_FILE_SCHEMA);
            ExitCode::SUCCESS
        }
    }
}
