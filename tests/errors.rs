//! What staff meet when something is wrong: every mistake reported at once, in Vietnamese,
//! at its file and line, and nothing that `check` passes fails later in `build`.

mod common;

use common::TestSite;

const ITEM: &str = "---\ntitle: Tin thử\ndate: 2019-05-01\nunit: viet-tri\n---\nNội dung.\n";

#[test]
fn a_broken_site_yaml_hides_no_content_error() {
    let site = TestSite::fixture("basic");
    // A value mistake in site.yaml: the content is still checked against the rest.
    let yaml = std::fs::read_to_string(site.root().join("content/site.yaml"))
        .unwrap()
        .replace(
            "base_url: https://phunudatto.example.vn/",
            "base_url: phunudatto",
        );
    site.write("site.yaml", &yaml);
    site.write("tin-bai/2019/sai.md", &ITEM.replace("viet-tri", "viet-tr"));
    site.write("lac.md", "x");
    let stderr = site.run(&["check"]).failure(1).stderr();
    for expected in [
        "content/site.yaml:3:",
        "content/tin-bai/2019/sai.md:4: không có đơn vị `viet-tr`",
        "content/lac.md:1: tệp nằm ngoài các thư mục nội dung",
        "3 lỗi",
    ] {
        assert!(stderr.contains(expected), "lacks {expected:?}:\n{stderr}");
    }

    // site.yaml that cannot be read at all: pages (which need nothing from it) and stray
    // files are still checked.
    site.write("site.yaml", "title: [Phụ nữ\n");
    site.write("trang/hong.md", "---\ntitle: Hỏng\ndraf: true\n---\n");
    let stderr = site.run(&["check"]).failure(1).stderr();
    for expected in [
        "content/site.yaml:",
        "content/trang/hong.md:3: khóa không được hỗ trợ `draf`",
        "content/lac.md:1:",
    ] {
        assert!(stderr.contains(expected), "lacks {expected:?}:\n{stderr}");
    }
}

#[test]
fn a_stray_file_hides_no_content_error() {
    let site = TestSite::fixture("basic");
    site.write("ghi-chu.txt", "x");
    site.write(
        "tin-bai/2019/sai.md",
        &ITEM.replace("2019-05-01", "05/01/2019"),
    );
    let stderr = site.build(&[]).failure(1).stderr();
    assert!(stderr.contains("content/ghi-chu.txt:1:"), "{stderr}");
    assert!(
        stderr.contains("content/tin-bai/2019/sai.md:3: ngày `05/01/2019`")
            && stderr.contains("ghi `2019-01-05`"),
        "{stderr}"
    );
}

#[test]
fn check_catches_names_build_could_not_write() {
    let site = TestSite::fixture("basic");
    let long_slug = "a".repeat(250);
    site.write(
        "tin-bai/2019/dai.md",
        &ITEM.replace(
            "unit: viet-tri",
            &format!("unit: viet-tri\nslug: {long_slug}"),
        ),
    );
    site.write(
        "tin-bai/2019/chu-de.md",
        &ITEM.replace(
            "unit: viet-tri",
            &format!("unit: viet-tri\ntags: [{}]", "b".repeat(240)),
        ),
    );
    let bundle_asset = format!("tin-bai/2019/bo-anh/{}.jpg", "c".repeat(230));
    site.write("tin-bai/2019/bo-anh/index.md", ITEM);
    site.write(&bundle_asset, "jpg");
    for command in ["check", "build"] {
        let stderr = site.run(&[command]).failure(1).stderr();
        assert!(
            stderr.contains("content/tin-bai/2019/dai.md:5: `slug` dài 250 byte"),
            "{command}:\n{stderr}"
        );
        assert!(
            stderr.contains("content/tin-bai/2019/chu-de.md:5: chủ đề dài 240 byte"),
            "{command}:\n{stderr}"
        );
        assert!(
            stderr.contains(&format!("content/{bundle_asset}:1: tên")),
            "{command}:\n{stderr}"
        );
        assert!(
            !stderr.contains("os error") && !stderr.contains("File name too long"),
            "{stderr}"
        );
    }
}

