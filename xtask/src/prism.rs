//! The client against a Prism mock of the spec (static and dynamic replies), on 127.0.0.1: the
//! generated example and the downstream crate must succeed and parse whatever Prism answers.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::test_task::Running;

/// Runs the client examples against Prism in static, then dynamic mode.
pub fn run(root: &Path, cargo: &str) -> Result<()> {
    for dynamic in [false, true] {
        let mode = if dynamic { "dynamic" } else { "static" };
        let port = free_port()?;
        let mut args = vec![
            "mock".to_owned(),
            "spec/alpharun.yaml".to_owned(),
            "-h".to_owned(),
            "127.0.0.1".to_owned(),
            "-p".to_owned(),
            port.to_string(),
        ];
        if dynamic {
            args.push("-d".to_owned());
        }
        eprintln!("== Prism mock ({mode}) on 127.0.0.1:{port}");
        let prism = Running(
            Command::new(root.join("tools/node/node_modules/.bin/prism"))
                .args(&args)
                .current_dir(root)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .context("cannot start Prism (installed by `npm ci` in tools/node)")?,
        );
        wait_for(port, Duration::from_secs(90))?;
        let base_url = format!("http://127.0.0.1:{port}");
        for (what, extra) in [
            (
                "generated example add_contacts",
                vec![
                    "--example",
                    "add_contacts",
                    "-p",
                    "alpharun-client",
                    "--",
                    "spec/corpus/valid/full.json",
                ],
            ),
            (
                "downstream example crate",
                vec!["-p", "downstream-example", "--", "250"],
            ),
        ] {
            let mut command = vec!["run", "--quiet"];
            command.extend(extra);
            eprintln!(
                "== {what} against Prism ({mode}): cargo {}",
                command.join(" ")
            );
            let status = Command::new(cargo)
                .args(&command)
                .current_dir(root)
                .env("ALPHARUN_API_TOKEN", "prism-test-token")
                .env("ALPHARUN_BASE_URL", &base_url)
                .status()
                .with_context(|| format!("cannot run {what}"))?;
            if !status.success() {
                bail!("{what} against Prism ({mode}) failed: {status}");
            }
        }
        drop(prism);
    }
    Ok(())
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("no free port on 127.0.0.1")?;
    Ok(listener.local_addr()?.port())
}

fn wait_for(port: u16, limit: Duration) -> Result<()> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bail!("Prism did not listen on 127.0.0.1:{port} within {limit:?}")
}
