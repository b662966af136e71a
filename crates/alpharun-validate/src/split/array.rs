//! The JSON array layout: `[`, contacts separated by commas, `]`, each contact's end found
//! by tracking strings and nesting.

use super::{NeedMore, Splitter, State, is_space};
use std::io::Read;

impl<R: Read> Splitter<R> {
    pub(super) fn step_array(&mut self) -> Result<(), NeedMore> {
        match self.state {
            State::Done => {}
            State::Start => {
                if self.skip_bom()? {
                    self.state = State::Opening;
                }
            }
            State::Opening => {
                match self.after_space()? {
                    Some(b'[') => {
                        self.at += 1;
                        self.state = State::BeforeElement { first: true };
                    }
                    Some(b'{') => self.fail(
                        "expected `[`: a contact file is a JSON array of contacts (for one contact per line, name the file .jsonl)".to_owned(),
                    ),
                    Some(_) => self
                        .fail("expected `[`: a contact file is a JSON array of contacts".to_owned()),
                    None => self
                        .fail("the file is empty: expected a JSON array of contacts".to_owned()),
                }
            }
            State::BeforeElement { first } => match self.after_space()? {
                Some(b']') if first => {
                    self.at += 1;
                    self.state = State::AfterArray;
                }
                Some(b']') => self.fail("trailing comma before `]`".to_owned()),
                Some(_) => self.begin_element(),
                None => self.fail(
                    "unexpected end of file: the array is not closed with `]`".to_owned(),
                ),
            },
            State::InElement => self.scan_element()?,
            State::AfterElement => match self.after_space()? {
                Some(b',') => {
                    self.at += 1;
                    self.state = State::BeforeElement { first: false };
                }
                Some(b']') => {
                    self.at += 1;
                    self.state = State::AfterArray;
                }
                Some(byte) => {
                    let shown = char::from(byte).escape_default().to_string();
                    let message = format!(
                        "expected `,` or `]` after contact {}, found `{shown}`",
                        self.index - 1
                    );
                    self.fail(message);
                }
                None => self.fail(
                    "unexpected end of file: the array is not closed with `]`".to_owned(),
                ),
            },
            State::AfterArray => match self.after_space()? {
                None => self.state = State::Done,
                Some(_) => self.fail("unexpected data after the closing `]`".to_owned()),
            },
        }
        Ok(())
    }

    /// Scans one array element up to a `,`, `]` or space outside strings and nesting.
    fn scan_element(&mut self) -> Result<(), NeedMore> {
        let Some(mut scan) = self.scan else {
            return Ok(());
        };
        let mut at = self.at;
        let mut end = None;
        while at < self.filled {
            if scan.in_string {
                if scan.escaped {
                    scan.escaped = false;
                    if self.buffer[at] == b'\n' {
                        self.newline_at(at);
                    }
                    at += 1;
                    continue;
                }
                match memchr::memchr3(b'"', b'\\', b'\n', &self.buffer[at..self.filled]) {
                    None => at = self.filled,
                    Some(skip) => {
                        at += skip;
                        match self.buffer[at] {
                            b'\\' => scan.escaped = true,
                            b'"' => scan.in_string = false,
                            _ => self.newline_at(at),
                        }
                        at += 1;
                    }
                }
                continue;
            }
            let byte = self.buffer[at];
            match byte {
                b'"' => scan.in_string = true,
                b'{' | b'[' => scan.depth += 1,
                b'}' | b']' if scan.depth > 0 => scan.depth -= 1,
                b',' | b'}' | b']' if scan.depth == 0 => {
                    end = Some(at);
                    break;
                }
                _ if scan.depth == 0 && is_space(byte) => {
                    end = Some(at);
                    break;
                }
                b'\n' => self.newline_at(at),
                _ => {}
            }
            at += 1;
        }
        self.at = at;
        match end {
            Some(end) => {
                self.finish_element(scan, end);
                self.state = State::AfterElement;
                Ok(())
            }
            None if self.eof => {
                self.scan = None;
                let message = format!(
                    "unexpected end of file inside contact {} (it starts at line {}, column {})",
                    self.index, scan.start.line, scan.start.column
                );
                self.fail(message);
                Ok(())
            }
            None => {
                self.scan = Some(scan);
                Err(NeedMore)
            }
        }
    }
}
