//! Emits the batch helpers of an `x-batch` operation: a method that takes any number of items
//! and sends them in batches, and the function that splits a reply into the batch's outcome.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::tokens::{doc, ident, rust_type_in};
use crate::error::{GenError, Result};
use crate::ir::{Operation, TypeRef};
use crate::spec::join;

/// `<op>_batched` and `<op>_stream` for an `x-batch` operation, and the reply splitter.
pub(super) fn batch_tokens(
    op: &Operation,
    models: &Ident,
    op_const: &Ident,
) -> Result<Option<(TokenStream, TokenStream)>> {
    let Some(batch) = &op.batch else {
        return Ok(None);
    };
    if !op.params.is_empty() {
        return Err(GenError::unsupported(
            &join(&op.pointer, "x-batch"),
            "`x-batch` on an operation with parameters",
        ));
    }
    let base = crate::names::unraw(&op.name);
    let batched = format_ident!("{base}_batched");
    let streamed = format_ident!("{base}_stream");
    let split = format_ident!("split_{base}_reply");
    let item = rust_type_in(&batch.item, Some(models));
    let reply = rust_type_in(&batch.reply, Some(models));
    let path = &op.path;
    let rejected = ident(&batch.rejected);
    let count = |field: &Option<(String, TypeRef)>| match field {
        Some((field, TypeRef::I64)) => {
            let field = ident(field);
            quote!(Some(reply.#field))
        }
        Some((field, _)) => {
            let field = ident(field);
            quote!(Some(i64::from(reply.#field)))
        }
        None => quote!(None),
    };
    let imported_count = count(&batch.imported_count);
    let rejected_count = count(&batch.rejected_count);
    let batched_doc = doc(&format!(
        "Sends any number of items to `{} {}` in batches of `options.batch_size` (default 100), `options.concurrency` (default 4) at a time, and files every item in exactly one bucket of the report: imported, rejected by the server, invalid (never sent), uncertain (sent, outcome unknown) or unsent (certainly not processed, with the error).\n\nItems are read lazily, so only the batches in flight are in memory; the report keeps the indices of imported items and the other items themselves. A 401 or 403 stops the run: the remaining items are settled as unsent. Set `options.stop` to stop early the same way.",
        op.method, op.path
    ));
    let streamed_doc = doc(&format!(
        "Like [`Client::{batched}`], for a `Stream` of items, handing each batch's outcome to `on_outcome` as soon as it is known instead of keeping a report: memory stays flat whatever the number of items. Returns the counts per bucket."
    ));
    let method = quote! {
        #batched_doc
        pub async fn #batched(
            &self,
            items: impl IntoIterator<Item = #item>,
            options: &BatchOptions,
        ) -> BatchReport<#item> {
            self.runtime
                .send_batches_report(ops::#op_const, #path, alpharun_runtime::stream::iter(items), options, #split)
                .await
        }

        #streamed_doc
        pub async fn #streamed<S, F>(&self, items: S, options: &BatchOptions, on_outcome: F) -> BatchCounts
        where
            S: alpharun_runtime::stream::Stream<Item = #item>,
            F: FnMut(BatchOutcome<#item>),
        {
            self.runtime
                .send_batches(ops::#op_const, #path, items, options, #split, on_outcome)
                .await
        }
    };
    let splitter = quote! {
        fn #split(reply: #reply) -> BatchReply {
            BatchReply {
                imported_count: #imported_count,
                rejected_count: #rejected_count,
                rejected: reply
                    .#rejected
                    .iter()
                    .map(|echoed| serde_json::to_value(echoed).unwrap_or_default())
                    .collect(),
            }
        }
    };
    Ok(Some((method, splitter)))
}
