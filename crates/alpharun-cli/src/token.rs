//! The API token: from `ALPHARUN_API_TOKEN` or `--token-file`, never from an argument (the
//! process list would show it), and never printed.

use std::path::Path;

use anyhow::{Context, Result, bail};

/// The environment variable holding the token.
pub const TOKEN_VAR: &str = "ALPHARUN_API_TOKEN";

/// Reads the token from the file if given, else from the environment.
pub fn read(token_file: Option<&Path>) -> Result<String> {
    let token = match token_file {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the token file {}", path.display()))?,
        None => match std::env::var(TOKEN_VAR) {
            Ok(token) => token,
            Err(_) => bail!(
                "no API token: set {TOKEN_VAR} or pass --token-file PATH (a token is never taken as an argument: the process list would show it)"
            ),
        },
    };
    let token = token.trim().to_owned();
    if token.is_empty() {
        bail!("the API token is empty");
    }
    Ok(token)
}
