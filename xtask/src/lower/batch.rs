//! The `x-batch` operation extension: which list body may be split into batches, and which
//! reply fields say what the server rejected. Checked against the lowered types, never guessed.

use std::collections::BTreeMap;

use crate::error::{GenError, Result};
use crate::ir::{Batch, Operation, TypeDef, TypeKind, TypeRef};
use crate::spec::{Spec, join};

/// `x-batch: {rejected: FIELD, imported_count: FIELD, rejected_count: FIELD}` on an operation.
pub fn lower_batch(
    spec: &Spec,
    types: &BTreeMap<String, TypeDef>,
    operation: &Operation,
) -> Result<Option<Batch>> {
    let pointer = join(&operation.pointer, "x-batch");
    let Some(raw) = spec.at(&pointer) else {
        return Ok(None);
    };
    let raw = raw
        .as_object()
        .ok_or_else(|| GenError::invalid(&pointer, "must be an object"))?;
    if let Some(key) = raw
        .keys()
        .find(|k| !["rejected", "imported_count", "rejected_count"].contains(&k.as_str()))
    {
        return Err(GenError::invalid(
            &join(&pointer, key),
            "unknown key (expected rejected, imported_count, rejected_count)",
        ));
    }
    let item = operation
        .body
        .as_ref()
        .and_then(|body| list_item(types, &body.ty))
        .ok_or_else(|| {
            GenError::invalid(
                &pointer,
                "the request body must be an array of a named type (or a component that is one, without keywords)",
            )
        })?;
    let (status, reply) = operation
        .responses
        .iter()
        .find(|(status, _)| status.starts_with('2'))
        .and_then(|(status, r)| Some((status, r.ty.clone()?)))
        .ok_or_else(|| GenError::invalid(&pointer, "needs a 2xx response with a JSON body"))?;
    let TypeRef::Named(reply_name) = &reply else {
        return Err(GenError::invalid(
            &pointer,
            format!("the {status} reply must be a named object type"),
        ));
    };
    let Some(TypeKind::Struct(object)) = types.get(reply_name).map(|t| &t.kind) else {
        return Err(GenError::invalid(
            &pointer,
            format!("the {status} reply `{reply_name}` must be an object type"),
        ));
    };
    let field = |key: &str,
                 wanted: &dyn Fn(&TypeRef) -> bool,
                 what: &str|
     -> Result<Option<(String, TypeRef)>> {
        let Some(name) = raw.get(key) else {
            return Ok(None);
        };
        let at = join(&pointer, key);
        let name = name
            .as_str()
            .ok_or_else(|| GenError::invalid(&at, "must be a property name"))?;
        let found = object
            .fields
            .iter()
            .find(|f| f.wire_name == name)
            .ok_or_else(|| {
                GenError::invalid(&at, format!("`{reply_name}` has no property `{name}`"))
            })?;
        if !found.required || found.nullable || !wanted(&found.ty) {
            return Err(GenError::invalid(
                &at,
                format!("`{reply_name}.{name}` must be a required, non-null {what}"),
            ));
        }
        Ok(Some((found.rust_name.clone(), found.ty.clone())))
    };
    // The server echoes what was sent; its type may be looser than the item's (an echo need
    // not satisfy the rules the item broke), so any named type is accepted and matched by JSON.
    let is_item_list =
        |ty: &TypeRef| matches!(ty, TypeRef::Vec(inner) if matches!(**inner, TypeRef::Named(_)));
    let is_integer = |ty: &TypeRef| matches!(ty, TypeRef::I32 | TypeRef::I64);
    let rejected = field("rejected", &is_item_list, "array of a named object type")?
        .ok_or_else(|| GenError::invalid(&pointer, "needs `rejected`"))?
        .0;
    Ok(Some(Batch {
        item,
        reply: reply.clone(),
        rejected,
        imported_count: field("imported_count", &is_integer, "integer")?,
        rejected_count: field("rejected_count", &is_integer, "integer")?,
    }))
}

/// The item type of a list body: `Vec<Named>`, or a keyword-free component wrapping one.
pub fn list_item(types: &BTreeMap<String, TypeDef>, ty: &TypeRef) -> Option<TypeRef> {
    match ty {
        TypeRef::Vec(inner) if matches!(**inner, TypeRef::Named(_)) => Some((**inner).clone()),
        TypeRef::Named(name) => match &types.get(name)?.kind {
            TypeKind::Newtype {
                ty: TypeRef::Vec(inner),
                keywords,
                nullable: false,
            } if keywords.is_empty() && matches!(**inner, TypeRef::Named(_)) => {
                Some((**inner).clone())
            }
            _ => None,
        },
        _ => None,
    }
}
