//! The generator's error type: every variant names the file or the JSON pointer it is about.

use std::path::PathBuf;

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// The spec uses a construct the generator does not support.
    #[error("{pointer}: unsupported: {what}")]
    Unsupported {
        /// JSON pointer (RFC 6901) into the spec, as `#/components/schemas/X`.
        pointer: String,
        /// What is unsupported, and what to do instead when there is an answer.
        what: String,
    },
    /// The spec is self-inconsistent or violates OpenAPI 3.0.
    #[error("{pointer}: invalid spec: {why}")]
    Invalid {
        /// JSON pointer into the spec.
        pointer: String,
        /// What is wrong.
        why: String,
    },
    /// The spec file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The spec file.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The spec file is not YAML/JSON or not an OpenAPI 3.0 document.
    #[error("{}: not an OpenAPI 3.0 document: {why}", path.display())]
    Parse {
        /// The spec file.
        path: PathBuf,
        /// The parser's message.
        why: String,
    },
    /// An output file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The generated models crate did not build or run to print its JSON Schemas.
    #[error("could not get the JSON Schemas from {krate}: {why}")]
    SchemaRun {
        /// The models crate's manifest.
        krate: String,
        /// What went wrong, with cargo's output.
        why: String,
    },
    /// Emitted Rust code failed to parse: a generator bug, reported rather than written.
    #[error("generated code for {file} does not parse (generator bug): {why}")]
    BadOutput {
        /// The output file.
        file: String,
        /// syn's message.
        why: String,
    },
}

impl GenError {
    pub(crate) fn unsupported(pointer: &str, what: impl Into<String>) -> Self {
        Self::Unsupported {
            pointer: pointer.to_owned(),
            what: what.into(),
        }
    }

    pub(crate) fn invalid(pointer: &str, why: impl Into<String>) -> Self {
        Self::Invalid {
            pointer: pointer.to_owned(),
            why: why.into(),
        }
    }
}

/// The generator's result type.
pub type Result<T, E = GenError> = std::result::Result<T, E>;
