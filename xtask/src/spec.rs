//! Loading a spec: YAML or JSON text -> a raw JSON tree (for pointers) and a typed `openapiv3` document.

use std::path::Path;

use serde_json::Value;

use crate::error::{GenError, Result};

/// A loaded spec: the typed document and the raw tree it came from.
pub struct Spec {
    /// The document as openapiv3 reads it (checks the OpenAPI 3.0 structure).
    pub doc: openapiv3::OpenAPI,
    /// The same document as plain JSON, walked for schemas so that no keyword goes unseen.
    pub raw: Value,
}

impl Spec {
    /// Reads and parses the spec at `path`.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| GenError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text).map_err(|why| GenError::Parse {
            path: path.to_owned(),
            why,
        })
    }

    /// Parses spec text (YAML, of which JSON is a subset).
    pub fn parse(text: &str) -> Result<Self, String> {
        let raw: Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
        let version = raw.get("openapi").and_then(Value::as_str).unwrap_or("");
        if !version.starts_with("3.0.") {
            return Err(format!(
                "`openapi: {version}`: only OpenAPI 3.0.x is supported (3.1 and Swagger 2 are not)"
            ));
        }
        let doc = serde_json::from_value(raw.clone()).map_err(|e| e.to_string())?;
        Ok(Self { doc, raw })
    }

    /// The raw value at a `#/...` pointer.
    pub fn at(&self, pointer: &str) -> Option<&Value> {
        self.raw.pointer(pointer.trim_start_matches('#'))
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Joins a pointer and a segment.
pub fn join(pointer: &str, segment: &str) -> String {
    format!("{pointer}/{}", escape(segment))
}
