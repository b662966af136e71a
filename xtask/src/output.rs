//! Writing generated files, or checking that what is on disk is what would be written.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::emit::OutFile;
use crate::error::{GenError, Result};

/// Write the files, or only compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write what differs; delete generated files that are no longer produced.
    Write,
    /// Touch nothing; report what differs.
    Check,
}

/// Files under `out` that differ from `files` (or should not exist), as paths relative to `out`.
/// In `Write` mode they are written (or deleted) too.
pub fn sync(
    out: &Path,
    files: &[OutFile],
    mode: Mode,
    owned: &dyn Fn(&str) -> bool,
) -> Result<Vec<String>> {
    let mut stale = Vec::new();
    for file in files {
        let path = out.join(&file.path);
        let current = std::fs::read(&path).ok();
        if current.as_deref() == Some(file.contents.as_bytes()) {
            continue;
        }
        stale.push(file.path.clone());
        if mode == Mode::Write {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|source| io(parent, source))?;
            }
            std::fs::write(&path, &file.contents).map_err(|source| io(&path, source))?;
        }
    }
    let expected: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for existing in list(out)? {
        if owned(&existing) && !expected.contains(existing.as_str()) {
            stale.push(existing.clone());
            if mode == Mode::Write {
                let path = out.join(&existing);
                std::fs::remove_file(&path).map_err(|source| io(&path, source))?;
            }
        }
    }
    Ok(stale)
}

/// Every file under `root` (relative, `/`-separated), skipping build output.
fn list(root: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut pending: Vec<PathBuf> = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let entry = entry.map_err(|source| io(&dir, source))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == "target" || name == "Cargo.lock" || name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(relative) = path.strip_prefix(root) {
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn io(path: &Path, source: std::io::Error) -> GenError {
    GenError::Io {
        path: path.to_owned(),
        source,
    }
}
