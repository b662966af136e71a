//! The JSON Lines layout: one contact per line, blank lines skipped, spaces around trimmed.

use super::{NeedMore, Splitter, State, is_space};
use std::io::Read;

impl<R: Read> Splitter<R> {
    /// Cuts the next non-blank line.
    pub(super) fn step_lines(&mut self) -> Result<(), NeedMore> {
        match self.state {
            State::Start => {
                if self.skip_bom()? {
                    self.state = State::BeforeElement { first: true };
                }
                Ok(())
            }
            State::BeforeElement { .. } => {
                // Leading spaces, blank lines included, belong to no contact.
                match self.after_space()? {
                    None => self.state = State::Done,
                    Some(_) => self.begin_element(),
                }
                Ok(())
            }
            State::InElement => {
                let Some(scan) = self.scan else {
                    return Ok(());
                };
                let found = memchr::memchr(b'\n', &self.buffer[self.at..self.filled]);
                let end = match found {
                    Some(skip) => self.at + skip,
                    None if self.eof => self.filled,
                    None => {
                        self.at = self.filled;
                        return Err(NeedMore);
                    }
                };
                let line = &self.buffer[scan.begin..end];
                let trimmed = line.len() - line.iter().rev().take_while(|b| is_space(**b)).count();
                self.finish_element(scan, scan.begin + trimmed);
                self.at = end;
                self.state = State::BeforeElement { first: false };
                Ok(())
            }
            State::Opening | State::AfterElement | State::AfterArray | State::Done => Ok(()),
        }
    }
}
