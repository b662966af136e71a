//! The generated models crate is a self-contained package: `cargo package --list` names every
//! file it compiles, and nothing reaches outside it.

use std::process::Command;

#[test]
fn models_crate_packages_every_file_it_compiles() {
    let root = xtask::workspace_root();
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args([
            "package",
            "--list",
            "--allow-dirty",
            "-p",
            "alpharun-models",
        ])
        .current_dir(&root)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listed = String::from_utf8_lossy(&output.stdout);
    let crate_dir = root.join("generated/alpharun-models");
    for file in [
        "Cargo.toml",
        "src/lib.rs",
        "examples/emit_schema.rs",
        "tests/spec_examples.rs",
    ] {
        assert!(
            listed.lines().any(|l| l == file),
            "`{file}` is not packaged:\n{listed}"
        );
        let text = std::fs::read_to_string(crate_dir.join(file)).expect("readable");
        for escape in ["#[path", "include!", "include_str!", "workspace = true"] {
            assert!(
                !text.contains(escape),
                "{file} reaches outside the package with `{escape}`"
            );
        }
    }
}
