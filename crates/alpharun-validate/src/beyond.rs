//! The checks beyond the schema, which give warnings only: the same email twice in one file,
//! resume content that is not base64, a resume media type that is not a document.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, DefaultHasher, Hasher};

use crate::locate;
use crate::problem::Severity;
use crate::rules::Finding;

/// Media types a resume is expected to have; others get a warning.
const DOCUMENT_TYPES: &[&str] = &[
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "application/rtf",
    "text/rtf",
    "text/plain",
    "text/markdown",
    "text/html",
];

/// The emails a file has shown so far, for the duplicate warning: 8 bytes per contact.
#[derive(Default)]
pub struct Duplicates {
    seen: HashSet<u64, BuildHasherDefault<AlreadyHashed>>,
}

/// The set's keys are hashes already; hashing them again would only cost time.
#[derive(Default)]
struct AlreadyHashed(u64);

impl Hasher for AlreadyHashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

impl Duplicates {
    /// Notes a contact's email by its key; a warning (placed by the caller) if it was seen.
    pub fn check(&mut self, key: u64, email: &str) -> Option<Finding> {
        if self.seen.insert(key) {
            return None;
        }
        Some(Finding {
            pointer: "/email".to_owned(),
            offset: 0,
            message: format!("email `{email}` appears more than once in this file"),
            hint: Some(
                "the API keeps one contact per email; merge or remove the duplicate".to_owned(),
            ),
            severity: Severity::Warning,
        })
    }
}

/// The key the duplicate check compares (the email, trimmed and lower-cased), the email, and
/// the offset of its value in the contact's text.
pub fn email_key(email: Option<&str>, text: &[u8]) -> Option<(u64, String, usize)> {
    let email = email?;
    let trimmed = email.trim();
    let mut hasher = DefaultHasher::new();
    // Most emails are lower-case ASCII already: hash them without building a lower-case copy.
    if trimmed
        .bytes()
        .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
    {
        hasher.write(trimmed.to_lowercase().as_bytes());
    } else {
        hasher.write(trimmed.as_bytes());
    }
    Some((
        hasher.finish(),
        email.to_owned(),
        locate::value_offset(text, "/email").unwrap_or(0),
    ))
}

/// The checks beyond the schema, on a resume's content and media type.
pub(crate) fn warnings(
    content: Option<&str>,
    mimetype: Option<&str>,
    text: &[u8],
    findings: &mut Vec<Finding>,
) {
    let mut warn = |pointer: &str, message: String, hint: &str| {
        findings.push(Finding {
            pointer: pointer.to_owned(),
            offset: locate::value_offset(text, pointer).unwrap_or(0),
            message,
            hint: Some(hint.to_owned()),
            severity: Severity::Warning,
        });
    };
    if let Some(content) = content {
        if !is_base64(content) {
            warn(
                "/resume/content",
                "resume content is not valid base64".to_owned(),
                "encode the file's bytes with base64 (e.g. `base64 -w0 cv.pdf`)",
            );
        }
    }
    if let Some(mimetype) = mimetype {
        let essence = mimetype
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if !DOCUMENT_TYPES.contains(&essence.as_str()) {
            warn(
                "/resume/mimetype",
                format!("`{mimetype}` is not a document type"),
                "resumes are usually application/pdf or a Word document",
            );
        }
    }
}

fn is_base64(text: &str) -> bool {
    let bytes = text.as_bytes();
    let padding = bytes.iter().rev().take_while(|b| **b == b'=').count();
    // Resumes are most of a file's bytes: range comparisons folded without branches over a
    // chunk compile to vector code, where a lookup table would not.
    bytes.len() % 4 == 0
        && padding <= 2
        && bytes[..bytes.len() - padding].chunks(64).all(|chunk| {
            chunk.iter().fold(true, |ok, &b| {
                ok & ((b.wrapping_sub(b'A') < 26)
                    | (b.wrapping_sub(b'a') < 26)
                    | (b.wrapping_sub(b'0') < 10)
                    | (b == b'+')
                    | (b == b'/'))
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_check() {
        assert!(is_base64("JVBERi0xLjQK"));
        assert!(is_base64("YQ=="));
        assert!(!is_base64("not base64!"));
        assert!(!is_base64("abc"));
    }
}
