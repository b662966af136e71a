//! Seeded synthetic contact files: a JSON array with one contact per line, realistic enough to
//! benchmark on (names, emails, E.164 phones, custom fields, 2–20 KB base64 resumes on a share
//! of contacts) with a chosen share of mistakes, and the list of those mistakes to check a
//! validator's answer against.

use std::io::{self, Write};

use base64::Engine;

/// What to write.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The seed: the same spec writes the same bytes.
    pub seed: u64,
    /// Stop after this many contacts...
    pub contacts: Option<u64>,
    /// ...or once this many bytes are written (whichever comes first).
    pub bytes: Option<u64>,
    /// Share of contacts with a resume (0..=1).
    pub resume_rate: f64,
    /// Share of invalid contacts (0..=1).
    pub invalid_rate: f64,
}

impl Default for Spec {
    fn default() -> Self {
        Self {
            seed: 42,
            contacts: None,
            bytes: Some(800_000_000),
            resume_rate: 0.05,
            invalid_rate: 0.01,
        }
    }
}

/// The file the parity checks share: `alpharun validate` (a CLI test) and ajv (`cargo xtask
/// test`) must both find exactly its mistakes.
pub const PARITY: Spec = Spec {
    seed: 2026,
    contacts: Some(3_000),
    bytes: None,
    resume_rate: 0.05,
    invalid_rate: 0.05,
};

/// One deliberate mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mistake {
    /// The contact's index.
    pub index: u64,
    /// The 1-based line the contact is on.
    pub line: u64,
    /// The JSON pointer a validator should report.
    pub pointer: &'static str,
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Written {
    /// Contacts written.
    pub contacts: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Every invalid contact, in order.
    pub mistakes: Vec<Mistake>,
}

const FIRST: &[&str] = &[
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Radia",
    "Tim",
    "Katherine",
    "John",
    "Sophie",
    "Chen",
    "Amara",
    "José",
    "Zoë",
    "Mikko",
    "Priya",
    "Olu",
    "Ines",
    "Hiro",
    "Fatima",
    "Lars",
    "Ngozi",
    "Mateo",
    "Aiko",
    "Björn",
];
const LAST: &[&str] = &[
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Johnson",
    "McCarthy",
    "Wilson",
    "Wei",
    "Okafor",
    "García",
    "Müller",
    "Virtanen",
    "Patel",
    "Adeyemi",
    "Ferreira",
    "Tanaka",
    "Haddad",
    "Nilsson",
    "Eze",
    "Rossi",
    "Sato",
    "Lindqvist",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "mail.example.org",
    "example.net",
    "corp.example.co.uk",
    "example.io",
];
const SOURCES: &[&str] = &["referral", "linkedin", "job board", "career fair", "agency"];
const MIMETYPES: &[&str] = &[
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/msword",
];

/// Writes a contact file to `out`.
pub fn write(spec: &Spec, out: &mut impl Write) -> io::Result<Written> {
    let mut rng = fastrand::Rng::with_seed(spec.seed);
    let mut written = Written::default();
    let mut line: u64 = 1;
    out.write_all(b"[\n")?;
    written.bytes += 2;
    line += 1;
    let mut resume_bytes = Vec::new();
    loop {
        if spec.contacts.is_some_and(|max| written.contacts >= max)
            || spec.bytes.is_some_and(|max| written.bytes >= max)
        {
            break;
        }
        let index = written.contacts;
        let first = FIRST[rng.usize(..FIRST.len())];
        let last = LAST[rng.usize(..LAST.len())];
        let domain = DOMAINS[rng.usize(..DOMAINS.len())];
        let local: String = format!("{first}.{last}{index}")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase();
        let mut contact = serde_json::json!({
            "job_opening_id": format!("jo_{:04}", rng.u32(..200)),
            "email": format!("{local}@{domain}"),
            "first_name": first,
            "last_name": last,
            "phone_number": format!("+1{}", rng.u64(2_000_000_000..9_999_999_999)),
            "custom_fields": [
                {"key": "source", "value": SOURCES[rng.usize(..SOURCES.len())]},
                {"key": "years_experience", "value": rng.u8(0..30).to_string()},
            ],
        });
        if rng.f64() < spec.resume_rate {
            let size = rng.usize(1_500..15_000);
            resume_bytes.clear();
            resume_bytes.extend((0..size).map(|_| rng.u8(..)));
            contact["resume"] = serde_json::json!({
                "content": base64::engine::general_purpose::STANDARD.encode(&resume_bytes),
                "mimetype": MIMETYPES[rng.usize(..MIMETYPES.len())],
            });
        }
        if rng.f64() < spec.invalid_rate {
            let pointer = spoil(&mut rng, &mut contact);
            written.mistakes.push(Mistake {
                index,
                line,
                pointer,
            });
        }
        let text = serde_json::to_string(&contact).map_err(io::Error::other)?;
        if index > 0 {
            out.write_all(b",\n")?;
            written.bytes += 2;
            line += 1;
            // The separator moved this contact one line down.
            if let Some(last) = written.mistakes.last_mut().filter(|m| m.index == index) {
                last.line = line;
            }
        }
        out.write_all(text.as_bytes())?;
        written.bytes += text.len() as u64;
        written.contacts += 1;
    }
    out.write_all(b"\n]\n")?;
    written.bytes += 3;
    Ok(written)
}

/// Breaks a contact the way people do; returns the pointer a validator should name.
fn spoil(rng: &mut fastrand::Rng, contact: &mut serde_json::Value) -> &'static str {
    match rng.u8(..5) {
        0 => {
            contact["email"] = serde_json::json!("not-an-email");
            "/email"
        }
        1 => {
            if let Some(object) = contact.as_object_mut() {
                object.remove("email");
            }
            ""
        }
        2 => {
            contact["phone_number"] = serde_json::json!(14_155_550_123_u64);
            "/phone_number"
        }
        3 => {
            if let Some(object) = contact.as_object_mut() {
                if let Some(name) = object.remove("first_name") {
                    object.insert("frist_name".to_owned(), name);
                }
            }
            "/frist_name"
        }
        _ => {
            contact["email"] = serde_json::json!("someone@localhost");
            "/email"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_writes_the_same_file_and_mistakes_are_on_their_lines() {
        let spec = Spec {
            contacts: Some(2_000),
            bytes: None,
            invalid_rate: 0.05,
            ..Spec::default()
        };
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let written = write(&spec, &mut a).expect("writes");
        write(&spec, &mut b).expect("writes");
        assert_eq!(a, b);
        assert_eq!(written.bytes, a.len() as u64);
        let parsed: Vec<serde_json::Value> = serde_json::from_slice(&a).expect("valid JSON");
        assert_eq!(parsed.len(), 2_000);
        assert!(written.mistakes.len() > 50);
        let lines: Vec<&str> = std::str::from_utf8(&a).expect("utf-8").lines().collect();
        for mistake in &written.mistakes {
            let line = lines[usize::try_from(mistake.line - 1).expect("fits")];
            let expected = parsed[usize::try_from(mistake.index).expect("fits")].to_string();
            assert_eq!(
                line.trim_end_matches(','),
                expected,
                "contact {} is on line {}",
                mistake.index,
                mistake.line
            );
        }
    }
}
