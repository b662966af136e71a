//! The batch helpers against a pretend Alpharun server on 127.0.0.1: every input contact lands
//! in exactly one bucket, counts add up, and nothing the server saw is sent again.

use std::collections::HashSet;
use std::time::Duration;

use alpharun_client::types::Contact;
use alpharun_client::{BatchOptions, BatchReport, Fate};
use alpharun_client_tests::{FakeAlpharun, client, contacts};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn every_index_once<T>(report: &BatchReport<T>, total: usize) {
    let mut seen = HashSet::new();
    let others = [
        &report.rejected,
        &report.invalid,
        &report.uncertain,
        &report.unsent,
    ];
    for index in report.imported.iter().copied().chain(
        others
            .iter()
            .flat_map(|bucket| bucket.iter().map(|s| s.index)),
    ) {
        assert!(seen.insert(index), "index {index} is in two buckets");
    }
    assert_eq!(seen.len(), total, "some input is in no bucket");
    assert_eq!(report.counts.total(), total);
}

/// 1,050 contacts: a few invalid, a few the server rejects, one batch the server answers 500.
fn mixed_input() -> Vec<Contact> {
    let mut input = contacts(0, 1050);
    for i in [3, 250, 777] {
        input[i].email = format!("broken-{i}");
    }
    for i in [10, 11, 512, 1049] {
        input[i].email = format!("reject{i}@example.com");
    }
    input[640].email = "boom640@example.com".to_owned();
    input
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_contact_lands_in_exactly_one_bucket() {
    let server = MockServer::start().await;
    let fake = FakeAlpharun::default();
    Mock::given(method("POST"))
        .and(path("/contacts"))
        .respond_with(fake.clone())
        .mount(&server)
        .await;
    let input = mixed_input();
    let options = BatchOptions {
        batch_size: 100,
        concurrency: 4,
        ..BatchOptions::default()
    };
    let report = client(&server.uri(), Duration::from_secs(5))
        .add_contacts_batched(input.clone(), &options)
        .await;
    every_index_once(&report, input.len());
    assert_eq!(report.counts.invalid, 3);
    assert_eq!(
        report.invalid.iter().map(|s| s.index).collect::<Vec<_>>(),
        [3, 250, 777]
    );
    assert!(
        report
            .invalid
            .iter()
            .all(|s| matches!(&s.fate, Fate::Invalid(p) if p[0].pointer == "/email"))
    );
    // The 500 batch (indices 600..700 less none invalid) is uncertain as a whole, and contains
    // no rejected contact, so the other rejects are known.
    assert_eq!(report.counts.uncertain, 100);
    assert!(
        report
            .uncertain
            .iter()
            .all(|s| (600..700).contains(&s.index))
    );
    assert_eq!(
        report
            .rejected
            .iter()
            .map(|s| s.index)
            .collect::<HashSet<_>>(),
        HashSet::from([10, 11, 512, 1049])
    );
    assert_eq!(report.counts.imported, 1050 - 3 - 100 - 4);
    assert_eq!(report.counts.unsent, 0);
    // The server saw each valid contact exactly once: nothing was resent, not even the 500 batch.
    let received = fake.received.lock().expect("lock").clone();
    let unique: HashSet<_> = received.iter().collect();
    assert_eq!(received.len(), unique.len(), "a contact was sent twice");
    assert_eq!(received.len(), 1050 - 3);
    // Every imported index is one the server stored.
    let stored = fake.imported.lock().expect("lock").clone();
    assert!(
        report
            .imported
            .iter()
            .all(|&i| stored.contains(&input[i].email))
    );
}

#[tokio::test]
async fn the_stream_form_reports_each_batch_as_it_settles() {
    let server = MockServer::start().await;
    let fake = FakeAlpharun::default();
    Mock::given(method("POST"))
        .and(path("/contacts"))
        .respond_with(fake.clone())
        .mount(&server)
        .await;
    let input = contacts(0, 25);
    let options = BatchOptions {
        batch_size: 10,
        ..BatchOptions::default()
    };
    let mut batches = Vec::new();
    let counts = client(&server.uri(), Duration::from_secs(5))
        .add_contacts_stream(alpharun_runtime_stream(input), &options, |outcome| {
            batches.push((outcome.batch, outcome.settled.len()));
        })
        .await;
    batches.sort_unstable();
    assert_eq!(batches, [(0, 10), (1, 10), (2, 5)]);
    assert_eq!(counts.imported, 25);
}

fn alpharun_runtime_stream(items: Vec<Contact>) -> impl alpharun_client::Stream<Item = Contact> {
    alpharun_client::stream::iter(items)
}

#[tokio::test]
async fn a_401_stops_the_run_and_the_rest_is_unsent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/contacts"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(serde_json::json!({"error": "unauthorized"})),
        )
        .mount(&server)
        .await;
    let options = BatchOptions {
        batch_size: 10,
        concurrency: 1,
        ..BatchOptions::default()
    };
    let report = client(&server.uri(), Duration::from_secs(5))
        .add_contacts_batched(contacts(0, 95), &options)
        .await;
    every_index_once(&report, 95);
    assert_eq!(report.counts.unsent, 95);
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(requests.len(), 1, "nothing is sent after a 401");
}

#[tokio::test]
async fn a_reply_that_does_not_add_up_makes_the_batch_uncertain() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/contacts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "successful_imports_count": 7, "failed_imports_count": 0, "failed_contacts": []
        })))
        .mount(&server)
        .await;
    let report = client(&server.uri(), Duration::from_secs(5))
        .add_contacts_batched(contacts(0, 5), &BatchOptions::default())
        .await;
    every_index_once(&report, 5);
    assert_eq!(report.counts.uncertain, 5);
    assert!(
        matches!(&report.uncertain[0].fate, Fate::Uncertain(e) if e.to_string().contains("does not add up"))
    );
}

#[tokio::test]
async fn stopping_settles_the_rest_as_unsent() {
    let server = MockServer::start().await;
    let fake = FakeAlpharun::default();
    Mock::given(method("POST"))
        .and(path("/contacts"))
        .respond_with(fake.clone())
        .mount(&server)
        .await;
    let options = BatchOptions {
        batch_size: 10,
        concurrency: 1,
        ..BatchOptions::default()
    };
    let stop = options.stop.clone();
    let mut seen = 0;
    let counts = client(&server.uri(), Duration::from_secs(5))
        .add_contacts_stream(
            alpharun_client::stream::iter(contacts(0, 50)),
            &options,
            |outcome| {
                seen += outcome.settled.len();
                stop.store(true, std::sync::atomic::Ordering::SeqCst);
            },
        )
        .await;
    assert_eq!(seen, 50);
    assert_eq!(counts.total(), 50);
    assert!(counts.unsent >= 30, "{counts:?}");
    assert_eq!(fake.received.lock().expect("lock").len(), counts.imported);
}
