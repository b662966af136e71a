//! Where each contact of the input stands: one byte per contact, plus the reason for those that
//! did not get in. The journal replays into it; the failed file and the summary read it.

use std::collections::HashMap;

/// A contact's state. `Pending` and `InFlight` are never final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fate {
    /// Not sent yet.
    Pending,
    /// Handed to the client for sending; no outcome known yet.
    InFlight,
    /// The server imported it.
    Imported,
    /// The server answered and listed it in `failed_contacts`.
    Rejected,
    /// Sent; the outcome is unknown.
    Uncertain,
    /// Certainly not processed (refused as a whole, stopped before sending).
    Unsent,
    /// Broke the schema; never sent.
    Invalid,
}

impl Fate {
    const ALL: [Fate; 7] = [
        Fate::Pending,
        Fate::InFlight,
        Fate::Imported,
        Fate::Rejected,
        Fate::Uncertain,
        Fate::Unsent,
        Fate::Invalid,
    ];

    fn from_byte(byte: u8) -> Fate {
        Self::ALL
            .get(usize::from(byte))
            .copied()
            .unwrap_or(Fate::Pending)
    }

    /// The bucket's name, as printed and written in failed files.
    pub fn name(self) -> &'static str {
        match self {
            Fate::Pending => "pending",
            Fate::InFlight => "in_flight",
            Fate::Imported => "imported",
            Fate::Rejected => "rejected",
            Fate::Uncertain => "uncertain",
            Fate::Unsent => "unsent",
            Fate::Invalid => "invalid",
        }
    }
}

/// How many contacts are in each bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Buckets {
    /// Imported.
    pub imported: usize,
    /// Rejected by the server.
    pub rejected: usize,
    /// Invalid, never sent.
    pub invalid: usize,
    /// Outcome unknown (including sends cut short by a crash).
    pub uncertain: usize,
    /// Not processed (including never reached).
    pub unsent: usize,
}

impl Buckets {
    /// All contacts.
    pub fn total(&self) -> usize {
        self.imported + self.rejected + self.invalid + self.uncertain + self.unsent
    }
}

/// Every contact's fate, by index in the input.
#[derive(Debug, Default)]
pub struct Ledger {
    fates: Vec<u8>,
    reasons: HashMap<usize, u32>,
    texts: Vec<String>,
    text_ids: HashMap<String, u32>,
}

impl Ledger {
    /// Records a fate, with the reason for a contact that did not get in.
    pub fn set(&mut self, index: usize, fate: Fate, reason: Option<&str>) {
        if self.fates.len() <= index {
            self.fates.resize(index + 1, Fate::Pending as u8);
        }
        self.fates[index] = fate as u8;
        match reason {
            Some(reason) if fate != Fate::Imported => {
                let id = self.text_id(reason);
                self.reasons.insert(index, id);
            }
            _ => {
                self.reasons.remove(&index);
            }
        }
    }

    fn text_id(&mut self, text: &str) -> u32 {
        if let Some(id) = self.text_ids.get(text) {
            return *id;
        }
        let id = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        self.texts.push(text.to_owned());
        self.text_ids.insert(text.to_owned(), id);
        id
    }

    /// A contact's fate (`Pending` when never recorded).
    pub fn get(&self, index: usize) -> Fate {
        self.fates
            .get(index)
            .map_or(Fate::Pending, |byte| Fate::from_byte(*byte))
    }

    /// Why a contact did not get in.
    pub fn reason(&self, index: usize) -> Option<&str> {
        let id = *self.reasons.get(&index)?;
        self.texts
            .get(usize::try_from(id).ok()?)
            .map(String::as_str)
    }

    /// After a crash: what was in flight may have reached the server.
    pub fn in_flight_to_uncertain(&mut self, reason: &str) {
        for index in 0..self.fates.len() {
            if self.get(index) == Fate::InFlight {
                self.set(index, Fate::Uncertain, Some(reason));
            }
        }
    }

    /// Makes contacts of `fate` pending again (to be sent).
    pub fn reopen(&mut self, fate: Fate) {
        for index in 0..self.fates.len() {
            if self.get(index) == fate {
                self.set(index, Fate::Pending, None);
            }
        }
    }

    /// Counts the buckets over the first `contacts` contacts; anything not final counts as
    /// unsent (never reached) or uncertain (in flight).
    pub fn buckets(&self, contacts: usize) -> Buckets {
        let mut buckets = Buckets::default();
        for index in 0..contacts {
            match self.get(index) {
                Fate::Imported => buckets.imported += 1,
                Fate::Rejected => buckets.rejected += 1,
                Fate::Invalid => buckets.invalid += 1,
                Fate::Uncertain | Fate::InFlight => buckets.uncertain += 1,
                Fate::Unsent | Fate::Pending => buckets.unsent += 1,
            }
        }
        buckets
    }
}

/// Sorted indices -> half-open ranges `[start, end)`.
pub fn ranges(indices: impl IntoIterator<Item = usize>) -> Vec<[usize; 2]> {
    let mut out: Vec<[usize; 2]> = Vec::new();
    for index in indices {
        match out.last_mut() {
            Some(last) if last[1] == index => last[1] = index + 1,
            _ => out.push([index, index + 1]),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_compact_runs() {
        assert_eq!(ranges([1, 2, 3, 7, 9, 10]), vec![[1, 4], [7, 8], [9, 11]]);
        assert!(ranges([]).is_empty());
    }

    #[test]
    fn fates_and_reasons_round_trip() {
        let mut ledger = Ledger::default();
        ledger.set(4, Fate::Rejected, Some("duplicate"));
        ledger.set(2, Fate::Imported, Some("ignored"));
        assert_eq!(ledger.get(4), Fate::Rejected);
        assert_eq!(ledger.reason(4), Some("duplicate"));
        assert_eq!(ledger.reason(2), None);
        assert_eq!(ledger.get(100), Fate::Pending);
        ledger.set(5, Fate::InFlight, None);
        ledger.in_flight_to_uncertain("crash");
        assert_eq!(ledger.get(5), Fate::Uncertain);
        let buckets = ledger.buckets(6);
        assert_eq!(buckets.total(), 6);
        assert_eq!(
            (
                buckets.imported,
                buckets.rejected,
                buckets.uncertain,
                buckets.unsent
            ),
            (1, 1, 1, 3)
        );
    }
}
