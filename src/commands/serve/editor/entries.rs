//! `GET entries`, `GET|POST|PUT|DELETE entry`: Markdown files in, Markdown files out.

use crate::base::layout::Folder;
use std::collections::HashMap;
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use serde::Deserialize;
use serde_json::{Value, json};

use super::doc::{self, compose, merge, split, version};
use super::paths::{self, Entry, SECTIONS, resolve};
use super::{EditorState, reply};
use crate::model::config::Config;

type Params = Query<HashMap<String, String>>;

pub(super) fn config(state: &EditorState) -> Result<Config, Response> {
    crate::load::sources::load_config(&state.root).map_err(|e| {
        reply::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            None,
            format!("site.yaml có lỗi: {e}"),
            None,
        )
    })
}

pub(super) fn entry_of(state: &EditorState, params: &Params) -> Result<Entry, Response> {
    let rel = params.get("path").map(String::as_str).unwrap_or_default();
    resolve(&state.content(), rel).ok_or_else(|| missing(state, rel))
}

/// Why `rel` named no entry: 404 when it is a proper entry path whose file is not there
/// (deleted meanwhile), else 400.
pub(super) fn missing(state: &EditorState, rel: &str) -> Response {
    let absent = paths::well_formed(rel)
        && std::fs::symlink_metadata(state.content().join(rel))
            .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound);
    if absent {
        reply::gone()
    } else {
        reply::bad_path()
    }
}

/// A read of an entry's file that failed: 404 when it went away meanwhile.
pub(super) fn unreadable(e: std::io::Error) -> Response {
    if e.kind() == std::io::ErrorKind::NotFound {
        reply::gone()
    } else {
        reply::internal(e)
    }
}

fn text_of(map: &serde_yaml::Mapping, key: &str) -> Value {
    match map.get(key) {
        Some(serde_yaml::Value::String(s)) => json!(s),
        Some(serde_yaml::Value::Number(n)) => json!(n.to_string()),
        Some(serde_yaml::Value::Bool(b)) => json!(b),
        _ => Value::Null,
    }
}

/// `GET entries?section=…`: newest first (by `date`, else by `year`, else by title).
pub async fn list(State(state): State<Arc<EditorState>>, params: Params) -> Response {
    let section = params
        .get("section")
        .map(String::as_str)
        .unwrap_or(Folder::Items.name());
    let Some(section) = SECTIONS.iter().find(|s| **s == section) else {
        return reply::error(
            StatusCode::BAD_REQUEST,
            Some("section"),
            "mục không có; chọn tin-bai, mo-hinh hoặc trang".into(),
            None,
        );
    };
    let content = state.content();
    let config = config(&state).ok();
    let tz = config.as_ref().map(|c| c.timezone);
    let mut rows: Vec<(String, Value)> = Vec::new();
    for file in walkdir::WalkDir::new(content.join(section))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        let Ok(rel) = file.path().strip_prefix(&content) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if resolve(&content, &rel).is_none() {
            continue;
        }
        let Ok(bytes) = std::fs::read(file.path()) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let (map, _) = split(&text).unwrap_or_default();
        let url = config
            .as_ref()
            .and_then(|c| doc::parse(c, &rel, &text).ok())
            .map_or(Value::Null, |d| url(&d));
        let date = text_of(&map, "date");
        let sort = match (date.as_str(), tz) {
            (Some(d), Some(tz)) => crate::base::dates::parse_date(d, tz)
                .map(|d| d.to_rfc3339())
                .unwrap_or_else(|_| d.to_string()),
            _ => text_of(&map, "year")
                .as_str()
                .unwrap_or_default()
                .to_string(),
        };
        let draft = matches!(map.get("draft"), Some(serde_yaml::Value::Bool(true)));
        rows.push((
            sort,
            json!({
                "path": rel,
                "title": text_of(&map, "title"),
                "date": date,
                "unit": text_of(&map, "unit"),
                "draft": draft,
                "version": version(&bytes),
                "url": url,
            }),
        ));
    }
    rows.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| a.1["path"].as_str().cmp(&b.1["path"].as_str()))
    });
    reply::json(
        StatusCode::OK,
        Value::Array(rows.into_iter().map(|(_, v)| v).collect()),
    )
}

/// Every tag written in `tin-bai/`, for the form's suggestions.
pub fn tags(content: &Path) -> Vec<String> {
    let mut tags = std::collections::BTreeSet::new();
    for file in walkdir::WalkDir::new(content.join(Folder::Items.name()))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
    {
        let Ok(text) = std::fs::read_to_string(file.path()) else {
            continue;
        };
        let Some((map, _)) = split(&text) else {
            continue;
        };
        match map.get("tags") {
            Some(serde_yaml::Value::Sequence(list)) => {
                tags.extend(
                    list.iter()
                        .filter_map(|t| t.as_str())
                        .map(|t| t.trim().to_string()),
                );
            }
            Some(serde_yaml::Value::String(text)) => {
                tags.extend(text.split(',').map(|t| t.trim().to_string()));
            }
            _ => {}
        }
    }
    tags.into_iter().filter(|t| !t.is_empty()).collect()
}

