//! `alpharun import`: validate the whole input, then send it in batches with the client crate,
//! journaling every step, and write every contact that did not get in to a failed file.

mod failed;
mod feed;
mod finish;
mod input;
mod journal;
mod ledger;
mod progress;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use alpharun_client::{BatchOptions, Client};
use alpharun_validate::detect_layout;
use anyhow::{Context, Result, bail};

use feed::{Feed, Session};
use finish::{Outcome, finish};
use input::{Fill, Precheck, checker, precheck};
use journal::{Journal, Record};
use ledger::{Buckets, Fate, Ledger};
use progress::Progress;

/// Options of `alpharun import`.
#[derive(clap::Args)]
pub struct Args {
    /// Contact files: a JSON array or JSON Lines (not standard input: the journal and the failed
    /// file go beside the input).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The API's base URL (default: `ALPHARUN_BASE_URL`, else the spec's server).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Read the API token from this file (default: the `ALPHARUN_API_TOKEN` variable).
    #[arg(long, value_name = "PATH")]
    token_file: Option<PathBuf>,
    /// Contacts per request.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    batch_size: u32,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    concurrency: u32,
    /// Fill this job opening ID into contacts that have none.
    #[arg(long, value_name = "ID")]
    job_opening_id: Option<String>,
    /// Replace a different job opening ID already in a contact (else that is an error).
    #[arg(long, requires = "job_opening_id")]
    override_job_opening_id: bool,
    /// Validate and show the batches; send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Where to write the contacts that did not get in (default: FILE.failed.json[l] beside
    /// the input; only with one FILE).
    #[arg(long, value_name = "PATH")]
    failed_out: Option<PathBuf>,
    /// Continue an interrupted import from its journal: acknowledged contacts are not sent again.
    #[arg(long)]
    resume: bool,
    /// With --resume: send again the contacts whose outcome was unknown (they may be duplicated).
    #[arg(long, requires = "resume")]
    resend_uncertain: bool,
    /// Send the valid contacts even if some are invalid (those go to the failed file).
    #[arg(long)]
    skip_invalid: bool,
    /// Seconds before a request times out (its contacts are then uncertain).
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    timeout: u64,
}

