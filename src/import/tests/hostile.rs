//! Files that are not Word documents, or hostile ones: refused with the reason, nothing read.

use super::*;

/// Sets the "encrypted" bit of every entry, in local and central headers.
fn mark_encrypted(mut bytes: Vec<u8>) -> Vec<u8> {
    let mut i = 0;
    while i + 4 <= bytes.len() {
        if bytes[i..].starts_with(b"PK\x03\x04") {
            bytes[i + 6] |= 1;
        } else if bytes[i..].starts_with(b"PK\x01\x02") {
            bytes[i + 8] |= 1;
        }
        i += 1;
    }
    bytes
}

#[test]
fn unreadable_files_are_refused_with_the_reason() {
    let good = docx(&p(&r("x")));
    let ole = |tail: &[u8]| {
        let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        bytes.extend_from_slice(&[0; 64]);
        bytes.extend_from_slice(tail);
        bytes
    };
    let encrypted_marker: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let document = package(&p(&r("x")), None).remove(0);
    let cases: Vec<(&str, Vec<u8>, ImportError)> = vec![
        ("empty file", vec![], ImportError::NotZip),
        ("text", "Xin chào".into(), ImportError::NotZip),
        ("rtf", b"{\\rtf1\\ansi x}".to_vec(), ImportError::Rtf),
        ("word 97", ole(b"WordDocument"), ImportError::LegacyDoc),
        ("password", ole(&encrypted_marker), ImportError::Encrypted),
        ("truncated", good[..good.len() / 2].to_vec(), ImportError::Corrupt),
        ("encrypted entries", mark_encrypted(good.clone()), ImportError::Encrypted),
        (
            "traversal",
            zip(&[("word/document.xml", &document), ("../../evil.sh", b"x")]),
            ImportError::UnsafeName("../../evil.sh".into()),
        ),
        (
            "absolute",
            zip(&[("/etc/cron.d/x", b"x"), ("word/document.xml", &document)]),
            ImportError::UnsafeName("/etc/cron.d/x".into()),
        ),
        (
            "backslash",
            zip(&[("word\\..\\..\\x", b"x")]),
            ImportError::UnsafeName("word\\..\\..\\x".into()),
        ),
        (
            "no document",
            zip(&[("word/styles.xml", STYLES.as_bytes())]),
            ImportError::MissingDocument,
        ),
        (
            "not xml",
            zip(&[("word/document.xml", b"<w:document><w:body>")]),
            ImportError::BadXml {
                part: "word/document.xml".into(),
                position: Some((1, 2)),
            },
        ),
        (
            "entity expansion (a DTD)",
            zip(&[(
                "word/document.xml",
                b"<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><d>&b;</d>",
            )]),
            ImportError::BadXml {
                part: "word/document.xml".into(),
                position: Some((1, 1)),
            },
        ),
        (
            "nesting deeper than Word writes",
            zip(&[(
                "word/document.xml",
                format!(
                    "<w:document {NS}><w:body>{}{}</w:body></w:document>",
                    "<w:sdt><w:sdtContent>".repeat(50_000),
                    "</w:sdtContent></w:sdt>".repeat(50_000)
                )
                .as_bytes(),
            )]),
            ImportError::TooDeep {
                part: "word/document.xml".into(),
            },
        ),
    ];
    for (name, bytes, expected) in cases {
        assert_eq!(read(&bytes).err(), Some(expected), "{name}");
    }
}

