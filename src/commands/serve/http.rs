//! The preview server: the files of the last good rebuild only (see [`Store`]), GET and HEAD
//! only, a live-reload script injected into HTML responses (never into the built pages), and
//! a server-sent events stream that tells open tabs to reload or to show the build errors.

use std::convert::Infallible;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use rustc_hash::{FxHashMap, FxHashSet};
use tokio::sync::broadcast;

use crate::base::layout::NOT_FOUND_PAGE;
use crate::commands::serve::store::{Entry, Lookup, Store};

/// Where the events stream lives; no content path can start with `__`.
pub const EVENTS_PATH: &str = "/__datto/events";

/// What a rebuild tells open tabs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The output changed: reload.
    Reload,
    /// The last rebuild failed: show these lines over the page.
    Failed(String),
    /// The server is stopping: end the event streams, or open tabs would keep it alive.
    Closing,
}

pub struct ServerState {
    pub store: Arc<Store>,
    /// The server's port: a request must name it in its `Host`.
    pub port: u16,
    pub notices: broadcast::Sender<Notice>,
    /// The current failure, shown to tabs that connect while it lasts.
    pub failure: RwLock<Option<String>>,
    /// The output file of each page open in a tab (from its events stream), with the number
    /// of tabs showing it: what a long rebuild renders first.
    open: Mutex<FxHashMap<String, usize>>,
}

impl ServerState {
    pub fn new(store: Arc<Store>, port: u16) -> Arc<Self> {
        let (notices, _) = broadcast::channel(16);
        Arc::new(ServerState {
            store,
            port,
            notices,
            failure: RwLock::new(None),
            open: Mutex::default(),
        })
    }

    /// The output files of the pages open in a tab now.
    pub fn open_pages(&self) -> FxHashSet<String> {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.keys().cloned().collect()
    }

    pub fn notify(&self, notice: Notice) {
        if let Ok(mut failure) = self.failure.write() {
            match &notice {
                Notice::Failed(text) => *failure = Some(text.clone()),
                Notice::Reload => *failure = None,
                Notice::Closing => {}
            }
        }
        // No receiver means no open tab: nothing to tell.
        let _ = self.notices.send(notice);
    }
}

pub fn router(state: Arc<ServerState>) -> Router {
    Router::new().fallback(handle).with_state(state)
}

/// Listens for rebuilds; reloads the tab, or shows the errors over it until they are fixed.
const RELOAD_SCRIPT: &str = r#"<script>(function(){var box=null;function show(text){if(!box){box=document.createElement("div");box.id="datto-errors";box.setAttribute("role","alert");box.style.cssText="position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;background:#7f1d1d;color:#fff;font:14px/1.5 ui-monospace,monospace;padding:12px 16px;white-space:pre-wrap;box-shadow:0 -4px 16px rgba(0,0,0,.3)";document.body.appendChild(box);}box.textContent="datto: bản dựng lỗi, trang đang hiện là bản tốt gần nhất\n\n"+text;}var es=new EventSource("/__datto/events?page="+encodeURIComponent(location.pathname));es.addEventListener("reload",function(){location.reload();});es.addEventListener("failed",function(e){show(e.data);});})();</script>"#;

fn inject(mut html: Vec<u8>) -> Vec<u8> {
    let marker = b"</body>";
    let at = html
        .windows(marker.len())
        .rposition(|w| w.eq_ignore_ascii_case(marker))
        .unwrap_or(html.len());
    html.splice(at..at, RELOAD_SCRIPT.bytes());
    html
}

/// Decodes and normalises a request path into a relative output path. `None` for anything
/// that is not plainly inside the output: `..` past the root, backslashes, NUL, bad UTF-8.
pub fn normalise(path: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let parts = crate::base::paths::segments(&decoded)?;
    // `C:` and the like: never a name in the output, always an attempt elsewhere.
    if parts.iter().any(|p| p.contains(':')) {
        return None;
    }
    Some(parts.join("/"))
}

fn content_type(path: &Path) -> HeaderValue {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let text = mime.type_() == "text"
        || matches!(
            mime.essence_str(),
            "application/javascript" | "application/json" | "application/xml" | "image/svg+xml"
        );
    let value = if text {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("application/octet-stream"))
}

