//! `oneOf`/`anyOf` lowering -> untagged enums, or internally tagged enums when there is a
//! discriminator; and string `enum`s -> Rust enums.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde_json::Value;

use super::schema::str_of;
use crate::error::{GenError, Result};
use crate::ir::{EnumValue, Extra, TaggedVariant, TypeKind, TypeRef, Variant};
use crate::names;
use crate::spec::join;

/// The values of a string enum, each with a variant name.
pub(super) fn enum_values(pointer: &str, values: &Value) -> Result<Vec<EnumValue>> {
    let at = join(pointer, "enum");
    let values = values
        .as_array()
        .ok_or_else(|| GenError::invalid(&at, "must be an array"))?;
    let mut taken = BTreeMap::new();
    let mut out = Vec::new();
    for (index, value) in values.iter().enumerate() {
        let value_pointer = join(&at, &index.to_string());
        let wire = match value {
            Value::String(s) => s,
            Value::Null => continue, // `null` in a nullable enum is carried by `nullable`
            _ => {
                return Err(GenError::unsupported(
                    &value_pointer,
                    "a non-string value in a string enum",
                ));
            }
        };
        let rust_name = names::pascal_ident(wire)
            .or_else(|| wire.is_empty().then(|| "Empty".to_owned()))
            .ok_or_else(|| {
                GenError::unsupported(
                    &value_pointer,
                    format!("enum value `{wire}` has no letter or digit"),
                )
            })?;
        super::claim(&mut taken, &rust_name, &value_pointer)?;
        out.push(EnumValue {
            rust_name,
            wire: wire.clone(),
        });
    }
    if out.is_empty() {
        return Err(GenError::invalid(
            &at,
            "a string enum needs at least one value",
        ));
    }
    Ok(out)
}

impl super::Lowerer<'_> {
    /// Lowers the `oneOf`/`anyOf` at `pointer`, named `name`.
    pub(super) fn lower_union(&mut self, pointer: &str, name: &str) -> Result<TypeKind> {
        let schema = self.schema_at(pointer)?;
        let key = match (schema.contains_key("oneOf"), schema.contains_key("anyOf")) {
            (true, true) => {
                return Err(GenError::unsupported(
                    pointer,
                    "`oneOf` and `anyOf` together",
                ));
            }
            (true, false) => "oneOf",
            _ => "anyOf",
        };
        for clash in ["properties", "allOf", "enum"] {
            if schema.contains_key(clash) {
                return Err(GenError::unsupported(
                    &join(pointer, clash),
                    format!("`{clash}` beside `{key}`"),
                ));
            }
        }
        let members_pointer = join(pointer, key);
        let count = schema[key]
            .as_array()
            .filter(|m| !m.is_empty())
            .ok_or_else(|| GenError::invalid(&members_pointer, "must be a non-empty array"))?
            .len();
        let members: Vec<String> = (0..count)
            .map(|i| join(&members_pointer, &i.to_string()))
            .collect();
        match schema.get("discriminator") {
            Some(discriminator) => self.lower_tagged(pointer, discriminator, &members),
            None => self.lower_untagged(name, &members),
        }
    }

    fn lower_untagged(&mut self, name: &str, members: &[String]) -> Result<TypeKind> {
        let mut variants: Vec<Variant> = Vec::new();
        for (index, member) in members.iter().enumerate() {
            let used = self.lower_use(member, &format!("{name}Variant{index}"))?;
            if !used.keywords.is_empty() || used.nullable {
                return Err(GenError::unsupported(
                    member,
                    "validation keywords or `nullable` on a primitive oneOf/anyOf member",
                ));
            }
            let mut rust_name = match &used.ty {
                TypeRef::Named(named) => named.clone(),
                TypeRef::String => "String".to_owned(),
                TypeRef::Bool => "Boolean".to_owned(),
                TypeRef::I32 | TypeRef::I64 => "Integer".to_owned(),
                TypeRef::F32 | TypeRef::F64 => "Number".to_owned(),
                TypeRef::Vec(_) => "Array".to_owned(),
                TypeRef::Map(_) => "Object".to_owned(),
                TypeRef::Any => "Any".to_owned(),
            };
            if variants.iter().any(|v| v.rust_name == rust_name) {
                rust_name = format!("{rust_name}{index}");
            }
            variants.push(Variant {
                rust_name,
                ty: used.ty,
            });
        }
        Ok(TypeKind::Untagged(variants))
    }

    fn lower_tagged(
        &mut self,
        pointer: &str,
        discriminator: &Value,
        members: &[String],
    ) -> Result<TypeKind> {
        let at = join(pointer, "discriminator");
        let tag = discriminator
            .get("propertyName")
            .and_then(Value::as_str)
            .ok_or_else(|| GenError::invalid(&at, "needs a string `propertyName`"))?
            .to_owned();
        // Tag value -> (pointer of the target, Rust name), in mapping order, then member order.
        let mut targets: IndexMap<String, (String, String)> = IndexMap::new();
        if let Some(mapping) = discriminator.get("mapping") {
            let mapping = mapping
                .as_object()
                .ok_or_else(|| GenError::invalid(&join(&at, "mapping"), "must be an object"))?;
            for (wire, reference) in mapping {
                let entry = join(&join(&at, "mapping"), wire);
                let reference = match reference.as_str() {
                    Some(r) if !r.starts_with('#') => {
                        Value::String(format!("#/components/schemas/{r}"))
                    }
                    _ => reference.clone(),
                };
                targets.insert(wire.clone(), self.resolve_ref(&entry, &reference)?);
            }
        }
        for member in members {
            let schema = self.schema_at(member)?;
            let reference = schema.get("$ref").ok_or_else(|| {
                GenError::unsupported(
                    member,
                    "an inline oneOf/anyOf member with a discriminator (use a $ref)",
                )
            })?;
            let target = self.resolve_ref(member, reference)?;
            if !targets.values().any(|t| *t == target) {
                let key = target
                    .0
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .replace("~1", "/")
                    .replace("~0", "~");
                targets.insert(key, target);
            }
        }
        let mut taken = BTreeMap::new();
        let mut variants = Vec::new();
        for (wire, (target_pointer, target_name)) in targets {
            let rust_name = names::pascal_ident(&wire).ok_or_else(|| {
                GenError::unsupported(&at, format!("tag value `{wire}` has no letter or digit"))
            })?;
            super::claim(&mut taken, &rust_name, &format!("{at} value `{wire}`"))?;
            let target = self.schema_at(&target_pointer)?;
            let doc = str_of(target, "description").map_or_else(
                || format!("A `{target_name}` (`{tag}: {wire}`)."),
                |d| d.trim().to_owned(),
            );
            let fields = self.lower_struct(&target_pointer, &target_name)?;
            if let Extra::Map(_) = fields.extra {
                return Err(GenError::unsupported(
                    &target_pointer,
                    "additionalProperties schemas in a discriminated oneOf/anyOf member",
                ));
            }
            let fields = fields
                .fields
                .into_iter()
                .filter(|f| f.wire_name != tag)
                .collect();
            variants.push(TaggedVariant {
                rust_name,
                wire,
                doc,
                fields,
            });
        }
        Ok(TypeKind::Tagged { tag, variants })
    }
}
