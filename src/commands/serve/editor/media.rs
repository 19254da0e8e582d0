//! `POST media?path=P` (a photo into the entry's bundle) and `POST import` (a Word file).
//! Names on disk are made here: the slug of the sent name plus the extension the bytes
//! prove; only JPEG, PNG and WebP photos and .docx documents are taken.

use std::sync::Arc;

use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::entries::write_atomic;
use super::paths::resolve;
use super::{EditorState, reply};

/// The extension the bytes prove, if they are a photo the site accepts.
pub fn photo_extension(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else {
        None
    }
}

/// The longest stem kept, in bytes: with `-999.webp` the name stays far below the 255
/// bytes file systems allow, and below what a URL should carry.
const MAX_STEM: usize = 80;

/// `anh-hoi-nghi` from `C:\…\Ảnh hội nghị.JPG`; `anh` when nothing is left.
pub fn stem_slug(sent: &str) -> String {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = last.rsplit_once('.').map_or(last, |(s, _)| s);
    let slug = crate::base::slug::cut(crate::base::slug::slugify(stem), MAX_STEM);
    if slug.is_empty() { "anh".into() } else { slug }
}

struct Part {
    name: String,
    bytes: Vec<u8>,
}

/// The multipart fields by name (last wins); an over-long body is 413.
async fn fields(mut form: Multipart) -> Result<Vec<(String, Part)>, Response> {
    let mut out = Vec::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(out),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(reply::too_big()),
            Err(_) => return Err(unreadable()),
        };
        let key = field.name().unwrap_or_default().to_string();
        let name = field.file_name().unwrap_or_default().to_string();
        let bytes = match field.bytes().await {
            Ok(b) => b.to_vec(),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(reply::too_big()),
            Err(_) => return Err(unreadable()),
        };
        out.push((key, Part { name, bytes }));
    }
}

fn unreadable() -> Response {
    reply::error(
        StatusCode::BAD_REQUEST,
        Some("file"),
        "không đọc được tệp gửi lên".into(),
        Some("chọn lại tệp rồi gửi lại".into()),
    )
}

fn take(fields: &mut Vec<(String, Part)>, key: &str) -> Option<Part> {
    let at = fields.iter().rposition(|(k, _)| k == key)?;
    Some(fields.swap_remove(at).1)
}

/// `POST media?path=P` → 201 `{name, path}`; `path` changes when a plain `x.md` had to
/// become the bundle `x/index.md`.
pub async fn upload(
    State(state): State<Arc<EditorState>>,
    Query(params): Query<std::collections::HashMap<String, String>>,
    form: Multipart,
) -> Response {
    let rel = params.get("path").map(String::as_str).unwrap_or_default();
    let Some(entry) = resolve(&state.content(), rel) else {
        return super::entries::missing(&state, rel);
    };
    let mut fields = match fields(form).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some(file) = take(&mut fields, "file").filter(|f| !f.bytes.is_empty()) else {
        return reply::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("file"),
            "chưa chọn ảnh".into(),
            None,
        );
    };
    let Some(ext) = photo_extension(&file.bytes) else {
        return reply::error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("file"),
            "tệp này không phải ảnh JPEG, PNG hay WebP".into(),
            Some("lưu ảnh thành .jpg hoặc .png rồi tải lên lại".into()),
        );
    };
    // Decoded whole, as the build will: a photo cut short by a dropped connection, or one
    // too big to publish, is refused here instead of stopping the site's next build.
    let (file, checked) = match tokio::task::spawn_blocking(move || {
        let checked = crate::images::check_bytes(&file.bytes);
        (file, checked)
    })
    .await
    {
        Ok(done) => done,
        Err(e) => return reply::internal(e),
    };
    if let Err(problem) = checked {
        return reply::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("file"),
            problem.message,
            problem.hint,
        );
    }
    let _writing = state.writing.lock().await;
    let content = state.content();
    let (folder, rel) = if entry.is_bundle() {
        let folder = entry
            .file
            .parent()
            .map(|p| p.to_path_buf())
            .unwrap_or_default();
        (folder, entry.rel.clone())
    } else {
        // `x.md` → `x/index.md`: one rename, so the entry never exists twice.
        let folder = content.join(entry.rel.trim_end_matches(".md"));
        if folder.exists() {
            return reply::error(
                StatusCode::CONFLICT,
                Some("file"),
                format!(
                    "đã có thư mục `{}`; không chuyển bài thành thư mục được",
                    entry.rel.trim_end_matches(".md")
                ),
                None,
            );
        }
        let moved = std::fs::create_dir(&folder)
            .and_then(|()| std::fs::rename(&entry.file, folder.join("index.md")));
        if let Err(e) = moved {
            let _ = std::fs::remove_dir(&folder);
            return reply::internal(e);
        }
        (
            folder,
            format!("{}/index.md", entry.rel.trim_end_matches(".md")),
        )
    };
    let stem = stem_slug(&file.name);
    let mut failed: Response = reply::internal("quá nhiều ảnh cùng tên");
    for n in 1..1000 {
        let name = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem}-{n}.{ext}")
        };
        match write_atomic(&folder.join(&name), &file.bytes, false) {
            Ok(()) => {
                return reply::json(StatusCode::CREATED, json!({ "name": name, "path": rel }));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                failed = reply::internal(e);
                break;
            }
        }
    }
    // Nothing was added: a plain entry made into a bundle for this photo goes back, so that
    // the open editor's path still names it.
    if !entry.is_bundle() {
        let back = std::fs::rename(folder.join("index.md"), &entry.file)
            .and_then(|()| std::fs::remove_dir(&folder));
        if let Err(e) = back {
            return reply::internal(e);
        }
    }
    failed
}