/// Before the first good build there is no site, not even a 404 page: show why (the build
/// errors) in a page that reloads by itself once the files are fixed.
fn no_site_yet(state: &ServerState) -> Response {
    let failure = state.failure.read().ok().and_then(|f| f.clone());
    let (status, text) = match failure {
        Some(text) => (StatusCode::SERVICE_UNAVAILABLE, text),
        None => (StatusCode::NOT_FOUND, "Không tìm thấy trang.".to_string()),
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>datto</title></head>\
         <body><h1>Chưa dựng được trang</h1><pre>{}</pre>{RELOAD_SCRIPT}</body></html>",
        crate::render::theme::escape_html(&text)
    );
    let mut response = (status, html).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// How long a request waits for a file still being made (a photo, a page rendered after the
/// open ones) before it is answered with what there is.
const PENDING_WAIT: Duration = Duration::from_secs(60);

/// The file at `rel`, waiting while it is being made.
async fn find(store: &Store, rel: &str) -> Option<Entry> {
    let mut changes = store.changes();
    let deadline = tokio::time::Instant::now() + PENDING_WAIT;
    loop {
        match store.lookup(rel) {
            Lookup::Found(entry) => return Some(entry),
            Lookup::Missing => return None,
            Lookup::Pending => {
                let waited = tokio::time::timeout_at(deadline, changes.changed()).await;
                if !matches!(waited, Ok(Ok(()))) {
                    return None;
                }
            }
        }
    }
}

async fn bytes_of(store: &Store, entry: Entry) -> Option<Vec<u8>> {
    match entry {
        Entry::Bytes(bytes) => Some(bytes.to_vec()),
        Entry::File(path) => tokio::fs::read(store.inside_root(&path)?).await.ok(),
    }
}

/// Whether a `Host` header names this server: `localhost` or an IP address, with the
/// server's port. Any other name is a page elsewhere that pointed its own domain at this
/// address (DNS rebinding) to read the preview from a browser.
pub fn host_allowed(host: Option<&str>, port: u16) -> bool {
    let Some(host) = host else { return false };
    let (name, host_port) = match host.rsplit_once(':') {
        Some((name, p)) if !p.contains(']') => (name, p.parse::<u16>().ok()),
        _ => (host, Some(80)),
    };
    if host_port != Some(port) {
        return false;
    }
    let bare = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    name.eq_ignore_ascii_case("localhost")
        || bare.parse::<std::net::Ipv6Addr>().is_ok() && name.starts_with('[')
        || name.parse::<std::net::Ipv4Addr>().is_ok()
}

async fn handle(
    State(state): State<Arc<ServerState>>,
    method: Method,
    headers: axum::http::HeaderMap,
    uri: Uri,
) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if !host_allowed(host, state.port) {
        return plain(
            StatusCode::MISDIRECTED_REQUEST,
            "Chỉ phục vụ địa chỉ của chính máy chủ xem trước\n",
        );
    }
    if method != Method::GET && method != Method::HEAD {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "Chỉ hỗ trợ GET và HEAD\n");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let head = method == Method::HEAD;
    if uri.path() == EVENTS_PATH {
        let page = uri.query().and_then(open_page);
        return events(state, page).into_response();
    }
    let Some(rel) = normalise(uri.path()) else {
        return plain(StatusCode::BAD_REQUEST, "Đường dẫn không hợp lệ\n");
    };
    let store = &state.store;
    let index = folder_page(&rel);
    let wants_folder = rel.is_empty() || uri.path().ends_with('/');
    if !wants_folder && !store.contains(&rel) && store.contains(&index) {
        // Relative links in the page need the trailing slash. Made from the checked path,
        // never the sent one: `//evil.example/x` would send the browser to another host.
        let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
        let location = format!("/{}/{query}", crate::base::urls::escape_path(&rel));
        return (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, location)],
        )
            .into_response();
    }
    let wanted = if wants_folder { index } else { rel };
    let found = match find(store, &wanted).await {
        Some(entry) => Some((StatusCode::OK, wanted, entry)),
        None => find(store, NOT_FOUND_PAGE)
            .await
            .map(|entry| (StatusCode::NOT_FOUND, NOT_FOUND_PAGE.to_string(), entry)),
    };
    let Some((status, name, entry)) = found else {
        return no_site_yet(&state);
    };
    let Some(mut bytes) = bytes_of(store, entry).await else {
        return plain(StatusCode::NOT_FOUND, "Không tìm thấy trang\n");
    };
    let path = Path::new(&name);
    let kind = content_type(path);
    if kind.to_str().is_ok_and(|k| k.starts_with("text/html")) {
        bytes = inject(bytes);
    }
    let length = bytes.len();
    let body = if head {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, kind);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The output file of the page a tab shows, from its events stream's `?page=/path/`.
