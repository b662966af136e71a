//! Walking a contact file contact by contact: split, parse, adjust (the import's fill-ins), check.
//! `validate` and `alpharun import` both stand on it, so they always reach the same verdict.

use serde_json::Value;

use crate::beyond::{self, Duplicates};
use crate::in_place::InPlace;
use crate::locate;
use crate::position::Pos;
use crate::problem::{Problem, Severity};
use crate::rules::{Finding, Rules};
use crate::split::{Element, Layout, SyntaxError};
use crate::strict::Strict;

/// The field `alpharun import` adds to each contact of a failed file to say why it failed. It is
/// stripped before checking and sending, so that a fixed failed file can be imported as it is.
pub const REASON_FIELD: &str = "_alpharun_error";

/// An error found while adjusting a contact before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjustment {
    /// Pointer inside the contact.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

/// How a contact is adjusted before it is checked: `None`, or what is wrong.
pub type Adjust<'a> = dyn FnMut(&mut Value) -> Option<Adjustment> + 'a;

/// A change made to every contact before it is checked (such as filling a default field).
pub type Prepare = Box<Adjust<'static>>;

/// The same change, shareable by the checking threads of the parallel walk.
pub type SharedPrepare<'a> = &'a (dyn Fn(&mut Value) -> Option<Adjustment> + Sync);

/// One contact, checked.
#[derive(Debug, Clone)]
pub struct Checked {
    /// 0-based index in the file.
    pub index: usize,
    /// Where it starts.
    pub start: Pos,
    /// The contact as parsed and adjusted; `None` when it is not JSON.
    pub value: Option<Value>,
    /// The contact's text (lossy UTF-8) when it is not JSON, so that nothing is lost.
    pub raw: Option<String>,
    /// Its errors and warnings, in order.
    pub problems: Vec<Problem>,
}

