//! The sandbox's implementation of the generated `Api` trait, and the app around the generated
//! router (body limit, one log line per request).

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use alpharun_server::types::{ApiError, Contact, ImportResult, SubmittedContact};
use alpharun_server::{AddContactsRequest, AddContactsResponse, Api, Rejection, Reply};
use axum::response::{IntoResponse, Response};

use crate::SandboxError;
use crate::config::Config;
use crate::limit::Bucket;
use crate::store::Store;

/// Largest request body accepted (a batch with big resumes fits).
const BODY_LIMIT: usize = 256 * 1024 * 1024;

/// The sandbox server's state.
pub struct Sandbox {
    config: Config,
    store: Mutex<Store>,
    bucket: Option<Mutex<Bucket>>,
    validator: jsonschema::Validator,
}

impl Sandbox {
    /// Loads the store and compiles the contact schema.
    pub fn new(config: Config) -> Result<Self, SandboxError> {
        if config.tokens.is_empty() {
            return Err(SandboxError::Config(
                "the sandbox needs at least one token (--token T or ALPHARUN_API_TOKEN)".to_owned(),
            ));
        }
        if !(0.0..=1.0).contains(&config.fail_rate) {
            return Err(SandboxError::Config(format!(
                "--fail-rate {} is not a probability between 0 and 1",
                config.fail_rate
            )));
        }
        let schema: serde_json::Value = serde_json::from_str(alpharun_validate::CONTACT_SCHEMA)
            .map_err(|e| SandboxError::Schema(e.to_string()))?;
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| SandboxError::Schema(e.to_string()))?;
        let store = match &config.data_dir {
            Some(dir) => Store::open(dir)?,
            None => Store::in_memory(),
        };
        Ok(Self {
            bucket: config
                .rate_limit
                .map(|limit| Mutex::new(Bucket::new(limit.per_second))),
            config,
            store: Mutex::new(store),
            validator,
        })
    }

    /// How many contacts are stored.
    pub fn stored(&self) -> usize {
        self.store
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    fn error(code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            error: Some(code.to_owned()),
            message: Some(message.into()),
        }
    }

    /// Whether a contact fails: the schema (on the contact as sent), the job opening, or a
    /// duplicate email (in the store, or earlier in this request).
    fn fails(
        &self,
        contact: &Contact,
        as_sent: Option<&serde_json::Value>,
        seen: &mut HashSet<(String, String)>,
        store: &Store,
    ) -> bool {
        let typed;
        let value = match as_sent {
            Some(value) => value,
            None => {
                typed = serde_json::to_value(contact).unwrap_or_default();
                &typed
            }
        };
        if !self.validator.is_valid(value) {
            return true;
        }
        if !self.config.job_openings.is_empty()
            && !self.config.job_openings.contains(&contact.job_opening_id)
        {
            return true;
        }
        let key = (contact.job_opening_id.clone(), contact.email.to_lowercase());
        store.contains(contact) || !seen.insert(key)
    }

    fn import(&self, contacts: Vec<Contact>, raw: &[u8]) -> Reply<AddContactsResponse> {
        // The body decoded as contacts, so it is a JSON array of as many objects.
        let as_sent: Vec<serde_json::Value> = serde_json::from_slice(raw).unwrap_or_default();
        let mut store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        let mut seen = HashSet::new();
        let (mut imported, mut failed) = (Vec::new(), Vec::new());
        for (index, contact) in contacts.into_iter().enumerate() {
            if self.fails(&contact, as_sent.get(index), &mut seen, &store) {
                failed.push(contact);
            } else {
                imported.push(contact);
            }
        }
        if let Err(error) = store.insert(&imported) {
            return AddContactsResponse::Status5xx(500, Self::error("storage", error.to_string()))
                .into();
        }
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let echoed: Vec<SubmittedContact> = failed.iter().map(echo).collect();
        AddContactsResponse::Status200(ImportResult::new(
            count(imported.len()),
            count(echoed.len()),
            echoed,
        ))
        .into()
    }
}

impl Api for Sandbox {
    fn authorize(&self, token: &str) -> bool {
        self.config
            .tokens
            .iter()
            .any(|known| constant_time_eq(known.as_bytes(), token.as_bytes()))
    }

    fn rejected(&self, _operation: &'static str, rejection: Rejection) -> Response {
        let (response, body) = match rejection {
            Rejection::Unauthorized => (
                401,
                Self::error("unauthorized", "missing or invalid bearer token"),
            ),
            Rejection::BadBody(why) => (
                400,
                Self::error(
                    "bad_request",
                    format!("the body is not a JSON array of contacts: {why}"),
                ),
            ),
            Rejection::BadParameter(why) => (400, Self::error("bad_request", why)),
        };
        let response = match response {
            401 => AddContactsResponse::Status401(body),
            _ => AddContactsResponse::Status400(body),
        };
        response.into_response()
    }

    async fn add_contacts(&self, request: AddContactsRequest) -> Reply<AddContactsResponse> {
        if !self.config.latency.is_zero() {
            tokio::time::sleep(self.config.latency).await;
        }
        if let Some(bucket) = &self.bucket {
            let wait = bucket
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(Instant::now());
            if let Err(wait) = wait {
                let seconds = wait.as_secs_f64().ceil().max(1.0);
                return Reply::from(AddContactsResponse::Status429(Self::error(
                    "rate_limited",
                    format!("too many requests; retry in {seconds} s"),
                )))
                .header("retry-after", format!("{seconds}"));
            }
        }
        if self.config.fail_rate > 0.0 && fastrand::f64() < self.config.fail_rate {
            return Reply::from(AddContactsResponse::Status5xx(
                503,
                Self::error(
                    "unavailable",
                    "simulated outage (--fail-rate); nothing was stored",
                ),
            ))
            .header("retry-after", "1");
        }
        self.import(request.body.0, &request.raw_body)
    }
}

/// A contact as sent, for `failed_contacts`.
fn echo(contact: &Contact) -> SubmittedContact {
    SubmittedContact {
        resume: contact.resume.clone(),
        first_name: contact.first_name.clone(),
        last_name: contact.last_name.clone(),
        phone_number: contact.phone_number.clone(),
        custom_fields: contact.custom_fields.clone(),
        interview_custom_fields: contact.interview_custom_fields.clone(),
        ..SubmittedContact::new(contact.job_opening_id.clone(), contact.email.clone())
    }
}

/// Compares without stopping at the first difference, so timing does not reveal a token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The generated router on this sandbox, with a large body limit and a log line per request
/// (method, path, status, time; never headers, so never the token).
pub fn app(sandbox: Arc<Sandbox>) -> axum::Router {
    alpharun_server::router(sandbox)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(log_request))
}

async fn log_request(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    eprintln!(
        "{method} {path} -> {} ({} ms)",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}
