//! `alpharun validate`: reads each file as a stream and prints its problems and a summary.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::process::ExitCode;
use std::time::Instant;

use alpharun_validate::{Problem, Severity, Summary, detect_layout, validate};
use anyhow::Context;

/// Options of `alpharun validate`.
#[derive(clap::Args)]
pub struct Args {
    /// Contact files (`-` for standard input).
    #[arg(required = true)]
    files: Vec<String>,
    /// Output: `text` (one line per problem) or `json` (one JSON object per problem, then a summary).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Stop after this many errors.
    #[arg(long, value_name = "N")]
    max_errors: Option<usize>,
    /// Treat warnings as errors for the exit status.
    #[arg(long)]
    strict: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

pub fn run(args: &Args) -> ExitCode {
    let started = Instant::now();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut total = Summary::default();
    let mut unreadable = false;
    for name in &args.files {
        let remaining = args.max_errors.map(|max| max.saturating_sub(total.errors));
        let mut report = |problem: Problem| {
            let line = match args.format {
                Format::Text => problem.to_string(),
                Format::Json => problem_json(&problem).to_string(),
            };
            // A closed pipe (`| head`) is not worth a panic; the summary still goes to stderr.
            let _ = writeln!(out, "{line}");
        };
        match validate_one(name, remaining, &mut report) {
            Ok(summary) => {
                total.contacts += summary.contacts;
                total.invalid_contacts += summary.invalid_contacts;
                total.errors += summary.errors;
                total.warnings += summary.warnings;
                total.stopped_early |= summary.stopped_early;
            }
            Err(error) => {
                unreadable = true;
                eprintln!("error: {error:#}");
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    if args.format == Format::Json {
        let summary = serde_json::json!({
            "summary": {
                "files": args.files.len(),
                "contacts": total.contacts,
                "invalid_contacts": total.invalid_contacts,
                "errors": total.errors,
                "warnings": total.warnings,
                "stopped_early": total.stopped_early,
                "seconds": seconds,
            }
        });
        let _ = writeln!(out, "{summary}");
    }
    eprintln!(
        "checked {} contacts in {} file(s): {} invalid, {} errors, {} warnings{} ({seconds:.2} s)",
        total.contacts,
        args.files.len(),
        total.invalid_contacts,
        total.errors,
        total.warnings,
        if total.stopped_early {
            ", stopped early"
        } else {
            ""
        },
    );
    if unreadable {
        ExitCode::from(2)
    } else if total.errors > 0 || (args.strict && total.warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn validate_one(
    name: &str,
    max_errors: Option<usize>,
    report: &mut dyn FnMut(Problem),
) -> anyhow::Result<Summary> {
    let mut reader: Box<dyn BufRead + Send> = if name == "-" {
        Box::new(BufReader::with_capacity(1 << 16, std::io::stdin()))
    } else {
        let file = File::open(name).with_context(|| format!("cannot open {name}"))?;
        Box::new(BufReader::with_capacity(1 << 16, file))
    };
    let head = reader
        .fill_buf()
        .with_context(|| format!("cannot read {name}"))?;
    let layout = if name == "-" {
        detect_layout("", head)
    } else {
        detect_layout(name, head)
    };
    let display = if name == "-" { "<stdin>" } else { name };
    Ok(validate(display, reader, layout, max_errors, report)?)
}

fn problem_json(problem: &Problem) -> serde_json::Value {
    serde_json::json!({
        "file": problem.file,
        "line": problem.pos.line,
        "column": problem.pos.column,
        "offset": problem.pos.offset,
        "contact": problem.contact,
        "pointer": problem.pointer,
        "severity": match problem.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "message": problem.message,
        "hint": problem.hint,
    })
}
