//! `alpharun import` (the real binary) against a fault-injecting server on 127.0.0.1. After
//! every scenario: each input contact is in exactly one bucket, and nothing the server
//! acknowledged arrived twice.

mod support;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use support::{Action, Server, TOKEN};

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("alpharun-import-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temp dir");
        Self(path)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn email(i: usize) -> String {
    format!("person{i}@example.com")
}

/// `n` contacts as a JSON array, one per line; those in `rejected` get an email the server
/// rejects.
fn write_contacts(dir: &Dir, name: &str, n: usize, rejected: &[usize]) -> PathBuf {
    let items: Vec<String> = (0..n)
        .map(|i| {
            let email = if rejected.contains(&i) {
                format!("reject{i}@example.com")
            } else {
                email(i)
            };
            serde_json::json!({"job_opening_id": "jo_1", "email": email, "first_name": format!("P{i}")}).to_string()
        })
        .collect();
    let path = dir.0.join(name);
    std::fs::write(&path, format!("[\n{}\n]\n", items.join(",\n"))).expect("write input");
    path
}

fn import(server: &Server, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alpharun"))
        .arg("import")
        .args(["--base-url", &server.url])
        .args(args)
        .env("ALPHARUN_API_TOKEN", TOKEN)
        .env_remove("ALPHARUN_BASE_URL")
        .output()
        .expect("alpharun runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The failed file's entries: (input index, bucket).
fn failed_entries(path: &Path) -> Vec<(usize, String)> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let values: Vec<serde_json::Value> = if text.trim_start().starts_with('[') {
        serde_json::from_str(&text).expect("the failed file is a JSON array")
    } else {
        text.lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    };
    values
        .iter()
        .map(|v| {
            let error = &v["_alpharun_error"];
            (
                usize::try_from(error["index"].as_u64().expect("index")).expect("fits"),
                error["bucket"].as_str().expect("bucket").to_owned(),
            )
        })
        .collect()
}

/// The summary's buckets, read back from the journal's last `finished` record.
fn final_buckets(input: &Path) -> serde_json::Value {
    let journal = PathBuf::from(format!("{}.alpharun-journal", input.display()));
    let text = std::fs::read_to_string(journal).expect("journal");
    text.lines()
        .rev()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|r| r["kind"] == "finished")
        .expect("a finished record")["buckets"]
        .clone()
}

/// Every contact in exactly one bucket; no acknowledged contact arrived twice; the token
/// appears nowhere.
fn assert_accounted(server: &Server, input: &Path, n: usize, output: &Output) {
    let failed_path = input.with_file_name(format!(
        "{}.failed.json",
        input.file_stem().expect("stem").to_string_lossy()
    ));
    let failed = failed_entries(&failed_path);
    let unique: HashSet<usize> = failed.iter().map(|(i, _)| *i).collect();
    assert_eq!(
        unique.len(),
        failed.len(),
        "a contact is in the failed file twice"
    );
    assert!(unique.iter().all(|i| *i < n));
    let buckets = final_buckets(input);
    let sum: u64 = ["imported", "rejected", "invalid", "uncertain", "unsent"]
        .iter()
        .map(|k| buckets[k].as_u64().expect("count"))
        .sum();
    assert_eq!(
        usize::try_from(sum).expect("fits"),
        n,
        "buckets {buckets} do not add up to {n}"
    );
    let imported = usize::try_from(buckets["imported"].as_u64().expect("count")).expect("fits");
    assert_eq!(
        imported + failed.len(),
        n,
        "imported + failed file != input"
    );
    for (email, arrivals) in server.acknowledged_arrivals() {
        assert_eq!(arrivals, 1, "{email} was acknowledged and sent again");
    }
    let journal =
        std::fs::read_to_string(format!("{}.alpharun-journal", input.display())).expect("journal");
    let failed_text = std::fs::read_to_string(&failed_path).unwrap_or_default();
    for text in [
        stderr(output),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        journal,
        failed_text,
    ] {
        assert!(!text.contains(TOKEN), "the token leaked");
    }
}

