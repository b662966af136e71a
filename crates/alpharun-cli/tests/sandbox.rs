//! End to end: `alpharun import` against `alpharun sandbox` (both the real binary), with the
//! sandbox's rate limit on: everything is imported, nothing is lost.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const TOKEN: &str = "e2e-sandbox-token";

struct Sandbox(Child);

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_sandbox(extra: &[&str]) -> (Sandbox, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_alpharun"))
        .args(["sandbox", "--port", "0", "--token", TOKEN])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the sandbox starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the base URL line");
    (Sandbox(child), line.trim().to_owned())
}

#[test]
fn import_against_a_rate_limited_sandbox_loses_nothing() {
    let dir = std::env::temp_dir().join(format!("alpharun-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let input = dir.join("contacts.jsonl");
    let lines: Vec<String> = (0..600)
        .map(|i| {
            serde_json::json!({"job_opening_id": "jo_1", "email": format!("c{i}@example.com")})
                .to_string()
        })
        .collect();
    std::fs::write(&input, lines.join("\n")).expect("write");
    let (_sandbox, base_url) = start_sandbox(&["--rate-limit", "5/s"]);
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    let output = Command::new(env!("CARGO_BIN_EXE_alpharun"))
        .args(["import", "--batch-size", "20", "--base-url", &base_url])
        .arg(&input)
        .env("ALPHARUN_API_TOKEN", TOKEN)
        .output()
        .expect("import runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("600 contacts: 600 imported"), "{stderr}");
    // The sandbox remembers them: importing the same people again is all duplicates.
    let again = dir.join("again.jsonl");
    std::fs::copy(&input, &again).expect("copy");
    let output = Command::new(env!("CARGO_BIN_EXE_alpharun"))
        .args(["import", "--batch-size", "100", "--base-url", &base_url])
        .arg(&again)
        .env("ALPHARUN_API_TOKEN", TOKEN)
        .output()
        .expect("import runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("600 rejected by the server"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_wrong_token_stops_the_import_with_401() {
    let dir = std::env::temp_dir().join(format!("alpharun-e2e-401-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let input = dir.join("contacts.jsonl");
    std::fs::write(
        &input,
        "{\"job_opening_id\":\"jo\",\"email\":\"a@example.com\"}\n",
    )
    .expect("write");
    let (_sandbox, base_url) = start_sandbox(&[]);
    let output = Command::new(env!("CARGO_BIN_EXE_alpharun"))
        .args(["import", "--base-url", &base_url])
        .arg(&input)
        .env("ALPHARUN_API_TOKEN", "not-the-token")
        .output()
        .expect("import runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("refused the token"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
