//! Emits the client crate's examples: one runnable `cargo run --example` per operation that
//! takes a body, reading it from a file and printing the reply.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::client::required_params;
use super::tokens::{ident, inner_doc, rust_type_in};
use crate::ir::{Api, TypeRef};

/// One runnable example per operation that takes a body and no required parameter:
/// `cargo run -p <client> --example <op> -- FILE` sends FILE's JSON and prints the reply.
pub fn examples(api: &Api, header: &str, krate: &Ident) -> Vec<(String, TokenStream)> {
    let env_prefix = api.crate_prefix.to_uppercase().replace('-', "_");
    api.operations
        .values()
        .filter(|op| op.body.is_some() && required_params(op) == 0)
        .map(|op| {
            let base = crate::names::unraw(&op.name).to_owned();
            let name = ident(&op.name);
            let body = op.body.as_ref().map(|b| (b.ty.clone(), b.required));
            let (body_ty, required) = body.unwrap_or((TypeRef::Any, true));
            let body_ty = rust_type_in(&body_ty, Some(&format_ident!("types")));
            let optional_args = op.params.iter().map(|_| quote!(None));
            let body_arg = if required { quote!(&body) } else { quote!(Some(&body)) };
            let file_doc = inner_doc(&format!(
                "{header}\n\nSends a JSON file to `{} {}` and prints the reply: `cargo run -p {} --example {base} -- FILE`.\nThe token comes from `{env_prefix}_API_TOKEN`, the server from `{env_prefix}_BASE_URL` (default: the spec's). Exit 0 on success, 1 on an API error, 2 on a usage or file error.",
                op.method,
                op.path,
                krate.to_string().replace('_', "-"),
            ));
            let usage = format!(
                "usage: {base} FILE   (JSON; token in {env_prefix}_API_TOKEN, server in {env_prefix}_BASE_URL)"
            );
            let tokens = quote! {
                #file_doc
                use std::process::ExitCode;

                use #krate::{Client, types};

                #[tokio::main(flavor = "current_thread")]
                async fn main() -> ExitCode {
                    let Some(path) = std::env::args_os().nth(1) else {
                        eprintln!(#usage);
                        return ExitCode::from(2);
                    };
                    let text = match std::fs::read_to_string(&path) {
                        Ok(text) => text,
                        Err(error) => {
                            eprintln!("error: {}: {error}", path.to_string_lossy());
                            return ExitCode::from(2);
                        }
                    };
                    let body: #body_ty = match serde_json::from_str(&text) {
                        Ok(body) => body,
                        Err(error) => {
                            eprintln!("error: {}: {error}", path.to_string_lossy());
                            return ExitCode::from(2);
                        }
                    };
                    let client = match Client::from_env() {
                        Ok(client) => client,
                        Err(error) => {
                            eprintln!("error: {error}");
                            return ExitCode::from(2);
                        }
                    };
                    match client.#name(#(#optional_args,)* #body_arg).await {
                        Ok(reply) => {
                            println!("{}", serde_json::to_string_pretty(&reply).unwrap_or_else(|_| format!("{reply:?}")));
                            ExitCode::SUCCESS
                        }
                        Err(error) => {
                            eprintln!("error: {error}");
                            ExitCode::FAILURE
                        }
                    }
                }
            };
            (base, tokens)
        })
        .collect()
}
