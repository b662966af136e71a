//! Batching: any number of items, sent in batches with bounded concurrency, each item settled in
//! exactly one bucket (imported, rejected by the server, invalid, uncertain, unsent).

use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

use futures_util::{Stream, StreamExt};
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::buckets::{
    BatchCounts, BatchOptions, BatchOutcome, BatchReply, BatchReport, Fate, Settled,
};
use crate::error::{Error, Invalid, Op};
use crate::send::{Request, Runtime};

impl Runtime {
    /// Sends `items` in batches to `op` at `path` and reports each batch's outcome to
    /// `on_outcome` as soon as it is known. At most `concurrency` batches are in memory at once.
    /// A 401 or 403 stops the run: later batches are settled as unsent.
    pub async fn send_batches<T, R, S, F>(
        &self,
        op: Op,
        path: &str,
        items: S,
        options: &BatchOptions,
        split: fn(R) -> BatchReply,
        mut on_outcome: F,
    ) -> BatchCounts
    where
        T: Serialize + JsonSchema + 'static,
        R: DeserializeOwned,
        S: Stream<Item = T>,
        F: FnMut(BatchOutcome<T>),
    {
        let halted: Arc<OnceLock<Arc<Error>>> = Arc::new(OnceLock::new());
        let mut counts = BatchCounts::default();
        let batches = items
            .enumerate()
            .chunks(options.batch_size.max(1))
            .enumerate()
            .map(|(number, chunk)| {
                let halted = Arc::clone(&halted);
                let op = op.clone();
                async move {
                    self.send_one_batch(op, path, number, chunk, options, split, &halted)
                        .await
                }
            })
            .buffer_unordered(options.concurrency.max(1));
        futures_util::pin_mut!(batches);
        while let Some(outcome) = batches.next().await {
            for settled in &outcome.settled {
                counts.add(&settled.fate);
            }
            on_outcome(outcome);
        }
        counts
    }

    /// Like [`Runtime::send_batches`], collecting everything into one report.
    pub async fn send_batches_report<T, R, S>(
        &self,
        op: Op,
        path: &str,
        items: S,
        options: &BatchOptions,
        split: fn(R) -> BatchReply,
    ) -> BatchReport<T>
    where
        T: Serialize + JsonSchema + 'static,
        R: DeserializeOwned,
        S: Stream<Item = T>,
    {
        let mut report = BatchReport::default();
        self.send_batches(op, path, items, options, split, |outcome| {
            report.record(outcome);
        })
        .await;
        report.sort_by_index();
        report
    }

    #[allow(clippy::too_many_arguments)]
    async fn send_one_batch<T, R>(
        &self,
        op: Op,
        path: &str,
        number: usize,
        chunk: Vec<(usize, T)>,
        options: &BatchOptions,
        split: fn(R) -> BatchReply,
        halted: &OnceLock<Arc<Error>>,
    ) -> BatchOutcome<T>
    where
        T: Serialize + JsonSchema + 'static,
        R: DeserializeOwned,
    {
        let mut settled = Vec::with_capacity(chunk.len());
        let (indices, items): (Vec<usize>, Vec<T>) = chunk.into_iter().unzip();
        let (mut indices, mut items) = (indices, items);
        if self.validates_before_send() {
            match self.problems(&items, 0) {
                Ok(problems) if !problems.is_empty() => {
                    let (keep_indices, keep_items, invalid) =
                        split_invalid(indices, items, problems);
                    settled.extend(invalid);
                    indices = keep_indices;
                    items = keep_items;
                }
                Ok(_) => {}
                Err(error) => {
                    let error = Arc::new(error);
                    settled.extend(unsent(indices, items, &error));
                    return BatchOutcome {
                        batch: number,
                        settled,
                    };
                }
            }
        }
        if items.is_empty() {
            return BatchOutcome {
                batch: number,
                settled,
            };
        }
        let stop_reason = if let Some(error) = halted.get() {
            Some(format!("an earlier batch failed: {error}"))
        } else if options.stop.load(Ordering::SeqCst) {
            Some("the run was stopped".to_owned())
        } else {
            None
        };
        if let Some(reason) = stop_reason {
            let error = Arc::new(Error::NotSent { op, reason });
            settled.extend(unsent(indices, items, &error));
            return BatchOutcome {
                batch: number,
                settled,
            };
        }
        let reply = match Request::new(op.clone(), path.to_owned()).json(&items) {
            Ok(request) => self.execute_json::<R>(request).await,
            Err(error) => Err(error),
        };
        match reply {
            Ok(reply) => settled.extend(reconcile(&op, indices, items, split(reply))),
            Err(error) => {
                if error.is_auth() {
                    let _first_wins = halted.set(Arc::new(Error::NotSent {
                        op: op.clone(),
                        reason: format!("the server refused the credentials ({error})"),
                    }));
                }
                let uncertain = error.may_have_been_processed();
                let error = Arc::new(error);
                settled.extend(indices.into_iter().zip(items).map(|(index, item)| Settled {
                    index,
                    item,
                    fate: if uncertain {
                        Fate::Uncertain(Arc::clone(&error))
                    } else {
                        Fate::Unsent(Arc::clone(&error))
                    },
                }));
            }
        }
        settled.sort_by_key(|s| s.index);
        BatchOutcome {
            batch: number,
            settled,
        }
    }
}

