//! The browser editor (SPEC §14) end to end: a real `datto serve --port 0` on a fixture copy,
//! every endpoint and every refusal over plain HTTP.

mod common;
#[path = "editor/live.rs"]
mod live;
#[path = "editor/login.rs"]
mod login;
#[path = "editor/saves.rs"]
mod saves;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::TestSite;
use common::server::Server;
use serde_json::{Value, json};

struct Answer {
    status: u16,
    /// The status line and headers.
    head: String,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// One request with exactly these headers (Host included), nothing added.
fn raw(addr: &str, head: &str, body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut request = format!(
        "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    // A refused upload may be answered before the whole body is sent.
    let _ = stream.write_all(&request);
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .map(|(h, b)| (h.to_string(), b.to_string()))
        .unwrap_or_default();
    Answer { status, head, body }
}

struct Editor {
    server: Server,
    token: String,
}

impl Editor {
    fn start(site: &TestSite) -> Editor {
        let server = Server::start(site);
        let page = server.get("/_datto/");
        assert_eq!(page.status, 200, "{}", page.text());
        let text = page.text();
        let marker = "<meta name=\"datto-token\" content=\"";
        let at = text.find(marker).expect("token meta") + marker.len();
        let token = text[at..at + 64].to_string();
        assert!(token.chars().all(|c| c.is_ascii_hexdigit()), "{token}");
        Editor { server, token }
    }

    fn addr(&self) -> &str {
        &self.server.addr
    }

    fn get(&self, target: &str) -> Answer {
        raw(
            self.addr(),
            &format!("GET {target} HTTP/1.1\r\nHost: {}", self.addr()),
            b"",
        )
    }

    /// A change with the right token, Host and Origin.
    fn send(&self, method: &str, target: &str, body: &Value) -> Answer {
        self.send_with(
            method,
            target,
            &self.token,
            Some(&format!("http://{}", self.addr())),
            body,
        )
    }

    fn send_with(
        &self,
        method: &str,
        target: &str,
        token: &str,
        origin: Option<&str>,
        body: &Value,
    ) -> Answer {
        let mut head = format!(
            "{method} {target} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json",
            self.addr()
        );
        if !token.is_empty() {
            head.push_str(&format!("\r\nX-Datto-Token: {token}"));
        }
        if let Some(origin) = origin {
            head.push_str(&format!("\r\nOrigin: {origin}"));
        }
        raw(self.addr(), &head, body.to_string().as_bytes())
    }

    fn upload(&self, target: &str, fields: &[(&str, &str, &[u8])]) -> Answer {
        let boundary = "datto-test-boundary";
        let mut body = Vec::new();
        for (name, file_name, bytes) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"")
                    .as_bytes(),
            );
            if !file_name.is_empty() {
                body.extend_from_slice(format!("; filename=\"{file_name}\"").as_bytes());
            }
            body.extend_from_slice(b"\r\n\r\n");
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let head = format!(
            "POST {target} HTTP/1.1\r\nHost: {}\r\nX-Datto-Token: {}\r\nContent-Type: multipart/form-data; boundary={boundary}",
            self.addr(),
            self.token
        );
        raw(self.addr(), &head, &body)
    }
}

fn new_item(title: &str, unit: &str) -> Value {
    json!({
        "section": "tin-bai",
        "front_matter": {"title": title, "date": "2019-05-30 09:00", "unit": unit, "tags": ["Hội nghị"]},
        "body": "Nội dung **mới**.",
    })
}

#[test]
fn page_and_lists() {
    let site = TestSite::fixture("basic");
    let editor = Editor::start(&site);
    let page = editor.server.get("/_datto/");
    assert!(page.text().contains("Viết tin mới"));
    assert!(
        !page.text().contains("http://") && !page.text().contains("https://"),
        "nothing from other servers"
    );
    assert_eq!(editor.server.get("/_datto/editor.js").status, 200);
    assert_eq!(editor.server.get("/_datto/editor.css").status, 200);

    let schema = editor.get("/_datto/api/schema").json();
    assert_eq!(schema["units"][0]["slug"], "viet-tri");
    assert!(
        schema["tags"]
            .as_array()
            .unwrap()
            .contains(&json!("Chuyển đổi số")),
        "{schema}"
    );

    let list = editor.get("/_datto/api/entries?section=tin-bai").json();
    let paths: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"tin-bai/2018/trao-mai-am/index.md"),
        "{paths:?}"
    );
    assert!(
        !paths
            .iter()
            .any(|p| p.contains("_ghi-chu") || p.ends_with('~')),
        "{paths:?}"
    );
    assert_eq!(
        paths[0], "tin-bai/2019/hen-gio.md",
        "newest first: {paths:?}"
    );
    let first = &list[0];
    for key in ["title", "date", "unit", "draft", "version"] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }
    let profiles = editor.get("/_datto/api/entries?section=mo-hinh").json();
    assert_eq!(profiles.as_array().unwrap().len(), 2);
    assert_eq!(editor.get("/_datto/api/entries?section=static").status, 400);

    let entry = editor
        .get("/_datto/api/entry?path=tin-bai/2019/tap-huan.md")
        .json();
    assert_eq!(entry["front_matter"]["unit"], "viet-tri");
    assert!(entry["body"].as_str().unwrap().contains("Hơn 100 hội viên"));
    assert_eq!(
        entry["version"],
        first_version(&list, "tin-bai/2019/tap-huan.md")
    );
}