/// `GET entry?path=P`.
pub async fn get(State(state): State<Arc<EditorState>>, params: Params) -> Response {
    let entry = match entry_of(&state, &params) {
        Ok(e) => e,
        Err(r) => return r,
    };
    let bytes = match std::fs::read(&entry.file) {
        Ok(b) => b,
        Err(e) => return reply::internal(e),
    };
    let text = String::from_utf8_lossy(&bytes);
    let (map, body) = split(&text).unwrap_or_else(|| (Default::default(), text.to_string()));
    reply::json(
        StatusCode::OK,
        json!({
            "path": entry.rel,
            "front_matter": doc::to_json(&map),
            "body": body,
            "version": version(&bytes),
        }),
    )
}

#[derive(Deserialize)]
struct NewEntry {
    section: String,
    front_matter: serde_json::Map<String, Value>,
    #[serde(default)]
    body: String,
}

#[derive(Deserialize)]
struct Edit {
    front_matter: serde_json::Map<String, Value>,
    #[serde(default)]
    body: String,
    version: String,
}

pub(super) fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Response> {
    // serde's own text ("missing field `section`") is English and names code, not a field
    // of the form: only where it went wrong is kept.
    serde_json::from_slice(bytes).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Data => "thiếu hoặc sai một mục dữ liệu",
            _ => "không đúng dạng JSON",
        };
        reply::error(
            StatusCode::BAD_REQUEST,
            None,
            format!(
                "dữ liệu gửi lên {what} của trình soạn (dòng {}, cột {})",
                e.line(),
                e.column()
            ),
            Some("tải lại trang trình soạn rồi làm lại".into()),
        )
    })
}

pub(super) fn invalid(errors: Vec<Value>) -> Response {
    reply::json(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "errors": errors }),
    )
}

/// Where a new entry goes, named from its title as `datto new` does.
pub(super) fn new_rel(
    config: &Config,
    section: &str,
    fm: &serde_json::Map<String, Value>,
) -> Result<String, Response> {
    let title = fm.get("title").and_then(Value::as_str).unwrap_or_default();
    let slug = crate::base::slug::slugify(title);
    if slug.is_empty() {
        return Err(reply::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("title"),
            "thiếu tiêu đề (tiêu đề đặt tên cho tệp)".into(),
            Some("viết tiêu đề có chữ cái hoặc chữ số".into()),
        ));
    }
    if crate::base::paths::windows_reserved(&slug) {
        return Err(reply::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("title"),
            format!("tiêu đề cho tên thư mục `{slug}`, tên mà Windows không cho dùng"),
            Some("viết tiêu đề dài hơn".into()),
        ));
    }
    let folder = Folder::ALL.into_iter().find(|f| f.name() == section);
    Ok(match folder {
        Some(Folder::Items) => {
            let year = fm
                .get("date")
                .and_then(Value::as_str)
                .and_then(|d| crate::base::dates::parse_date(d, config.timezone).ok())
                .map_or_else(
                    || {
                        let now = crate::base::dates::now().unwrap_or_else(|_| chrono::Utc::now());
                        now.with_timezone(&config.timezone).year()
                    },
                    |d| d.year(),
                );
            format!("{}/{year}/{slug}/index.md", Folder::Items.name())
        }
        Some(Folder::Profiles) => format!("{}/{slug}/index.md", Folder::Profiles.name()),
        // `trang/index.md` would make the whole folder a bundle: its page and a deleted
        // page's photos would mix with every other page's.
        _ if slug == "index" => {
            return Err(reply::error(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("title"),
                "tiêu đề “index” trùng tên dành riêng của thư mục trang".into(),
                Some("đặt tiêu đề khác, ví dụ “Mục lục”".into()),
            ));
        }
        _ => format!("{}/{slug}.md", Folder::Pages.name()),
    })
}

/// The text an edit writes: the file's front matter edited key by key (see
/// [`super::front`]), or, for a file without readable front matter, a fresh one.
pub(super) fn edited(
    current: &[u8],
    front_matter: &serde_json::Map<String, Value>,
    body: &str,
) -> String {
    let current = String::from_utf8_lossy(current);
    super::front::rewrite(&current, front_matter, body).unwrap_or_else(|| {
        let (original, _) = split(&current).unwrap_or_default();
        compose(&merge(original, front_matter), body)
    })
}

/// Where the preview server shows an entry (its `slug:` and year honoured); `null` for a
/// file with errors.
fn url(doc: &crate::load::sources::Doc) -> Value {
    doc::page_path(doc).map_or(Value::Null, |path| json!(format!("/{path}")))
}

