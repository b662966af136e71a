//! The end of one input's import: the journal's last record, the failed file, and the summary
//! with the four buckets and where to look next.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::Result;

use super::failed;
use super::feed::Session;
use super::input::{Fill, Precheck};
use super::journal::Record;
use super::ledger::Buckets;

/// How one input ended.
pub struct Outcome {
    pub buckets: Buckets,
    pub fatal: bool,
}

#[allow(clippy::too_many_arguments)]
pub fn finish(
    path: &Path,
    layout: alpharun_validate::Layout,
    fill: &Fill,
    check: &Precheck,
    session: Session,
    failed_path: &Path,
    started: Instant,
    stop: &AtomicBool,
) -> Result<Outcome> {
    let Session {
        ledger,
        mut journal,
        progress,
        failure,
        auth_refused,
        ..
    } = session;
    progress.finish();
    let buckets = ledger.buckets(check.contacts);
    journal.write(&Record::Finished { buckets })?;
    let failed = failed::write(path, layout, fill, &ledger, failed_path)?;
    let name = path.display();
    if let Some(message) = &auth_refused {
        eprintln!(
            "error: the server refused the token, so nothing more was sent: {message}. Check {} or --token-file",
            crate::token::TOKEN_VAR
        );
    }
    if stop.load(Ordering::SeqCst) {
        eprintln!("stopped: requests in flight finished; run again with --resume to send the rest");
    }
    if let Some(error) = &failure {
        eprintln!("error: {error:#}");
    }
    eprintln!(
        "{name}: {} contacts: {} imported, {} rejected by the server, {} invalid, {} uncertain, {} unsent ({:.1} s)",
        buckets.total(),
        buckets.imported,
        buckets.rejected,
        buckets.invalid,
        buckets.uncertain,
        buckets.unsent,
        started.elapsed().as_secs_f64()
    );
    if failed > 0 {
        eprintln!(
            "  failed file: {} ({failed} contacts, each with its reason in `_alpharun_error`)",
            failed_path.display()
        );
    }
    eprintln!("  journal: {}", journal.path().display());
    if buckets.uncertain > 0 {
        eprintln!(
            "  uncertain contacts may have reached the server; check before sending them again (`--resume --resend-uncertain` resends them)"
        );
    }
    Ok(Outcome {
        buckets,
        fatal: failure.is_some() || auth_refused.is_some(),
    })
}
