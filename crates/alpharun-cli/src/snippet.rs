//! Problems on a terminal: rustc-style snippets of the offending line with a caret under the
//! value, in colour unless `NO_COLOR` is set. Problems arrive in file order, so the file is
//! re-read forward alongside, a line at a time.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader};

use alpharun_validate::{Problem, Severity};
use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

/// Characters of a long line shown before and after the caret.
const BEFORE: usize = 40;
const AFTER: usize = 60;
/// Lines longer than this are cut here rather than handed whole to annotate-snippets.
const CUT_FROM_BYTES: usize = 1_000_000;
/// Lines kept, for problems a few lines back (several in one multi-line contact).
const KEEP: usize = 256;

/// Renders problems of one file.
pub struct Snippets {
    reader: Option<BufReader<File>>,
    next_line: u64,
    recent: VecDeque<(u64, String)>,
    renderer: Renderer,
}

impl Snippets {
    /// For the file at `path` (standard input gets plain lines: it cannot be read twice).
    pub fn new(path: &str, color: bool) -> Self {
        let reader = (path != "-")
            .then(|| File::open(path).ok())
            .flatten()
            .map(|file| BufReader::with_capacity(1 << 16, file));
        Self {
            reader,
            next_line: 1,
            recent: VecDeque::new(),
            renderer: if color {
                Renderer::styled()
            } else {
                Renderer::plain()
            },
        }
    }

    /// The problem as a snippet, or its plain line when the source line is not at hand.
    pub fn render(&mut self, problem: &Problem) -> String {
        let Some(text) = self.line(problem.pos.line) else {
            return problem.to_string();
        };
        let (window, start, shift) = window(&text, problem.pos.column);
        let end = token_end(&window, start);
        let level = match problem.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut title = String::new();
        if let Some(contact) = problem.contact {
            title.push_str(&format!("contact {contact}: "));
        }
        if !problem.pointer.is_empty() {
            title.push_str(&format!("{}: ", problem.pointer));
        }
        title.push_str(&problem.message);
        // A line cut here shows the column within the cut; the title keeps the real one.
        let path = problem.file.clone();
        if shift > 0 {
            title.push_str(&format!(
                " (line {}, column {})",
                problem.pos.line, problem.pos.column
            ));
        }
        let snippet = Snippet::source(window.as_str())
            .line_start(usize::try_from(problem.pos.line).unwrap_or(usize::MAX))
            .path(path.as_str())
            .annotation(AnnotationKind::Primary.span(start..end));
        let mut group = level.primary_title(title.as_str()).element(snippet);
        let hint;
        if let Some(text) = &problem.hint {
            hint = text.clone();
            group = group.element(Level::HELP.message(hint.as_str()));
        }
        format!("{}\n", self.renderer.render(&[group]))
    }

    /// Line `number` of the file, if it is still (or now) at hand.
    fn line(&mut self, number: u64) -> Option<String> {
        if let Some((_, text)) = self.recent.iter().find(|(n, _)| *n == number) {
            return Some(text.clone());
        }
        let reader = self.reader.as_mut()?;
        while self.next_line <= number {
            let mut bytes = Vec::new();
            if reader.read_until(b'\n', &mut bytes).ok()? == 0 {
                return None;
            }
            let text = String::from_utf8_lossy(&bytes)
                .trim_end_matches(['\n', '\r'])
                .to_owned();
            self.recent.push_back((self.next_line, text));
            if self.recent.len() > KEEP {
                self.recent.pop_front();
            }
            self.next_line += 1;
        }
        self.recent
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, t)| t.clone())
    }
}

/// The part of a line around 1-based character `column`: the text, the byte where the column
/// falls in it, and how many characters were cut from the front.
fn window(line: &str, column: u64) -> (String, usize, usize) {
    let column = usize::try_from(column.saturating_sub(1)).unwrap_or(0);
    // annotate-snippets trims long lines itself and then counts the column in what it shows;
    // only lines far too long to show are cut here.
    let (first, keep) = if line.len() > CUT_FROM_BYTES {
        (column.saturating_sub(BEFORE), BEFORE + AFTER)
    } else {
        (0, usize::MAX)
    };
    let chars: Vec<char> = line.chars().skip(first).take(keep).collect();
    let mut text = String::new();
    if first > 0 {
        text.push('…');
    }
    let mut start = None;
    for (i, c) in chars.iter().enumerate() {
        if first + i == column {
            start = Some(text.len());
        }
        // Tabs and control characters would shift the caret.
        text.push(if c.is_control() { ' ' } else { *c });
    }
    let cut_tail = line.chars().count() > first + chars.len();
    let start = start.unwrap_or(text.len());
    if cut_tail {
        text.push('…');
    }
    (text, start, first)
}

/// Where the token starting at byte `start` ends: a whole string, or up to a delimiter.
fn token_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let mut chars = rest.char_indices();
    match chars.next() {
        None => start,
        Some((_, '"')) => {
            let mut escaped = false;
            for (i, c) in chars {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => return start + i + 1,
                    _ => escaped = false,
                }
            }
            text.len()
        }
        Some((_, '{' | '[')) => start + 1,
        Some(_) => rest
            .char_indices()
            .find(|(_, c)| matches!(c, ',' | '}' | ']' | ' ' | '…'))
            .map_or(text.len(), |(i, _)| start + i.max(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = format!("{{\"a\": \"{}\", \"email\": 42}}", "x".repeat(2_000_000));
        let column = line.find("42").expect("there") as u64 + 1;
        let (text, start, _) = window(&line, column);
        assert!(text.starts_with('…'));
        assert_eq!(&text[start..start + 2], "42");
        assert_eq!(token_end(&text, start), start + 2);
    }

    #[test]
    fn strings_are_underlined_whole() {
        let text = r#"  "email": "a\"b@x", "#;
        let start = text.find("\"a").expect("there");
        assert_eq!(&text[start..token_end(text, start)], r#""a\"b@x""#);
    }
}
