//! Splitting a contact file into contacts without loading it: a JSON array is scanned byte by
//! byte (strings and nesting tracked) and each element handed out with where it starts; JSON
//! Lines hands out one line at a time.

use std::io::BufRead;

use crate::position::Pos;

/// How the contacts are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One JSON array of contacts.
    Array,
    /// One contact per line.
    Lines,
}

/// One contact's raw bytes.
#[derive(Debug)]
pub struct Element {
    /// 0-based index of the contact in the file.
    pub index: usize,
    /// Where it starts.
    pub start: Pos,
    /// Its JSON text.
    pub bytes: Vec<u8>,
}

/// A problem with the file's structure (not with one contact's content).
#[derive(Debug)]
pub struct SyntaxError {
    /// Where.
    pub pos: Pos,
    /// What, for a person.
    pub message: String,
    /// Whether reading can go on (JSON Lines: with the next line).
    pub recoverable: bool,
}

/// What the splitter yields.
#[derive(Debug)]
pub enum Item {
    /// A contact to check.
    Element(Element),
    /// A structural problem.
    Syntax(SyntaxError),
}

/// Splits a reader into contacts.
pub struct Splitter<R> {
    reader: R,
    layout: Layout,
    pos: Pos,
    index: usize,
    state: State,
    /// Buffers handed back for reuse (the parallel validator returns each element's bytes).
    spare: Vec<Vec<u8>>,
}

/// Spare buffers kept at most, and the largest one worth keeping.
const SPARE_COUNT: usize = 512;
const SPARE_CAPACITY: usize = 32 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    /// After `[` or `,`: an element (or, after `[`, `]`) comes next.
    BeforeElement {
        first: bool,
    },
    AfterElement,
    AfterArray,
    Done,
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

impl<R: BufRead> Splitter<R> {
    /// A splitter over `reader`, laid out as `layout`.
    pub fn new(reader: R, layout: Layout) -> Self {
        Self {
            reader,
            layout,
            pos: Pos::START,
            index: 0,
            state: State::Start,
            spare: Vec::new(),
        }
    }

    /// Takes back element buffers to fill again, so that steady-state splitting allocates
    /// nothing.
    pub fn recycle(&mut self, buffers: impl IntoIterator<Item = Vec<u8>>) {
        for buffer in buffers {
            if self.spare.len() >= SPARE_COUNT {
                break;
            }
            if buffer.capacity() <= SPARE_CAPACITY {
                self.spare.push(buffer);
            }
        }
    }

    fn buffer(&mut self) -> Vec<u8> {
        let mut buffer = self.spare.pop().unwrap_or_default();
        buffer.clear();
        buffer
    }

    fn peek(&mut self) -> std::io::Result<Option<u8>> {
        Ok(self.reader.fill_buf()?.first().copied())
    }

    fn bump(&mut self, byte: u8) {
        self.reader.consume(1);
        self.pos.advance(byte);
    }

    fn skip_space(&mut self) -> std::io::Result<Option<u8>> {
        while let Some(byte) = self.peek()? {
            if !is_space(byte) {
                return Ok(Some(byte));
            }
            self.bump(byte);
        }
        Ok(None)
    }

