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
        let bytes = &bytes[..len.min(bytes.len())];
        self.offset += bytes.len() as u64;
        match memchr::memrchr(b'\n', bytes) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', bytes).count() as u64;
                self.column = 1 + characters(&bytes[last + 1..]);
            }
            None => self.column += characters(bytes),
        }
        self
    }
}

/// Characters in UTF-8 bytes: every byte but continuation bytes starts one.
pub(crate) fn characters(bytes: &[u8]) -> u64 {
    bytes
        .chunks(256)
        .map(|chunk| {
            if chunk.is_ascii() {
                chunk.len()
            } else {
                chunk.iter().filter(|&&b| b & 0xC0 != 0x80).count()
            }
        })
        .sum::<usize>() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_counts_lines_and_characters_like_advance() {
        let text = "ab\né\n  «x»\tz".as_bytes();
        for len in 0..=text.len() {
            let mut slow = Pos::START;
            for &byte in &text[..len] {
                slow.advance(byte);
            }
            assert_eq!(Pos::START.after(text, len), slow, "after {len} bytes");
        }
    }
}
