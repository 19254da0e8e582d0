//! `datto publish` against real targets: a folder, OpenSSH's sshd (SFTP) and pyftpdlib
//! (FTP and FTPS), each started here on a loopback port. A server that is not installed makes
//! its test print "SKIPPED: …" and pass; `.ci/run` installs them.

mod common;

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
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .filter(|(rel, _)| rel != MANIFEST && rel != OUTPUT_RECORD)
        .collect()
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

#[test]
fn file_target() {
    let site = TestSite::fixture("basic");
    let remote = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let publisher = Publisher {
        site: &site,
        home: home.path().into(),
        env: vec![],
    };
    let url = file_url(remote.path());
    scenario(&publisher, &url, remote.path(), &[]);
    let copy = tempfile::tempdir().unwrap();
    takeover(&publisher, &file_url(copy.path()), copy.path(), &[]);

    // A file in the way of a page, with other content, is never overwritten.
    std::fs::remove_file(remote.path().join(MANIFEST)).unwrap();
    std::fs::write(remote.path().join("404.html"), "của hosting").unwrap();
    publisher.refused(&["--to", &url], "không ghi đè");
    publisher.refused(&["--to", "http://example.vn/"], "không biết cách đăng");
    publisher.refused(&[], "chưa biết đăng lên đâu");
    // `publish.url` of site.yaml, when --to is not given.
    let other = tempfile::tempdir().unwrap();
    let yaml = site.root().join("content/site.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(
        &yaml,
        format!(
            "{text}\npublish: {{ url: \"{}\" }}\n",
            file_url(other.path())
        ),
    )
    .unwrap();
    publisher.ok(&[]);
    assert_eq!(tree(other.path()), tree(&site.public()));
    publisher.refused(
        &[
            "--to",
            &format!("file://{}/missing", remote.path().display()),
        ],
        "không có thư mục",
    );
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

/// sshd on a loopback port with a temporary host key and one authorized key.
fn start_sshd(dir: &Path) -> Option<(Server, u16)> {
    let sshd = ["/usr/sbin/sshd", "/usr/bin/sshd"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(sshd) = sshd else {
        println!("SKIPPED: sshd is not installed (apt-get install openssh-server)");
        return None;
    };
    for name in ["host", "client"] {
        let key = dir.join(name);
        sh(
            "ssh-keygen",
            &["-q", "-t", "ed25519", "-N", "", "-f", key.to_str().unwrap()],
        );
    }
    std::fs::copy(dir.join("client.pub"), dir.join("authorized_keys")).unwrap();
    // Privilege separation wants this folder when sshd starts as root.
    let _ = std::fs::create_dir_all("/run/sshd");
    let port = free_port();
    let config = format!(
        "Port {port}\nListenAddress 127.0.0.1\nHostKey {host}\nPidFile none\n\
         AuthorizedKeysFile {auth}\nStrictModes no\nUsePAM no\nPasswordAuthentication yes\n\
         KbdInteractiveAuthentication no\nPermitRootLogin yes\nSubsystem sftp internal-sftp\n\
         LogLevel ERROR\n",
        host = dir.join("host").display(),
        auth = dir.join("authorized_keys").display(),
    );
    std::fs::write(dir.join("sshd_config"), config).unwrap();
    let mut child = Command::new(sshd)
        .arg("-D")
        .arg("-e")
        .arg("-f")
        .arg(dir.join("sshd_config"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    if !wait_for(port, &mut child) {
        println!("SKIPPED: sshd did not start");
        return None;
    }
    Some((Server(child), port))
}

#[test]
fn sftp_target() {
    let dir = tempfile::tempdir().unwrap();
    let Some((_server, port)) = start_sshd(dir.path()) else {
        return;
    };
    let site = TestSite::fixture("basic");
    let remote = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".ssh")).unwrap();
    std::fs::copy(
        dir.path().join("client"),
        home.path().join(".ssh/id_ed25519"),
    )
    .unwrap();
    let publisher = Publisher {
        site: &site,
        home: home.path().into(),
        env: vec![],
    };
    let url = format!(
        "sftp://{}@127.0.0.1:{port}{}",
        user(),
        remote.path().display()
    );

    // First contact: refused until the key is accepted, then recorded.
    publisher.refused(&["--to", &url], "--accept-host-key");
    publisher.ok(&["--to", &url, "--accept-host-key", "--dry-run"]);
    let known = std::fs::read_to_string(home.path().join(".ssh/known_hosts")).unwrap();
    assert!(
        known.contains(&format!("[127.0.0.1]:{port} ssh-ed25519 ")),
        "{known}"
    );

    scenario(&publisher, &url, remote.path(), &[]);
    let copy = tempfile::tempdir().unwrap();
    let copy_url = format!(
        "sftp://{}@127.0.0.1:{port}{}",
        user(),
        copy.path().display()
    );
    takeover(&publisher, &copy_url, copy.path(), &[]);

    // A wrong password (no key offered) is refused.
    let keyless = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(keyless.path().join(".ssh")).unwrap();
    std::fs::copy(
        home.path().join(".ssh/known_hosts"),
        keyless.path().join(".ssh/known_hosts"),
    )
    .unwrap();
    let wrong = Publisher {
        site: &site,
        home: keyless.path().into(),
        env: vec![("DATTO_PASSWORD".into(), "sai-mat-khau".into())],
    };
    let text = wrong.refused(&["--to", &url], "sai tên đăng nhập");
    assert!(
        !text.contains("sai-mat-khau"),
        "the password is never printed"
    );

    // A host key that changed is refused, like ssh does.
    let other = dir.path().join("other");
    sh(
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-f",
            other.to_str().unwrap(),
        ],
    );
    let other_pub = std::fs::read_to_string(dir.path().join("other.pub")).unwrap();
    let mut parts = other_pub.split_whitespace();
    let changed = format!(
        "[127.0.0.1]:{port} {} {}\n",
        parts.next().unwrap(),
        parts.next().unwrap()
    );
    std::fs::write(home.path().join(".ssh/known_hosts"), changed).unwrap();
    publisher.refused(&["--to", &url, "--accept-host-key"], "đã thay đổi");

    // Nobody listening.
    let closed = format!("sftp://{}@127.0.0.1:{}/x", user(), free_port());
    publisher.refused(&["--to", &closed], "không kết nối được");
}

const FTP_SERVER: &str = r#"
import sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
from pyftpdlib.servers import FTPServer
root, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
auth = DummyAuthorizer()
auth.add_user("hoi", "mat-khau-dung", root, perm="elradfmwMT")
handler = TLS_FTPHandler if mode == "tls" else FTPHandler
if mode == "tls":
    handler.certfile = sys.argv[4]
    handler.keyfile = sys.argv[5]
    handler.tls_control_required = True
    handler.tls_data_required = True
handler.authorizer = auth
FTPServer(("127.0.0.1", port), handler).serve_forever()
"#;

fn start_ftp(dir: &Path, root: &Path, tls: bool) -> Option<(Server, u16)> {
    let python = Command::new("python3")
        .args(["-c", "import pyftpdlib, OpenSSL"])
        .status();
    if !python.is_ok_and(|s| s.success()) {
        println!("SKIPPED: pyftpdlib is not installed (pip install pyftpdlib pyopenssl)");
        return None;
    }
    std::fs::write(dir.join("server.py"), FTP_SERVER).unwrap();
    let port = free_port();
    let mut command = Command::new("python3");
    command
        .arg(dir.join("server.py"))
        .arg(root)
        .arg(port.to_string())
        .arg(if tls { "tls" } else { "plain" });
    if tls {
        command
            .arg(dir.join("server.pem"))
            .arg(dir.join("server.key"));
    }
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    if !wait_for(port, &mut child) {
        println!("SKIPPED: the FTP server did not start");
        return None;
    }
    Some((Server(child), port))
}

/// A private CA and a server certificate for 127.0.0.1 signed by it.
fn make_certificates(dir: &Path) -> bool {
    if Command::new("openssl").arg("version").output().is_err() {
        println!("SKIPPED: openssl is not installed");
        return false;
    }
    let p = |name: &str| dir.join(name).to_string_lossy().into_owned();
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509", "-days", "2", "-subj", "/CN=datto test CA"];
    ca.extend(ec);
    let (ca_key, ca_pem) = (p("ca.key"), p("ca.pem"));
    ca.extend(["-keyout", &ca_key, "-out", &ca_pem]);
    sh("openssl", &ca);
    let mut csr = vec!["req", "-subj", "/CN=127.0.0.1"];
    csr.extend(ec);
    let (key, req) = (p("server.key"), p("server.csr"));
    csr.extend(["-keyout", &key, "-out", &req]);
    sh("openssl", &csr);
    let (pem, ext) = (p("server.pem"), p("ext.cnf"));
    sh(
        "openssl",
        &[
            "x509",
            "-req",
            "-in",
            &req,
            "-CA",
            &ca_pem,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            &pem,
            "-extfile",
            &ext,
        ],
    );
    true
}

#[test]
fn ftps_target() {
    let dir = tempfile::tempdir().unwrap();
    if !make_certificates(dir.path()) {
        return;
    }
    let remote = tempfile::tempdir().unwrap();
    let Some((_server, port)) = start_ftp(dir.path(), remote.path(), true) else {
        return;
    };
    let site = TestSite::fixture("basic");
    let home = tempfile::tempdir().unwrap();
    let publisher = Publisher {
        site: &site,
        home: home.path().into(),
        env: vec![("DATTO_PASSWORD".into(), "mat-khau-dung".into())],
    };
    let url = format!("ftps://hoi@127.0.0.1:{port}/");
    // The private certificate is refused until --ca-file names its authority.
    publisher.refused(&["--to", &url], "--ca-file");
    let ca = dir.path().join("ca.pem").to_string_lossy().into_owned();
    scenario(&publisher, &url, remote.path(), &["--ca-file", &ca]);
    std::fs::create_dir(remote.path().join("ban-sao")).unwrap();
    takeover(
        &publisher,
        &format!("{url}ban-sao/"),
        &remote.path().join("ban-sao"),
        &["--ca-file", &ca],
    );
}

#[test]
fn ftp_target() {
    let dir = tempfile::tempdir().unwrap();
    let remote = tempfile::tempdir().unwrap();
    let Some((_server, port)) = start_ftp(dir.path(), remote.path(), false) else {
        return;
    };
    let site = TestSite::fixture("basic");
    let home = tempfile::tempdir().unwrap();
    let url = format!("ftp://hoi@127.0.0.1:{port}/");
    let wrong = Publisher {
        site: &site,
        home: home.path().into(),
        env: vec![("DATTO_PASSWORD".into(), "xyz-wrong-77".into())],
    };
    let text = wrong.refused(&["--to", &url], "sai tên đăng nhập");
    assert!(!text.contains("xyz-wrong-77"), "{text}");
    let publisher = Publisher {
        site: &site,
        home: home.path().into(),
        env: vec![("DATTO_PASSWORD".into(), "mat-khau-dung".into())],
    };
    scenario(&publisher, &url, remote.path(), &[]);
    std::fs::create_dir(remote.path().join("ban-sao")).unwrap();
    takeover(
        &publisher,
        &format!("{url}ban-sao/"),
        &remote.path().join("ban-sao"),
        &[],
    );
}

/// boto3 (which moto needs anyway) as the S3 client of the test: make a bucket, put an
/// object, upload a folder ("aws s3 sync"), or dump a prefix into a folder and print each
/// object's Content-Type and Cache-Control as JSON.
const S3_CLIENT: &str = r#"
import sys, os, json, boto3
endpoint, cmd, bucket = sys.argv[1], sys.argv[2], sys.argv[3]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id="test", aws_secret_access_key="test")
if cmd == "create":
    s3.create_bucket(Bucket=bucket)
