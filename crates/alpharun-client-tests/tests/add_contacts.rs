//! `Client::add_contacts` against wiremock on 127.0.0.1: every reply the issue lists, and the
//! retry policy (what is retried, what is never sent twice).

use std::time::Duration;

use alpharun_client::types::Contact;
use alpharun_client::{Error, ReplyBody, UncertainCause};
use alpharun_client_tests::{TOKEN, client, contacts};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TIMEOUT: Duration = Duration::from_secs(5);

async fn server() -> MockServer {
    MockServer::start().await
}

fn contacts_route() -> wiremock::MockBuilder {
    Mock::given(method("POST"))
        .and(path("/contacts"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
}

fn ok_reply(imported: i64, failed: &[Contact]) -> serde_json::Value {
    serde_json::json!({
        "successful_imports_count": imported,
        "failed_imports_count": failed.len(),
        "failed_contacts": failed,
    })
}

#[tokio::test]
async fn a_200_reply_is_decoded_and_the_body_is_the_contacts() {
    let server = server().await;
    let sent = contacts(0, 2);
    contacts_route()
        .and(wiremock::matchers::body_json(&sent))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_reply(2, &[])))
        .expect(1)
        .mount(&server)
        .await;
    let reply = client(&server.uri(), TIMEOUT)
        .add_contacts(&sent)
        .await
        .expect("imported");
    assert_eq!(reply.successful_imports_count, 2);
    assert!(reply.failed_contacts.is_empty());
}

#[tokio::test]
async fn failed_contacts_come_back_typed() {
    let server = server().await;
    let sent = contacts(0, 3);
    contacts_route()
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_reply(2, &sent[1..2])))
        .mount(&server)
        .await;
    let reply = client(&server.uri(), TIMEOUT)
        .add_contacts(&sent)
        .await
        .expect("answered");
    assert_eq!(
        serde_json::to_value(&reply.failed_contacts).expect("json"),
        serde_json::to_value([&sent[1]]).expect("json")
    );
    assert_eq!(reply.failed_imports_count, 1);
}

#[tokio::test]
async fn unknown_reply_fields_are_ignored() {
    let server = server().await;
    let mut body = ok_reply(1, &[]);
    body["request_id"] = serde_json::json!("req_123");
    body["meta"] = serde_json::json!({"took_ms": 12});
    contacts_route()
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let reply = client(&server.uri(), TIMEOUT)
        .add_contacts(&contacts(0, 1))
        .await
        .expect("extra fields must parse");
    assert_eq!(reply.successful_imports_count, 1);
}

#[tokio::test]
async fn a_400_carries_its_json_body_and_is_not_retried() {
    let server = server().await;
    contacts_route()
        .respond_with(
            ResponseTemplate::new(400).set_body_json(
                serde_json::json!({"error": "bad_request", "message": "limit is 100"}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server.uri(), TIMEOUT)
        .add_contacts(&contacts(0, 1))
        .await
        .expect_err("400");
    match &error {
        Error::Status {
            status: 400,
            body,
            attempts: 1,
            ..
        } => {
            assert_eq!(
                **body,
                ReplyBody::Json(
                    serde_json::json!({"error": "bad_request", "message": "limit is 100"})
                )
            );
        }
        other => panic!("expected a 400 status error, got {other:?}"),
    }
    assert!(!error.may_have_been_processed());
    let line = error.to_string();
    assert!(
        line.contains("POST /contacts") && line.contains("400") && line.contains("limit is 100"),
        "{line}"
    );
    assert!(!line.contains('\n'));
}

#[tokio::test]
async fn a_401_is_an_auth_error_sent_once() {
    let server = server().await;
    contacts_route()
        .respond_with(ResponseTemplate::new(401).set_body_string("no such token"))
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server.uri(), TIMEOUT)
        .add_contacts(&contacts(0, 1))
        .await
        .expect_err("401");
    assert!(error.is_auth(), "{error:?}");
    assert_eq!(error.status(), Some(401));
    assert!(
        matches!(&error, Error::Status { body, .. } if **body == ReplyBody::Text("no such token".to_owned()))
    );
}

#[tokio::test]
async fn a_429_with_retry_after_is_retried_after_waiting() {
    let server = server().await;
    contacts_route()
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    contacts_route()
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_reply(1, &[])))
        .expect(1)
        .mount(&server)
        .await;
    let started = std::time::Instant::now();
    let reply = client(&server.uri(), TIMEOUT)
        .add_contacts(&contacts(0, 1))
        .await
        .expect("retried");
    assert_eq!(reply.successful_imports_count, 1);
    // The backoff alone is at most 100 ms here: waiting a second means Retry-After was honoured.
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_returns_the_429() {
    let server = server().await;
    contacts_route()
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server.uri(), TIMEOUT)
        .add_contacts(&contacts(0, 1))
        .await
        .expect_err("gave up");
    assert!(
        matches!(error, Error::Status { status: 429, retry_after: Some(d), .. } if d == Duration::from_secs(3600)),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_503_is_retried_then_succeeds() {
    let server = server().await;
    contacts_route()
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    contacts_route()
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_reply(1, &[])))
        .expect(1)
        .mount(&server)
        .await;
    client(&server.uri(), TIMEOUT)
        .add_contacts(&contacts(0, 1))
        .await
        .expect("retried twice");
}

