//! The home page a provincial portal needs (issue 13 §3): staff choose the lead story and the
//! headlines with `featured:`, the footer shows `contact:`, item pages carry share links.

mod common;

use common::TestSite;

const OLDEST: &str = "tin-bai/2018/tieu-de-html.md";
const WITH_IMAGE: &str = "tin-bai/2018/trao-mai-am/index.md";

/// The text of the home page's lead story.
fn lead(site: &TestSite) -> String {
    let home = site.read("index.html");
    let start = home.find("<article class=\"lead\">").expect("a lead story");
    let end = start + home[start..].find("</article>").unwrap();
    home[start..end].to_string()
}

fn headlines(site: &TestSite) -> String {
    let home = site.read("index.html");
    let start = home.find("class=\"headlines\"").expect("headlines");
    let end = start + home[start..].find("</section>").unwrap();
    home[start..end].to_string()
}

/// Adds a front matter line to a content file.
fn with_line(site: &TestSite, rel: &str, line: &str) {
    let text = std::fs::read_to_string(site.root().join("content").join(rel)).unwrap();
    site.write(rel, &text.replacen("---\n", &format!("---\n{line}\n"), 1));
}

#[test]
fn without_featured_the_newest_item_with_a_photo_leads() {
    let site = TestSite::fixture("basic");
    site.build(&[]).success();
    assert!(lead(&site).contains("Trao mái ấm tình thương"));
    assert!(headlines(&site).contains("Tập huấn chuyển đổi số"));
}

#[test]
fn a_featured_item_leads_until_its_date() {
    // The fixture's "now" is 2019-06-01 07:00 in the site timezone.
    let cases = [
        ("featured: true", true),
        ("featured: 2019-06-01", true),
        ("featured: 2019-05-31", false),
        ("featured: false", false),
    ];
    for (line, leads) in cases {
        let site = TestSite::fixture("basic");
        with_line(&site, OLDEST, line);
        site.build(&[]).success();
        assert_eq!(lead(&site).contains("Cảnh giác"), leads, "{line}");
    }
}

#[test]
fn a_featured_item_with_a_photo_leads_and_the_others_are_headlines() {
    let site = TestSite::fixture("basic");
    with_line(&site, OLDEST, "featured: true");
    with_line(&site, WITH_IMAGE, "featured: 2019-12-31");
    site.build(&[]).success();
    assert!(lead(&site).contains("Trao mái ấm tình thương"));
    assert!(headlines(&site).contains("Cảnh giác"));
}

#[test]
fn a_bad_featured_value_names_the_line_and_the_answer() {
    let site = TestSite::fixture("basic");
    with_line(&site, OLDEST, "featured: có");
    let run = site.build(&[]).failure(1);
    let errors = run.stderr();
    assert!(
        errors.contains("content/tin-bai/2018/tieu-de-html.md:2:"),
        "{errors}"
    );
    assert!(errors.contains("featured: true"), "{errors}");
}

#[test]
fn footer_contact_share_links_and_date_line() {
    let site = TestSite::fixture("basic");
    let config = std::fs::read_to_string(site.root().join("content/site.yaml")).unwrap();
    site.write(
        "site.yaml",
        &format!(
            "{config}\ncontact:\n  address: Đường Trần Phú, Việt Trì\n  phone: 0210 123 456\n  \
             email: lienhe@example.vn\n  responsible: Nguyễn Thị A\n  licence: Ghi rõ nguồn khi đăng lại\n"
        ),
    );
    site.build(&[]).success();
    let home = site.read("index.html");
    for expected in [
        "Chịu trách nhiệm nội dung: <strong>Nguyễn Thị A</strong>",
        "href=\"tel:0210123456\"",
        "href=\"mailto:lienhe@example.vn\"",
        "Ghi rõ nguồn khi đăng lại",
        "href=\"/lien-he/\">Liên hệ</a>",
        "Nhận tin (RSS)",
        // SOURCE_DATE_EPOCH of the tests: Saturday 1 June 2019.
        "<time datetime=\"2019-06-01\">Thứ Bảy, 01/06/2019</time>",
    ] {
        assert!(home.contains(expected), "{expected}");
    }
    let item = site.read("tin-bai/2019/tap-huan/index.html");
    assert!(item.contains(
        "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fphunudatto%2Eexample%2Evn%2Ftin%2Dbai%2F2019%2Ftap%2Dhuan%2F"
    ));
    assert!(item.contains("https://sp.zalo.me/share_inline?url=https%3A%2F%2F"));
    assert!(
        item.contains("data-copy-url=\"https://phunudatto.example.vn/tin-bai/2019/tap-huan/\"")
    );
    // Nothing is loaded from another server: no script, style or image from elsewhere.
    for page in [&home, &item] {
        assert!(
            !page.contains("src=\"http"),
            "a resource from another server"
        );
        assert!(
            !page.contains("<script src=\"http"),
            "a script from another server"
        );
    }
}

#[test]
fn topic_blocks_show_the_most_used_tags_without_repeating_the_top() {
    let site = TestSite::fixture("basic");
    for day in 1..=4 {
        site.write(
            &format!("tin-bai/2019/khoi-nghiep-{day}.md"),
            &format!(
                "---\ntitle: Khởi nghiệp số {day}\ndate: 2019-01-0{day}\nunit: viet-tri\n\
                 tags: [Khởi nghiệp]\n---\nTin.\n"
            ),
        );
    }
    site.build(&[]).success();
    let home = site.read("index.html");
    let topics = &home[home.find("class=\"topics\"").expect("topic blocks")..];
    let topics = &topics[..topics.find("block--profiles").unwrap_or(topics.len())];
    // The most used tag comes first; its newest items are headlines already.
    let first = topics.find("Khởi nghiệp</h2>").expect("the most used tag");
    let second = topics.find("Xây dựng Hội</h2>").expect("the next tag");
    assert!(first < second);
    assert!(topics.contains("Khởi nghiệp số 1"), "{topics}");
    assert!(!topics.contains("Khởi nghiệp số 4"), "a headline repeated");
    assert!(headlines(&site).contains("Khởi nghiệp số 4"));
}