    /// Skips a UTF-8 BOM; a UTF-16 or UTF-32 one is an error (the file must be UTF-8).
    fn skip_bom(&mut self) -> std::io::Result<Option<Item>> {
        let buffer = self.reader.fill_buf()?;
        if buffer.starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.reader.consume(3);
            self.pos.offset += 3;
        } else if buffer.starts_with(&[0xFF, 0xFE]) || buffer.starts_with(&[0xFE, 0xFF]) {
            return Ok(Some(self.fail(
                "the file is UTF-16 (or UTF-32), not UTF-8: save it as UTF-8".to_owned(),
            )));
        }
        Ok(None)
    }

    fn fail(&mut self, message: String) -> Item {
        self.state = State::Done;
        Item::Syntax(SyntaxError {
            pos: self.pos,
            message,
            recoverable: false,
        })
    }

    /// The next contact or problem; `None` at the end.
    pub fn next_item(&mut self) -> std::io::Result<Option<Item>> {
        match self.layout {
            Layout::Array => self.next_in_array(),
            Layout::Lines => self.next_line(),
        }
    }

    fn next_in_array(&mut self) -> std::io::Result<Option<Item>> {
        loop {
            match self.state {
                State::Done => return Ok(None),
                State::Start => {
                    if let Some(item) = self.skip_bom()? {
                        return Ok(Some(item));
                    }
                    match self.skip_space()? {
                        Some(b'[') => {
                            self.bump(b'[');
                            self.state = State::BeforeElement { first: true };
                        }
                        Some(b'{') => {
                            return Ok(Some(self.fail(
                                "expected `[`: a contact file is a JSON array of contacts (for one contact per line, name the file .jsonl)".to_owned(),
                            )));
                        }
                        Some(_) => {
                            return Ok(Some(
                                self.fail(
                                    "expected `[`: a contact file is a JSON array of contacts"
                                        .to_owned(),
                                ),
                            ));
                        }
                        None => {
                            return Ok(Some(self.fail(
                                "the file is empty: expected a JSON array of contacts".to_owned(),
                            )));
                        }
                    }
                }
                State::BeforeElement { first } => match self.skip_space()? {
                    Some(b']') if first => {
                        self.bump(b']');
                        self.state = State::AfterArray;
                    }
                    Some(b']') => {
                        return Ok(Some(self.fail("trailing comma before `]`".to_owned())));
                    }
                    Some(_) => return self.scan_element().map(Some),
                    None => {
                        return Ok(Some(self.fail(
                            "unexpected end of file: the array is not closed with `]`".to_owned(),
                        )));
                    }
                },
                State::AfterElement => match self.skip_space()? {
                    Some(b',') => {
                        self.bump(b',');
                        self.state = State::BeforeElement { first: false };
                    }
                    Some(b']') => {
                        self.bump(b']');
                        self.state = State::AfterArray;
                    }
                    Some(byte) => {
                        let shown = char::from(byte).escape_default().to_string();
                        return Ok(Some(self.fail(format!(
                            "expected `,` or `]` after contact {}, found `{shown}`",
                            self.index - 1
                        ))));
                    }
                    None => {
                        return Ok(Some(self.fail(
                            "unexpected end of file: the array is not closed with `]`".to_owned(),
                        )));
                    }
                },
                State::AfterArray => match self.skip_space()? {
                    None => {
                        self.state = State::Done;
                        return Ok(None);
                    }
                    Some(_) => {
                        return Ok(Some(
                            self.fail("unexpected data after the closing `]`".to_owned()),
                        ));
                    }
                },
            }
        }
    }

    /// Collects one array element: up to a `,`, `]` or space outside strings and nesting.
    /// Works on the reader's buffer directly and jumps through strings with `memchr`, since
    /// strings (resumes above all) are most of a contact file's bytes.
    fn scan_element(&mut self) -> std::io::Result<Item> {
        let start = self.pos;
        let mut bytes = self.buffer();
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        loop {
            let buffer = self.reader.fill_buf()?;
            if buffer.is_empty() {
                self.pos = start.after(&bytes, bytes.len());
                let message = format!(
                    "unexpected end of file inside contact {} (it starts at line {}, column {})",
                    self.index, start.line, start.column
                );
                return Ok(self.fail(message));
            }
            let mut at = 0;
            let mut end = None;
            while at < buffer.len() {
                if in_string {
                    if escaped {
                        escaped = false;
                        at += 1;
                        continue;
                    }
                    match memchr::memchr2(b'"', b'\\', &buffer[at..]) {
                        None => at = buffer.len(),
                        Some(skip) => {
                            at += skip;
                            if buffer[at] == b'\\' {
                                escaped = true;
                            } else {
                                in_string = false;
                            }
                            at += 1;
                        }
                    }
                    continue;
                }
                let byte = buffer[at];
                match byte {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => depth -= 1,
                    b',' | b'}' | b']' if depth == 0 => {
                        end = Some(at);
                        break;
                    }
                    _ if depth == 0 && is_space(byte) => {
                        end = Some(at);
                        break;
                    }
                    _ => {}
                }
                at += 1;
            }
            let take = end.unwrap_or(buffer.len());
            bytes.extend_from_slice(&buffer[..take]);
            self.reader.consume(take);
            if end.is_some() {
                break;
            }
        }
        self.pos = start.after(&bytes, bytes.len());
        let index = self.index;
        self.index += 1;
        self.state = State::AfterElement;
        Ok(Item::Element(Element {
            index,
            start,
            bytes,
        }))
    }

    fn next_line(&mut self) -> std::io::Result<Option<Item>> {
        if self.state == State::Done {
            return Ok(None);
        }
        if self.state == State::Start {
            if let Some(item) = self.skip_bom()? {
                return Ok(Some(item));
            }
            self.state = State::BeforeElement { first: true };
        }
        loop {
            let mut line = self.buffer();
            let read = self.reader.read_until(b'\n', &mut line)?;
            if read == 0 {
                return Ok(None);
            }
            let start = self.pos;
            self.pos = start.after(&line, line.len());
            let leading = line.iter().take_while(|b| is_space(**b)).count();
            if leading == line.len() {
                self.recycle([line]);
                continue;
            }
            let start = start.after(&line, leading);
            let end = line.len() - line.iter().rev().take_while(|b| is_space(**b)).count();
            line.truncate(end);
            line.drain(..leading);
            let bytes = line;
            let index = self.index;
            self.index += 1;
            return Ok(Some(Item::Element(Element {
                index,
                start,
                bytes,
            })));
        }
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
