//! Spec names -> Rust identifiers: case conversion, keywords, names that are not identifiers.

use heck::{ToPascalCase, ToSnakeCase};

/// Words that cannot be used as identifiers even with `r#`.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Rust keywords (strict and reserved, 2024 edition).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// A snake_case identifier for a field, argument or method: `displayName` -> `display_name`,
/// `type` -> `r#type`, `self` -> `self_`, `x-score` -> `x_score`, `1st` -> `_1st`.
/// Returns `None` when nothing identifier-like is left (`"+"`).
pub fn snake_ident(raw: &str) -> Option<String> {
    let cleaned = clean(raw);
    let snake = cleaned.to_snake_case();
    finish(snake)
}

/// A PascalCase identifier for a type or variant: `import-result` -> `ImportResult`.
pub fn pascal_ident(raw: &str) -> Option<String> {
    let cleaned = clean(raw);
    let pascal = cleaned.to_pascal_case();
    finish(pascal)
}

fn clean(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

fn finish(ident: String) -> Option<String> {
    if ident.is_empty() {
        return None;
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(format!("_{ident}"));
    }
    if NOT_RAW.contains(&ident.as_str()) {
        return Some(format!("{ident}_"));
    }
    if KEYWORDS.contains(&ident.as_str()) {
        return Some(format!("r#{ident}"));
    }
    Some(ident)
}

/// The bare name of an identifier, without `r#`: for building other names from it.
pub fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_become_valid_identifiers() {
        assert_eq!(snake_ident("displayName").as_deref(), Some("display_name"));
        assert_eq!(snake_ident("type").as_deref(), Some("r#type"));
        assert_eq!(snake_ident("self").as_deref(), Some("self_"));
        assert_eq!(snake_ident("x-score").as_deref(), Some("x_score"));
        assert_eq!(snake_ident("1st").as_deref(), Some("_1st"));
        assert_eq!(snake_ident("+"), None);
    }

    #[test]
    fn types_become_pascal_case() {
        assert_eq!(
            pascal_ident("import_result").as_deref(),
            Some("ImportResult")
        );
        assert_eq!(pascal_ident("Self").as_deref(), Some("Self_"));
        assert_eq!(
            pascal_ident("application/pdf").as_deref(),
            Some("ApplicationPdf")
        );
    }
}
