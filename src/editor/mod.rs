//! The browser editor of SPEC §14, at `/_datto/`, part of `datto serve` on a loopback
//! address only. It writes ordinary Markdown files under `content/`; the serve watcher
//! rebuilds the preview as for any other change.

// Handlers return their refusal (a ready `Response`) as the `Err` of small helpers: once per
// request, so its size is of no account.
#![allow(clippy::result_large_err)]

mod doc;
mod entries;
pub mod guard;
mod media;
mod page;
pub mod paths;
mod reply;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

/// Uploads (photos, Word files) larger than this are refused.
pub const MAX_UPLOAD: usize = 30 * 1024 * 1024;

pub struct EditorState {
    /// The site root (holds `content/`).
    pub root: PathBuf,
    /// `<meta name="datto-token">`, required in `X-Datto-Token` for every change.
    pub token: String,
    /// The server's port: `Host` and `Origin` must name it.
    pub port: u16,
    /// One change at a time: a version check and its write are not interleaved.
    writing: tokio::sync::Mutex<()>,
}

impl EditorState {
    pub fn new(root: PathBuf, port: u16) -> Result<Arc<Self>, getrandom::Error> {
        Ok(Arc::new(EditorState {
            root,
            token: guard::new_token()?,
            port,
            writing: tokio::sync::Mutex::new(()),
        }))
    }

    #[cfg(test)]
    fn for_tests(token: String, port: u16) -> Self {
        EditorState {
            root: PathBuf::new(),
            token,
            port,
            writing: tokio::sync::Mutex::new(()),
        }
    }

    fn content(&self) -> PathBuf {
        crate::base::layout::content_dir(&self.root)
    }
}

/// Whether serve offers the editor on this address (no password option yet).
pub fn allowed_on(bind: std::net::IpAddr) -> bool {
    bind.is_loopback()
}

/// The editor's routes, to be merged into the preview server's router.
pub fn router(state: Arc<EditorState>) -> Router {
    Router::new()
        .route("/_datto", get(page::redirect))
        .route("/_datto/", get(page::index))
        .route("/_datto/editor.js", get(page::script))
        .route("/_datto/editor.css", get(page::style))
        .route("/_datto/api/schema", get(page::schema))
        .route("/_datto/api/entries", get(entries::list))
        .route(
            "/_datto/api/entry",
            get(entries::get)
                .post(entries::create)
                .put(entries::update)
                .delete(entries::delete),
        )
        .route("/_datto/api/media", post(media::upload))
        .route("/_datto/api/import", post(media::import))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::check,
        ))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_on_loopback() {
        for (address, on) in [
            ("127.0.0.1", true),
            ("::1", true),
            ("0.0.0.0", false),
            ("192.168.1.5", false),
            ("::", false),
        ] {
            assert_eq!(super::allowed_on(address.parse().unwrap()), on, "{address}");
        }
    }
}
