//! Operation lowering: paths and methods -> named operations with parameters, body and responses.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::Lowerer;
use crate::error::{GenError, Result};
use crate::ir::{Body, Operation, Param, ParamLocation, Response, TypeRef};
use crate::names;
use crate::spec::{Spec, join};

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Lowers every operation under `paths`.
pub fn lower_operations(
    spec: &Spec,
    lowerer: &mut Lowerer<'_>,
) -> Result<BTreeMap<String, Operation>> {
    let mut operations = BTreeMap::new();
    let mut taken = BTreeMap::new();
    let Some(paths) = spec.at("#/paths").and_then(Value::as_object) else {
        return Ok(operations);
    };
    for (path, item) in paths {
        let item_pointer = join("#/paths", path);
        let item = object(item, &item_pointer)?;
        if item.contains_key("$ref") {
            return Err(GenError::unsupported(
                &join(&item_pointer, "$ref"),
                "path item `$ref`",
            ));
        }
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let pointer = join(&item_pointer, method);
            let op = object(op, &pointer)?;
            let operation = lower_operation(spec, lowerer, path, method, item, op, &pointer)?;
            super::claim(&mut taken, &operation.name, &pointer)?;
            operations.insert(operation.name.clone(), operation);
        }
    }
    Ok(operations)
}

fn lower_operation(
    spec: &Spec,
    lowerer: &mut Lowerer<'_>,
    path: &str,
    method: &str,
    item: &Map<String, Value>,
    op: &Map<String, Value>,
    pointer: &str,
) -> Result<Operation> {
    let name = match op.get("operationId").and_then(Value::as_str) {
        Some(id) => names::snake_ident(id).ok_or_else(|| {
            GenError::invalid(&join(pointer, "operationId"), "has no letter or digit")
        })?,
        None => derived_name(method, path),
    };
    let type_prefix = names::pascal_ident(names::unraw(&name)).unwrap_or_default();
    let mut params = Vec::new();
    let item_pointer = pointer.rsplit_once('/').map_or(pointer, |(head, _)| head);
    for (holder, holder_pointer) in [(item, item_pointer), (op, pointer)] {
        let Some(list) = holder.get("parameters") else {
            continue;
        };
        let list_pointer = join(holder_pointer, "parameters");
        let list = list
            .as_array()
            .ok_or_else(|| GenError::invalid(&list_pointer, "must be an array"))?;
        for index in 0..list.len() {
            let param = lower_param(
                spec,
                lowerer,
                &join(&list_pointer, &index.to_string()),
                &type_prefix,
            )?;
            // An operation's parameter overrides the path item's one of the same name and place.
            params.retain(|p: &Param| {
                !(p.wire_name == param.wire_name && p.location == param.location)
            });
            params.push(param);
        }
    }
    for segment in path
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
    {
        if !params
            .iter()
            .any(|p| p.location == ParamLocation::Path && p.wire_name == segment)
        {
            return Err(GenError::invalid(
                pointer,
                format!("path parameter `{segment}` is not declared"),
            ));
        }
    }
    let body = match op.get("requestBody") {
        Some(_) => Some(lower_body(
            spec,
            lowerer,
            &join(pointer, "requestBody"),
            &type_prefix,
        )?),
        None => None,
    };
    let mut responses = BTreeMap::new();
    let responses_pointer = join(pointer, "responses");
    let raw = op
        .get("responses")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            GenError::invalid(&responses_pointer, "every operation needs `responses`")
        })?;
    for status in raw.keys() {
        let hint = format!(
            "{type_prefix}Response{}",
            names::pascal_ident(status).unwrap_or_default()
        );
        let response = lower_response(spec, lowerer, &join(&responses_pointer, status), &hint)?;
        responses.insert(status.clone(), response);
    }
    Ok(Operation {
        name,
        method: method.to_ascii_uppercase(),
        path: path.to_owned(),
        summary: op
            .get("summary")
            .and_then(Value::as_str)
            .map(|s| s.trim().to_owned()),
        description: op
            .get("description")
            .and_then(Value::as_str)
            .map(|s| s.trim().to_owned()),
        params,
        body,
        responses,
        pointer: pointer.to_owned(),
        batch: None,
    })
}

/// `GET /users/{id}/pets` -> `get_users_by_id_pets`.
fn derived_name(method: &str, path: &str) -> String {
    let mut words = vec![method.to_owned()];
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => words.push(format!("by_{param}")),
            None => words.push(segment.to_owned()),
        }
    }
    names::snake_ident(&words.join("_")).unwrap_or_else(|| method.to_owned())
}

/// Follows a `$ref` to `#/components/<kind>/...`; returns the pointer of what it names.
fn follow(spec: &Spec, pointer: &str, kind: &str) -> Result<String> {
    let Some(reference) = spec.at(pointer).and_then(|v| v.get("$ref")) else {
        return Ok(pointer.to_owned());
    };
    let at = join(pointer, "$ref");
    let target = reference
        .as_str()
        .filter(|r| r.starts_with(&format!("#/components/{kind}/")))
        .ok_or_else(|| {
            GenError::unsupported(&at, format!("refs other than `#/components/{kind}/...`"))
        })?;
    if spec.at(target).is_none() {
        return Err(GenError::invalid(&at, format!("`{target}` does not exist")));
    }
    Ok(target.to_owned())
}

