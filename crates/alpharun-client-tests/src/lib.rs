//! Shared helpers for the client's tests: contacts, a client pointed at a local server, and a
//! wiremock responder that plays a small Alpharun server.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alpharun_client::types::Contact;
use alpharun_client::{Client, RetryPolicy};
use wiremock::{Request, Respond, ResponseTemplate};

/// The token every test uses; tests assert it never shows up in output.
pub const TOKEN: &str = "tok_SECRET_4f9c2a7e1b";

/// `n` valid contacts, numbered from `first`.
pub fn contacts(first: usize, n: usize) -> Vec<Contact> {
    (first..first + n)
        .map(|i| {
            let mut contact = Contact::new("jo_1", format!("person{i}@example.com"));
            contact.first_name = Some(format!("Person {i}"));
            contact
        })
        .collect()
}

/// A client for `base_url` with fast retries and the given request timeout.
pub fn client(base_url: &str, timeout: Duration) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(base_url)
        .timeout(timeout)
        .retry_policy(RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(5),
        })
        .build()
        .expect("a valid client")
}

/// A pretend Alpharun server: rejects contacts whose email starts with `reject`, answers 500
/// (after storing the batch) to batches holding an email that starts with `boom`, and records
/// every email it stored and how many times it saw each one.
#[derive(Clone, Default)]
pub struct FakeAlpharun {
    /// Every email received, in order (a contact sent twice appears twice).
    pub received: Arc<Mutex<Vec<String>>>,
    /// Emails the server imported.
    pub imported: Arc<Mutex<HashSet<String>>>,
}

impl Respond for FakeAlpharun {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Ok(batch) = serde_json::from_slice::<Vec<Contact>>(&request.body) else {
            return ResponseTemplate::new(400)
                .set_body_json(serde_json::json!({"error": "bad_request"}));
        };
        let mut received = self
            .received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut imported = self
            .imported
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut failed = Vec::new();
        for contact in &batch {
            received.push(contact.email.clone());
            if contact.email.starts_with("reject") {
                failed.push(contact.clone());
            } else {
                imported.insert(contact.email.clone());
            }
        }
        if batch.iter().any(|c| c.email.starts_with("boom")) {
            return ResponseTemplate::new(500).set_body_string("internal error");
        }
        let reply = serde_json::json!({
            "successful_imports_count": batch.len() - failed.len(),
            "failed_imports_count": failed.len(),
            "failed_contacts": failed,
        });
        ResponseTemplate::new(200).set_body_json(reply)
    }
}
