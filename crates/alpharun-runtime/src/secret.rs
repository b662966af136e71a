//! The API token: kept out of `Debug`, `Display`, errors and logs.

use std::fmt;
use std::sync::Arc;

use crate::error::Error;

/// A bearer token. Its `Debug` prints `Token(<redacted>)`; it has no `Display`.
#[derive(Clone)]
pub struct Token(Arc<str>);

impl Token {
    /// Checks that the token can go in an HTTP header: not empty, no spaces or control characters.
    pub fn new(token: impl Into<String>) -> Result<Self, Error> {
        let token = token.into();
        let token = token.trim();
        if token.is_empty() {
            return Err(Error::Config("the API token is empty".to_owned()));
        }
        if token
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control() || b >= 0x80)
        {
            // Never echo the token itself, not even a part of it.
            return Err(Error::Config(
                "the API token contains spaces, control or non-ASCII characters".to_owned(),
            ));
        }
        Ok(Self(Arc::from(token)))
    }

    /// The token's text, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_token() {
        let token = Token::new("sk_live_very_secret").expect("a valid token");
        assert_eq!(format!("{token:?}"), "Token(<redacted>)");
    }

    #[test]
    fn rejects_empty_and_spaced_tokens_without_echoing_them() {
        assert!(Token::new("  ").is_err());
        let err = Token::new("abc def").expect_err("a space is refused");
        assert!(!err.to_string().contains("abc"));
    }
}
