//! Object lowering: properties, `required`, `additionalProperties` and `allOf` merging -> a struct.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::schema::{str_of, type_of};
use crate::error::{GenError, Result};
use crate::ir::{Extra, Field, StructDef, TypeKind, TypeRef};
use crate::names;
use crate::spec::join;

/// An `allOf` chain can only be this deep: deeper is a cycle.
const MAX_ALL_OF_DEPTH: usize = 32;

/// The properties of an object and of everything it merges, before lowering.
#[derive(Default)]
struct Parts {
    /// (wire name, pointer to its schema), in spec order.
    properties: Vec<(String, String)>,
    required: BTreeSet<String>,
    deny_unknown: bool,
    /// Pointer to a schema-valued `additionalProperties`.
    extra_schema: Option<String>,
}

impl super::Lowerer<'_> {
    /// Lowers the object at `pointer` (the struct `name`) into its fields.
    pub(super) fn lower_struct(&mut self, pointer: &str, name: &str) -> Result<StructDef> {
        let mut parts = Parts::default();
        self.collect(pointer, &mut parts, 0)?;
        let declared: BTreeSet<&str> = parts.properties.iter().map(|(w, _)| w.as_str()).collect();
        if let Some(missing) = parts
            .required
            .iter()
            .find(|r| !declared.contains(r.as_str()))
        {
            return Err(GenError::invalid(
                &join(pointer, "required"),
                format!("`{missing}` is required but not among the properties"),
            ));
        }
        let mut taken = BTreeMap::new();
        let mut fields = Vec::new();
        for (wire, property_pointer) in &parts.properties {
            let field =
                self.lower_field(name, wire, property_pointer, parts.required.contains(wire))?;
            super::claim(&mut taken, &field.rust_name, property_pointer)?;
            fields.push(field);
        }
        let extra = match (&parts.extra_schema, parts.deny_unknown) {
            (Some(extra_pointer), _) => {
                let used = self.lower_use(extra_pointer, &format!("{name}Extra"))?;
                if !used.keywords.is_empty() || used.nullable {
                    return Err(GenError::unsupported(
                        extra_pointer,
                        "validation keywords or `nullable` on additionalProperties",
                    ));
                }
                Extra::Map(used.ty)
            }
            (None, true) => Extra::Deny,
            (None, false) => Extra::Ignore,
        };
        Ok(StructDef { fields, extra })
    }

    /// Gathers properties from an object and, depth first, from its `allOf` members.
    fn collect(&self, pointer: &str, parts: &mut Parts, depth: usize) -> Result<()> {
        if depth > MAX_ALL_OF_DEPTH {
            return Err(GenError::invalid(pointer, "`allOf` refers back to itself"));
        }
        let schema = self.schema_at(pointer)?;
        if let Some(reference) = schema.get("$ref") {
            let (target, _) = self.resolve_ref(pointer, reference)?;
            return self.collect(&target, parts, depth + 1);
        }
        if let Some(kind) = type_of(schema).filter(|t| *t != "object") {
            return Err(GenError::unsupported(
                pointer,
                format!("merging a `{kind}` schema into an object (allOf members must be objects)"),
            ));
        }
        for key in ["oneOf", "anyOf"] {
            if schema.contains_key(key) {
                return Err(GenError::unsupported(
                    &join(pointer, key),
                    "`oneOf`/`anyOf` beside properties",
                ));
            }
        }
        if let Some(members) = schema.get("allOf") {
            let members = members
                .as_array()
                .ok_or_else(|| GenError::invalid(&join(pointer, "allOf"), "must be an array"))?;
            for index in 0..members.len() {
                let member = join(&join(pointer, "allOf"), &index.to_string());
                self.collect(&member, parts, depth + 1)?;
            }
        }
        if let Some(properties) = schema.get("properties") {
            let properties = properties.as_object().ok_or_else(|| {
                GenError::invalid(&join(pointer, "properties"), "must be an object")
            })?;
            for (wire, value) in properties {
                let property_pointer = join(&join(pointer, "properties"), wire);
                if let Some((_, first)) = parts.properties.iter().find(|(w, _)| w == wire) {
                    if self.spec.at(first) != Some(value) {
                        return Err(GenError::invalid(
                            &property_pointer,
                            format!("`{wire}` is also defined, differently, at {first}"),
                        ));
                    }
                    continue;
                }
                parts.properties.push((wire.clone(), property_pointer));
            }
        }
        if let Some(required) = schema.get("required") {
            let at = join(pointer, "required");
            let required = required
                .as_array()
                .ok_or_else(|| GenError::invalid(&at, "must be an array"))?;
            for name in required {
                let name = name
                    .as_str()
                    .ok_or_else(|| GenError::invalid(&at, "must hold strings"))?;
                parts.required.insert(name.to_owned());
            }
        }
        match schema.get("additionalProperties") {
            Some(Value::Bool(false)) => parts.deny_unknown = true,
            Some(Value::Object(_)) => {
                parts.extra_schema = Some(join(pointer, "additionalProperties"));
            }
            _ => {}
        }
        Ok(())
    }

    fn lower_field(
        &mut self,
        owner: &str,
        wire: &str,
        pointer: &str,
        required: bool,
    ) -> Result<Field> {
        let rust_name = names::snake_ident(wire)
            .ok_or_else(|| GenError::invalid(pointer, "property name has no letter or digit"))?;
        let hint = format!("{owner}{}", names::pascal_ident(wire).unwrap_or_default());
        let mut used = self.lower_use(pointer, &hint)?;
        let schema = self.schema_at(pointer)?;
        let own_doc = str_of(schema, "description").map(|d| d.trim().to_owned());
        let doc = match (own_doc, schema.get("$ref")) {
            (Some(doc), _) => doc,
            (None, Some(reference)) => {
                let (target, _) = self.resolve_ref(pointer, reference)?;
                self.schema_at(&target)?
                    .get("description")
                    .and_then(Value::as_str)
                    .map_or_else(
                        || format!("The `{wire}` property."),
                        |d| d.trim().to_owned(),
                    )
            }
            (None, None) => format!("The `{wire}` property."),
        };
        let mut default = None;
        if let Some(value) = schema.get("default") {
            if !required && self.is_scalar_default_of(&used.ty, value, pointer)? {
                default = Some(value.clone());
            } else {
                // Kept as documentation for the schema; the field stays optional.
                used.keywords.insert("default".to_owned(), value.clone());
            }
        }
        Ok(Field {
            rust_name,
            wire_name: wire.to_owned(),
            doc,
            ty: used.ty,
            keywords: used.keywords,
            required,
            nullable: used.nullable,
            default,
            boxed: false,
        })
    }

    /// Whether `value` is a scalar default that fits `ty`; a scalar that does not fit is an error.
    fn is_scalar_default_of(&self, ty: &TypeRef, value: &Value, pointer: &str) -> Result<bool> {
        let fits = match (ty, value) {
            (_, Value::Array(_) | Value::Object(_) | Value::Null) => return Ok(false),
            (TypeRef::String, Value::String(_)) | (TypeRef::Bool, Value::Bool(_)) => true,
            (TypeRef::I32 | TypeRef::I64, Value::Number(n)) => n.is_i64(),
            (TypeRef::F32 | TypeRef::F64, Value::Number(_)) => true,
            (TypeRef::Named(name), Value::String(s)) => match self.type_kind(name) {
                Some(TypeKind::Enum(values)) => values.iter().any(|v| v.wire == *s),
                _ => return Ok(false),
            },
            (TypeRef::Named(_) | TypeRef::Any, _) => return Ok(false),
            _ => false,
        };
        if fits {
            Ok(true)
        } else {
            Err(GenError::invalid(
                &join(pointer, "default"),
                format!("{value} does not fit the type"),
            ))
        }
    }
}
