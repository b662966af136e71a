//! A local Alpharun-compatible server for trying imports safely and for tests: the generated
//! `alpharun-server` router on an implementation that behaves like the real API.
//!
//! Bearer tokens are checked (401), bodies that are not an array of contacts get 400 at once,
//! each contact is checked against the generated contact JSON Schema, duplicates of an email
//! already in a job opening and unknown job openings come back in `failed_contacts`, the rest
//! is stored (in memory, or in `DIR/contacts.jsonl` with `--data-dir`). Trouble can be
//! simulated: a rate limit (429 + `Retry-After`), random 503s, added latency.

mod api;
mod config;
mod limit;
mod store;

pub use api::Sandbox;
pub use config::{Config, RateLimit};
pub use store::Store;

use std::net::SocketAddr;
use std::sync::Arc;

/// What can go wrong starting the sandbox.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A setting is not usable.
    #[error("{0}")]
    Config(String),
    /// The data folder could not be read or written.
    #[error("{path}: {source}")]
    Data {
        /// The file.
        path: std::path::PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The contact schema did not compile.
    #[error("the contact schema does not compile: {0}")]
    Schema(String),
}

/// A bound sandbox, ready to serve.
pub struct Bound {
    listener: tokio::net::TcpListener,
    app: axum::Router,
    /// The address it listens on.
    pub address: SocketAddr,
    /// The base URL clients use (`http://ADDRESS/api/v1`).
    pub base_url: String,
}

impl Bound {
    /// Serves until the process ends.
    pub async fn serve(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.app).await
    }
}

/// Loads the store and binds the address.
pub async fn bind(config: Config) -> Result<Bound, SandboxError> {
    let address = config.address;
    let sandbox = Arc::new(Sandbox::new(config)?);
    let app = api::app(sandbox);
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|source| SandboxError::Bind { address, source })?;
    let address = listener
        .local_addr()
        .map_err(|source| SandboxError::Bind { address, source })?;
    Ok(Bound {
        listener,
        app,
        address,
        base_url: format!("http://{address}{}", alpharun_server::BASE_PATH),
    })
}
