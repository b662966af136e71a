//! Fixture specs: each supported construct generates code that matches its committed snapshot
//! and compiles (and round-trips the spec's examples); each unsupported one is refused with the
//! JSON pointer of the offending construct.

use std::path::{Path, PathBuf};
use std::process::Command;

use xtask::{GenError, Layout, Mode, Options, generate, workspace_root};

fn options(spec: &Path, out: &Path, mode: Mode) -> Options {
    let root = workspace_root();
    let rel = |p: &Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
    Options {
        spec: spec.to_owned(),
        out: out.to_owned(),
        layout: Layout::Standalone,
        mode,
        spec_display: rel(spec),
        command: format!(
            "cargo xtask generate --spec {} --out {}",
            rel(spec),
            rel(out)
        ),
        // One shared folder, so that the fixtures' dependencies build once.
        target_dir: Some(root.join("target/fixtures")),
    }
}

fn fixture(name: &str) -> PathBuf {
    workspace_root().join("xtask/tests/fixtures").join(name)
}

#[test]
fn kitchen_sink_matches_its_snapshot_and_compiles() {
    let root = workspace_root();
    let spec = fixture("kitchen-sink.yaml");
    let snapshot = root.join("xtask/tests/snapshots/kitchen-sink");
    let check = options(&spec, &snapshot, Mode::Check);
    let outcome = generate(&check).expect("the kitchen sink generates");
    assert!(
        outcome.stale.is_empty() && outcome.schemas_checked,
        "snapshot is stale: {:?}\nrun `{}` and review the diff",
        outcome.stale,
        check.command
    );
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["test", "--quiet", "--manifest-path"])
        .arg(snapshot.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target/fixtures"))
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "the generated kitchen-sink crate does not build or its tests fail"
    );
}

#[test]
fn generating_into_a_fresh_folder_twice_changes_nothing() {
    let out = workspace_root().join("target/fixtures/fresh-kitchen-sink");
    let _ = std::fs::remove_dir_all(&out);
    let spec = fixture("kitchen-sink.yaml");
    let first = generate(&options(&spec, &out, Mode::Write)).expect("generates");
    assert!(
        first.stale.iter().any(|p| p.ends_with("src/lib.rs")),
        "the first run writes files"
    );
    let second = generate(&options(&spec, &out, Mode::Write)).expect("generates again");
    assert!(
        second.stale.is_empty(),
        "second run rewrote {:?}",
        second.stale
    );
}

#[test]
fn unsupported_constructs_are_refused_with_their_pointer() {
    let cases = [
        ("not.yaml", "#/components/schemas/Thing/properties/name/not"),
        (
            "xml-body.yaml",
            "#/paths/~1things/post/requestBody/content/application~1xml",
        ),
        (
            "binary.yaml",
            "#/components/schemas/Upload/properties/file/format",
        ),
        (
            "external-ref.yaml",
            "#/components/schemas/Thing/properties/other/$ref",
        ),
        (
            "unknown-keyword.yaml",
            "#/components/schemas/Thing/properties/code/const",
        ),
        ("cookie.yaml", "#/paths/~1me/get/parameters/0/in"),
        (
            "name-collision.yaml",
            "#/components/schemas/Thing/properties/foo_bar",
        ),
        (
            "batch-mismatch.yaml",
            "#/paths/~1things/post/x-batch/rejected",
        ),
    ];
    let out = workspace_root().join("target/fixtures/unsupported");
    for (file, pointer) in cases {
        let spec = fixture(&format!("unsupported/{file}"));
        match generate(&options(&spec, &out, Mode::Write)) {
            Err(error @ (GenError::Unsupported { .. } | GenError::Invalid { .. })) => {
                assert!(
                    error.to_string().starts_with(pointer),
                    "{file}: `{error}` should name {pointer}"
                );
            }
            other => panic!("{file}: expected a refusal naming {pointer}, got {other:?}"),
        }
    }
}

#[test]
fn openapi_31_is_refused() {
    let out = workspace_root().join("target/fixtures/unsupported");
    let spec = fixture("unsupported/openapi-31.yaml");
    let error = generate(&options(&spec, &out, Mode::Write)).expect_err("3.1 is refused");
    assert!(error.to_string().contains("only OpenAPI 3.0.x"), "{error}");
}