#[test]
fn far_future_dates_are_errors_unless_scheduled_and_scheduled_items_are_listed() {
    let site = TestSite::fixture("basic");
    // "now" is 2019-06-01: 2091 is a typo of 2019.
    site.write(
        "tin-bai/2019/nham-nam.md",
        &ITEM.replace("2019-05-01", "2091-05-01"),
    );
    let stderr = site.run(&["check"]).failure(1).stderr();
    assert!(
        stderr.contains(
            "content/tin-bai/2019/nham-nam.md:3: ngày đăng `2091-05-01` cách hôm nay hơn một năm"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("`scheduled: true`"), "{stderr}");

    site.write(
        "tin-bai/2019/nham-nam.md",
        &ITEM.replace("2019-05-01", "2091-05-01\nscheduled: true"),
    );
    let stdout = site.run(&["check"]).success().stdout();
    assert!(stdout.contains("2 tin bài hẹn giờ"), "{stdout}");
    assert!(
        stdout.contains(
            "content/tin-bai/2019/hen-gio.md: Thứ Sáu, 20/12/2019 08:00: Hội nghị tổng kết năm 2019"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("content/tin-bai/2019/nham-nam.md: Thứ Ba, 01/05/2091"),
        "{stdout}"
    );
    let stdout = site.build(&[]).success().stdout();
    assert!(stdout.contains("2 tin bài hẹn giờ"), "{stdout}");
}

#[test]
fn image_names_with_spaces_are_caught_and_the_bracket_form_works() {
    let site = TestSite::fixture("basic");
    let photo = datto::images::testing::phone_jpeg(64, 48, 80, 1, false, |_, _| [200, 40, 90]);
    site.write_bytes("tin-bai/2019/hoi-thi/ảnh đội thi.jpg", &photo);
    site.write(
        "tin-bai/2019/hoi-thi/index.md",
        &ITEM.replace("Nội dung.", "Nội dung.\n\n![Đội thi](ảnh đội thi.jpg)"),
    );
    let stderr = site.run(&["check"]).failure(1).stderr();
    assert!(
        stderr.contains(
            "content/tin-bai/2019/hoi-thi/index.md:8: `![Đội thi](ảnh đội thi.jpg)` không thành ảnh"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("ghi `![Đội thi](<ảnh đội thi.jpg>)`"),
        "{stderr}"
    );

    site.write(
        "tin-bai/2019/hoi-thi/index.md",
        &ITEM.replace("Nội dung.", "Nội dung.\n\n![Đội thi](<ảnh đội thi.jpg>)"),
    );
    site.build(&[]).success();
    let page = site.read("tin-bai/2019/hoi-thi/index.html");
    assert!(page.contains("alt=\"Đội thi\""), "{page}");
    assert!(!page.contains("]("), "raw Markdown reached the page");
    // Published as derived files only (SPEC §10), named after the photo.
    assert!(
        page.contains("ảnh đội thi-64x48.webp")
            || page.contains("%E1%BA%A3nh%20%C4%91%E1%BB%99i%20thi-64x48.webp"),
        "{page}"
    );
    assert!(!site.exists("tin-bai/2019/hoi-thi/ảnh đội thi.jpg"));
}

#[test]
fn a_comma_separated_tag_string_makes_two_tag_pages() {
    let site = TestSite::fixture("basic");
    site.write(
        "tin-bai/2019/am-thuc.md",
        &ITEM.replace(
            "unit: viet-tri",
            "unit: viet-tri\ntags: Ẩm thực, Ngày Phụ nữ Việt Nam",
        ),
    );
    site.build(&[]).success();
    assert!(site.exists("chu-de/am-thuc/index.html"));
    assert!(site.exists("chu-de/ngay-phu-nu-viet-nam/index.html"));
}

#[test]
fn unreadable_files_are_explained_by_what_happened() {
    let site = TestSite::fixture("basic");
    site.write("tin-bai/2019/latin1.md", "---\ntitle: Ph\u{1}\n---\n");
    std::fs::write(
        site.root().join("content/tin-bai/2019/latin1.md"),
        b"---\ntitle: Ph\xe1\n---\n",
    )
    .unwrap();
    let stderr = site.run(&["check"]).failure(1).stderr();
    assert!(
        stderr.contains(
            "content/tin-bai/2019/latin1.md:1: không đọc được: tệp không phải văn bản UTF-8"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("stream did not contain"), "{stderr}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = site.root().join("content/tin-bai/2019/latin1.md");
        std::fs::write(&path, ITEM).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read(&path).is_ok() {
            println!("SKIPPED: running as root, a file without permissions is still readable");
            return;
        }
        let stderr = site.run(&["check"]).failure(1).stderr();
        assert!(
            stderr.contains("latin1.md:1: không đọc được: không có quyền"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("UTF-8"),
            "a permission error explained as an encoding one:\n{stderr}"
        );
    }
}

#[test]
fn one_run_reports_every_mistake_of_a_file() {
    let site = TestSite::fixture("basic");
    // A typo'd key, a bad date, an unknown unit and a broken link in the body: all four at
    // once, not one per run.
    site.write(
        "tin-bai/2019/nhieu-loi.md",
        "---\ntitle: Nhiều lỗi\ndate: 2019-13-01\nunit: khong-co\ndraf: true\n---\nXem [bài](../khong-co-bai.md).\n",
    );
    let stderr = site.run(&["check"]).failure(1).stderr();
    for expected in [
        "content/tin-bai/2019/nhieu-loi.md:3:",
        "content/tin-bai/2019/nhieu-loi.md:4: không có đơn vị `khong-co`",
        "content/tin-bai/2019/nhieu-loi.md:5: khóa không được hỗ trợ `draf`",
        "content/tin-bai/2019/nhieu-loi.md:7:",
    ] {
        assert!(stderr.contains(expected), "lacks {expected:?}:\n{stderr}");
    }
    assert!(stderr.contains("khong-co-bai.md"), "{stderr}");
}
