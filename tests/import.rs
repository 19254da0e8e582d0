//! `datto import`: Word documents written by two independent programs (LibreOffice and
//! python-docx, see tests/fixtures/import/make.sh) become drafts that the whole pipeline
//! accepts; unreadable or hostile files are refused in Vietnamese and nothing is written.

mod common;

use std::io::{Cursor, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{TestSite, files_under, repo};

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/import").join(name)
}

/// Imports `file` into `site` and returns the new index.md's path and text.
fn import(site: &TestSite, file: &Path, extra: &[&str]) -> (PathBuf, String) {
    let mut args = vec!["import", file.to_str().unwrap(), "--unit", "Việt Trì"];
    args.extend_from_slice(extra);
    let run = site.run(&args).success();
    let path = PathBuf::from(run.stdout().trim());
    assert!(path.ends_with("index.md"), "{}", run.stdout());
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}

/// `check --drafts` and `build --drafts` accept the imported draft; a plain build leaves it out.
fn assert_pipeline_accepts(site: &TestSite, item_url: &str) -> String {
    site.run(&["check", "--drafts"]).success();
    site.build(&["--drafts"]).success();
    let html = site.read(&format!("{item_url}index.html"));
    site.build(&[]).success();
    assert!(
        !site.exists(&format!("{item_url}index.html")),
        "a draft was published"
    );
    html
}

