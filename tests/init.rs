//! `datto init`: a new site that builds at once with the theme inside the binary, and
//! `datto theme export`, whose `themes/datto/` then wins over the embedded copy.

use std::path::Path;
use std::process::{Command, Output};

fn datto(args: &[&str], root: &Path, cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_datto"))
        .args(args)
        .arg("--root")
        .arg(root)
        .env("DATTO_CACHE_DIR", cache)
        .output()
        .unwrap()
}

#[test]
fn init_builds_at_once_and_an_exported_theme_wins() {
    let dir = tempfile::tempdir().unwrap();
    let (site, cache) = (dir.path().join("site"), dir.path().join("cache"));
    let out = datto(&["init"], &site, &cache);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!site.join("themes").exists());
    let out = datto(&["build"], &site, &cache);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let index = std::fs::read_to_string(site.join("public/index.html")).unwrap();
    assert!(index.contains("Chào mừng đến với trang Phụ nữ Đất Tổ"));
    // Everything the page loads is there: the logo, styles, scripts (a new site has no
    // `static/` of its own, so the theme brings them).
    for attr in ["src=\"/", "href=\"/"] {
        for (at, _) in index.match_indices(attr) {
            let value = &index[at + attr.len()..];
            let path = &value[..value.find('"').unwrap()];
            let path = path.split(['?', '#']).next().unwrap();
            let file = site.join("public").join(path);
            assert!(
                file.is_file() || file.join("index.html").is_file(),
                "/{path} is loaded by the home page but was not built"
            );
        }
    }
    for page in [
        "gioi-thieu/index.html",
        "lien-he/index.html",
        "don-vi/thanh-thuy/index.html",
    ] {
        assert!(site.join("public").join(page).is_file(), "{page}");
    }

    let again = datto(&["init"], &site, &cache);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("không trống"));

    let out = datto(&["theme", "export"], &site, &cache);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let template = site.join("themes/datto/templates/404.html");
    let text = std::fs::read_to_string(&template).unwrap();
    std::fs::write(
        &template,
        text.replacen("</h1>", "</h1><p>Bản giao diện riêng</p>", 1),
    )
    .unwrap();
    let out = datto(&["build"], &site, &cache);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(site.join("public/404.html")).unwrap();
    assert!(page.contains("Bản giao diện riêng"), "themes/datto/ wins");
    assert!(!datto(&["theme", "export"], &site, &cache).status.success());
}
