//! Validates Alpharun contact files (a JSON array of contacts, or JSON Lines) as a stream:
//! every problem, with its line, column, contact index, JSON pointer and a fix hint.
//!
//! The verdict on each contact is the generated contact JSON Schema's (checked with the
//! `jsonschema` crate, formats on), so it matches what other tools say with that schema.
//! Checks beyond the schema are warnings.

mod beyond;
mod checker;
mod error;
mod in_place;
mod locate;
mod parallel;
mod position;
mod problem;
mod rules;
mod split;
mod strict;
mod walk;

use std::io::BufRead;

pub use checker::{Adjustment, Checked, Prepare, REASON_FIELD, SharedPrepare, Step};
pub use error::ValidateError;
pub use position::Pos;
pub use problem::{Problem, Severity};
pub use rules::{CONTACT_FILE_SCHEMA, CONTACT_SCHEMA};
pub use split::{Layout, detect_layout};
pub use walk::Checker;

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

/// How to validate.
#[derive(Clone, Copy, Default)]
pub struct Options<'a> {
    /// Stop after this many errors.
    pub max_errors: Option<usize>,
    /// A change made to every contact before it is checked (the import's job-opening fill-in).
    pub prepare: Option<SharedPrepare<'a>>,
}

/// Validates `reader` (the file `file`), calling `report` for each problem in file order.
/// Stops after `max_errors` errors when given. Uses every core: the file is split on one
/// thread and its contacts checked on the others, with results reported in file order.
pub fn validate(
    file: &str,
    reader: impl BufRead + Send,
    layout: Layout,
    max_errors: Option<usize>,
    report: &mut dyn FnMut(Problem),
) -> Result<Summary, ValidateError> {
    let options = Options {
        max_errors,
        prepare: None,
    };
    validate_with(file, reader, layout, options, report)
}

/// [`validate`], with every option.
pub fn validate_with(
    file: &str,
    reader: impl BufRead + Send,
    layout: Layout,
    options: Options<'_>,
    report: &mut dyn FnMut(Problem),
) -> Result<Summary, ValidateError> {
    // One checker more than cores: the splitter and the reporting thread sleep part of the
    // time, and an extra checker fills it (measured: 1.76 s against 1.80 s on 2 cores).
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        + 1;
    parallel::validate_parallel(file, reader, layout, options, workers, report)
}
