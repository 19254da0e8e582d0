//! Publishing to a folder (`file://`).

use super::*;

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
