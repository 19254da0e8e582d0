//! `datto build` on the `basic` fixture: which files exist, what they hold, and how
//! failures leave the previous output alone.

mod common;

use std::collections::BTreeSet;

use common::{TestSite, files_under, repo};

const PAGES: &[&str] = &[
    "404.html",
    "anh/logo-64x48.jpg",
    "anh/logo-64x48.webp",
    "anh/logo-chia-se.jpg",
    "chu-de/binh-dang-gioi/index.html",
    "chu-de/chuyen-doi-so/index.html",
    "chu-de/index.html",
    "chu-de/mai-am-tinh-thuong/index.html",
    "chu-de/xay-dung-hoi/index.html",
    "don-vi/co-quan-tinh/index.html",
    "don-vi/co-quan-tinh/rss.xml",
    "don-vi/doan-hung/index.html",
    "don-vi/doan-hung/rss.xml",
    "don-vi/index.html",
    "don-vi/viet-tri/index.html",
    "don-vi/viet-tri/rss.xml",
    "gioi-thieu/index.html",
    "index.html",
    "lien-he/index.html",
    "mo-hinh/clb-xoan-kim-duc/index.html",
    "mo-hinh/index.html",
    "mo-hinh/loai/clb-hat-xoan/index.html",
    "mo-hinh/loai/mai-am-tinh-thuong/index.html",
    "mo-hinh/nha-ba-lan/index.html",
    "robots.txt",
    "rss.xml",
    "sitemap.xml",
    "tin-bai/2018/hoi-nghi-so-ket/index.html",
    "tin-bai/2018/tieu-de-html/index.html",
    "tin-bai/2018/trao-mai-am/anh-1-64x48.jpg",
    "tin-bai/2018/trao-mai-am/anh-1-64x48.webp",
    "tin-bai/2018/trao-mai-am/anh-1-chia-se.jpg",
    "tin-bai/2018/trao-mai-am/index.html",
    "tin-bai/2019/tap-huan/index.html",
    "tin-bai/index.html",
    "tin-bai/trang/2/index.html",
    "tim-kiem/index.html",
];

fn theme_static() -> BTreeSet<String> {
    files_under(&repo().join("themes/datto/static"))
}

#[test]
fn produces_exactly_the_expected_files() {
    let site = TestSite::fixture("basic");
    site.build(&[]).success();
    let mut expected: BTreeSet<String> = PAGES.iter().map(|s| s.to_string()).collect();
    expected.extend(theme_static());
    // Tally pages are checked in tests/tally.rs, the search index in tests/search.rs; here,
    // everything else must match exactly.
    let produced: BTreeSet<String> = site
        .output_files()
        .into_iter()
        .filter(|f| !f.starts_with("thong-ke/"))
        .filter(|f| !f.starts_with("tim-kiem/") || f == "tim-kiem/index.html")
        .collect();
    let missing: Vec<_> = expected.difference(&produced).collect();
    let extra: Vec<_> = produced.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}\nextra {extra:?}"
    );
}

#[test]
fn summary_line_counts_pages_and_items() {
    let site = TestSite::fixture("basic");
    let run = site.build(&[]).success();
    assert!(
        run.stdout().contains("4 tin bài, 2 mô hình"),
        "{}",
        run.stdout()
    );
}

#[test]
fn pagination_follows_per_page() {
    let site = TestSite::fixture("basic");
    site.build(&[]).success();
    let first = site.read("tin-bai/index.html");
    let second = site.read("tin-bai/trang/2/index.html");
    assert_eq!(first.matches("<article class=\"card").count(), 2, "{first}");
    assert_eq!(second.matches("<article class=\"card").count(), 2);
    assert!(first.contains("href=\"/tin-bai/trang/2/\""));
    assert!(!site.exists("tin-bai/trang/3/index.html"));
    assert!(!site.exists("tin-bai/trang/1/index.html"));
    // Newest first: the 2019 item opens page one, the oldest closes page two.
    assert!(first.find("Tập huấn chuyển đổi số").unwrap() < first.find("Hội nghị sơ kết").unwrap());
    assert!(second.contains("Cảnh giác"));
}

