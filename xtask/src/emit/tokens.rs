//! Small token helpers shared by the emitters: identifiers, doc comments, JSON literals, types.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::error::{GenError, Result};
use crate::ir::TypeRef;

/// An identifier token; `r#type` style names become raw identifiers.
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// `#[doc = ...]` lines for a doc comment (outer, `///`).
pub fn doc(text: &str) -> TokenStream {
    let lines = text.trim().lines().map(|line| {
        let line = format!(" {}", line.trim_end());
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// `#![doc = ...]` lines for a module's inner doc comment (`//!`).
pub fn inner_doc(text: &str) -> TokenStream {
    let lines = text.trim().lines().map(|line| {
        let line = if line.trim().is_empty() {
            String::new()
        } else {
            format!(" {}", line.trim_end())
        };
        quote!(#![doc = #line])
    });
    quote!(#(#lines)*)
}

/// The Rust type for a `TypeRef`.
pub fn rust_type(ty: &TypeRef) -> TokenStream {
    rust_type_in(ty, None)
}

/// The Rust type for a `TypeRef`, its named types under `krate::` when given (for code
/// outside the models crate, such as its tests).
pub fn rust_type_in(ty: &TypeRef, krate: Option<&Ident>) -> TokenStream {
    match ty {
        TypeRef::String => quote!(String),
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F32 => quote!(f32),
        TypeRef::F64 => quote!(f64),
        TypeRef::Any => quote!(serde_json::Value),
        TypeRef::Named(name) => {
            let name = ident(name);
            match krate {
                Some(krate) => quote!(#krate::#name),
                None => quote!(#name),
            }
        }
        TypeRef::Vec(inner) => {
            let inner = rust_type_in(inner, krate);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = rust_type_in(inner, krate);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
    }
}

/// A JSON value as the `json!`-like syntax that `#[schemars(extend(...))]` takes.
pub fn json_literal(value: &Value) -> TokenStream {
    match value {
        Value::Null => quote!(null),
        Value::Bool(b) => quote!(#b),
        Value::Number(n) => {
            let literal = if let Some(i) = n.as_i64() {
                Literal::i64_unsuffixed(i)
            } else if let Some(u) = n.as_u64() {
                Literal::u64_unsuffixed(u)
            } else {
                Literal::f64_unsuffixed(n.as_f64().unwrap_or_default())
            };
            quote!(#literal)
        }
        Value::String(s) => quote!(#s),
        Value::Array(items) => {
            let items = items.iter().map(json_literal);
            quote!([#(#items),*])
        }
        Value::Object(map) => {
            let entries = map.iter().map(|(k, v)| {
                let v = json_literal(v);
                quote!(#k: #v)
            });
            quote!({#(#entries),*})
        }
    }
}

/// Parses and pretty-prints a file's tokens (a parse failure is a generator bug), then lays it
/// out as `cargo fmt` would, so that formatting the workspace never touches generated files.
pub fn format_file(file: &str, tokens: TokenStream) -> Result<String> {
    let parsed = syn::parse2::<syn::File>(tokens).map_err(|e| GenError::BadOutput {
        file: file.to_owned(),
        why: e.to_string(),
    })?;
    rustfmt(file, &prettyplease::unparse(&parsed))
}

fn rustfmt(file: &str, code: &str) -> Result<String> {
    let bad = |why: String| GenError::BadOutput {
        file: file.to_owned(),
        why,
    };
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            bad(format!(
                "cannot run rustfmt (rustup component add rustfmt): {e}"
            ))
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(code.as_bytes())
            .map_err(|e| bad(e.to_string()))?;
    }
    let output = child.wait_with_output().map_err(|e| bad(e.to_string()))?;
    if !output.status.success() {
        return Err(bad(String::from_utf8_lossy(&output.stderr).into_owned()));
    }
    String::from_utf8(output.stdout).map_err(|e| bad(e.to_string()))
}