#[test]
fn zip_bombs_stop_at_the_caps() {
    let zeros = vec![0u8; 2 * 1024 * 1024];
    let bomb = zip(&[
        ("word/document.xml", &package(&p(&r("x")), None)[0]),
        ("word/media/big.bin", &zeros),
    ]);
    assert!(
        bomb.len() < 64 * 1024,
        "deflate squeezes zeros: {}",
        bomb.len()
    );
    let limits = Limits {
        max_entries: 100,
        max_total_bytes: 1024 * 1024,
        max_text_bytes: 1024 * 1024,
    };
    assert_eq!(
        read_with_limits(&bomb, limits).err(),
        Some(ImportError::TooLarge {
            max_bytes: 1024 * 1024
        })
    );

    // A header that lies about the size: the bytes actually inflated are counted too.
    let mut padded = package(&p(&r("x")), None).remove(0);
    padded.extend(std::iter::repeat_n(b' ', 2 * 1024 * 1024));
    let mut lying = zip(&[("word/document.xml", &padded)]);
    let name = b"word/document.xml";
    for i in 0..lying.len().saturating_sub(64) {
        if lying[i..].starts_with(b"PK\x03\x04") && lying[i + 30..].starts_with(name) {
            lying[i + 22..i + 26].copy_from_slice(&100u32.to_le_bytes());
        } else if lying[i..].starts_with(b"PK\x01\x02") && lying[i + 46..].starts_with(name) {
            lying[i + 24..i + 28].copy_from_slice(&100u32.to_le_bytes());
        }
    }
    let result = read_with_limits(&lying, limits);
    assert!(
        matches!(
            result,
            Err(ImportError::Corrupt | ImportError::TooLarge { .. } | ImportError::BadXml { .. })
        ),
        "{result:?}"
    );

    // One XML part over its own cap, far under the total.
    let text_cap = Limits {
        max_text_bytes: 64 * 1024,
        ..limits
    };
    let mut long = package(&p(&r("x")), None).remove(0);
    long.extend(std::iter::repeat_n(b' ', 128 * 1024));
    assert_eq!(
        read_with_limits(&zip(&[("word/document.xml", &long)]), text_cap).err(),
        Some(ImportError::TooLarge {
            max_bytes: 64 * 1024
        })
    );

    let many: Vec<(String, Vec<u8>)> = (0..120).map(|i| (format!("x/{i}.xml"), vec![])).collect();
    let entries: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    assert_eq!(
        read_with_limits(&zip(&entries), limits).err(),
        Some(ImportError::TooManyEntries {
            count: 120,
            max: 100
        })
    );
}

#[test]
fn errors_are_vietnamese_diagnostics() {
    let d = ImportError::LegacyDoc.diagnostic("bao-cao.doc");
    assert_eq!(d.path, std::path::PathBuf::from("bao-cao.doc"));
    assert!(d.to_string().contains("Word 97–2003"), "{d}");
    assert!(d.hint.as_deref().is_some_and(|h| h.contains("Lưu thành")));
    let d = ImportError::UnsafeName("a\u{7}b".into()).diagnostic("x.docx");
    assert!(d.message.contains("`ab`"), "{d}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    /// Damaged documents (bytes changed, cut short) are an error or a document, never a panic.
    #[test]
    fn damaged_documents_never_panic(
        flips in proptest::collection::vec((0usize..100_000, proptest::prelude::any::<u8>()), 0..6),
        cut in proptest::option::of(0usize..100_000),
        stored in proptest::prelude::any::<bool>(),
    ) {
        let body = [
            styled_p("Heading1", &r("Tiêu đề")),
            p(&format!(r#"<w:hyperlink r:id="rIdL">{}</w:hyperlink>"#, r("liên kết"))),
            list_p("3", 1, "mục"),
            p(&drawing("rIdP", "ảnh")),
        ]
        .concat();
        let mut bytes = if stored {
            // Stored entries: flipped bytes reach the XML parser instead of the inflater.
            let parts = package(&body, Some("Tựa"));
            let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            for (name, data) in [
                ("_rels/.rels", PACKAGE_RELS.as_bytes()),
                ("word/document.xml", &parts[0][..]),
                ("word/_rels/document.xml.rels", RELS.as_bytes()),
                ("word/styles.xml", STYLES.as_bytes()),
                ("word/numbering.xml", NUMBERING.as_bytes()),
                ("word/media/Ảnh Hội nghị.png", &png()[..]),
            ] {
                writer.start_file(name, options).unwrap();
                writer.write_all(data).unwrap();
            }
            writer.finish().unwrap().into_inner()
        } else {
            docx_with_title(&body, Some("Tựa"))
        };
        for (at, value) in flips {
            let len = bytes.len();
            bytes[at % len] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut % (bytes.len() + 1));
        }
        if let Ok(mut document) = read(&bytes) {
            take_title(&mut document);
            let _ = markdown::write(&document);
        }
    }
}
