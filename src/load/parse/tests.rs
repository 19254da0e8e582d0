use super::*;
use crate::base::paths::LocalRef;
use crate::model::config::tests::sample;
use chrono::Datelike;

fn item(text: &str) -> Result<Item, Vec<Diagnostic>> {
    parse_item(
        &sample(),
        Path::new("content/tin-bai/2018/a.md"),
        "tin-bai/2018/a.md",
        text.to_string(),
    )
}

fn messages(errors: &[Diagnostic]) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

#[test]
fn a_full_item() {
    let it = item(
            "---\ntitle: Hội nghị\ndate: 2017-12-31T20:00:00Z\nunit: Việt Trì\ntype: bai\ntags: [Hát Xoan, hát xoan, Giáo dục]\n\
             image: anh.jpg\nchannel: Báo Phú Thọ\nextra: {mau: do}\n---\nNội dung\n",
        )
        .unwrap();
    assert_eq!(it.title, "Hội nghị");
    assert_eq!(it.date.year(), 2018);
    assert_eq!(it.unit.0, 0);
    assert_eq!(it.kind, ItemType::Bai);
    let tags: Vec<(&str, &str)> = it
        .tags
        .iter()
        .map(|t| (t.name.as_str(), t.slug.as_str()))
        .collect();
    assert_eq!(tags, [("Hát Xoan", "hat-xoan"), ("Giáo dục", "giao-duc")]);
    assert_eq!(it.channel.0, 1);
    assert_eq!(it.slug, "a");
    assert_eq!(it.path(), "tin-bai/2018/a/");
    assert_eq!(
        it.image.unwrap().reference,
        LocalRef::Content("tin-bai/2018/anh.jpg".into())
    );
    assert_eq!(it.extra["mau"], "do");
    assert_eq!(&*it.source.body, "Nội dung\n");
    assert_eq!(it.source.body_line, 11);
}

#[test]
fn every_error_of_a_file_is_reported() {
    let errors =
        item("---\ntitle: \"\"\ndate: 05/03/2018\nunit: viet-tr\ntype: video\n---\n").unwrap_err();
    let shown = messages(&errors);
    assert_eq!(shown.len(), 4, "{shown:#?}");
    assert!(
        shown[0].starts_with("content/tin-bai/2018/a.md:2:"),
        "{shown:#?}"
    );
    assert!(
        shown[1].starts_with("content/tin-bai/2018/a.md:3:"),
        "{shown:#?}"
    );
    assert!(
        shown[2].contains("viet-tr") && shown[2].contains("`viet-tri`"),
        "{shown:#?}"
    );
    assert!(
        shown[3].starts_with("content/tin-bai/2018/a.md:5:"),
        "{shown:#?}"
    );
}

/// Front matter lines after `title`, `date` and `unit` (which come first, lines 2–4).
fn with(extra: &str) -> String {
    format!("---\ntitle: A\ndate: 2018-01-01\nunit: viet-tri\n{extra}---\nX\n")
}

