//! `alpharun sandbox`: a local Alpharun-compatible server to try imports against.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use alpharun_sandbox::{Config, RateLimit};

/// Options of `alpharun sandbox`.
#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// An accepted bearer token (repeatable; default: ALPHARUN_API_TOKEN).
    #[arg(long = "token", value_name = "T")]
    tokens: Vec<String>,
    /// A known job opening (repeatable); contacts for others are rejected. Default: any ID.
    #[arg(long = "job-opening", value_name = "ID")]
    job_openings: Vec<String>,
    /// Keep stored contacts in DIR/contacts.jsonl across restarts (default: in memory).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Answer 429 with Retry-After beyond this many requests per second, e.g. 5/s.
    #[arg(long, value_name = "N/s")]
    rate_limit: Option<RateLimit>,
    /// Answer 503 with Retry-After to this share of requests (0 to 1), storing nothing.
    #[arg(long, default_value_t = 0.0, value_name = "P")]
    fail_rate: f64,
    /// Wait this many milliseconds before each reply.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    latency: u64,
}

pub fn run(args: Args) -> ExitCode {
    let mut tokens = args.tokens;
    if tokens.is_empty() {
        if let Ok(token) = std::env::var(crate::token::TOKEN_VAR) {
            tokens.push(token.trim().to_owned());
        }
    }
    let config = Config {
        address: SocketAddr::new(args.host, args.port),
        tokens,
        job_openings: args.job_openings,
        data_dir: args.data_dir,
        rate_limit: args.rate_limit,
        fail_rate: args.fail_rate,
        latency: Duration::from_millis(args.latency),
    };
    let runtime = match crate::async_runtime(true) {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    runtime.block_on(async move {
        let bound = match alpharun_sandbox::bind(config).await {
            Ok(bound) => bound,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(2);
            }
        };
        eprintln!("alpharun sandbox listening on {}", bound.address);
        eprintln!("  base URL: {}", bound.base_url);
        eprintln!(
            "  try: ALPHARUN_BASE_URL={} alpharun import spec/examples/contacts.jsonl --skip-invalid",
            bound.base_url
        );
        // Tools that start the sandbox read the base URL from this line.
        println!("{}", bound.base_url);
        match bound.serve().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::from(2)
            }
        }
    })
}
