//! `alpharun validate`: reads each file as a stream and prints its problems and a summary.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use alpharun_validate::{Problem, Severity, Summary, detect_layout, validate};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use crate::snippet::Snippets;

/// Options of `alpharun validate`.
#[derive(clap::Args)]
pub struct Args {
    /// Contact files (`-` for standard input).
    #[arg(required = true)]
    files: Vec<String>,
    /// Output: `auto` (snippets on a terminal, else `text`), `pretty` (rustc-style snippets of
    /// the offending line; colour unless NO_COLOR), `text` (one line per problem:
    /// file:line:col: contact N: /pointer: message) or `json` (one object per problem, then a
    /// summary object).
    #[arg(long, value_enum, default_value_t = Format::Auto)]
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
    Auto,
    Pretty,
    Text,
    Json,
}

/// Files at least this big get a progress bar on a terminal.
const PROGRESS_FROM_BYTES: u64 = 20_000_000;

pub fn run(args: &Args) -> ExitCode {
    let started = Instant::now();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut total = Summary::default();
    let mut unreadable = false;
    let pretty = match args.format {
        Format::Auto => std::io::stdout().is_terminal(),
        Format::Pretty => true,
        Format::Text | Format::Json => false,
    };
    let color = pretty
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    for name in &args.files {
        let remaining = args.max_errors.map(|max| max.saturating_sub(total.errors));
        let progress = progress_bar(name);
        let mut snippets = pretty.then(|| Snippets::new(name, color));
        let mut report = |problem: Problem| {
            let line = match (&mut snippets, args.format) {
                (_, Format::Json) => problem_json(&problem).to_string(),
                (Some(snippets), _) => snippets.render(&problem),
                (None, _) => problem.to_string(),
            };
            // A closed pipe (`| head`) is not worth a panic; the summary still goes to stderr.
            let mut write = || {
                let _ = writeln!(out, "{line}");
            };
            match &progress {
                Some(bar) => bar.suspend(write),
                None => write(),
            }
        };
        let result = validate_one(name, remaining, progress.clone(), &mut report);
        if let Some(bar) = &progress {
            bar.finish_and_clear();
        }
        match result {
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

/// A bar over the file's bytes, on a terminal, for big files only.
fn progress_bar(name: &str) -> Option<ProgressBar> {
    if name == "-" || !std::io::stderr().is_terminal() {
        return None;
    }
    let size = std::fs::metadata(name).ok()?.len();
    (size >= PROGRESS_FROM_BYTES).then(|| {
        let bar = ProgressBar::new(size);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:30} {bytes}/{total_bytes}  {bytes_per_sec}  eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    })
}

fn validate_one(
    name: &str,
    max_errors: Option<usize>,
    progress: Option<ProgressBar>,
    report: &mut dyn FnMut(Problem),
) -> anyhow::Result<Summary> {
    let mut reader: Box<dyn BufRead + Send> = if name == "-" {
        Box::new(BufReader::with_capacity(1 << 16, std::io::stdin()))
    } else {
        let file = File::open(name).with_context(|| format!("cannot open {name}"))?;
        match progress {
            Some(bar) => Box::new(BufReader::with_capacity(1 << 16, bar.wrap_read(file))),
            None => Box::new(BufReader::with_capacity(1 << 16, file)),
        }
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
