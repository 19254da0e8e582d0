//! Starting `datto serve` on a free port and talking HTTP to it with nothing but std.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{NOW, TestSite};

pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`
    pub addr: String,
    /// Lines the server printed (stdout and stderr), as they come.
    pub log: mpsc::Receiver<String>,
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Server {
    pub fn start(site: &TestSite) -> Server {
        Server::start_with(site, &[])
    }

    /// With extra environment variables.
    pub fn start_with(site: &TestSite, env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_datto"))
            .args(["serve", "--port", "0", "--root"])
            .arg(site.root())
            .env("SOURCE_DATE_EPOCH", NOW)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (sender, log) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        for stream in [Box::new(out) as Box<dyn Read + Send>, Box::new(err)] {
            let sender = sender.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = sender.send(line);
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        let addr = loop {
            let line = log
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("the server printed its address");
            if let Some(start) = line.find("http://") {
                let rest = &line[start + 7..];
                break rest[..rest.find('/').unwrap()].to_string();
            }
        };
        Server { child, addr, log }
    }

    /// Sends `request_target` verbatim (no normalisation on our side).
    pub fn request(&self, method: &str, target: &str) -> Reply {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        parse(&raw)
    }

    pub fn get(&self, target: &str) -> Reply {
        self.request("GET", target)
    }

    /// Polls `target` until `accept` holds (never a fixed sleep as the assertion).
    #[track_caller]
    pub fn wait_for(&self, target: &str, what: &str, accept: impl Fn(&Reply) -> bool) -> Reply {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let reply = self.get(target);
            if accept(&reply) {
                return reply;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} at {target}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Opens the events stream and returns the first `event:` of `kind` with its data.
    pub fn wait_for_event(&self, kind: &str) -> String {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        write!(
            stream,
            "GET /__datto/events HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.addr
        )
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seen = String::new();
        let mut buffer = [0u8; 4096];
        while Instant::now() < deadline {
            match stream.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => seen.push_str(&String::from_utf8_lossy(&buffer[..n])),
                Err(_) => {}
            }
            let marker = format!("event: {kind}\n");
            if let Some(at) = seen.find(&marker) {
                let rest = &seen[at + marker.len()..];
                if let Some(end) = rest.find("\n\n") {
                    return rest[..end].to_string();
                }
            }
        }
        panic!("no `{kind}` event within 20 s; saw:\n{seen}");
    }
}

fn parse(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let body = raw.get(split + 4..).unwrap_or_default().to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

impl Server {
    /// Sends SIGTERM and waits up to `limit` for the process to exit; true if it did.
    pub fn stop_within(&mut self, limit: Duration) -> bool {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM lets the server remove its temporary folder; then make sure it is gone.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
