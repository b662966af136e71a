//! Schema lowering: a JSON Schema (OpenAPI 3.0 dialect) at a pointer -> a `TypeRef` plus keywords.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::error::{GenError, Result};
use crate::ir::{Keywords, TypeDef, TypeKind, TypeRef};
use crate::names;
use crate::spec::{Spec, join};

/// Keywords the generator understands. Anything else (but `x-` extensions) is refused.
const KNOWN: &[&str] = &[
    "$ref",
    "type",
    "format",
    "title",
    "description",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "nullable",
    "default",
    "example",
    "oneOf",
    "anyOf",
    "allOf",
    "discriminator",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "readOnly",
    "writeOnly",
    "deprecated",
    "externalDocs",
];

/// Validation keywords copied into the JSON Schema as they are (3.0 and 2020-12 agree on them).
const COPIED: &[&str] = &[
    "minLength",
    "maxLength",
    "pattern",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
];

/// A schema as used in one place: its type, its keywords and whether `null` is allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct Use {
    pub ty: TypeRef,
    pub keywords: Keywords,
    pub nullable: bool,
}

/// Walks schemas and collects the named types it meets.
pub struct Lowerer<'a> {
    pub(super) spec: &'a Spec,
    types: BTreeMap<String, TypeDef>,
    /// Component key -> Rust name.
    components: BTreeMap<String, String>,
}

impl<'a> Lowerer<'a> {
    /// Names every component schema, so that `$ref`s resolve before their target is lowered.
    pub fn new(spec: &'a Spec) -> Result<Self> {
        let mut components = BTreeMap::new();
        let mut taken = BTreeMap::new();
        if let Some(schemas) = spec.at("#/components/schemas").and_then(Value::as_object) {
            for key in schemas.keys() {
                let pointer = join("#/components/schemas", key);
                let rust = names::pascal_ident(key)
                    .ok_or_else(|| GenError::invalid(&pointer, "name has no letter or digit"))?;
                super::claim(&mut taken, &rust, &pointer)?;
                components.insert(key.clone(), rust);
            }
        }
        Ok(Self {
            spec,
            types: BTreeMap::new(),
            components,
        })
    }

    /// Lowers every component schema into a named type.
    pub fn lower_components(&mut self) -> Result<()> {
        let components = self.components.clone();
        for (key, rust) in components {
            let pointer = join("#/components/schemas", &key);
            self.lower_named(&pointer, &rust, true)?;
        }
        Ok(())
    }

    /// The shape of a named type lowered so far.
    pub(super) fn type_kind(&self, name: &str) -> Option<&TypeKind> {
        self.types.get(name).map(|t| &t.kind)
    }

    /// The named types met so far.
    pub fn finish(self) -> BTreeMap<String, TypeDef> {
        self.types
    }

