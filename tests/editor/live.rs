//! The live preview, entry URLs, and edits that keep the rest of the file as it was.

use super::{Editor, new_item};
use crate::common::TestSite;
use serde_json::json;

#[test]
fn the_live_preview_renders_the_unsaved_page_in_the_theme() {
    let site = TestSite::fixture("basic");
    let editor = Editor::start(&site);
    let path = "tin-bai/2019/tap-huan.md";
    let file = site.root().join("content").join(path);
    let before = std::fs::read(&file).unwrap();
    let entry = editor.get(&format!("/_datto/api/entry?path={path}")).json();
    let mut fm = entry["front_matter"].clone();
    fm["title"] = json!("Tập huấn <đang sửa>");
    fm["draft"] = json!(true);
    let body = format!("{}\n\nĐoạn **mới thêm**.", entry["body"].as_str().unwrap());
    let shown = editor.send(
        "POST",
        "/_datto/api/preview",
        &json!({"path": path, "front_matter": fm, "body": body}),
    );
    assert_eq!(shown.status, 200, "{}", shown.body);
    let html = &shown.body;
    assert!(
        html.contains("<html lang=\"vi\""),
        "the theme's page: {html}"
    );
    assert!(html.contains("Tập huấn &lt;đang sửa&gt;"), "escaped title");
    assert!(
        html.contains("<strong>mới thêm</strong>"),
        "the body rendered"
    );
    assert!(html.contains("Thành phố Việt Trì"), "the unit's name");
    assert_eq!(std::fs::read(&file).unwrap(), before, "nothing saved");

    // A new entry, never saved: its page, and no trace of it in the site.
    let new = new_item("Tin chỉ để xem trước", "viet-tri");
    let fresh = editor.send("POST", "/_datto/api/preview", &new);
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    assert!(fresh.body.contains("Tin chỉ để xem trước"));
    assert!(fresh.body.contains("<strong>mới</strong>"));
    let url = "/tin-bai/2019/tin-chi-de-xem-truoc/";
    assert_eq!(editor.server.get(url).status, 404);
    assert!(
        !editor
            .server
            .get("/tin-bai/")
            .text()
            .contains("Tin chỉ để xem trước")
    );

    // The errors of saving, at their key and line; a broken link as `check` finds it.
    let mut bad = new_item("Tin sai", "khong-co");
    let refused = editor.send("POST", "/_datto/api/preview", &bad);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.json()["errors"][0]["key"], "unit");
    bad["front_matter"]["unit"] = json!("viet-tri");
    bad["body"] = json!("Xem [bài cũ](../2018/khong-co.md).");
    let broken = editor.send("POST", "/_datto/api/preview", &bad);
    assert_eq!(broken.status, 422, "{}", broken.body);
    let error = &broken.json()["errors"][0];
    assert_eq!(error["key"], "body", "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("khong-co.md"),
        "{error}"
    );

    // Like every change-shaped request: the token and the Origin.
    let foreign = editor.send_with(
        "POST",
        "/_datto/api/preview",
        &editor.token,
        Some("http://evil.example"),
        &new,
    );
    assert_eq!(foreign.status, 403);
    let no_token = editor.send_with("POST", "/_datto/api/preview", "", None, &new);
    assert_eq!(no_token.status, 403);

    // The site's own rebuilds are untouched by previews.
    std::fs::write(
        &file,
        String::from_utf8(before)
            .unwrap()
            .replace("Tập huấn chuyển đổi số", "Tập huấn đã lưu"),
    )
    .unwrap();
    editor
        .server
        .wait_for("/tin-bai/2019/tap-huan/", "the saved title", |r| {
            r.text().contains("Tập huấn đã lưu")
        });
    assert_eq!(editor.server.get(url).status, 404);
}

#[test]
fn entries_say_their_url_and_slug_counts() {
    let site = TestSite::fixture("basic");
    let editor = Editor::start(&site);
    let mut item = new_item("Tin có đường dẫn riêng", "viet-tri");
    item["front_matter"]["slug"] = json!("duong-dan-rieng");
    let created = editor.send("POST", "/_datto/api/entry", &item);
    assert_eq!(created.status, 201, "{}", created.body);
    let url = "/tin-bai/2019/duong-dan-rieng/";
    assert_eq!(created.json()["url"], url);
    let list = editor.get("/_datto/api/entries?section=tin-bai").json();
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "tin-bai/2019/tin-co-duong-dan-rieng/index.md")
        .cloned()
        .unwrap();
    assert_eq!(listed["url"], url);
    let plain = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "tin-bai/2019/tap-huan.md")
        .unwrap();
    assert_eq!(plain["url"], "/tin-bai/2019/tap-huan/");
    editor.server.wait_for(url, "the page at its slug", |r| {
        r.status == 200 && r.text().contains("Tin có đường dẫn riêng")
    });
}

const ODD: &str = "---\n# Bài do văn phòng tỉnh gửi\nunit: viet-tri   # đơn vị đăng\ntitle: 'Hội nghị giữa năm'\ntags:\n  - Hội nghị\n  # thẻ chính ở trên\ndate: 2019-06-02\nextra:\n  nguon: Báo Phú Thọ\n---\nThân bài.\n\n";

#[test]
fn an_edit_changes_only_the_lines_of_changed_keys() {
    let site = TestSite::fixture("basic");
    let path = "tin-bai/2019/giua-nam.md";
    let file = site.root().join("content").join(path);
    std::fs::write(&file, ODD).unwrap();
    let editor = Editor::start(&site);
    let entry = editor.get(&format!("/_datto/api/entry?path={path}")).json();
    assert_eq!(entry["front_matter"]["extra"]["nguon"], "Báo Phú Thọ");

    // Saved as opened: the same bytes, comments, quotes and order included.
    let same = json!({"front_matter": entry["front_matter"], "body": entry["body"], "version": entry["version"]});
    let put = editor.send("PUT", &format!("/_datto/api/entry?path={path}"), &same);
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), ODD);
    assert_eq!(put.json()["version"], entry["version"]);

    // One changed key: its line only; a new key at the end.
    let mut fm = entry["front_matter"].clone();
    fm["title"] = json!("Hội nghị sơ kết giữa năm");
    fm["author"] = json!("Hà Linh");
    let edit = json!({"front_matter": fm, "body": entry["body"], "version": entry["version"]});
    let put = editor.send("PUT", &format!("/_datto/api/entry?path={path}"), &edit);
    assert_eq!(put.status, 200, "{}", put.body);
    let expected = ODD
        .replace(
            "title: 'Hội nghị giữa năm'\n",
            "title: Hội nghị sơ kết giữa năm\n",
        )
        .replace(
            "  nguon: Báo Phú Thọ\n",
            "  nguon: Báo Phú Thọ\nauthor: Hà Linh\n",
        );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), expected);
}