fn first_version(list: &Value, path: &str) -> Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == path)
        .unwrap()["version"]
        .clone()
}

#[test]
fn create_edit_delete_and_the_preview_follows() {
    let site = TestSite::fixture("basic");
    let editor = Editor::start(&site);

    let created = editor.send(
        "POST",
        "/_datto/api/entry",
        &new_item("Ra mắt mô hình mới", "viet-tri"),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let path = created.json()["path"].as_str().unwrap().to_string();
    assert_eq!(path, "tin-bai/2019/ra-mat-mo-hinh-moi/index.md");
    let file = site.root().join("content").join(&path);
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(
        written.starts_with("---\ntitle: Ra mắt mô hình mới\n"),
        "{written}"
    );
    editor
        .server
        .wait_for("/tin-bai/2019/ra-mat-mo-hinh-moi/", "the new item", |r| {
            r.status == 200 && r.text().contains("Ra mắt mô hình mới")
        });

    // Never overwritten.
    let again = editor.send(
        "POST",
        "/_datto/api/entry",
        &new_item("Ra mắt mô hình mới", "viet-tri"),
    );
    assert_eq!(
        (again.status, again.json()["errors"][0]["key"].as_str()),
        (422, Some("title")),
        "{}",
        again.body
    );

    // A bad unit: 422 at its key and line, nothing written.
    let bad = editor.send(
        "POST",
        "/_datto/api/entry",
        &new_item("Tin sai đơn vị", "khong-co"),
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(bad.json()["errors"][0]["key"], "unit", "{}", bad.body);
    assert_eq!(bad.json()["errors"][0]["line"], 4, "{}", bad.body);
    assert!(
        !site
            .root()
            .join("content/tin-bai/2019/tin-sai-don-vi")
            .exists()
    );

    // Edit: unknown keys kept; a stale version is 409 and the file stays as it was.
    std::fs::write(
        &file,
        written.replace("tags:", "source_url: https://baophutho.vn/a\ntags:"),
    )
    .unwrap();
    let entry = editor.get(&format!("/_datto/api/entry?path={path}")).json();
    let version = entry["version"].as_str().unwrap().to_string();
    let edit = json!({"front_matter": {"title": "Ra mắt mô hình mới (sửa)"}, "body": "Đã sửa.", "version": version});
    let put = editor.send("PUT", &format!("/_datto/api/entry?path={path}"), &edit);
    assert_eq!(put.status, 200, "{}", put.body);
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(
        after.contains("source_url: https://baophutho.vn/a")
            && after.contains("(sửa)")
            && after.contains("Đã sửa."),
        "{after}"
    );
    let stale = editor.send("PUT", &format!("/_datto/api/entry?path={path}"), &edit);
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), after);
    let bad_edit =
        json!({"front_matter": {"unit": "khong-co"}, "body": "", "version": put.json()["version"]});
    let bad_put = editor.send("PUT", &format!("/_datto/api/entry?path={path}"), &bad_edit);
    assert_eq!(
        (bad_put.status, bad_put.json()["errors"][0]["key"].as_str()),
        (422, Some("unit")),
        "{}",
        bad_put.body
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), after);

    // Delete: the bundle moves to the trash, twice with unique names.
    let gone = editor.send(
        "DELETE",
        &format!("/_datto/api/entry?path={path}"),
        &json!({}),
    );
    assert_eq!(gone.status, 200, "{}", gone.body);
    assert!(!file.exists());
    assert!(
        site.root()
            .join("content/_thung-rac/tin-bai/2019/ra-mat-mo-hinh-moi/index.md")
            .exists()
    );
    editor.server.wait_for(
        "/tin-bai/2019/ra-mat-mo-hinh-moi/",
        "the deleted item gone",
        |r| r.status == 404,
    );
    let plain = editor.send(
        "DELETE",
        "/_datto/api/entry?path=tin-bai/2019/tap-huan.md",
        &json!({}),
    );
    assert_eq!(plain.status, 200, "{}", plain.body);
    assert!(
        site.root()
            .join("content/_thung-rac/tin-bai/2019/tap-huan.md")
            .exists()
    );
    let trashed = editor.get("/_datto/api/entry?path=_thung-rac/tin-bai/2019/tap-huan.md");
    assert_eq!(trashed.status, 400);
}

