//! The committed malformed corpus (`spec/corpus/malformed`): every file gets a clear, located
//! error and exit 1 or 2, never a panic.

use std::path::PathBuf;
use std::process::Command;

/// A fragment of the first message each file must give.
const EXPECTED: &[(&str, &str)] = &[
    (
        "array-as-contact.json",
        "expected an object, found an array",
    ),
    ("bom-then-garbage.json", "expected `[`"),
    ("comments.json", "invalid JSON"),
    ("deep-nesting.json", "recursion limit exceeded"),
    ("deep-nesting.jsonl", "recursion limit exceeded"),
    ("duplicate-keys-nested.jsonl", "duplicate key `content`"),
    ("duplicate-keys.json", "duplicate key `email`"),
    ("empty-object.json", "`job_opening_id` is required"),
    ("empty.json", "the file is empty"),
    ("huge-number.json", "number out of range"),
    ("huge-string.json", "is not a valid email address"),
    ("infinity.jsonl", "invalid JSON"),
    (
        "invalid-utf8.json",
        "not UTF-8: byte 0xFF at byte offset 73",
    ),
    (
        "invalid-utf8.jsonl",
        "not UTF-8: byte 0xC3 at byte offset 78",
    ),
    ("lone-surrogate.json", "invalid JSON"),
    ("missing-comma.json", "expected `,` or `]` after contact 0"),
    ("nan.json", "invalid JSON"),
    ("nul-between.json", "invalid JSON"),
    ("nul-in-string.json", "control character"),
    ("null-contact.json", "expected an object, found null"),
    (
        "numbers-for-strings.json",
        "expected a string, found the number",
    ),
    ("only-open-bracket.json", "the array is not closed"),
    ("raw-tab-in-string.jsonl", "control character"),
    ("single-quotes.json", "key must be a string"),
    (
        "string-contact.jsonl",
        "expected an object, found the string",
    ),
    ("top-level-null.json", "expected `[`"),
    ("top-level-number.json", "expected `[`"),
    ("top-level-object.json", "name the file .jsonl"),
    ("top-level-string.json", "expected `[`"),
    ("trailing-comma.json", "trailing comma"),
    (
        "trailing-garbage.json",
        "unexpected data after the closing `]`",
    ),
    (
        "truncated-array.json",
        "unexpected end of file inside contact 1",
    ),
    ("truncated-string.jsonl", "EOF while parsing a string"),
    ("unclosed-object.jsonl", "EOF while parsing an object"),
    ("utf16.json", "not UTF-8"),
    ("whitespace-only.json", "the file is empty"),
];

#[test]
fn every_malformed_file_gets_a_located_error_and_no_panic() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join("spec/corpus/malformed");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("the corpus exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(files.len() >= 30, "only {} malformed files", files.len());
    let listed: Vec<&str> = EXPECTED.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        files, listed,
        "every corpus file has an expectation, and only those"
    );
    for (file, fragment) in EXPECTED {
        let path = format!("spec/corpus/malformed/{file}");
        let output = Command::new(env!("CARGO_BIN_EXE_alpharun"))
            .args(["validate", &path])
            .current_dir(&root)
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            matches!(output.status.code(), Some(1 | 2)),
            "{file}: exit {:?}\n{stderr}",
            output.status.code()
        );
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
        let first = stdout.lines().next().unwrap_or_default();
        let located = first
            .strip_prefix(&format!("{path}:"))
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(line, rest)| {
                line.parse::<u64>().is_ok()
                    && rest
                        .split_once(':')
                        .is_some_and(|(column, _)| column.parse::<u64>().is_ok())
            });
        assert!(located, "{file}: not located: {first}");
        assert!(
            first.contains(fragment),
            "{file}: expected `{fragment}` in: {first}"
        );
    }
}
