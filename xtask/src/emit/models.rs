//! Emits the models crate's `lib.rs`: one serde + schemars type per IR type.

use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::tokens::{doc, ident, inner_doc, json_literal, rust_type};
use crate::ir::{Api, EnumValue, Extra, Field, TypeDef, TypeKind, TypeRef, Variant};
use crate::names;

/// The tokens of `src/lib.rs`.
pub fn lib_rs(api: &Api, header: &str) -> TokenStream {
    let crate_doc = inner_doc(&format!(
        "{header}\n\nRequest and response types of the {} {}.\n\n{}\n\nEvery type derives `Serialize`, `Deserialize` and `schemars::JsonSchema`. Optional fields that are `None` are left out of the JSON, never sent as `null`. Unknown properties are ignored when reading, so a server that adds a field never breaks a client; the JSON Schema still rejects them where the spec says `additionalProperties: false`.",
        api.title,
        api.version,
        api.description.as_deref().unwrap_or("").trim()
    ));
    let items = api.types.values().map(|def| type_item(api, def));
    quote! {
        #crate_doc
        #![allow(clippy::large_enum_variant, clippy::derive_partial_eq_without_eq)]

        use serde::{Deserialize, Serialize};

        #(#items)*
    }
}

fn type_item(api: &Api, def: &TypeDef) -> TokenStream {
    let name = ident(&def.name);
    let docs = doc(&def.doc);
    let title = &def.title;
    let description = &def.doc;
    let schema_meta = quote!(#[schemars(title = #title, description = #description)]);
    match &def.kind {
        TypeKind::Struct(object) => {
            let deny = matches!(object.extra, Extra::Deny)
                .then(|| quote!(#[schemars(extend("additionalProperties" = false))]));
            let fields = object.fields.iter().map(|f| field(&def.name, f, true));
            let extra = match &object.extra {
                Extra::Map(ty) => {
                    let ty = rust_type(ty);
                    quote! {
                        /// Properties beyond the named ones.
                        #[serde(flatten)]
                        pub additional_properties: std::collections::BTreeMap<String, #ty>,
                    }
                }
                _ => quote!(),
            };
            let constructor =
                constructor(def, &object.fields, !matches!(object.extra, Extra::Map(_)));
            let defaults = object
                .fields
                .iter()
                .filter_map(|f| default_fn(api, &def.name, f));
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
                #schema_meta
                #deny
                pub struct #name {
                    #(#fields)*
                    #extra
                }
                #constructor
                #(#defaults)*
            }
        }
        TypeKind::Enum(values) => string_enum(&name, &docs, &schema_meta, values),
        TypeKind::Untagged(variants) => {
            let variants = variants.iter().map(|Variant { rust_name, ty }| {
                let variant = ident(rust_name);
                let ty = rust_type(ty);
                quote!(#variant(#ty),)
            });
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
                #[serde(untagged)]
                #schema_meta
                pub enum #name {
                    #(#variants)*
                }
            }
        }
        TypeKind::Tagged { tag, variants } => {
            let defaults = variants
                .iter()
                .flat_map(|v| v.fields.iter().map(move |f| (v, f)))
                .filter_map(|(v, f)| default_fn(api, &format!("{}{}", def.name, v.rust_name), f));
            let variants = variants.iter().map(|v| {
                let variant = ident(&v.rust_name);
                let wire = &v.wire;
                let docs = doc(&v.doc);
                let owner = format!("{}{}", def.name, v.rust_name);
                let fields = v.fields.iter().map(|f| field(&owner, f, false));
                quote! {
                    #docs
                    #[serde(rename = #wire)]
                    #variant { #(#fields)* },
                }
            });
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
                #[serde(tag = #tag)]
                #schema_meta
                pub enum #name {
                    #(#variants)*
                }
                #(#defaults)*
            }
        }
        TypeKind::Newtype {
            ty,
            keywords,
            nullable,
        } => {
            let inner = rust_type(ty);
            let inner = if *nullable {
                quote!(Option<#inner>)
            } else {
                inner
            };
            let extend = extend_attr(keywords.iter());
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
                #[serde(transparent)]
                #schema_meta
                #extend
                pub struct #name(pub #inner);

                impl From<#inner> for #name {
                    fn from(value: #inner) -> Self {
                        Self(value)
                    }
                }

                impl From<#name> for #inner {
                    fn from(value: #name) -> Self {
                        value.0
                    }
                }

                impl std::ops::Deref for #name {
                    type Target = #inner;
                    fn deref(&self) -> &Self::Target {
                        &self.0
                    }
                }

                impl std::ops::DerefMut for #name {
                    fn deref_mut(&mut self) -> &mut Self::Target {
                        &mut self.0
                    }
                }
            }
        }
    }
}

