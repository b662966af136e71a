//! The sandbox against the spec: Schemathesis (PyPI) fuzzes a running `alpharun sandbox` on
//! 127.0.0.1 and checks every reply's status, content type, headers and schema.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::test_task::Running;

const TOKEN: &str = "schemathesis-token";

/// Builds the CLI, starts the sandbox, runs Schemathesis against it.
pub fn run(root: &Path, cargo: &str) -> Result<()> {
    crate::test_task::step(
        root,
        "build alpharun",
        cargo,
        &["build", "--quiet", "-p", "alpharun-cli"],
    )?;
    let target = std::env::var("CARGO_TARGET_DIR").map_or_else(|_| root.join("target"), Into::into);
    let mut child = Command::new(target.join("debug/alpharun"))
        .args(["sandbox", "--port", "0", "--token", TOKEN])
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start `alpharun sandbox`")?;
    let stdout = child.stdout.take().context("no stdout from the sandbox")?;
    let sandbox = Running(child);
    let mut base_url = String::new();
    BufReader::new(stdout)
        .read_line(&mut base_url)
        .context("the sandbox did not print its base URL")?;
    let base_url = base_url.trim();
    if !base_url.starts_with("http://127.0.0.1:") {
        bail!("unexpected sandbox base URL `{base_url}`");
    }
    let header = format!("Authorization: Bearer {TOKEN}");
    // `negative_data_rejection` is left out on purpose: the API answers 200 to a request with
    // invalid contacts and lists them in `failed_contacts` (documented in the spec), where that
    // check expects a 4xx for the whole request.
    let result = crate::test_task::step(
        root,
        "Schemathesis against alpharun sandbox",
        "target/venv/bin/schemathesis",
        &[
            "run",
            "spec/alpharun.yaml",
            "--url",
            base_url,
            "-H",
            &header,
            "--max-examples",
            "100",
            "--exclude-checks",
            "negative_data_rejection",
            "--seed",
            "20261204",
        ],
    );
    drop(sandbox);
    result
}
