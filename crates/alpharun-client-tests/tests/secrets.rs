//! The token never shows: not in any log line (every level, every crate), not in `Debug` or
//! `Display` of the client or of any error.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alpharun_client_tests::{FakeAlpharun, TOKEN, client, contacts};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_token_appears_in_no_log_line_and_no_error() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/contacts"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/contacts"))
        .respond_with(FakeAlpharun::default())
        .mount(&server)
        .await;
    let api = client(&server.uri(), Duration::from_millis(500));
    let mut shown = vec![format!("{api:?}")];
    api.add_contacts(&contacts(0, 2))
        .await
        .expect("ok after a 429");
    let report = api
        .add_contacts_batched(contacts(0, 30), &alpharun_client::BatchOptions::default())
        .await;
    shown.push(format!("{report:?}"));

    for reply in [
        ResponseTemplate::new(401).set_body_string("bad token"),
        ResponseTemplate::new(500),
        ResponseTemplate::new(200).set_body_string("{"),
        ResponseTemplate::new(200).set_delay(Duration::from_secs(2)),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(reply)
            .mount(&server)
            .await;
        let error = client(&server.uri(), Duration::from_millis(500))
            .add_contacts(&contacts(0, 1))
            .await
            .expect_err("fails");
        shown.push(format!("{error}"));
        shown.push(format!("{error:?}"));
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            shown.push(format!("{cause} {cause:?}"));
            source = cause.source();
        }
    }
    drop(_guard);
    let logs = String::from_utf8_lossy(&captured.0.lock().expect("lock")).into_owned();
    assert!(
        logs.contains("http_request"),
        "the spans were captured:\n{logs}"
    );
    assert!(logs.contains("attempt=2"), "the retry was logged:\n{logs}");
    assert!(!logs.contains(TOKEN), "the token leaked into the logs");
    assert!(
        !logs.contains("person0@example.com"),
        "a body leaked into the logs"
    );
    for text in shown {
        assert!(!text.contains(TOKEN), "the token leaked: {text}");
    }
}
