use super::*;
use serde::Deserialize;

fn p() -> &'static Path {
    Path::new("content/tin-bai/a.md")
}

#[test]
fn splits_simple_file() {
    let text = "---\ntitle: A\n---\nBody\n";
    let s = split(p(), text).unwrap();
    assert_eq!(s.yaml, "title: A\n");
    assert_eq!(s.body, "Body\n");
    assert_eq!((s.yaml_line, s.body_line), (2, 4));
}

#[test]
fn bom_and_crlf_are_accepted() {
    let text =
        normalize("\u{feff}---\r\ntitle: A\r\ndate: 2018-01-01\r\n---\r\nBody\r\nmore\r\n".into());
    let s = split(p(), &text).unwrap();
    assert_eq!(s.yaml, "title: A\ndate: 2018-01-01\n");
    assert_eq!(s.body, "Body\nmore\n");
    assert_eq!(s.body_line, 5);
}

#[test]
fn empty_body_and_trailing_spaces_on_fences() {
    let s = split(p(), "--- \ntitle: A\n---").unwrap();
    assert_eq!(s.yaml, "title: A\n");
    assert_eq!(s.body, "");
}

#[test]
fn missing_front_matter_is_line_1() {
    let err = split(p(), "# Tiêu đề\n\nNội dung").unwrap_err();
    assert_eq!(err.line, 1);
    assert!(err.message.contains("front matter"), "{err}");
}

#[test]
fn unterminated_front_matter() {
    let err = split(p(), "---\ntitle: A\ndate: 2018-01-01\n\nBody").unwrap_err();
    assert!(err.message.contains("không có dòng `---` đóng"), "{err}");
    assert!(err.hint.is_some());
}

#[test]
fn a_rule_in_the_body_is_not_the_fence() {
    let s = split(p(), "---\ntitle: A\n---\ntext\n---\nmore\n").unwrap();
    assert_eq!(s.body, "text\n---\nmore\n");
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fm {
    title: Option<String>,
    draft: Option<bool>,
    tags: Option<Vec<String>>,
}
const KEYS: &[&str] = &["title", "draft", "tags"];

#[test]
fn an_unknown_key_does_not_hide_a_bad_value() {
    let yaml = "draf: true\ndraft: có\ntitle: A\n";
    let problems = match parse_yaml::<Fm>(p(), yaml, 2, KEYS) {
        Ok(doc) => doc.problems,
        Err(errors) => errors,
    };
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(
        shown
            .iter()
            .any(|s| s.contains(":2: khóa không được hỗ trợ `draf`")),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|s| s.contains(":3:") && s.contains("draft")),
        "{shown:?}"
    );
}

#[test]
fn unknown_keys_get_line_and_hint() {
    let yaml = "title: A\ndraf: true\ntagz: [a]\n";
    // The known keys are still read (and checked), the unknown ones reported.
    let doc = parse_yaml::<Fm>(p(), yaml, 2, KEYS).unwrap();
    assert_eq!(doc.value.title.as_deref(), Some("A"));
    let shown: Vec<String> = doc.problems.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(
        shown[0].starts_with("content/tin-bai/a.md:3: khóa không được hỗ trợ `draf`"),
        "{shown:?}"
    );
    assert!(shown[0].contains("`draft`"), "{shown:?}");
    assert!(shown[1].starts_with("content/tin-bai/a.md:4:"), "{shown:?}");
    assert!(shown[1].contains("`tags`"), "{shown:?}");
}

#[test]
fn bad_value_names_key_and_line_and_keeps_the_other_keys() {
    let yaml = "title: A\ndraft: maybe\n";
    let doc = parse_yaml::<Fm>(p(), yaml, 2, KEYS).unwrap();
    let errors = &doc.problems;
    assert_eq!(errors[0].line, 3);
    assert!(errors[0].message.contains("`draft`"), "{}", errors[0]);
    assert!(doc.failed("draft") && !doc.failed("title"));
    assert_eq!(doc.value.title.as_deref(), Some("A"));
    assert_eq!(doc.value.draft, None);
}

#[test]
fn invalid_yaml_has_line() {
    let yaml = "title: A\ntags: [a, b\n";
    let errors = parse_yaml::<Fm>(p(), yaml, 2, KEYS).unwrap_err();
    assert!(
        errors[0].message.contains("không đóng bằng `]`"),
        "{}",
        errors[0]
    );
    assert!(errors[0].line >= 3);
}

#[test]
fn yaml_mistakes_in_vietnamese_at_their_line() {
    // (front matter, file line, message fragment, hint fragment); the YAML starts at line 2.
    let cases = [
        (
            "title: Hội nghị: tổng kết năm\n",
            2,
            "dấu `:`",
            "`title: \"Hội nghị: tổng kết năm\"`",
        ),
        ("title: A\n\tdraft: true\n", 3, "Tab", "dấu cách"),
        (
            "title: A\ndraft: có\n",
            3,
            "`draft` phải là `true` hoặc `false`",
            "ghi `draft: true`",
        ),
        (
            "title: A\ndraft: không\n",
            3,
            "không phải `không`",
            "ghi `draft: false`",
        ),
        ("title: A\ntitle: B\n", 2, "ghi hai lần", "xóa"),
        (
            "title: \"Hội nghị\ndraft: true\n",
            2,
            "ngoặc kép",
            "đóng bằng",
        ),
        (
            "title: A\ndraft true\n",
            3,
            "thiếu dấu `:`",
            "ghi `draft: true`",
        ),
        ("title: A\n  draft: true\n", 3, "thụt lề", "`draft: true`"),
        (
            "title: A\ntags: [[a, b]]\n",
            3,
            "`tags`",
            "`tags: [Ẩm thực, Hội thi]`",
        ),
        // An alias is blamed where it is used, not at its anchor.
        ("tags: &t [a]\ntitle: A\ndraft: *t\n", 4, "`draft`", "true"),
    ];
    for (yaml, line, message, hint) in cases {
        let errors = match parse_yaml::<Fm>(p(), yaml, 2, KEYS) {
            Ok(doc) => doc.problems,
            Err(errors) => errors,
        };
        let e = &errors[0];
        assert_eq!(e.line, line, "{yaml:?}: {e}");
        assert!(e.message.contains(message), "{yaml:?}: {e}");
        assert!(
            e.hint.as_deref().unwrap_or("").contains(hint),
            "{yaml:?}: {e}"
        );
        for english in ["invalid", "expected", "mapping", "token", "duplicate"] {
            assert!(!e.to_string().contains(english), "{yaml:?}: {e}");
        }
    }
}

#[test]
fn empty_front_matter_is_an_empty_mapping() {
    let doc = parse_yaml::<Fm>(p(), "", 2, KEYS).unwrap();
    assert!(doc.value.title.is_none());
    assert_eq!(doc.start_line, 1);
}

#[test]
fn key_lines_follow_the_file() {
    let doc = parse_yaml::<Fm>(
        p(),
        "title: A\ntags:\n  - x\n  - y\ndraft: false\n",
        2,
        KEYS,
    )
    .unwrap();
    assert_eq!(doc.lines.line_of("draft", 0), 6);
    assert_eq!(doc.lines.line_of("tags", 0), 3);
    assert_eq!(doc.lines.line_of("missing", 99), 99);
    assert_eq!(doc.value.tags.unwrap(), ["x", "y"]);
    assert_eq!(doc.value.draft, Some(false));
}
