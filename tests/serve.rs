//! `datto serve` end to end: a real server on a free port over a temp copy of a fixture.

mod common;

use std::time::Duration;

use common::TestSite;
use common::server::{Reply, Server};

/// The served HTML minus the live-reload script the server injects.
fn without_script(reply: &Reply) -> Vec<u8> {
    let text = reply.text();
    match (
        text.find("<script>(function(){var box"),
        text.rfind("</script>"),
    ) {
        (Some(start), Some(end)) => {
            format!("{}{}", &text[..start], &text[end + "</script>".len()..]).into_bytes()
        }
        _ => reply.body.clone(),
    }
}

#[test]
fn serves_pages_with_types_and_statuses() {
    let site = TestSite::fixture("basic");
    let server = Server::start(&site);

    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(home.text().contains("Phụ nữ Đất Tổ"));
    assert!(
        home.text().contains("/__datto/events"),
        "live reload injected"
    );

    let item = server.get("/tin-bai/2019/tap-huan/");
    assert_eq!(item.status, 200);
    assert!(item.text().contains("Tập huấn chuyển đổi số"));

    let redirect = server.get("/tin-bai/2019/tap-huan");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("location"), Some("/tin-bai/2019/tap-huan/"));
    // The redirect names this server's path, whatever the request's spelling: a path
    // starting `//` would be another host to the browser (an open redirect).
    for (sent, location) in [
        (
            "//evil.example/%2e%2e/tin-bai/2019/tap-huan",
            "/tin-bai/2019/tap-huan/",
        ),
        ("//tin-bai/2019/tap-huan", "/tin-bai/2019/tap-huan/"),
        ("/tin-bai//2019/tap-huan?a=1", "/tin-bai/2019/tap-huan/?a=1"),
    ] {
        let reply = server.get(sent);
        assert_eq!(reply.status, 301, "{sent}");
        assert_eq!(reply.header("location"), Some(location), "{sent}");
    }

    let missing = server.get("/khong-co-trang-nay/");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("<html"), "the site's 404 page");

    let types = [
        ("/rss.xml", "xml"),
        ("/sitemap.xml", "xml"),
        ("/css/style.css", "text/css; charset=utf-8"),
        ("/favicon.svg", "image/svg+xml"),
        ("/thong-ke/2019.json", "application/json"),
        ("/thong-ke/2019.csv", "text/csv"),
        ("/tin-bai/2018/trao-mai-am/anh-1-64x48.webp", "image/webp"),
    ];
    for (path, kind) in types {
        let reply = server.get(path);
        assert_eq!(reply.status, 200, "{path}");
        assert!(
            reply.header("content-type").unwrap_or("").contains(kind),
            "{path}: {:?}",
            reply.header("content-type")
        );
        assert!(
            !reply.text().contains("__datto"),
            "{path}: script only goes into HTML"
        );
    }

    let head = server.request("HEAD", "/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    for method in ["POST", "PUT", "DELETE"] {
        assert_eq!(server.request(method, "/").status, 405, "{method}");
    }
}

#[test]
fn refuses_to_leave_the_output_folder() {
    let site = TestSite::fixture("basic");
    // A file beside the output that a traversal would reach.
    std::fs::write(site.root().join("bi-mat.txt"), "bí mật").unwrap();
    let server = Server::start(&site);
    let attempts = [
        "/../../../../../../etc/passwd",
        "/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/tin-bai/../../../../../../etc/passwd",
        "/%5c..%5c..%5c..%5cetc%5cpasswd",
        "/..\\..\\..\\etc\\passwd",
        "//etc/passwd",
        "/%252e%252e/%252e%252e/etc/passwd",
        "/C:/Windows/win.ini",
        "/%00/etc/passwd",
        "http://evil.example/../../../../etc/passwd",
        "/../bi-mat.txt",
        "/%2e%2e/bi-mat.txt",
    ];
    for target in attempts {
        let reply = server.get(target);
        assert!(
            matches!(reply.status, 400 | 404),
            "{target}: status {}",
            reply.status
        );
        let text = reply.text();
        assert!(
            !text.contains("root:") && !text.contains("bí mật"),
            "{target} leaked a file"
        );
    }
}

