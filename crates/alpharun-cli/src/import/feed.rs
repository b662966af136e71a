//! The send pass: contacts read lazily from the input for the client's batching, each batch
//! written to the journal as `sending` before it can leave, and each outcome written as
//! `settled` as soon as it is known.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::BufReader;
use std::rc::Rc;

use alpharun_client::types::Contact;
use alpharun_client::{BatchOutcome, Fate as ClientFate};
use alpharun_validate::{Checker, Severity, Step};

use super::journal::{Journal, Record};
use super::ledger::{Fate, Ledger, ranges};
use super::progress::Progress;

/// Contacts of one outcome with the same fate and reason, written as one journal record.
type Group = (Fate, Option<String>);

/// State shared by the feed and the outcome handler (one thread).
pub struct Session {
    pub ledger: Ledger,
    pub journal: Journal,
    pub progress: Progress,
    /// Stream index (the client's) -> input index, for contacts in flight.
    in_flight: HashMap<usize, usize>,
    next_stream_index: usize,
    /// The first error that stopped the journal or the input.
    pub failure: Option<anyhow::Error>,
    /// Set when the server refused the token.
    pub auth_refused: Option<String>,
}

impl Session {
    pub fn new(ledger: Ledger, journal: Journal, progress: Progress) -> Self {
        Self {
            ledger,
            journal,
            progress,
            in_flight: HashMap::new(),
            next_stream_index: 0,
            failure: None,
            auth_refused: None,
        }
    }

    /// Files one batch's outcome: ledger, journal (flushed), progress.
    pub fn settle(&mut self, outcome: BatchOutcome<Contact>) {
        let mut groups: Vec<(Group, Vec<usize>)> = Vec::new();
        for settled in outcome.settled {
            let Some(index) = self.in_flight.remove(&settled.index) else {
                continue;
            };
            let (fate, reason) = match &settled.fate {
                ClientFate::Imported => (Fate::Imported, None),
                ClientFate::Rejected => (
                    Fate::Rejected,
                    Some(
                        "the server did not import it (it came back in failed_contacts)".to_owned(),
                    ),
                ),
                ClientFate::Invalid(problems) => (
                    Fate::Invalid,
                    Some(
                        problems
                            .first()
                            .map_or_else(String::new, |p| format!("{}: {}", p.pointer, p.message)),
                    ),
                ),
                ClientFate::Uncertain(error) => (Fate::Uncertain, Some(error.to_string())),
                ClientFate::Unsent(error) => {
                    if error.is_auth() && self.auth_refused.is_none() {
                        self.auth_refused = Some(error.to_string());
                    }
                    (Fate::Unsent, Some(error.to_string()))
                }
            };
            self.ledger.set(index, fate, reason.as_deref());
            self.progress.settled(fate);
            let key = (fate, reason);
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, indices)) => indices.push(index),
                None => groups.push((key, vec![index])),
            }
        }
        for ((fate, reason), mut indices) in groups {
            indices.sort_unstable();
            let record = Record::Settled {
                fate,
                contacts: ranges(indices),
                reason,
            };
            if let Err(error) = self.journal.write(&record) {
                self.failure.get_or_insert(error);
            }
        }
    }
}

/// The contacts to send, read `batch_size` at a time: each group is journaled as `sending`
/// before the first of it is handed out.
pub struct Feed {
    pub checker: Checker<BufReader<File>>,
    pub session: Rc<RefCell<Session>>,
    pub batch_size: usize,
    pub buffer: VecDeque<(usize, Contact)>,
}

impl Feed {
    fn refill(&mut self) {
        let mut session = self.session.borrow_mut();
        while self.buffer.len() < self.batch_size && session.failure.is_none() {
            let step = match self.checker.next_step() {
                Ok(Some(step)) => step,
                Ok(None) => break,
                Err(error) => {
                    session.failure = Some(error.into());
                    break;
                }
            };
            let Step::Contact(checked) = step else {
                continue;
            };
            let index = checked.index;
            if matches!(
                session.ledger.get(index),
                Fate::Imported | Fate::Rejected | Fate::Uncertain
            ) {
                continue;
            }
            let errors: Vec<String> = checked
                .problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .map(|p| format!("{}: {}", p.pointer, p.message))
                .collect();
            let error = (!errors.is_empty()).then(|| errors.join("; "));
            let contact = match (error, checked.value) {
                (None, Some(value)) => serde_json::from_value::<Contact>(value)
                    .map_err(|e| format!("does not fit the contact type: {e}")),
                (Some(error), _) => Err(error),
                (None, None) => Err("invalid JSON".to_owned()),
            };
            match contact {
                Ok(contact) => self.buffer.push_back((index, contact)),
                Err(reason) => {
                    session.ledger.set(index, Fate::Invalid, Some(&reason));
                    session.progress.settled(Fate::Invalid);
                }
            }
        }
        if self.buffer.is_empty() {
            return;
        }
        let indices: Vec<usize> = self.buffer.iter().map(|(index, _)| *index).collect();
        let record = Record::Sending {
            contacts: ranges(indices.iter().copied()),
        };
        if let Err(error) = session.journal.write(&record) {
            // Nothing may leave unless the journal says so first.
            session.failure = Some(error);
            self.buffer.clear();
            return;
        }
        for index in indices {
            session.ledger.set(index, Fate::InFlight, None);
        }
    }
}

impl Iterator for Feed {
    type Item = Contact;

    fn next(&mut self) -> Option<Contact> {
        if self.buffer.is_empty() {
            self.refill();
        }
        let (index, contact) = self.buffer.pop_front()?;
        let mut session = self.session.borrow_mut();
        let stream_index = session.next_stream_index;
        session.next_stream_index += 1;
        session.in_flight.insert(stream_index, index);
        Some(contact)
    }
}
