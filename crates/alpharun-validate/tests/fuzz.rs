//! No panic on any input, and the parallel validator (which checks contacts parsed in place and
//! takes the slow path only for those that fail) says exactly what the one-contact-at-a-time
//! walk (always the slow path) says: arbitrary bytes, valid synthetic files with random damage,
//! and contact-shaped objects built from right and wrong fields, escapes and repeated keys.
//!
//! `PROPTEST_CASES=N cargo test --release -p alpharun-validate --test fuzz` runs longer; README
//! gives the length of the last long run.

use std::io::Cursor;

use alpharun_validate::{
    Adjustment, Checker, Layout, Options, Problem, Step, validate, validate_with,
};
use proptest::prelude::*;
use serde_json::Value;

fn parallel(bytes: &[u8], layout: Layout) -> Vec<Problem> {
    let mut problems = Vec::new();
    validate("f", Cursor::new(bytes.to_vec()), layout, None, &mut |p| {
        problems.push(p);
    })
    .expect("in-memory reading cannot fail");
    problems
}

/// A fill-in like the import's `--job-opening-id`: fills a missing ID, refuses a different one.
fn fill(contact: &mut Value) -> Option<Adjustment> {
    let object = contact.as_object_mut()?;
    match object.get("job_opening_id") {
        None => {
            object.insert("job_opening_id".to_owned(), Value::from("jo_1"));
            None
        }
        Some(id) if id == "jo_1" => None,
        Some(_) => Some(Adjustment {
            pointer: "/job_opening_id".to_owned(),
            message: "differs".to_owned(),
            hint: None,
        }),
    }
}

fn parallel_filled(bytes: &[u8], layout: Layout) -> Vec<Problem> {
    let mut problems = Vec::new();
    let options = Options {
        max_errors: None,
        prepare: Some(&fill),
    };
    validate_with(
        "f",
        Cursor::new(bytes.to_vec()),
        layout,
        options,
        &mut |p| {
            problems.push(p);
        },
    )
    .expect("in-memory reading cannot fail");
    problems
}

fn sequential_filled(bytes: &[u8], layout: Layout) -> Vec<Problem> {
    let checker = Checker::new("f", Cursor::new(bytes.to_vec()), layout).expect("schema");
    walk(checker.with_prepare(Box::new(fill)))
}

fn sequential(bytes: &[u8], layout: Layout) -> Vec<Problem> {
    walk(Checker::new("f", Cursor::new(bytes.to_vec()), layout).expect("schema"))
}

fn walk(mut checker: Checker<Cursor<Vec<u8>>>) -> Vec<Problem> {
    let mut problems = Vec::new();
    while let Some(step) = checker.next_step().expect("in-memory reading cannot fail") {
        match step {
            Step::Structure { problem, .. } => problems.push(problem),
            Step::Contact(checked) => problems.extend(checked.problems),
        }
    }
    problems
}

fn sample() -> Vec<u8> {
    let mut out = Vec::new();
    let spec = alpharun_synth::Spec {
        seed: 7,
        contacts: Some(12),
        bytes: None,
        resume_rate: 0.2,
        invalid_rate: 0.2,
    };
    alpharun_synth::write(&spec, &mut out).expect("writes");
    out
}

