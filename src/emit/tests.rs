//! Staging: swaps, updates, refusals, recovery.

use super::*;

#[test]
fn safe_join_refuses_escapes() {
    let base = Path::new("/tmp/out");
    for ok in ["index.html", "tin-bai/2018/a/index.html", "anh/ảnh mới.jpg"] {
        assert!(safe_join(base, ok).is_ok(), "{ok}");
    }
    for bad in [
        "../x",
        "a/../../x",
        "/etc/passwd",
        "a\\..\\b",
        "",
        "./a",
        "a//b",
    ] {
        assert!(safe_join(base, bad).is_err(), "{bad}");
    }
}

/// A previous output of datto holding `files` (path, text), manifest included.
fn seed(target: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = target.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let manifest = Manifest::new(files.iter().map(|(r, _)| r.to_string()).collect());
    fs::write(target.join(MANIFEST), manifest.to_bytes()).unwrap();
}

/// Entries beside the output other than the output and its lock file: none after a
/// build, failed or not (no orphan staging folder).
fn strays(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "public")
        .collect()
}

#[test]
fn staging_swaps_only_on_commit() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("public");
    seed(&target, &[("index.html", "old")]);

    let mut failed = Staging::create(&target, None).unwrap();
    failed.prepare(["index.html"].into_iter()).unwrap();
    failed.write("index.html", b"new").unwrap();
    drop(failed);
    assert_eq!(
        fs::read_to_string(target.join("index.html")).unwrap(),
        "old"
    );
    assert!(strays(dir.path()).is_empty(), "staging folder removed");

    let mut ok = Staging::create(&target, None).unwrap();
    let files = [
        "tin-bai/index.html",
        "index.html",
        "a/b/c/d.html",
        "a/b/e.html",
    ];
    ok.prepare(files.into_iter()).unwrap();
    ok.write("a/b/c/d.html", b"deep").unwrap();
    ok.write("a/b/e.html", b"e").unwrap();
    ok.write("tin-bai/index.html", b"new").unwrap();
    ok.write("index.html", b"new").unwrap();
    ok.commit().unwrap();
    assert_eq!(
        fs::read_to_string(target.join("index.html")).unwrap(),
        "new"
    );
    assert!(strays(dir.path()).is_empty());
    let manifest = Manifest::read(&target).unwrap();
    let mut sorted = files.map(str::to_string).to_vec();
    sorted.sort();
    assert_eq!(
        manifest.files, sorted,
        "the manifest lists what was written"
    );

    // A rebuild keeps unchanged files (same inode, same mtime) and rewrites changed ones.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let inode = |rel: &str| fs::metadata(target.join(rel)).unwrap().ino();
        let (same_before, changed_before) = (inode("a/b/e.html"), inode("index.html"));
        let mut again = Staging::create(&target, None).unwrap();
        again
            .prepare(["index.html", "a/b/e.html"].into_iter())
            .unwrap();
        again.write("a/b/e.html", b"e").unwrap();
        again.write("index.html", b"newer").unwrap();
        again.commit().unwrap();
        assert_eq!(inode("a/b/e.html"), same_before);
        assert_ne!(inode("index.html"), changed_before);
        assert_eq!(
            fs::read_to_string(target.join("index.html")).unwrap(),
            "newer"
        );
        assert!(
            !target.join("a/b/c").exists(),
            "files not written again are gone"
        );
        assert!(
            !target.join("tin-bai").exists(),
            "and the folders they emptied"
        );
    }
}

#[test]
fn an_update_replaces_files_by_folders_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("public");
    seed(
        &target,
        &[
            ("index.html", "home"),
            ("was-folder/deep/x.html", "x"),
            ("was-file", "f"),
        ],
    );
    let files = ["index.html", "was-folder", "was-file/index.html"];
    let mut staging = Staging::create(&target, None).unwrap();
    staging.prepare(files.into_iter()).unwrap();
    for rel in files {
        staging.write(rel, b"same").unwrap();
    }
    staging.commit().unwrap();
    for rel in files {
        assert_eq!(fs::read(target.join(rel)).unwrap(), b"same", "{rel}");
    }
    assert!(strays(dir.path()).is_empty());
}

