//! `datto publish` against real targets: a folder, OpenSSH's sshd (SFTP) and pyftpdlib
//! (FTP and FTPS), each started here on a loopback port. A server that is not installed makes
//! its test print "SKIPPED: …" and pass; `.ci/run` installs them.
//!
//! One file per target (`file`, `sftp`, `ftp`, `s3`) and one for a full disk; the harness
//! (a fixture site, the publish scenario every target runs, the servers' plumbing) is here.

#[path = "../common/mod.rs"]
mod common;

mod disk;
mod file;
mod ftp;
mod s3;
mod sftp;

use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{NOW, TestSite};

const MANIFEST: &str = ".datto-manifest.json";
/// The build's own record of its output: kept in `public/`, never published.
const OUTPUT_RECORD: &str = ".datto-output.json";

/// Equal trees, or the paths (and sizes) that differ.
#[track_caller]
fn assert_same(got: &BTreeMap<String, Vec<u8>>, want: &BTreeMap<String, Vec<u8>>, what: &str) {
    let differ: Vec<String> = got
        .keys()
        .chain(want.keys())
        .filter(|k| got.get(*k) != want.get(*k))
        .map(|k| {
            let size = |t: &BTreeMap<String, Vec<u8>>| t.get(k).map(Vec::len);
            format!("{k} ({:?} vs {:?} bytes)", size(got), size(want))
        })
        .collect();
    assert!(differ.is_empty(), "{what}: {differ:?}");
}

/// Every file under `dir` and its bytes, the manifest and the build's record left out.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = common::whole_tree(dir);
    files.retain(|rel, _| rel != MANIFEST && rel != OUTPUT_RECORD);
    files
}

struct Publisher<'a> {
    site: &'a TestSite,
    home: PathBuf,
    env: Vec<(String, String)>,
}

impl Publisher<'_> {
    fn run(&self, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_datto"));
        command
            .arg("publish")
            .args(args)
            .arg("--root")
            .arg(self.site.root())
            .env("SOURCE_DATE_EPOCH", NOW)
            .env("HOME", &self.home)
            .env_remove("SSH_AUTH_SOCK")
            .env_remove("DATTO_PASSWORD")
            .env_remove("DATTO_TEST_PUBLISH_FAIL_AFTER")
            // Only the keys a test gives, and no proxy between it and its loopback server.
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("DATTO_S3_ACCESS_KEY_ID")
            .env_remove("DATTO_S3_SECRET_ACCESS_KEY")
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .env_remove("HTTPS_PROXY")
            .env_remove("https_proxy")
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy")
            .stdin(Stdio::null());
        for (k, v) in &self.env {
            command.env(k, v);
        }
        command.output().unwrap()
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "publish failed:\n{text}");
        text
    }

    #[track_caller]
    fn refused(&self, args: &[&str], needle: &str) -> String {
        let out = self.run(args);
        let text = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success(), "publish should fail: {text}");
        assert!(text.contains(needle), "expected {needle:?} in:\n{text}");
        assert_eq!(text.trim().lines().count(), 1, "one line: {text}");
        text
    }
}

