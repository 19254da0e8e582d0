//! Issue 10, "nothing lost, nothing leaked": the output folder is datto's alone, nothing
//! outside the site root reaches it, no character breaks a page or a feed, and a build
//! killed at any moment leaves the previous build or the new one.

mod common;

use std::path::Path;

use common::TestSite;

const ITEM: &str = "---\ntitle: Tin\ndate: 2019-01-02\nunit: viet-tri\n---\nNội dung.\n";

#[test]
fn files_datto_did_not_write_are_never_deleted() {
    let site = TestSite::fixture("basic");
    site.build(&[]).success();
    // A staff member keeps a report and a folder in public/.
    std::fs::write(site.public().join("report.docx"), "báo cáo").unwrap();
    std::fs::create_dir_all(site.public().join("docs")).unwrap();
    std::fs::write(site.public().join("docs/a.txt"), "giữ").unwrap();
    let run = site.build(&[]).failure(2);
    assert!(
        run.stderr().contains("`report.docx`") && run.stderr().contains("`docs`"),
        "{}",
        run.stderr()
    );
    assert_eq!(site.read("report.docx"), "báo cáo");
    assert_eq!(site.read("docs/a.txt"), "giữ");

    // A folder that merely holds an index.html is not a build of datto's.
    let other = site.root().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("index.html"), "<p>mine</p>").unwrap();
    std::fs::write(other.join("ghi-chu.txt"), "giữ").unwrap();
    site.build(&["--output", other.to_str().unwrap()]).failure(2);
    assert_eq!(std::fs::read_to_string(other.join("ghi-chu.txt")).unwrap(), "giữ");
    assert_eq!(std::fs::read_to_string(other.join("index.html")).unwrap(), "<p>mine</p>");
}

#[test]
fn outputs_inside_the_site_or_holding_it_are_refused() {
    let site = TestSite::fixture("basic");
    let root = site.root().to_str().unwrap().to_string();
    for output in [
        format!("{root}/content/static/out"),
        format!("{root}/content"),
        format!("{root}/themes/datto/static/x"),
        root.clone(),
        format!("{root}/.."),
    ] {
        let run = site.build(&["--output", &output]).failure(2);
        assert!(run.stderr().starts_with("lỗi: thư mục ra"), "{output}: {}", run.stderr());
    }
    assert!(!site.root().join("content/static/out").exists());
    // The content did not grow.
    site.run(&["check"]).success();
}

#[cfg(unix)]
#[test]
fn symlinks_leading_outside_are_errors_in_check_and_build() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("passwd"), "root:x:0:0").unwrap();
    std::fs::write(outside.path().join("bai.md"), ITEM).unwrap();
    let cases: [(&str, &Path); 4] = [
        ("content/static/passwd.txt", &outside.path().join("passwd")),
        ("content/tin-bai/2019/ngoai.md", &outside.path().join("bai.md")),
        ("content/static/ca-thu-muc", outside.path()),
        ("themes/datto/static/passwd.css", &outside.path().join("passwd")),
    ];
    for (link, target) in cases {
        let site = TestSite::fixture("basic");
        symlink(target, site.root().join(link)).unwrap();
        for command in ["check", "build"] {
            let run = site.run(&[command]).failure(1);
            assert!(
                run.stderr().contains(&format!("{link}:1: liên kết (symlink)")),
                "{command} {link}: {}",
                run.stderr()
            );
        }
        assert!(!site.public().exists(), "{link}: nothing published");
    }
    // A loop and a link to a folder inside: `path: message`, not a raw OS error.
    let site = TestSite::fixture("basic");
    symlink("vong", site.root().join("content/static/vong")).unwrap();
    symlink(site.root().join("content/trang"), site.root().join("content/static/trang")).unwrap();
    let run = site.run(&["check"]).failure(1);
    assert!(run.stderr().contains("content/static/vong:1: liên kết"), "{}", run.stderr());
    assert!(run.stderr().contains("content/static/trang:1: liên kết"), "{}", run.stderr());
    assert!(!run.stderr().contains("os error"), "{}", run.stderr());
    // A link to a file inside the site root is fine.
    let site = TestSite::fixture("basic");
    std::fs::write(site.root().join("chung.txt"), "dùng chung").unwrap();
    symlink(site.root().join("chung.txt"), site.root().join("content/static/chung.txt")).unwrap();
    site.build(&[]).success();
    assert_eq!(site.read("chung.txt"), "dùng chung");
}

#[test]
fn control_characters_never_reach_pages_or_feeds() {
    // Word's soft line break becomes a space; the feed still parses.
    let site = TestSite::fixture("basic");
    site.write(
        "tin-bai/2019/word.md",
        "---\ntitle: Dán\u{b}từ Word\ndate: 2019-01-02\nunit: viet-tri\n---\nDòng một\u{b}dòng hai.\n",
    );
    site.build(&[]).success();
    let page = site.read("tin-bai/2019/word/index.html");
    assert!(page.contains("Dán từ Word") && page.contains("Dòng một dòng hai"), "{page}");
    for feed in ["rss.xml", "sitemap.xml"] {
        roxmltree::Document::parse(&site.read(feed)).unwrap_or_else(|e| panic!("{feed}: {e}"));
    }

    // Raw or escaped, any other control character or noncharacter is an error at its line.
    let cases = [
        ("tho.md", "---\ntitle: A\u{0}B\ndate: 2019-01-02\nunit: viet-tri\n---\nX\n", 2),
        ("than.md", "---\ntitle: A\ndate: 2019-01-02\nunit: viet-tri\n---\nX\n\nY\u{1b}Z\n", 8),
        ("ffff.md", "---\ntitle: A\ndate: 2019-01-02\nunit: viet-tri\n---\nX\u{ffff}\n", 6),
        ("nul.md", "---\ntitle: \"A\\0B\"\ndate: 2019-01-02\nunit: viet-tri\n---\nX\n", 2),
        ("uffff.md", "---\ndate: 2019-01-02\nunit: viet-tri\ntags: [\"a\\uFFFF\"]\ntitle: T\n---\nX\n", 4),
        ("vt.md", "---\ntitle: A\ndate: 2019-01-02\nunit: viet-tri\nsummary: \"a\\x07b\"\n---\nX\n", 5),
    ];
    for (name, text, line) in cases {
        let site = TestSite::fixture("basic");
        site.write(&format!("tin-bai/2019/{name}"), text);
        let run = site.run(&["check"]).failure(1);
        let expected = format!("content/tin-bai/2019/{name}:{line}: ký tự điều khiển");
        assert!(run.stderr().contains(&expected), "{expected}\n{}", run.stderr());
    }
    let site = TestSite::fixture("basic");
    let config = site.root().join("content/site.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replacen("title: ", "title: \u{7}", 1)).unwrap();
    let run = site.run(&["check"]).failure(1);
    assert!(run.stderr().contains("content/site.yaml:"), "{}", run.stderr());
}