#[test]
fn drafts_and_scheduled_items_only_with_flags() {
    let site = TestSite::fixture("basic");
    site.build(&[]).success();
    assert!(!site.exists("tin-bai/2018/nhap/index.html"));
    assert!(!site.exists("tin-bai/2019/hen-gio/index.html"));
    for file in [
        "rss.xml",
        "sitemap.xml",
        "tin-bai/index.html",
        "don-vi/doan-hung/index.html",
    ] {
        let text = site.read(file);
        assert!(
            !text.contains("hen-gio") && !text.contains("nhap/"),
            "{file}"
        );
    }

    site.build(&["--drafts"]).success();
    assert!(site.exists("tin-bai/2018/nhap/index.html"));
    assert!(!site.exists("tin-bai/2019/hen-gio/index.html"));

    site.build(&["--future"]).success();
    assert!(site.exists("tin-bai/2019/hen-gio/index.html"));
    assert!(site.read("rss.xml").contains("hen-gio"));
    assert!(!site.exists("tin-bai/2018/nhap/index.html"));
}

#[test]
fn titles_and_front_matter_are_escaped() {
    let site = TestSite::fixture("basic");
    site.build(&[]).success();
    for file in [
        "tin-bai/2018/tieu-de-html/index.html",
        "tin-bai/trang/2/index.html",
        "rss.xml",
    ] {
        let text = site.read(file);
        assert!(!text.contains("<script>alert"), "{file} has a raw script");
        assert!(text.contains("&lt;script&gt;"), "{file}");
    }
    let item = site.read("tin-bai/2018/tieu-de-html/index.html");
    assert!(!item.contains("<b>không</b>"));
}

#[test]
fn relative_markdown_links_become_page_urls() {
    let site = TestSite::fixture("basic");
    site.build(&[]).success();
    let item = site.read("tin-bai/2018/hoi-nghi-so-ket/index.html");
    assert!(
        item.contains("href=\"/tin-bai/2018/trao-mai-am/\""),
        "{item}"
    );
    assert!(
        item.contains("href=\"/tin-bai/2019/tap-huan/#ket-qua\""),
        "{item}"
    );
    let bundle = site.read("tin-bai/2018/trao-mai-am/index.html");
    assert!(
        bundle.contains("src=\"/tin-bai/2018/trao-mai-am/anh-1-64x48.jpg\""),
        "{bundle}"
    );
    let page = site.read("gioi-thieu/index.html");
    assert!(page.contains("href=\"/lien-he/\""), "{page}");
}

#[test]
fn dates_are_vietnamese_and_in_the_site_timezone() {
    let site = TestSite::fixture("basic");
    site.build(&[]).success();
    // 2017-12-31T20:00:00Z is 1 January 2018, 03:00 in +07:00: filed under 2018.
    let item = site.read("tin-bai/2018/tieu-de-html/index.html");
    assert!(item.contains("Thứ Hai, 01/01/2018"), "{item}");
    assert!(
        site.read("tin-bai/2018/trao-mai-am/index.html")
            .contains("Thứ Hai, 05/03/2018")
    );
}

#[test]
fn feeds_and_sitemap_use_absolute_urls_under_a_sub_path() {
    let site = TestSite::fixture("basic");
    site.build(&["--base-url", "https://example.org/phunu/"])
        .success();
    let rss = site.read("rss.xml");
    let doc = roxmltree::Document::parse(&rss).expect("rss.xml is XML");
    let links: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("link") && n.parent().is_some_and(|p| p.has_tag_name("item")))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(links.len(), 4, "{rss}");
    assert!(
        links
            .iter()
            .all(|l| l.starts_with("https://example.org/phunu/tin-bai/")),
        "{links:?}"
    );

    let unit_rss = site.read("don-vi/viet-tri/rss.xml");
    let unit_doc = roxmltree::Document::parse(&unit_rss).expect("unit feed is XML");
    assert_eq!(
        unit_doc
            .descendants()
            .filter(|n| n.has_tag_name("item"))
            .count(),
        2
    );

    let sitemap = site.read("sitemap.xml");
    let doc = roxmltree::Document::parse(&sitemap).expect("sitemap is XML");
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    assert!(locs.len() >= 20, "{locs:?}");
    assert!(
        locs.iter()
            .all(|l| l.starts_with("https://example.org/phunu/")),
        "{locs:?}"
    );
    assert!(locs.contains(&"https://example.org/phunu/tin-bai/2019/tap-huan/"));
    assert!(!locs.iter().any(|l| l.ends_with("404.html")));

    // Internal links honour the sub-path too.
    let home = site.read("index.html");
    assert!(home.contains("href=\"/phunu/tin-bai/\""), "{home}");
    assert!(
        !home.contains("href=\"/tin-bai/"),
        "a link forgot the sub-path"
    );
    assert!(
        site.read("robots.txt")
            .contains("https://example.org/phunu/sitemap.xml")
    );
}

