//! Who may open the editor: anyone on a loopback address (the machine's own user), or, on
//! another address, whoever knows `--editor-password`: a login page, a random session
//! cookie, and at most [`LIMIT`] wrong passwords a minute from one client address.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Form;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::EditorState;

/// The login page (and the form's target).
pub const PATH: &str = "/_datto/dang-nhap";
/// The session cookie, sent only to the editor's own paths.
pub const COOKIE: &str = "datto_phien";
/// Wrong passwords allowed from one client address per [`WINDOW`].
pub const LIMIT: usize = 5;
pub const WINDOW: Duration = Duration::from_secs(60);
/// A session ends after this long (a working day and then some).
const SESSION: Duration = Duration::from_secs(12 * 3600);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// A loopback address: only users of this machine reach it.
    Loopback,
    /// Any address, after a login with this password.
    Password(String),
}

/// Whether serve offers the editor on `bind`: always with a (non-empty) password, else on a
/// loopback address only.
pub fn access(bind: IpAddr, password: Option<String>) -> Option<Access> {
    match password.filter(|p| !p.is_empty()) {
        Some(password) => Some(Access::Password(password)),
        None => bind.is_loopback().then_some(Access::Loopback),
    }
}

/// The client's address, as the server's listener saw it (for the rate limit).
#[derive(Debug, Clone, Copy)]
pub struct Client(pub SocketAddr);

impl
    axum::extract::connect_info::Connected<
        axum::serve::IncomingStream<'_, crate::commands::serve::idle::IdleListener>,
    > for Client
{
    fn connect_info(
        stream: axum::serve::IncomingStream<'_, crate::commands::serve::idle::IdleListener>,
    ) -> Client {
        Client(*stream.remote_addr())
    }
}

/// The password, the open sessions and the recent failures.
pub struct Gate {
    access: Access,
    sessions: Mutex<HashMap<String, Instant>>,
    failures: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl Gate {
    pub fn new(access: Access) -> Gate {
        Gate {
            access,
            sessions: Mutex::default(),
            failures: Mutex::default(),
        }
    }

    pub fn needs_login(&self) -> bool {
        matches!(self.access, Access::Password(_))
    }

    /// Whether the `Cookie` header carries a live session (always true without a password).
    pub fn admits(&self, cookies: Option<&str>, now: Instant) -> bool {
        if !self.needs_login() {
            return true;
        }
        let Some(id) = cookies.and_then(session_id) else {
            return false;
        };
        let sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        // The map lookup hashes the id first: no early exit on a matching prefix.
        sessions
            .get(id)
            .is_some_and(|opened| now.duration_since(*opened) < SESSION)
    }

    /// Seconds to wait when `ip` used up its wrong passwords of the last minute.
    pub fn retry_after(&self, ip: IpAddr, now: Instant) -> Option<u64> {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let list = failures.get_mut(&ip)?;
        while list
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            list.pop_front();
        }
        if list.len() < LIMIT {
            return None;
        }
        let oldest = *list.front()?;
        let left = WINDOW.saturating_sub(now.duration_since(oldest));
        Some(left.as_secs().max(1))
    }

    fn failed(&self, ip: IpAddr, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        // Forget clients that stopped trying: the map cannot grow without end.
        failures.retain(|_, list| list.back().is_some_and(|t| now.duration_since(*t) < WINDOW));
        failures.entry(ip).or_default().push_back(now);
    }

    /// Whether `sent` is the password, compared in constant time (hashes of equal length).
    pub fn password_matches(&self, sent: &str) -> bool {
        match &self.access {
            // `blake3::Hash` compares in constant time.
            Access::Password(password) => {
                blake3::hash(sent.as_bytes()) == blake3::hash(password.as_bytes())
            }
            Access::Loopback => false,
        }
    }

    fn open(&self, now: Instant) -> Result<String, getrandom::Error> {
        let id = super::guard::new_token()?;
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        sessions.retain(|_, opened| now.duration_since(*opened) < SESSION);
        sessions.insert(id.clone(), now);
        Ok(id)
    }
}

/// The value of our cookie in a `Cookie` header.
fn session_id(cookies: &str) -> Option<&str> {
    cookies
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
}