#[test]
fn edits_errors_fixes_and_deletions_reach_the_browser() {
    let site = TestSite::fixture("basic");
    let server = Server::start(&site);
    let rel = "tin-bai/2019/tap-huan.md";
    let original = std::fs::read_to_string(site.root().join("content").join(rel)).unwrap();

    site.write(
        rel,
        &original.replace("Hơn 100 hội viên", "Hơn 250 hội viên"),
    );
    server.wait_for("/tin-bai/2019/tap-huan/", "the edited text", |r| {
        r.text().contains("Hơn 250 hội viên")
    });

    // Break the front matter: an error event, and the last good page still served.
    site.write(rel, &original.replace("unit: viet-tri", "unit: viet-trii"));
    let error = server.wait_for_event("failed");
    assert!(
        error.contains("content/tin-bai/2019/tap-huan.md:4:"),
        "{error}"
    );
    let still = server.get("/tin-bai/2019/tap-huan/");
    assert_eq!(still.status, 200);
    assert!(still.text().contains("Hơn 250 hội viên"));

    // Fix it: the page follows.
    site.write(
        rel,
        &original.replace("Hơn 100 hội viên", "Hơn 300 hội viên"),
    );
    server.wait_for("/tin-bai/2019/tap-huan/", "the fixed page", |r| {
        r.text().contains("Hơn 300 hội viên")
    });

    // Delete an item nothing links to: its URL becomes a 404. (Deleting a linked item
    // would break the link in the other file: an error, and the last good build stays.)
    assert_eq!(server.get("/tin-bai/2018/tieu-de-html/").status, 200);
    site.remove("tin-bai/2018/tieu-de-html.md");
    server.wait_for("/tin-bai/2018/tieu-de-html/", "a 404", |r| r.status == 404);
}