#[test]
fn refusals_change_nothing() {
    let site = TestSite::fixture("basic");
    let editor = Editor::start(&site);
    let target = "tin-bai/2019/tap-huan.md";
    let file = site.root().join("content").join(target);
    let before = std::fs::read(&file).unwrap();
    let own = format!("http://{}", editor.addr());
    let url = format!("/_datto/api/entry?path={target}");

    let cases: [(&str, &str, Option<&str>); 4] = [
        ("no token", "", Some(&own)),
        ("wrong token", "0000", Some(&own)),
        ("foreign Origin", &editor.token, Some("http://evil.example")),
        (
            "Origin with another port",
            &editor.token,
            Some("http://127.0.0.1:1"),
        ),
    ];
    for (what, token, origin) in cases {
        let a = editor.send_with("DELETE", &url, token, origin, &json!({}));
        assert_eq!(a.status, 403, "{what}: {}", a.body);
        let b = editor.send_with(
            "POST",
            "/_datto/api/entry",
            token,
            origin,
            &new_item("Tin lạ", "viet-tri"),
        );
        assert_eq!(b.status, 403, "{what}: {}", b.body);
    }
    // A foreign Host (DNS rebinding), for reads and for changes.
    let host = format!(
        "DELETE {url} HTTP/1.1\r\nHost: evil.example:{}\r\nX-Datto-Token: {}",
        editor.server.addr.rsplit(':').next().unwrap(),
        editor.token
    );
    assert_eq!(raw(editor.addr(), &host, b"").status, 403);
    let read = raw(
        editor.addr(),
        "GET /_datto/api/entries?section=tin-bai HTTP/1.1\r\nHost: evil.example",
        b"",
    );
    assert_eq!(read.status, 403);
    assert!(!read.body.contains("tap-huan"));
    let page = raw(
        editor.addr(),
        "GET /_datto/ HTTP/1.1\r\nHost: evil.example",
        b"",
    );
    assert_eq!(page.status, 403);
    assert!(
        !page.body.contains(&editor.token),
        "the token never leaves for another Host"
    );
    assert!(!site.root().join("content/tin-bai/2019/tin-la").exists());

    // Paths from the client.
    std::fs::write(site.root().join("secret.md"), "---\ntitle: bí mật\n---\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        site.root().join("secret.md"),
        site.root().join("content/tin-bai/2019/lien-ket.md"),
    )
    .unwrap();
    std::fs::create_dir_all(site.root().join("content/_thung-rac/tin-bai")).unwrap();
    std::fs::write(
        site.root().join("content/_thung-rac/tin-bai/cu.md"),
        "---\ntitle: cũ\n---\n",
    )
    .unwrap();
    let absolute = format!(
        "{}",
        site.root()
            .join("content/tin-bai/2019/tap-huan.md")
            .display()
    );
    let bad_paths = [
        "tin-bai/../site.yaml".to_string(),
        "tin-bai/2019/../../../secret.md".to_string(),
        "tin-bai%2F..%2F..%2Fsecret.md".to_string(),
        absolute,
        "_thung-rac/tin-bai/cu.md".to_string(),
        "tin-bai/2019/lien-ket.md".to_string(),
        "tin-bai\\2019\\tap-huan.md".to_string(),
        "tin-bai/2019/khong-co.md".to_string(),
    ];
    for path in &bad_paths {
        let get = editor.get(&format!("/_datto/api/entry?path={path}"));
        assert!(matches!(get.status, 400 | 404), "{path}: {}", get.status);
        assert!(!get.body.contains("bí mật"), "{path}");
        let del = editor.send(
            "DELETE",
            &format!("/_datto/api/entry?path={path}"),
            &json!({}),
        );
        assert!(matches!(del.status, 400 | 404), "{path}: {}", del.status);
    }
    assert!(site.root().join("secret.md").exists());
    assert!(
        site.root()
            .join("content/_thung-rac/tin-bai/cu.md")
            .exists()
    );
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

/// A real photo of the fixture: uploads are decoded whole before they are kept.
fn png() -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/basic/content/tin-bai/2018/trao-mai-am/anh-1.png"),
    )
    .unwrap()
}

