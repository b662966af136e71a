//! Splitting a contact file into blocks of whole contacts without loading it. The file is read
//! into large buffers; a JSON array is scanned (strings and nesting tracked, strings crossed with
//! `memchr`) and JSON Lines cut at newlines. Each block hands its buffer on with the range and
//! position of every contact in it, so no contact is copied on its way to a checker.

use std::io::Read;
use std::ops::Range;

use crate::position::{Pos, characters};

/// How the contacts are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One JSON array of contacts.
    Array,
    /// One contact per line.
    Lines,
}

/// One contact's text, inside its block.
#[derive(Debug, Clone, Copy)]
pub struct Element<'a> {
    /// 0-based index of the contact in the file.
    pub index: usize,
    /// Where it starts.
    pub start: Pos,
    /// Its JSON text.
    pub bytes: &'a [u8],
}

/// A problem with the file's structure (not with one contact's content).
#[derive(Debug, Clone)]
pub struct SyntaxError {
    /// Where.
    pub pos: Pos,
    /// What, for a person.
    pub message: String,
    /// Whether reading can go on (JSON Lines: with the next line).
    pub recoverable: bool,
}

/// Where one contact is in its block.
#[derive(Debug, Clone)]
pub struct Span {
    /// 0-based index of the contact in the file.
    pub index: usize,
    /// Where it starts in the file.
    pub start: Pos,
    /// Its bytes in the block.
    pub range: Range<usize>,
}

/// What a block holds, in file order.
#[derive(Debug)]
pub enum Piece {
    /// A contact.
    Element(Span),
    /// A structural problem.
    Syntax(SyntaxError),
}

/// A run of the file and the pieces in it. `bytes` may be longer than the run (it is a recycled
/// buffer): only the ranges of its pieces mean anything.
#[derive(Debug, Default)]
pub struct Block {
    /// The buffer.
    pub bytes: Vec<u8>,
    /// Contacts and problems, in file order.
    pub pieces: Vec<Piece>,
}

impl Block {
    /// The contact at `span`, one of this block's pieces.
    pub fn element(&self, span: &Span) -> Element<'_> {
        Element {
            index: span.index,
            start: span.start,
            bytes: &self.bytes[span.range.clone()],
        }
    }
}

/// Bytes a block's buffer holds; a contact longer than that grows its buffer.
pub const BLOCK_BYTES: usize = 256 * 1024;
/// Spare buffers kept for reuse.
const SPARE_COUNT: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    /// After the BOM, if any: `[` comes next.
    Opening,
    /// After `[` or `,`: an element (or, after `[`, `]`) comes next.
    BeforeElement {
        first: bool,
    },
    /// Inside an element (array) or a line (JSON Lines), scanned up to `Scan::at`.
    InElement,
    AfterElement,
    AfterArray,
    Done,
}

/// How far the scan of the current element has got, kept across reads so that no byte is
/// scanned twice however long the element is.
#[derive(Debug, Clone, Copy)]
struct Scan {
    begin: usize,
    start: Pos,
    depth: usize,
    in_string: bool,
    escaped: bool,
}

/// The scanner ran out of read bytes and needs more.
struct NeedMore;

/// Splits a reader into blocks of contacts.
pub struct Splitter<R> {
    reader: R,
    layout: Layout,
    /// The block being built: `buffer[..filled]` is read, `buffer[..at]` scanned.
    buffer: Vec<u8>,
    filled: usize,
    at: usize,
    /// File offset of `buffer[0]`.
    base: u64,
    eof: bool,
    state: State,
    scan: Option<Scan>,
    pieces: Vec<Piece>,
    index: usize,
    /// Newlines scanned so far, and the file offset just after the last one.
    line: u64,
    line_start: u64,
    /// The last position handed out (file offset, column): columns are counted from there, so
    /// that no byte is counted twice on a long line.
    mark: (u64, u64),
    spare: Vec<Vec<u8>>,
    block_bytes: usize,
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

impl<R: Read> Splitter<R> {
    /// A splitter over `reader`, laid out as `layout`.
    pub fn new(reader: R, layout: Layout) -> Self {
        Self {
            reader,
            layout,
            buffer: Vec::new(),
            filled: 0,
            at: 0,
            base: 0,
            eof: false,
            state: State::Start,
            scan: None,
            pieces: Vec::new(),
            index: 0,
            line: 1,
            line_start: 0,
            mark: (0, 1),
            spare: Vec::new(),
            block_bytes: BLOCK_BYTES,
        }
    }

    /// Blocks of about `bytes` instead of [`BLOCK_BYTES`] (tests use tiny ones to make every
    /// contact cross a block boundary).
    #[cfg(test)]
    pub(crate) fn with_block_bytes(mut self, bytes: usize) -> Self {
        self.block_bytes = bytes.max(1);
        self
    }

    /// Takes back block buffers to fill again, so that steady-state splitting allocates
    /// nothing.
    pub fn recycle(&mut self, buffer: Vec<u8>) {
        if self.spare.len() < SPARE_COUNT && buffer.capacity() <= 2 * self.block_bytes {
            self.spare.push(buffer);
        }
    }

