//! `cargo xtask bench-validate`: writes a seeded synthetic contact file, checks that
//! `alpharun validate` finds exactly its mistakes on the right lines, then times it against
//! `jsonschema-cli validate --assert-format` in turns, printing medians, MB/s, peak RSS and the
//! ratio.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// Options of the benchmark.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// File size to generate, in MB (10^6 bytes).
    #[arg(long, default_value_t = 800)]
    size_mb: u64,
    /// Seed of the synthetic file.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Share of invalid contacts.
    #[arg(long, default_value_t = 0.01)]
    invalid_rate: f64,
    /// Share of contacts with a resume.
    #[arg(long, default_value_t = 0.05)]
    resume_rate: f64,
    /// Timed runs of each tool (the median is reported).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Only time `alpharun validate` (no jsonschema-cli, which `cargo install`s on first use).
    #[arg(long)]
    skip_baseline: bool,
}

const JSONSCHEMA_CLI_VERSION: &str = "0.60.2";

/// One timed run.
#[derive(Debug, Clone, Copy)]
struct Run {
    seconds: f64,
    peak_rss_kib: u64,
}

pub fn run(args: &Args) -> Result<()> {
    let root = xtask::workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let bench_dir = root.join("target/bench");
    std::fs::create_dir_all(&bench_dir)?;
    crate::test_task::step(
        &root,
        "build alpharun (release)",
        &cargo,
        &["build", "--release", "--quiet", "-p", "alpharun-cli"],
    )?;
    let alpharun = root.join("target/release/alpharun");
    let file = bench_dir.join(format!(
        "contacts-{}mb-seed{}-inv{}-res{}.json",
        args.size_mb, args.seed, args.invalid_rate, args.resume_rate
    ));
    let spec = alpharun_synth::Spec {
        seed: args.seed,
        contacts: None,
        bytes: Some(args.size_mb * 1_000_000),
        resume_rate: args.resume_rate,
        invalid_rate: args.invalid_rate,
    };
    eprintln!("== writing {}", file.display());
    let mut out = BufWriter::new(File::create(&file)?);
    let written = alpharun_synth::write(&spec, &mut out)?;
    drop(out);
    eprintln!(
        "   {} contacts, {:.1} MB, {} invalid",
        written.contacts,
        written.bytes as f64 / 1e6,
        written.mistakes.len()
    );
    check_verdicts(&alpharun, &file, &written)?;
    let schema = root.join("generated/schema/contact-file.schema.json");
    let baseline = if args.skip_baseline {
        None
    } else {
        Some(install_jsonschema_cli(&root, &cargo)?)
    };
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for round in 1..=args.rounds {
        let run = timed(
            &[alpharun.as_os_str(), "validate".as_ref(), file.as_os_str()],
            &bench_dir,
        )?;
        eprintln!(
            "   round {round}: alpharun validate       {:.2} s, {} MiB",
            run.seconds,
            run.peak_rss_kib / 1024
        );
        ours.push(run);
        if let Some(cli) = &baseline {
            let run = timed(
                &[
                    cli.as_os_str(),
                    "validate".as_ref(),
                    "--assert-format".as_ref(),
                    schema.as_os_str(),
                    "-i".as_ref(),
                    file.as_os_str(),
                ],
                &bench_dir,
            )?;
            eprintln!(
                "   round {round}: jsonschema-cli validate {:.2} s, {} MiB",
                run.seconds,
                run.peak_rss_kib / 1024
            );
            theirs.push(run);
        }
    }
    let mb = written.bytes as f64 / 1e6;
    println!(
        "file: {} ({mb:.0} MB, {} contacts, {} invalid)",
        file.display(),
        written.contacts,
        written.mistakes.len()
    );
    println!(
        "{:<28} {:>10} {:>10} {:>14}",
        "tool", "median s", "MB/s", "peak RSS MiB"
    );
    let ours_median = report("alpharun validate", &ours, mb);
    if !theirs.is_empty() {
        let theirs_median = report("jsonschema-cli --assert-format", &theirs, mb);
        println!(
            "ratio of medians (alpharun / jsonschema-cli): {:.3}",
            ours_median / theirs_median
        );
        let paired: Vec<String> = ours
            .iter()
            .zip(&theirs)
            .map(|(a, b)| format!("{:.3}", a.seconds / b.seconds))
            .collect();
        println!("ratio per paired round: {}", paired.join(", "));
    }
    Ok(())
}