#[test]
fn libreoffice_document_becomes_a_draft_bundle() {
    let site = TestSite::fixture("basic");
    let (path, text) = import(&site, &fixture("libreoffice.docx"), &["--type", "bai"]);
    let folder = site
        .root()
        .join("content/tin-bai/2019/hoi-nghi-so-ket-cong-tac-hoi-6-thang-dau-nam");
    assert_eq!(path, folder.join("index.md"));
    for expected in [
        "title: \"Hội nghị sơ kết công tác Hội 6 tháng đầu năm\"\n",
        "date: 2019-06-01 07:00\n",
        "unit: viet-tri\n",
        "type: bai\n",
        "draft: true\n",
        "tổ chức hội nghị **sơ kết** công tác Hội và phong trào phụ nữ *6 tháng đầu năm*, triển khai nhiệm vụ ***6 tháng cuối năm***.",
        "“Phụ nữ Đất Tổ luôn đoàn kết”.\\\nDòng thứ hai sau ngắt dòng.",
        "5 \\* 3 = 15, tên\\_tệp, \\[ghi chú\\]",
        "## Kết quả nổi bật\n\n- 12 mô hình “5 không 3 sạch” được công nhận;\n  - Xã Chí Đám: 4 mô hình\n  - Xã Tây Cốc: 8 mô hình\n- 3 mái ấm tình thương được bàn giao.\n\n1. Tuyên truyền, giáo dục\n2. Chăm lo đời sống hội viên",
        "| Đơn vị | Hội viên | Mô hình |\n| --- | --- | --- |\n| Chí Đám | 320 | 12 |\n| Tây Cốc | 280 |  |\n| Tổng cộng |  | 12 |",
        "[trang tin của Hội](https://phunudatto.example.vn/tin-bai/)",
        "![Quang cảnh hội nghị sơ kết](image1.png)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // The title heading is not repeated in the body.
    assert_eq!(
        text.matches("Hội nghị sơ kết công tác Hội 6 tháng đầu năm")
            .count(),
        1
    );
    assert_eq!(
        std::fs::read(folder.join("image1.png")).unwrap(),
        std::fs::read(fixture("anh.png")).unwrap()
    );
    assert_eq!(
        files_under(&folder),
        ["image1.png", "index.md"].map(String::from).into()
    );

    let html = assert_pipeline_accepts(
        &site,
        "tin-bai/2019/hoi-nghi-so-ket-cong-tac-hoi-6-thang-dau-nam/",
    );
    for expected in [
        "<strong>sơ kết</strong>",
        "<em>6 tháng đầu năm</em>",
        "<h2 id=\"ket-qua-noi-bat\">Kết quả nổi bật</h2>",
        "<td>Tây Cốc</td>",
        "<a href=\"https://phunudatto.example.vn/tin-bai/\">trang tin của Hội</a>",
        "alt=\"Quang cảnh hội nghị sơ kết\"",
        "5 * 3 = 15, tên_tệp, [ghi chú], #1, &lt;thẻ&gt; và 100% | hết.",
    ] {
        assert!(html.contains(expected), "missing {expected:?}");
    }
}

#[test]
fn python_docx_document_becomes_a_draft_bundle() {
    let site = TestSite::fixture("basic");
    let run = site
        .run(&[
            "import",
            fixture("python-docx.docx").to_str().unwrap(),
            "--unit",
            "doan hung",
        ])
        .success();
    let path = PathBuf::from(run.stdout().trim());
    let folder = path.parent().unwrap().to_path_buf();
    assert!(
        folder.ends_with("tin-bai/2019/phu-nu-thanh-ba-chung-tay-xay-dung-nong-thon-moi"),
        "{}",
        folder.display()
    );
    // Photos without a description are named in a warning, on stderr.
    assert!(run.stderr().contains("image2.png"), "{}", run.stderr());
    let text = std::fs::read_to_string(&path).unwrap();
    for expected in [
        // The title property, not the first heading, which stays as a section heading.
        "title: \"Phụ nữ Thanh Ba chung tay xây dựng nông thôn mới\"\n",
        "unit: doan-hung\n",
        "type: tin\n",
        "## Phụ nữ Thanh Ba ra quân\n",
        "vận động **hơn 3.000 hội viên** tham gia *làm đường giao thông nông thôn*. ***Đáng chú ý*** là",
        "Bà Lan cho biết: \\\"Chúng tôi làm vì quê hương\\\".\\\nDòng mới trong cùng đoạn.",
        "\n1\\. Dòng này bắt đầu bằng số",
        "- Làm đường bê tông\n  - Xã Đỗ Sơn: 2 km\n  - Xã Đông Lĩnh: 1,5 km\n- Trồng hoa hai bên đường",
        "1. Khảo sát\n   1. Lập danh sách hộ\n2. Thi công",
        "| Xã | Chiều dài và kết quả |  |\n| --- | --- | --- |\n| Đỗ Sơn | 2 km | Xong |\n| Đông Lĩnh | 1,5 km |  |\n| Cộng | 3,5 km | Đạt \\| vượt |",
        "[Cổng thông tin huyện](https://thanhba.example.vn/tin-tuc?id=5&loai=2) và mục trên.",
        "![Hội viên trồng hoa bên đường](image1.jpg)",
        "![](image2.png)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert_eq!(
        files_under(&folder),
        ["image1.jpg", "image2.png", "index.md"]
            .map(String::from)
            .into()
    );
    assert_eq!(
        std::fs::read(folder.join("image1.jpg")).unwrap(),
        std::fs::read(fixture("anh.jpg")).unwrap()
    );
    let html = assert_pipeline_accepts(
        &site,
        "tin-bai/2019/phu-nu-thanh-ba-chung-tay-xay-dung-nong-thon-moi/",
    );
    for expected in [
        "Bà Lan cho biết: \"Chúng tôi làm vì quê hương\".<br",
        "<p>Chú thích: 2 * 3 = 6; a_b; [1]; # không phải tiêu đề; `mã`; ~ngã~; giá 5$.</p>",
        "<th>Chiều dài và kết quả</th>",
        "<td>Đạt | vượt</td>",
        "href=\"https://thanhba.example.vn/tin-tuc?id=5&amp;loai=2\"",
    ] {
        assert!(html.contains(expected), "missing {expected:?}");
    }
}

#[test]
fn an_existing_item_is_never_overwritten() {
    let site = TestSite::fixture("basic");
    let (path, text) = import(&site, &fixture("libreoffice.docx"), &[]);
    std::fs::write(&path, format!("{text}\nSửa tay.\n")).unwrap();
    let before = snapshot(site.root());
    let run = site
        .run(&[
            "import",
            fixture("libreoffice.docx").to_str().unwrap(),
            "--unit",
            "viet-tri",
        ])
        .failure(1);
    assert!(
        run.stderr()
            .contains("đã có bài cùng tên; datto không ghi đè"),
        "{}",
        run.stderr()
    );
    assert_eq!(snapshot(site.root()), before);
}

#[test]
fn an_unknown_unit_is_refused_with_a_suggestion() {
    let site = TestSite::fixture("basic");
    let before = snapshot(site.root());
    let run = site
        .run(&[
            "import",
            fixture("libreoffice.docx").to_str().unwrap(),
            "--unit",
            "viet tr",
        ])
        .failure(1);
    assert!(
        run.stderr().contains("không có đơn vị `viet tr`"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("viet-tri"), "{}", run.stderr());
    assert_eq!(snapshot(site.root()), before);
}

#[cfg(unix)]
#[test]
fn a_year_folder_linking_outside_content_is_refused() {
    let site = TestSite::fixture("basic");
    let outside = tempfile::tempdir().unwrap();
    std::fs::remove_dir_all(site.root().join("content/tin-bai/2019")).unwrap();
    std::os::unix::fs::symlink(outside.path(), site.root().join("content/tin-bai/2019")).unwrap();
    let run = site
        .run(&[
            "import",
            fixture("libreoffice.docx").to_str().unwrap(),
            "--unit",
            "viet-tri",
        ])
        .failure(1);
    assert!(
        run.stderr().contains("trỏ ra ngoài thư mục content/"),
        "{}",
        run.stderr()
    );
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
}

fn snapshot(root: &Path) -> Vec<(String, Vec<u8>)> {
    let content = root.join("content");
    files_under(&content)
        .into_iter()
        .map(|rel| {
            let bytes = std::fs::read(content.join(&rel)).unwrap();
            (rel, bytes)
        })
        .collect()
}

fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn unreadable_documents_are_refused_and_nothing_is_written() {
    let good = std::fs::read(fixture("python-docx.docx")).unwrap();
    let document_xml = b"<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body/></w:document>";
    // A zip whose central directory claims 400 MB for a small entry: refused before inflating.
    let mut bomb = zip(&[("word/document.xml", document_xml)]);
    let at = bomb.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    bomb[at + 24..at + 28].copy_from_slice(&(400u32 * 1024 * 1024).to_le_bytes());
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(512, 0);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "ghi-chu.docx",
            "chỉ là chữ".into(),
            "tệp không phải tài liệu Word .docx",
        ),
        ("cu.docx", ole, "Word 97–2003 (.doc)"),
        (
            "word-97.docx",
            std::fs::read(fixture("word-97.doc")).unwrap(),
            "Word 97–2003 (.doc)",
        ),
        (
            "mat-khau.docx",
            std::fs::read(fixture("mat-khau.docx")).unwrap(),
            "đã đặt mật khẩu",
        ),
        (
            "cat-do.docx",
            good[..good.len() / 3].to_vec(),
            "bị hỏng hoặc không trọn vẹn",
        ),
        ("bom.docx", bomb, "khi giải nén lớn hơn 300 MB"),
        (
            "leo-ra.docx",
            zip(&[
                ("word/document.xml", document_xml),
                ("../../../tmp/evil.sh", b"x"),
            ]),
            "tên phần không an toàn `../../../tmp/evil.sh`",
        ),
        (
            "thieu.docx",
            zip(&[("word/styles.xml", b"<w:styles/>")]),
            "không có phần nội dung của Word (word/document.xml)",
        ),
        (
            "trong.docx",
            zip(&[("word/document.xml", document_xml)]),
            "tài liệu trống",
        ),
    ];
    let site = TestSite::fixture("basic");
    let before = snapshot(site.root());
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes, message) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let run = site
            .run(&["import", file.to_str().unwrap(), "--unit", "viet-tri"])
            .failure(1);
        let stderr = run.stderr();
        assert!(stderr.contains(message), "{name}: {stderr}");
        assert!(stderr.contains(&format!("{name}:1: ")), "{name}: {stderr}");
        assert!(
            stderr.contains("gợi ý:") || name == "trong.docx",
            "{name}: {stderr}"
        );
        assert_eq!(snapshot(site.root()), before, "{name} wrote something");
    }
    let run = site
        .run(&["import", "khong-co.docx", "--unit", "viet-tri"])
        .failure(2);
    assert!(
        run.stderr().contains("không đọc được tệp khong-co.docx"),
        "{}",
        run.stderr()
    );
}

fn has(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Documents written just now by the installed LibreOffice and python-docx, not only the
/// committed ones, import and pass `check`.
#[test]
fn freshly_written_documents_import() {
    if !has("soffice", &["--version"]) {
        println!("SKIPPED: soffice (LibreOffice Writer) is not installed");
        return;
    }
    if !has("python3", &["-c", "import docx"]) {
        println!("SKIPPED: python-docx is not installed (pip install python-docx)");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(fixture("make.sh"))
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success(), "make.sh failed");
    let site = TestSite::fixture("basic");
    let (_, lo) = import(&site, &out.path().join("libreoffice.docx"), &[]);
    assert!(lo.contains("| Chí Đám | 320 | 12 |"), "{lo}");
    assert!(
        lo.contains("![Quang cảnh hội nghị sơ kết](image1.png)"),
        "{lo}"
    );
    let (_, py) = import(&site, &out.path().join("python-docx.docx"), &[]);
    assert!(py.contains("***Đáng chú ý***"), "{py}");
    assert!(py.contains("  - Xã Đỗ Sơn: 2 km"), "{py}");
    site.run(&["check", "--drafts"]).success();
}
