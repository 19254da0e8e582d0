//! Nothing private or unsafe reaches the output, whatever name a file has: a photo under
//! another extension, Markdown spelled `.MD`, editors' and systems' droppings, pages that
//! would run script, files over the search index, names that collide on Windows or macOS.

mod common;

use common::TestSite;
use datto::images::testing::{noise, phone_jpeg};

const BUNDLE: &str = "tin-bai/2018/trao-mai-am";

#[test]
fn files_that_would_leak_or_run_script_are_errors_not_copies() {
    let site = TestSite::fixture("basic");
    let gps_photo = phone_jpeg(32, 24, 90, 1, true, noise(7));
    site.write_bytes(&format!("{BUNDLE}/nha.jfif"), &gps_photo)
        .write_bytes("static/anh/chup", &gps_photo)
        .write_bytes(&format!("{BUNDLE}/dong.gif"), b"GIF89a\x01\0\x01\0\0\0\0;")
        .write(
            "tin-bai/2018/Nhap.MD",
            "---\ntitle: Bí mật\ndate: 2018-06-01\nunit: viet-tri\ndraft: true\n---\nBí mật.\n",
        )
        .write(&format!("{BUNDLE}/bang.html"), "<script>alert(1)</script>")
        .write(
            &format!("{BUNDLE}/logo.svg"),
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
        )
        .write(&format!("{BUNDLE}/tai-lieu.pdf"), "%PDF-1.7")
        .write(&format!("{BUNDLE}/Tai-lieu.pdf"), "%PDF-1.7")
        .write("static/tim-kiem/index.json", "{\"v\":\"khac\"}");
    let stderr = site.run(&["check"]).failure(1).stderr();
    for expected in [
        "content/tin-bai/2018/trao-mai-am/nha.jfif:1: tệp `nha.jfif` là ảnh JPEG",
        "content/static/anh/chup:1: tệp `chup` là ảnh JPEG",
        "content/tin-bai/2018/trao-mai-am/dong.gif:1: tệp `dong.gif` là ảnh GIF",
        "content/tin-bai/2018/Nhap.MD:1: tệp Markdown phải có đuôi `.md`",
        "content/tin-bai/2018/trao-mai-am/bang.html:1: tệp HTML",
        "content/tin-bai/2018/trao-mai-am/logo.svg:1: ảnh SVG này chứa mã",
        "chỉ khác nhau chữ hoa, chữ thường",
        "content/static/tim-kiem/index.json:1: /tim-kiem/index.json nằm trong /tim-kiem/",
    ] {
        assert!(stderr.contains(expected), "lacks {expected:?}:\n{stderr}");
    }
    assert!(stderr.contains("đổi tên thành `nha.jpg`"), "{stderr}");
    assert!(!site.public().exists(), "nothing was built");
}

#[test]
fn droppings_of_editors_and_systems_are_left_out() {
    let site = TestSite::fixture("basic");
    let draft = "---\ntitle: Nháp\ndate: 2018-06-01\nunit: viet-tri\n---\nBản nháp riêng.\n";
    for name in [
        "#hoi-nghi.md#",
        "hoi-nghi.md.bak",
        "hoi-nghi.md.orig",
        "~$bao-cao.docx",
        "Thumbs.db",
        "desktop.ini",
    ] {
        site.write(&format!("{BUNDLE}/{name}"), draft);
    }
    site.build(&[]).success();
    let published = site.output_files();
    for name in &published {
        assert!(
            !name.contains('#')
                && !name.contains("~$")
                && !name.ends_with(".bak")
                && !name.ends_with(".orig")
                && !name.ends_with("Thumbs.db")
                && !name.ends_with("desktop.ini"),
            "{name} was published"
        );
    }
    assert!(
        published
            .iter()
            .any(|n| n.starts_with("tin-bai/2018/trao-mai-am/"))
    );
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_an_error_not_a_hang() {
    let site = TestSite::fixture("basic");
    let fifo = site.root().join("content/tin-bai/2019/ong.md");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !status.is_ok_and(|s| s.success()) {
        eprintln!("bỏ qua: không có mkfifo");
        return;
    }
    let stderr = site.run(&["check"]).failure(1).stderr();
    assert!(
        stderr.contains("content/tin-bai/2019/ong.md:1: đây không phải tệp thường"),
        "{stderr}"
    );
}

#[test]
fn names_windows_refuses_are_errors() {
    let site = TestSite::fixture("basic");
    site.write(
        "tin-bai/2019/con.md",
        "---\ntitle: Con\ndate: 2019-05-01\nunit: viet-tri\n---\nx\n",
    )
    .write(
        "tin-bai/2019/khac.md",
        "---\ntitle: Khác\ndate: 2019-05-01\nunit: viet-tri\nslug: aux\n---\nx\n",
    )
    .write_bytes("static/tai-lieu/nul.pdf", b"%PDF-1.7");
    let stderr = site.run(&["check"]).failure(1).stderr();
    for expected in [
        "content/tin-bai/2019/con.md:1: tên `con.md` là tên Windows không cho dùng",
        "content/tin-bai/2019/khac.md:5: `aux` là tên Windows",
        "content/static/tai-lieu/nul.pdf:1: tên `nul.pdf` là tên Windows",
    ] {
        assert!(stderr.contains(expected), "lacks {expected:?}:\n{stderr}");
    }
}