/// Writes `text` beside `path` then renames it into place; `replace: false` never
/// overwrites (the rename fails if the name was taken meanwhile).
pub fn write_atomic(path: &Path, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".datto-");
    // A temp file is private (0600) by default; the file it becomes is an ordinary one,
    // readable as the user's umask says (0644 usually): a backup or a second account
    // sharing the folder must still read it. A replaced file keeps its own mode.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(folder)?;
    #[cfg(unix)]
    if replace && let Ok(meta) = std::fs::metadata(path) {
        temp.as_file().set_permissions(meta.permissions())?;
    }
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    if replace {
        temp.persist(path).map_err(|e| e.error)?;
    } else {
        temp.persist_noclobber(path).map_err(|e| e.error)?;
    }
    Ok(())
}

/// 422 with what `check` would newly report once `doc` is saved at `rel`
/// ([`super::preview::problems_added`]): nothing is written that would stop the build.
async fn site_accepts(
    state: &EditorState,
    rel: &str,
    text: &str,
    doc: &crate::load::sources::Doc,
) -> Result<(), Response> {
    let Some(session) = state.session.clone() else {
        return Ok(());
    };
    let checked = {
        let (rel, doc) = (rel.to_string(), doc.clone());
        tokio::task::spawn_blocking(move || super::preview::problems_added(&session, &rel, doc))
            .await
    };
    match checked {
        Ok(Ok(()) | Err(super::preview::Failure::NotLoaded)) => Ok(()),
        Ok(Err(super::preview::Failure::Problems(list))) => {
            Err(invalid(doc::errors(rel, text, &list)))
        }
        Ok(Err(super::preview::Failure::Internal(e))) => Err(reply::internal(e)),
        Err(e) => Err(reply::internal(e)),
    }
}

fn taken(rel: &str) -> Response {
    reply::error(
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("title"),
        format!("đã có `{rel}`; datto không ghi đè"),
        Some("đặt tiêu đề khác hoặc sửa bài đang có".into()),
    )
}

/// `POST entry` → 201 `{path, version}`.
pub async fn create(State(state): State<Arc<EditorState>>, body: Bytes) -> Response {
    let new: NewEntry = match parse_json(&body) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let Some(section) = paths::SECTIONS.iter().find(|s| **s == new.section) else {
        return reply::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("section"),
            "mục không có; chọn tin-bai, mo-hinh hoặc trang".into(),
            None,
        );
    };
    let config = match config(&state) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let rel = match new_rel(&config, section, &new.front_matter) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let text = compose(&merge(Default::default(), &new.front_matter), &new.body);
    let doc = match doc::parse(&config, &rel, &text) {
        Ok(doc) => doc,
        Err(problems) => return invalid(doc::errors(&rel, &text, &problems)),
    };
    let _writing = state.writing.lock().await;
    if let Err(r) = site_accepts(&state, &rel, &text, &doc).await {
        return r;
    }
    let path = state.content().join(&rel);
    let folder = path.parent().unwrap_or(&path).to_path_buf();
    // `x.md` beside a new `x/` folder would claim the same address.
    if path.exists() || folder.with_extension("md").exists() {
        return taken(&rel);
    }
    if let Err(e) = std::fs::create_dir_all(&folder) {
        return reply::internal(e);
    }
    match write_atomic(&path, text.as_bytes(), false) {
        Ok(()) => reply::json(
            StatusCode::CREATED,
            json!({ "path": rel, "version": version(text.as_bytes()), "url": url(&doc) }),
        ),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => taken(&rel),
        Err(e) => reply::internal(e),
    }
}

/// `PUT entry?path=P` → 200 `{path, version}`, 409 on a stale version.
pub async fn update(
    State(state): State<Arc<EditorState>>,
    params: Params,
    body: Bytes,
) -> Response {
    let entry = match entry_of(&state, &params) {
        Ok(e) => e,
        Err(r) => return r,
    };
    let edit: Edit = match parse_json(&body) {
        Ok(e) => e,
        Err(r) => return r,
    };
    let config = match config(&state) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let _writing = state.writing.lock().await;
    let current = match std::fs::read(&entry.file) {
        Ok(b) => b,
        Err(e) => return unreadable(e),
    };
    if version(&current) != edit.version {
        return reply::json(
            StatusCode::CONFLICT,
            json!({ "errors": [{ "key": null, "line": null,
                "message": "tệp đã bị sửa ở nơi khác sau khi mở; chưa lưu gì",
                "hint": "tải lại bài, chép phần mình viết rồi sửa lại trên bản mới",
            }], "version": version(&current) }),
        );
    }
    let text = edited(&current, &edit.front_matter, &edit.body);
    let doc = match doc::parse(&config, &entry.rel, &text) {
        Ok(doc) => doc,
        Err(problems) => return invalid(doc::errors(&entry.rel, &text, &problems)),
    };
    if let Err(r) = site_accepts(&state, &entry.rel, &text, &doc).await {
        return r;
    }
    // Nothing changed: nothing written (the file's time stays, no rebuild).
    if text.as_bytes() != current.as_slice()
        && let Err(e) = write_atomic(&entry.file, text.as_bytes(), true)
    {
        return reply::internal(e);
    }
    reply::json(
        StatusCode::OK,
        json!({ "path": entry.rel, "version": version(text.as_bytes()), "url": url(&doc) }),
    )
}