fn lower_param(
    spec: &Spec,
    lowerer: &mut Lowerer<'_>,
    pointer: &str,
    prefix: &str,
) -> Result<Param> {
    let pointer = follow(spec, pointer, "parameters")?;
    let raw = object(spec.at(&pointer).unwrap_or(&Value::Null), &pointer)?;
    let wire_name = raw
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| GenError::invalid(&pointer, "a parameter needs a `name`"))?;
    let location = match raw.get("in").and_then(Value::as_str) {
        Some("path") => ParamLocation::Path,
        Some("query") => ParamLocation::Query,
        Some("header") => ParamLocation::Header,
        Some("cookie") => {
            return Err(GenError::unsupported(
                &join(&pointer, "in"),
                "cookie parameters",
            ));
        }
        _ => {
            return Err(GenError::invalid(
                &join(&pointer, "in"),
                "must be path, query, header or cookie",
            ));
        }
    };
    if raw.contains_key("content") {
        return Err(GenError::unsupported(
            &join(&pointer, "content"),
            "parameters with `content`",
        ));
    }
    let rust_name = names::snake_ident(wire_name)
        .ok_or_else(|| GenError::invalid(&pointer, "parameter name has no letter or digit"))?;
    let hint = format!(
        "{prefix}{}",
        names::pascal_ident(wire_name).unwrap_or_default()
    );
    let used = lowerer.lower_use(&join(&pointer, "schema"), &hint)?;
    let scalar = |ty: &TypeRef| !matches!(ty, TypeRef::Vec(_) | TypeRef::Map(_) | TypeRef::Any);
    let fits = match (&used.ty, location) {
        (TypeRef::Vec(inner), ParamLocation::Query) => scalar(inner),
        (ty, _) => scalar(ty),
    };
    if !fits {
        return Err(GenError::unsupported(
            &join(&pointer, "schema"),
            "parameters that are objects or nested arrays (only scalars, and arrays of them in the query)",
        ));
    }
    Ok(Param {
        rust_name,
        wire_name: wire_name.to_owned(),
        location,
        ty: used.ty,
        required: location == ParamLocation::Path
            || raw
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        doc: doc(raw, &format!("The `{wire_name}` parameter.")),
    })
}

fn lower_body(spec: &Spec, lowerer: &mut Lowerer<'_>, pointer: &str, prefix: &str) -> Result<Body> {
    let pointer = follow(spec, pointer, "requestBodies")?;
    let raw = object(spec.at(&pointer).unwrap_or(&Value::Null), &pointer)?;
    let (schema_pointer, example) = json_content(raw, &pointer)?
        .ok_or_else(|| GenError::invalid(&pointer, "a request body needs `content`"))?;
    let used = lowerer.lower_use(&schema_pointer, &format!("{prefix}Request"))?;
    no_keywords(&used, &schema_pointer)?;
    Ok(Body {
        ty: used.ty,
        required: raw
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        doc: doc(raw, "The request body."),
        example,
    })
}

fn lower_response(
    spec: &Spec,
    lowerer: &mut Lowerer<'_>,
    pointer: &str,
    hint: &str,
) -> Result<Response> {
    let pointer = follow(spec, pointer, "responses")?;
    let raw = object(spec.at(&pointer).unwrap_or(&Value::Null), &pointer)?;
    let (ty, example) = match json_content(raw, &pointer)? {
        Some((schema_pointer, example)) => {
            let used = lowerer.lower_use(&schema_pointer, hint)?;
            no_keywords(&used, &schema_pointer)?;
            (Some(used.ty), example)
        }
        None => (None, None),
    };
    Ok(Response {
        doc: doc(raw, "A response."),
        ty,
        example,
    })
}

/// The schema pointer and example of the JSON content; `None` when there is no content.
fn json_content(
    raw: &Map<String, Value>,
    pointer: &str,
) -> Result<Option<(String, Option<Value>)>> {
    let Some(content) = raw
        .get("content")
        .and_then(Value::as_object)
        .filter(|c| !c.is_empty())
    else {
        return Ok(None);
    };
    let content_pointer = join(pointer, "content");
    if let Some(other) = content.keys().find(|m| !is_json(m)) {
        return Err(GenError::unsupported(
            &join(&content_pointer, other),
            format!("media type `{other}` (only JSON bodies)"),
        ));
    }
    let (media, value) = content
        .iter()
        .next()
        .unwrap_or_else(|| unreachable!("checked non-empty"));
    if content.len() > 1 {
        return Err(GenError::unsupported(
            &content_pointer,
            "more than one JSON media type",
        ));
    }
    let media_pointer = join(&content_pointer, media);
    let media_object = object(value, &media_pointer)?;
    if !media_object.contains_key("schema") {
        return Err(GenError::invalid(
            &media_pointer,
            "JSON content needs a `schema`",
        ));
    }
    Ok(Some((
        join(&media_pointer, "schema"),
        media_object.get("example").cloned(),
    )))
}

fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn no_keywords(used: &super::schema::Use, pointer: &str) -> Result<()> {
    if used.keywords.is_empty() && !used.nullable {
        Ok(())
    } else {
        Err(GenError::unsupported(
            pointer,
            "validation keywords or `nullable` directly on a body schema (move it into components)",
        ))
    }
}

fn object<'v>(value: &'v Value, pointer: &str) -> Result<&'v Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| GenError::invalid(pointer, "must be an object"))
}

fn doc(raw: &Map<String, Value>, fallback: &str) -> String {
    raw.get("description")
        .and_then(Value::as_str)
        .map_or_else(|| fallback.to_owned(), |d| d.trim().to_owned())
}