impl Checked {
    /// Parsed and without errors (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.value.is_some() && !self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

/// What the walk meets next.
#[derive(Debug, Clone)]
pub enum Step {
    /// A contact.
    Contact(Checked),
    /// A problem with the file's structure; `fatal` when nothing after it can be read.
    Structure {
        /// The problem.
        problem: Problem,
        /// Whether the walk ends here.
        fatal: bool,
    },
}

/// One contact examined on its own (any thread), before the file-wide duplicate check.
pub(crate) struct Examined {
    pub checked: Checked,
    /// The email's duplicate key, the email, and where its value starts.
    pub email: Option<(u64, String, Pos)>,
    /// Whether nothing after it can be read (broken JSON in an array).
    pub fatal: bool,
}

/// Checks one element whose parsed value nobody needs afterwards (`validate`): parsed in place
/// and checked yes/no, and only a contact that fails goes the slow way to have its errors named.
/// A contact to adjust first always goes the slow way, since the adjustment works on a `Value`.
/// The value left in `checked` is `Null`, a mark that the contact parsed.
pub(crate) fn examine_only(
    file: &str,
    layout: Layout,
    rules: &Rules,
    prepare: Option<SharedPrepare<'_>>,
    element: &Element,
) -> Examined {
    if let Some(prepare) = prepare {
        let mut adjust = |contact: &mut Value| prepare(contact);
        return without_value(examine(file, layout, rules, Some(&mut adjust), element));
    }
    if let Some(mut contact) = InPlace::parse(element.bytes) {
        contact.remove(REASON_FIELD);
        if let Some(findings) = rules.check_in_place(&contact, element.bytes) {
            let email = contact.get("email").and_then(InPlace::as_str);
            return Examined {
                checked: Checked {
                    index: element.index,
                    start: element.start,
                    value: Some(Value::Null),
                    raw: None,
                    problems: findings
                        .into_iter()
                        .map(|finding| placed(file, element, finding))
                        .collect(),
                },
                email: located_email_key(email, element),
                fatal: false,
            };
        }
    }
    without_value(examine(file, layout, rules, None, element))
}

/// Frees the parsed contact on the thread that built it: only whether it parsed matters now.
fn without_value(mut examined: Examined) -> Examined {
    if let Some(value) = examined.checked.value.as_mut() {
        *value = Value::Null;
    }
    examined
}

fn located_email_key(email: Option<&str>, element: &Element) -> Option<(u64, String, Pos)> {
    beyond::email_key(email, element.bytes)
        .map(|(key, email, offset)| (key, email, element.start.after(element.bytes, offset)))
}

/// Parses, adjusts and checks one element.
pub(crate) fn examine(
    file: &str,
    layout: Layout,
    rules: &Rules,
    prepare: Option<&mut Adjust<'_>>,
    element: &Element,
) -> Examined {
    let mut value: Value = match serde_json::from_slice::<Strict>(element.bytes) {
        Ok(Strict(value)) => value,
        Err(error) => {
            return Examined {
                checked: Checked {
                    index: element.index,
                    start: element.start,
                    value: None,
                    raw: Some(String::from_utf8_lossy(element.bytes).into_owned()),
                    problems: vec![
                        utf8_problem(file, element)
                            .unwrap_or_else(|| syntax_problem(file, element, &error)),
                    ],
                },
                email: None,
                // An array's structure cannot be trusted past broken JSON.
                fatal: layout == Layout::Array,
            };
        }
    };
    let mut problems = Vec::new();
    if let Some(object) = value.as_object_mut() {
        object.remove(REASON_FIELD);
    }
    if let Some(adjustment) = prepare.and_then(|prepare| prepare(&mut value)) {
        let offset = locate::value_offset(element.bytes, &adjustment.pointer).unwrap_or(0);
        problems.push(problem(
            file,
            element.start.after(element.bytes, offset),
            Some(element.index),
            adjustment.pointer,
            adjustment.message,
            adjustment.hint,
        ));
    }
    for finding in rules.check(&value, element.bytes) {
        problems.push(placed(file, element, finding));
    }
    let email = located_email_key(value.get("email").and_then(Value::as_str), element);
    Examined {
        checked: Checked {
            index: element.index,
            start: element.start,
            value: Some(value),
            raw: None,
            problems,
        },
        email,
        fatal: false,
    }
}

/// A finding inside an element, placed in the file.
fn placed(file: &str, element: &Element, finding: Finding) -> Problem {
    let mut placed = problem(
        file,
        element.start.after(element.bytes, finding.offset),
        Some(element.index),
        finding.pointer,
        finding.message,
        finding.hint,
    );
    placed.severity = finding.severity;
    placed
}

/// Adds the duplicate-email warning, after the contact's errors (where the checks put it).
pub(crate) fn note_duplicate(file: &str, duplicates: &mut Duplicates, examined: &mut Examined) {
    let Some((key, email, at)) = examined.email.take() else {
        return;
    };
    if let Some(finding) = duplicates.check(key, &email) {
        let mut warning = problem(
            file,
            at,
            Some(examined.checked.index),
            finding.pointer,
            finding.message,
            finding.hint,
        );
        warning.severity = Severity::Warning;
        let problems = &mut examined.checked.problems;
        let errors = problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count();
        problems.insert(errors, warning);
    }
}

/// A problem with the file's structure, outside any contact.
pub(crate) fn structure_problem(file: &str, syntax: SyntaxError) -> Problem {
    problem(file, syntax.pos, None, String::new(), syntax.message, None)
}

pub(crate) fn problem(
    file: &str,
    pos: Pos,
    contact: Option<usize>,
    pointer: String,
    message: String,
    hint: Option<String>,
) -> Problem {
    Problem {
        file: file.to_owned(),
        pos,
        contact,
        pointer,
        message,
        hint,
        severity: Severity::Error,
    }
}

/// A contact that is not UTF-8, placed at its first bad byte (with the byte offset).
fn utf8_problem(file: &str, element: &Element) -> Option<Problem> {
    let error = std::str::from_utf8(element.bytes).err()?;
    let at = error.valid_up_to();
    let pos = element.start.after(element.bytes, at);
    let byte = element.bytes.get(at).copied().unwrap_or_default();
    Some(problem(
        file,
        pos,
        Some(element.index),
        String::new(),
        format!("not UTF-8: byte 0x{byte:02X} at byte offset {}", pos.offset),
        Some("save the file as UTF-8".to_owned()),
    ))
}

/// A contact that is not valid JSON, placed at serde_json's line and column.
fn syntax_problem(file: &str, element: &Element, error: &serde_json::Error) -> Problem {
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
