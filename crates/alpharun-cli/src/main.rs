//! `alpharun`: check Alpharun contact files before importing them.

mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "alpharun", version, about = "Validate Alpharun contact files", long_about = None)]
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
    /// Print the contact-file JSON Schema (draft 2020-12) that `validate` checks against.
    ///
    /// Example:
    ///   alpharun schema > contact-file.schema.json
    #[command(verbatim_doc_comment)]
    Schema,
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
        Command::Schema => {
            print!("{}", alpharun_validate::CONTACT_FILE_SCHEMA);
            ExitCode::SUCCESS
        }
    }
}