#[test]
fn served_tree_equals_a_fresh_build() {
    let site = TestSite::fixture("basic");
    let server = Server::start(&site);
    site.write(
        "tin-bai/2019/moi.md",
        "---\ntitle: Tin mới thêm\ndate: 2019-05-20\nunit: doan-hung\ntags: [Y tế]\n---\nMới.\n",
    );
    server.wait_for("/chu-de/y-te/", "the new tag page", |r| r.status == 200);
    let rel = "tin-bai/2018/hoi-nghi-so-ket.md";
    let text = std::fs::read_to_string(site.root().join("content").join(rel)).unwrap();
    site.write(rel, &text.replace("Sáng ngày 5/7", "Chiều ngày 5/7"));
    server.wait_for("/tin-bai/2018/hoi-nghi-so-ket/", "the edit", |r| {
        r.text().contains("Chiều ngày 5/7")
    });

    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    let base = format!("http://{}/", server.addr);
    site.run(&[
        "build",
        "--base-url",
        &base,
        "--output",
        public.to_str().unwrap(),
    ])
    .success();
    let files = common::files_under(&public);
    assert!(files.len() > 30);
    for file in files {
        let expected = std::fs::read(public.join(&file)).unwrap();
        let target = format!("/{}", file.strip_suffix("index.html").unwrap_or(&file));
        let encoded: String = target
            .bytes()
            .map(|b| {
                if b.is_ascii_graphic() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        let reply = server.get(&encoded);
        assert_eq!(reply.status, 200, "{target}");
        assert!(
            without_script(&reply) == expected,
            "{target} differs from a fresh build"
        );
    }
}

#[test]
fn survives_rough_clients_and_bursts() {
    let site = TestSite::fixture("basic");
    let server = Server::start(&site);

    // 200 requests at once.
    let addr = server.addr.clone();
    let handles: Vec<_> = (0..200)
        .map(|i| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                use std::io::{Read, Write};
                let mut s = std::net::TcpStream::connect(&addr).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
                let path = if i % 2 == 0 { "/" } else { "/tin-bai/" };
                write!(
                    s,
                    "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
                )
                .unwrap();
                let mut raw = Vec::new();
                s.read_to_end(&mut raw).unwrap();
                String::from_utf8_lossy(&raw[..12.min(raw.len())]).contains("200")
            })
        })
        .collect();
    let ok = handles
        .into_iter()
        .filter_map(|h| h.join().ok())
        .filter(|ok| *ok)
        .count();
    assert_eq!(ok, 200);

    // Clients that hang up mid-request or mid-response.
    for _ in 0..20 {
        use std::io::Write;
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        let _ = write!(s, "GET /tin-bai/ HTTP/1.1\r\nHost: {addr}\r\n");
        drop(s);
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        let _ = write!(s, "GET /sitemap.xml HTTP/1.1\r\nHost: {addr}\r\n\r\n");
        let _ = s.shutdown(std::net::Shutdown::Both);
    }
    assert_eq!(server.get("/").status, 200);

    // One file saved 20 times in a second: the last save wins.
    let rel = "tin-bai/2019/tap-huan.md";
    let original = std::fs::read_to_string(site.root().join("content").join(rel)).unwrap();
    for n in 1..=20 {
        site.write(
            rel,
            &original.replace("Hơn 100 hội viên", &format!("Lần lưu {n} hội viên")),
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server.wait_for("/tin-bai/2019/tap-huan/", "the last save", |r| {
        r.text().contains("Lần lưu 20 hội viên")
    });

    // A watched folder deleted: profiles disappear, the server keeps serving.
    std::fs::remove_dir_all(site.root().join("content/mo-hinh")).unwrap();
    server.wait_for("/mo-hinh/nha-ba-lan/", "the deleted profile to go", |r| {
        r.status == 404
    });
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let site = TestSite::fixture("basic");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let run = site.run(&["serve", "--port", &port]).failure(2);
    assert!(run.stderr().contains(&port), "{}", run.stderr());
    assert_eq!(run.stderr().trim().lines().count(), 1, "{}", run.stderr());
}

#[test]
fn a_site_broken_from_the_start_shows_its_errors_then_the_site() {
    let site = TestSite::fixture("basic");
    let rel = "tin-bai/2019/tap-huan.md";
    let good = std::fs::read_to_string(site.root().join("content").join(rel)).unwrap();
    site.write(rel, &good.replace("unit: viet-tri", "unit: khong-co"));
    let server = Server::start(&site);
    let waiting = server.get("/");
    assert_eq!(waiting.status, 503);
    assert!(
        waiting
            .text()
            .contains("content/tin-bai/2019/tap-huan.md:4:"),
        "{}",
        waiting.text()
    );
    assert!(
        waiting.text().contains("/__datto/events"),
        "the page reloads by itself"
    );
    site.write(rel, &good);
    server.wait_for("/", "the site once fixed", |r| r.status == 200);
}

#[test]
fn stops_promptly_with_a_tab_open_and_writes_nothing_but_its_photo_cache() {
    use std::io::Write;
    let site = TestSite::fixture("basic");
    let before = common::files_under(site.root());
    let mut server = Server::start(&site);
    // An open tab: a live events stream.
    let mut tab = std::net::TcpStream::connect(&server.addr).unwrap();
    write!(
        tab,
        "GET /__datto/events HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.addr
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(server.get("/").status, 200);
    assert!(
        server.stop_within(Duration::from_secs(5)),
        "the server hung on an open tab"
    );
    // The preview lives in memory: no public/, no page written anywhere in the site.
    let after: Vec<String> = common::files_under(site.root())
        .into_iter()
        .filter(|f| !f.starts_with(".datto-cache/"))
        .collect();
    assert_eq!(after, before.into_iter().collect::<Vec<_>>());
}

#[test]
fn refuses_other_hosts_and_closes_idle_connections() {
    use std::io::{Read, Write};
    let site = TestSite::fixture("basic");
    let mut server = Server::start_with(&site, &[("DATTO_SERVE_IDLE_SECS", "1")]);
    let port = server.addr.rsplit_once(':').unwrap().1.to_string();

    // DNS rebinding: a page on evil.example whose name now points at 127.0.0.1.
    for host in [format!("evil.example:{port}"), "127.0.0.1:1".to_string()] {
        let mut s = std::net::TcpStream::connect(&server.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let text = String::from_utf8_lossy(&raw);
        assert!(text.starts_with("HTTP/1.1 421"), "{host}: {text}");
        assert!(!text.contains("<html"), "no page leaks to {host}");
    }
    assert_eq!(server.get("/").status, 200, "its own address is served");

    // A connection that never sends its request is closed by the server.
    let mut idle = std::net::TcpStream::connect(&server.addr).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut buffer = [0u8; 64];
    let outcome = idle.read(&mut buffer);
    let closed = match &outcome {
        Ok(0) => true,
        Ok(_) => false,
        // Still open when our own 20 s read time-out fired.
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    };
    assert!(closed, "an idle connection stays open: {outcome:?}");

    assert!(server.stop_within(Duration::from_secs(5)));
}

/// Issue 11: `serve` read the theme's name once at start, so after `theme:` changed in
/// `site.yaml`, edits to the new theme's templates were ignored.
#[test]
fn follows_the_theme_named_in_site_yaml_after_it_changes() {
    let site = TestSite::fixture("basic");
    let themes = site.root().join("themes");
    common::copy_tree(&themes.join("datto"), &themes.join("moi"));
    let server = Server::start(&site);
    let page = "/tin-bai/2019/tap-huan/";
    let item = themes.join("moi/templates/item.html");
    let original = std::fs::read_to_string(&item).unwrap();
    std::fs::write(
        &item,
        original.replace("</article>", "<p>Mẫu mới 1</p></article>"),
    )
    .unwrap();
    // Not the theme in use yet: nothing changes.
    let config = site.root().join("content/site.yaml");
    let yaml = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, yaml.replace("theme: datto", "theme: moi")).unwrap();
    server.wait_for(page, "the page in the new theme", |r| {
        r.text().contains("Mẫu mới 1")
    });
    // An edit to the new theme's template now reaches the page.
    std::fs::write(
        &item,
        original.replace("</article>", "<p>Mẫu mới 2</p></article>"),
    )
    .unwrap();
    server.wait_for(page, "the edited template of the new theme", |r| {
        r.text().contains("Mẫu mới 2")
    });
}

/// A photo added while serving: the page is served at once, and the photo's files once made
/// (a request for one that is still being made waits for it instead of failing).
#[test]
fn a_new_photo_is_served_once_made_and_its_page_first() {
    let site = TestSite::fixture("basic");
    let server = Server::start(&site);
    let mut png = Vec::new();
    image::RgbImage::from_fn(1200, 900, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, 90])
    })
    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
    .unwrap();
    site.write_bytes("tin-bai/2019/anh-moi/anh.png", &png);
    site.write(
        "tin-bai/2019/anh-moi/index.md",
        "---\ntitle: Ảnh mới\ndate: 2019-04-02T08:00:00+07:00\nunit: viet-tri\nimage: anh.png\nimage_alt: Toàn cảnh\n---\n\nNội dung.\n",
    );
    let page = server.wait_for("/tin-bai/2019/anh-moi/", "the new item", |r| {
        r.status == 200
    });
    let html = page.text();
    let start = html
        .find("/tin-bai/2019/anh-moi/anh-480x360.webp")
        .expect("the 480-px file in the page");
    let photo = server.get(&html[start..start + "/tin-bai/2019/anh-moi/anh-480x360.webp".len()]);
    assert_eq!(photo.status, 200);
    assert_eq!(photo.header("content-type"), Some("image/webp"));
    assert_eq!(&photo.body[..4], b"RIFF");
    let decoded = image::load_from_memory(&photo.body).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (480, 360));
}

/// A site without `themes/` (as `datto init` makes) uses the theme inside the binary,
/// written out to the user's cache: its style sheet and scripts are served too.
#[test]
fn the_embedded_themes_files_are_served() {
    let site = TestSite::fixture("basic");
    std::fs::remove_dir_all(site.root().join("themes")).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        &site,
        &[("DATTO_CACHE_DIR", cache.path().to_str().unwrap())],
    );
    let home = server.wait_for("/", "the home page", |r| r.status == 200);
    assert!(home.text().contains("css/style.css"));
    let css = server.get("/css/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    let own = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/themes/datto/static/css/style.css"
    ))
    .unwrap();
    assert_eq!(css.body, own);
}
