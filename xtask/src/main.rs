//! `cargo xtask`: the code generator's command line and the project's task runner.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod bench;
mod conformance;
mod prism;
mod test_task;

use clap::{Parser, Subcommand};
use xtask::{Layout, Mode, Options};

#[derive(Parser)]
#[command(about = "alpharun-rs project tasks", long_about = None)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Generate models and JSON Schema from an OpenAPI spec.
    ///
    /// Without options: spec/alpharun.yaml -> generated/. Examples:
    ///   cargo xtask generate
    ///   cargo xtask generate --check
    ///   cargo xtask generate --spec other.yaml --out /tmp/other
    #[command(verbatim_doc_comment)]
    Generate {
        /// Write nothing; exit 1 naming every stale file.
        #[arg(long)]
        check: bool,
        /// Another spec (needs --out).
        #[arg(long, requires = "out")]
        spec: Option<PathBuf>,
        /// Output folder for --spec; gets a Cargo.toml of its own.
        #[arg(long, requires = "spec")]
        out: Option<PathBuf>,
    },
    /// Run every check CI runs: fmt, clippy, the drift gate, all tests, the spec lints and the
    /// schema corpus in ajv. Installs the npm and PyPI tools it needs (tools/).
    Test,
    /// Run the generated client's example and the downstream crate against a Prism mock of the
    /// spec (static and dynamic replies). Needs the npm tools (`cargo xtask test` installs them).
    Prism,
    /// Run Schemathesis against `alpharun sandbox` (needs the PyPI tools `cargo xtask test`
    /// installs).
    Conformance,
    /// Benchmark `alpharun validate` against `jsonschema-cli validate --assert-format` on a
    /// seeded synthetic contact file (800 MB by default).
    ///
    /// Examples:
    ///   cargo xtask bench-validate
    ///   cargo xtask bench-validate --size-mb 100 --rounds 5 --skip-baseline
    #[command(verbatim_doc_comment)]
    BenchValidate(bench::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.task {
        Task::Generate { check, spec, out } => generate(check, spec, out),
        Task::Test => report(test_task::run()),
        Task::BenchValidate(args) => report(bench::run(&args)),
        Task::Conformance => {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
            report(conformance::run(&xtask::workspace_root(), &cargo))
        }
        Task::Prism => {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
            report(prism::run(&xtask::workspace_root(), &cargo))
        }
    }
}

fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn generate(check: bool, spec: Option<PathBuf>, out: Option<PathBuf>) -> ExitCode {
    let mode = if check { Mode::Check } else { Mode::Write };
    let options = match (spec, out) {
        (Some(spec), Some(out)) => Options {
            spec_display: display_relative(&spec),
            command: format!(
                "cargo xtask generate --spec {} --out {}",
                display_relative(&spec),
                display_relative(&out)
            ),
            spec,
            out,
            layout: Layout::Standalone,
            mode,
            target_dir: None,
        },
        _ => xtask::default_options(mode),
    };
    match xtask::generate(&options) {
        Ok(outcome) if mode == Mode::Check && !outcome.stale.is_empty() => {
            for path in &outcome.stale {
                eprintln!("stale: {}", options.out.join(path).display());
            }
            if !outcome.schemas_checked {
                eprintln!("(the JSON Schemas are checked once the Rust files are current)");
            }
            eprintln!(
                "generated files are out of date: run `{}` and commit the result",
                options.command
            );
            ExitCode::from(1)
        }
        Ok(outcome) => {
            if mode == Mode::Write {
                for path in &outcome.stale {
                    eprintln!("wrote {}", options.out.join(path).display());
                }
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

/// A path as the user would write it from the repository root: relative when inside it.
fn display_relative(path: &Path) -> String {
    let root = xtask::workspace_root();
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    match absolute.strip_prefix(&root) {
        Ok(relative) => relative.display().to_string(),
        Err(_) => path.display().to_string(),
    }
}
