//! The hand-written runtime under the generated client: configuration, sending with safe
//! retries, one error type, validation before send, and batching.
//!
//! Generated code describes each request ([`Request`]) and the API's facts ([`ApiInfo`]); this
//! crate knows nothing about any particular API.
//!
//! # Retries never silently double-send
//!
//! Only requests the server certainly did not process are sent again, with capped exponential
//! backoff and full jitter ([`RetryPolicy`]):
//!
//! - the connection could not be opened (refused, connect timeout): nothing was sent;
//! - `429 Too Many Requests` and `503 Service Unavailable`: the server refused to start. Its
//!   `Retry-After` (seconds or an HTTP date) is honoured up to
//!   [`RetryPolicy::max_retry_after`]; a longer wait returns the error instead.
//!
//! Everything else is returned at once. A timeout, a connection that breaks after the request
//! started going out, `500`, `502`, `504` (and other 5xx but 501/503/505), a 2xx reply that does
//! not decode, or a batch reply whose counts do not add up, mean the server may have processed
//! the request: they come back as [`Error::Uncertain`] (or [`Error::Decode`] /
//! [`Error::Inconsistent`]), for which [`Error::may_have_been_processed`] is true and
//! [`Error::unsettled`] gives back the items that were in the request. Deciding to resend them
//! is the caller's call.
//!
//! # Secrets
//!
//! The token lives in [`Token`], whose `Debug` is redacted; the `Authorization` header is marked
//! sensitive; `tracing` spans (`http_request`: method, path template, attempt, status,
//! duration) never carry bodies, headers or the token.

mod batch;
mod buckets;
mod config;
mod error;
mod retry;
mod secret;
mod send;
mod validate;

pub use buckets::{
    BatchCounts, BatchOptions, BatchOutcome, BatchReply, BatchReport, Fate, Settled,
};
pub use config::{ApiInfo, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, FromRuntime};
pub use error::{Error, Invalid, Op, ReplyBody, SentBody, UncertainCause};
pub use futures_util::stream;
pub use retry::RetryPolicy;
pub use secret::Token;
pub use send::{Request, Runtime, encode_path_segment, scalar_text};