pub fn run(args: &Args) -> ExitCode {
    if args.failed_out.is_some() && args.files.len() > 1 {
        eprintln!(
            "error: --failed-out takes one input file; without it each input gets its own failed file"
        );
        return ExitCode::from(2);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let runtime = match crate::async_runtime(false) {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let mut total = Buckets::default();
    let mut fatal = false;
    for file in &args.files {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        match runtime.block_on(import_one(args, file, &stop)) {
            Ok(outcome) => {
                total.imported += outcome.buckets.imported;
                total.rejected += outcome.buckets.rejected;
                total.invalid += outcome.buckets.invalid;
                total.uncertain += outcome.buckets.uncertain;
                total.unsent += outcome.buckets.unsent;
                fatal |= outcome.fatal;
            }
            Err(error) => {
                eprintln!("error: {error:#}");
                fatal = true;
            }
        }
    }
    if fatal || (total.total() > 0 && total.imported == 0 && !args.dry_run) {
        ExitCode::from(2)
    } else if total.imported == total.total() || args.dry_run {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

async fn import_one(args: &Args, path: &Path, stop: &Arc<AtomicBool>) -> Result<Outcome> {
    let started = Instant::now();
    if path.as_os_str() == "-" {
        bail!(
            "import reads files, not standard input: the journal and the failed file go beside the input"
        );
    }
    let head = read_head(path)?;
    let layout = detect_layout(&path.to_string_lossy(), &head);
    let fill = Fill {
        job_opening_id: args.job_opening_id.clone(),
        replace: args.override_job_opening_id,
    };
    let name = path.display();
    let check = precheck(path, layout, &fill, 10)?;
    if let Some(problem) = &check.fatal {
        eprintln!("{problem}");
        bail!(
            "{name} cannot be read past line {}; fix it (alpharun validate {name}) and run again: nothing was sent",
            problem.pos.line
        );
    }
    if !check.invalid.is_empty() && !args.skip_invalid {
        for problem in &check.shown {
            eprintln!("{problem}");
        }
        bail!(
            "{name}: {} of {} contacts are invalid, so nothing was sent. See them all with `alpharun validate {name}`; fix them, or pass --skip-invalid to import the others and write the invalid ones to the failed file",
            check.invalid.len(),
            check.contacts
        );
    }
    if check.warnings > 0 {
        eprintln!(
            "{name}: {} warning(s); `alpharun validate {name}` lists them",
            check.warnings
        );
    }
    let journal_path = Journal::path_for(path);
    let failed_path = args
        .failed_out
        .clone()
        .unwrap_or_else(|| failed::default_path(path, layout));
    let start = Record::Start {
        version: 1,
        input: path.display().to_string(),
        bytes: check.bytes,
        crc32: check.crc32,
    };
    let (journal, mut ledger) = open_journal(args, &journal_path, &start)?;
    let to_send = sendable(&check, &ledger).count();
    if args.dry_run {
        dry_run(args, &check, &ledger, to_send);
        return Ok(Outcome {
            buckets: Buckets::default(),
            fatal: false,
        });
    }
    let Some(journal) = journal else {
        bail!("internal error: no journal outside a dry run");
    };
    let client = build_client(args)?;
    eprintln!(
        "{name}: sending {to_send} of {} contacts in batches of {} ({} at a time); journal {}",
        check.contacts,
        args.batch_size,
        args.concurrency,
        journal.path().display()
    );
    for index in check.invalid.iter().copied() {
        ledger.set(
            index,
            Fate::Invalid,
            Some("invalid (see `alpharun validate`)"),
        );
    }
    let session = Rc::new(RefCell::new(Session::new(
        ledger,
        journal,
        Progress::new(to_send as u64),
    )));
    let feed = Feed {
        checker: checker(path, layout, &fill)?,
        session: Rc::clone(&session),
        batch_size: args.batch_size as usize,
        buffer: VecDeque::new(),
    };
    let options = BatchOptions {
        batch_size: args.batch_size as usize,
        concurrency: args.concurrency as usize,
        stop: Arc::clone(stop),
    };
    let ctrl_c = watch_ctrl_c(Arc::clone(stop));
    let handler_session = Rc::clone(&session);
    client
        .add_contacts_stream(
            alpharun_client::stream::iter(feed),
            &options,
            move |outcome| {
                handler_session.borrow_mut().settle(outcome);
            },
        )
        .await;
    ctrl_c.abort();
    let Ok(session) = Rc::try_unwrap(session).map(RefCell::into_inner) else {
        bail!("internal error: the import session is still shared");
    };
    finish(
        path,
        layout,
        &fill,
        &check,
        session,
        &failed_path,
        started,
        stop,
    )
}

fn open_journal(
    args: &Args,
    journal_path: &Path,
    start: &Record,
) -> Result<(Option<Journal>, Ledger)> {
    let exists = journal_path.exists();
    match (exists, args.resume, args.dry_run) {
        (true, false, _) => bail!(
            "{} exists: an earlier import of this file was started. Run with --resume to continue it (acknowledged contacts are not sent again), or delete the journal to start over",
            journal_path.display()
        ),
        (true, true, true) => {
            let (journal, ledger) = Journal::resume(journal_path, start)?;
            drop(journal);
            Ok((None, reopen(args, ledger)))
        }
        (true, true, false) => {
            let (journal, ledger) = Journal::resume(journal_path, start)?;
            Ok((Some(journal), reopen(args, ledger)))
        }
        (false, _, true) => Ok((None, Ledger::default())),
        (false, _, false) => Ok((
            Some(Journal::create(journal_path, start)?),
            Ledger::default(),
        )),
    }
}

/// What a resumed run does with the previous run's loose ends.
fn reopen(args: &Args, mut ledger: Ledger) -> Ledger {
    ledger.in_flight_to_uncertain(
        "the previous run stopped while it was being sent: the server may have it",
    );
    ledger.reopen(Fate::Unsent);
    if args.resend_uncertain {
        ledger.reopen(Fate::Uncertain);
    }
    ledger
}

/// The contacts this run will send: valid, and not yet settled (or certainly not processed).
fn sendable<'a>(check: &'a Precheck, ledger: &'a Ledger) -> impl Iterator<Item = usize> + 'a {
    (0..check.contacts)
        .filter(|i| matches!(ledger.get(*i), Fate::Pending | Fate::Unsent))
        .filter(|i| check.invalid.binary_search(i).is_err())
}

fn dry_run(args: &Args, check: &Precheck, ledger: &Ledger, to_send: usize) {
    let batch = args.batch_size as usize;
    let batches = to_send.div_ceil(batch);
    let base = args
        .base_url
        .clone()
        .or_else(|| std::env::var("ALPHARUN_BASE_URL").ok())
        .unwrap_or_else(|| "the spec's server".to_owned());
    println!(
        "dry run: {} contacts, {} invalid{}; would send {to_send} in {batches} batch(es) of up to {batch}, {} at a time, to {base}. Nothing was sent.",
        check.contacts,
        check.invalid.len(),
        if args.skip_invalid { " (skipped)" } else { "" },
        args.concurrency,
    );
    let mut sendable = sendable(check, ledger);
    for number in 0..batches.min(20) {
        let group: Vec<usize> = sendable.by_ref().take(batch).collect();
        if let (Some(first), Some(last)) = (group.first(), group.last()) {
            println!(
                "  batch {}: {} contacts, #{first} to #{last}",
                number + 1,
                group.len()
            );
        }
    }
    if batches > 20 {
        println!("  ... {} more batch(es)", batches - 20);
    }
}

fn build_client(args: &Args) -> Result<Client> {
    let token = crate::token::read(args.token_file.as_deref())?;
    // The feed hands out only contacts the validate engine has just checked against the same
    // generated schema; checking them again in the client would be the same work twice.
    let mut builder = Client::builder()
        .token(token)
        .timeout(Duration::from_secs(args.timeout.max(1)))
        .validate_before_send(false);
    let base_url = args.base_url.clone().or_else(|| {
        std::env::var("ALPHARUN_BASE_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
    });
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    builder.build().context("cannot set up the API client")
}

fn read_head(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut head = vec![0; 4096];
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let n = file
        .read(&mut head)
        .with_context(|| format!("cannot read {}", path.display()))?;
    head.truncate(n);
    Ok(head)
}

/// Ctrl-C stops sending: requests in flight finish, the journal is written. A second Ctrl-C
/// quits at once (what was in flight is then uncertain on `--resume`).
fn watch_ctrl_c(stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop.store(true, Ordering::SeqCst);
            eprintln!("\nstopping: waiting for the requests in flight (Ctrl-C again to quit now)");
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    })
}
