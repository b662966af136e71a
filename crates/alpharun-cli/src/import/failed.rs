//! The failed file: every contact that did not get in, in the input's layout, each with
//! `_alpharun_error: {bucket, message}`, ready to fix and import again (the field is stripped on
//! import and ignored by `validate`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use alpharun_validate::{Layout, REASON_FIELD, Step};
use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::input::{Fill, checker};
use super::ledger::{Fate, Ledger};

/// The default failed file beside the input: `contacts.json` -> `contacts.failed.json`.
pub fn default_path(input: &Path, layout: Layout) -> PathBuf {
    let stem = input.file_stem().unwrap_or_default().to_string_lossy();
    let extension = match layout {
        Layout::Array => "json",
        Layout::Lines => "jsonl",
    };
    input.with_file_name(format!("{stem}.failed.{extension}"))
}

/// Writes (atomically) every contact not imported; returns how many. With none, removes a
/// stale failed file so that it cannot be mistaken for this run's.
pub fn write(
    input: &Path,
    layout: Layout,
    fill: &Fill,
    ledger: &Ledger,
    out: &Path,
) -> Result<usize> {
    let partial = out.with_extension("partial");
    let file =
        File::create(&partial).with_context(|| format!("cannot create {}", partial.display()))?;
    let mut writer = BufWriter::new(file);
    let mut walk = checker(input, layout, fill)?;
    let mut written = 0;
    if layout == Layout::Array {
        writer.write_all(b"[")?;
    }
    while let Some(step) = walk.next_step()? {
        let Step::Contact(checked) = step else {
            continue;
        };
        let fate = ledger.get(checked.index);
        if fate == Fate::Imported {
            continue;
        }
        let bucket = match fate {
            Fate::Pending => Fate::Unsent,
            Fate::InFlight => Fate::Uncertain,
            other => other,
        };
        let message = ledger.reason(checked.index).map_or_else(
            || match bucket {
                Fate::Unsent => "not sent: the run stopped before it".to_owned(),
                _ => bucket.name().to_owned(),
            },
            str::to_owned,
        );
        let error = json!({"bucket": bucket.name(), "message": message, "index": checked.index});
        let mut value = match checked.value {
            Some(Value::Object(object)) => Value::Object(object),
            Some(other) => json!({"_alpharun_value": other}),
            None => json!({"_alpharun_source": checked.raw.unwrap_or_default()}),
        };
        if let Some(object) = value.as_object_mut() {
            object.insert(REASON_FIELD.to_owned(), error);
        }
        let text = serde_json::to_string(&value)?;
        match layout {
            Layout::Array => {
                writer.write_all(if written == 0 { b"\n  " } else { b",\n  " })?;
                writer.write_all(text.as_bytes())?;
            }
            Layout::Lines => {
                writer.write_all(text.as_bytes())?;
                writer.write_all(b"\n")?;
            }
        }
        written += 1;
    }
    if layout == Layout::Array {
        writer.write_all(b"\n]\n")?;
    }
    writer
        .into_inner()
        .map_err(|e| e.into_error())
        .and_then(|file| file.sync_all())
        .with_context(|| format!("cannot write {}", partial.display()))?;
    if written == 0 {
        let _ = std::fs::remove_file(&partial);
        let _ = std::fs::remove_file(out);
    } else {
        std::fs::rename(&partial, out)
            .with_context(|| format!("cannot move {} to {}", partial.display(), out.display()))?;
    }
    Ok(written)
}
