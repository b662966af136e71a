//! The import journal (`FILE.alpharun-journal`, JSON Lines): each step written and flushed
//! before the next one, so that a killed run can be resumed without resending what the server
//! acknowledged, and without silently resending what it may have received.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::ledger::{Buckets, Fate, Ledger};

/// One journal line.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// A run starts (or resumes) on this input.
    Start {
        /// Journal format version.
        version: u32,
        /// The input file.
        input: String,
        /// Its size in bytes.
        bytes: u64,
        /// CRC-32 of its bytes, so that a journal is never applied to a changed file.
        crc32: u32,
    },
    /// These contacts (half-open index ranges) are handed to the client; they may reach the
    /// server from now on.
    Sending {
        /// Index ranges.
        contacts: Vec<[usize; 2]>,
    },
    /// These contacts have a known outcome.
    Settled {
        /// Their bucket.
        fate: Fate,
        /// Index ranges.
        contacts: Vec<[usize; 2]>,
        /// Why, for contacts that did not get in.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The run ended (normally or stopped by the user) with these buckets.
    Finished {
        /// The buckets.
        buckets: Buckets,
    },
}

/// An open journal, appending.
pub struct Journal {
    file: File,
    path: PathBuf,
}

impl Journal {
    /// The journal beside `input`.
    pub fn path_for(input: &Path) -> PathBuf {
        let mut name = input.file_name().unwrap_or_default().to_os_string();
        name.push(".alpharun-journal");
        input.with_file_name(name)
    }

    /// Starts a new journal; refuses to overwrite one.
    pub fn create(path: &Path, start: &Record) -> Result<Self> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .with_context(|| format!("cannot create the journal {}", path.display()))?;
        let mut journal = Self {
            file,
            path: path.to_owned(),
        };
        journal.write(start)?;
        Ok(journal)
    }

    /// Replays an existing journal into a ledger and opens it for appending. The input must be
    /// the very file the journal was started on.
    pub fn resume(path: &Path, start: &Record) -> Result<(Self, Ledger)> {
        let reader = BufReader::new(
            File::open(path)
                .with_context(|| format!("cannot open the journal {}", path.display()))?,
        );
        let mut ledger = Ledger::default();
        let mut first = true;
        for (number, line) in reader.lines().enumerate() {
            let line = line.with_context(|| format!("cannot read {}", path.display()))?;
            if line.trim().is_empty() {
                continue;
            }
            let record: Record = match serde_json::from_str(&line) {
                Ok(record) => record,
                // A run killed mid-write leaves at most a torn last line: what it said never
                // happened, because the next step waits for the flush.
                Err(_) => continue,
            };
            if first {
                first = false;
                if !same_input(&record, start) {
                    bail!(
                        "{}:{}: the journal was written for another version of the input (size or checksum differ); it cannot be resumed",
                        path.display(),
                        number + 1
                    );
                }
            }
            apply(&mut ledger, &record);
        }
        if first {
            bail!("{} is empty; delete it to start over", path.display());
        }
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .with_context(|| format!("cannot append to {}", path.display()))?;
        let mut journal = Self {
            file,
            path: path.to_owned(),
        };
        journal.write(start)?;
        Ok((journal, ledger))
    }

    /// Appends one record and flushes it to the operating system.
    pub fn write(&mut self, record: &Record) -> Result<()> {
        let mut line = serde_json::to_string(record).context("cannot encode a journal record")?;
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.flush())
            .with_context(|| format!("cannot write the journal {}", self.path.display()))
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn same_input(found: &Record, expected: &Record) -> bool {
    match (found, expected) {
        (
            Record::Start {
                bytes: a, crc32: x, ..
            },
            Record::Start {
                bytes: b, crc32: y, ..
            },
        ) => a == b && x == y,
        _ => false,
    }
}

fn apply(ledger: &mut Ledger, record: &Record) {
    match record {
        Record::Sending { contacts } => {
            for index in contacts.iter().flat_map(|[start, end]| *start..*end) {
                ledger.set(index, Fate::InFlight, None);
            }
        }
        Record::Settled {
            fate,
            contacts,
            reason,
        } => {
            for index in contacts.iter().flat_map(|[start, end]| *start..*end) {
                ledger.set(index, *fate, reason.as_deref());
            }
        }
        Record::Start { .. } | Record::Finished { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> Record {
        Record::Start {
            version: 1,
            input: "x.json".to_owned(),
            bytes: 10,
            crc32: 7,
        }
    }

    #[test]
    fn a_journal_replays_into_the_ledger_and_survives_a_torn_line() {
        let dir = std::env::temp_dir().join(format!("alpharun-journal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("x.json.alpharun-journal");
        let _ = std::fs::remove_file(&path);
        let mut journal = Journal::create(&path, &start()).expect("created");
        journal
            .write(&Record::Sending {
                contacts: vec![[0, 4]],
            })
            .expect("written");
        journal
            .write(&Record::Settled {
                fate: Fate::Imported,
                contacts: vec![[0, 2]],
                reason: None,
            })
            .expect("written");
        drop(journal);
        let mut file = OpenOptions::new().append(true).open(&path).expect("open");
        file.write_all(b"{\"kind\":\"settl").expect("torn line");
        drop(file);
        assert!(
            Journal::create(&path, &start()).is_err(),
            "never overwritten"
        );
        let (_journal, ledger) = Journal::resume(&path, &start()).expect("resumed");
        assert_eq!(ledger.get(1), Fate::Imported);
        assert_eq!(ledger.get(3), Fate::InFlight);
        let other = Record::Start {
            version: 1,
            input: "x.json".to_owned(),
            bytes: 11,
            crc32: 7,
        };
        assert!(
            Journal::resume(&path, &other).is_err(),
            "a changed input is refused"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
