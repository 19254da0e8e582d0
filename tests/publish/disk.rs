//! A full remote disk: one clear line, nothing half-done left behind.

use super::*;

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
    let Some((_server, port)) = sftp::start_sshd(dir.path()) else {
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
