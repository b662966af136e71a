//! The contact-file JSON Schema gives the expected verdict on every file of `spec/corpus/`,
//! in the Rust `jsonschema` crate with format checks on (ajv does the same in CI).

use std::path::Path;

use serde_json::Value;

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn corpus(verdict: &str) -> Vec<std::path::PathBuf> {
    let dir = xtask::workspace_root().join("spec/corpus").join(verdict);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn corpus_verdicts_match_in_the_jsonschema_crate() {
    let root = xtask::workspace_root();
    let schema = read_json(&root.join("generated/schema/contact-file.schema.json"));
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles");
    let (valid, invalid) = (corpus("valid"), corpus("invalid"));
    assert!(
        valid.len() + invalid.len() >= 20,
        "the corpus keeps at least 20 files"
    );
    let mut wrong = Vec::new();
    for (files, expected) in [(valid, true), (invalid, false)] {
        for file in files {
            if validator.is_valid(&read_json(&file)) != expected {
                wrong.push(format!(
                    "{}: expected {}",
                    file.display(),
                    if expected { "valid" } else { "invalid" }
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "wrong verdicts:\n{}", wrong.join("\n"));
}

#[test]
fn contact_schema_rejects_a_typo_and_accepts_a_full_contact() {
    let root = xtask::workspace_root();
    let schema = read_json(&root.join("generated/schema/contact.schema.json"));
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("compiles");
    let good = serde_json::json!({"job_opening_id": "jo_1", "email": "ada@example.com", "first_name": "Ada"});
    let typo = serde_json::json!({"job_opening_id": "jo_1", "email": "ada@example.com", "frist_name": "Ada"});
    assert!(validator.is_valid(&good));
    assert!(!validator.is_valid(&typo));
}
