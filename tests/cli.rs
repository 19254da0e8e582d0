//! The command line speaks Vietnamese: no word of clap's English reaches staff, whatever
//! they type, and usage errors exit with 2.

mod common;

use std::process::Command;

fn datto(args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_datto"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// clap's English, as it would appear in its help and errors.
const ENGLISH: &[&str] = &[
    "Usage",
    "error:",
    "required",
    "argument",
    "Arguments",
    "Options",
    "Commands",
    "Print",
    "default",
    "possible values",
    "unexpected",
    "invalid",
    "provided",
    "For more information",
    "tip:",
    "found",
    "subcommand",
];

#[track_caller]
fn assert_vietnamese(args: &[&str], text: &str) {
    // `--help` is the flag's own name, which staff type; the word is allowed there only.
    let without_flag = text.replace("--help", "");
    for english in ENGLISH.iter().chain(&["help"]) {
        assert!(
            !without_flag.contains(english),
            "datto {args:?} printed {english:?}:\n{text}"
        );
    }
}

#[test]
fn help_and_usage_errors_are_vietnamese() {
    // (arguments, exit code, a fragment expected in the output)
    let cases: &[(&[&str], i32, &str)] = &[
        (&[], 2, "Cách dùng: datto"),
        (&["--help"], 0, "Lệnh:"),
        (&["-h"], 0, "Tùy chọn:"),
        (&["help"], 0, "Lệnh:"),
        (&["build", "--help"], 0, "(mặc định: .)"),
        (&["new", "--help"], 0, "<ĐƠN_VỊ>"),
        (&["tally", "--help"], 0, "một trong: table, csv"),
        (&["serve", "--help"], 0, "<CỔNG>"),
        (&["biuld"], 2, "có phải ý bạn là `build`?"),
        (&["xyz"], 2, "không có lệnh `xyz`"),
        (
            &["new", "tin"],
            2,
            "còn thiếu --unit <ĐƠN_VỊ>, --title <TIÊU_ĐỀ>",
        ),
        (
            &["new", "video", "--unit", "a", "--title", "b"],
            2,
            "giá trị `video`",
        ),
        (
            &["tally", "--format", "xml"],
            2,
            "một trong: table, csv, json, markdown",
        ),
        (&["serve", "--port", "abc"], 2, "một số từ 0 đến 65535"),
        (&["serve", "--bind", "localhost"], 2, "--bind 127.0.0.1"),
        (&["build", "--fo"], 2, "không hiểu `--fo`"),
        (&["build", "thừa"], 2, "không hiểu `thừa`"),
        (
            &["build", "--output"],
            2,
            "--output <THƯ_MỤC> cần một giá trị",
        ),
        (&["--root"], 2, "cần một giá trị"),
    ];
    for (args, code, fragment) in cases {
        let (status, stdout, stderr) = datto(args);
        let text = format!("{stdout}{stderr}");
        assert_eq!(status, Some(*code), "datto {args:?}:\n{text}");
        assert!(
            text.contains(fragment),
            "datto {args:?} lacks {fragment:?}:\n{text}"
        );
        assert_vietnamese(args, &text);
        if *code == 2 && !args.is_empty() {
            assert!(stdout.is_empty(), "datto {args:?}: errors go to stderr");
            assert!(stderr.starts_with("lỗi: "), "datto {args:?}:\n{stderr}");
        }
    }
}

#[test]
fn version_prints_the_version() {
    let (status, stdout, _) = datto(&["--version"]);
    assert_eq!(status, Some(0));
    assert!(stdout.starts_with("datto "), "{stdout}");
}

#[test]
fn a_missing_site_is_explained_in_vietnamese() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap();
    let (status, _, stderr) = datto(&["check", "--root", root]);
    assert_eq!(status, Some(1), "{stderr}");
    assert!(
        stderr.contains("content/site.yaml:1: không đọc được: không có tệp"),
        "{stderr}"
    );
    for english in ["No such file", "os error"] {
        assert!(!stderr.contains(english), "{stderr}");
    }
}

/// Issue 11: a mistyped `--base-url` was reported as a content error `--base-url:1:` with
/// exit 1; it is a usage error (exit 2) that names the option, and nothing is written.
#[test]
fn a_bad_base_url_is_a_usage_error() {
    let site = common::TestSite::fixture("basic");
    let root = site.root().to_string_lossy().into_owned();
    for bad in ["phunudatto.vn", "https://", "ftp://phunudatto.vn/"] {
        let (code, stdout, stderr) = datto(&["build", "--root", &root, "--base-url", bad]);
        assert_eq!(code, Some(2), "{bad}: {stdout}{stderr}");
        assert!(stderr.contains("--base-url: "), "{bad}: {stderr}");
        assert!(!stderr.contains("--base-url:1:"), "{bad}: {stderr}");
        assert_vietnamese(&["build", "--base-url", bad], &stderr);
        assert!(!site.public().exists(), "{bad}: nothing is written");
    }
    let (code, _, stderr) = datto(&["check", "--root", &root, "--base-url", "https://h/phu-nu/"]);
    assert_eq!(code, Some(0), "{stderr}");
}
