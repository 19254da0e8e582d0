//! WordprocessingML → Document → Markdown on small hand-made packages, and hostile files.
//! (Documents made by real writers — LibreOffice, python-docx — are in tests/import.rs.)

use std::io::{Cursor, Write as _};

use super::document::{Block, Cell, Inline};
use super::docx::{build_lists, read, read_with_limits};
use super::*;

const NS: &str = concat!(
    r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" "#,
    r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" "#,
    r#"xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" "#,
    r#"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" "#,
    r#"xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" "#,
    r#"xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" "#,
    r#"xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" "#,
    r#"xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office""#
);

const STYLES: &str = r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:rPr><w:b/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="berschrift3"><w:name w:val="heading 3"/></w:style>
<w:style w:type="paragraph" w:styleId="Muc"><w:name w:val="Mục"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="MucCon"><w:name w:val="Mục con"/><w:basedOn w:val="Muc"/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>
<w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="ListBullet2"><w:name w:val="List Bullet 2"/><w:pPr><w:numPr><w:numId w:val="2"/></w:numPr></w:pPr></w:style>
<w:style w:type="character" w:styleId="Strong"><w:name w:val="Strong"/><w:rPr><w:b/></w:rPr></w:style>
<w:style w:type="character" w:styleId="NotStrong"><w:name w:val="Not strong"/><w:basedOn w:val="Strong"/><w:rPr><w:b w:val="false"/></w:rPr></w:style>
</w:styles>"#;

const NUMBERING: &str = r#"<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="10"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/></w:lvl><w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="11"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/></w:lvl><w:lvl w:ilvl="1"><w:numFmt w:val="lowerLetter"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="12"><w:lvl w:ilvl="0"><w:numFmt w:val="none"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="10"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="10"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="11"/></w:num>
<w:num w:numId="4"><w:abstractNumId w:val="12"/></w:num>
<w:num w:numId="5"><w:abstractNumId w:val="11"/><w:lvlOverride w:ilvl="0"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/></w:lvl></w:lvlOverride></w:num>
</w:numbering>"#;

const RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rIdN" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>
<Relationship Id="rIdL" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://phunudatto.example.vn/a (b)" TargetMode="External"/>
<Relationship Id="rIdJ" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="javascript:alert(1)" TargetMode="External"/>
<Relationship Id="rIdF" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="file:///C:/bao-cao.docx" TargetMode="External"/>
<Relationship Id="rIdP" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/Ảnh Hội nghị.png"/>
<Relationship Id="rIdQ" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="/word/media/image2.jpeg"/>
<Relationship Id="rIdE" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image3.emf"/>
<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="../../../etc/passwd"/>
</Relationships>"#;

const PACKAGE_RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"#;

/// Real photos: an import decodes each whole and leaves out what the build would refuse.
fn png() -> Vec<u8> {
    let image = image::RgbImage::from_fn(8, 6, |x, y| image::Rgb([x as u8 * 30, y as u8 * 40, 90]));
    let mut out = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn jpeg() -> Vec<u8> {
    crate::images::testing::phone_jpeg(8, 6, 90, 1, true, crate::images::testing::noise(3))
}

fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn package(body: &str, core_title: Option<&str>) -> Vec<Vec<u8>> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document {NS}><w:body>{body}</w:body></w:document>"#
    );
    let core = match core_title {
        Some(t) => format!(r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{t}</dc:title></cp:coreProperties>"#),
        None => r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title></dc:title></cp:coreProperties>"#.into(),
    };
    vec![document.into_bytes(), core.into_bytes()]
}

fn docx_with_title(body: &str, title: Option<&str>) -> Vec<u8> {
    let parts = package(body, title);
    zip(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("_rels/.rels", PACKAGE_RELS.as_bytes()),
        ("docProps/core.xml", &parts[1]),
        ("word/document.xml", &parts[0]),
        ("word/_rels/document.xml.rels", RELS.as_bytes()),
        ("word/styles.xml", STYLES.as_bytes()),
        ("word/numbering.xml", NUMBERING.as_bytes()),
        ("word/media/Ảnh Hội nghị.png", &png()),
        ("word/media/image2.jpeg", &jpeg()),
        ("word/media/image3.emf", b"\x01\x00\x00\x00emf"),
    ])
}

