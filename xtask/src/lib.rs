//! The alpharun-rs code generator: an OpenAPI 3.0 spec -> a plain IR -> Rust crates and JSON Schema.
//!
//! `spec` reads the document, `lower` checks it and builds the IR (`ir`), `emit` turns the IR
//! into formatted files, `schema_files` runs the generated models crate to get its schemas, and
//! `output` writes them or checks them against what is on disk.

pub mod emit;
pub mod error;
pub mod ir;
pub mod lower;
pub mod names;
pub mod output;
pub mod schema_files;
pub mod spec;

use std::path::{Path, PathBuf};

pub use emit::Layout;
pub use error::{GenError, Result};
pub use output::Mode;

/// What to generate, from where, to where.
#[derive(Debug, Clone)]
pub struct Options {
    /// The spec file.
    pub spec: PathBuf,
    /// The output folder.
    pub out: PathBuf,
    /// Workspace member (`generated/`) or standalone folder.
    pub layout: Layout,
    /// Write, or only check.
    pub mode: Mode,
    /// How generated files name the spec (`spec/alpharun.yaml`).
    pub spec_display: String,
    /// The command that regenerates, named in every file's header and in staleness reports.
    pub command: String,
    /// Cargo target folder for building the generated crate (default: cargo's own choice).
    pub target_dir: Option<PathBuf>,
}

/// What a run found.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Files (relative to the output folder) that differed: written in `Write` mode.
    pub stale: Vec<String>,
    /// Whether the JSON Schemas were compared (they are not while the Rust files are stale).
    pub schemas_checked: bool,
}

/// This repository's root (the xtask crate's parent).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_owned)
}

/// Options for the repository's own spec into `generated/`.
pub fn default_options(mode: Mode) -> Options {
    let root = workspace_root();
    Options {
        spec: root.join("spec/alpharun.yaml"),
        out: root.join("generated"),
        layout: Layout::WorkspaceMember,
        mode,
        spec_display: "spec/alpharun.yaml".to_owned(),
        command: "cargo xtask generate".to_owned(),
        target_dir: None,
    }
}

/// Reads, lowers and emits; writes or checks the output folder.
pub fn generate(options: &Options) -> Result<Outcome> {
    let spec = spec::Spec::load(&options.spec)?;
    let api = lower::lower(&spec)?;
    let header = emit::header(&options.spec_display, &options.command);
    let client_dir = options.out.join(emit::client_crate(&api));
    let runtime_path = relative_path(
        &client_dir,
        &workspace_root().join("crates/alpharun-runtime"),
    );
    let files = emit::rust_files(&api, options.layout, &header, &runtime_path)?;
    let krate = emit::models_crate(&api);
    let crate_dirs = [
        format!("{krate}/"),
        format!("{}/", emit::client_crate(&api)),
    ];
    let standalone = options.layout == Layout::Standalone;
    let owns_rust = |path: &str| {
        crate_dirs.iter().any(|dir| path.starts_with(dir.as_str()))
            || (standalone && path == "Cargo.toml")
    };
    let mut stale = output::sync(&options.out, &files, options.mode, &owns_rust)?;
    if options.mode == Mode::Check && !stale.is_empty() {
        return Ok(Outcome {
            stale,
            schemas_checked: false,
        });
    }
    let manifest = options.out.join(&krate).join("Cargo.toml");
    let schemas =
        schema_files::schema_files(&api, &manifest, options.target_dir.as_deref(), &header)?;
    let owns_schema = |path: &str| path.starts_with("schema/");
    stale.extend(output::sync(
        &options.out,
        &schemas,
        options.mode,
        &owns_schema,
    )?);
    Ok(Outcome {
        stale,
        schemas_checked: true,
    })
}

/// `to` relative to `from` (both made absolute), with `/` separators, for manifest paths.
fn relative_path(from: &Path, to: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    let normal = |p: PathBuf| -> Vec<String> {
        let mut parts: Vec<String> = Vec::new();
        for component in p.components() {
            match component {
                std::path::Component::ParentDir => {
                    parts.pop();
                }
                std::path::Component::Normal(part) => {
                    parts.push(part.to_string_lossy().into_owned());
                }
                _ => {}
            }
        }
        parts
    };
    let (from, to) = (normal(absolute(from)), normal(absolute(to)));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); from.len() - common];
    parts.extend(to[common..].iter().cloned());
    parts.join("/")
}
