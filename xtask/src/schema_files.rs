//! The JSON Schema files: run the generated models crate's `emit_schema` example (schemars is the
//! one source of the schemas), then give each schema its `$id` and header and a stable layout.

use std::path::Path;
use std::process::Command;

use serde_json::{Map, Value};

use crate::emit::{OutFile, schema_file_name};
use crate::error::{GenError, Result};
use crate::ir::Api;

/// Builds and runs `emit_schema` of the models crate at `manifest`, returning one file per schema.
pub fn schema_files(
    api: &Api,
    manifest: &Path,
    target_dir: Option<&Path>,
    header: &str,
) -> Result<Vec<OutFile>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args([
            "run",
            "--quiet",
            "--example",
            "emit_schema",
            "--manifest-path",
        ])
        .arg(manifest);
    if let Some(target_dir) = target_dir {
        command.env("CARGO_TARGET_DIR", target_dir);
    }
    let output = command
        .output()
        .map_err(|e| schema_error(manifest, e.to_string()))?;
    if !output.status.success() {
        return Err(schema_error(
            manifest,
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ));
    }
    let schemas: Map<String, Value> = serde_json::from_slice(&output.stdout)
        .map_err(|e| schema_error(manifest, format!("output is not a JSON object: {e}")))?;
    let mut files = Vec::new();
    for (type_name, schema) in schemas {
        let path = schema_file_name(&type_name);
        let mut schema = schema;
        finish_schema(&mut schema, api, &path, header);
        let mut contents = serde_json::to_string_pretty(&sorted(schema)).unwrap_or_default();
        contents.push('\n');
        files.push(OutFile { path, contents });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn schema_error(manifest: &Path, why: String) -> GenError {
    GenError::SchemaRun {
        krate: manifest.display().to_string(),
        why,
    }
}

/// Adds `$id` and the generated-file note; drops numeric `format`s (`int64`, `double`...) that
/// schemars adds but JSON Schema does not define, so that strict validators (ajv) accept it.
fn finish_schema(schema: &mut Value, api: &Api, path: &str, header: &str) {
    strip_numeric_formats(schema);
    if let Value::Object(root) = schema {
        let file = path.rsplit('/').next().unwrap_or(path);
        let id = match &api.base_url {
            Some(base) => format!("{base}/schemas/{file}"),
            None => format!("urn:{}:schema:{file}", api.crate_prefix),
        };
        root.insert("$id".to_owned(), Value::String(id));
        root.insert("$comment".to_owned(), Value::String(header.to_owned()));
    }
}

fn strip_numeric_formats(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            let numeric = match object.get("type") {
                Some(Value::String(t)) => t == "integer" || t == "number",
                Some(Value::Array(types)) => {
                    types.iter().any(|t| t == "integer" || t == "number")
                        && !types.iter().any(|t| t == "string")
                }
                _ => false,
            };
            if numeric {
                object.remove("format");
            }
            object.values_mut().for_each(strip_numeric_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_numeric_formats),
        _ => {}
    }
}

/// The same value with every object's keys in sorted order, whatever serde_json's features.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut entries: Vec<(String, Value)> = object.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}