    /// The raw schema at `pointer`, checked for unknown keywords.
    pub(super) fn schema_at(&self, pointer: &str) -> Result<&'a Map<String, Value>> {
        let value = self
            .spec
            .at(pointer)
            .ok_or_else(|| GenError::invalid(pointer, "nothing at this pointer"))?;
        let object = match value {
            Value::Object(object) => object,
            Value::Bool(_) => {
                return Err(GenError::unsupported(
                    pointer,
                    "boolean schemas (OpenAPI 3.0 has none)",
                ));
            }
            _ => return Err(GenError::invalid(pointer, "a schema must be an object")),
        };
        if object.contains_key("$ref") {
            return Ok(object);
        }
        for key in object.keys() {
            if key == "not" {
                return Err(GenError::unsupported(
                    &join(pointer, key),
                    "`not` (a Rust type cannot express a negation)",
                ));
            }
            if !KNOWN.contains(&key.as_str()) && !key.starts_with("x-") {
                return Err(GenError::unsupported(
                    &join(pointer, key),
                    format!("keyword `{key}`"),
                ));
            }
        }
        Ok(object)
    }

    /// Follows a `$ref` to a component: its pointer and Rust name.
    pub(super) fn resolve_ref(&self, pointer: &str, reference: &Value) -> Result<(String, String)> {
        let at = join(pointer, "$ref");
        let reference = reference
            .as_str()
            .ok_or_else(|| GenError::invalid(&at, "must be a string"))?;
        let key = reference
            .strip_prefix("#/components/schemas/")
            .ok_or_else(|| {
                GenError::unsupported(
                    &at,
                    format!("`{reference}`: only `#/components/schemas/...` refs"),
                )
            })?;
        let key = key.replace("~1", "/").replace("~0", "~");
        let rust = self
            .components
            .get(&key)
            .ok_or_else(|| GenError::invalid(&at, format!("`{reference}` does not exist")))?;
        Ok((join("#/components/schemas", &key), rust.clone()))
    }

    /// Registers a named type; the same definition twice is fine, two different ones are not.
    pub(super) fn register(&mut self, def: TypeDef) -> Result<()> {
        if let Some(existing) = self.types.get(&def.name) {
            if existing.pointer != def.pointer {
                return Err(name_taken(&def.pointer, &def.name, &existing.pointer));
            }
            return Ok(());
        }
        self.types.insert(def.name.clone(), def);
        Ok(())
    }

    /// Lowers the schema at `pointer` into the named type `name`.
    pub(super) fn lower_named(&mut self, pointer: &str, name: &str, component: bool) -> Result<()> {
        if let Some(existing) = self.types.get(name) {
            if existing.pointer == pointer {
                return Ok(());
            }
            return Err(name_taken(pointer, name, &existing.pointer));
        }
        let schema = self.schema_at(pointer)?;
        // Registered first: a recursive type refers to itself while being lowered.
        self.types
            .insert(name.to_owned(), placeholder(name, pointer, component));
        let title = str_of(schema, "title").map_or_else(|| name.to_owned(), str::to_owned);
        let doc = str_of(schema, "description")
            .map_or_else(|| format!("The `{name}` type."), |d| d.trim().to_owned());
        let kind = if schema.contains_key("$ref") {
            let (_, target) = self.resolve_ref(pointer, &schema["$ref"])?;
            TypeKind::Newtype {
                ty: TypeRef::Named(target),
                keywords: Keywords::new(),
                nullable: false,
            }
        } else if is_object_with_shape(schema) {
            TypeKind::Struct(self.lower_struct(pointer, name)?)
        } else if schema.contains_key("oneOf") || schema.contains_key("anyOf") {
            self.lower_union(pointer, name)?
        } else if let Some(values) = schema
            .get("enum")
            .filter(|_| type_of(schema) == Some("string"))
        {
            TypeKind::Enum(super::union::enum_values(pointer, values)?)
        } else {
            let used = self.lower_use_inner(pointer, name, schema)?;
            TypeKind::Newtype {
                ty: used.ty,
                keywords: used.keywords,
                nullable: used.nullable,
            }
        };
        self.types.remove(name);
        self.register(TypeDef {
            name: name.to_owned(),
            title,
            doc,
            pointer: pointer.to_owned(),
            component,
            kind,
        })
    }

    /// Lowers a schema used in place (a property, an item, a body): inline objects, enums and
    /// unions become named types called `hint`.
    pub fn lower_use(&mut self, pointer: &str, hint: &str) -> Result<Use> {
        let schema = self.schema_at(pointer)?;
        if let Some(reference) = schema.get("$ref") {
            let (target, rust) = self.resolve_ref(pointer, reference)?;
            // Lowered now, so that users of this `Use` can inspect the target.
            self.lower_named(&target, &rust, true)?;
            return Ok(Use {
                ty: TypeRef::Named(rust),
                keywords: Keywords::new(),
                nullable: false,
            });
        }
        let nullable = schema
            .get("nullable")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let needs_name = is_object_with_shape(schema)
            || schema.contains_key("oneOf")
            || schema.contains_key("anyOf")
            || (schema.contains_key("enum") && type_of(schema) == Some("string"));
        if needs_name {
            self.lower_named(pointer, hint, false)?;
            return Ok(Use {
                ty: TypeRef::Named(hint.to_owned()),
                keywords: Keywords::new(),
                nullable,
            });
        }
        self.lower_use_inner(pointer, hint, schema)
    }

    /// Primitives, arrays and maps.
    fn lower_use_inner(
        &mut self,
        pointer: &str,
        hint: &str,
        schema: &Map<String, Value>,
    ) -> Result<Use> {
        let nullable = schema
            .get("nullable")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let mut keywords = Keywords::new();
        for key in COPIED {
            if let Some(value) = schema.get(*key) {
                keywords.insert((*key).to_owned(), value.clone());
            }
        }
        if let Some(values) = schema.get("enum") {
            keywords.insert("enum".to_owned(), values.clone());
        }
        let format = str_of(schema, "format");
        let ty = match type_of(schema) {
            Some("string") => {
                match format {
                    None => {}
                    Some("byte") => {
                        keywords.insert("contentEncoding".to_owned(), json!("base64"));
                    }
                    Some("binary") => {
                        return Err(GenError::unsupported(
                            &join(pointer, "format"),
                            "`format: binary` (raw bytes have no JSON form; use `byte` for base64)",
                        ));
                    }
                    Some(other) => {
                        keywords.insert("format".to_owned(), json!(other));
                    }
                }
                TypeRef::String
            }
            Some("integer") => {
                self.numeric_keywords(schema, &mut keywords);
                match format {
                    Some("int32") => TypeRef::I32,
                    None | Some("int64") => TypeRef::I64,
                    Some(other) => {
                        return Err(GenError::unsupported(
                            &join(pointer, "format"),
                            format!("integer format `{other}` (use int32 or int64)"),
                        ));
                    }
                }
            }
            Some("number") => {
                self.numeric_keywords(schema, &mut keywords);
                match format {
                    Some("float") => TypeRef::F32,
                    None | Some("double") => TypeRef::F64,
                    Some(other) => {
                        return Err(GenError::unsupported(
                            &join(pointer, "format"),
                            format!("number format `{other}` (use float or double)"),
                        ));
                    }
                }
            }
            Some("boolean") => TypeRef::Bool,
            Some("array") => self.lower_array(pointer, hint, schema, &mut keywords)?,
            Some("object") => self.lower_map(pointer, hint, schema)?,
            None if schema.keys().all(|k| !is_validation_keyword(k)) => TypeRef::Any,
            None => {
                return Err(GenError::unsupported(
                    pointer,
                    "a schema with validation keywords but no `type`",
                ));
            }
            Some(other) => {
                return Err(GenError::invalid(
                    &join(pointer, "type"),
                    format!("unknown type `{other}`"),
                ));
            }
        };
        Ok(Use {
            ty,
            keywords,
            nullable,
        })
    }

    fn numeric_keywords(&self, schema: &Map<String, Value>, keywords: &mut Keywords) {
        // OpenAPI 3.0's boolean `exclusiveMinimum` becomes 2020-12's numeric one.
        for (bound, exclusive) in [
            ("minimum", "exclusiveMinimum"),
            ("maximum", "exclusiveMaximum"),
        ] {
            if let Some(value) = schema.get(bound) {
                if schema.get(exclusive).and_then(Value::as_bool) == Some(true) {
                    keywords.insert(exclusive.to_owned(), value.clone());
                } else {
                    keywords.insert(bound.to_owned(), value.clone());
                }
            }
        }
    }

    fn lower_array(
        &mut self,
        pointer: &str,
        hint: &str,
        schema: &Map<String, Value>,
        keywords: &mut Keywords,
    ) -> Result<TypeRef> {
        if !schema.contains_key("items") {
            return Ok(TypeRef::Vec(Box::new(TypeRef::Any)));
        }
        let items_pointer = join(pointer, "items");
        let items = self.lower_use(&items_pointer, &format!("{hint}Item"))?;
        if items.nullable {
            return Err(GenError::unsupported(
                &join(&items_pointer, "nullable"),
                "nullable array items",
            ));
        }
        if !items.keywords.is_empty() {
            if items.ty.named().is_some() {
                return Err(GenError::unsupported(
                    &items_pointer,
                    "validation keywords on items that contain named types",
                ));
            }
            keywords.insert("items".to_owned(), full_schema(&items.ty, &items.keywords));
        }
        Ok(TypeRef::Vec(Box::new(items.ty)))
    }

    /// An object without properties: a map (or, with `additionalProperties: false`, a struct).
    fn lower_map(
        &mut self,
        pointer: &str,
        hint: &str,
        schema: &Map<String, Value>,
    ) -> Result<TypeRef> {
        let value_pointer = join(pointer, "additionalProperties");
        match schema.get("additionalProperties") {
            None | Some(Value::Bool(true)) => Ok(TypeRef::Map(Box::new(TypeRef::Any))),
            Some(Value::Object(_)) => {
                let values = self.lower_use(&value_pointer, &format!("{hint}Value"))?;
                if !values.keywords.is_empty() || values.nullable {
                    return Err(GenError::unsupported(
                        &value_pointer,
                        "validation keywords or `nullable` on map values",
                    ));
                }
                Ok(TypeRef::Map(Box::new(values.ty)))
            }
            Some(_) => Err(GenError::invalid(
                &value_pointer,
                "must be a boolean or a schema",
            )),
        }
    }
}

