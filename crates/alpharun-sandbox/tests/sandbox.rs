//! The sandbox on 127.0.0.1, driven by the generated client and by raw HTTP: auth, malformed
//! bodies, per-contact failures, persistence across a restart, and the simulated rate limit.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use alpharun_client::types::Contact;
use alpharun_client::{Client, Error, RetryPolicy};
use alpharun_sandbox::{Config, RateLimit};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TOKEN: &str = "sandbox-test-token";

fn config() -> Config {
    Config {
        address: SocketAddr::from(([127, 0, 0, 1], 0)),
        tokens: vec![TOKEN.to_owned()],
        job_openings: Vec::new(),
        data_dir: None,
        rate_limit: None,
        fail_rate: 0.0,
        latency: Duration::ZERO,
    }
}

async fn start(
    config: Config,
) -> (
    String,
    SocketAddr,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let bound = alpharun_sandbox::bind(config).await.expect("binds");
    let (url, address) = (bound.base_url.clone(), bound.address);
    (url, address, tokio::spawn(bound.serve()))
}

fn client(url: &str, token: &str) -> Client {
    Client::builder()
        .token(token)
        .base_url(url)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client")
}

fn contact(email: &str) -> Contact {
    Contact::new("jo_1", email)
}

#[tokio::test]
async fn a_missing_or_wrong_token_gets_401() {
    let (url, address, _server) = start(config()).await;
    let error = client(&url, "wrong")
        .add_contacts(&[contact("a@example.com")])
        .await
        .expect_err("401");
    assert!(error.is_auth(), "{error}");
    let reply = raw(address, "POST /api/v1/contacts HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n[]").await;
    assert!(reply.starts_with("HTTP/1.1 401"), "{reply}");
    assert!(reply.contains("\"error\":\"unauthorized\""), "{reply}");
}

#[tokio::test]
async fn malformed_json_gets_400_at_once() {
    let (_url, address, _server) = start(config()).await;
    for body in [
        "{not json",
        "{\"email\":\"a@example.com\"}",
        "[{\"email\":1}]",
        "",
    ] {
        let started = Instant::now();
        let request = format!(
            "POST /api/v1/contacts HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {TOKEN}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let reply = raw(address, &request).await;
        assert!(reply.starts_with("HTTP/1.1 400"), "{body}: {reply}");
        assert!(
            reply.contains("application/json") && reply.contains("bad_request"),
            "{reply}"
        );
        assert!(started.elapsed() < Duration::from_secs(2), "{body}: slow");
    }
}

#[tokio::test]
async fn invalid_duplicate_and_unknown_job_contacts_come_back_failed() {
    let mut settings = config();
    settings.job_openings = vec!["jo_1".to_owned()];
    let (url, _address, _server) = start(settings).await;
    let api = client(&url, TOKEN);
    let first = api
        .add_contacts(&[contact("ada@example.com")])
        .await
        .expect("imported");
    assert_eq!(first.successful_imports_count, 1);
    let mut unknown_job = contact("alan@example.com");
    unknown_job.job_opening_id = "jo_nope".to_owned();
    let batch = [
        contact("ADA@example.com"), // already stored (emails compare case-insensitively)
        contact("grace@example.com"), // imported
        contact("grace@example.com"), // twice in one request
        unknown_job,                // unknown job opening
        contact("not-an-email"),    // breaks the schema (sent with validation off)
    ];
    let unchecked = Client::builder()
        .token(TOKEN)
        .base_url(&url)
        .validate_before_send(false)
        .build()
        .expect("client");
    let reply = unchecked.add_contacts(&batch).await.expect("answered");
    assert_eq!(reply.successful_imports_count, 1);
    assert_eq!(reply.failed_imports_count, 4);
    let failed: Vec<&str> = reply
        .failed_contacts
        .iter()
        .map(|c| c.email.as_str())
        .collect();
    assert_eq!(
        failed,
        [
            "ADA@example.com",
            "grace@example.com",
            "alan@example.com",
            "not-an-email"
        ]
    );
}

#[tokio::test]
async fn stored_contacts_survive_a_restart_with_a_data_dir() {
    let dir = std::env::temp_dir().join(format!("alpharun-sandbox-data-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut settings = config();
    settings.data_dir = Some(dir.clone());
    let (url, _address, server) = start(settings.clone()).await;
    client(&url, TOKEN)
        .add_contacts(&[contact("kept@example.com")])
        .await
        .expect("stored");
    server.abort();
    let (url, _address, _server) = start(settings).await;
    let reply = client(&url, TOKEN)
        .add_contacts(&[contact("kept@example.com")])
        .await
        .expect("answered");
    assert_eq!(
        reply.failed_imports_count, 1,
        "the restart remembered the contact"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let mut settings = config();
    settings.rate_limit = Some(RateLimit { per_second: 2.0 });
    let (url, _address, _server) = start(settings).await;
    let api = client(&url, TOKEN);
    let mut limited = None;
    for i in 0..50 {
        if let Err(error) = api
            .add_contacts(&[contact(&format!("p{i}@example.com"))])
            .await
        {
            limited = Some(error);
            break;
        }
    }
    match limited {
        Some(Error::Status {
            status: 429,
            retry_after: Some(wait),
            ..
        }) => assert!(wait >= Duration::from_secs(1)),
        other => panic!("expected a 429 with Retry-After, got {other:?}"),
    }
}

#[tokio::test]
async fn the_fail_rate_answers_503_and_stores_nothing() {
    let mut settings = config();
    settings.fail_rate = 1.0;
    let (url, _address, _server) = start(settings).await;
    let error = client(&url, TOKEN)
        .add_contacts(&[contact("x@example.com")])
        .await
        .expect_err("503");
    assert_eq!(error.status(), Some(503));
    assert!(!error.may_have_been_processed());
}

/// Sends raw bytes and reads the whole reply (the server closes: `connection: close`).
async fn raw(address: SocketAddr, request: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connects");
    stream.write_all(request.as_bytes()).await.expect("writes");
    let mut reply = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut reply)).await;
    String::from_utf8_lossy(&reply).into_owned()
}