#[test]
fn builds_are_byte_identical() {
    let site = TestSite::fixture("basic");
    site.build(&[]).success();
    let first = site.snapshot();
    site.build(&[]).success();
    assert_eq!(first, site.snapshot());
}

/// Builds once, breaks the content with `break_it`, and checks the failed build.
fn assert_failure_keeps_output(break_it: impl Fn(&TestSite), expected: &[&str]) -> String {
    let site = TestSite::fixture("basic");
    site.build(&[]).success();
    let before = site.snapshot();
    break_it(&site);
    let run = site.build(&[]).failure(1);
    let stderr = run.stderr();
    for needle in expected {
        assert!(
            stderr.contains(needle),
            "stderr lacks {needle:?}:\n{stderr}"
        );
    }
    assert_eq!(before, site.snapshot(), "a failed build changed public/");
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("datto") && n != ".datto-cache")
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
    stderr
}

#[test]
fn duplicate_url_names_both_files() {
    assert_failure_keeps_output(
        |site| {
            site.write(
                "tin-bai/khac/hoi-nghi-so-ket.md",
                "---\ntitle: Trùng\ndate: 2018-02-01\nunit: viet-tri\n---\nX\n",
            );
        },
        &[
            "content/tin-bai/2018/hoi-nghi-so-ket.md",
            "content/tin-bai/khac/hoi-nghi-so-ket.md",
            "/tin-bai/2018/hoi-nghi-so-ket/",
        ],
    );
}

#[test]
fn unknown_key_has_line_and_hint() {
    let stderr = assert_failure_keeps_output(
        |site| {
            site.write(
                "tin-bai/2019/go-nham.md",
                "---\ntitle: Gõ nhầm\ndate: 2019-01-01\nunit: viet-tri\ndraf: true\n---\nX\n",
            );
        },
        &["content/tin-bai/2019/go-nham.md:5:", "draf", "`draft`"],
    );
    assert_eq!(stderr.lines().filter(|l| l.contains("go-nham")).count(), 1);
}

#[test]
fn unknown_unit_gets_a_suggestion() {
    assert_failure_keeps_output(
        |site| {
            site.write(
                "tin-bai/2019/sai-don-vi.md",
                "---\ntitle: Sai\ndate: 2019-01-01\nunit: Đoan Hùg\n---\nX\n",
            );
        },
        &[
            "content/tin-bai/2019/sai-don-vi.md:4:",
            "Đoan Hùg",
            "doan-hung",
        ],
    );
}

#[test]
fn broken_link_is_an_error_at_its_line() {
    assert_failure_keeps_output(
        |site| {
            site.write(
                "tin-bai/2019/lien-ket.md",
                "---\ntitle: Liên kết\ndate: 2019-01-01\nunit: viet-tri\n---\n\nĐoạn một.\n\n[hỏng](khong-co.md) và ![ảnh](mat.png)\n",
            );
        },
        &[
            "content/tin-bai/2019/lien-ket.md:9: liên kết hỏng",
            "khong-co.md",
            "mat.png",
        ],
    );
}

#[test]
fn invalid_yaml_is_reported() {
    assert_failure_keeps_output(
        |site| {
            site.write(
                "tin-bai/2019/yaml-hong.md",
                "---\ntitle: [Thiếu ngoặc\ndate: 2019-01-01\nunit: viet-tri\n---\nX\n",
            );
        },
        &["content/tin-bai/2019/yaml-hong.md:", "không đóng bằng `]`"],
    );
}

#[test]
fn links_that_run_code_are_refused() {
    assert_failure_keeps_output(
        |site| {
            site.write(
                "tin-bai/2019/ma-doc.md",
                "---\ntitle: Mã độc\ndate: 2019-01-01\nunit: viet-tri\n---\n\n[bấm](javascript:alert(1)) và <JAVASCRIPT:alert(2)>\n",
            );
        },
        &[
            "content/tin-bai/2019/ma-doc.md:7:",
            "javascript:alert(1)",
            "JAVASCRIPT:alert(2)",
        ],
    );
}

