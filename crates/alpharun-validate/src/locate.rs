//! Finding where a JSON pointer's value (or an object's key) starts inside one contact's text,
//! so that every problem can be reported at its line and column.

use std::borrow::Cow;

/// Byte offset of the value at `pointer` (`/resume/mimetype`) in `json`.
pub fn value_offset(json: &[u8], pointer: &str) -> Option<usize> {
    let mut at = skip_space(json, 0);
    for segment in segments(pointer) {
        at = child(json, at, &segment)?.1;
    }
    Some(at)
}

/// Byte offset of the key `key` of the object at `pointer`.
pub fn key_offset(json: &[u8], pointer: &str, key: &str) -> Option<usize> {
    let object = value_offset(json, pointer)?;
    child(json, object, key).map(|(key_at, _)| key_at)
}

fn segments(pointer: &str) -> impl Iterator<Item = Cow<'_, str>> + '_ {
    pointer.split('/').skip(1).map(|s| {
        if s.contains('~') {
            Cow::Owned(s.replace("~1", "/").replace("~0", "~"))
        } else {
            Cow::Borrowed(s)
        }
    })
}

/// In the object or array at `at`: (where the key or element starts, where its value starts).
fn child(json: &[u8], at: usize, segment: &str) -> Option<(usize, usize)> {
    match json.get(at)? {
        b'{' => {
            let mut i = skip_space(json, at + 1);
            while json.get(i)? == &b'"' {
                let key_at = i;
                let (key, end) = string(json, i)?;
                i = skip_space(json, end);
                if json.get(i)? != &b':' {
                    return None;
                }
                let value_at = skip_space(json, i + 1);
                if key == segment {
                    return Some((key_at, value_at));
                }
                i = skip_space(json, skip_value(json, value_at)?);
                if json.get(i)? == &b',' {
                    i = skip_space(json, i + 1);
                }
            }
            None
        }
        b'[' => {
            let wanted: usize = segment.parse().ok()?;
            let mut i = skip_space(json, at + 1);
            for _ in 0..wanted {
                i = skip_space(json, skip_value(json, i)?);
                if json.get(i)? != &b',' {
                    return None;
                }
                i = skip_space(json, i + 1);
            }
            Some((i, i))
        }
        _ => None,
    }
}

fn skip_space(json: &[u8], mut i: usize) -> usize {
    while json
        .get(i)
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        i += 1;
    }
    i
}

/// The offset just after the string starting at `at` (a `"`).
fn string_end(json: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    loop {
        i += memchr::memchr2(b'"', b'\\', json.get(i..)?)?;
        if json[i] == b'"' {
            return Some(i + 1);
        }
        i += 2;
    }
}

/// The decoded string starting at `at` (a `"`) and the offset after it. Borrowed unless it
/// holds escapes, since this runs for keys of every contact.
fn string(json: &[u8], at: usize) -> Option<(Cow<'_, str>, usize)> {
    let end = string_end(json, at)?;
    let inner = &json[at + 1..end - 1];
    let text = if memchr::memchr(b'\\', inner).is_none() {
        Cow::Borrowed(std::str::from_utf8(inner).ok()?)
    } else {
        Cow::Owned(serde_json::from_slice::<String>(&json[at..end]).ok()?)
    };
    Some((text, end))
}

/// The offset just after the value starting at `at`.
fn skip_value(json: &[u8], at: usize) -> Option<usize> {
    match json.get(at)? {
        b'"' => string_end(json, at),
        b'{' | b'[' => {
            let (mut depth, mut i, mut in_string) = (0usize, at, false);
            loop {
                let byte = *json.get(i)?;
                if in_string {
                    match byte {
                        b'\\' => i += 1,
                        b'"' => in_string = false,
                        _ => {}
                    }
                } else {
                    match byte {
                        b'"' => in_string = true,
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return Some(i + 1);
                            }
                        }
                        _ => {}
                    }
                }
                i += 1;
            }
        }
        _ => {
            let mut i = at;
            while json
                .get(i)
                .is_some_and(|b| !matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
            {
                i += 1;
            }
            Some(i)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values_and_keys() {
        let json = br#"{"email": "a", "resume": {"content": "x", "mimetype": 5}, "custom_fields": [{"key": "k"}, {"key": "k2", "value": 1}]}"#;
        let at = value_offset(json, "/resume/mimetype").expect("found");
        assert_eq!(json[at], b'5');
        let at = value_offset(json, "/custom_fields/1/value").expect("found");
        assert_eq!(json[at], b'1');
        let at = key_offset(json, "", "resume").expect("found");
        assert_eq!(&json[at..at + 8], br#""resume""#);
        assert_eq!(value_offset(json, "/nope"), None);
    }
}
