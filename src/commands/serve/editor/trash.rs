//! `DELETE entry`: nothing is deleted; the entry moves to `content/_thung-rac/`, where
//! builds ignore it and staff can take it back.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::entries::{entry_of, unreadable};
use super::paths::TRASH;
use super::{EditorState, reply};

type Params = Query<HashMap<String, String>>;

/// A free name under the trash for `rel`: `x`, then `x-2`, `x-3`…
fn trash_target(content: &Path, rel: &str) -> PathBuf {
    let wanted = content.join(TRASH).join(rel);
    if !wanted.exists() {
        return wanted;
    }
    let (stem, ext) = match rel.rsplit_once('.') {
        Some((s, e)) if !e.contains('/') => (s.to_string(), format!(".{e}")),
        _ => (rel.to_string(), String::new()),
    };
    (2..)
        .map(|n| content.join(TRASH).join(format!("{stem}-{n}{ext}")))
        .find(|p| !p.exists())
        .unwrap_or(wanted)
}

/// `DELETE entry?path=P`: the file (or its bundle folder) moves to `content/_thung-rac/`.
pub async fn delete(State(state): State<Arc<EditorState>>, params: Params) -> Response {
    let entry = match entry_of(&state, &params) {
        Ok(e) => e,
        Err(r) => return r,
    };
    let _writing = state.writing.lock().await;
    let content = state.content();
    let (from, rel) = match entry.own_folder() {
        Some(folder) => (content.join(folder), folder.to_string()),
        None => (content.join(&entry.rel), entry.rel.clone()),
    };
    let to = trash_target(&content, &rel);
    let moved = to
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::rename(&from, &to));
    match moved {
        Ok(()) => reply::json(
            StatusCode::OK,
            json!({
                "path": entry.rel,
                "trash": to.strip_prefix(&content).unwrap_or(&to).to_string_lossy().replace('\\', "/"),
            }),
        ),
        Err(e) => unreadable(e),
    }
}