#[tokio::test]
async fn a_500_is_uncertain_and_never_resent() {
    let server = server().await;
    contacts_route()
        .respond_with(ResponseTemplate::new(500).set_body_string("oops"))
        .expect(1)
        .mount(&server)
        .await;
    let sent = contacts(0, 3);
    let error = client(&server.uri(), TIMEOUT)
        .add_contacts(&sent)
        .await
        .expect_err("500");
    assert!(error.may_have_been_processed());
    assert!(
        matches!(&error, Error::Uncertain { cause, .. } if matches!(**cause, UncertainCause::Status { status: 500, .. }))
    );
    assert_eq!(error.unsettled::<Contact>(), Some(sent));
    assert!(error.to_string().contains("may or may not have processed"));
}

#[tokio::test]
async fn a_502_and_a_504_are_uncertain_too() {
    for status in [502, 504] {
        let server = server().await;
        contacts_route()
            .respond_with(ResponseTemplate::new(status))
            .expect(1)
            .mount(&server)
            .await;
        let error = client(&server.uri(), TIMEOUT)
            .add_contacts(&contacts(0, 1))
            .await
            .expect_err("5xx");
        assert!(error.may_have_been_processed(), "{status}: {error:?}");
    }
}

#[tokio::test]
async fn a_timeout_is_uncertain_and_never_resent() {
    let server = server().await;
    contacts_route()
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(ok_reply(1, &[]))
                .set_delay(Duration::from_secs(3)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let sent = contacts(0, 1);
    let error = client(&server.uri(), Duration::from_millis(300))
        .add_contacts(&sent)
        .await
        .expect_err("timed out");
    assert!(
        matches!(&error, Error::Uncertain { cause, .. } if matches!(**cause, UncertainCause::Timeout(_))),
        "{error:?}"
    );
    assert_eq!(error.unsettled::<Contact>(), Some(sent));
}

#[tokio::test]
async fn a_malformed_reply_is_a_decode_error_with_a_snippet() {
    let server = server().await;
    contacts_route()
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>gateway says hi</html>"))
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server.uri(), TIMEOUT)
        .add_contacts(&contacts(0, 1))
        .await
        .expect_err("not JSON");
    match &error {
        Error::Decode {
            status: 200,
            snippet,
            ..
        } => assert!(snippet.contains("gateway says hi")),
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(error.may_have_been_processed());
}

#[tokio::test]
async fn invalid_contacts_are_refused_before_anything_is_sent() {
    let server = server().await;
    contacts_route()
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_reply(0, &[])))
        .expect(0)
        .mount(&server)
        .await;
    let mut sent = contacts(0, 3);
    sent[1].email = "not-an-email".to_owned();
    sent[2].job_opening_id = String::new();
    sent[2].email = "x@localhost".to_owned();
    let error = client(&server.uri(), TIMEOUT)
        .add_contacts(&sent)
        .await
        .expect_err("invalid");
    let Error::Invalid { problems, .. } = &error else {
        panic!("expected invalid, got {error:?}");
    };
    assert!(
        problems
            .iter()
            .any(|p| p.index == 1 && p.pointer == "/email"),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.index == 2 && p.pointer == "/email"),
        "{problems:?}"
    );
    assert!(problems.iter().all(|p| p.index != 0));
}

#[tokio::test]
async fn validation_can_be_turned_off() {
    let server = server().await;
    contacts_route()
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_reply(0, &[])))
        .expect(1)
        .mount(&server)
        .await;
    let client = alpharun_client::Client::builder()
        .token(TOKEN)
        .base_url(server.uri())
        .validate_before_send(false)
        .build()
        .expect("client");
    let mut sent = contacts(0, 1);
    sent[0].email = "not-an-email".to_owned();
    client.add_contacts(&sent).await.expect("sent unchecked");
}

#[tokio::test]
async fn connection_refused_is_retried_until_the_server_is_up() {
    // Reserve a port, free it, and start the server there only after the first attempts failed.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let client = alpharun_client::Client::builder()
        .token(TOKEN)
        .base_url(format!("http://{address}"))
        .retry_policy(alpharun_client::RetryPolicy {
            // Full jitter can draw short waits: enough retries that they surely span the 250 ms.
            max_retries: 40,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(1),
        })
        .build()
        .expect("client");
    let starter = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let listener = std::net::TcpListener::bind(address).expect("rebind");
        let server = MockServer::builder().listener(listener).start().await;
        contacts_route()
            .respond_with(ResponseTemplate::new(200).set_body_json(ok_reply(1, &[])))
            .expect(1)
            .mount(&server)
            .await;
        server
    });
    let reply = client.add_contacts(&contacts(0, 1)).await;
    let server = starter.await.expect("server task");
    assert_eq!(reply.expect("retried until up").successful_imports_count, 1);
    drop(server);
}

#[tokio::test]
async fn connection_refused_for_good_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let error = client(&format!("http://{address}"), TIMEOUT)
        .add_contacts(&contacts(0, 1))
        .await
        .expect_err("nobody listens");
    assert!(
        matches!(error, Error::Connect { attempts: 4, .. }),
        "{error:?}"
    );
    assert!(!error.may_have_been_processed());
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let error = alpharun_client::Client::builder()
        .token(TOKEN)
        .base_url("http://api.alpharun.com/api/v1")
        .build()
        .expect_err("plain http");
    assert!(error.to_string().contains("use https"), "{error}");
}

#[test]
fn a_client_without_token_is_refused() {
    let error = alpharun_client::Client::builder()
        .build()
        .expect_err("no token");
    assert!(error.to_string().contains("token"), "{error}");
}
