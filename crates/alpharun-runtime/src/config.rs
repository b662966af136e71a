//! Building a client: token, base URL, timeouts, retries, user agent, or the caller's own
//! `reqwest::Client`. What is specific to an API comes from the generated code as [`ApiInfo`].

use std::marker::PhantomData;
use std::net::IpAddr;
use std::sync::{Arc, Once};
use std::time::Duration;

use reqwest::Url;

use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::secret::Token;
use crate::send::Runtime;

/// What the generator read from the spec: nothing about an API is written into this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiInfo {
    /// The spec's title, for messages.
    pub title: &'static str,
    /// The first `servers` URL, if the spec has one.
    pub default_base_url: Option<&'static str>,
    /// Whether requests carry `Authorization: Bearer <token>`.
    pub bearer_auth: bool,
    /// The prefix of the environment variables read by `from_env` (`ALPHARUN` ->
    /// `ALPHARUN_API_TOKEN`, `ALPHARUN_BASE_URL`).
    pub env_prefix: &'static str,
    /// The default `User-Agent` (crate name and version).
    pub user_agent: &'static str,
}

/// Implemented by the generated `Client`: how to wrap a configured runtime.
pub trait FromRuntime: Sized {
    /// The API's facts.
    const API: ApiInfo;
    /// Wraps the runtime.
    fn from_runtime(runtime: Runtime) -> Self;
}

/// The default request timeout: a whole request, sending a batch and reading the reply.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The default timeout to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A builder for the generated client `C`.
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder<C> {
    token: Option<Token>,
    token_error: Option<Error>,
    base_url: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
    validate: bool,
    client: PhantomData<fn() -> C>,
}

impl<C: FromRuntime> Default for ClientBuilder<C> {
    fn default() -> Self {
        Self {
            token: None,
            token_error: None,
            base_url: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: RetryPolicy::default(),
            user_agent: None,
            http: None,
            validate: true,
            client: PhantomData,
        }
    }
}

impl<C: FromRuntime> ClientBuilder<C> {
    /// A builder with the defaults: the spec's base URL, 60 s request and 10 s connect
    /// timeouts, [`RetryPolicy::default`], validation before send on.
    pub fn new() -> Self {
        Self::default()
    }

    /// The API token (sent as `Authorization: Bearer ...`; never logged or printed).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        match Token::new(token) {
            Ok(token) => self.token = Some(token),
            Err(error) => self.token_error = Some(error),
        }
        self
    }

    /// The base URL, such as `https://api.example.com/api/v1`. Plain `http://` is accepted only
    /// for loopback addresses.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// The timeout of a whole request. When it passes, the outcome is uncertain.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The timeout to open a connection (a request that never connected is safe to retry).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How requests that certainly were not processed are retried.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Your own `reqwest::Client` (proxies, custom roots...). The connect timeout and user agent
    /// of this builder then do not apply; the request timeout still does.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Whether bodies are checked against the spec's JSON Schema before sending (default on).
    pub fn validate_before_send(mut self, validate: bool) -> Self {
        self.validate = validate;
        self
    }

    /// Reads `<PREFIX>_API_TOKEN` and, if set, `<PREFIX>_BASE_URL`.
    pub fn from_env(mut self) -> Result<Self, Error> {
        let prefix = C::API.env_prefix;
        let token_var = format!("{prefix}_API_TOKEN");
        match std::env::var(&token_var) {
            Ok(token) => self.token = Some(Token::new(token)?),
            Err(_) if C::API.bearer_auth => {
                return Err(Error::Config(format!(
                    "{token_var} is not set (or not UTF-8); export your {} token in it",
                    C::API.title
                )));
            }
            Err(_) => {}
        }
        if let Ok(url) = std::env::var(format!("{prefix}_BASE_URL")) {
            if !url.trim().is_empty() {
                self.base_url = Some(url);
            }
        }
        Ok(self)
    }

    /// Checks everything and builds the client.
    pub fn build(self) -> Result<C, Error> {
        if let Some(error) = self.token_error {
            return Err(error);
        }
        if C::API.bearer_auth && self.token.is_none() {
            return Err(Error::Config(
                "no API token: call `.token(...)` or use `from_env()`".to_owned(),
            ));
        }
        let raw_url = self
            .base_url
            .as_deref()
            .or(C::API.default_base_url)
            .ok_or_else(|| {
                Error::Config("the spec has no server URL: call `.base_url(...)`".to_owned())
            })?;
        let base_url = check_base_url(raw_url)?;
        let http = match self.http {
            Some(http) => http,
            None => {
                install_crypto_provider();
                reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .user_agent(self.user_agent.as_deref().unwrap_or(C::API.user_agent))
                    .build()
                    .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?
            }
        };
        Ok(C::from_runtime(Runtime::new(crate::send::Settings {
            http,
            base_url,
            token: self.token,
            timeout: self.timeout,
            retry: self.retry,
            validate: self.validate,
        })))
    }
}

/// rustls needs one crypto provider per process; ring builds faster than aws-lc on small
/// machines. An application that installed its own keeps it.
fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _already_installed = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Parses the base URL; refuses plain `http://` to anything but loopback (a token would travel
/// in clear text) and URLs with credentials, queries or fragments.
pub(crate) fn check_base_url(raw: &str) -> Result<Arc<Url>, Error> {
    let trimmed = raw.trim().trim_end_matches('/');
    let url = Url::parse(trimmed)
        .map_err(|e| Error::Config(format!("base URL `{trimmed}` is not a URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config(
            "the base URL must not carry a user name or password; use the token".to_owned(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "base URL `{trimmed}` must not have a query or fragment"
        )));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(Error::Config(format!(
                "base URL `{trimmed}` is plain http to a host that is not loopback; the token would travel unencrypted: use https"
            )));
        }
        other => {
            return Err(Error::Config(format!(
                "base URL `{trimmed}` has scheme `{other}`; use https (or http to 127.0.0.1)"
            )));
        }
    }
    Ok(Arc::new(url))
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "https://api.example.com/api/v1/",
            "http://127.0.0.1:8080",
            "http://localhost:3000/api",
            "http://[::1]:9000",
        ] {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.example.com",
            "http://10.0.0.1",
            "ftp://127.0.0.1",
            "https://user:pw@example.com",
            "https://example.com/?x=1",
            "not a url",
        ] {
            let err = check_base_url(bad).expect_err(bad).to_string();
            assert!(err.starts_with("configuration: "), "{bad}: {err}");
        }
    }
}
