//! Emits the client crate's `lib.rs`: a `Client` with one async method per operation (and batch
//! helpers for `x-batch` operations), on the hand-written `alpharun-runtime`.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::tokens::{doc, ident, inner_doc, rust_type_in};
use crate::error::{GenError, Result};
use crate::ir::{Api, Auth, Operation, Param, ParamLocation, TypeRef};
use crate::lower::list_item;
use crate::spec::join;

/// The tokens of `src/lib.rs`.
pub fn lib_rs(api: &Api, header: &str, models: &Ident, krate: &Ident) -> Result<TokenStream> {
    let crate_doc = inner_doc(&crate_doc(api, header, krate));
    let title = &api.title;
    let base_url = match &api.base_url {
        Some(url) => quote!(Some(#url)),
        None => quote!(None),
    };
    let bearer = matches!(api.auth, Auth::Bearer { .. });
    let env_prefix = api.crate_prefix.to_uppercase().replace('-', "_");
    let mut methods = Vec::new();
    let mut consts = Vec::new();
    let mut splits = Vec::new();
    for op in api.operations.values() {
        let op_const = format_ident!("{}", names_upper(&op.name));
        let method = &op.method;
        let path = &op.path;
        consts.push(quote! {
            pub const #op_const: Op = Op { method: #method, path: #path };
        });
        methods.push(method_tokens(api, op, models, &op_const)?);
        if let Some((method, split)) = super::client_batch::batch_tokens(op, models, &op_const)? {
            methods.push(method);
            splits.push(split);
        }
    }
    let token_doc = if bearer {
        format!("`{env_prefix}_API_TOKEN` (required) and `{env_prefix}_BASE_URL` (optional)")
    } else {
        format!("`{env_prefix}_BASE_URL` (optional)")
    };
    let from_env_doc = doc(&format!(
        "A client configured from the environment: {token_doc}, with the default timeouts and retry policy."
    ));
    Ok(quote! {
        #crate_doc
        #![allow(clippy::too_many_arguments)]

        pub use alpharun_runtime::{
            BatchCounts, BatchOptions, BatchOutcome, BatchReport, Error, Fate, Invalid, Op, ReplyBody,
            RetryPolicy, Runtime, Settled, UncertainCause, stream,
        };
        pub use alpharun_runtime::stream::Stream;
        pub use #models as types;
        use alpharun_runtime::{ApiInfo, BatchReply, FromRuntime, Request};

        /// Builds a [`Client`]: token, base URL, timeouts, retry policy, user agent, your own
        /// `reqwest::Client`, validation before send.
        pub type ClientBuilder = alpharun_runtime::ClientBuilder<Client>;

        /// The API's operations, by method and path template.
        pub mod ops {
            use super::Op;
            #(#consts)*
        }

        /// A client of the API. Cheap to clone; clones share connections.
        #[derive(Debug, Clone)]
        pub struct Client {
            runtime: Runtime,
        }

        impl FromRuntime for Client {
            const API: ApiInfo = ApiInfo {
                title: #title,
                default_base_url: #base_url,
                bearer_auth: #bearer,
                env_prefix: #env_prefix,
                user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")),
            };
            fn from_runtime(runtime: Runtime) -> Self {
                Self { runtime }
            }
        }

        impl Client {
            /// A builder with the defaults (the spec's base URL, 60 s request and 10 s connect
            /// timeouts, validation before send, [`RetryPolicy::default`]).
            pub fn builder() -> ClientBuilder {
                ClientBuilder::new()
            }

            #from_env_doc
            pub fn from_env() -> Result<Self, Error> {
                Self::builder().from_env()?.build()
            }

            /// The runtime underneath (settings, validation).
            pub fn runtime(&self) -> &Runtime {
                &self.runtime
            }

            #(#methods)*
        }

        #(#splits)*
    })
}

fn crate_doc(api: &Api, header: &str, krate: &Ident) -> String {
    let mut text = format!(
        "{header}\n\nAn async client for the {} {}, generated from its OpenAPI spec on top of the small hand-written `alpharun-runtime` crate.\n\n{}\n\n",
        api.title,
        api.version,
        api.description.as_deref().unwrap_or("").trim()
    );
    text.push_str(
        "Build a [`Client`] with [`Client::from_env`] or [`Client::builder`], then call one method per operation. Bodies are checked against the spec's JSON Schema before anything is sent ([`Error::Invalid`]).\n\n\
         # Retries never silently double-send\n\n\
         Only requests the server certainly did not process are retried, with capped exponential backoff and full jitter: a connection that could not be opened, `429` and `503` (honouring `Retry-After`, seconds or HTTP date, up to a cap). A timeout, a connection broken after the request went out, `500`/`502`/`504`, or a 2xx reply that does not decode return at once as [`Error::Uncertain`] (or [`Error::Decode`]): the server may have processed the request, and [`Error::unsettled`] gives back the items it carried. See [`RetryPolicy`].\n\n\
         # Secrets\n\n\
         The token never appears in `Debug`, `Display`, errors or logs. Each request is a `tracing` span `http_request` with method, path template, attempt, status and duration; never bodies or headers.\n",
    );
    if let Some(op) = api.operations.values().find(|op| {
        op.body.as_ref().is_some_and(|b| b.example.is_some()) && required_params(op) == 0
    }) {
        let example = op
            .body
            .as_ref()
            .and_then(|b| b.example.as_ref())
            .map(|e| serde_json::to_string(e).unwrap_or_default())
            .unwrap_or_default();
        let body_ty = op
            .body
            .as_ref()
            .map(|b| b.ty.to_string())
            .unwrap_or_default();
        let arg = "&body";
        let optional = op.body.as_ref().is_some_and(|b| !b.required);
        let call_arg = if optional {
            format!("Some({arg})")
        } else {
            arg.to_owned()
        };
        text.push_str(&format!(
            "\n# Example\n\n```no_run\n# async fn example() -> Result<(), Box<dyn std::error::Error>> {{\nuse {krate}::{{Client, types}};\n\nlet client = Client::from_env()?;\nlet body: types::{body_ty} = serde_json::from_str(r#\"{example}\"#)?;\nlet reply = client.{name}({call_arg}).await?;\nprintln!(\"{{reply:?}}\");\n# Ok(())\n# }}\n```\n",
            name = crate::names::unraw(&op.name),
        ));
    }
    text
}

fn names_upper(name: &str) -> String {
    crate::names::unraw(name).to_uppercase()
}

pub(super) fn required_params(op: &Operation) -> usize {
    op.params.iter().filter(|p| p.required).count()
}

/// The success reply's type: the first 2xx response with a body; all typed 2xx must agree.
fn success_type(op: &Operation) -> Result<Option<TypeRef>> {
    let mut found: Option<&TypeRef> = None;
    for (status, response) in &op.responses {
        if !status.starts_with('2') {
            continue;
        }
        let Some(ty) = &response.ty else { continue };
        match found {
            Some(first) if first != ty => {
                return Err(GenError::unsupported(
                    &join(&join(&op.pointer, "responses"), status),
                    "2xx responses with different body types",
                ));
            }
            _ => found = Some(ty),
        }
    }
    Ok(found.cloned())
}

fn method_doc(op: &Operation, reply: Option<&TypeRef>, list: bool) -> String {
    let mut text = String::new();
    if let Some(summary) = &op.summary {
        text.push_str(&format!("{summary}.\n\n"));
    }
    if let Some(description) = &op.description {
        text.push_str(&format!("{description}\n\n"));
    }
    let body = match (&op.body, list) {
        (Some(_), true) => " with the items as a JSON array",
        (Some(_), false) => " with the body as JSON",
        (None, _) => "",
    };
    let reply = reply.map_or_else(
        || "returns once the server answers 2xx".to_owned(),
        |ty| format!("returns the 2xx reply as `{ty}`"),
    );
    text.push_str(&format!(
        "Sends `{} {}`{body}; {reply}.\n\n# Errors\n\n",
        op.method, op.path
    ));
    if op.body.is_some() {
        text.push_str(
            "- [`Error::Invalid`]: the body breaks the spec's JSON Schema; nothing was sent.\n",
        );
    }
    let documented: Vec<String> = op
        .responses
        .iter()
        .filter(|(status, _)| !status.starts_with('2'))
        .map(|(status, r)| format!("`{status}` ({})", r.doc.trim_end_matches('.')))
        .collect();
    if documented.is_empty() {
        text.push_str("- [`Error::Status`]: the server answered a non-2xx status that means it did not process the request.\n");
    } else {
        text.push_str(&format!(
            "- [`Error::Status`]: the server answered a status that means it did not process the request; the spec documents {}.\n",
            documented.join(", ")
        ));
    }
    text.push_str("- [`Error::Uncertain`], [`Error::Decode`]: the server may have processed the request (timeout, broken connection, 500/502/504, a reply that does not decode); it is not retried.\n");
    text.push_str("- [`Error::Connect`]: the server could not be reached, even after retries.\n");
    text
}

fn param_type(param: &Param, models: &Ident) -> TokenStream {
    let inner = match &param.ty {
        TypeRef::String => quote!(&str),
        TypeRef::Vec(item) => {
            let item = rust_type_in(item, Some(models));
            quote!(&[#item])
        }
        other => rust_type_in(other, Some(models)),
    };
    if param.required {
        inner
    } else {
        quote!(Option<#inner>)
    }
}

fn method_tokens(
    api: &Api,
    op: &Operation,
    models: &Ident,
    op_const: &Ident,
) -> Result<TokenStream> {
    let name = ident(&op.name);
    let reply = success_type(op)?;
    let list_item_ty = op.body.as_ref().and_then(|b| list_item(&api.types, &b.ty));
    let docs = doc(&method_doc(op, reply.as_ref(), list_item_ty.is_some()));
    let taken: Vec<&str> = op.params.iter().map(|p| p.rust_name.as_str()).collect();
    let body_name = ["body", "request_body", "request_body_json"]
        .into_iter()
        .find(|n| !taken.contains(n))
        .map(ident)
        .unwrap_or_else(|| ident("body_"));
    let mut args = Vec::new();
    for param in &op.params {
        let arg = ident(&param.rust_name);
        let ty = param_type(param, models);
        args.push(quote!(#arg: #ty));
    }
    let mut body_steps = quote!();
    if let Some(body) = &op.body {
        let schema_ty = rust_type_in(&body.ty, Some(models));
        let arg_ty = match &list_item_ty {
            Some(item) => {
                let item = rust_type_in(item, Some(models));
                quote!(&[#item])
            }
            None => quote!(&#schema_ty),
        };
        let per_item = list_item_ty.is_some();
        if body.required {
            args.push(quote!(#body_name: #arg_ty));
            body_steps = quote! {
                self.runtime.check_before_send::<#schema_ty, _>(&ops::#op_const, #body_name, #per_item)?;
                request = request.json(#body_name)?;
            };
        } else {
            args.push(quote!(#body_name: Option<#arg_ty>));
            body_steps = quote! {
                if let Some(#body_name) = #body_name {
                    self.runtime.check_before_send::<#schema_ty, _>(&ops::#op_const, #body_name, #per_item)?;
                    request = request.json(#body_name)?;
                }
            };
        }
    }
    let path_steps = path_tokens(op);
    let param_steps = op
        .params
        .iter()
        .filter(|p| p.location != ParamLocation::Path)
        .map(param_push);
    let (ret, call) = match &reply {
        Some(ty) => {
            let ty = rust_type_in(ty, Some(models));
            (
                quote!(#ty),
                quote!(self.runtime.execute_json(request).await),
            )
        }
        None => (
            quote!(()),
            quote!(self.runtime.execute(request).await.map(|_| ())),
        ),
    };
    let changes_request =
        op.body.is_some() || op.params.iter().any(|p| p.location != ParamLocation::Path);
    let request_binding = if changes_request {
        quote!(let mut request)
    } else {
        quote!(let request)
    };
    Ok(quote! {
        #docs
        pub async fn #name(&self, #(#args),*) -> Result<#ret, Error> {
            #path_steps
            #request_binding = Request::new(ops::#op_const, path);
            #(#param_steps)*
            #body_steps
            #call
        }
    })
}

/// Builds `path` from the template, each parameter percent-encoded.
fn path_tokens(op: &Operation) -> TokenStream {
    let mut steps = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(open) = rest.find('{') {
        let literal = &rest[..open];
        if !literal.is_empty() {
            steps.push(quote!(path.push_str(#literal);));
        }
        let after = &rest[open + 1..];
        let close = after.find('}').unwrap_or(after.len());
        let wire = &after[..close];
        if let Some(param) = op
            .params
            .iter()
            .find(|p| p.location == ParamLocation::Path && p.wire_name == wire)
        {
            let arg = ident(&param.rust_name);
            steps.push(quote! {
                path.push_str(&alpharun_runtime::encode_path_segment(&alpharun_runtime::scalar_text(&#arg)));
            });
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    if !rest.is_empty() {
        steps.push(quote!(path.push_str(#rest);));
    }
    quote! {
        let mut path = String::new();
        #(#steps)*
    }
}

fn param_push(param: &Param) -> TokenStream {
    let arg = ident(&param.rust_name);
    let wire = &param.wire_name;
    let list = match param.location {
        ParamLocation::Query => quote!(request.query),
        _ => quote!(request.headers),
    };
    let push_one =
        |value: TokenStream| quote!(#list.push((#wire, alpharun_runtime::scalar_text(#value))););
    match (&param.ty, param.required) {
        (TypeRef::Vec(_), required) => {
            let each = push_one(quote!(value));
            let body = quote!(for value in values.iter() { #each });
            if required {
                quote! { let values = #arg; #body }
            } else {
                quote! { if let Some(values) = #arg { #body } }
            }
        }
        (_, true) => push_one(quote!(&#arg)),
        (_, false) => {
            let each = push_one(quote!(value));
            quote! { if let Some(value) = &#arg { #each } }
        }
    }
}
