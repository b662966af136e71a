//! The validation library's error type: failures to read input, not problems in it.

/// Why a file could not be validated at all.
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Read {
        /// The file, as named by the user.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The embedded contact JSON Schema did not compile (a build defect).
    #[error("the contact JSON Schema does not compile: {0}")]
    Schema(String),
}