elif cmd == "put":
    s3.put_object(Bucket=bucket, Key=sys.argv[4], Body=sys.argv[5].encode())
elif cmd == "upload":
    prefix, src = sys.argv[4], sys.argv[5]
    for d, _, names in os.walk(src):
        for n in names:
            full = os.path.join(d, n)
            key = prefix + os.path.relpath(full, src).replace(os.sep, "/")
            with open(full, "rb") as f:
                s3.put_object(Bucket=bucket, Key=key, Body=f.read())
elif cmd == "dump":
    prefix, out = sys.argv[4], sys.argv[5]
    meta = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", []):
            r = s3.get_object(Bucket=bucket, Key=o["Key"])
            rel = o["Key"][len(prefix):]
            path = os.path.join(out, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(r["Body"].read())
            meta[rel] = [r.get("ContentType"), r.get("CacheControl")]
    print(json.dumps(meta))
"#;

/// Each object's (Content-Type, Cache-Control), by path.
type Headers = BTreeMap<String, (String, String)>;

struct S3Server {
    _server: Server,
    endpoint: String,
    dir: tempfile::TempDir,
}

impl S3Server {
    /// moto's S3 server on a loopback port.
    fn start() -> Option<S3Server> {
        let have = Command::new("python3")
            .args(["-c", "import moto.server, boto3, flask"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !have {
            println!("SKIPPED: moto is not installed (pip install 'moto[server]')");
            return None;
        }
        let port = free_port();
        let mut child = Command::new("python3")
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p"])
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if !wait_for(port, &mut child) {
            println!("SKIPPED: moto's S3 server did not start");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("client.py"), S3_CLIENT).unwrap();
        Some(S3Server {
            _server: Server(child),
            endpoint: format!("http://127.0.0.1:{port}"),
            dir,
        })
    }

    #[track_caller]
    fn client(&self, args: &[&str]) -> String {
        let out = Command::new("python3")
            .arg(self.dir.path().join("client.py"))
            .arg(&self.endpoint)
            .args(args)
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The objects under `prefix` as files, and each one's (Content-Type, Cache-Control).
    fn dump(&self, bucket: &str, prefix: &str) -> (BTreeMap<String, Vec<u8>>, Headers) {
        let out = tempfile::tempdir().unwrap();
        let json = self.client(&["dump", bucket, prefix, out.path().to_str().unwrap()]);
        let meta: BTreeMap<String, (Option<String>, Option<String>)> =
            serde_json::from_str(json.trim()).unwrap();
        let meta = meta
            .into_iter()
            .map(|(k, (t, c))| (k, (t.unwrap_or_default(), c.unwrap_or_default())))
            .collect();
        let mut files = tree(out.path());
        // The manifest is kept, like on the other targets, but compared apart.
        files.remove(MANIFEST);
        (files, meta)
    }
}

#[test]
fn s3_target() {
    let Some(s3) = S3Server::start() else {
        return;
    };
    s3.client(&["create", "trang"]);
    s3.client(&["put", "trang", "site/.well-known/acme.txt", "token"]);
    let site = TestSite::fixture("basic");
    let home = tempfile::tempdir().unwrap();
    let secret = "bi-mat-s3-khong-in-ra";
    let keys = vec![
        ("AWS_ACCESS_KEY_ID".to_string(), "test".to_string()),
        ("DATTO_S3_SECRET_ACCESS_KEY".to_string(), secret.to_string()),
    ];
    let publisher = Publisher {
        site: &site,
        home: home.path().into(),
        env: keys.clone(),
    };
    let url = format!("s3://trang/site/?endpoint={}", s3.endpoint);
    let with_foreign = |mut t: BTreeMap<String, Vec<u8>>| {
        t.insert(".well-known/acme.txt".into(), b"token".to_vec());
        t
    };

    let dry = publisher.ok(&["--to", &url, "--dry-run"]);
    assert!(dry.contains("+ index.html"), "{dry}");
    assert_eq!(s3.dump("trang", "site/").0.len(), 1, "the dry run wrote");

    let first = publisher.ok(&["--to", &url]);
    assert!(first.contains("Giữ nguyên 1 tệp"), "{first}");
    assert!(!first.contains(secret), "{first}");
    let output = tree(&site.public());
    assert_eq!(counts(&first), (output.len(), 0, 0), "{first}");
    let (files, meta) = s3.dump("trang", "site/");
    assert_same(
        &files,
        &with_foreign(output.clone()),
        "the bucket equals the output",
    );
    let kind = |path: &str| meta.get(path).cloned().unwrap_or_default();
    assert_eq!(
        kind("index.html"),
        ("text/html; charset=utf-8".into(), "no-cache".into())
    );
    let css = output.keys().find(|p| p.ends_with(".css")).unwrap();
    assert_eq!(
        kind(css),
        (
            "text/css; charset=utf-8".into(),
            "public, max-age=3600".into()
        )
    );

    let second = publisher.ok(&["--to", &url]);
    assert_eq!(counts(&second), (0, 0, 0), "{second}");

    // An interrupted publish, then finished; then a removal, refused above --max-delete.
    site.write(
        "tin-bai/2019/moi.md",
        "---\ntitle: Tin mới\ndate: 2019-05-02\nunit: viet-tri\ntype: tin\n---\nNội dung.\n",
    );
    let mut interrupted = Publisher {
        site: &site,
        home: home.path().into(),
        env: keys.clone(),
    };
    interrupted
        .env
        .push(("DATTO_TEST_PUBLISH_FAIL_AFTER".into(), "2".into()));
    assert!(!interrupted.run(&["--to", &url]).status.success());
    let resumed = publisher.ok(&["--to", &url]);
    assert!(counts(&resumed).0 > 0, "{resumed}");
    assert_same(
        &s3.dump("trang", "site/").0,
        &with_foreign(tree(&site.public())),
        "the resumed publish finished the job",
    );
    site.remove("tin-bai/2019/moi.md");
    publisher.refused(&["--to", &url, "--max-delete", "0"], "--max-delete");
    let last = publisher.ok(&["--to", &url]);
    assert!(counts(&last).2 > 0, "{last}");
    assert_same(
        &s3.dump("trang", "site/").0,
        &with_foreign(tree(&site.public())),
        "after deletions",
    );

    // A copy uploaded by other means ("aws s3 sync"): adopted, nothing sent.
    let public = site.public();
    s3.client(&["upload", "trang", "ban-sao/", public.to_str().unwrap()]);
    let copy_url = format!("s3://trang/ban-sao?endpoint={}", s3.endpoint);
    let taken = publisher.ok(&["--to", &copy_url]);
    assert_eq!(counts(&taken), (0, 0, 0), "{taken}");
    assert!(
        taken.contains(&format!("Nhận {} tệp", tree(&public).len())),
        "{taken}"
    );

    // --endpoint instead of the address's; a bucket that is not there; no keys; nobody there.
    let text = publisher.refused(
        &["--to", "s3://khong-co/", "--endpoint", &s3.endpoint],
        "không có bucket `khong-co`",
    );
    assert!(!text.contains(secret), "{text}");
    let keyless = Publisher {
        site: &site,
        home: home.path().into(),
        env: vec![],
    };
    keyless.refused(&["--to", &url], "DATTO_S3_ACCESS_KEY_ID");
    let closed = format!("s3://trang/?endpoint=http://127.0.0.1:{}", free_port());
    publisher.refused(&["--to", &closed], "không kết nối được");
}

/// A 64 KiB tmpfs (needs root, else the test is skipped), unmounted on drop.
struct TinyDisk(tempfile::TempDir);

impl TinyDisk {
    fn mount() -> Option<TinyDisk> {
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            println!("SKIPPED: cannot mount a small tmpfs (needs root) to fill a disk");
            return None;
        }
        Some(TinyDisk(dir))
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}

fn no_temporary_left(dir: &Path) {
    let left: Vec<String> = tree(dir)
        .into_keys()
        .filter(|p| p.ends_with(".datto-tmp"))
        .collect();
    assert!(left.is_empty(), "temporary files left behind: {left:?}");
}

#[test]
fn a_full_disk_is_one_clear_line() {
    let Some(disk) = TinyDisk::mount() else {
        return;
    };
    let site = TestSite::fixture("basic");
    let home = tempfile::tempdir().unwrap();
    let publisher = Publisher {
        site: &site,
        home: home.path().into(),
        env: vec![],
    };
    publisher.refused(&["--to", &file_url(disk.0.path())], "hết chỗ trống");
    no_temporary_left(disk.0.path());

    // The same disk behind SFTP (which reports a full disk only as "failure").
    let dir = tempfile::tempdir().unwrap();
    let Some((_server, port)) = start_sshd(dir.path()) else {
        return;
    };
    std::fs::create_dir_all(home.path().join(".ssh")).unwrap();
    std::fs::copy(
        dir.path().join("client"),
        home.path().join(".ssh/id_ed25519"),
    )
    .unwrap();
    for entry in std::fs::read_dir(disk.0.path()).unwrap() {
        let path = entry.unwrap().path();
        let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
    }
    let url = format!(
        "sftp://{}@127.0.0.1:{port}{}",
        user(),
        disk.0.path().display()
    );
    publisher.ok(&["--to", &url, "--accept-host-key", "--dry-run"]);
    publisher.refused(&["--to", &url], "hết chỗ trống");
    no_temporary_left(disk.0.path());
}