#[test]
fn staff_mistakes_are_named_at_their_key_and_line_with_the_fix() {
    // (whole file, line, message fragment, hint fragment)
    let cases = [
        (
            with("tags: {a: 1}\n"),
            5,
            "`tags` phải là một dòng chữ hoặc một danh sách, không phải một bảng",
            "`tags: [Ẩm thực, Hội thi]`",
        ),
        (
            with("tags: [[a, b]]\n"),
            5,
            "`tags` phải là một dòng chữ, không phải một danh sách",
            "`tags: [Ẩm thực, Hội thi]`",
        ),
        (
            with("draft: có\n"),
            5,
            "`draft` phải là `true` hoặc `false`",
            "ghi `draft: true`",
        ),
        (
            with("summary: Tóm tắt: ngắn\n"),
            5,
            "dấu `:`",
            "`summary: \"Tóm tắt: ngắn\"`",
        ),
        (with("\tdraft: true\n"), 5, "Tab", "dấu cách"),
        // The alias is at fault where it is used (line 6), not at its anchor (line 5).
        (
            with("extra: &e {a: 1}\nauthor: *e\n"),
            6,
            "`author` phải là một dòng chữ",
            "",
        ),
        (
            "---\ntitle: A\ndate: 30/11/2026\nunit: viet-tri\n---\n".into(),
            3,
            "`30/11/2026`",
            "ghi `2026-11-30`",
        ),
        (
            "---\ntitle: A\ndate: 0001-01-01\nunit: viet-tri\n---\n".into(),
            3,
            "năm 1",
            "bốn chữ số",
        ),
        (
            "---\ntitle: A\ndate: 2018-01-01\nunit: Viet Tr\n---\n".into(),
            4,
            "không có đơn vị `Viet Tr`",
            "`viet-tri` (Việt Trì)",
        ),
        (
            "---\ntitle: A\ndate: 2018-01-01\nunit: Hà Nội\n---\n".into(),
            4,
            "không có đơn vị",
            "`doan-hung` (Đoan Hùng)",
        ),
        (
            with("channel: báo tỉnh\n"),
            5,
            "không có kênh `báo tỉnh`",
            "`bao-phu-tho` (Báo Phú Thọ)",
        ),
        (
            with(&format!("slug: {}\n", "a".repeat(201))),
            5,
            "quá dài",
            "tối đa 200 byte",
        ),
        (
            with(&format!("tags: [{}]\n", "b".repeat(201))),
            5,
            "chủ đề dài",
            "tối đa 200 byte",
        ),
    ];
    for (text, line, message, hint) in cases {
        let errors = item(&text).unwrap_err();
        let e = &errors[0];
        assert_eq!(e.line, line, "{text}\n{e}");
        assert!(e.message.contains(message), "{text}\n{e}");
        assert!(
            e.hint.as_deref().unwrap_or("").contains(hint),
            "{text}\n{e}"
        );
        for english in ["invalid", "expected", "variant", "mapping", "token"] {
            assert!(!e.to_string().contains(english), "{text}\n{e}");
        }
    }
}

#[test]
fn a_value_of_the_wrong_type_hides_no_other_error_of_the_file() {
    let errors =
        item("---\ntitle: [a]\ndate: 30/11/2026\nunit: viet-tri\ndraft: có\n---\n").unwrap_err();
    let mut shown = messages(&errors);
    shown.sort();
    assert_eq!(shown.len(), 3, "{shown:#?}");
    assert!(
        shown[0].contains(":2: `title` phải là một dòng chữ") && shown[0].contains("ngoặc kép"),
        "{shown:#?}"
    );
    assert!(shown[1].contains(":3: ngày `30/11/2026`"), "{shown:#?}");
    assert!(shown[2].contains(":5: `draft`"), "{shown:#?}");
    assert!(
        !shown.iter().any(|s| s.contains("thiếu khóa")),
        "{shown:#?}"
    );
}

#[test]
fn a_long_file_name_is_refused_before_build_meets_it() {
    let rel = format!("tin-bai/2018/{}.md", "dai".repeat(70));
    let errors = parse_item(&sample(), Path::new("x"), &rel, with("")).unwrap_err();
    assert!(
        errors[0].message.contains("tên tệp dài 210 byte"),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].hint.as_deref().unwrap().contains("slug:"),
        "{}",
        errors[0]
    );
}

#[test]
fn a_comma_separated_tag_string_is_several_tags() {
    let it = item(&with("tags: Ẩm thực, Ngày Phụ nữ Việt Nam,\n")).unwrap();
    let names: Vec<&str> = it.tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Ẩm thực", "Ngày Phụ nữ Việt Nam"]);
    // A comma inside one tag needs the list form with quotes.
    let it = item(&with("tags: [\"Dân số, gia đình\"]\n")).unwrap();
    assert_eq!(it.tags.len(), 1);
}

#[test]
fn far_future_dates_need_scheduled() {
    let now = crate::base::dates::parse_date("2026-12-01", sample().timezone).unwrap();
    let typo = item("---\ntitle: A\ndate: 2062-11-29\nunit: viet-tri\n---\n").unwrap();
    let error = typo.far_future(&now).unwrap();
    assert_eq!(error.line, 3);
    assert!(error.message.contains("hơn một năm"), "{error}");
    let hint = error.hint.unwrap();
    assert!(
        hint.contains("`date: 2026-11-29`") && hint.contains("`scheduled: true`"),
        "{hint}"
    );
    let meant =
        item("---\ntitle: A\ndate: 2062-11-29\nscheduled: true\nunit: viet-tri\n---\n").unwrap();
    assert!(meant.far_future(&now).is_none());
    let soon = item("---\ntitle: A\ndate: 2027-06-01\nunit: viet-tri\n---\n").unwrap();
    assert!(soon.far_future(&now).is_none());
}

