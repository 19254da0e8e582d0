//! Saves that `check` would refuse are refused before writing (SPEC §14: "the same
//! Vietnamese errors as check, shown before saving"), and a delete takes only its entry.

use super::{Editor, new_item};
use crate::common::TestSite;
use serde_json::{Value, json};

fn messages(answer: &Value) -> String {
    answer["errors"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|e| e["message"].as_str().unwrap_or_default().to_string())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .unwrap_or_default()
}

#[test]
fn a_save_that_would_stop_the_build_is_refused_and_writes_nothing() {
    let site = TestSite::fixture("basic");
    let editor = Editor::start(&site);
    let content = site.root().join("content");

    // Problems only the whole site shows: another item's address, a link or a photo that
    // isn't there, a page on a generated section's address.
    let mut same_slug = new_item("Tin trùng địa chỉ", "viet-tri");
    same_slug["front_matter"]["slug"] = json!("tap-huan");
    let mut broken_link = new_item("Tin có liên kết hỏng", "viet-tri");
    broken_link["body"] = json!("Xem [bài cũ](../khong-co-bai-nay.md).");
    let mut missing_photo = new_item("Tin thiếu ảnh", "viet-tri");
    missing_photo["front_matter"]["image"] = json!("khong-co-anh.jpg");
    let generated = json!({"section": "trang", "front_matter": {"title": "tin-bai"}, "body": "x"});
    let cases = [
        ("same slug", same_slug, "tin-bai/2019/tin-trung-dia-chi"),
        (
            "broken link",
            broken_link,
            "tin-bai/2019/tin-co-lien-ket-hong",
        ),
        ("missing photo", missing_photo, "tin-bai/2019/tin-thieu-anh"),
        ("generated address", generated, "trang/tin-bai.md"),
    ];
    for (what, body, written) in cases {
        let answer = editor.send("POST", "/_datto/api/entry", &body);
        assert_eq!(answer.status, 422, "{what}: {}", answer.body);
        assert!(!messages(&answer.json()).is_empty(), "{what}");
        assert!(!content.join(written).exists(), "{what}: nothing written");
    }

    // An edit that breaks a link: 422, the file as it was.
    let path = "tin-bai/2019/tap-huan.md";
    let file = content.join(path);
    let before = std::fs::read(&file).unwrap();
    let entry = editor.get(&format!("/_datto/api/entry?path={path}")).json();
    let edit = json!({
        "front_matter": entry["front_matter"],
        "body": "Xem [bài cũ](../khong-co-bai-nay.md).",
        "version": entry["version"],
    });
    let put = editor.send("PUT", &format!("/_datto/api/entry?path={path}"), &edit);
    assert_eq!(put.status, 422, "{}", put.body);
    assert_eq!(std::fs::read(&file).unwrap(), before);

    // A problem already in another file does not stop saving this one.
    site.write(
        "tin-bai/2018/hong-san.md",
        "---\ntitle: Hỏng sẵn\ndate: 2018-06-01\nunit: viet-tri\n---\n[x](../khong-co-nua.md)\n",
    );
    let failed = editor.server.wait_for_event("failed");
    assert!(failed.contains("hong-san"), "{failed}");
    let fine = editor.send(
        "POST",
        "/_datto/api/entry",
        &new_item("Tin vẫn lưu được", "viet-tri"),
    );
    assert_eq!(fine.status, 201, "{}", fine.body);
}

#[test]
fn deleting_an_index_file_takes_only_its_own_folder() {
    let site = TestSite::fixture("basic");
    let editor = Editor::start(&site);
    let content = site.root().join("content");
    // An `index.md` written by hand straight in a year folder, beside that year's items.
    site.write(
        "tin-bai/2019/index.md",
        "---\ntitle: Năm 2019\ndate: 2019-01-02\nunit: viet-tri\n---\nx\n",
    );
    editor
        .server
        .wait_for("/tin-bai/2019/2019/", "the new item", |r| r.status == 200);
    let gone = editor.send(
        "DELETE",
        "/_datto/api/entry?path=tin-bai/2019/index.md",
        &json!({}),
    );
    assert_eq!(gone.status, 200, "{}", gone.body);
    assert_eq!(gone.json()["trash"], "_thung-rac/tin-bai/2019/index.md");
    assert!(
        content.join("tin-bai/2019/tap-huan.md").is_file(),
        "the year stays"
    );
    assert!(!content.join("tin-bai/2019/index.md").exists());

    // A page cannot be named `index` (it would make `trang/` one bundle).
    let page = json!({"section": "trang", "front_matter": {"title": "Index"}, "body": "x"});
    let answer = editor.send("POST", "/_datto/api/entry", &page);
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(!content.join("trang/index.md").exists());
}
