//! The generator's intermediate representation: plain data, sorted maps, no openapiv3 and no tokens.
//!
//! Lowering fills it from a spec; emitters read it. Everything the emitters need is here, already
//! named and checked, so that emitting cannot fail on a spec problem.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// JSON Schema keywords kept beside a Rust type (formats, lengths, patterns, ranges...).
pub type Keywords = BTreeMap<String, Value>;

/// One API, lowered.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// Prefix of the generated crates' names (`alpharun` -> `alpharun-models`).
    pub crate_prefix: String,
    /// The first `servers` entry, without a trailing slash.
    pub base_url: Option<String>,
    /// How requests authenticate.
    pub auth: Auth,
    /// Every named type, by Rust name.
    pub types: BTreeMap<String, TypeDef>,
    /// Every operation, by Rust method name.
    pub operations: BTreeMap<String, Operation>,
}

/// The authentication the whole API requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// No security requirement.
    None,
    /// `Authorization: Bearer <token>` (an `http`/`bearer` security scheme).
    Bearer {
        /// The scheme's name in `components.securitySchemes`.
        scheme: String,
    },
}

/// A named Rust type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// Rust name (PascalCase).
    pub name: String,
    /// JSON Schema title.
    pub title: String,
    /// Description, from the spec or derived from the name.
    pub doc: String,
    /// Where in the spec it comes from.
    pub pointer: String,
    /// Whether it is a `components/schemas` entry (and so gets a JSON Schema file).
    pub component: bool,
    /// Its shape.
    pub kind: TypeKind,
}

/// The shape of a named type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(StructDef),
    /// A string enum.
    Enum(Vec<EnumValue>),
    /// `oneOf`/`anyOf` without a discriminator: the first variant that fits.
    Untagged(Vec<Variant>),
    /// `oneOf`/`anyOf` with a discriminator: an internally tagged enum.
    Tagged {
        /// The discriminator property.
        tag: String,
        /// One variant per mapping entry.
        variants: Vec<TaggedVariant>,
    },
    /// A transparent wrapper around another type (arrays, maps, primitives with keywords).
    Newtype {
        /// The wrapped type.
        ty: TypeRef,
        /// Keywords of the wrapped schema.
        keywords: Keywords,
        /// Whether JSON `null` is allowed.
        nullable: bool,
    },
}

/// An object's fields and what happens to properties it does not name.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    /// In spec order.
    pub fields: Vec<Field>,
    /// Unnamed properties.
    pub extra: Extra,
}

/// What an object does with properties it does not name.
#[derive(Debug, Clone, PartialEq)]
pub enum Extra {
    /// Allowed by the schema; ignored when read (tolerant reader).
    Ignore,
    /// `additionalProperties: false`: the schema rejects them; Rust still ignores them when
    /// reading, so that a server adding a field never breaks a client.
    Deny,
    /// Kept in a map of this type.
    Map(TypeRef),
}

/// One property of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Rust field name (a valid identifier, maybe raw).
    pub rust_name: String,
    /// The property name on the wire.
    pub wire_name: String,
    /// Description.
    pub doc: String,
    /// The value's type.
    pub ty: TypeRef,
    /// Keywords of the property's schema.
    pub keywords: Keywords,
    /// In `required`.
    pub required: bool,
    /// `nullable: true`.
    pub nullable: bool,
    /// A scalar `default`, filled in when absent.
    pub default: Option<Value>,
    /// Needs a `Box` to break a recursive type.
    pub boxed: bool,
}

/// A string enum value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumValue {
    /// Variant name.
    pub rust_name: String,
    /// Value on the wire.
    pub wire: String,
}

/// A variant of an untagged enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Variant name.
    pub rust_name: String,
    /// The variant's content.
    pub ty: TypeRef,
}

/// A variant of a tagged enum: the fields of the variant's object, less the tag.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedVariant {
    /// Variant name.
    pub rust_name: String,
    /// Value of the tag.
    pub wire: String,
    /// Description.
    pub doc: String,
    /// Fields other than the tag.
    pub fields: Vec<Field>,
}

/// A reference to a type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeRef {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// Any JSON value.
    Any,
    /// A named type.
    Named(String),
    /// `Vec<T>`.
    Vec(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
}

impl TypeRef {
    /// Named types this one mentions, directly or through containers.
    pub fn named(&self) -> Option<&str> {
        match self {
            Self::Named(name) => Some(name),
            Self::Vec(inner) | Self::Map(inner) => inner.named(),
            _ => None,
        }
    }
}

impl fmt::Display for TypeRef {
    /// The Rust spelling, as used in code and in `#[schemars(with = "...")]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::String => f.write_str("String"),
            Self::Bool => f.write_str("bool"),
            Self::I32 => f.write_str("i32"),
            Self::I64 => f.write_str("i64"),
            Self::F32 => f.write_str("f32"),
            Self::F64 => f.write_str("f64"),
            Self::Any => f.write_str("serde_json::Value"),
            Self::Named(name) => f.write_str(name),
            Self::Vec(inner) => write!(f, "Vec<{inner}>"),
            Self::Map(inner) => write!(f, "std::collections::BTreeMap<String, {inner}>"),
        }
    }
}

/// One HTTP operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// Rust method name (snake_case), from `operationId` or method and path.
    pub name: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template, as `/users/{id}`.
    pub path: String,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// Path, query and header parameters, in spec order.
    pub params: Vec<Param>,
    /// The JSON request body.
    pub body: Option<Body>,
    /// Responses by status (`200`, `4XX`, `default`), sorted.
    pub responses: BTreeMap<String, Response>,
    /// Where in the spec it comes from (`#/paths/~1pets/get`).
    pub pointer: String,
    /// `x-batch`: the body is a list that may be split, and the reply says what it rejected.
    pub batch: Option<Batch>,
}

/// How a list operation can be sent in batches (the `x-batch` extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// The list's item type (always `Named`).
    pub item: TypeRef,
    /// The success reply's type (always `Named`, a struct).
    pub reply: TypeRef,
    /// Rust name of the reply field listing the rejected items (`Vec<Named>`, required; matched
    /// to the sent items by their JSON).
    pub rejected: String,
    /// Rust name and type of the reply field counting imported items (integer, required).
    pub imported_count: Option<(String, TypeRef)>,
    /// Rust name and type of the reply field counting rejected items (integer, required).
    pub rejected_count: Option<(String, TypeRef)>,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// An HTTP header.
    Header,
}

/// One operation parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Rust argument name.
    pub rust_name: String,
    /// Name on the wire.
    pub wire_name: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// Its type.
    pub ty: TypeRef,
    /// Must be given.
    pub required: bool,
    /// Description.
    pub doc: String,
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// Its type.
    pub ty: TypeRef,
    /// Must be sent.
    pub required: bool,
    /// Description.
    pub doc: String,
    /// `example`, if the spec gives one.
    pub example: Option<Value>,
}

/// A response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// Description.
    pub doc: String,
    /// The JSON body's type, if it has one.
    pub ty: Option<TypeRef>,
    /// `example`, if the spec gives one.
    pub example: Option<Value>,
}
