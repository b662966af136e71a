//! `cargo xtask test`: every check CI runs, installing the npm and PyPI tools it needs first.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Runs every check in order; stops at the first failure.
pub fn run() -> Result<()> {
    let root = xtask::workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    step(&root, "formatting", &cargo, &["fmt", "--all", "--check"])?;
    step(
        &root,
        "lints",
        &cargo,
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    step(
        &root,
        "generated files are current",
        &cargo,
        &["xtask", "generate", "--check"],
    )?;
    step(&root, "tests", &cargo, &["test", "--workspace"])?;
    tools::install(&root)?;
    tools::lint_spec(&root)?;
    tools::schema_corpus_in_ajv(&root)?;
    crate::prism::run(&root, &cargo)?;
    crate::conformance::run(&root, &cargo)?;
    eprintln!("== all checks passed");
    Ok(())
}

/// A server the checks started; killed and reaped when dropped, whatever happened.
pub struct Running(pub std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _already_gone = self.0.kill();
        let _reaped = self.0.wait();
    }
}

/// Runs one command in `dir`, failing with its name when it fails.
pub fn step(dir: &Path, what: &str, program: &str, args: &[&str]) -> Result<()> {
    eprintln!("== {what}: {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        // Redocly asks to send telemetry unless told not to; nothing here leaves the machine.
        .env("REDOCLY_TELEMETRY", "off")
        .status()
        .with_context(|| format!("cannot start `{program}`"))?;
    if !status.success() {
        bail!(
            "{what} failed: `{program} {}` exited with {status}",
            args.join(" ")
        );
    }
    Ok(())
}

mod tools {
    //! The npm and PyPI tools: installed under the repository (tools/node, target/venv).

    use std::path::Path;

    use anyhow::Result;

    use super::step;

    pub fn install(root: &Path) -> Result<()> {
        let node = root.join("tools/node");
        step(
            &node,
            "npm tools",
            "npm",
            &["ci", "--no-audit", "--no-fund", "--loglevel=error"],
        )?;
        let venv = root.join("target/venv");
        if !venv.join("bin/python").exists() {
            step(
                root,
                "python venv",
                "python3",
                &["-m", "venv", "target/venv"],
            )?;
        }
        step(
            root,
            "PyPI tools",
            "target/venv/bin/pip",
            &[
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                "tools/python/requirements.txt",
            ],
        )
    }

    pub fn lint_spec(root: &Path) -> Result<()> {
        step(
            root,
            "spec lint (Redocly)",
            "tools/node/node_modules/.bin/redocly",
            &[
                "lint",
                "--config",
                "tools/node/redocly.yaml",
                "spec/alpharun.yaml",
            ],
        )?;
        step(
            root,
            "spec lint (openapi-spec-validator)",
            "target/venv/bin/openapi-spec-validator",
            &["spec/alpharun.yaml"],
        )
    }

    pub fn schema_corpus_in_ajv(root: &Path) -> Result<()> {
        let dir = root.join("target/ajv-parity");
        std::fs::create_dir_all(&dir)?;
        let contacts = dir.join("contacts.json");
        let expected = dir.join("spoiled.json");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&contacts)?);
        let written = alpharun_synth::write(&alpharun_synth::PARITY, &mut out)?;
        drop(out);
        let spoiled: Vec<u64> = written.mistakes.iter().map(|m| m.index).collect();
        std::fs::write(&expected, serde_json::to_string(&spoiled)?)?;
        step(
            root,
            "schema corpus and a generated file in ajv + ajv-formats",
            "node",
            &[
                "tools/node/check-corpus.mjs",
                &contacts.to_string_lossy(),
                &expected.to_string_lossy(),
            ],
        )
    }
}
