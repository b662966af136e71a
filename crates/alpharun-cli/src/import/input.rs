//! Reading the input for an import: the whole-file check before anything is sent (with the
//! file's size and checksum for the journal), and the job-opening fill-in applied to each
//! contact on every pass.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use alpharun_validate::{
    Adjustment, Checker, Layout, Options, Prepare, Problem, Severity, validate_with,
};
use anyhow::{Context, Result};
use serde_json::Value;

/// How `--job-opening-id` applies.
#[derive(Debug, Clone, Default)]
pub struct Fill {
    /// The ID given.
    pub job_opening_id: Option<String>,
    /// Whether it replaces a different ID already in a contact.
    pub replace: bool,
}

impl Fill {
    /// Fills one contact's job opening; an error when it conflicts.
    pub fn adjust(&self, contact: &mut Value) -> Option<Adjustment> {
        let id = self.job_opening_id.as_deref()?;
        let object = contact.as_object_mut()?;
        match object.get("job_opening_id") {
            None | Some(Value::Null) => {}
            Some(Value::String(existing)) if existing == id => return None,
            Some(existing) if !self.replace => {
                return Some(Adjustment {
                    pointer: "/job_opening_id".to_owned(),
                    message: format!(
                        "job_opening_id {existing} differs from --job-opening-id `{id}`"
                    ),
                    hint: Some(
                        "pass --override-job-opening-id to replace it, or drop --job-opening-id"
                            .to_owned(),
                    ),
                });
            }
            Some(_) => {}
        }
        object.insert("job_opening_id".to_owned(), Value::String(id.to_owned()));
        None
    }

    /// The adjustment run on each contact before it is checked.
    pub fn prepare(&self) -> Prepare {
        let fill = self.clone();
        Box::new(move |contact: &mut Value| fill.adjust(contact))
    }
}

/// Opens the input for one pass.
pub fn checker(path: &Path, layout: Layout, fill: &Fill) -> Result<Checker<BufReader<File>>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(Checker::new(
        &path.display().to_string(),
        BufReader::with_capacity(1 << 16, file),
        layout,
    )?
    .with_prepare(fill.prepare()))
}

/// What the check before sending found.
#[derive(Debug, Default)]
pub struct Precheck {
    /// Contacts in the file.
    pub contacts: usize,
    /// Indices of invalid contacts.
    pub invalid: Vec<usize>,
    /// Warnings (never block an import).
    pub warnings: usize,
    /// The first errors, to show.
    pub shown: Vec<Problem>,
    /// A structural error that makes the file unreadable past some point.
    pub fatal: Option<Problem>,
    /// The file's size.
    pub bytes: u64,
    /// CRC-32 of its bytes.
    pub crc32: u32,
}

/// Checks the whole file as `alpharun validate` would (with the fill-in applied), on every
/// core.
pub fn precheck(path: &Path, layout: Layout, fill: &Fill, show: usize) -> Result<Precheck> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut hashing = Hashing {
        inner: file,
        hasher: crc32fast::Hasher::new(),
        bytes: 0,
    };
    let mut result = Precheck::default();
    let adjust = |contact: &mut Value| fill.adjust(contact);
    let options = Options {
        max_errors: None,
        prepare: Some(&adjust),
    };
    // The last problem, and whether it went to `shown`: when reading stops early, it is the one
    // that stopped it.
    let mut last: Option<(Problem, bool)> = None;
    let summary = {
        // Smaller than the splitter's reads, which then bypass it instead of being copied.
        let reader = BufReader::with_capacity(1 << 16, &mut hashing);
        validate_with(
            &path.display().to_string(),
            reader,
            layout,
            options,
            &mut |problem| {
                if problem.severity == Severity::Warning {
                    return;
                }
                if let Some(index) = problem.contact {
                    if result.invalid.last() != Some(&index) {
                        result.invalid.push(index);
                    }
                }
                let shown = result.shown.len() < show;
                if shown {
                    result.shown.push(problem.clone());
                }
                last = Some((problem, shown));
            },
        )?
    };
    if summary.stopped_early {
        if let Some((problem, shown)) = last {
            // A broken file structure is the fatal problem, not one to list; a contact that
            // broke an array is both.
            if problem.contact.is_none() && shown {
                result.shown.pop();
            }
            result.fatal = Some(problem);
        }
    }
    result.contacts = summary.contacts;
    result.warnings = summary.warnings;
    // Reading may stop early; the checksum covers the whole file.
    std::io::copy(&mut hashing, &mut std::io::sink())
        .with_context(|| format!("cannot read {}", path.display()))?;
    result.bytes = hashing.bytes;
    result.crc32 = hashing.hasher.finalize();
    Ok(result)
}

struct Hashing<R> {
    inner: R,
    hasher: crc32fast::Hasher,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}