fn login_page(status: StatusCode, message: Option<&str>) -> Response {
    let alert = message
        .map(|m| format!("<p class=\"loi\" role=\"alert\">{}</p>\n", escape(m)))
        .unwrap_or_default();
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Đăng nhập trình soạn bài – datto</title>
<link rel="stylesheet" href="/_datto/editor.css">
</head>
<body>
<header><h1>Trình soạn bài</h1></header>
<main class="dang-nhap">
<h2>Đăng nhập</h2>
<p>Trình soạn bài này cần mật khẩu do người chạy <code>datto serve</code> đặt (tùy chọn <code>--editor-password</code>).</p>
{alert}<form method="post" action="{PATH}">
<label for="mat-khau">Mật khẩu</label>
<input id="mat-khau" name="mat_khau" type="password" autocomplete="current-password" required autofocus>
<div class="nut"><button type="submit">Đăng nhập</button></div>
</form>
</main>
</body>
</html>
"#
    );
    let mut response = super::page::asset("text/html; charset=utf-8", html);
    *response.status_mut() = status;
    response
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `GET /_datto/dang-nhap`.
pub async fn page(State(state): State<Arc<EditorState>>) -> Response {
    if !state.access.needs_login() {
        return Redirect::to("/_datto/").into_response();
    }
    login_page(StatusCode::OK, None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    mat_khau: String,
}

/// `POST /_datto/dang-nhap` (form field `mat_khau`): a session cookie and back to the
/// editor, the page again with an error, or 429 after [`LIMIT`] wrong tries in a minute.
pub async fn submit(
    State(state): State<Arc<EditorState>>,
    request: axum::extract::Request,
) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<Client>>()
        .map(|c| c.0);
    let form = <Form<LoginForm> as axum::extract::FromRequest<()>>::from_request(request, &())
        .await
        .ok();
    let gate = &state.access;
    if !gate.needs_login() {
        return Redirect::to("/_datto/").into_response();
    }
    let now = Instant::now();
    // Without the connection's address (never so under `datto serve`), all share one limit.
    let ip = client.map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
    if let Some(wait) = gate.retry_after(ip, now) {
        let mut response = login_page(
            StatusCode::TOO_MANY_REQUESTS,
            Some(&format!(
                "Sai mật khẩu quá {LIMIT} lần trong một phút. Vui lòng đợi {wait} giây rồi thử lại."
            )),
        );
        if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    let sent = form.map(|f| f.0.mat_khau).unwrap_or_default();
    if !gate.password_matches(&sent) {
        gate.failed(ip, now);
        return login_page(
            StatusCode::UNAUTHORIZED,
            Some(
                "Mật khẩu không đúng. Hãy gõ lại (chú ý chữ hoa, chữ thường và bộ gõ tiếng Việt).",
            ),
        );
    }
    let id = match gate.open(now) {
        Ok(id) => id,
        Err(e) => return super::reply::internal(e),
    };
    let mut response = Redirect::to("/_datto/").into_response();
    let cookie = format!("{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/_datto/");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_the_editor_is_on() {
        let pw = || Some("bi-mat".to_string());
        let cases = [
            ("127.0.0.1", None, Some(Access::Loopback)),
            ("::1", None, Some(Access::Loopback)),
            ("0.0.0.0", None, None),
            ("192.168.1.5", None, None),
            ("::", None, None),
            ("0.0.0.0", Some(String::new()), None),
            ("0.0.0.0", pw(), Some(Access::Password("bi-mat".into()))),
            ("127.0.0.1", pw(), Some(Access::Password("bi-mat".into()))),
        ];
        for (address, password, expected) in cases {
            assert_eq!(
                access(address.parse().unwrap(), password.clone()),
                expected,
                "{address} {password:?}"
            );
        }
    }

    #[test]
    fn five_wrong_passwords_a_minute_then_wait() {
        let gate = Gate::new(Access::Password("x".into()));
        let ip: IpAddr = "10.0.0.7".parse().unwrap();
        let other: IpAddr = "10.0.0.8".parse().unwrap();
        let start = Instant::now();
        for i in 0..LIMIT {
            assert_eq!(gate.retry_after(ip, start), None, "try {i}");
            gate.failed(ip, start + Duration::from_secs(i as u64));
        }
        let wait = gate.retry_after(ip, start + Duration::from_secs(10));
        assert_eq!(wait, Some(50));
        assert_eq!(gate.retry_after(other, start), None);
        assert_eq!(gate.retry_after(ip, start + WINDOW), None);
    }

    #[test]
    fn sessions_and_passwords() {
        let gate = Gate::new(Access::Password("mật khẩu".into()));
        assert!(gate.password_matches("mật khẩu"));
        assert!(!gate.password_matches("mat khau"));
        assert!(!gate.password_matches(""));
        let now = Instant::now();
        let id = gate.open(now).unwrap();
        assert!(gate.admits(Some(&format!("a=b; {COOKIE}={id}")), now));
        assert!(!gate.admits(Some(&format!("{COOKIE}={id}x")), now));
        assert!(!gate.admits(None, now));
        assert!(!gate.admits(Some(&format!("{COOKIE}={id}")), now + SESSION));
        assert!(Gate::new(Access::Loopback).admits(None, now));
    }
}
