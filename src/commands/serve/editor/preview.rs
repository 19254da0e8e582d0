//! `POST /_datto/api/preview`: the page of an entry as the form would save it, rendered by
//! the site's own pipeline in its theme — without saving and without rebuilding the site.
//!
//! This is the editor's one adapter to the rest of the crate's pipeline: the serve
//! session's loaded site ([`Rebuilder::loaded`]) gets the edited text in place of the file
//! ([`Sources::swap`]), the site is assembled from it (every other body comes from the
//! session's cache, so only this one is rendered), and only this entry's page is rendered.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use super::doc::{self, compose, merge};
use super::entries::{config, edited, invalid, new_rel, parse_json};
use super::paths::{SECTIONS, resolve};
use super::{EditorState, reply};
use crate::base::diagnostics::{Diagnostic, Error};
use crate::commands::serve::rebuild::Rebuilder;
use crate::load::sources::Doc;
use crate::model::plan::PageKind;
use crate::render::Renderer;

/// The serve session's site, shared with its rebuild loop.
pub type Session = Arc<Mutex<Rebuilder>>;

/// An existing entry (`path`) or a new one (`section`), as the form would save it.
#[derive(Deserialize)]
struct Draft {
    path: Option<String>,
    section: Option<String>,
    front_matter: serde_json::Map<String, Value>,
    #[serde(default)]
    body: String,
}

/// Why a page could not be rendered.
pub enum Failure {
    /// The problems `check` would report (this file's, or the site's).
    Problems(Vec<Diagnostic>),
    /// No site loaded yet (its first build failed), or the session is gone.
    NotLoaded,
    Internal(anyhow::Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        match e {
            Error::Content(list) => Failure::Problems(list.into_sorted()),
            other => Failure::Internal(anyhow::anyhow!("{other}")),
        }
    }
}

/// Renders the page of `doc` (the text of content file `rel`) from the session's site.
pub fn render(session: &Mutex<Rebuilder>, rel: &str, doc: Doc) -> Result<Vec<u8>, Failure> {
    let mut doc = doc;
    // The preview shows the page even while the entry is a draft or dated ahead.
    match &mut doc {
        Doc::Item(item) => Arc::make_mut(item).draft = false,
        Doc::Profile(profile) => Arc::make_mut(profile).draft = false,
        Doc::Page(page) => Arc::make_mut(page).draft = false,
        Doc::Failed(list, _) => return Err(Failure::Problems(list.clone())),
    }
    let mut session = session.lock().map_err(|_| Failure::NotLoaded)?;
    let (sources, bodies, theme, options) = session.loaded().ok_or(Failure::NotLoaded)?;
    let mut options = options.clone();
    if let Doc::Item(item) = &doc {
        options.future |= item.date > options.now;
    }
    let swapped = sources.swap(rel, doc);
    let site = crate::assemble::assemble(sources, &options, bodies);
    sources.restore(swapped);
    let site = site?;
    let job = site.jobs().iter().find(|job| match job.kind {
        PageKind::Item(i) => site.items[i].source.rel == rel,
        PageKind::Profile(i) => site.profiles[i].source.rel == rel,
        PageKind::Page(i) => site.pages[i].source.rel == rel,
        _ => false,
    });
    let Some(job) = job else {
        return Err(Failure::Internal(anyhow::anyhow!(
            "trang của {rel} không có trong bản xem trước"
        )));
    };
    let renderer = Renderer::new(&site, theme)?;
    Ok(renderer.render(job)?)
}

/// What saving `doc` at `rel` would add to the site's problems: what `check` would report
/// once it is saved (a slug another file has, a link or photo that isn't there…) that it
/// does not report now. A problem already there, in another file, doesn't stop a save,
/// which may be the one that fixes it. Nothing is known before the first good build.
pub fn problems_added(session: &Mutex<Rebuilder>, rel: &str, doc: Doc) -> Result<(), Failure> {
    if let Doc::Failed(list, _) = doc {
        return Err(Failure::Problems(list));
    }
    let mut session = session.lock().map_err(|_| Failure::NotLoaded)?;
    let Some((sources, bodies, _, options)) = session.loaded() else {
        return Ok(());
    };
    let problems = |site: Result<crate::model::site::Site, Error>| match site {
        Ok(_) => Ok(Vec::new()),
        Err(e) => match Failure::from(e) {
            Failure::Problems(list) => Ok(list),
            other => Err(other),
        },
    };
    let before = problems(crate::assemble::assemble(sources, options, bodies))?;
    let swapped = sources.swap(rel, doc);
    let after = crate::assemble::assemble(sources, options, bodies);
    sources.restore(swapped);
    let added: Vec<Diagnostic> = problems(after)?
        .into_iter()
        .filter(|d| {
            !before
                .iter()
                .any(|b| b.path == d.path && b.message == d.message)
        })
        .collect();
    if added.is_empty() {
        Ok(())
    } else {
        Err(Failure::Problems(added))
    }
}

/// `POST preview` `{path, front_matter, body}` or `{section, front_matter, body}` → 200 the
/// page's HTML (with `Server-Timing`), or 422 `{errors}` as `POST`/`PUT entry` would answer.
pub async fn preview(State(state): State<Arc<EditorState>>, body: Bytes) -> Response {
    let started = Instant::now();
    let draft: Draft = match parse_json(&body) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let config = match config(&state) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let (rel, text) = match (&draft.path, &draft.section) {
        (Some(path), _) => {
            let Some(entry) = resolve(&state.content(), path) else {
                return reply::bad_path();
            };
            let current = match std::fs::read(&entry.file) {
                Ok(b) => b,
                Err(e) => return reply::internal(e),
            };
            let text = edited(&current, &draft.front_matter, &draft.body);
            (entry.rel, text)
        }
        (None, Some(section)) if SECTIONS.contains(&section.as_str()) => {
            let rel = match new_rel(&config, section, &draft.front_matter) {
                Ok(r) => r,
                Err(r) => return r,
            };
            let text = compose(&merge(Default::default(), &draft.front_matter), &draft.body);
            (rel, text)
        }
        _ => {
            return reply::error(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("section"),
                "mục không có; chọn tin-bai, mo-hinh hoặc trang".into(),
                None,
            );
        }
    };
    let doc = match doc::parse(&config, &rel, &text) {
        Ok(doc) => doc,
        Err(problems) => return invalid(doc::errors(&rel, &text, &problems)),
    };
    let Some(session) = state.session.clone() else {
        return not_loaded();
    };
    let rendered = {
        let rel = rel.clone();
        tokio::task::spawn_blocking(move || render(&session, &rel, doc)).await
    };
    match rendered {
        Ok(Ok(html)) => {
            let mut response = (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                html,
            )
                .into_response();
            let timing = format!("render;dur={:.1}", started.elapsed().as_secs_f64() * 1000.0);
            if let Ok(value) = HeaderValue::from_str(&timing) {
                response.headers_mut().insert("server-timing", value);
            }
            response
        }
        Ok(Err(Failure::Problems(list))) => invalid(doc::errors(&rel, &text, &list)),
        Ok(Err(Failure::NotLoaded)) => not_loaded(),
        Ok(Err(Failure::Internal(e))) => reply::internal(e),
        Err(e) => reply::internal(e),
    }
}

fn not_loaded() -> Response {
    reply::error(
        StatusCode::SERVICE_UNAVAILABLE,
        None,
        "trang chưa dựng được lần nào (xem lỗi trong cửa sổ lệnh của datto serve)".into(),
        Some("sửa lỗi rồi lưu tệp; bản xem trước sẽ có ngay sau đó".into()),
    )
}