#[derive(Debug, Clone)]
enum Damage {
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Flip(usize, u8),
    Repeat(usize, usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    let bytes = b"{}[],:\"\\ \n0aE-.\x00\xff".to_vec();
    prop_oneof![
        (
            any::<usize>(),
            prop::collection::vec(prop::sample::select(bytes), 1..8)
        )
            .prop_map(|(at, bytes)| Damage::Insert(at, bytes)),
        (any::<usize>(), 1..64usize).prop_map(|(at, len)| Damage::Delete(at, len)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Damage::Flip(at, byte)),
        (any::<usize>(), 1..200usize).prop_map(|(at, len)| Damage::Repeat(at, len)),
    ]
}

fn apply(mut bytes: Vec<u8>, damages: &[Damage]) -> Vec<u8> {
    for damage in damages {
        let len = bytes.len().max(1);
        match damage {
            Damage::Insert(at, new) => {
                let at = at % len;
                let at = at.min(bytes.len());
                bytes.splice(at..at, new.iter().copied());
            }
            Damage::Delete(at, n) => {
                let at = (at % len).min(bytes.len());
                let end = (at + n).min(bytes.len());
                bytes.drain(at..end);
            }
            Damage::Flip(at, byte) => {
                if !bytes.is_empty() {
                    let at = at % bytes.len();
                    bytes[at] = *byte;
                }
            }
            Damage::Repeat(at, n) => {
                let at = (at % len).min(bytes.len());
                let end = (at + n).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
        }
    }
    bytes
}

/// A JSON string literal, sometimes with escapes (which the in-place parse cannot borrow).
fn text() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        r#""""#,
        r#""a""#,
        r#""x@example.com""#,
        r#""X@Example.COM""#,
        r#""x@localhost""#,
        r#""bad@""#,
        r#""a b@example.com""#,
        r#""jo_1""#,
        r#""JVBERi0xLjQK""#,
        r#""not base64!""#,
        r#""application/pdf""#,
        r#""image/png""#,
        r#""esc"aped""#,
        r#""x@example.com""#,
        r#""名前@example.jp""#,
        r#""line
break""#,
    ])
    .prop_map(str::to_owned)
}

fn key() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "job_opening_id",
        "email",
        "first_name",
        "last_name",
        "phone_number",
        "resume",
        "custom_fields",
        "interview_custom_fields",
        "content",
        "mimetype",
        "key",
        "value",
        "frist_name",
        "_alpharun_error",
        "emai\\u006c",
    ])
    .prop_map(|key| format!("\"{key}\""))
}

/// Any JSON value whose objects use contact field names, repeated keys included.
fn value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("12".to_owned()),
        Just("-1.5e3".to_owned()),
        text(),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3)
                .prop_map(|items| format!("[{}]", items.join(","))),
            prop::collection::vec((key(), inner), 0..4).prop_map(|members| object(&members)),
        ]
    })
}

fn object(members: &[(String, String)]) -> String {
    let members: Vec<String> = members.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    format!("{{{}}}", members.join(","))
}

/// A contact: mostly right fields with right or wrong values, now and then anything at all.
fn contact() -> impl Strategy<Value = String> {
    let right = prop_oneof![
        text().prop_map(|v| ("\"job_opening_id\"".to_owned(), v)),
        text().prop_map(|v| ("\"email\"".to_owned(), v)),
        text().prop_map(|v| ("\"first_name\"".to_owned(), v)),
        (text(), text()).prop_map(|(c, m)| (
            "\"resume\"".to_owned(),
            format!(r#"{{"content":{c},"mimetype":{m}}}"#)
        )),
        (text(), text()).prop_map(|(k, v)| (
            "\"custom_fields\"".to_owned(),
            format!(r#"[{{"key":{k},"value":{v}}}]"#)
        )),
    ];
    let member = prop_oneof![4 => right, 1 => (key(), value())];
    prop::collection::vec(member, 0..8).prop_map(|members| object(&members))
}

proptest! {
    #[test]
    fn contact_shaped_objects_get_the_same_verdict_both_ways(
        contacts in prop::collection::vec(contact(), 1..8)
    ) {
        let bytes = contacts.join("\n").into_bytes();
        prop_assert_eq!(parallel(&bytes, Layout::Lines), sequential(&bytes, Layout::Lines));
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_both_walks_agree(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        for layout in [Layout::Array, Layout::Lines] {
            prop_assert_eq!(parallel(&bytes, layout), sequential(&bytes, layout));
        }
    }

    #[test]
    fn damaged_files_never_panic_and_both_walks_agree(damages in prop::collection::vec(damage(), 0..6)) {
        let bytes = apply(sample(), &damages);
        for layout in [Layout::Array, Layout::Lines] {
            prop_assert_eq!(parallel(&bytes, layout), sequential(&bytes, layout));
        }
    }

    #[test]
    fn a_fill_in_gives_the_same_verdict_both_ways(
        contacts in prop::collection::vec(contact(), 1..8)
    ) {
        let bytes = contacts.join("\n").into_bytes();
        prop_assert_eq!(
            parallel_filled(&bytes, Layout::Lines),
            sequential_filled(&bytes, Layout::Lines)
        );
    }
}
