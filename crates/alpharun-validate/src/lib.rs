//! Validates Alpharun contact files (a JSON array of contacts, or JSON Lines) as a stream:
//! every problem, with its line, column, contact index, JSON pointer and a fix hint.
//!
//! The verdict on each contact is the generated contact JSON Schema's (checked with the
//! `jsonschema` crate, formats on), so it matches what other tools say with that schema.
//! Checks beyond the schema are warnings.

mod checker;
mod error;
mod locate;
mod position;
mod problem;
mod rules;
mod split;

use std::io::BufRead;

pub use checker::{Adjustment, Checked, Checker, Prepare, REASON_FIELD, Step};
pub use error::ValidateError;
pub use position::Pos;
pub use problem::{Problem, Severity};
pub use rules::{CONTACT_FILE_SCHEMA, CONTACT_SCHEMA};
pub use split::{Layout, detect_layout};

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
    let mut checker = Checker::new(file, reader, layout)?;
    let mut summary = Summary::default();
    while let Some(step) = checker.next_step()? {
        if max_errors.is_some_and(|max| summary.errors >= max) {
            summary.stopped_early = true;
            break;
        }
        match step {
            Step::Structure { problem, fatal } => {
                summary.errors += 1;
                summary.stopped_early |= fatal;
                report(problem);
            }
            Step::Contact(checked) => {
                summary.contacts += 1;
                let errors = checked
                    .problems
                    .iter()
                    .filter(|p| p.severity == Severity::Error)
                    .count();
                summary.errors += errors;
                summary.warnings += checked.problems.len() - errors;
                summary.invalid_contacts += usize::from(errors > 0);
                // A contact that is not JSON in an array ends the walk.
                summary.stopped_early |= checked.value.is_none() && layout == Layout::Array;
                for problem in checked.problems {
                    report(problem);
                }
            }
        }
    }
    Ok(summary)
}
