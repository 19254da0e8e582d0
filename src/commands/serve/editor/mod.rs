//! The browser editor of SPEC §14, at `/_datto/`, part of `datto serve` on a loopback
//! address, or on any address behind `--editor-password`. It writes ordinary Markdown files
//! under `content/`; the serve watcher rebuilds the preview as for any other change, and
//! the live preview renders one page from the site the session has loaded.

// Handlers return their refusal (a ready `Response`) as the `Err` of small helpers: once per
// request, so its size is of no account.
#![allow(clippy::result_large_err)]

mod doc;
mod entries;
pub mod front;
pub mod guard;
pub mod login;
mod media;
mod page;
pub mod paths;
mod preview;
mod reply;
mod trash;

pub use login::{Access, Client, access};
pub use preview::Session;

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
    /// Loopback, or a password and its logins.
    pub access: login::Gate,
    /// The serve session's loaded site, for the live preview.
    session: Option<Session>,
    /// One change at a time: a version check and its write are not interleaved.
    writing: tokio::sync::Mutex<()>,
}

impl EditorState {
    pub fn new(
        root: PathBuf,
        port: u16,
        access: Access,
        session: Session,
    ) -> Result<Arc<Self>, getrandom::Error> {
        Ok(Arc::new(EditorState {
            root,
            token: guard::new_token()?,
            port,
            access: login::Gate::new(access),
            session: Some(session),
            writing: tokio::sync::Mutex::new(()),
        }))
    }

    #[cfg(test)]
    fn for_tests(token: String, port: u16) -> Self {
        EditorState {
            root: PathBuf::new(),
            token,
            port,
            access: login::Gate::new(Access::Loopback),
            session: None,
            writing: tokio::sync::Mutex::new(()),
        }
    }

    fn content(&self) -> PathBuf {
        crate::base::layout::content_dir(&self.root)
    }
}

/// The editor's routes, to be merged into the preview server's router.
pub fn router(state: Arc<EditorState>) -> Router {
    Router::new()
        .route("/_datto", get(page::redirect))
        .route("/_datto/", get(page::index))
        .route(login::PATH, get(login::page).post(login::submit))
        .route("/_datto/editor.js", get(page::script))
        .route("/_datto/editor.css", get(page::style))
        .route("/_datto/api/schema", get(page::schema))
        .route("/_datto/api/entries", get(entries::list))
        .route(
            "/_datto/api/entry",
            get(entries::get)
                .post(entries::create)
                .put(entries::update)
                .delete(trash::delete),
        )
        .route("/_datto/api/media", post(media::upload))
        .route("/_datto/api/import", post(media::import))
        .route("/_datto/api/preview", post(preview::preview))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD))
        .layer(axum::middleware::from_fn(reply::in_vietnamese))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::check,
        ))
        .with_state(state)
}
