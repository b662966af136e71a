//! Positions in a file: byte offset, 1-based line and column (columns count characters).

/// Where something starts in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    /// Byte offset from the start of the file.
    pub offset: u64,
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in characters.
    pub column: u64,
}

impl Pos {
    /// The start of a file.
    pub const START: Pos = Pos {
        offset: 0,
        line: 1,
        column: 1,
    };

    /// The position after `byte`.
    pub fn advance(&mut self, byte: u8) {
        self.offset += 1;
        if byte == b'\n' {
            self.line += 1;
            self.column = 1;
        } else if byte & 0xC0 != 0x80 {
            // UTF-8 continuation bytes belong to the character already counted.
            self.column += 1;
        }
    }

    /// The position `len` bytes of `bytes` after this one.
    pub fn after(mut self, bytes: &[u8], len: usize) -> Pos {
        for &byte in &bytes[..len.min(bytes.len())] {
            self.advance(byte);
        }
        self
    }
}
