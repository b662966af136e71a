//! The one error type of the client: what a caller needs to act, in one readable line.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use serde::de::DeserializeOwned;

/// An operation, as `POST /contacts` (the path template, never values or query strings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// The spec's path template.
    pub path: &'static str,
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// The body of a non-2xx reply: parsed JSON when it is JSON, text otherwise.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplyBody {
    /// A JSON body.
    Json(serde_json::Value),
    /// Anything else, as (lossy UTF-8) text.
    Text(String),
}

impl ReplyBody {
    pub(crate) fn from_bytes(bytes: &[u8]) -> Self {
        match serde_json::from_slice(bytes) {
            Ok(value) => Self::Json(value),
            Err(_) => Self::Text(String::from_utf8_lossy(bytes).into_owned()),
        }
    }
}

impl fmt::Display for ReplyBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Self::Json(value) => value.to_string(),
            Self::Text(text) if text.trim().is_empty() => "(empty body)".to_owned(),
            Self::Text(text) => text.split_whitespace().collect::<Vec<_>>().join(" "),
        };
        f.write_str(&snippet(text.as_bytes(), 300))
    }
}

/// One item that failed validation before sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The item's index in the caller's list (the batch helpers use the index in the whole input).
    pub index: usize,
    /// JSON pointer inside the item (`/email`; empty for the item itself).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "item {} at {pointer}: {}", self.index, self.message)
    }
}

/// The request body that was sent when the outcome became uncertain. Its `Debug` shows only the
/// size: it holds personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct SentBody(pub(crate) Bytes);

impl fmt::Debug for SentBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SentBody({} bytes)", self.0.len())
    }
}

/// Why the outcome of a request is unknown.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UncertainCause {
    /// No complete reply within the request timeout.
    #[error("no reply within {0:?}")]
    Timeout(Duration),
    /// The server answered 500, 502, 504 or another 5xx that may follow processing.
    #[error("the server answered {status}: {body}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The reply body.
        body: ReplyBody,
    },
    /// The connection failed after the request started going out (reset, closed, broken body).
    #[error("the connection failed after the request went out: {0}")]
    Transport(#[source] reqwest::Error),
}

/// Everything that can go wrong calling the API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client is misconfigured (missing token, bad base URL...). Nothing was sent.
    #[error("configuration: {0}")]
    Config(String),
    /// Items failed the JSON Schema before sending. Nothing was sent.
    #[error("{op}: {} invalid item(s), nothing was sent; first: {}", .problems.len(), first(.problems))]
    Invalid {
        /// The operation.
        op: Op,
        /// Every problem found, in item order.
        problems: Vec<Invalid>,
    },
    /// The body could not be serialized (a value JSON cannot hold). Nothing was sent.
    #[error("{op}: could not encode the body: {source}")]
    Encode {
        /// The operation.
        op: Op,
        /// What serde said.
        #[source]
        source: serde_json::Error,
    },
    /// The server answered with a status that means the request was not processed (4xx, 501,
    /// 503), after any retries.
    #[error("{op}: the server answered {status}{}: {body}", retry_note(*.retry_after))]
    Status {
        /// The operation.
        op: Op,
        /// The HTTP status.
        status: u16,
        /// The reply body.
        body: Box<ReplyBody>,
        /// The server's `Retry-After`, if it sent one.
        retry_after: Option<Duration>,
        /// How many times the request was sent.
        attempts: u32,
    },
    /// The connection could not be made: the request certainly did not reach the server.
    #[error("{op}: could not connect after {attempts} attempt(s): {source}")]
    Connect {
        /// The operation.
        op: Op,
        /// How many connections were tried.
        attempts: u32,
        /// What the transport said.
        #[source]
        source: reqwest::Error,
    },
    /// The request could not be built or started (nothing reached the server).
    #[error("{op}: could not send: {source}")]
    Transport {
        /// The operation.
        op: Op,
        /// What the transport said.
        #[source]
        source: reqwest::Error,
    },
    /// A 2xx reply that does not decode as the documented type. The server did process the
    /// request; what it did is unknown.
    #[error("{op}: the {status} reply does not decode: {source}; it starts with {snippet:?}")]
    Decode {
        /// The operation.
        op: Op,
        /// The HTTP status.
        status: u16,
        /// The first bytes of the reply, as text.
        snippet: String,
        /// What serde said.
        #[source]
        source: serde_json::Error,
    },
    /// A batch reply that does not add up (counts that disagree with the batch, rejected items
    /// that were not in it): which items were imported is unknown.
    #[error("{op}: the reply does not add up: {detail}")]
    Inconsistent {
        /// The operation.
        op: Op,
        /// What disagrees.
        detail: String,
    },
    /// The request was not sent: the run stopped before it (an earlier 401, or the caller
    /// asked to stop).
    #[error("{op}: not sent: {reason}")]
    NotSent {
        /// The operation.
        op: Op,
        /// Why.
        reason: String,
    },
    /// The server may or may not have processed the request; it is not retried automatically.
    #[error("{op}: outcome unknown, the server may or may not have processed the request: {cause}")]
    Uncertain {
        /// The operation.
        op: Op,
        /// Why it is unknown.
        #[source]
        cause: Box<UncertainCause>,
        /// The body that was sent, so that the caller knows which items are in doubt.
        sent: SentBody,
    },
}

impl Error {
    /// Whether the server may have processed the request (so sending it again could duplicate).
    pub fn may_have_been_processed(&self) -> bool {
        matches!(
            self,
            Self::Uncertain { .. } | Self::Decode { .. } | Self::Inconsistent { .. }
        )
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } | Self::Decode { status, .. } => Some(*status),
            Self::Uncertain { cause, .. } => match **cause {
                UncertainCause::Status { status, .. } => Some(status),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether the server refused the credentials (401 or 403): nothing else will succeed.
    pub fn is_auth(&self) -> bool {
        matches!(self.status(), Some(401 | 403)) && !self.may_have_been_processed()
    }

    /// For [`Error::Uncertain`]: the items of the array body that was sent, whose fate is
    /// unknown.
    pub fn unsettled<T: DeserializeOwned>(&self) -> Option<Vec<T>> {
        match self {
            Self::Uncertain { sent, .. } => serde_json::from_slice(&sent.0).ok(),
            _ => None,
        }
    }
}

fn first(problems: &[Invalid]) -> String {
    problems
        .first()
        .map(ToString::to_string)
        .unwrap_or_default()
}

fn retry_note(retry_after: Option<Duration>) -> String {
    retry_after.map_or_else(String::new, |d| format!(" (Retry-After {} s)", d.as_secs()))
}

/// The first `max` bytes of a reply as one line of text, cut at a character boundary.
pub(crate) fn snippet(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.len() <= max {
        return text.into_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}
