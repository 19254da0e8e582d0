//! Who may use the editor: requests naming the server's own `Host`; changes also need the
//! per-start token and, when the browser sends one, the server's own `Origin`. A page on
//! another site can neither read the token (same-origin policy) nor pass the Host check
//! after pointing its own domain at us (DNS rebinding).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::{EditorState, MAX_UPLOAD, login, reply};
use crate::commands::serve::http::host_allowed;

/// 32 random bytes from the operating system, as hex.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Compares without stopping at the first difference (no timing hint about the token).
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// `Origin` is `http://` plus an address [`host_allowed`] accepts, and the same as `Host`.
pub fn origin_allowed(origin: &str, host: &str, port: u16) -> bool {
    origin
        .strip_prefix("http://")
        .is_some_and(|rest| rest.eq_ignore_ascii_case(host) && host_allowed(Some(rest), port))
}

/// Why a request is refused, or `None`.
pub fn refusal(
    method: &Method,
    path: &str,
    host: Option<&str>,
    origin: Option<&str>,
    token: Option<&str>,
    state: &EditorState,
) -> Option<&'static str> {
    if !host_allowed(host, state.port) {
        return Some("chỉ nhận yêu cầu gửi đến đúng địa chỉ của máy chủ xem trước");
    }
    if matches!(*method, Method::GET | Method::HEAD) {
        return None;
    }
    if let Some(origin) = origin
        && !origin_allowed(origin, host.unwrap_or_default(), state.port)
    {
        return Some("yêu cầu đến từ trang khác; bị từ chối");
    }
    // The login form comes before the page that holds the token.
    if path == login::PATH {
        return None;
    }
    match token {
        Some(token) if same_secret(token, &state.token) => None,
        Some(_) => Some("mã bảo vệ (X-Datto-Token) không đúng; tải lại trang trình soạn"),
        None => Some("thiếu mã bảo vệ (X-Datto-Token); tải lại trang trình soạn"),
    }
}

/// Runs before any extractor reads the body: a refused request changes nothing.
pub async fn check(
    State(state): State<Arc<EditorState>>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let why = refusal(
        request.method(),
        request.uri().path(),
        text(header::HOST.as_str()),
        text(header::ORIGIN.as_str()),
        text("x-datto-token"),
        &state,
    );
    if let Some(why) = why {
        return reply::error(StatusCode::FORBIDDEN, None, why.to_string(), None);
    }
    // Behind a password: the login page (and its style) for everyone, the rest after a login.
    let path = request.uri().path();
    let open = path == login::PATH || path == "/_datto/editor.css";
    if !open
        && !state
            .access
            .admits(text(header::COOKIE.as_str()), std::time::Instant::now())
    {
        if request.method() == Method::GET && (path == "/_datto/" || path == "/_datto") {
            return Redirect::to(login::PATH).into_response();
        }
        return reply::error(
            StatusCode::UNAUTHORIZED,
            None,
            "chưa đăng nhập trình soạn bài, hoặc phiên đã hết hạn".into(),
            Some(format!("mở {} để đăng nhập lại", login::PATH)),
        );
    }
    let too_big = text(header::CONTENT_LENGTH.as_str())
        .and_then(|n| n.parse::<u64>().ok())
        .is_some_and(|n| n > MAX_UPLOAD as u64);
    if too_big {
        return reply::too_big();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> EditorState {
        EditorState::for_tests("bi-mat".into(), 1111)
    }

    #[test]
    fn refusals() {
        let s = state();
        let host = Some("127.0.0.1:1111");
        let post = Method::POST;
        let ok = Some("bi-mat");
        type Case<'a> = (
            &'a Method,
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            bool,
        );
        let cases: [Case; 11] = [
            (&Method::GET, host, None, None, true),
            (&Method::GET, Some("evil.example:1111"), None, None, false),
            (&post, host, None, ok, true),
            (&post, host, Some("http://127.0.0.1:1111"), ok, true),
            (
                &post,
                Some("localhost:1111"),
                Some("http://localhost:1111"),
                ok,
                true,
            ),
            (&post, host, None, None, false),
            (&post, host, None, Some("bi-mau"), false),
            (&post, host, Some("http://evil.example"), ok, false),
            (&post, host, Some("http://localhost:1111"), ok, false),
            (&post, host, Some("null"), ok, false),
            (&Method::DELETE, Some("evil.example:1111"), None, ok, false),
        ];
        for (method, host, origin, token, allowed) in cases {
            assert_eq!(
                refusal(method, "/_datto/api/entry", host, origin, token, &s).is_none(),
                allowed,
                "{method} {host:?} {origin:?} {token:?}"
            );
        }
    }

    #[test]
    fn the_login_form_needs_no_token_but_the_right_origin() {
        let s = state();
        let host = Some("127.0.0.1:1111");
        let post = Method::POST;
        assert!(refusal(&post, login::PATH, host, None, None, &s).is_none());
        let evil = Some("http://evil.example");
        assert!(refusal(&post, login::PATH, host, evil, None, &s).is_some());
        let foreign = Some("evil.example:1111");
        assert!(refusal(&post, login::PATH, foreign, None, None, &s).is_some());
    }

    #[test]
    fn tokens_are_long_and_fresh() {
        let a = new_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_token().unwrap());
    }
}
