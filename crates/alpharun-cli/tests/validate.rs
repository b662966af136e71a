//! `alpharun validate`, run as the real binary: verdicts equal the schema corpus's, problems
//! are located at the right line and column, and exit codes follow the README.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn alpharun(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_alpharun"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("alpharun starts");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.unwrap_or_default())
        .expect("stdin takes the input");
    drop(input);
    child.wait_with_output().expect("alpharun finishes")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn verdicts_match_the_schema_corpus() {
    for (dir, expected) in [("valid", 0), ("invalid", 1)] {
        let dir_path = root().join("spec/corpus").join(dir);
        for entry in std::fs::read_dir(&dir_path).expect("corpus") {
            let path = entry.expect("entry").path();
            let name = format!(
                "spec/corpus/{dir}/{}",
                path.file_name().expect("name").to_string_lossy()
            );
            let output = alpharun(&["validate", &name], None);
            assert_eq!(
                output.status.code(),
                Some(expected),
                "{name}: {}",
                stdout(&output)
            );
            if expected == 1 {
                assert!(
                    stdout(&output).starts_with(&format!("{name}:")),
                    "{name}: located output"
                );
            }
        }
    }
}

#[test]
fn every_problem_of_the_bundled_example_is_located() {
    let output = alpharun(&["validate", "spec/examples/contacts.json"], None);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let expected = [
        "spec/examples/contacts.json:13:14: contact 1: /email: \"alan.turing@example\" is not a valid email address",
        "spec/examples/contacts.json:14:5: contact 1: /frist_name: unknown field `frist_name` (hint: did you mean `first_name`?)",
        "spec/examples/contacts.json:16:3: contact 2: /email: `email` is required",
        "spec/examples/contacts.json:24:21: contact 3: /phone_number: expected a string, found the number 14155550123",
        "spec/examples/contacts.json:23:14: warning: contact 3: /email: email `ADA.LOVELACE@example.com` appears more than once",
        "spec/examples/contacts.json:25:27: warning: contact 3: /resume/content: resume content is not valid base64",
        "spec/examples/contacts.json:25:54: warning: contact 3: /resume/mimetype: `image/png` is not a document type",
    ];
    for line in expected {
        assert!(
            text.lines().any(|l| l.starts_with(line)),
            "missing `{line}` in:\n{text}"
        );
    }
    assert_eq!(text.lines().count(), expected.len(), "{text}");
    let summary = String::from_utf8_lossy(&output.stderr);
    assert!(
        summary.contains("checked 5 contacts in 1 file(s): 3 invalid, 4 errors, 3 warnings"),
        "{summary}"
    );
}

