//! Import progress: a bar on a terminal (settled/total, imported, not imported, rate, ETA), a
//! quiet line every few seconds when piped.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::ledger::Fate;

/// Progress of one input.
pub struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    settled: u64,
    imported: u64,
    not_imported: u64,
    started: Instant,
    last_line: Instant,
}

const LINE_EVERY: Duration = Duration::from_secs(5);

impl Progress {
    /// Progress over `total` contacts to send.
    pub fn new(total: u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{bar:30} {pos}/{len} contacts  {msg}  {per_sec}  eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        let now = Instant::now();
        Self {
            bar,
            total,
            settled: 0,
            imported: 0,
            not_imported: 0,
            started: now,
            last_line: now,
        }
    }

    /// One contact settled.
    pub fn settled(&mut self, fate: Fate) {
        self.settled += 1;
        if fate == Fate::Imported {
            self.imported += 1;
        } else {
            self.not_imported += 1;
        }
        match &self.bar {
            Some(bar) => {
                bar.set_position(self.settled);
                bar.set_message(format!(
                    "imported {}, not imported {}",
                    self.imported, self.not_imported
                ));
            }
            None if self.last_line.elapsed() >= LINE_EVERY => {
                self.last_line = Instant::now();
                eprintln!("{}", self.line());
            }
            None => {}
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn line(&self) -> String {
        let seconds = self.started.elapsed().as_secs_f64().max(0.001);
        format!(
            "progress: {}/{} contacts settled (imported {}, not imported {}), {:.0}/s",
            self.settled,
            self.total,
            self.imported,
            self.not_imported,
            self.settled as f64 / seconds
        )
    }
}
