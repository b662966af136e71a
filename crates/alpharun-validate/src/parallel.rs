//! `validate` on every core: one thread splits the file into batches of contacts, workers parse
//! and check them, and the calling thread puts the results back in file order, runs the
//! file-wide duplicate check and reports. Channels are bounded, so memory stays flat.

use std::io::BufRead;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};

use crate::beyond::Duplicates;
use crate::checker::{Examined, SharedPrepare, examine_only, note_duplicate, structure_problem};
use crate::error::ValidateError;
use crate::problem::{Problem, Severity};
use crate::rules::Rules;
use crate::split::{Block, Layout, Piece, Splitter};
use crate::{Options, Summary};

type Job = (u64, std::io::Result<Block>);
type Done = (u64, std::io::Result<Vec<Outcome>>);

enum Outcome {
    Contact(Examined),
    Structure { problem: Problem, fatal: bool },
}

/// Validates with `workers` checking threads (at least 1) plus a splitting thread.
pub fn validate_parallel(
    file: &str,
    reader: impl BufRead + Send,
    layout: Layout,
    options: Options<'_>,
    workers: usize,
    report: &mut dyn FnMut(Problem),
) -> Result<Summary, ValidateError> {
    let rules = Rules::new()?;
    let stop = AtomicBool::new(false);
    let (job_tx, job_rx) = sync_channel::<Job>(workers);
    // Owned by the workers only: when the last one ends, a splitter blocked on a full channel
    // is released.
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (done_tx, done_rx) = sync_channel::<Done>(workers * 2);
    let (spare_tx, spare_rx) = sync_channel::<Vec<u8>>(workers * 2);
    std::thread::scope(|scope| {
        let stop = &stop;
        scope.spawn(move || split(reader, layout, &job_tx, &spare_rx, stop));
        for _ in 0..workers.max(1) {
            let done_tx = done_tx.clone();
            let spare_tx = spare_tx.clone();
            let job_rx = Arc::clone(&job_rx);
            let rules = &rules;
            let prepare = options.prepare;
            scope.spawn(move || {
                work(file, layout, rules, prepare, &job_rx, &done_tx, &spare_tx);
            });
        }
        drop(done_tx);
        drop(spare_tx);
        drop(job_rx);
        let result = gather(file, layout, options.max_errors, &done_rx, report);
        // Whatever happened, the other threads stop: no more batches are wanted.
        stop.store(true, Ordering::SeqCst);
        drop(done_rx);
        result
    })
}

fn split(
    reader: impl BufRead,
    layout: Layout,
    jobs: &SyncSender<Job>,
    spares: &Receiver<Vec<u8>>,
    stop: &AtomicBool,
) {
    let mut splitter = Splitter::new(reader, layout);
    let mut sequence = 0;
    loop {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        while let Ok(buffer) = spares.try_recv() {
            splitter.recycle(buffer);
        }
        let job = match splitter.next_block() {
            Ok(Some(block)) => Ok(block),
            Ok(None) => return,
            Err(error) => Err(error),
        };
        let failed = job.is_err();
        if jobs.send((sequence, job)).is_err() || failed {
            return;
        }
        sequence += 1;
    }
}

fn work(
    file: &str,
    layout: Layout,
    rules: &Rules,
    prepare: Option<SharedPrepare<'_>>,
    jobs: &Mutex<Receiver<Job>>,
    done: &SyncSender<Done>,
    spares: &SyncSender<Vec<u8>>,
) {
    loop {
        let job = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok((sequence, block)) = job else {
            return;
        };
        let outcomes = block.map(|block| {
            let outcomes = block
                .pieces
                .iter()
                .map(|piece| match piece {
                    Piece::Element(span) => Outcome::Contact(examine_only(
                        file,
                        layout,
                        rules,
                        prepare,
                        &block.element(span),
                    )),
                    Piece::Syntax(syntax) => Outcome::Structure {
                        fatal: !syntax.recoverable,
                        problem: structure_problem(file, syntax.clone()),
                    },
                })
                .collect::<Vec<_>>();
            // Hand the buffer back to the splitter; if it has enough, it is simply freed.
            let _ = spares.try_send(block.bytes);
            outcomes
        });
        if done.send((sequence, outcomes)).is_err() {
            return;
        }
    }
}

/// Puts batches back in order and reports, as the sequential walk would.
fn gather(
    file: &str,
    layout: Layout,
    max_errors: Option<usize>,
    done: &Receiver<Done>,
    report: &mut dyn FnMut(Problem),
) -> Result<Summary, ValidateError> {
    let mut summary = Summary::default();
    let mut duplicates = Duplicates::default();
    let mut waiting = std::collections::BTreeMap::new();
    let mut next = 0;
    while let Ok((sequence, outcomes)) = done.recv() {
        waiting.insert(sequence, outcomes);
        while let Some(outcomes) = waiting.remove(&next) {
            next += 1;
            let mut outcomes = outcomes.map_err(|source| ValidateError::Read {
                file: file.to_owned(),
                source,
            })?;
            // By reference: an outcome is a few hundred bytes, and moving a million of them
            // showed up in profiles.
            for outcome in &mut outcomes {
                if max_errors.is_some_and(|max| summary.errors >= max) {
                    summary.stopped_early = true;
                    return Ok(summary);
                }
                match outcome {
                    Outcome::Structure { problem, fatal } => {
                        summary.errors += 1;
                        summary.stopped_early |= *fatal;
                        report(problem.clone());
                        if *fatal {
                            return Ok(summary);
                        }
                    }
                    Outcome::Contact(examined) => {
                        note_duplicate(file, &mut duplicates, examined);
                        let checked = &mut examined.checked;
                        summary.contacts += 1;
                        let errors = checked
                            .problems
                            .iter()
                            .filter(|p| p.severity == Severity::Error)
                            .count();
                        summary.errors += errors;
                        summary.warnings += checked.problems.len() - errors;
                        summary.invalid_contacts += usize::from(errors > 0);
                        for problem in checked.problems.drain(..) {
                            report(problem);
                        }
                        if examined.fatal || (checked.value.is_none() && layout == Layout::Array) {
                            summary.stopped_early = true;
                            return Ok(summary);
                        }
                    }
                }
            }
        }
    }
    Ok(summary)
}
