//! A downstream service in miniature: builds candidates with the generated models and imports
//! them in batches with the generated client, then prints where every one of them went.
//!
//! `ALPHARUN_API_TOKEN=... ALPHARUN_BASE_URL=http://127.0.0.1:4010 cargo run -p downstream-example -- 250`

use std::process::ExitCode;

use alpharun_client::{BatchOptions, Client, Fate};
use alpharun_models::Contact;

#[tokio::main]
async fn main() -> ExitCode {
    let count: usize = match std::env::args().nth(1).map(|n| n.parse()) {
        None => 3,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("usage: downstream-example [NUMBER_OF_CONTACTS]");
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
    // An iterator, not a Vec: a million candidates never sit in memory at once.
    let candidates = (0..count).map(|i| {
        let mut contact = Contact::new("jo_demo", format!("candidate{i}@example.com"));
        contact.first_name = Some(format!("Candidate {i}"));
        contact
    });
    let report = client
        .add_contacts_batched(candidates, &BatchOptions::default())
        .await;
    let c = report.counts;
    println!(
        "{} contacts: {} imported, {} rejected, {} invalid, {} uncertain, {} unsent",
        c.total(),
        c.imported,
        c.rejected,
        c.invalid,
        c.uncertain,
        c.unsent
    );
    for settled in report.uncertain.iter().chain(&report.unsent).take(3) {
        if let Fate::Uncertain(error) | Fate::Unsent(error) = &settled.fate {
            println!("  contact {}: {error}", settled.index);
        }
    }
    // Every contact is accounted for in exactly one bucket; what to do with the uncertain and
    // unsent ones (check, then resend) is the service's decision.
    if c.total() == count {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