#[test]
fn uploads() {
    let site = TestSite::fixture("basic");
    let editor = Editor::start(&site);
    let png = png();
    let png = png.as_slice();

    // A plain file becomes a bundle; the name is the server's.
    let a = editor.upload(
        "/_datto/api/media?path=tin-bai/2019/tap-huan.md",
        &[("file", "../../Ảnh Hội nghị.exe", png)],
    );
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.json()["name"], "anh-hoi-nghi.png");
    assert_eq!(a.json()["path"], "tin-bai/2019/tap-huan/index.md");
    let bundle = site.root().join("content/tin-bai/2019/tap-huan");
    assert!(bundle.join("index.md").is_file() && bundle.join("anh-hoi-nghi.png").is_file());
    assert!(
        !site
            .root()
            .join("content/tin-bai/2019/tap-huan.md")
            .exists()
    );
    let b = editor.upload(
        "/_datto/api/media?path=tin-bai/2019/tap-huan/index.md",
        &[("file", "Ảnh hội nghị.png", png)],
    );
    assert_eq!(b.json()["name"], "anh-hoi-nghi-2.png", "{}", b.body);

    // Not an image, too big, bad path, no token.
    let gif = editor.upload(
        "/_datto/api/media?path=tin-bai/2019/tap-huan/index.md",
        &[("file", "a.png", b"GIF89a....")],
    );
    assert_eq!(gif.status, 415, "{}", gif.body);
    // A photo the build could not publish is refused before it is kept: one cut short (a
    // dropped connection), one whose header announces 20000×20000 pixels, a plain file
    // that an upload would have turned into a bundle stays as it was.
    let mut huge = png[..16].to_vec();
    huge.extend(20_000u32.to_be_bytes());
    huge.extend(20_000u32.to_be_bytes());
    huge.extend(&png[24..]);
    for (what, bytes) in [("cut short", &png[..png.len() / 2]), ("huge", &huge[..])] {
        for target in ["tin-bai/2019/tap-huan/index.md", "trang/gioi-thieu.md"] {
            let refused = editor.upload(
                &format!("/_datto/api/media?path={target}"),
                &[("file", "a.png", bytes)],
            );
            assert_eq!(refused.status, 422, "{what} {target}: {}", refused.body);
            assert!(refused.body.contains("\"message\""), "{}", refused.body);
        }
    }
    assert!(site.root().join("content/trang/gioi-thieu.md").is_file());
    assert!(!site.root().join("content/trang/gioi-thieu").exists());
    // Refused from its announced length, before the body is read.
    let mut stream = TcpStream::connect(editor.addr()).unwrap();
    write!(
        stream,
        "POST /_datto/api/media?path=tin-bai/2019/tap-huan/index.md HTTP/1.1\r\nHost: {}\r\nX-Datto-Token: {}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        editor.addr(),
        editor.token,
        31 * 1024 * 1024
    )
    .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut over = Vec::new();
    let _ = stream.read_to_end(&mut over);
    assert!(
        String::from_utf8_lossy(&over).starts_with("HTTP/1.1 413"),
        "{}",
        String::from_utf8_lossy(&over)
    );
    let out = editor.upload(
        "/_datto/api/media?path=../secret.md",
        &[("file", "a.png", png)],
    );
    assert_eq!(out.status, 400);
    let files = std::fs::read_dir(&bundle).unwrap().count();
    assert_eq!(files, 3, "index.md and two photos");

    // Word import reuses `datto import`.
    let docx = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/import/libreoffice.docx"),
    )
    .unwrap();
    let imported = editor.upload(
        "/_datto/api/import",
        &[("file", "Tin.docx", &docx), ("unit", "", b"viet-tri")],
    );
    assert_eq!(imported.status, 201, "{}", imported.body);
    let path = imported.json()["path"].as_str().unwrap().to_string();
    assert!(site.root().join("content").join(&path).is_file(), "{path}");
    let not_word = editor.upload(
        "/_datto/api/import",
        &[("file", "a.docx", png), ("unit", "", b"viet-tri")],
    );
    assert_eq!(not_word.status, 415, "{}", not_word.body);
}