#[test]
fn missing_required_keys() {
    let errors = item("---\ntitle: A\n---\n").unwrap_err();
    let shown = messages(&errors);
    assert_eq!(shown.len(), 2, "{shown:#?}");
    assert!(
        shown.iter().all(|s| s.contains(":1: thiếu khóa bắt buộc")),
        "{shown:#?}"
    );
}

#[test]
fn typo_in_draft_never_publishes() {
    let errors =
        item("---\ntitle: A\ndate: 2018-01-01\nunit: viet-tri\ndraf: true\n---\n").unwrap_err();
    assert_eq!(errors[0].line, 5);
    assert!(errors[0].hint.as_deref().unwrap().contains("`draft`"));
}

#[test]
fn bundle_slug_is_the_folder() {
    let it = parse_item(
        &sample(),
        Path::new("x"),
        "tin-bai/2018/trao-qua/index.md",
        "---\ntitle: A\ndate: 2018-05-01\nunit: viet-tri\n---\n".into(),
    )
    .unwrap();
    assert_eq!(it.slug, "trao-qua");
    assert!(it.source.is_bundle());
}

#[test]
fn slug_override_is_folded_and_cannot_escape() {
    let it =
        item("---\ntitle: A\ndate: 2018-01-01\nunit: viet-tri\nslug: ../../Đi Ra Ngoài\n---\n")
            .unwrap();
    assert_eq!(it.slug, "di-ra-ngoai");
    let errors =
        item("---\ntitle: A\ndate: 2018-01-01\nunit: viet-tri\nslug: \"🌸\"\n---\n").unwrap_err();
    assert_eq!(errors[0].line, 5);
}

#[test]
fn source_url_must_be_a_web_address() {
    for bad in ["javascript:alert(1)", "baophutho.vn/a", "ftp://x/a"] {
        let text = format!(
            "---\ntitle: A\ndate: 2018-01-01\nunit: viet-tri\nsource_url: \"{bad}\"\n---\nX\n"
        );
        let errors = item(&text).unwrap_err();
        assert_eq!(errors[0].line, 5, "{bad}");
    }
    let ok = item(
        "---\ntitle: A\ndate: 2018-01-01\nunit: viet-tri\nsource_url: https://baophutho.vn/a\n---\nX\n",
    );
    assert_eq!(
        ok.unwrap().source_url.as_deref(),
        Some("https://baophutho.vn/a")
    );
}

#[test]
fn external_cover_image_is_refused() {
    let errors =
        item("---\ntitle: A\ndate: 2018-01-01\nunit: viet-tri\nimage: https://x.vn/a.jpg\n---\n")
            .unwrap_err();
    assert_eq!(errors[0].line, 5);
}

#[test]
fn profiles_and_pages() {
    let p = parse_profile(
            &sample(),
            Path::new("x"),
            "mo-hinh/nha-ba-lan.md",
            "---\ntitle: Nhà bà Lan\nunit: doan-hung\nkind: Mái ấm tình thương\nyear: 2019\ncriteria: [Sạch nhà, Sạch bếp]\n---\n".into(),
        )
        .unwrap();
    assert_eq!((p.kind.0, p.year, p.criteria.len()), (0, Some(2019), 2));
    assert_eq!(p.path(), "mo-hinh/nha-ba-lan/");
    let errors = parse_profile(
        &sample(),
        Path::new("x"),
        "mo-hinh/x.md",
        "---\ntitle: X\nunit: doan-hung\nkind: mai-am\n---\n".into(),
    )
    .unwrap_err();
    assert!(errors[0].message.contains("mai-am"));
    let page = parse_page(
        Path::new("x"),
        "trang/gioi-thieu.md",
        "---\ntitle: Giới thiệu\n---\nX".into(),
    )
    .unwrap();
    assert_eq!(page.path(), "gioi-thieu/");
}