#[test]
fn warnings_alone_pass_unless_strict() {
    let file = br#"[{"job_opening_id": "j", "email": "a@example.com"}, {"job_opening_id": "j", "email": "A@example.com"}]"#;
    assert_eq!(
        alpharun(&["validate", "-"], Some(file)).status.code(),
        Some(0)
    );
    assert_eq!(
        alpharun(&["validate", "--strict", "-"], Some(file))
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn json_lines_go_on_after_a_broken_line() {
    let file = b"{\"job_opening_id\": \"j\", \"email\": \"a@example.com\"}\n{broken\n\n{\"job_opening_id\": \"j\"}\n";
    let output = alpharun(&["validate", "-"], Some(file));
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("<stdin>:2:2: contact 1: invalid JSON"),
        "{text}"
    );
    assert!(
        text.contains("<stdin>:4:1: contact 2: /email: `email` is required"),
        "{text}"
    );
}

#[test]
fn a_broken_array_stops_at_the_error_after_reporting_what_came_before() {
    let file = b"[\n {\"job_opening_id\": 1, \"email\": \"a@example.com\"},\n {\"job_opening_id\": \"j\", \"email\": tru},\n {}\n]";
    let output = alpharun(&["validate", "-"], Some(file));
    assert_eq!(output.status.code(), Some(1));
    let lines: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("<stdin>:2:21: contact 0: /job_opening_id: expected a string"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("<stdin>:3:38: contact 1: invalid JSON"),
        "{lines:?}"
    );
}

#[test]
fn malformed_files_get_a_located_error_not_a_panic() {
    let cases: [(&[u8], &str); 7] = [
        (b"", "the file is empty"),
        (b"[", "not closed"),
        (
            b"[{\"email\": \"a@example.com\"",
            "unexpected end of file inside contact 0",
        ),
        (b"[{}]]", "unexpected data after the closing"),
        (b"[{},]", "trailing comma"),
        (b"\"just a string\"", "expected `[`"),
        (
            b"[{\"email\": \"\xff\"}]",
            "not UTF-8: byte 0xFF at byte offset 12",
        ),
    ];
    for (input, message) in cases {
        let output = alpharun(&["validate", "-"], Some(input));
        assert_eq!(output.status.code(), Some(1), "{input:?}");
        assert!(
            stdout(&output).contains(message),
            "{input:?}: {}",
            stdout(&output)
        );
    }
}

#[test]
fn json_format_emits_one_object_per_problem_and_a_summary() {
    let output = alpharun(
        &[
            "validate",
            "--format",
            "json",
            "spec/examples/contacts.json",
        ],
        None,
    );
    let objects: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    assert_eq!(objects.len(), 8);
    assert_eq!(objects[1]["line"], 14);
    assert_eq!(objects[1]["pointer"], "/frist_name");
    assert_eq!(objects[7]["summary"]["invalid_contacts"], 3);
}

#[test]
fn unreadable_file_and_bad_usage_exit_2() {
    assert_eq!(
        alpharun(&["validate", "does-not-exist.json"], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(alpharun(&["validate"], None).status.code(), Some(2));
    assert_eq!(alpharun(&["frobnicate"], None).status.code(), Some(2));
}

#[test]
fn schema_command_prints_the_generated_schema() {
    let output = alpharun(&["schema"], None);
    assert_eq!(output.status.code(), Some(0));
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let file = std::fs::read_to_string(root().join("generated/schema/contact-file.schema.json"))
        .expect("schema");
    assert_eq!(
        printed,
        serde_json::from_str::<serde_json::Value>(&file).expect("JSON")
    );
}

#[test]
fn pretty_output_shows_the_line_with_a_caret_and_no_colour_under_no_color() {
    // Not a terminal, so no colour whatever NO_COLOR says; --format pretty forces snippets.
    let output = alpharun(
        &[
            "validate",
            "--format",
            "pretty",
            "spec/examples/contacts.json",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("--> spec/examples/contacts.json:13:14"),
        "{stdout}"
    );
    assert!(
        stdout.contains("13 |     \"email\": \"alan.turing@example\","),
        "{stdout}"
    );
    assert!(stdout.contains("^^^^^^^^^^^^^^^^^^^^^"), "{stdout}");
    assert!(
        stdout.contains("= help: did you mean `first_name`?"),
        "{stdout}"
    );
    assert!(!stdout.contains('\u{1b}'), "no colour codes: {stdout}");
}

/// Runs the binary on a pseudo-terminal (util-linux `script`), as a person would.
fn on_terminal(no_color: bool) -> String {
    let mut command = Command::new("script");
    command
        .args([
            "-qec",
            &format!(
                "{} validate spec/examples/contacts.json",
                env!("CARGO_BIN_EXE_alpharun")
            ),
            "/dev/null",
        ])
        .current_dir(root());
    if no_color {
        command.env("NO_COLOR", "1");
    } else {
        command.env_remove("NO_COLOR");
    }
    let output = command.output().expect("script (util-linux) runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_terminal_gets_coloured_snippets_unless_no_color() {
    let coloured = on_terminal(false);
    assert!(
        coloured.contains("\u{1b}["),
        "colour on a terminal: {coloured}"
    );
    assert!(
        coloured.contains("spec/examples/contacts.json:13:14"),
        "{coloured}"
    );
    let plain = on_terminal(true);
    assert!(!plain.contains("\u{1b}["), "NO_COLOR: {plain}");
    assert!(plain.contains("^^^^"), "still snippets: {plain}");
}

#[test]
fn on_a_generated_file_exactly_the_spoiled_contacts_are_reported_on_their_lines() {
    let mut bytes = Vec::new();
    let written = alpharun_synth::write(&alpharun_synth::PARITY, &mut bytes).expect("writes");
    let output = alpharun(&["validate", "--format", "json", "-"], Some(&bytes));
    assert_eq!(output.status.code(), Some(1));
    let mut reported = std::collections::BTreeMap::new();
    for line in stdout(&output).lines() {
        let problem: serde_json::Value = serde_json::from_str(line).expect("JSON lines");
        if problem["severity"] == "error" {
            let contact = problem["contact"].as_u64().expect("inside a contact");
            reported
                .entry(contact)
                .or_insert(problem["line"].as_u64().expect("line"));
        }
    }
    let expected: std::collections::BTreeMap<u64, u64> =
        written.mistakes.iter().map(|m| (m.index, m.line)).collect();
    assert!(expected.len() > 100);
    assert_eq!(reported, expected);
}