fn unsent<T>(indices: Vec<usize>, items: Vec<T>, error: &Arc<Error>) -> Vec<Settled<T>> {
    indices
        .into_iter()
        .zip(items)
        .map(|(index, item)| Settled {
            index,
            item,
            fate: Fate::Unsent(Arc::clone(error)),
        })
        .collect()
}

/// Moves the items with problems out; their problems get the items' input indices.
fn split_invalid<T>(
    indices: Vec<usize>,
    items: Vec<T>,
    problems: Vec<Invalid>,
) -> (Vec<usize>, Vec<T>, Vec<Settled<T>>) {
    let mut per_item: Vec<Vec<Invalid>> = (0..items.len()).map(|_| Vec::new()).collect();
    for mut problem in problems {
        let position = problem.index;
        if let (Some(slot), Some(index)) = (per_item.get_mut(position), indices.get(position)) {
            problem.index = *index;
            slot.push(problem);
        }
    }
    let (mut keep_indices, mut keep_items, mut invalid) = (Vec::new(), Vec::new(), Vec::new());
    for ((index, item), problems) in indices.into_iter().zip(items).zip(per_item) {
        if problems.is_empty() {
            keep_indices.push(index);
            keep_items.push(item);
        } else {
            invalid.push(Settled {
                index,
                item,
                fate: Fate::Invalid(problems),
            });
        }
    }
    (keep_indices, keep_items, invalid)
}

/// Matches the server's rejected items to the batch. If the reply does not add up, nobody can
/// tell which items were imported, so the whole batch is uncertain.
fn reconcile<T: Serialize>(
    op: &Op,
    indices: Vec<usize>,
    items: Vec<T>,
    reply: BatchReply,
) -> Vec<Settled<T>> {
    let sent = items.len();
    let BatchReply {
        imported_count,
        rejected_count,
        rejected,
    } = reply;
    let mut is_rejected = vec![false; sent];
    let mut unmatched = 0;
    let as_json: Vec<serde_json::Value> = if rejected.is_empty() {
        Vec::new()
    } else {
        items
            .iter()
            .map(|item| serde_json::to_value(item).unwrap_or_default())
            .collect()
    };
    for echoed in &rejected {
        let found = as_json
            .iter()
            .enumerate()
            .position(|(i, item)| !is_rejected[i] && item == echoed);
        match found {
            Some(i) => is_rejected[i] = true,
            None => unmatched += 1,
        }
    }
    let mut problems = Vec::new();
    if unmatched > 0 {
        problems.push(format!(
            "{unmatched} rejected item(s) were not in the batch"
        ));
    }
    if let Some(count) = rejected_count {
        if usize::try_from(count).ok() != Some(rejected.len()) {
            problems.push(format!(
                "it counts {count} rejected but lists {}",
                rejected.len()
            ));
        }
    }
    if let Some(count) = imported_count {
        let expected = sent - (rejected.len() - unmatched).min(sent);
        if usize::try_from(count).ok() != Some(expected) {
            problems.push(format!(
                "it counts {count} imported of {sent} sent with {} rejected",
                rejected.len()
            ));
        }
    }
    if !problems.is_empty() {
        let error = Arc::new(Error::Inconsistent {
            op: op.clone(),
            detail: problems.join("; "),
        });
        return indices
            .into_iter()
            .zip(items)
            .map(|(index, item)| Settled {
                index,
                item,
                fate: Fate::Uncertain(Arc::clone(&error)),
            })
            .collect();
    }
    indices
        .into_iter()
        .zip(items)
        .zip(is_rejected)
        .map(|((index, item), rejected)| Settled {
            index,
            item,
            fate: if rejected {
                Fate::Rejected
            } else {
                Fate::Imported
            },
        })
        .collect()
}