#[test]
fn check_reports_every_error_and_writes_nothing() {
    let site = TestSite::fixture("basic");
    site.write(
        "tin-bai/2019/a.md",
        "---\ntitle: A\ndate: 2019-01-01\nunit: viet-tri\ndraf: true\n---\nX\n",
    )
    .write(
        "tin-bai/2019/b.md",
        "---\ntitle: B\ndate: 2019-13-01\nunit: viet-tri\n---\nX\n",
    )
    .write(
        "mo-hinh/c.md",
        "---\ntitle: C\nunit: ha-hoa\nkind: clb-hat-xoan\n---\n[x](d.md)\n",
    );
    let run = site.run(&["check"]).failure(1);
    let stderr = run.stderr();
    for needle in [
        "content/tin-bai/2019/a.md:5:",
        "content/tin-bai/2019/b.md:3:",
        "content/mo-hinh/c.md:3:",
    ] {
        assert!(stderr.contains(needle), "{needle}:\n{stderr}");
    }
    assert!(!site.public().exists());

    let clean = TestSite::fixture("basic");
    let run = clean.run(&["check"]).success();
    assert!(run.stdout().contains("Không có lỗi"));
    assert!(!clean.public().exists());
}

#[test]
fn nothing_escapes_the_output_folder() {
    let site = TestSite::fixture("basic");
    site.write(
        "tin-bai/2019/thoat.md",
        "---\ntitle: Thoát\ndate: 2019-01-02\nunit: viet-tri\nslug: ../../../../thoat-ra\n---\nX\n",
    );
    site.build(&[]).success();
    assert!(site.exists("tin-bai/2019/thoat-ra/index.html"));
    let top: BTreeSet<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        top,
        [".datto-cache", "content", "public", "themes"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );

    for (file, text) in [
        (
            "tin-bai/2019/link-ra.md",
            "---\ntitle: R\ndate: 2019-01-02\nunit: viet-tri\n---\n[x](../../../../../etc/passwd)\n",
        ),
        (
            "tin-bai/2019/anh-ra.md",
            "---\ntitle: R\ndate: 2019-01-02\nunit: viet-tri\nimage: /../../etc/passwd\n---\nX\n",
        ),
        (
            "tin-bai/2019/ma-hoa.md",
            "---\ntitle: R\ndate: 2019-01-02\nunit: viet-tri\n---\n![x](%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd)\n",
        ),
    ] {
        let site = TestSite::fixture("basic");
        site.write(file, text);
        let run = site.build(&[]).failure(1);
        assert!(run.stderr().contains(file), "{}", run.stderr());
    }
}

#[test]
fn new_writes_a_file_that_builds_and_refuses_to_overwrite() {
    let site = TestSite::fixture("basic");
    let run = site
        .run(&[
            "new",
            "tin",
            "--unit",
            "Đoan Hùng",
            "--title",
            "Ra quân tháng hành động",
        ])
        .success();
    let path = run.stdout().trim().to_string();
    assert!(
        path.ends_with("content/tin-bai/2019/ra-quan-thang-hanh-dong/index.md"),
        "{path}"
    );
    site.build(&[]).success();
    let page = site.read("tin-bai/2019/ra-quan-thang-hanh-dong/index.html");
    assert!(page.contains("Ra quân tháng hành động"));
    site.run(&[
        "new",
        "tin",
        "--unit",
        "Đoan Hùng",
        "--title",
        "Ra quân tháng hành động",
    ])
    .failure(1);
    let run = site
        .run(&[
            "new",
            "mo-hinh",
            "--unit",
            "viet tri",
            "--title",
            "CLB Xoan Phượng Lâu",
            "--kind",
            "clb-hat-xoan",
        ])
        .success();
    assert!(
        run.stdout()
            .trim()
            .ends_with("content/mo-hinh/clb-xoan-phuong-lau/index.md")
    );
    let run = site
        .run(&["new", "bai", "--unit", "Viet Tr", "--title", "X"])
        .failure(1);
    assert!(run.stderr().contains("viet-tri"), "{}", run.stderr());
}