fn string_enum(
    name: &proc_macro2::Ident,
    docs: &TokenStream,
    meta: &TokenStream,
    values: &[EnumValue],
) -> TokenStream {
    let variants = values.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let wire = &v.wire;
        let docs = doc(&format!("`{wire}`"));
        quote!(#docs #[serde(rename = #wire)] #variant,)
    });
    let arms = values.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let wire = &v.wire;
        quote!(Self::#variant => #wire,)
    });
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
        #meta
        pub enum #name {
            #(#variants)*
        }

        impl #name {
            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &'static str {
                match self {
                    #(#arms)*
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

/// The type of a field as declared, `Box`ed when recursive.
fn field_value_type(f: &Field) -> TokenStream {
    let ty = rust_type(&f.ty);
    if f.boxed { quote!(Box<#ty>) } else { ty }
}

/// The same type as text, for `#[schemars(with = "...")]`.
fn field_value_type_text(f: &Field) -> String {
    if f.boxed {
        format!("Box<{}>", f.ty)
    } else {
        f.ty.to_string()
    }
}

fn field(owner: &str, f: &Field, public: bool) -> TokenStream {
    let name = ident(&f.rust_name);
    let docs = doc(&f.doc);
    let vis = if public { quote!(pub) } else { quote!() };
    let rename = (names::unraw(&f.rust_name) != f.wire_name).then(|| {
        let wire = &f.wire_name;
        quote!(#[serde(rename = #wire)])
    });
    let extend = extend_attr(f.keywords.iter());
    let value = field_value_type(f);
    let (serde_attr, schemars_attr, ty) = if f.required {
        if f.nullable {
            (
                quote!(),
                quote!(#[schemars(required)]),
                quote!(Option<#value>),
            )
        } else {
            (quote!(), quote!(), value)
        }
    } else if f.default.is_some() {
        let path = default_fn_name(owner, f).to_string();
        (quote!(#[serde(default = #path)]), quote!(), value)
    } else if f.nullable {
        (
            quote!(#[serde(default, skip_serializing_if = "Option::is_none")]),
            quote!(),
            quote!(Option<#value>),
        )
    } else {
        // `with` the inner type: absent is allowed, `null` is not.
        let with = field_value_type_text(f);
        (
            quote!(#[serde(default, skip_serializing_if = "Option::is_none")]),
            quote!(#[schemars(with = #with)]),
            quote!(Option<#value>),
        )
    };
    quote! {
        #docs
        #rename
        #serde_attr
        #schemars_attr
        #extend
        #vis #name: #ty,
    }
}

fn extend_attr<'k>(keywords: impl Iterator<Item = (&'k String, &'k Value)>) -> TokenStream {
    let entries: Vec<TokenStream> = keywords
        .map(|(key, value)| {
            let value = json_literal(value);
            quote!(#key = #value)
        })
        .collect();
    if entries.is_empty() {
        quote!()
    } else {
        quote!(#[schemars(extend(#(#entries),*))])
    }
}

fn default_fn_name(owner: &str, f: &Field) -> proc_macro2::Ident {
    format_ident!(
        "default_{}_{}",
        owner.to_snake_case(),
        names::unraw(&f.rust_name).trim_matches('_')
    )
}

/// A function returning a field's default value, for `#[serde(default = "...")]`.
fn default_fn(api: &Api, owner: &str, f: &Field) -> Option<TokenStream> {
    let value = f.default.as_ref()?;
    let name = default_fn_name(owner, f);
    let ty = field_value_type(f);
    let expr = default_expr(api, &f.ty, value);
    let expr = if f.boxed {
        quote!(Box::new(#expr))
    } else {
        expr
    };
    Some(quote! {
        fn #name() -> #ty {
            #expr
        }
    })
}

fn default_expr(api: &Api, ty: &TypeRef, value: &Value) -> TokenStream {
    match (ty, value) {
        (TypeRef::String, Value::String(s)) => quote!(#s.to_owned()),
        (TypeRef::Named(name), Value::String(s)) => {
            let variant = match api.types.get(name).map(|t| &t.kind) {
                Some(TypeKind::Enum(values)) => values
                    .iter()
                    .find(|v| v.wire == *s)
                    .map(|v| ident(&v.rust_name)),
                _ => None,
            };
            let name = ident(name);
            quote!(#name::#variant)
        }
        (TypeRef::F32 | TypeRef::F64, Value::Number(n)) => {
            let literal = proc_macro2::Literal::f64_unsuffixed(n.as_f64().unwrap_or_default());
            quote!(#literal as _)
        }
        _ => json_literal(value),
    }
}

/// `new(required...)` setting every optional field to `None` (or its default).
fn constructor(def: &TypeDef, fields: &[Field], derivable_default: bool) -> TokenStream {
    let name = ident(&def.name);
    let required: Vec<&Field> = fields.iter().filter(|f| f.required).collect();
    let params = required.iter().map(|f| {
        let arg = ident(&f.rust_name);
        let value = field_value_type(f);
        match (&f.ty, f.nullable, f.boxed) {
            (TypeRef::String, false, false) => quote!(#arg: impl Into<String>),
            (_, true, _) => quote!(#arg: Option<#value>),
            _ => quote!(#arg: #value),
        }
    });
    let inits = fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        if f.required {
            if matches!(
                (&f.ty, f.nullable, f.boxed),
                (TypeRef::String, false, false)
            ) {
                quote!(#field: #field.into(),)
            } else {
                quote!(#field,)
            }
        } else if f.default.is_some() {
            let path = default_fn_name(&def.name, f);
            quote!(#field: #path(),)
        } else {
            quote!(#field: None,)
        }
    });
    let extra = (!derivable_default)
        .then(|| quote!(additional_properties: std::collections::BTreeMap::new(),));
    let names = required
        .iter()
        .map(|f| format!("`{}`", f.wire_name))
        .collect::<Vec<_>>()
        .join(", ");
    let new_doc = if required.is_empty() {
        "A value with every optional field unset.".to_owned()
    } else {
        format!("A value with the required fields ({names}) set and the optional ones unset.")
    };
    let new_doc = doc(&new_doc);
    let default_impl = required.is_empty().then(|| {
        quote! {
            impl Default for #name {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    quote! {
        impl #name {
            #new_doc
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* #extra }
            }
        }
        #default_impl
    }
}
