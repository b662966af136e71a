//! The sandbox's settings.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// How the sandbox behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen (127.0.0.1 by default).
    pub address: SocketAddr,
    /// Accepted bearer tokens (at least one).
    pub tokens: Vec<String>,
    /// Known job openings; empty means any ID is accepted.
    pub job_openings: Vec<String>,
    /// Where stored contacts survive a restart; `None` keeps them in memory.
    pub data_dir: Option<PathBuf>,
    /// Requests per second before answering 429.
    pub rate_limit: Option<RateLimit>,
    /// Probability (0..=1) of answering 503 instead of processing.
    pub fail_rate: f64,
    /// Added to every reply.
    pub latency: Duration,
}

/// `N/s`: at most N requests per second (a token bucket of N).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests per second.
    pub per_second: f64,
}

impl FromStr for RateLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let number = text.trim().strip_suffix("/s").unwrap_or(text.trim());
        match number.parse::<f64>() {
            Ok(per_second) if per_second > 0.0 && per_second.is_finite() => Ok(Self { per_second }),
            _ => Err(format!("`{text}` is not a rate such as 5/s")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse() {
        assert_eq!(
            "5/s".parse::<RateLimit>(),
            Ok(RateLimit { per_second: 5.0 })
        );
        assert_eq!(
            "0.5".parse::<RateLimit>(),
            Ok(RateLimit { per_second: 0.5 })
        );
        assert!("0/s".parse::<RateLimit>().is_err());
        assert!("fast".parse::<RateLimit>().is_err());
    }
}
