//! A problem found in a contact file: where, in which contact, what, and how to fix it.

use crate::position::Pos;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The file does not satisfy the contact-file JSON Schema (or is not JSON).
    Error,
    /// Beyond the schema: likely a mistake, but the API would accept it.
    Warning,
}

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file, as named by the user.
    pub file: String,
    /// Where the offending value (or key) starts.
    pub pos: Pos,
    /// The contact's 0-based index, when the problem is inside one contact.
    pub contact: Option<usize>,
    /// JSON pointer inside the contact (`/email`), empty for the contact itself.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
    /// Error or warning.
    pub severity: Severity,
}

impl std::fmt::Display for Problem {
    /// `file:line:col: contact N: /pointer: message (hint)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.pos.line, self.pos.column)?;
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        if let Some(contact) = self.contact {
            write!(f, "contact {contact}: ")?;
        }
        if !self.pointer.is_empty() {
            write!(f, "{}: ", self.pointer)?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}
