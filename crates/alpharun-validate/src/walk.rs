//! The one-contact-at-a-time walk over a file, for callers that need each parsed contact (the
//! import sends them): split into blocks, then each contact parsed, adjusted and checked.

use std::io::BufRead;

use crate::beyond::Duplicates;
use crate::checker::{Prepare, Step, examine, note_duplicate, structure_problem};
use crate::error::ValidateError;
use crate::rules::Rules;
use crate::split::{Block, Layout, Piece, Splitter};

/// Walks a contact file, one contact after the other.
pub struct Checker<R> {
    file: String,
    splitter: Splitter<R>,
    rules: Rules,
    duplicates: Duplicates,
    layout: Layout,
    prepare: Option<Prepare>,
    /// The block being walked, and its pieces not yet walked (reversed, to pop).
    block: Block,
    finished: bool,
}

impl<R: BufRead> Checker<R> {
    /// A walk over `reader`, the file named `file` (as the user wrote it).
    pub fn new(file: &str, reader: R, layout: Layout) -> Result<Self, ValidateError> {
        Ok(Self {
            file: file.to_owned(),
            splitter: Splitter::new(reader, layout),
            rules: Rules::new()?,
            duplicates: Duplicates::default(),
            layout,
            prepare: None,
            block: Block::default(),
            finished: false,
        })
    }

    /// Adjusts every contact with `prepare` before checking it.
    #[must_use]
    pub fn with_prepare(mut self, prepare: Prepare) -> Self {
        self.prepare = Some(prepare);
        self
    }

    /// The next piece of the file, reading a block when the last one is used up.
    fn next_piece(&mut self) -> Result<Option<Piece>, ValidateError> {
        loop {
            if let Some(piece) = self.block.pieces.pop() {
                return Ok(Some(piece));
            }
            self.splitter.recycle(std::mem::take(&mut self.block).bytes);
            let block = self
                .splitter
                .next_block()
                .map_err(|source| ValidateError::Read {
                    file: self.file.clone(),
                    source,
                })?;
            let Some(mut block) = block else {
                return Ok(None);
            };
            block.pieces.reverse();
            self.block = block;
        }
    }

    /// The next contact or structural problem; `None` at the end of the file.
    pub fn next_step(&mut self) -> Result<Option<Step>, ValidateError> {
        if self.finished {
            return Ok(None);
        }
        let Some(piece) = self.next_piece()? else {
            self.finished = true;
            return Ok(None);
        };
        Ok(Some(match piece {
            Piece::Syntax(syntax) => {
                self.finished |= !syntax.recoverable;
                let fatal = !syntax.recoverable;
                Step::Structure {
                    problem: structure_problem(&self.file, syntax),
                    fatal,
                }
            }
            Piece::Element(span) => {
                let element = self.block.element(&span);
                let mut examined = examine(
                    &self.file,
                    self.layout,
                    &self.rules,
                    self.prepare.as_deref_mut().map(|p| p as _),
                    &element,
                );
                self.finished |= examined.fatal;
                note_duplicate(&self.file, &mut self.duplicates, &mut examined);
                Step::Contact(examined.checked)
            }
        }))
    }
}
