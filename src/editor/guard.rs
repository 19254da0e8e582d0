//! Who may use the editor: requests naming the server's own `Host`; changes also need the
//! per-start token and, when the browser sends one, the server's own `Origin`. A page on
//! another site can neither read the token (same-origin policy) nor pass the Host check
//! after pointing its own domain at us (DNS rebinding).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::{EditorState, MAX_UPLOAD, reply};
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
        text(header::HOST.as_str()),
        text(header::ORIGIN.as_str()),
        text("x-datto-token"),
        &state,
    );
    if let Some(why) = why {
        return reply::error(StatusCode::FORBIDDEN, None, why.to_string(), None);
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
                refusal(method, host, origin, token, &s).is_none(),
                allowed,
                "{method} {host:?} {origin:?} {token:?}"
            );
        }
    }

    #[test]
    fn tokens_are_long_and_fresh() {
        let a = new_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_token().unwrap());
    }
}
