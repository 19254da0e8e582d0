//! Publishing over SFTP to OpenSSH's sshd, run unprivileged on a loopback port.

use super::*;

/// sshd on a loopback port with a temporary host key and one authorized key.
pub(crate) fn start_sshd(dir: &Path) -> Option<(Server, u16)> {
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