/// The counts of the final line: (new, changed, deleted).
fn counts(text: &str) -> (usize, usize, usize) {
    let line = text
        .lines()
        .find(|l| l.contains("tệp mới"))
        .unwrap_or_else(|| panic!("no summary in {text}"));
    let number = |word: &str| -> usize {
        let before = &line[..line.find(word).unwrap()];
        before
            .trim_end()
            .rsplit([' ', ':', ','])
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (number(" tệp mới"), number(" tệp sửa"), number(" tệp xoá"))
}

/// The whole behaviour, against any target whose files are visible at `remote`.
fn scenario(publisher: &Publisher, url: &str, remote: &Path, extra: &[&str]) {
    let site = publisher.site;
    let args = |more: &[&'static str]| -> Vec<String> {
        let mut v = vec!["--to".to_string(), url.to_string()];
        v.extend(extra.iter().map(|s| s.to_string()));
        v.extend(more.iter().map(|s| s.to_string()));
        v
    };
    let run_ok = |more: &[&'static str]| {
        let a = args(more);
        publisher.ok(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    // Files of the host's own: left alone and listed once.
    std::fs::create_dir_all(remote.join(".well-known")).unwrap();
    std::fs::write(remote.join(".well-known/acme.txt"), "token").unwrap();
    std::fs::create_dir_all(remote.join("cgi-bin")).unwrap();
    std::fs::write(remote.join("cgi-bin/run.pl"), "#!perl").unwrap();

    let dry = run_ok(&["--dry-run"]);
    assert!(dry.contains("+ index.html"), "{dry}");
    assert!(!remote.join("index.html").exists(), "dry run wrote");

    let first = run_ok(&[]);
    assert!(first.contains("Giữ nguyên 2 tệp"), "{first}");
    let mut expected = tree(&site.public());
    let output_files = expected.len();
    assert_eq!(counts(&first), (output_files, 0, 0), "{first}");
    expected.insert(".well-known/acme.txt".into(), b"token".to_vec());
    expected.insert("cgi-bin/run.pl".into(), b"#!perl".to_vec());
    assert_same(&tree(remote), &expected, "the target equals the output");
    assert!(site.public().join(OUTPUT_RECORD).exists());
    assert!(
        !remote.join(OUTPUT_RECORD).exists(),
        "the build's record is not published"
    );

    let second = run_ok(&[]);
    assert_eq!(counts(&second), (0, 0, 0), "{second}");
    assert!(!second.contains("Giữ nguyên"), "listed once: {second}");

    site.write(
        "tin-bai/2019/tap-huan.md",
        &std::fs::read_to_string(site.root().join("content/tin-bai/2019/tap-huan.md"))
            .unwrap()
            .replace("Hơn 100", "Hơn 120"),
    );
    let third = run_ok(&[]);
    let (new, changed, deleted) = counts(&third);
    assert!(
        new + changed > 0 && new + changed < output_files / 2,
        "{third}"
    );
    // The search index is cut into shards at content-defined points, named by their first
    // word: an edit can move a cut, which renames a shard (one new, one deleted).
    assert!(deleted <= 2, "{third}");

    // An interrupted publish (stopped after two files were in place), then finished.
    site.write(
        "tin-bai/2019/moi.md",
        "---\ntitle: Tin mới\ndate: 2019-05-02\nunit: viet-tri\ntype: tin\n---\nNội dung.\n",
    );
    let a = args(&[]);
    let mut interrupted = Publisher {
        site,
        home: publisher.home.clone(),
        env: publisher.env.clone(),
    };
    interrupted
        .env
        .push(("DATTO_TEST_PUBLISH_FAIL_AFTER".into(), "2".into()));
    let out = interrupted.run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(!out.status.success());
    assert_ne!(tree(remote).len(), 0);
    run_ok(&[]);
    let mut expected = tree(&site.public());
    expected.insert(".well-known/acme.txt".into(), b"token".to_vec());
    expected.insert("cgi-bin/run.pl".into(), b"#!perl".to_vec());
    assert_eq!(
        tree(remote),
        expected,
        "the resumed publish finished the job"
    );

    // Deleting an item deletes its pages, but more than --max-delete is refused.
    site.remove("tin-bai/2019/moi.md");
    let a = args(&["--max-delete", "0"]);
    publisher.refused(
        &a.iter().map(String::as_str).collect::<Vec<_>>(),
        "--max-delete",
    );
    let last = run_ok(&[]);
    assert!(counts(&last).2 > 0, "{last}");
    assert_same(&tree(remote), &expected_after(site), "after deletions");
    assert_eq!(
        std::fs::read(remote.join("cgi-bin/run.pl")).unwrap(),
        b"#!perl"
    );
}

/// A target that already holds a copy of the site uploaded by other means (rsync, an FTP
/// client, a datto without manifest), at `remote` (empty, created here): files that are the
/// same are adopted and nothing is uploaded; an older copy of a file is refused until
/// `--adopt`; the host's own files are kept.
fn takeover(publisher: &Publisher, url: &str, remote: &Path, extra: &[&str]) {
    let site = publisher.site;
    site.build(&[]).success();
    // "rsync -a public/ remote/", by hand.
    for (rel, bytes) in tree(&site.public()) {
        let to = remote.join(&rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, bytes).unwrap();
    }
    std::fs::write(remote.join("google123.html"), "google-site-verification").unwrap();
    let copy = tree(&site.public());
    let files = copy.len();
    // An older copy of two files: one longer, one of the same size with other bytes.
    let longer = "index.html";
    std::fs::write(remote.join(longer), b"<p>trang cu</p>").unwrap();
    let (same_size, bytes) = copy
        .iter()
        .find(|(p, b)| p.ends_with(".css") && !b.is_empty())
        .expect("a stylesheet in the output");
    let mut older = bytes.clone();
    let last = older.len() - 1;
    older[last] ^= 1;
    std::fs::write(remote.join(same_size), &older).unwrap();

    let args = |more: &[&str]| -> Vec<String> {
        let mut v = vec!["--to".to_string(), url.to_string()];
        v.extend(extra.iter().chain(more).map(|s| s.to_string()));
        v
    };
    let text = publisher.refused(&strs(&args(&[])), "--adopt");
    assert!(text.contains("2 tệp") && text.contains(longer), "{text}");
    assert!(!remote.join(MANIFEST).exists(), "a refused publish wrote");
    assert_eq!(std::fs::read(remote.join(same_size)).unwrap(), older);

    let out = publisher.ok(&strs(&args(&["--adopt"])));
    assert_eq!(counts(&out), (0, 2, 0), "{out}");
    assert!(
        out.contains(&format!("Nhận {} tệp đã có sẵn", files - 2)),
        "{out}"
    );
    let mut expected = copy.clone();
    expected.insert(
        "google123.html".into(),
        b"google-site-verification".to_vec(),
    );
    assert_same(&tree(remote), &expected, "taken over");

    let again = publisher.ok(&strs(&args(&[])));
    assert_eq!(counts(&again), (0, 0, 0), "{again}");
    assert!(!again.contains("Nhận"), "{again}");

    // A copy equal to the output is adopted whole, without --adopt, nothing uploaded.
    std::fs::remove_file(remote.join(MANIFEST)).unwrap();
    let out = publisher.ok(&strs(&args(&[])));
    assert_eq!(counts(&out), (0, 0, 0), "{out}");
    assert!(out.contains(&format!("Nhận {files} tệp")), "{out}");
    assert!(remote.join(MANIFEST).exists(), "the manifest records them");
    assert_same(&tree(remote), &expected, "nothing changed");
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn expected_after(site: &TestSite) -> BTreeMap<String, Vec<u8>> {
    let mut expected = tree(&site.public());
    expected.insert(".well-known/acme.txt".into(), b"token".to_vec());
    expected.insert("cgi-bin/run.pl".into(), b"#!perl".to_vec());
    expected
}

/// `file:///tmp/x`, or on Windows `file:///C:/x`.
fn file_url(path: &Path) -> String {
    let path = path.display().to_string().replace('\\', "/");
    match path.strip_prefix('/') {
        Some(rest) => format!("file:///{rest}"),
        None => format!("file:///{path}"),
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(port: u16, child: &mut Child) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sh(program: &str, args: &[&str]) {
    let status = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{program} {args:?}");
}

fn user() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
