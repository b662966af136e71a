//! The splitter against the definition of its output: every contact's bytes and position are
//! those of the file at that offset, whatever the block size and however the reads fall.

use std::io::Read;

use proptest::prelude::*;

use super::*;

/// A reader that hands out at most `step` bytes per read, as pipes do.
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(out.len()).min(self.bytes.len());
        out[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

#[derive(Debug, PartialEq)]
enum Seen {
    Element(usize, Pos, Vec<u8>),
    Syntax(Pos, String),
}

fn split(bytes: &[u8], layout: Layout, block: usize, step: usize) -> Vec<Seen> {
    let reader = Trickle { bytes, step };
    let mut splitter = Splitter::new(reader, layout).with_block_bytes(block);
    let mut seen = Vec::new();
    while let Some(block) = splitter.next_block().expect("in memory") {
        for piece in &block.pieces {
            seen.push(match piece {
                Piece::Element(span) => {
                    let element = block.element(span);
                    Seen::Element(element.index, element.start, element.bytes.to_vec())
                }
                Piece::Syntax(s) => Seen::Syntax(s.pos, s.message.clone()),
            });
        }
        splitter.recycle(block.bytes);
    }
    seen
}

fn check_against_file(bytes: &[u8], seen: &[Seen]) {
    let mut next_index = 0;
    for item in seen {
        match item {
            Seen::Element(index, start, text) => {
                assert_eq!(*index, next_index);
                next_index += 1;
                let offset = start.offset as usize;
                assert_eq!(&bytes[offset..offset + text.len()], text.as_slice());
                assert_eq!(*start, Pos::START.after(bytes, offset), "contact {index}");
            }
            Seen::Syntax(pos, _) => {
                assert_eq!(*pos, Pos::START.after(bytes, pos.offset as usize));
            }
        }
    }
}

fn json_ish() -> impl Strategy<Value = Vec<u8>> {
    let pieces: Vec<&[u8]> = vec![
        b"[",
        b"]",
        b"{",
        b"}",
        b",",
        b":",
        b"\"",
        b"\\",
        b"\\\"",
        b" ",
        b"\n",
        b"\r\n",
        b"\t",
        b"\"k\"",
        b"\"\xc3\xa9\xe2\x82\xac\"",
        b"1",
        b"null",
        b"{\"a\":\"b\"}",
        b"\xff",
    ];
    prop::collection::vec(prop::sample::select(pieces), 0..60).prop_map(|parts| parts.concat())
}

#[test]
fn a_small_file_splits_into_its_contacts() {
    let text = b"[\n  {\"a\": \"x,]\\\"\"},\n  {\"b\": [1, {\"c\": 2}]}\n]\n";
    let seen = split(text, Layout::Array, 8, 3);
    check_against_file(text, &seen);
    assert_eq!(seen.len(), 2);
    let lines = b"{\"a\":1}\n\n  {\"b\":2}  \r\n{\"c\":3}";
    let seen = split(lines, Layout::Lines, 4, 2);
    check_against_file(lines, &seen);
    assert_eq!(seen.len(), 3);
}

#[test]
fn a_bom_is_skipped_and_columns_count_from_after_it() {
    let seen = split(b"\xef\xbb\xbf[{}]", Layout::Array, 2, 1);
    assert_eq!(
        seen,
        [Seen::Element(
            0,
            Pos {
                offset: 4,
                line: 1,
                column: 2
            },
            b"{}".to_vec()
        )]
    );
}

proptest! {
    #[test]
    fn pieces_are_the_file_at_their_positions(bytes in json_ish(), block in 1..64usize, step in 1..9usize) {
        for layout in [Layout::Array, Layout::Lines] {
            let whole = split(&bytes, layout, BLOCK_BYTES, usize::MAX);
            check_against_file(&bytes, &whole);
            prop_assert_eq!(split(&bytes, layout, block, step), whole);
        }
    }
}