fn report(name: &str, runs: &[Run], mb: f64) -> f64 {
    let mut seconds: Vec<f64> = runs.iter().map(|r| r.seconds).collect();
    seconds.sort_by(f64::total_cmp);
    let median = seconds[seconds.len() / 2];
    let rss = runs.iter().map(|r| r.peak_rss_kib).max().unwrap_or(0) / 1024;
    println!("{name:<28} {median:>10.2} {:>10.0} {rss:>14}", mb / median);
    median
}

/// Runs a command under GNU time, output discarded; the exit status is not judged (both tools
/// exit non-zero on an invalid file).
fn timed(argv: &[&std::ffi::OsStr], dir: &Path) -> Result<Run> {
    let report = dir.join("time.txt");
    let status = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%e %M")
        .arg("-o")
        .arg(&report)
        .args(argv)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .context("cannot run /usr/bin/time (Debian package `time`)")?;
    let text = std::fs::read_to_string(&report)?;
    let mut fields = text.split_whitespace().rev().take(2).collect::<Vec<_>>();
    fields.reverse();
    match fields.as_slice() {
        [seconds, rss] => Ok(Run {
            seconds: seconds.parse().context("elapsed time")?,
            peak_rss_kib: rss.parse().context("peak RSS")?,
        }),
        _ => bail!("unexpected /usr/bin/time output {text:?} ({status})"),
    }
}

/// Every invalid contact reported, and on its line; nothing else reported as an error.
fn check_verdicts(alpharun: &Path, file: &Path, written: &alpharun_synth::Written) -> Result<()> {
    let output = Command::new(alpharun)
        .args(["validate", "--format", "json"])
        .arg(file)
        .stderr(Stdio::null())
        .output()?;
    let mut reported = std::collections::BTreeMap::<u64, u64>::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let value: serde_json::Value = serde_json::from_str(line)?;
        if value["severity"] != "error" {
            continue;
        }
        let (Some(contact), Some(at)) = (value["contact"].as_u64(), value["line"].as_u64()) else {
            bail!("an error outside any contact: {line}");
        };
        reported.entry(contact).or_insert(at);
    }
    let expected: std::collections::BTreeMap<u64, u64> =
        written.mistakes.iter().map(|m| (m.index, m.line)).collect();
    if reported != expected {
        let missing: Vec<_> = expected
            .keys()
            .filter(|k| !reported.contains_key(k))
            .take(5)
            .collect();
        let extra: Vec<_> = reported
            .keys()
            .filter(|k| !expected.contains_key(k))
            .take(5)
            .collect();
        let wrong_line: Vec<_> = expected
            .iter()
            .filter(|(k, l)| reported.get(k).is_some_and(|r| r != *l))
            .take(5)
            .collect();
        bail!("verdicts differ: missing {missing:?}, extra {extra:?}, wrong line {wrong_line:?}");
    }
    eprintln!(
        "   verdicts: all {} invalid contacts found, each on its line, nothing else",
        expected.len()
    );
    Ok(())
}

fn install_jsonschema_cli(root: &Path, cargo: &str) -> Result<PathBuf> {
    let prefix = root.join("target/bench-tools");
    let binary = prefix.join("bin/jsonschema-cli");
    if !binary.exists() {
        let prefix_text = prefix.to_string_lossy().into_owned();
        crate::test_task::step(
            root,
            "install jsonschema-cli",
            cargo,
            &[
                "install",
                "--quiet",
                "--locked",
                "jsonschema-cli",
                "--version",
                JSONSCHEMA_CLI_VERSION,
                "--root",
                &prefix_text,
            ],
        )?;
    }
    Ok(binary)
}