/// The JSON Schema of a type with no named parts, with keywords laid over it.
pub fn full_schema(ty: &TypeRef, keywords: &Keywords) -> Value {
    let mut schema = match ty {
        TypeRef::String => json!({"type": "string"}),
        TypeRef::Bool => json!({"type": "boolean"}),
        TypeRef::I32 | TypeRef::I64 => json!({"type": "integer"}),
        TypeRef::F32 | TypeRef::F64 => json!({"type": "number"}),
        TypeRef::Any | TypeRef::Named(_) => json!({}),
        TypeRef::Vec(inner) => {
            json!({"type": "array", "items": full_schema(inner, &Keywords::new())})
        }
        TypeRef::Map(inner) => {
            json!({"type": "object", "additionalProperties": full_schema(inner, &Keywords::new())})
        }
    };
    if let Value::Object(object) = &mut schema {
        for (key, value) in keywords {
            object.insert(key.clone(), value.clone());
        }
    }
    schema
}

fn placeholder(name: &str, pointer: &str, component: bool) -> TypeDef {
    TypeDef {
        name: name.to_owned(),
        title: name.to_owned(),
        doc: String::new(),
        pointer: pointer.to_owned(),
        component,
        kind: TypeKind::Enum(Vec::new()),
    }
}

pub(super) fn str_of<'v>(schema: &'v Map<String, Value>, key: &str) -> Option<&'v str> {
    schema.get(key).and_then(Value::as_str)
}

pub(super) fn type_of(schema: &Map<String, Value>) -> Option<&str> {
    str_of(schema, "type")
}

/// An object that becomes a struct: it has properties or merges others.
fn is_object_with_shape(schema: &Map<String, Value>) -> bool {
    schema.contains_key("properties")
        || schema.contains_key("allOf")
        || (type_of(schema) == Some("object")
            && schema.get("additionalProperties") == Some(&Value::Bool(false)))
}

fn name_taken(pointer: &str, name: &str, first: &str) -> GenError {
    GenError::invalid(
        pointer,
        format!(
            "generated type name `{name}` is already used by {first}; move one into components"
        ),
    )
}

fn is_validation_keyword(key: &str) -> bool {
    !matches!(
        key,
        "title"
            | "description"
            | "example"
            | "default"
            | "nullable"
            | "readOnly"
            | "writeOnly"
            | "deprecated"
            | "externalDocs"
    ) && !key.starts_with("x-")
}
