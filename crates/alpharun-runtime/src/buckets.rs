//! What batching reports: the options, the reply fields a batch is reconciled with, and the five
//! buckets (imported, rejected by the server, invalid, uncertain, unsent) every item lands in.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::error::{Error, Invalid};

/// How to split and send.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Items per request (default 100).
    pub batch_size: usize,
    /// Requests in flight at once (default 4).
    pub concurrency: usize,
    /// Set it to stop sending: requests in flight finish, the rest are settled as unsent.
    pub stop: Arc<AtomicBool>,
}

impl Default for BatchOptions {
    fn default() -> Self {
        Self {
            batch_size: 100,
            concurrency: 4,
            stop: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// What a batch reply says, taken apart by the generated code (from the spec's `x-batch`).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchReply {
    /// How many items the server says it imported, if the reply says.
    pub imported_count: Option<i64>,
    /// How many items the server says it rejected, if the reply says.
    pub rejected_count: Option<i64>,
    /// The rejected items as the server echoed them, as JSON: each is matched to a sent item
    /// with the same JSON.
    pub rejected: Vec<serde_json::Value>,
}

/// Where one item ended up.
#[derive(Debug, Clone)]
pub enum Fate {
    /// The server imported it.
    Imported,
    /// The server answered and listed it as not imported.
    Rejected,
    /// It broke the schema; it was never sent.
    Invalid(Vec<Invalid>),
    /// It was sent and the outcome is unknown; sending it again may duplicate it.
    Uncertain(Arc<Error>),
    /// It was certainly not processed (never sent, or refused as a whole: 4xx, 503...).
    Unsent(Arc<Error>),
}

/// One item and its fate.
#[derive(Debug, Clone)]
pub struct Settled<T> {
    /// Its position in the input (0-based).
    pub index: usize,
    /// The item.
    pub item: T,
    /// Where it ended up.
    pub fate: Fate,
}

/// What happened to one batch (plus the items removed from it as invalid).
#[derive(Debug, Clone)]
pub struct BatchOutcome<T> {
    /// The batch's number, in input order (0-based).
    pub batch: usize,
    /// Every item of the batch, settled.
    pub settled: Vec<Settled<T>>,
}

/// How many items went where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchCounts {
    /// Imported.
    pub imported: usize,
    /// Rejected by the server.
    pub rejected: usize,
    /// Invalid, never sent.
    pub invalid: usize,
    /// Sent, outcome unknown.
    pub uncertain: usize,
    /// Certainly not processed.
    pub unsent: usize,
}

impl BatchCounts {
    /// Every item counted.
    pub fn total(&self) -> usize {
        self.imported + self.rejected + self.invalid + self.uncertain + self.unsent
    }

    /// Counts one settled item.
    pub fn add(&mut self, fate: &Fate) {
        match fate {
            Fate::Imported => self.imported += 1,
            Fate::Rejected => self.rejected += 1,
            Fate::Invalid(_) => self.invalid += 1,
            Fate::Uncertain(_) => self.uncertain += 1,
            Fate::Unsent(_) => self.unsent += 1,
        }
    }
}

/// Every input item, in exactly one bucket. Each bucket lists its items in input order, whatever
/// order the concurrent batches settled in.
#[derive(Debug, Clone)]
pub struct BatchReport<T> {
    /// The counts.
    pub counts: BatchCounts,
    /// Input indices of the imported items.
    pub imported: Vec<usize>,
    /// Items the server rejected.
    pub rejected: Vec<Settled<T>>,
    /// Items that broke the schema.
    pub invalid: Vec<Settled<T>>,
    /// Items whose outcome is unknown.
    pub uncertain: Vec<Settled<T>>,
    /// Items certainly not processed.
    pub unsent: Vec<Settled<T>>,
}

impl<T> Default for BatchReport<T> {
    fn default() -> Self {
        Self {
            counts: BatchCounts::default(),
            imported: Vec::new(),
            rejected: Vec::new(),
            invalid: Vec::new(),
            uncertain: Vec::new(),
            unsent: Vec::new(),
        }
    }
}

impl<T> BatchReport<T> {
    /// Files one batch's items into their buckets.
    pub fn record(&mut self, outcome: BatchOutcome<T>) {
        for settled in outcome.settled {
            self.counts.add(&settled.fate);
            match settled.fate {
                Fate::Imported => self.imported.push(settled.index),
                Fate::Rejected => self.rejected.push(settled),
                Fate::Invalid(_) => self.invalid.push(settled),
                Fate::Uncertain(_) => self.uncertain.push(settled),
                Fate::Unsent(_) => self.unsent.push(settled),
            }
        }
    }

    /// Puts every bucket in input order, whatever order the concurrent batches settled in.
    pub fn sort_by_index(&mut self) {
        self.imported.sort_unstable();
        for bucket in [
            &mut self.rejected,
            &mut self.invalid,
            &mut self.uncertain,
            &mut self.unsent,
        ] {
            bucket.sort_by_key(|settled| settled.index);
        }
    }
}
