//! Publishing over FTP and explicit FTPS to pyftpdlib on a loopback port.

use super::*;

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
