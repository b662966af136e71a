//! Sending one request: URL, auth, timeout, and the retry loop that only ever resends a request
//! the server certainly did not process.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::Url;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::error::{Error, Op, ReplyBody, SentBody, UncertainCause, snippet};
use crate::retry::{RetryPolicy, parse_retry_after};
use crate::secret::Token;
use crate::validate::Validators;

/// A built client's settings.
pub(crate) struct Settings {
    pub http: reqwest::Client,
    pub base_url: Arc<Url>,
    pub token: Option<Token>,
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub validate: bool,
}

/// The configured runtime under a generated client. Cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    pub(crate) settings: Arc<Settings>,
    pub(crate) validators: Arc<Validators>,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("base_url", &self.settings.base_url.as_str())
            .field("token", &self.settings.token)
            .field("timeout", &self.settings.timeout)
            .field("retry", &self.settings.retry)
            .field("validate", &self.settings.validate)
            .finish_non_exhaustive()
    }
}

/// One request, as the generated code describes it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The operation (method and path template).
    pub op: Op,
    /// The path with its parameters filled in and percent-encoded (see [`encode_path_segment`]).
    pub path: String,
    /// Query pairs, in order.
    pub query: Vec<(&'static str, String)>,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
    /// The JSON body, serialized once so that a retry sends the very same bytes.
    pub body: Option<SentBody>,
}

impl Request {
    /// A request without parameters or body.
    pub fn new(op: Op, path: String) -> Self {
        Self {
            op,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// Sets a JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body).map_err(|source| Error::Encode {
            op: self.op.clone(),
            source,
        })?;
        self.body = Some(SentBody(Bytes::from(bytes)));
        Ok(self)
    }
}

/// Percent-encodes one path parameter so that `/`, `?` or `#` in a value stay inside it.
pub fn encode_path_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A query or header value from any serializable scalar (enums give their wire name).
pub fn scalar_text<T: Serialize + ?Sized>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

impl Runtime {
    pub(crate) fn new(settings: Settings) -> Self {
        Self {
            settings: Arc::new(settings),
            validators: Arc::new(Validators::default()),
        }
    }

    /// Sends the request (retrying only what certainly was not processed) and decodes a 2xx
    /// reply as `R`.
    pub async fn execute_json<R: DeserializeOwned>(&self, request: Request) -> Result<R, Error> {
        let op = request.op.clone();
        let (status, bytes) = self.execute(request).await?;
        serde_json::from_slice(&bytes).map_err(|source| Error::Decode {
            op,
            status,
            snippet: snippet(&bytes, 200),
            source,
        })
    }

    /// Sends the request and returns a 2xx reply's status and raw body.
    pub async fn execute(&self, request: Request) -> Result<(u16, Bytes), Error> {
        let settings = &self.settings;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let span = tracing::info_span!(
                "http_request",
                method = request.op.method,
                path = request.op.path,
                attempt,
                status = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            let started = Instant::now();
            let outcome = self.attempt(&request).instrument(span.clone()).await;
            let elapsed = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            span.record("duration_ms", elapsed);
            if let Ok((status, _, _)) | Err(Failure::Answer { status, .. }) = &outcome {
                span.record("status", *status);
            }
            let retry = attempt <= settings.retry.max_retries;
            let failure = match outcome {
                Ok((status, _, bytes)) => {
                    span.in_scope(|| tracing::info!("done"));
                    return Ok((status, bytes));
                }
                Err(failure) => failure,
            };
            let wait = match &failure {
                Failure::Answer {
                    status: 429 | 503,
                    retry_after,
                    ..
                } if retry => settings.retry.delay(attempt, *retry_after),
                Failure::Connect(_) if retry => settings.retry.delay(attempt, None),
                _ => None,
            };
            if let Some(wait) = wait {
                span.in_scope(|| {
                    tracing::warn!(wait_ms = wait.as_millis() as u64, "not processed; retrying");
                });
                tokio::time::sleep(wait).await;
                continue;
            }
            span.in_scope(|| tracing::warn!("failed"));
            return Err(failure.into_error(&request, attempt, settings.timeout));
        }
    }

    async fn attempt(&self, request: &Request) -> Result<(u16, Option<Duration>, Bytes), Failure> {
        let settings = &self.settings;
        let mut url = settings.base_url.as_ref().clone();
        let path = format!("{}{}", url.path().trim_end_matches('/'), request.path);
        url.set_path(&path);
        if !request.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &request.query {
                pairs.append_pair(name, value);
            }
        }
        let method = reqwest::Method::from_bytes(request.op.method.as_bytes())
            .map_err(|_| Failure::Method)?;
        let mut builder = settings.http.request(method, url).timeout(settings.timeout);
        if let Some(token) = &settings.token {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                .map_err(|_| Failure::Method)?;
            value.set_sensitive(true);
            builder = builder.header(AUTHORIZATION, value);
        }
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.0.clone());
        }
        let response = builder.send().await.map_err(Failure::from_send)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let bytes = response.bytes().await;
        if (200..300).contains(&status) {
            return match bytes {
                Ok(bytes) => Ok((status, retry_after, bytes)),
                // The server answered 2xx, so it processed the request; the reply is lost.
                Err(error) if error.is_timeout() => Err(Failure::Timeout),
                Err(error) => Err(Failure::Broken(error)),
            };
        }
        let body = match bytes {
            Ok(bytes) => ReplyBody::from_bytes(&bytes),
            Err(_) => ReplyBody::Text("(the body could not be read)".to_owned()),
        };
        Err(Failure::Answer {
            status,
            retry_after,
            body,
        })
    }
}

/// What one attempt ran into, before deciding on a retry.
enum Failure {
    /// The method or auth header could not be built (a generator or token bug).
    Method,
    /// The request was not built or not started.
    Build(reqwest::Error),
    /// The connection could not be opened: nothing was sent.
    Connect(reqwest::Error),
    /// The request timed out after it may have been sent.
    Timeout,
    /// The connection broke after the request may have been sent.
    Broken(reqwest::Error),
    /// A non-2xx reply.
    Answer {
        status: u16,
        retry_after: Option<Duration>,
        body: ReplyBody,
    },
}

impl Failure {
    fn from_send(error: reqwest::Error) -> Self {
        if error.is_connect() {
            Self::Connect(error)
        } else if error.is_builder() {
            Self::Build(error)
        } else if error.is_timeout() {
            Self::Timeout
        } else {
            Self::Broken(error)
        }
    }

    fn into_error(self, request: &Request, attempts: u32, timeout: Duration) -> Error {
        let op = request.op.clone();
        let sent = request.body.clone().unwrap_or(SentBody(Bytes::new()));
        let uncertain = |cause| Error::Uncertain {
            op: op.clone(),
            cause: Box::new(cause),
            sent: sent.clone(),
        };
        match self {
            Self::Method => Error::Config(format!("{op}: the method or auth header is not valid")),
            Self::Build(source) => Error::Transport { op, source },
            Self::Connect(source) => Error::Connect {
                op,
                attempts,
                source,
            },
            Self::Timeout => uncertain(UncertainCause::Timeout(timeout)),
            Self::Broken(source) => uncertain(UncertainCause::Transport(source)),
            // 501 and 505 say the server did not even try; other 5xx may come after processing.
            Self::Answer { status, body, .. }
                if status >= 500 && !matches!(status, 501 | 503 | 505) =>
            {
                uncertain(UncertainCause::Status { status, body })
            }
            Self::Answer {
                status,
                retry_after,
                body,
            } => Error::Status {
                op,
                status,
                body: Box::new(body),
                retry_after,
                attempts,
            },
        }
    }
}