fn open_page(query: &str) -> Option<String> {
    let value = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("page="))?;
    let rel = normalise(value)?;
    let folder = rel.is_empty() || ["/", "%2F", "%2f"].iter().any(|end| value.ends_with(end));
    Some(if folder { folder_page(&rel) } else { rel })
}

/// The page a folder address (`/tin-bai/`) is answered with.
fn folder_page(rel: &str) -> String {
    if rel.is_empty() {
        "index.html".to_string()
    } else {
        format!("{rel}/index.html")
    }
}

/// A tab counted in [`ServerState::open`] while its events stream lives.
struct OpenTab {
    state: Arc<ServerState>,
    page: Option<String>,
}

impl OpenTab {
    fn new(state: Arc<ServerState>, page: Option<String>) -> OpenTab {
        if let Some(page) = &page {
            let mut open = state.open.lock().unwrap_or_else(|e| e.into_inner());
            *open.entry(page.clone()).or_default() += 1;
        }
        OpenTab { state, page }
    }
}

impl Drop for OpenTab {
    fn drop(&mut self) {
        let Some(page) = &self.page else { return };
        let mut open = self.state.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(page) {
            *count -= 1;
            if *count == 0 {
                open.remove(page);
            }
        }
    }
}

fn events(
    state: Arc<ServerState>,
    page: Option<String>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let pending = state
        .failure
        .read()
        .ok()
        .and_then(|f| f.clone())
        .map(Notice::Failed);
    let receiver = state.notices.subscribe();
    let tab = OpenTab::new(state, page);
    let stream = stream::unfold(
        (pending, receiver, tab),
        |(pending, mut receiver, tab)| async move {
            let notice = match pending {
                Some(notice) => notice,
                None => match receiver.recv().await {
                    Ok(notice) => notice,
                    // Missed some notices: whatever they were, a reload shows the current state.
                    Err(broadcast::error::RecvError::Lagged(_)) => Notice::Reload,
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            };
            let event = match notice {
                Notice::Reload => Event::default().event("reload").data("reload"),
                Notice::Failed(text) => Event::default().event("failed").data(text),
                Notice::Closing => return None,
            };
            Some((Ok(event), (None, receiver, tab)))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request for `rel`, waiting on its own task.
    fn request(store: &Arc<Store>, rel: &'static str) -> tokio::task::JoinHandle<Option<Entry>> {
        let store = store.clone();
        tokio::spawn(async move { find(&store, rel).await })
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_for_a_file_being_made_waits_for_it_then_gives_up() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        store.batch().expect("anh/a.webp".into());
        let waiting = request(&store, "anh/a.webp");
        // Made while the request waits: the request gets it.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let photo = Entry::Bytes(Arc::from(&b"webp"[..]));
        store.batch().put("anh/a.webp".into(), photo.clone());
        assert_eq!(waiting.await.unwrap(), Some(photo));

        // Other files becoming ready do not end the wait; never made, it ends after
        // PENDING_WAIT with nothing (a 404), not never.
        store.batch().expect("anh/b.webp".into());
        let started = tokio::time::Instant::now();
        let waiting = request(&store, "anh/b.webp");
        tokio::time::sleep(Duration::from_secs(1)).await;
        store
            .batch()
            .put("anh/c.webp".into(), Entry::Bytes(Arc::from(&b"c"[..])));
        assert_eq!(waiting.await.unwrap(), None);
        assert!(started.elapsed() >= PENDING_WAIT, "{:?}", started.elapsed());

        // A rebuild that failed settles what it left pending: answered at once.
        store.batch().expect("anh/d.webp".into());
        let started = tokio::time::Instant::now();
        let waiting = request(&store, "anh/d.webp");
        tokio::time::sleep(Duration::from_secs(1)).await;
        store.batch().settle();
        assert_eq!(waiting.await.unwrap(), None);
        assert!(started.elapsed() < PENDING_WAIT);
    }

    #[test]
    fn request_paths_are_normalised_or_refused() {
        let cases = [
            ("/", Some("")),
            ("/tin-bai/", Some("tin-bai")),
            (
                "/tin-bai/2018/a/index.html",
                Some("tin-bai/2018/a/index.html"),
            ),
            ("/a/./b/../c", Some("a/c")),
            (
                "/anh/%E1%BA%A3nh%20m%E1%BB%9Bi.jpg",
                Some("anh/ảnh mới.jpg"),
            ),
            ("/../etc/passwd", None),
            ("/%2e%2e/%2e%2e/etc/passwd", None),
            ("/a/%2E%2E/%2E%2E/x", None),
            ("/..%2f..%2fetc/passwd", None),
            ("/a%5c..%5c..%5cx", None),
            ("/a\\b", None),
            ("/C:/Windows", None),
            ("/%00", None),
            ("/%ff", None),
        ];
        for (input, expected) in cases {
            assert_eq!(normalise(input).as_deref(), expected, "{input}");
        }
    }

    #[test]
    fn the_page_of_an_events_stream() {
        let cases = [
            ("page=%2F", Some("index.html")),
            (
                "page=%2Ftin-bai%2F2019%2Fa%2F",
                Some("tin-bai/2019/a/index.html"),
            ),
            ("page=/tin-bai/2019/a/", Some("tin-bai/2019/a/index.html")),
            ("x=1&page=%2Fthong-ke%2F2026.csv", Some("thong-ke/2026.csv")),
            ("page=%2F..%2F..%2Fetc%2Fpasswd", None),
            ("other=1", None),
        ];
        for (query, expected) in cases {
            assert_eq!(open_page(query).as_deref(), expected, "{query}");
        }
    }

    #[test]
    fn only_the_servers_own_address_is_served() {
        for ok in [
            "127.0.0.1:1111",
            "localhost:1111",
            "LOCALHOST:1111",
            "[::1]:1111",
            "192.168.1.5:1111",
        ] {
            assert!(host_allowed(Some(ok), 1111), "{ok}");
        }
        for bad in [
            "evil.example:1111",
            "127.0.0.1.nip.io:1111",
            "localhost.evil:1111",
            "127.0.0.1:2222",
            "127.0.0.1",
            "::1:1111",
            "",
        ] {
            assert!(!host_allowed(Some(bad), 1111), "{bad}");
        }
        assert!(!host_allowed(None, 1111));
        assert!(host_allowed(Some("localhost"), 80));
    }

    #[test]
    fn script_goes_before_the_last_body_end() {
        let html = inject(b"<html><body><p>x</p></BODY></html>".to_vec());
        let text = String::from_utf8(html).unwrap();
        assert!(text.contains("</script></BODY>"), "{text}");
        let bare = String::from_utf8(inject(b"<p>x</p>".to_vec())).unwrap();
        assert!(bare.ends_with("</script>"));
    }

    #[test]
    fn content_types() {
        let cases = [
            ("a/index.html", "text/html; charset=utf-8"),
            ("css/style.css", "text/css; charset=utf-8"),
            ("anh/logo.svg", "image/svg+xml; charset=utf-8"),
            ("rss.xml", "text/xml; charset=utf-8"),
            ("thong-ke/2026.json", "application/json; charset=utf-8"),
            ("thong-ke/2026.csv", "text/csv; charset=utf-8"),
            ("anh/a.png", "image/png"),
            ("anh/a.jpg", "image/jpeg"),
        ];
        for (path, expected) in cases {
            assert_eq!(content_type(Path::new(path)), expected, "{path}");
        }
    }
}