    /// The next block (with at least one piece); `None` at the end.
    pub fn next_block(&mut self) -> std::io::Result<Option<Block>> {
        loop {
            let step = match self.layout {
                Layout::Array => self.step_array(),
                Layout::Lines => self.step_lines(),
            };
            match step {
                Ok(()) if self.state == State::Done => return Ok(self.cut()),
                Ok(()) => {}
                Err(NeedMore) => {
                    if self.filled == self.buffer.len() && !self.pieces.is_empty() {
                        return Ok(self.cut());
                    }
                    self.read_more()?;
                }
            }
        }
    }

    /// Reads into the buffer, growing it only when one contact fills it.
    fn read_more(&mut self) -> std::io::Result<()> {
        if self.filled == self.buffer.len() {
            let grown = (self.buffer.len() * 2).max(self.block_bytes);
            self.buffer.resize(grown, 0);
        }
        loop {
            match self.reader.read(&mut self.buffer[self.filled..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(read) => {
                    self.filled += read;
                    return Ok(());
                }
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
    }

    /// Ends the block at the first byte not yet handed out; what follows moves to a fresh
    /// buffer.
    fn cut(&mut self) -> Option<Block> {
        if self.pieces.is_empty() {
            return None;
        }
        if self.scan.is_none() {
            // Columns are counted on from the mark, which must not fall behind the new buffer.
            self.pos();
        }
        let keep_from = self.scan.map_or(self.at, |scan| scan.begin);
        let tail = self.filled - keep_from;
        let mut next = self.spare.pop().unwrap_or_default();
        if next.len() < tail.max(self.block_bytes) {
            next.resize(tail.max(self.block_bytes), 0);
        }
        next[..tail].copy_from_slice(&self.buffer[keep_from..self.filled]);
        if let Some(scan) = self.scan.as_mut() {
            scan.begin -= keep_from;
        }
        self.at -= keep_from;
        self.filled = tail;
        self.base += keep_from as u64;
        Some(Block {
            bytes: std::mem::replace(&mut self.buffer, next),
            pieces: std::mem::take(&mut self.pieces),
        })
    }

    /// The position of `buffer[at]`, where the scan is.
    fn pos(&mut self) -> Pos {
        let offset = self.base + self.at as u64;
        let column = if self.line_start > self.mark.0 {
            let from = (self.line_start - self.base) as usize;
            1 + characters(&self.buffer[from..self.at])
        } else {
            let from = (self.mark.0 - self.base) as usize;
            self.mark.1 + characters(&self.buffer[from..self.at])
        };
        self.mark = (offset, column);
        Pos {
            offset,
            line: self.line,
            column,
        }
    }

    fn newline_at(&mut self, at: usize) {
        self.line += 1;
        self.line_start = self.base + at as u64 + 1;
    }

    fn fail(&mut self, message: String) {
        let pos = self.pos();
        self.state = State::Done;
        self.pieces.push(Piece::Syntax(SyntaxError {
            pos,
            message,
            recoverable: false,
        }));
    }

    /// The next byte that is not a space (consuming the spaces); `None` at the end.
    fn after_space(&mut self) -> Result<Option<u8>, NeedMore> {
        while self.at < self.filled {
            let byte = self.buffer[self.at];
            if !is_space(byte) {
                return Ok(Some(byte));
            }
            if byte == b'\n' {
                self.newline_at(self.at);
            }
            self.at += 1;
        }
        if self.eof { Ok(None) } else { Err(NeedMore) }
    }

    /// Skips a UTF-8 BOM; a UTF-16 or UTF-32 one is an error (the file must be UTF-8).
    fn skip_bom(&mut self) -> Result<bool, NeedMore> {
        if self.filled < 3 && !self.eof {
            return Err(NeedMore);
        }
        let head = &self.buffer[..self.filled];
        if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.at = 3;
            self.mark = (3, 1);
        } else if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
            self.fail("the file is UTF-16 (or UTF-32), not UTF-8: save it as UTF-8".to_owned());
            return Ok(false);
        }
        Ok(true)
    }

    /// Starts scanning a contact at the first byte not yet scanned.
    fn begin_element(&mut self) {
        let start = self.pos();
        self.scan = Some(Scan {
            begin: self.at,
            start,
            depth: 0,
            in_string: false,
            escaped: false,
        });
        self.state = State::InElement;
    }

    fn finish_element(&mut self, scan: Scan, end: usize) {
        self.scan = None;
        self.pieces.push(Piece::Element(Span {
            index: self.index,
            start: scan.start,
            range: scan.begin..end,
        }));
        self.index += 1;
    }
}

/// Tells the layout from the file name, else from the first byte that is not a space or BOM.
pub fn detect_layout(name: &str, head: &[u8]) -> Layout {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
        return Layout::Lines;
    }
    if lower.ends_with(".json") {
        return Layout::Array;
    }
    let head = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
    match head.iter().find(|b| !is_space(**b)) {
        Some(b'{') => Layout::Lines,
        _ => Layout::Array,
    }
}

mod array;
mod lines;
#[cfg(test)]
mod tests;
