//! The editor page: one HTML file, one script, one style sheet, all inside the binary and
//! independent of the site's theme; nothing is loaded from other servers.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::{EditorState, reply};

const HTML: &str = include_str!("assets/editor.html");
const SCRIPT: &str = include_str!("assets/editor.js");
const STYLE: &str = include_str!("assets/editor.css");

pub(super) fn asset(kind: &'static str, body: String) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-store"),
            // The page runs only its own script and talks only to this server.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

pub async fn redirect() -> Redirect {
    Redirect::permanent("/_datto/")
}

pub async fn index(State(state): State<Arc<EditorState>>) -> Response {
    asset(
        "text/html; charset=utf-8",
        HTML.replace("{{TOKEN}}", &state.token),
    )
}

pub async fn script() -> Response {
    asset("application/javascript; charset=utf-8", SCRIPT.to_string())
}

pub async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE.to_string())
}

/// The choices the form offers, from `site.yaml`.
pub async fn schema(State(state): State<Arc<EditorState>>) -> Response {
    let config = match crate::load::sources::load_config(&state.root) {
        Ok(c) => c,
        Err(e) => return reply::internal(format!("site.yaml có lỗi: {e}")),
    };
    let pairs = |items: Vec<(&str, &str)>| {
        items
            .into_iter()
            .map(|(slug, name)| json!({ "slug": slug, "name": name }))
            .collect::<Vec<_>>()
    };
    reply::json(
        StatusCode::OK,
        json!({
            "units": pairs(config.units.iter().map(|u| (u.slug.as_str(), u.name.as_str())).collect()),
            "kinds": pairs(config.profile_kinds.iter().map(|k| (k.slug.as_str(), k.name.as_str())).collect()),
            "tags": super::entries::tags(&state.content()),
            "channels": pairs(config.channels.iter().map(|c| (c.slug.as_str(), c.name.as_str())).collect()),
        }),
    )
}
