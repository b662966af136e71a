//! A fault-injecting Alpharun server on 127.0.0.1 for the import tests: plain HTTP/1.1 over
//! tokio, so that it can also do what no mock library does (reset a connection mid-request).
//! It records every contact that arrives and every contact it acknowledged.

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const TOKEN: &str = "tok_import_SECRET_93b1";

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Action {
    /// Store the batch (rejecting emails that start with `reject`) and answer 200.
    Normal,
    /// Answer this status without storing (`Retry-After` if given).
    Refuse(u16, Option<&'static str>),
    /// Store the batch, then answer this status anyway.
    StoreThenFail(u16),
    /// Read half of the body, then drop the connection.
    ResetMidRequest,
    /// Store, then wait this long before answering 200.
    StoreThenSlow(Duration),
    /// Store, then answer 200 with a body that is not JSON.
    StoreThenMalformed,
    /// Store, then answer 200 with counts that do not match the batch.
    StoreThenBadCounts,
    /// Answer 200 slowly without storing anything twice... (plain delay before Normal).
    Delay(Duration),
}

#[derive(Debug, Default)]
pub struct Record {
    /// Every email that arrived, in order (twice if sent twice).
    pub arrived: Vec<String>,
    /// Emails acknowledged as imported (200 reply listing them as imported).
    pub acknowledged: Vec<String>,
    /// Emails stored, whatever the reply.
    pub stored: Vec<String>,
    /// Requests seen.
    pub requests: usize,
    /// Requests with a wrong or missing token.
    pub unauthorized: usize,
}

pub struct Server {
    pub url: String,
    pub record: Arc<Mutex<Record>>,
    script: Arc<Mutex<VecDeque<Action>>>,
    default: Arc<Mutex<Action>>,
    _runtime: tokio::runtime::Runtime,
}

impl Server {
    /// Starts a server that plays `script` (one action per request), then `default`.
    pub fn start(script: Vec<Action>, default: Action) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let record = Arc::new(Mutex::new(Record::default()));
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let default = Arc::new(Mutex::new(default));
        let (r, s, d) = (record.clone(), script.clone(), default.clone());
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (r, s, d) = (r.clone(), s.clone(), d.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, r, s, d).await;
                });
            }
        });
        Self {
            url,
            record,
            script,
            default,
            _runtime: runtime,
        }
    }

    pub fn set_default(&self, action: Action) {
        *self.default.lock().expect("lock") = action;
    }

    /// How many times each acknowledged email arrived (must be 1 for every one).
    pub fn acknowledged_arrivals(&self) -> HashMap<String, usize> {
        let record = self.record.lock().expect("lock");
        let mut counts: HashMap<String, usize> =
            record.acknowledged.iter().map(|e| (e.clone(), 0)).collect();
        for email in &record.arrived {
            if let Some(count) = counts.get_mut(email) {
                *count += 1;
            }
        }
        counts
    }
}

async fn serve(
    mut stream: TcpStream,
    record: Arc<Mutex<Record>>,
    script: Arc<Mutex<VecDeque<Action>>>,
    default: Arc<Mutex<Action>>,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    loop {
        let Some((head_len, content_length, authorized)) =
            read_head(&mut stream, &mut buffer).await?
        else {
            return Ok(());
        };
        let action = {
            let next = script.lock().expect("lock").pop_front();
            next.unwrap_or_else(|| default.lock().expect("lock").clone())
        };
        if matches!(action, Action::ResetMidRequest) {
            // The head (and maybe part of the body) arrived: reset the connection (RST).
            record.lock().expect("lock").requests += 1;
            let _ = stream.set_zero_linger();
            return Ok(());
        }
        while buffer.len() < head_len + content_length {
            let mut chunk = vec![0; 64 * 1024];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..n]);
        }
        let body: Vec<u8> = buffer[head_len..head_len + content_length].to_vec();
        buffer.drain(..head_len + content_length);
        let (status, extra, reply) = respond(&record, authorized, &body, action).await;
        let response = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}\r\n",
            reply.len()
        );
        stream.write_all(response.as_bytes()).await?;
        stream.write_all(reply.as_bytes()).await?;
    }
}

async fn respond(
    record: &Arc<Mutex<Record>>,
    authorized: bool,
    body: &[u8],
    action: Action,
) -> (u16, String, String) {
    let contacts: Vec<serde_json::Value> = serde_json::from_slice(body).unwrap_or_default();
    let emails: Vec<String> = contacts
        .iter()
        .map(|c| c["email"].as_str().unwrap_or_default().to_owned())
        .collect();
    {
        let mut record = record.lock().expect("lock");
        record.requests += 1;
        if !authorized {
            record.unauthorized += 1;
            return (401, String::new(), r#"{"error":"unauthorized"}"#.to_owned());
        }
        // A refused request is not processed; everything else counts as arrived.
        if !matches!(action, Action::Refuse(..)) {
            record.arrived.extend(emails.iter().cloned());
        }
    }
    let store = |record: &Arc<Mutex<Record>>| {
        record
            .lock()
            .expect("lock")
            .stored
            .extend(emails.iter().cloned());
    };
    let normal = |record: &Arc<Mutex<Record>>| {
        let failed: Vec<&serde_json::Value> = contacts
            .iter()
            .filter(|c| c["email"].as_str().is_some_and(|e| e.starts_with("reject")))
            .collect();
        let mut r = record.lock().expect("lock");
        for email in &emails {
            if !email.starts_with("reject") {
                r.acknowledged.push(email.clone());
                r.stored.push(email.clone());
            }
        }
        let reply = serde_json::json!({
            "successful_imports_count": contacts.len() - failed.len(),
            "failed_imports_count": failed.len(),
            "failed_contacts": failed,
        });
        (200, String::new(), reply.to_string())
    };
    match action {
        Action::Normal | Action::ResetMidRequest => normal(record),
        Action::Delay(wait) => {
            tokio::time::sleep(wait).await;
            normal(record)
        }
        Action::Refuse(status, retry_after) => {
            let extra = retry_after.map_or_else(String::new, |r| format!("retry-after: {r}\r\n"));
            (status, extra, r#"{"error":"try later"}"#.to_owned())
        }
        Action::StoreThenFail(status) => {
            store(record);
            (status, String::new(), r#"{"error":"internal"}"#.to_owned())
        }
        Action::StoreThenSlow(wait) => {
            store(record);
            tokio::time::sleep(wait).await;
            (200, String::new(), "{}".to_owned())
        }
        Action::StoreThenMalformed => {
            store(record);
            (200, String::new(), "<html>oops".to_owned())
        }
        Action::StoreThenBadCounts => {
            store(record);
            let reply = serde_json::json!({
                "successful_imports_count": contacts.len() + 3,
                "failed_imports_count": 0,
                "failed_contacts": [],
            });
            (200, String::new(), reply.to_string())
        }
    }
}

/// Reads one request head; returns its length, the body length and whether the token is right.
async fn read_head(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
) -> std::io::Result<Option<(usize, usize, bool)>> {
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let content_length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            let authorized = head.lines().any(|l| {
                l.trim() == format!("authorization: bearer {}", TOKEN.to_ascii_lowercase())
            });
            return Ok(Some((end + 4, content_length, authorized)));
        }
        let mut chunk = vec![0; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}