#[test]
fn refuses_an_output_holding_files_datto_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("public");
    seed(&target, &[("index.html", "home")]);
    fs::write(target.join("report.docx"), "keep").unwrap();
    fs::create_dir_all(target.join("docs/a")).unwrap();
    fs::write(target.join("docs/a/b.txt"), "keep").unwrap();
    let Err(Error::Usage(message)) = Staging::create(&target, None) else {
        panic!("a foreign file must be refused");
    };
    assert!(
        message.contains("`report.docx`") && message.contains("`docs`"),
        "{message}"
    );
    assert!(
        !message.contains("docs/a"),
        "a foreign folder is named once: {message}"
    );
    #[cfg(unix)]
    {
        fs::remove_file(target.join("report.docx")).unwrap();
        fs::remove_dir_all(target.join("docs")).unwrap();
        std::os::unix::fs::symlink("/etc", target.join("etc")).unwrap();
        assert!(
            Staging::create(&target, None).is_err(),
            "a symlink is no file of ours"
        );
    }
    // An old-style output (index.html, no manifest) is no longer enough.
    let bare = dir.path().join("bare");
    fs::create_dir_all(&bare).unwrap();
    fs::write(bare.join("index.html"), "x").unwrap();
    fs::write(bare.join("notes.txt"), "keep").unwrap();
    assert!(Staging::create(&bare, None).is_err());
    assert_eq!(fs::read_to_string(bare.join("notes.txt")).unwrap(), "keep");
}

#[test]
fn an_empty_target_folder_takes_a_first_build() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("public");
    fs::create_dir_all(&target).unwrap();
    let mut staging = Staging::create(&target, None).unwrap();
    assert!(staging.previous.is_none(), "nothing to compare with");
    staging.prepare(["a/index.html"].into_iter()).unwrap();
    staging.write("a/index.html", b"a").unwrap();
    staging.commit().unwrap();
    assert_eq!(fs::read(target.join("a/index.html")).unwrap(), b"a");
    assert!(strays(dir.path()).is_empty());
}

#[test]
fn a_failed_update_leaves_stale_files_too() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("public");
    seed(
        &target,
        &[("index.html", "home"), ("old/index.html", "old")],
    );
    let mut staging = Staging::create(&target, None).unwrap();
    staging.prepare(["index.html"].into_iter()).unwrap();
    staging.write("index.html", b"new home").unwrap();
    drop(staging);
    assert_eq!(fs::read(target.join("index.html")).unwrap(), b"home");
    assert_eq!(fs::read(target.join("old/index.html")).unwrap(), b"old");
    assert!(strays(dir.path()).is_empty());
}

#[test]
fn a_decided_swap_is_finished_and_an_orphan_removed_by_the_next_command() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("public");
    seed(&target, &[("index.html", "old"), ("gone.html", "g")]);
    // An orphan: a build killed while rendering.
    fs::create_dir_all(dir.path().join(".public.datto-new-99999/x")).unwrap();
    recover(&target).unwrap();
    assert!(strays(dir.path()).is_empty(), "orphan removed");
    assert_eq!(fs::read(target.join("index.html")).unwrap(), b"old");
    // A build killed right after deciding its swap.
    let mut staging = Staging::create(&target, None).unwrap();
    staging.prepare(["index.html"].into_iter()).unwrap();
    staging.write("index.html", b"new").unwrap();
    let manifest = Manifest::new(vec!["index.html".into()]);
    fs::write(staging.dir.join(MANIFEST), manifest.to_bytes()).unwrap();
    let journal = Journal {
        whole: false,
        remove: vec!["gone.html".into()],
        moves: vec!["index.html".into(), MANIFEST.into()],
    };
    journal.decide(&staging.dir).unwrap();
    staging.committed = true;
    drop(staging);
    recover(&target).unwrap();
    assert_eq!(fs::read(target.join("index.html")).unwrap(), b"new");
    assert!(!target.join("gone.html").exists());
    assert_eq!(Manifest::read(&target), Some(manifest));
    assert!(strays(dir.path()).is_empty());
}

#[test]
fn refuses_outputs_that_are_or_hold_the_site() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    fs::create_dir_all(root.join("content/tin-bai")).unwrap();
    fs::create_dir_all(root.join("themes/datto")).unwrap();
    for bad in [
        root.clone(),
        dir.path().to_path_buf(),
        root.join("content"),
        root.join("content/static/out"),
        root.join("themes/datto/public"),
        root.join("content/../content/x"),
    ] {
        assert!(check_location(&root, &bad).is_err(), "{}", bad.display());
    }
    for good in [root.join("public"), dir.path().join("elsewhere/out")] {
        assert!(check_location(&root, &good).is_ok(), "{}", good.display());
    }
}

#[test]
fn atomic_write_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b.html");
    write_atomic(&path, b"x").unwrap();
    write_atomic(&path, b"y").unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "y");
    assert_eq!(fs::read_dir(dir.path().join("a")).unwrap().count(), 1);
}
