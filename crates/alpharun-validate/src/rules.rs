//! Checking one contact against the contact JSON Schema (the generated one, so the verdict is
//! the schema's), in place or on a parsed value; each error gets a message, a pointer and a hint.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use crate::beyond::warnings;
use crate::error::ValidateError;
use crate::in_place::{InPlace, InPlaceJson};
use crate::locate;
use crate::problem::Severity;

/// The contact JSON Schema, as generated from the spec.
pub const CONTACT_SCHEMA: &str = include_str!("../../../generated/schema/contact.schema.json");
/// The contact-file JSON Schema, as generated from the spec.
pub const CONTACT_FILE_SCHEMA: &str =
    include_str!("../../../generated/schema/contact-file.schema.json");

/// A problem inside one contact, before it is placed in the file.
#[derive(Debug)]
pub struct Finding {
    /// Pointer inside the contact.
    pub pointer: String,
    /// Byte offset in the contact's text where it is reported.
    pub offset: usize,
    pub message: String,
    pub hint: Option<String>,
    pub severity: Severity,
}

/// The compiled schema: checks one contact at a time, on any thread.
pub struct Rules {
    validator: jsonschema::Validator,
    /// The same schema over contacts parsed in place, for the yes/no check of the fast path.
    in_place: jsonschema::Validator<InPlaceJson>,
    field_names: Vec<String>,
}

impl Rules {
    /// Compiles the contact schema with format checks on.
    pub fn new() -> Result<Self, ValidateError> {
        let schema: Value = serde_json::from_str(CONTACT_SCHEMA)
            .map_err(|e| ValidateError::Schema(e.to_string()))?;
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| ValidateError::Schema(e.to_string()))?;
        let in_place = jsonschema::options_for::<InPlaceJson>()
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| ValidateError::Schema(e.to_string()))?;
        let mut field_names = Vec::new();
        collect_property_names(&schema, &mut field_names);
        field_names.sort();
        field_names.dedup();
        Ok(Self {
            validator,
            in_place,
            field_names,
        })
    }

    /// The warnings of a contact parsed in place, or `None` when it breaks the schema (the
    /// caller then takes the slow path, which names each error).
    pub fn check_in_place(&self, contact: &InPlace<'_>, text: &[u8]) -> Option<Vec<Finding>> {
        if !self.in_place.is_valid(contact) {
            return None;
        }
        let mut findings = Vec::new();
        let resume = contact.get("resume");
        warnings(
            resume
                .and_then(|r| r.get("content"))
                .and_then(InPlace::as_str),
            resume
                .and_then(|r| r.get("mimetype"))
                .and_then(InPlace::as_str),
            text,
            &mut findings,
        );
        Some(findings)
    }

    /// Every problem in one contact (its parsed value and its text).
    pub fn check(&self, contact: &Value, text: &[u8]) -> Vec<Finding> {
        let mut findings = Vec::new();
        // Most contacts are valid: the yes/no check stops early and builds no error values;
        // the full walk runs only for the ones that fail.
        let errors = if self.validator.is_valid(contact) {
            None
        } else {
            Some(self.validator.iter_errors(contact))
        };
        for error in errors.into_iter().flatten() {
            let pointer = error.instance_path().to_string();
            let at = locate::value_offset(text, &pointer).unwrap_or(0);
            match error.kind() {
                ValidationErrorKind::Required { property } => {
                    let name = property.as_str().unwrap_or_default();
                    findings.push(Finding {
                        pointer: format!("{pointer}/{name}"),
                        offset: at,
                        message: format!("`{name}` is required"),
                        hint: Some(format!("add \"{name}\": \"...\" to this object")),
                        severity: Severity::Error,
                    });
                }
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    for name in unexpected {
                        let offset = locate::key_offset(text, &pointer, name).unwrap_or(at);
                        let hint = match closest(name, &self.field_names) {
                            Some(known) => format!("did you mean `{known}`?"),
                            None => format!("known fields: {}", self.field_names.join(", ")),
                        };
                        findings.push(Finding {
                            pointer: format!("{pointer}/{name}"),
                            offset,
                            message: format!("unknown field `{name}`"),
                            hint: Some(hint),
                            severity: Severity::Error,
                        });
                    }
                }
                // The email rule is `format: email` plus a pattern; either failing says the same.
                ValidationErrorKind::Format { .. } | ValidationErrorKind::Pattern { .. }
                    if is_email_rule(error.kind(), &pointer) =>
                {
                    findings.push(Finding {
                        pointer,
                        offset: at,
                        message: format!("{} is not a valid email address", error.instance()),
                        hint: Some("an email address looks like name@example.com".to_owned()),
                        severity: Severity::Error,
                    });
                }
                ValidationErrorKind::Type { kind } => {
                    let expected = match kind {
                        TypeKind::Single(t) => t.to_string(),
                        TypeKind::Multiple(ts) => format!("{ts:?}"),
                    };
                    let instance = error.instance();
                    let found = describe(instance.as_ref());
                    let hint = if instance.is_null() {
                        Some("leave the field out instead of sending null".to_owned())
                    } else if expected == "string" {
                        Some("put the value in double quotes".to_owned())
                    } else {
                        None
                    };
                    findings.push(Finding {
                        pointer: pointer.clone(),
                        offset: at,
                        message: format!("expected {}, found {found}", article(&expected)),
                        hint,
                        severity: Severity::Error,
                    });
                }
                _ => findings.push(Finding {
                    pointer,
                    offset: at,
                    message: error.to_string(),
                    hint: None,
                    severity: Severity::Error,
                }),
            }
        }
        // One message per value, even when two keywords reject it.
        findings.dedup_by(|a, b| a.pointer == b.pointer && a.message == b.message);
        // `get` rather than `pointer`: this runs for every contact, and `pointer` parses.
        let resume = contact.get("resume");
        warnings(
            resume
                .and_then(|r| r.get("content"))
                .and_then(Value::as_str),
            resume
                .and_then(|r| r.get("mimetype"))
                .and_then(Value::as_str),
            text,
            &mut findings,
        );
        findings
    }
}

fn is_email_rule(kind: &ValidationErrorKind, pointer: &str) -> bool {
    match kind {
        ValidationErrorKind::Format { format } => format == "email",
        ValidationErrorKind::Pattern { .. } => pointer.ends_with("/email"),
        _ => false,
    }
}

fn collect_property_names(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(object) => {
            if let Some(Value::Object(properties)) = object.get("properties") {
                out.extend(properties.keys().cloned());
            }
            object.values().for_each(|v| collect_property_names(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_property_names(v, out)),
        _ => {}
    }
}

/// The known name within edit distance 2 of `name`, if one is clearly closest.
fn closest<'a>(name: &str, known: &'a [String]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (edit_distance(name, k), k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k.as_str())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push(
                (previous[j] + cost)
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1),
            );
        }
        previous = current;
    }
    previous[b.len()]
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

fn article(kind: &str) -> String {
    match kind {
        "object" | "array" | "integer" => format!("an {kind}"),
        _ => format!("a {kind}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_field() {
        let known = vec![
            "email".to_owned(),
            "first_name".to_owned(),
            "last_name".to_owned(),
        ];
        assert_eq!(closest("frist_name", &known), Some("first_name"));
        assert_eq!(closest("zzzzzz", &known), None);
    }
}
