//! Validates Alpharun contact files (a JSON array of contacts, or JSON Lines) as a stream:
//! every problem, with its line, column, contact index, JSON pointer and a fix hint.
//!
//! The verdict on each contact is the generated contact JSON Schema's (checked with the
//! `jsonschema` crate, formats on), so it matches what other tools say with that schema.
//! Checks beyond the schema are warnings.

mod error;
mod locate;
mod position;
mod problem;
mod rules;
mod split;

use std::io::BufRead;

pub use error::ValidateError;
pub use position::Pos;
pub use problem::{Problem, Severity};
pub use rules::{CONTACT_FILE_SCHEMA, CONTACT_SCHEMA};
pub use split::{Layout, detect_layout};

use split::{Item, Splitter};

/// What a file held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Contacts seen (valid or not).
    pub contacts: usize,
    /// Contacts with at least one error (a contact that is not JSON counts).
    pub invalid_contacts: usize,
    /// Errors, including structural ones.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Whether reading stopped early (a broken array, or `max_errors`).
    pub stopped_early: bool,
}

/// Validates `reader` (the file `file`), calling `report` for each problem in file order.
/// Stops after `max_errors` errors when given.
pub fn validate(
    file: &str,
    reader: impl BufRead,
    layout: Layout,
    max_errors: Option<usize>,
    report: &mut dyn FnMut(Problem),
) -> Result<Summary, ValidateError> {
    let mut rules = rules::Rules::new()?;
    let mut splitter = Splitter::new(reader, layout);
    let mut summary = Summary::default();
    let read_error = |source| ValidateError::Read {
        file: file.to_owned(),
        source,
    };
    while let Some(item) = splitter.next_item().map_err(read_error)? {
        if max_errors.is_some_and(|max| summary.errors >= max) {
            summary.stopped_early = true;
            break;
        }
        match item {
            Item::Syntax(syntax) => {
                summary.errors += 1;
                summary.stopped_early |= !syntax.recoverable;
                report(Problem {
                    file: file.to_owned(),
                    pos: syntax.pos,
                    contact: None,
                    pointer: String::new(),
                    message: syntax.message,
                    hint: None,
                    severity: Severity::Error,
                });
            }
            Item::Element(element) => {
                summary.contacts += 1;
                let value: serde_json::Value = match serde_json::from_slice(&element.bytes) {
                    Ok(value) => value,
                    Err(error) => {
                        summary.errors += 1;
                        summary.invalid_contacts += 1;
                        report(syntax_problem(file, &element, &error));
                        if layout == Layout::Array {
                            // The array's structure cannot be trusted past broken JSON.
                            summary.stopped_early = true;
                            break;
                        }
                        continue;
                    }
                };
                let findings = rules.check(&value, &element.bytes);
                let errors = findings
                    .iter()
                    .filter(|f| f.severity == Severity::Error)
                    .count();
                summary.errors += errors;
                summary.warnings += findings.len() - errors;
                summary.invalid_contacts += usize::from(errors > 0);
                for finding in findings {
                    report(Problem {
                        file: file.to_owned(),
                        pos: element.start.after(&element.bytes, finding.offset),
                        contact: Some(element.index),
                        pointer: finding.pointer,
                        message: finding.message,
                        hint: finding.hint,
                        severity: finding.severity,
                    });
                }
            }
        }
    }
    Ok(summary)
}

/// A contact that is not valid JSON, placed at serde_json's line and column.
fn syntax_problem(file: &str, element: &split::Element, error: &serde_json::Error) -> Problem {
    let (line, column) = (error.line() as u64, error.column() as u64);
    let mut pos = element.start;
    if line <= 1 {
        pos.column += column.saturating_sub(1);
    } else {
        pos.line += line - 1;
        pos.column = column.max(1);
    }
    let message = error.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    Problem {
        file: file.to_owned(),
        pos,
        contact: Some(element.index),
        pointer: String::new(),
        message: format!("invalid JSON: {message}"),
        hint: None,
        severity: Severity::Error,
    }
}