/// `POST import` (multipart `file`, `unit`, optional `type`) → 201 `{path}`.
pub async fn import(State(state): State<Arc<EditorState>>, form: Multipart) -> Response {
    let mut fields = match fields(form).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let file = take(&mut fields, "file").unwrap_or(Part {
        name: String::new(),
        bytes: Vec::new(),
    });
    if !file.bytes.is_empty() && !file.bytes.starts_with(b"PK\x03\x04") {
        return reply::error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("file"),
            "tệp này không phải tài liệu Word (.docx)".into(),
            Some("trong Word chọn Lưu thành… › Tài liệu Word (.docx)".into()),
        );
    }
    let text = |part: Option<Part>| part.map(|p| String::from_utf8_lossy(&p.bytes).into_owned());
    let unit = text(take(&mut fields, "unit")).unwrap_or_default();
    let kind = text(take(&mut fields, "type"));
    let config = match crate::load::sources::load_config(&state.root) {
        Ok(c) => c,
        Err(e) => return reply::internal(format!("site.yaml có lỗi: {e}")),
    };
    let now = crate::base::dates::now().unwrap_or_else(|_| chrono::Utc::now());
    let _writing = state.writing.lock().await;
    let upload = crate::import::api::Upload {
        file_name: &file.name,
        bytes: &file.bytes,
        unit: &unit,
        kind: kind.as_deref(),
    };
    let (status, body) = crate::import::api::respond(&state.root, &config, &upload, now);
    reply::json(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photo_types_come_from_the_bytes() {
        let cases: [(&[u8], Option<&str>); 5] = [
            (b"\xFF\xD8\xFF\xE0rest", Some("jpg")),
            (b"\x89PNG\r\n\x1a\nrest", Some("png")),
            (b"RIFF\0\0\0\0WEBPVP8 ", Some("webp")),
            (b"GIF89a", None),
            (b"<svg xmlns=", None),
        ];
        for (bytes, ext) in cases {
            assert_eq!(photo_extension(bytes), ext);
        }
        assert_eq!(stem_slug("C:\\Ảnh\\Ảnh hội nghị.JPG"), "anh-hoi-nghi");
        assert_eq!(stem_slug("../../.."), "anh");
        let long = stem_slug(&format!("{}.png", "Ảnh ".repeat(300)));
        assert!(long.len() <= MAX_STEM && long.starts_with("anh-anh") && !long.ends_with('-'));
        assert_eq!(stem_slug(""), "anh");
    }
}