#[test]
fn a_clean_run_imports_everything_and_a_second_run_is_refused() {
    let dir = Dir::new("clean");
    let input = write_contacts(&dir, "contacts.json", 250, &[]);
    let server = Server::start(vec![], Action::Normal);
    let output = import(&server, &[input.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(server.record.lock().expect("lock").acknowledged.len(), 250);
    assert_eq!(server.record.lock().expect("lock").requests, 3);
    assert!(
        stderr(&output).contains("250 imported"),
        "{}",
        stderr(&output)
    );
    assert_accounted(&server, &input, 250, &output);
    let again = import(&server, &[input.to_str().expect("utf-8")]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--resume"), "{}", stderr(&again));
    assert_eq!(
        server.record.lock().expect("lock").requests,
        3,
        "nothing more was sent"
    );
}

#[test]
fn rejected_contacts_go_to_the_failed_file_which_imports_after_fixing() {
    let dir = Dir::new("rejected");
    let input = write_contacts(&dir, "contacts.json", 120, &[5, 77]);
    let server = Server::start(vec![], Action::Normal);
    let output = import(&server, &[input.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_accounted(&server, &input, 120, &output);
    let failed_path = dir.0.join("contacts.failed.json");
    assert_eq!(
        failed_entries(&failed_path),
        vec![(5, "rejected".to_owned()), (77, "rejected".to_owned())]
    );
    // Fix the failed file the way an operator would, and import it as it is.
    let fixed = std::fs::read_to_string(&failed_path)
        .expect("failed file")
        .replace("reject", "fixed");
    let retry = dir.0.join("retry.json");
    std::fs::write(&retry, fixed).expect("write");
    let output = import(&server, &[retry.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let record = server.record.lock().expect("lock");
    assert!(
        record
            .acknowledged
            .contains(&"fixed5@example.com".to_owned())
    );
}

#[test]
fn rate_limits_and_busy_replies_are_retried_without_loss() {
    let dir = Dir::new("retry");
    let input = write_contacts(&dir, "contacts.json", 300, &[]);
    let server = Server::start(
        vec![
            Action::Refuse(429, Some("1")),
            Action::Refuse(429, None),
            Action::Refuse(503, None),
        ],
        Action::Normal,
    );
    let output = import(
        &server,
        &[input.to_str().expect("utf-8"), "--concurrency", "1"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_accounted(&server, &input, 300, &output);
    let arrived = server.record.lock().expect("lock").arrived.len();
    assert_eq!(
        arrived, 300,
        "refused requests store nothing: only the accepted copies arrived"
    );
}

fn one_bad_batch(name: &str, action: Action, extra: &[&str]) {
    let dir = Dir::new(name);
    let input = write_contacts(&dir, "contacts.json", 300, &[]);
    let server = Server::start(vec![Action::Normal, action], Action::Normal);
    let mut args = vec![input.to_str().expect("utf-8"), "--concurrency", "1"];
    args.extend_from_slice(extra);
    let output = import(&server, &args);
    assert_eq!(output.status.code(), Some(1), "{name}: {}", stderr(&output));
    assert_accounted(&server, &input, 300, &output);
    let failed = failed_entries(&dir.0.join("contacts.failed.json"));
    assert_eq!(failed.len(), 100, "{name}: the second batch is in doubt");
    assert!(
        failed
            .iter()
            .all(|(i, bucket)| (100..200).contains(i) && bucket == "uncertain"),
        "{name}: {failed:?}"
    );
    let record = server.record.lock().expect("lock");
    let distinct: HashSet<&String> = record.arrived.iter().collect();
    assert_eq!(
        distinct.len(),
        record.arrived.len(),
        "{name}: a contact was sent twice"
    );
}

#[test]
fn a_500_after_storing_is_uncertain_and_not_resent() {
    one_bad_batch("500", Action::StoreThenFail(500), &[]);
}

#[test]
fn a_connection_reset_mid_request_is_uncertain() {
    one_bad_batch("reset", Action::ResetMidRequest, &[]);
}

#[test]
fn a_reply_slower_than_the_timeout_is_uncertain() {
    one_bad_batch(
        "slow",
        Action::StoreThenSlow(Duration::from_secs(3)),
        &["--timeout", "1"],
    );
}

#[test]
fn a_malformed_reply_is_uncertain() {
    one_bad_batch("malformed", Action::StoreThenMalformed, &[]);
}

#[test]
fn counts_that_disagree_with_the_batch_are_uncertain() {
    one_bad_batch("counts", Action::StoreThenBadCounts, &[]);
}

#[test]
fn a_401_stops_the_run_at_once() {
    let dir = Dir::new("401");
    let input = write_contacts(&dir, "contacts.json", 500, &[]);
    let server = Server::start(
        vec![Action::Normal, Action::Refuse(401, None)],
        Action::Normal,
    );
    let output = import(
        &server,
        &[input.to_str().expect("utf-8"), "--concurrency", "1"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("refused the token"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        server.record.lock().expect("lock").requests,
        2,
        "nothing is sent after the 401"
    );
    assert_accounted(&server, &input, 500, &output);
    let failed = failed_entries(&dir.0.join("contacts.failed.json"));
    assert_eq!(failed.len(), 400);
    assert!(failed.iter().all(|(_, bucket)| bucket == "unsent"));
}

#[test]
fn invalid_contacts_block_the_import_unless_skipped() {
    let dir = Dir::new("invalid");
    let path = dir.0.join("contacts.jsonl");
    let mut lines: Vec<String> = (0..20)
        .map(|i| serde_json::json!({"job_opening_id": "jo_1", "email": email(i)}).to_string())
        .collect();
    lines[3] = r#"{"job_opening_id": "jo_1", "email": "not-an-email"}"#.to_owned();
    lines[9] = "{broken json".to_owned();
    std::fs::write(&path, lines.join("\n") + "\n").expect("write");
    let server = Server::start(vec![], Action::Normal);
    let refused = import(&server, &[path.to_str().expect("utf-8")]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("2 of 20 contacts are invalid"),
        "{}",
        stderr(&refused)
    );
    assert!(
        stderr(&refused).contains("contacts.jsonl:4:"),
        "located: {}",
        stderr(&refused)
    );
    assert_eq!(
        server.record.lock().expect("lock").requests,
        0,
        "nothing was sent"
    );
    let output = import(&server, &[path.to_str().expect("utf-8"), "--skip-invalid"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(server.record.lock().expect("lock").acknowledged.len(), 18);
    let failed_text =
        std::fs::read_to_string(dir.0.join("contacts.failed.jsonl")).expect("failed file");
    let failed: Vec<serde_json::Value> = failed_text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0]["email"], "not-an-email");
    assert_eq!(failed[1]["_alpharun_source"], "{broken json");
    assert!(
        failed
            .iter()
            .all(|f| f["_alpharun_error"]["bucket"] == "invalid")
    );
}

#[test]
fn the_job_opening_id_fills_gaps_and_conflicts_are_errors() {
    let dir = Dir::new("jobid");
    let path = dir.0.join("contacts.jsonl");
    std::fs::write(
        &path,
        format!(
            "{}\n{}\n",
            serde_json::json!({"email": email(0)}),
            serde_json::json!({"email": email(1), "job_opening_id": "jo_other"})
        ),
    )
    .expect("write");
    let server = Server::start(vec![], Action::Normal);
    let conflict = import(
        &server,
        &[path.to_str().expect("utf-8"), "--job-opening-id", "jo_9"],
    );
    assert_eq!(conflict.status.code(), Some(2));
    assert!(
        stderr(&conflict).contains("--override-job-opening-id"),
        "{}",
        stderr(&conflict)
    );
    let output = import(
        &server,
        &[
            path.to_str().expect("utf-8"),
            "--job-opening-id",
            "jo_9",
            "--override-job-opening-id",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(server.record.lock().expect("lock").acknowledged.len(), 2);
}

#[test]
fn a_dry_run_sends_nothing_and_needs_no_token() {
    let dir = Dir::new("dry");
    let input = write_contacts(&dir, "contacts.json", 250, &[]);
    let server = Server::start(vec![], Action::Normal);
    let output = Command::new(env!("CARGO_BIN_EXE_alpharun"))
        .args([
            "import",
            "--dry-run",
            "--base-url",
            &server.url,
            input.to_str().expect("utf-8"),
        ])
        .env_remove("ALPHARUN_API_TOKEN")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("would send 250 in 3 batch(es)"), "{stdout}");
    assert!(
        stdout.contains("batch 3: 50 contacts, #200 to #249"),
        "{stdout}"
    );
    assert_eq!(server.record.lock().expect("lock").requests, 0);
    assert!(!dir.0.join("contacts.json.alpharun-journal").exists());
}

#[test]
fn a_token_is_never_taken_from_the_command_line() {
    let output = Command::new(env!("CARGO_BIN_EXE_alpharun"))
        .args(["import", "--token", "abc", "x.json"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let dir = Dir::new("tokenfile");
    let input = write_contacts(&dir, "contacts.json", 3, &[]);
    let token_file = dir.0.join("token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).expect("write");
    let server = Server::start(vec![], Action::Normal);
    let output = Command::new(env!("CARGO_BIN_EXE_alpharun"))
        .args(["import", "--base-url", &server.url, "--token-file"])
        .arg(&token_file)
        .arg(&input)
        .env_remove("ALPHARUN_API_TOKEN")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// Waits (up to 60 s, however loaded the machine) until the server acknowledged `n` contacts:
/// the import is then surely mid-run.
fn wait_until_acknowledged(server: &Server, n: usize) {
    let started = std::time::Instant::now();
    while server.record.lock().expect("lock").acknowledged.len() < n {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the import never got going"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts an import in small batches (ten contacts, two at a time), to interrupt it mid-run.
fn spawn_small_batches(
    server: &Server,
    input: &Path,
    stderr: std::process::Stdio,
) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_alpharun"))
        .args(["import", "--base-url", &server.url])
        .args(["--batch-size", "10", "--concurrency", "2"])
        .arg(input)
        .env("ALPHARUN_API_TOKEN", TOKEN)
        .stderr(stderr)
        .spawn()
        .expect("starts")
}

#[test]
fn kill_dash_nine_then_resume_completes_without_resending() {
    let dir = Dir::new("kill");
    let input = write_contacts(&dir, "contacts.json", 400, &[]);
    let server = Server::start(vec![], Action::Delay(Duration::from_millis(150)));
    let mut child = spawn_small_batches(&server, &input, std::process::Stdio::null());
    wait_until_acknowledged(&server, 20);
    child.kill().expect("kill -9");
    let _ = child.wait();
    let before = server.record.lock().expect("lock").acknowledged.len();
    assert!(
        before > 0 && before < 400,
        "killed mid-run ({before} acknowledged)"
    );
    server.set_default(Action::Normal);
    let output = import(&server, &[input.to_str().expect("utf-8"), "--resume"]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    assert_accounted(&server, &input, 400, &output);
    let record = server.record.lock().expect("lock");
    let distinct: HashSet<&String> = record.arrived.iter().collect();
    assert_eq!(
        distinct.len(),
        record.arrived.len(),
        "a contact was sent twice"
    );
    // Only the batches in flight at the kill can be in doubt; the server may have them.
    let failed = failed_entries(&dir.0.join("contacts.failed.json"));
    assert!(
        failed.iter().all(|(_, bucket)| bucket == "uncertain"),
        "{failed:?}"
    );
    assert!(
        failed.len() <= 20,
        "at most two batches of ten were in flight: {failed:?}"
    );
}

#[test]
fn ctrl_c_lets_requests_in_flight_finish_then_resume_sends_the_rest() {
    let dir = Dir::new("sigint");
    let input = write_contacts(&dir, "contacts.json", 300, &[]);
    let server = Server::start(vec![], Action::Delay(Duration::from_millis(200)));
    let child = spawn_small_batches(&server, &input, std::process::Stdio::piped());
    wait_until_acknowledged(&server, 20);
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let output = child.wait_with_output().expect("ends");
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("stopping") && text.contains("--resume"),
        "{text}"
    );
    // The requests in flight finished: nothing is uncertain, the rest is unsent.
    let buckets = final_buckets(&input);
    assert_eq!(buckets["uncertain"], 0, "{buckets}");
    assert!(buckets["unsent"].as_u64().expect("count") > 0, "{buckets}");
    server.set_default(Action::Normal);
    let output = import(&server, &[input.to_str().expect("utf-8"), "--resume"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_accounted(&server, &input, 300, &output);
    let record = server.record.lock().expect("lock");
    let distinct: HashSet<&String> = record.arrived.iter().collect();
    assert_eq!(distinct.len(), 300);
    assert_eq!(record.arrived.len(), 300, "nothing was sent twice");
}
