//! No panic on any input, and the parallel validator says exactly what the one-contact-at-a-time
//! walk says: arbitrary bytes, and valid synthetic files with random damage.
//!
//! `PROPTEST_CASES=N cargo test --release -p alpharun-validate --test fuzz` runs longer; README
//! gives the length of the last long run.

use std::io::Cursor;

use alpharun_validate::{Checker, Layout, Problem, Step, validate};
use proptest::prelude::*;

fn parallel(bytes: &[u8], layout: Layout) -> Vec<Problem> {
    let mut problems = Vec::new();
    validate("f", Cursor::new(bytes.to_vec()), layout, None, &mut |p| {
        problems.push(p);
    })
    .expect("in-memory reading cannot fail");
    problems
}

fn sequential(bytes: &[u8], layout: Layout) -> Vec<Problem> {
    let mut checker = Checker::new("f", Cursor::new(bytes.to_vec()), layout).expect("schema");
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

proptest! {
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
}
