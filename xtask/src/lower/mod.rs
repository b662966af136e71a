//! Lowering: a loaded spec -> the IR. All spec checking happens here, each error with its pointer.

mod batch;
mod object;
mod operation;
mod recursion;
mod schema;
mod union;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::{GenError, Result};
use crate::ir::{Api, Auth};
use crate::names;
use crate::spec::Spec;

pub use batch::list_item;
pub use schema::Lowerer;

/// Lowers a whole spec.
pub fn lower(spec: &Spec) -> Result<Api> {
    let info = &spec.doc.info;
    let mut lowerer = Lowerer::new(spec)?;
    lowerer.lower_components()?;
    let mut operations = operation::lower_operations(spec, &mut lowerer)?;
    let mut types = lowerer.finish();
    recursion::box_recursive_fields(&mut types);
    for operation in operations.values_mut() {
        operation.batch = batch::lower_batch(spec, &types, operation)?;
    }
    Ok(Api {
        title: info.title.clone(),
        version: info.version.clone(),
        description: info.description.clone(),
        crate_prefix: crate_prefix(spec)?,
        base_url: spec
            .doc
            .servers
            .first()
            .map(|s| s.url.trim_end_matches('/').to_owned()),
        auth: auth(spec)?,
        types,
        operations,
    })
}

/// `info.x-rust-crate-prefix`, else the title in kebab case without a trailing `api`.
fn crate_prefix(spec: &Spec) -> Result<String> {
    if let Some(prefix) = spec.doc.info.extensions.get("x-rust-crate-prefix") {
        return prefix
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| GenError::invalid("#/info/x-rust-crate-prefix", "must be a string"));
    }
    let snake = names::snake_ident(&spec.doc.info.title).ok_or_else(|| {
        GenError::invalid("#/info/title", "needs a letter or digit to name crates")
    })?;
    let bare = names::unraw(&snake).trim_start_matches('_');
    let bare = bare.strip_suffix("_api").unwrap_or(bare);
    Ok(bare.replace('_', "-"))
}

/// The one security scheme the API uses, if any.
fn auth(spec: &Spec) -> Result<Auth> {
    let global = spec.doc.security.clone().unwrap_or_default();
    for (path, item) in &spec.doc.paths.paths {
        let Some(item) = item.as_item() else { continue };
        for (method, op) in item.iter() {
            if let Some(security) = &op.security {
                if *security != global && !security.is_empty() {
                    let pointer =
                        format!("#/paths/{}/{method}/security", crate::spec::escape(path));
                    return Err(GenError::unsupported(
                        &pointer,
                        "per-operation security that differs from the global `security`",
                    ));
                }
            }
        }
    }
    let names: Vec<&String> = global.iter().flat_map(|req| req.keys()).collect();
    match names.as_slice() {
        [] => Ok(Auth::None),
        [name] => {
            let pointer = format!("#/components/securitySchemes/{}", crate::spec::escape(name));
            let scheme = spec.at(&pointer).ok_or_else(|| {
                GenError::invalid(
                    "#/security",
                    format!("names `{name}`, which is not defined"),
                )
            })?;
            let kind = scheme.get("type").and_then(Value::as_str);
            let http_scheme = scheme.get("scheme").and_then(Value::as_str);
            if kind == Some("http") && http_scheme.is_some_and(|s| s.eq_ignore_ascii_case("bearer"))
            {
                Ok(Auth::Bearer {
                    scheme: (*name).clone(),
                })
            } else {
                Err(GenError::unsupported(
                    &pointer,
                    "security schemes other than http bearer",
                ))
            }
        }
        _ => Err(GenError::unsupported(
            "#/security",
            "more than one security scheme",
        )),
    }
}

/// Names already taken, so that two spec names mapping to one Rust name are an error.
fn claim(taken: &mut BTreeMap<String, String>, rust: &str, pointer: &str) -> Result<()> {
    if let Some(first) = taken.get(rust) {
        if first != pointer {
            return Err(GenError::invalid(
                pointer,
                format!("its Rust name `{rust}` is already used by {first}; rename one of them"),
            ));
        }
    }
    taken.insert(rust.to_owned(), pointer.to_owned());
    Ok(())
}