fn docx(body: &str) -> Vec<u8> {
    docx_with_title(body, None)
}

fn markdown_of(body: &str) -> String {
    let document = read(&docx(body)).unwrap_or_else(|e| panic!("{e}: {body}"));
    markdown::write(&document)
}

fn p(inner: &str) -> String {
    format!("<w:p>{inner}</w:p>")
}

fn r(text: &str) -> String {
    format!(r#"<w:r><w:t xml:space="preserve">{text}</w:t></w:r>"#)
}

fn styled_p(style: &str, inner: &str) -> String {
    format!(r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{inner}</w:p>"#)
}

fn list_p(num: &str, level: u8, text: &str) -> String {
    format!(
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr></w:pPr>{}</w:p>"#,
        r(text)
    )
}

fn drawing(rel: &str, descr: &str) -> String {
    format!(
        r#"<w:r><w:drawing><wp:inline><wp:docPr id="1" name="Picture 1" descr="{descr}"/><a:graphic><a:graphicData><pic:pic><pic:blipFill><a:blip r:embed="{rel}"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"#
    )
}

#[test]
fn wordprocessingml_becomes_markdown() {
    let cases: Vec<(&str, String, &str)> = vec![
        ("plain text", p(&r("Phụ nữ Đất Tổ")), "Phụ nữ Đất Tổ\n"),
        (
            "decomposed accents are composed (NFC)",
            p(&r("Phu\u{323} nư\u{303}")),
            "Phụ nữ\n",
        ),
        (
            "runs: bold, italic, switched off, character style",
            p(&format!(
                r#"{}<w:r><w:rPr><w:b/></w:rPr><w:t>đậm</w:t></w:r>{}<w:r><w:rPr><w:i w:val="1"/></w:rPr><w:t>nghiêng</w:t></w:r><w:r><w:rPr><w:b w:val="0"/></w:rPr><w:t xml:space="preserve"> thường </w:t></w:r><w:r><w:rPr><w:rStyle w:val="Strong"/></w:rPr><w:t>mạnh</w:t></w:r><w:r><w:rPr><w:rStyle w:val="NotStrong"/></w:rPr><w:t xml:space="preserve"> nhạt</w:t></w:r>"#,
                r("a "),
                r(" "),
            )),
            "a **đậm** *nghiêng* thường **mạnh** nhạt\n",
        ),
        (
            "soft line break, page break, tab, non-breaking hyphen",
            p(r#"<w:r><w:t>một</w:t><w:br/><w:t>hai</w:t><w:br w:type="page"/><w:tab/><w:t>ba</w:t><w:noBreakHyphen/><w:t>bốn</w:t></w:r>"#),
            "một\\\nhai ba\u{2011}bốn\n",
        ),
        (
            "hidden text and tracked deletions are left out, insertions kept",
            p(&format!(
                r#"{}<w:r><w:rPr><w:vanish/></w:rPr><w:t>ẩn</w:t></w:r><w:del><w:r><w:delText>xoá</w:delText></w:r></w:del><w:ins>{}</w:ins>"#,
                r("còn "),
                r("thêm")
            )),
            "còn thêm\n",
        ),
        (
            "headings by style id, by name, by outline level, through basedOn",
            [
                styled_p("Heading1", &r("Một")),
                styled_p("Heading2", &r("Hai")),
                styled_p("berschrift3", &r("Ba")),
                styled_p("MucCon", &r("Mục")),
                format!(r#"<w:p><w:pPr><w:outlineLvl w:val="0"/></w:pPr>{}</w:p>"#, r("Trực tiếp")),
                format!(r#"<w:p><w:pPr><w:outlineLvl w:val="9"/></w:pPr>{}</w:p>"#, r("Thân bài")),
            ]
            .concat(),
            "## Một\n\n### Hai\n\n#### Ba\n\n### Mục\n\n## Trực tiếp\n\nThân bài\n",
        ),
        (
            "bold in a heading is the heading's look",
            styled_p("Heading2", r#"<w:r><w:rPr><w:b/></w:rPr><w:t>Kết quả</w:t></w:r>"#),
            "## Kết quả\n",
        ),
        (
            "external hyperlink; anchor, javascript: and file: links keep their text",
            p(&format!(
                r#"<w:hyperlink r:id="rIdL">{}</w:hyperlink>{}<w:hyperlink w:anchor="_Toc1">{}</w:hyperlink>{}<w:hyperlink r:id="rIdJ">{}</w:hyperlink>{}<w:hyperlink r:id="rIdF">{}</w:hyperlink>"#,
                r("trang"),
                r(", "),
                r("mục"),
                r(", "),
                r("mã"),
                r(", "),
                r("tệp")
            )),
            "[trang](https://phunudatto.example.vn/a%20%28b%29), mục, mã, tệp\n",
        ),
        (
            "hyperlink fields, simple and complex",
            p(&format!(
                r#"<w:fldSimple w:instr=" HYPERLINK &quot;https://a.vn/&quot; ">{}</w:fldSimple>{}<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> HYPERLINK "https://b.vn/x" \o "gợi ý"</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>bê</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>{}<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>{}<w:r><w:fldChar w:fldCharType="end"/></w:r>"#,
                r("a"),
                r(" và "),
                r(" trang "),
                r("3")
            )),
            "[a](https://a.vn/) và [**bê**](https://b.vn/x) trang 3\n",
        ),
        (
            "lists nested by level, by style name, kinds, numFmt none, overrides",
            [
                list_p("1", 0, "một"),
                list_p("1", 1, "một a"),
                list_p("1", 1, "một b"),
                list_p("1", 0, "hai"),
                styled_p("ListBullet", &r("ba")),
                styled_p("ListBullet2", &r("ba a")),
                p(&r("đoạn")),
                list_p("3", 0, "số một"),
                list_p("3", 1, "chữ a"),
                list_p("3", 0, "số hai"),
                list_p("5", 0, "chấm đè"),
                p(&r("đoạn")),
                list_p("4", 0, "không số"),
                list_p("0", 0, "bỏ số"),
            ]
            .concat(),
            "- một\n  - một a\n  - một b\n- hai\n- ba\n  - ba a\n\nđoạn\n\n1. số một\n   1. chữ a\n2. số hai\n\n- chấm đè\n\nđoạn\n\nkhông số\n\nbỏ số\n",
        ),
        (
            "a table with merges both ways and a skipped grid column",
            format!(
                r#"<w:tbl><w:tblPr/><w:tblGrid/>
                <w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr>{}</w:tc><w:tc>{}</w:tc></w:tr>
                <w:tr><w:tc>{}</w:tc><w:tc>{}{}</w:tc><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr>{}</w:tc></w:tr>
                <w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr><w:tc>{}</w:tc><w:tc><w:tcPr><w:vMerge/></w:tcPr>{}</w:tc></w:tr>
                </w:tbl>"#,
                p(&r("Đơn vị")),
                p(&r("Số")),
                p(&r("A|B")),
                p(&r("dòng 1")),
                p(&r("dòng 2")),
                p(&r("12")),
                p(&r("x")),
                p(&r("")),
            ),
            "| Đơn vị |  | Số |\n| --- | --- | --- |\n| A\\|B | dòng 1 dòng 2 | 12 |\n|  | x |  |\n",
        ),
        (
            "content controls and alternate content are looked through",
            format!(
                r#"<w:sdt><w:sdtPr/><w:sdtContent>{}</w:sdtContent></w:sdt><mc:AlternateContent><mc:Choice Requires="w14">{}</mc:Choice><mc:Fallback>{}</mc:Fallback></mc:AlternateContent>"#,
                p(&r("trong khung")),
                p(&r("lựa chọn")),
                p(&r("dự phòng")),
            ),
            "trong khung\n\nlựa chọn\n",
        ),
        (
            "photos: alt from descr, VML, the same photo twice, EMF and unsafe targets dropped",
            [
                p(&drawing("rIdP", "Quang cảnh")),
                p(r#"<w:r><w:pict><v:shape alt="Ảnh cũ"><v:imagedata r:id="rIdQ" o:title=""/></v:shape></w:pict></w:r>"#),
                p(&drawing("rIdP", "")),
                p(&drawing("rIdE", "Biểu đồ")),
                p(&drawing("rIdX", "Trộm")),
            ]
            .concat(),
            "![Quang cảnh](anh-hoi-nghi.png)\n\n![Ảnh cũ](image2.jpg)\n\n![](anh-hoi-nghi.png)\n",
        ),
        (
            "markdown characters typed in Word stay characters",
            [p(&r("# 1. *a* _b_ [c](d) `e` &lt;f&gt; 'g' \"h\" -- ...")), p(&r("- gạch đầu dòng"))]
                .concat(),
            "\\# 1. \\*a\\* \\_b\\_ \\[c\\](d) \\`e\\` \\<f\\> \\'g\\' \\\"h\\\" -\\- ..\\.\n\n\\- gạch đầu dòng\n",
        ),
        (
            "text boxes become paragraphs after theirs, photos inside included",
            [
                p(&format!(
                    r#"{}<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><wp:docPr id="3" name="Text Box 3"/><a:graphic><a:graphicData><wps:wsp xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:txbx><w:txbxContent>{}{}</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"#,
                    r("trước"),
                    p(&r("chú thích")),
                    p(&drawing("rIdQ", "ảnh trong hộp")),
                    p(&r("không đọc hai lần")),
                )),
                p(&format!(
                    r#"<w:r><w:pict><v:shape><v:textbox><w:txbxContent>{}</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"#,
                    p(&r("hộp VML"))
                )),
            ]
            .concat(),
            "trước\n\nchú thích\n\n![ảnh trong hộp](image2.jpg)\n\nhộp VML\n",
        ),
        ("empty paragraphs vanish", [p(""), p(&r("  ")), p(&r("x"))].concat(), "x\n"),
    ];
    for (name, body, expected) in cases {
        assert_eq!(markdown_of(&body), expected, "{name}");
    }
}

#[test]
fn photos_are_extracted_with_names_of_our_making() {
    let body = [
        p(&drawing("rIdP", "Quang cảnh")),
        p(&drawing("rIdP", "lần hai")),
        p(&drawing("rIdQ", "")),
        p(&drawing("rIdE", "x")),
    ]
    .concat();
    let document = read(&docx(&body)).unwrap();
    let names: Vec<&str> = document.images.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["anh-hoi-nghi.png", "image2.jpg"]);
    assert_eq!(document.images[0].bytes, png());
    assert!(
        document.warnings.iter().any(|w| w.contains("image3.emf")),
        "{:?}",
        document.warnings
    );
    assert!(
        document
            .warnings
            .iter()
            .any(|w| w.contains("image2.jpg") && w.contains("alt")),
        "{:?}",
        document.warnings
    );
}

#[test]
fn photos_the_build_would_refuse_or_cut_in_word_are_named() {
    let cut = jpeg()[..40].to_vec();
    let bytes = zip(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("_rels/.rels", PACKAGE_RELS.as_bytes()),
        (
            "word/document.xml",
            &package(&p(&drawing("rIdP", "Ảnh")), None)[0],
        ),
        ("word/_rels/document.xml.rels", RELS.as_bytes()),
        ("word/media/Ảnh Hội nghị.png", &cut),
    ]);
    let document = read(&bytes).unwrap();
    assert!(document.images.is_empty(), "a photo cut short is left out");
    assert!(
        document
            .warnings
            .iter()
            .any(|w| w.contains("Ảnh Hội nghị.png") && w.contains("bỏ qua")),
        "{:?}",
        document.warnings
    );

    // Cropped and rotated in Word: the file is still the whole photo as taken.
    let cropped = drawing("rIdP", "Ảnh").replace(
        "<a:blip r:embed=\"rIdP\"/>",
        "<a:blip r:embed=\"rIdP\"/><a:srcRect l=\"0\" r=\"60000\"/>",
    );
    let turned = drawing("rIdQ", "Ảnh").replace(
        "</pic:blipFill>",
        "</pic:blipFill><pic:spPr><a:xfrm rot=\"5400000\"/></pic:spPr>",
    );
    let plain = drawing("rIdP", "Ảnh").replace(
        "<a:blip r:embed=\"rIdP\"/>",
        "<a:blip r:embed=\"rIdP\"/><a:srcRect/>",
    );
    for (what, body, expected) in [
        ("cropped", cropped, Some("cắt")),
        ("turned", turned, Some("xoay")),
        ("untouched", plain, None),
    ] {
        let document = read(&docx(&p(&body))).unwrap();
        let said = document.warnings.iter().find(|w| w.contains("trong Word"));
        match expected {
            Some(change) => {
                let said = said.unwrap_or_else(|| panic!("{what}: {:?}", document.warnings));
                assert!(said.contains(change), "{what}: {said}");
            }
            None => assert!(said.is_none(), "{what}: {said:?}"),
        }
    }
}

#[test]
fn what_cannot_be_converted_is_named_in_warnings() {
    let chart = r#"<w:r><w:drawing><wp:inline><wp:docPr id="2" name="Chart 1"/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart"/></a:graphic></wp:inline></w:drawing></w:r>"#;
    let body = [
        p(chart),
        p(r#"<m:oMath><m:r><m:t>x</m:t></m:r></m:oMath>"#),
        p(r#"<w:r><w:footnoteReference w:id="1"/></w:r>"#),
        p(&format!(
            r#"<w:hyperlink r:id="rIdJ">{}</w:hyperlink>"#,
            r("mã")
        )),
    ]
    .concat();
    let document = read(&docx(&body)).unwrap();
    let all = document.warnings.join("\n");
    for expected in [
        "biểu đồ",
        "công thức toán",
        "chú thích cuối trang",
        "`javascript:alert(1)`",
    ] {
        assert!(all.contains(expected), "{expected}: {all}");
    }
}

#[test]
fn structure_of_lists_and_tables() {
    let body = [
        list_p("1", 2, "sâu trước"),
        list_p("1", 0, "gốc"),
        list_p("3", 1, "con số"),
    ]
    .concat();
    let document = read(&docx(&body)).unwrap();
    let [Block::List(first), Block::List(second)] = &document.blocks[..] else {
        panic!("{:?}", document.blocks)
    };
    assert_eq!(first.items[0].inlines, vec![Inline::text("sâu trước")]);
    assert!(!second.ordered);
    assert!(second.items[0].children[0].ordered);

    let built = build_lists(vec![
        (0, true, vec![Inline::text("1")]),
        (0, false, vec![Inline::text("a")]),
    ]);
    assert_eq!(built.len(), 2, "a change of kind starts a new list");

    let table = format!(
        r#"<w:tbl><w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr>{}</w:tc><w:tc>{}</w:tc></w:tr><w:tr><w:tc><w:tcPr><w:vMerge w:val="continue"/></w:tcPr>{}</w:tc></w:tr></w:tbl>"#,
        p(&r("gộp")),
        p(&r("b")),
        p("")
    );
    let document = read(&docx(&table)).unwrap();
    let [Block::Table(table)] = &document.blocks[..] else {
        panic!()
    };
    assert_eq!(table.rows[1], vec![Cell::Covered, Cell::Content(vec![])]);
}

#[test]
fn slugs_of_bundles() {
    assert_eq!(bundle_slug("Hội nghị sơ kết", "a.docx"), "hoi-nghi-so-ket");
    assert_eq!(bundle_slug("!!!", "Báo cáo.docx"), "bao-cao");
    assert_eq!(bundle_slug("???", "???.docx"), "nhap-tu-word");
    let long = bundle_slug(&"Phụ nữ Đất Tổ ".repeat(20), "a.docx");
    assert!(long.len() <= 80 && !long.ends_with('-'), "{long}");
}

mod hostile;
mod titles;
