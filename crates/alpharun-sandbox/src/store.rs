//! Stored contacts: per job opening, the emails already imported (case-insensitive), kept in
//! memory and, with a data folder, appended to `contacts.jsonl` so that they survive a restart.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use alpharun_server::types::Contact;

use crate::SandboxError;

/// The sandbox's contacts.
#[derive(Debug, Default)]
pub struct Store {
    emails: HashMap<String, HashSet<String>>,
    count: usize,
    file: Option<(File, PathBuf)>,
}

impl Store {
    /// An empty store in memory.
    pub fn in_memory() -> Self {
        Self::default()
    }

    /// The store in `dir/contacts.jsonl`, loaded if it exists.
    pub fn open(dir: &Path) -> Result<Self, SandboxError> {
        let path = dir.join("contacts.jsonl");
        let data = |source| SandboxError::Data {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(data)?;
        let mut store = Self::default();
        if path.exists() {
            let reader = BufReader::new(File::open(&path).map_err(data)?);
            for line in reader.lines() {
                let line = line.map_err(data)?;
                // A line torn by a crash is skipped: its request never got a 200.
                if let Ok(contact) = serde_json::from_str::<Contact>(&line) {
                    store.remember(&contact);
                }
            }
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(data)?;
        store.file = Some((file, path));
        Ok(store)
    }

    fn remember(&mut self, contact: &Contact) {
        self.emails
            .entry(contact.job_opening_id.clone())
            .or_default()
            .insert(contact.email.to_lowercase());
        self.count += 1;
    }

    /// Whether this email is already in the job opening.
    pub fn contains(&self, contact: &Contact) -> bool {
        self.emails
            .get(&contact.job_opening_id)
            .is_some_and(|emails| emails.contains(&contact.email.to_lowercase()))
    }

    /// Stores contacts (written to disk before the reply, when there is a data folder).
    pub fn insert(&mut self, contacts: &[Contact]) -> Result<(), SandboxError> {
        if let Some((file, path)) = &mut self.file {
            let mut text = String::new();
            for contact in contacts {
                text.push_str(&serde_json::to_string(contact).unwrap_or_default());
                text.push('\n');
            }
            file.write_all(text.as_bytes())
                .and_then(|()| file.flush())
                .map_err(|source| SandboxError::Data {
                    path: path.clone(),
                    source,
                })?;
        }
        for contact in contacts {
            self.remember(contact);
        }
        Ok(())
    }

    /// How many contacts are stored.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}
