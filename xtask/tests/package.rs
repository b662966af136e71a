//! The generated crates are self-contained packages: `cargo package --list` names every file
//! they compile, and nothing reaches outside them.

use std::process::Command;

fn assert_self_contained(package: &str, files: &[&str]) {
    let root = xtask::workspace_root();
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["package", "--list", "--allow-dirty", "-p", package])
        .current_dir(&root)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listed = String::from_utf8_lossy(&output.stdout);
    let crate_dir = root.join("generated").join(package);
    for file in files {
        assert!(
            listed.lines().any(|l| l == *file),
            "`{file}` is not packaged:\n{listed}"
        );
        let text = std::fs::read_to_string(crate_dir.join(file)).expect("readable");
        for escape in ["#[path", "include!", "include_str!", "workspace = true"] {
            assert!(
                !text.contains(escape),
                "{package}/{file} reaches outside the package with `{escape}`"
            );
        }
    }
}

#[test]
fn models_crate_packages_every_file_it_compiles() {
    assert_self_contained(
        "alpharun-models",
        &[
            "Cargo.toml",
            "src/lib.rs",
            "examples/emit_schema.rs",
            "tests/spec_examples.rs",
        ],
    );
}

#[test]
fn client_crate_packages_every_file_it_compiles() {
    assert_self_contained(
        "alpharun-client",
        &["Cargo.toml", "src/lib.rs", "examples/add_contacts.rs"],
    );
}
