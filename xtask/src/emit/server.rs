//! Emits the server crate's `lib.rs`: an `Api` trait with one method per operation (typed
//! request, typed response enum) and an axum router that checks bearer auth, decodes the
//! parameters and body, and dispatches.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::tokens::{doc, ident, inner_doc, rust_type_in};
use crate::ir::{Api, Auth, Operation, Param, ParamLocation, TypeRef};

/// The tokens of `src/lib.rs`.
pub fn lib_rs(api: &Api, header: &str, models: &Ident) -> TokenStream {
    let bearer = matches!(api.auth, Auth::Bearer { .. });
    let base_path = api
        .base_url
        .as_deref()
        .and_then(|url| url.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| {
            rest.find('/')
                .map(|at| rest[at..].trim_end_matches('/').to_owned())
        })
        .unwrap_or_default();
    let crate_doc = inner_doc(&format!(
        "{header}\n\nThe server side of the {} {}: implement [`Api`] (one method per operation, typed requests and responses) and serve [`router`].\n\nThe router {}decodes each operation's parameters and JSON body into its request type; what does not decode never reaches your code: it gets [`Api::rejected`]'s reply. Routes are nested under [`BASE_PATH`], the path of the spec's first server.",
        api.title,
        api.version,
        if bearer {
            "checks `Authorization: Bearer <token>` with [`Api::authorize`], "
        } else {
            ""
        },
    ));
    let mut trait_methods = Vec::new();
    let mut items = Vec::new();
    let mut routes = Vec::new();
    for op in api.operations.values() {
        let (method, item, route) = operation(op, models, bearer);
        trait_methods.push(method);
        items.push(item);
        routes.push(route);
    }
    let authorize = bearer.then(|| {
        quote! {
            /// Whether a bearer token may call the API. The router answers
            /// [`Rejection::Unauthorized`] when it may not, or when there is none.
            fn authorize(&self, token: &str) -> bool;
        }
    });
    quote! {
        #crate_doc
        #![allow(clippy::large_enum_variant)]

        use std::collections::HashMap;
        use std::future::Future;
        use std::sync::Arc;

        use axum::body::Bytes;
        use axum::extract::{Path, RawQuery, State};
        use axum::http::{HeaderMap, StatusCode};
        use axum::response::{IntoResponse, Response};

        pub use #models as types;

        /// The path every route is nested under (from the spec's first server URL).
        pub const BASE_PATH: &str = #base_path;

        /// Why the router refused a request before it reached an operation.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Rejection {
            /// No bearer token, or one that [`Api::authorize`] refused.
            Unauthorized,
            /// The body is not JSON, or not the operation's body type.
            BadBody(String),
            /// A parameter is missing or does not parse.
            BadParameter(String),
        }

        /// A typed response plus extra headers (such as `Retry-After`).
        #[derive(Debug, Clone)]
        pub struct Reply<R> {
            /// The response.
            pub response: R,
            /// Extra headers, by name.
            pub headers: Vec<(String, String)>,
        }

        impl<R> From<R> for Reply<R> {
            fn from(response: R) -> Self {
                Self { response, headers: Vec::new() }
            }
        }

        impl<R> Reply<R> {
            /// Adds a header.
            #[must_use]
            pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.headers.push((name.into(), value.into()));
                self
            }
        }

        impl<R: IntoResponse> IntoResponse for Reply<R> {
            fn into_response(self) -> Response {
                let mut response = self.response.into_response();
                for (name, value) in self.headers {
                    if let (Ok(name), Ok(value)) = (
                        axum::http::HeaderName::try_from(name),
                        axum::http::HeaderValue::try_from(value),
                    ) {
                        response.headers_mut().append(name, value);
                    }
                }
                response
            }
        }

        /// The API, server side: one method per operation.
        pub trait Api: Send + Sync + 'static {
            #authorize
            /// The reply to a request refused before it reached `operation`.
            fn rejected(&self, operation: &'static str, rejection: Rejection) -> Response;

            #(#trait_methods)*
        }

        /// The routes of every operation, nested under [`BASE_PATH`], dispatching to `api`.
        pub fn router<A: Api>(api: Arc<A>) -> axum::Router {
            let routes = axum::Router::new()
                #(#routes)*
                .with_state(api);
            if BASE_PATH.is_empty() {
                routes
            } else {
                axum::Router::new().nest(BASE_PATH, routes)
            }
        }

        fn json_response<T: serde::Serialize>(status: u16, body: &T) -> Response {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            match serde_json::to_vec(body) {
                Ok(bytes) => (status, [(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response(),
                Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            }
        }

        #[allow(dead_code)]
        fn bearer(headers: &HeaderMap) -> Option<String> {
            let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
            let (scheme, token) = value.trim().split_once(' ')?;
            let token = token.trim();
            (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
        }

        #[allow(dead_code)]
        fn parse_scalar<T: serde::de::DeserializeOwned>(name: &str, raw: &str) -> Result<T, Rejection> {
            serde_json::from_str::<T>(raw)
                .or_else(|_| serde_json::from_value::<T>(serde_json::Value::String(raw.to_owned())))
                .map_err(|e| Rejection::BadParameter(format!("`{name}`: {e}")))
        }

        #[allow(dead_code)]
        fn query_pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, Rejection> {
            serde_urlencoded::from_str(raw.unwrap_or(""))
                .map_err(|e| Rejection::BadParameter(format!("query string: {e}")))
        }

        #(#items)*
    }
}

/// Variant name of a response status: `200` -> `Status200`, `4XX` -> `Status4xx`, `default` -> `Default`.
fn variant(status: &str) -> (Ident, bool) {
    if status == "default" {
        return (format_ident!("Default"), true);
    }
    let ranged = status.ends_with("XX") || status.ends_with("xx");
    (
        format_ident!("Status{}", status.to_ascii_lowercase()),
        ranged,
    )
}

fn operation(
    op: &Operation,
    models: &Ident,
    bearer: bool,
) -> (TokenStream, TokenStream, TokenStream) {
    let base = crate::names::unraw(&op.name).to_owned();
    let pascal = crate::names::pascal_ident(&base).unwrap_or_else(|| "Operation".to_owned());
    let request_ty = format_ident!("{pascal}Request");
    let response_ty = format_ident!("{pascal}Response");
    let method = ident(&op.name);
    let handler = format_ident!("handle_{base}");
    let decoder = format_ident!("decode_{base}");
    let name = &base;

    // The request type.
    let mut fields = Vec::new();
    let mut decode_steps = Vec::new();
    let mut field_names = Vec::new();
    if bearer {
        fields.push(quote! {
            /// The caller's bearer token (already accepted by [`Api::authorize`]).
            pub bearer: String,
        });
        field_names.push(format_ident!("bearer"));
    }
    for param in &op.params {
        let field = ident(&param.rust_name);
        let ty = param_type(param, models);
        let docs = doc(&param.doc);
        fields.push(quote! { #docs pub #field: #ty, });
        decode_steps.push(decode_param(param, models));
        field_names.push(field);
    }
    if let Some(body) = &op.body {
        let ty = rust_type_in(&body.ty, Some(models));
        let docs = doc(&body.doc);
        fields.push(quote! {
            /// The body as received, for checks the types cannot express (such as properties
            /// the schema does not allow, which decoding ignores).
            pub raw_body: Bytes,
        });
        decode_steps.push(quote! { let raw_body = body.clone(); });
        field_names.push(format_ident!("raw_body"));
        if body.required {
            fields.push(quote! { #docs pub body: #ty, });
            decode_steps.push(quote! {
                let body: #ty = serde_json::from_slice(body).map_err(|e| Rejection::BadBody(e.to_string()))?;
            });
        } else {
            fields.push(quote! { #docs pub body: Option<#ty>, });
            decode_steps.push(quote! {
                let body: Option<#ty> = if body.iter().all(u8::is_ascii_whitespace) {
                    None
                } else {
                    Some(serde_json::from_slice(body).map_err(|e| Rejection::BadBody(e.to_string()))?)
                };
            });
        }
        field_names.push(format_ident!("body"));
    }

    // The response enum.
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    for (status, response) in &op.responses {
        let (variant, ranged) = variant(status);
        let docs = doc(&format!("`{status}`: {}", response.doc));
        let body_ty = response
            .ty
            .as_ref()
            .map(|ty| rust_type_in(ty, Some(models)));
        let fixed: Option<u16> = status.parse().ok();
        match (ranged, body_ty) {
            (false, Some(ty)) => {
                let code = fixed.unwrap_or(500);
                variants.push(quote! { #docs #variant(#ty), });
                arms.push(quote! { Self::#variant(body) => json_response(#code, &body), });
            }
            (false, None) => {
                let code = fixed.unwrap_or(500);
                variants.push(quote! { #docs #variant, });
                arms.push(quote! {
                    Self::#variant => StatusCode::from_u16(#code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR).into_response(),
                });
            }
            (true, Some(ty)) => {
                variants.push(quote! { #docs #variant(u16, #ty), });
                arms.push(quote! { Self::#variant(status, body) => json_response(status, &body), });
            }
            (true, None) => {
                variants.push(quote! { #docs #variant(u16), });
                arms.push(quote! {
                    Self::#variant(status) => StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR).into_response(),
                });
            }
        }
    }
    let mut method_doc = String::new();
    if let Some(summary) = &op.summary {
        method_doc.push_str(&format!("{summary}.\n\n"));
    }
    if let Some(description) = &op.description {
        method_doc.push_str(&format!("{description}\n\n"));
    }
    method_doc.push_str(&format!("Serves `{} {}`.", op.method, op.path));
    let method_docs = doc(&method_doc);
    let trait_method = quote! {
        #method_docs
        fn #method(&self, request: #request_ty) -> impl Future<Output = Reply<#response_ty>> + Send;
    };

    let auth_step = if bearer {
        quote! {
            let Some(bearer) = bearer(&headers).filter(|token| api.authorize(token)) else {
                return api.rejected(#name, Rejection::Unauthorized);
            };
        }
    } else {
        quote!()
    };
    let bearer_arg = bearer.then(|| quote!(bearer,));
    let bearer_param = bearer.then(|| quote!(bearer: String,));
    let request_doc = doc(&format!(
        "The decoded request of `{} {}`.",
        op.method, op.path
    ));
    let response_doc = doc(&format!(
        "The responses of `{} {}`, as the spec lists them.",
        op.method, op.path
    ));
    let item = quote! {
        #request_doc
        #[derive(Debug, Clone)]
        pub struct #request_ty {
            #(#fields)*
        }

        #response_doc
        #[derive(Debug, Clone)]
        pub enum #response_ty {
            #(#variants)*
        }

        impl IntoResponse for #response_ty {
            fn into_response(self) -> Response {
                match self {
                    #(#arms)*
                }
            }
        }

        #[allow(unused_variables)]
        fn #decoder(
            #bearer_param
            path: &HashMap<String, String>,
            query: Option<&str>,
            headers: &HeaderMap,
            body: &Bytes,
        ) -> Result<#request_ty, Rejection> {
            #(#decode_steps)*
            Ok(#request_ty { #(#field_names),* })
        }

        async fn #handler<A: Api>(
            State(api): State<Arc<A>>,
            path: Option<Path<HashMap<String, String>>>,
            RawQuery(query): RawQuery,
            headers: HeaderMap,
            body: Bytes,
        ) -> Response {
            #auth_step
            let path = path.map(|Path(map)| map).unwrap_or_default();
            match #decoder(#bearer_arg &path, query.as_deref(), &headers, &body) {
                Ok(request) => api.#method(request).await.into_response(),
                Err(rejection) => api.rejected(#name, rejection),
            }
        }
    };
    let axum_path = op.path.clone();
    let method_fn = format_ident!("{}", op.method.to_ascii_lowercase());
    let route = quote! { .route(#axum_path, axum::routing::#method_fn(#handler::<A>)) };
    (trait_method, item, route)
}

fn param_type(param: &Param, models: &Ident) -> TokenStream {
    let ty = rust_type_in(&param.ty, Some(models));
    if param.required {
        ty
    } else {
        quote!(Option<#ty>)
    }
}

fn decode_param(param: &Param, models: &Ident) -> TokenStream {
    let field = ident(&param.rust_name);
    let wire = &param.wire_name;
    let missing = format!("`{wire}` is required");
    let finish = |found: TokenStream| {
        if param.required {
            quote! { let #field = #found.ok_or_else(|| Rejection::BadParameter(#missing.to_owned()))?; }
        } else {
            quote! { let #field = #found; }
        }
    };
    match (param.location, &param.ty) {
        (ParamLocation::Query, TypeRef::Vec(item)) => {
            let item = rust_type_in(item, Some(models));
            finish(quote! {{
                let values = query_pairs(query)?
                    .into_iter()
                    .filter(|(name, _)| name == #wire)
                    .map(|(_, value)| parse_scalar::<#item>(#wire, &value))
                    .collect::<Result<Vec<_>, _>>()?;
                (!values.is_empty()).then_some(values)
            }})
        }
        (location, ty) => {
            let ty = rust_type_in(ty, Some(models));
            let raw = match location {
                ParamLocation::Path => quote!(path.get(#wire).cloned()),
                ParamLocation::Query => quote! {
                    query_pairs(query)?.into_iter().find(|(name, _)| name == #wire).map(|(_, value)| value)
                },
                ParamLocation::Header => quote! {
                    headers.get(#wire).and_then(|v| v.to_str().ok()).map(str::to_owned)
                },
            };
            finish(quote! {
                match #raw {
                    Some(raw) => Some(parse_scalar::<#ty>(#wire, &raw)?),
                    None => None,
                }
            })
        }
    }
}
