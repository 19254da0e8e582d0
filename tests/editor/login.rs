//! `--editor-password` (here through `DATTO_EDITOR_PASSWORD`): a login, a session cookie,
//! a limit on wrong passwords, and the token and Origin checks after the login too.

use super::{Answer, new_item, raw};
use crate::common::TestSite;
use crate::common::server::Server;

const PASSWORD: &str = "Mật khẩu dài 2026!";

fn login(addr: &str, password: &str) -> (Answer, Option<String>) {
    let body = format!(
        "mat_khau={}",
        password
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>()
    );
    let head = format!(
        "POST /_datto/dang-nhap HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nContent-Type: application/x-www-form-urlencoded"
    );
    let answer = raw(addr, &head, body.as_bytes());
    let cookie = answer.head.lines().find_map(|l| {
        l.strip_prefix("set-cookie: ")
            .or_else(|| l.strip_prefix("Set-Cookie: "))
            .map(str::to_string)
    });
    (answer, cookie)
}

#[test]
fn a_password_opens_the_editor_after_a_login() {
    let site = TestSite::fixture("basic");
    let server = Server::start_with(&site, &[("DATTO_EDITOR_PASSWORD", PASSWORD)]);
    let addr = server.addr.clone();
    let get = |target: &str, cookie: &str| {
        raw(
            &addr,
            &format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}"),
            b"",
        )
    };

    // Nothing before the login: the page sends to the login form, the API says 401.
    let page = get("/_datto/", "");
    assert_eq!(page.status, 303, "{}", page.head);
    assert!(
        page.head
            .to_lowercase()
            .contains("location: /_datto/dang-nhap")
    );
    let list = get("/_datto/api/entries?section=tin-bai", "");
    assert_eq!(list.status, 401);
    assert!(!list.body.contains("tap-huan"));
    let form = get("/_datto/dang-nhap", "");
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Đăng nhập") && form.body.contains("lang=\"vi\""));
    let forged = get("/_datto/", "datto_phien=0000");
    assert_eq!(forged.status, 303);

    // The right password: a session cookie for the editor's paths only.
    let (ok, cookie) = login(&addr, PASSWORD);
    assert_eq!(ok.status, 303, "{}", ok.body);
    let cookie = cookie.expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/_datto/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let session = cookie.split(';').next().unwrap().to_string();
    assert!(session.len() > "datto_phien=".len() + 40, "{session}");
    let page = get("/_datto/", &session);
    assert_eq!(page.status, 200);
    let marker = "<meta name=\"datto-token\" content=\"";
    let at = page.body.find(marker).unwrap() + marker.len();
    let token = page.body[at..at + 64].to_string();

    // Logged in, a change still needs the token and the server's own Origin.
    let post = |token: &str, origin: &str| {
        let head = format!(
            "POST /_datto/api/entry HTTP/1.1\r\nHost: {addr}\r\nCookie: {session}\r\nContent-Type: application/json\r\nX-Datto-Token: {token}\r\nOrigin: {origin}"
        );
        raw(
            &addr,
            &head,
            new_item("Tin sau đăng nhập", "viet-tri")
                .to_string()
                .as_bytes(),
        )
    };
    let own = format!("http://{addr}");
    assert_eq!(post("sai", &own).status, 403);
    assert_eq!(post(&token, "http://evil.example").status, 403);
    assert!(
        !site
            .root()
            .join("content/tin-bai/2019/tin-sau-dang-nhap")
            .exists()
    );
    let created = post(&token, &own);
    assert_eq!(created.status, 201, "{}", created.body);
    // The token without the session is not enough.
    let head = format!(
        "POST /_datto/api/entry HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nX-Datto-Token: {token}"
    );
    let body = new_item("Tin không phiên", "viet-tri").to_string();
    assert_eq!(raw(&addr, &head, body.as_bytes()).status, 401);

    // Wrong passwords: five a minute, then 429 with Retry-After (the right one too).
    for _ in 0..5 {
        let (wrong, cookie) = login(&addr, "mat khau");
        assert_eq!(wrong.status, 401);
        assert!(cookie.is_none());
        assert!(wrong.body.contains("Mật khẩu không đúng"), "{}", wrong.body);
    }
    let (limited, cookie) = login(&addr, PASSWORD);
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert!(cookie.is_none());
    assert!(
        limited.head.to_lowercase().contains("retry-after: "),
        "{}",
        limited.head
    );
    assert!(limited.body.contains("Vui lòng đợi"), "{}", limited.body);
    // A login form posted from another site is refused before any password is checked.
    let head = format!(
        "POST /_datto/dang-nhap HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://evil.example\r\nContent-Type: application/x-www-form-urlencoded"
    );
    assert_eq!(raw(&addr, &head, b"mat_khau=x").status, 403);
}
