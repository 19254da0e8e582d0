//! The answer to the editor's `POST /_datto/api/import` (SPEC §14), without the HTTP: the
//! server parses the multipart form (fields `file`, `unit`, optional `type`), checks the token,
//! origin and upload size as for every change, then calls [`respond`] and sends its status and
//! JSON body as they are.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{ImportKind, ImportRequest, import};
use crate::base::diagnostics::{Diagnostic, Error};
use crate::model::config::Config;

/// The fields of the multipart form.
pub struct Upload<'a> {
    /// The `filename` of the `file` part, as the browser sent it (only used in messages).
    pub file_name: &'a str,
    pub bytes: &'a [u8],
    /// The `unit` field: a slug, name or short name.
    pub unit: &'a str,
    /// The optional `type` field: `tin` (default) or `bai`.
    pub kind: Option<&'a str>,
}

/// `201 {"path": "tin-bai/2026/slug/index.md", "warnings": [...]}` (`path` relative to
/// `content/`); `422 {"errors": [{key, line, message, hint}]}` for a file that cannot be
/// read, an unknown unit or type, or an item that already exists (`key` names the form field);
/// `500 {"errors": [...]}` when the disk fails. Nothing is written unless the answer is 201.
pub fn respond(root: &Path, config: &Config, upload: &Upload, now: DateTime<Utc>) -> (u16, Value) {
    let field_error = |key: &str, message: &str, hint: Option<&str>| {
        (
            422,
            json!({ "errors": [{ "key": key, "line": null, "message": message, "hint": hint }] }),
        )
    };
    // A browser may send a full path (old Internet Explorer): only the last part is shown.
    let shown = upload
        .file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>();
    let shown = if shown.is_empty() {
        "tai-lieu.docx".to_owned()
    } else {
        shown
    };
    if upload.bytes.is_empty() {
        return field_error("file", "chưa chọn tệp Word (.docx) để nhập", None);
    }
    if upload.unit.trim().is_empty() {
        return field_error("unit", "chọn đơn vị của bài", None);
    }
    let kind = match upload.kind.map(str::trim) {
        None | Some("") | Some("tin") => ImportKind::Tin,
        Some("bai") => ImportKind::Bai,
        Some(other) => {
            return field_error(
                "type",
                &format!("loại bài `{other}` không có"),
                Some("chọn `tin` hoặc `bai`"),
            );
        }
    };
    let request = ImportRequest {
        bytes: upload.bytes,
        source_name: &shown,
        unit: upload.unit,
        kind,
        now,
    };
    match import(root, config, &request) {
        Ok(imported) => (
            201,
            json!({ "path": imported.content_path, "warnings": imported.warnings }),
        ),
        Err(Error::Content(diagnostics)) => {
            let errors: Vec<Value> = diagnostics
                .iter()
                .map(|d| {
                    json!({
                        "key": field_of(d, &shown),
                        "line": null,
                        "message": d.message,
                        "hint": d.hint,
                    })
                })
                .collect();
            (422, json!({ "errors": errors }))
        }
        Err(Error::Usage(message)) => field_error("file", &message, None),
        Err(Error::Internal(e)) => (
            500,
            json!({ "errors": [{ "key": null, "line": null, "message": format!("lỗi hệ thống: {e:#}"), "hint": null }] }),
        ),
    }
}

/// Which form field a diagnostic is about.
fn field_of(diagnostic: &Diagnostic, shown: &str) -> &'static str {
    if diagnostic.path == Path::new("datto import") {
        "unit"
    } else if diagnostic.path == Path::new(shown) {
        "file"
    } else {
        // An existing item or a folder: the title chose the name.
        "title"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_559_347_200, 0).unwrap() // 2019-06-01
    }

    fn docx() -> Vec<u8> {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/libreoffice.docx"),
        )
        .unwrap()
    }

    #[test]
    fn answers_of_the_import_endpoint() {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::model::config::tests::sample();
        let bytes = &docx()[..];
        fn upload<'a>(bytes: &'a [u8], unit: &'a str, kind: Option<&'a str>) -> Upload<'a> {
            Upload {
                file_name: "C:\\Users\\hoa\\Tin hội nghị.docx",
                bytes,
                unit,
                kind,
            }
        }

        let (status, body) = respond(
            dir.path(),
            &config,
            &upload(bytes, "Việt Trì", Some("bai")),
            now(),
        );
        assert_eq!(status, 201, "{body}");
        assert_eq!(
            body["path"],
            "tin-bai/2019/hoi-nghi-so-ket-cong-tac-hoi-6-thang-dau-nam/index.md"
        );
        let written = dir
            .path()
            .join("content")
            .join(body["path"].as_str().unwrap());
        assert!(
            std::fs::read_to_string(written)
                .unwrap()
                .contains("type: bai\n")
        );

        let (status, body) = respond(dir.path(), &config, &upload(bytes, "Việt Trì", None), now());
        assert_eq!(
            (status, body["errors"][0]["key"].as_str()),
            (422, Some("title")),
            "{body}"
        );

        let cases: Vec<(Upload, &str, &str)> = vec![
            (upload(b"", "viet-tri", None), "file", "chưa chọn tệp"),
            (
                upload(b"xin chao", "viet-tri", None),
                "file",
                "không phải tài liệu Word",
            ),
            (upload(bytes, "", None), "unit", "chọn đơn vị"),
            (
                upload(bytes, "viet tr", None),
                "unit",
                "không có đơn vị `viet tr`",
            ),
            (
                upload(bytes, "viet-tri", Some("mo-hinh")),
                "type",
                "loại bài `mo-hinh`",
            ),
        ];
        for (upload, key, message) in cases {
            let (status, body) = respond(dir.path(), &config, &upload, now());
            assert_eq!(status, 422, "{body}");
            assert_eq!(body["errors"][0]["key"], key, "{body}");
            assert!(
                body["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains(message),
                "{body}"
            );
        }
        let (_, body) = respond(
            dir.path(),
            &config,
            &upload(b"xin chao", "viet-tri", None),
            now(),
        );
        assert!(
            body["errors"][0]["hint"]
                .as_str()
                .unwrap()
                .contains("Lưu thành"),
            "{body}"
        );
    }
}
