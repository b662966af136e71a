//! The drift gate: `generated/` must be exactly what `cargo xtask generate` writes from the spec.

use xtask::{Mode, default_options, generate};

#[test]
fn generated_files_match_the_spec() {
    let outcome = generate(&default_options(Mode::Check)).expect("the spec generates");
    assert!(
        outcome.stale.is_empty(),
        "stale generated files: {:?}\nrun `cargo xtask generate` and commit the result",
        outcome.stale
    );
    assert!(outcome.schemas_checked);
}
