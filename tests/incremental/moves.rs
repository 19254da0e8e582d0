//! Renames and moves of files and folders, and a seeded random sequence of operations.

use crate::common::TestSite;
use crate::harness::*;
use datto::commands::serve::rebuild::Change;

#[test]
fn renames_and_moves_of_files_and_folders_give_the_fresh_build() {
    let site = TestSite::fixture("basic");
    site.write(
        "tin-bai/2019/dich.md",
        &item_text("Đích", 2019, "viet-tri", "Bài được nhắc tới."),
    );
    site.write(
        "tin-bai/2019/nguon.md",
        &item_text("Nguồn", 2019, "doan-hung", "Xem [bài kia](dich.md)."),
    );
    let mut dev = rebuilder(&site);
    dev.rebuild(&Change::everything()).unwrap();
    assert_same_as_build(&site, &mut dev);

    // A file renamed: its address changes; listings, tags and units follow. Renaming a
    // linked file breaks the link, in serve as in build.
    let moved = rename(
        &site,
        "tin-bai/2019/dich.md",
        "tin-bai/2019/tap-huan-moi.md",
    );
    dev.rebuild(&change_for(&site, &moved)).unwrap_err();
    let moved = rename(
        &site,
        "tin-bai/2019/tap-huan-moi.md",
        "tin-bai/2019/dich.md",
    );
    dev.rebuild(&change_for(&site, &moved)).unwrap();
    assert_same_as_build(&site, &mut dev);
    let moved = rename(&site, "mo-hinh/nha-ba-lan.md", "mo-hinh/nha-ba-lan-2.md");
    dev.rebuild(&change_for(&site, &moved)).unwrap();
    assert_same_as_build(&site, &mut dev);
    let moved = rename(
        &site,
        "tin-bai/2018/tieu-de-html.md",
        "tin-bai/2019/tap-huan-moi.md",
    );
    dev.rebuild(&change_for(&site, &moved)).unwrap();
    assert!(!served(&dev, "tin-bai/2018/tieu-de-html/index.html"));
    assert_same_as_build(&site, &mut dev);

    // Into a bundle folder and back out, into another year's folder.
    let moved = rename(
        &site,
        "tin-bai/2019/tap-huan-moi.md",
        "tin-bai/2019/goi/index.md",
    );
    dev.rebuild(&change_for(&site, &moved)).unwrap();
    assert_same_as_build(&site, &mut dev);
    let moved = rename(&site, "tin-bai/2019/goi", "tin-bai/2018/goi-moi");
    dev.rebuild(&change_for(&site, &moved)).unwrap();
    assert_same_as_build(&site, &mut dev);

    // A linked file renamed together with the link's fix (one save burst).
    let mut moved = rename(&site, "tin-bai/2019/dich.md", "tin-bai/2019/dich-moi.md");
    site.write(
        "tin-bai/2019/nguon.md",
        &item_text("Nguồn", 2019, "doan-hung", "Xem [bài kia](dich-moi.md)."),
    );
    moved.push("tin-bai/2019/nguon.md".into());
    dev.rebuild(&change_for(&site, &moved)).unwrap();
    assert_same_as_build(&site, &mut dev);

    // A whole year folder renamed.
    let moved = rename(&site, "tin-bai/2018", "tin-bai/cu");
    dev.rebuild(&change_for(&site, &moved)).unwrap();
    assert_same_as_build(&site, &mut dev);
}

/// A seeded random sequence of edits, creations, deletions and renames of files and folders
/// (`DATTO_RANDOM_OPS`, `DATTO_RANDOM_SEED`); every `DATTO_RANDOM_EVERY` steps, serve's
/// output equals a fresh build, or both fail.
#[test]
fn a_random_sequence_of_operations_gives_the_fresh_build() {
    let steps: usize = std::env::var("DATTO_RANDOM_OPS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    // Every third step by default: a fresh build per step makes this test minutes long
    // on a busy 2-core machine. `DATTO_RANDOM_EVERY=1` compares every step.
    let every: usize = std::env::var("DATTO_RANDOM_EVERY")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    let mut seed: u64 = std::env::var("DATTO_RANDOM_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x2545_f491_4f6c_dd1d);
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let units = ["viet-tri", "doan-hung", "co-quan-tinh"];
    let site = TestSite::fixture("basic");
    // Items as (path relative to content/, title); bundles are `…/index.md`.
    let mut items: Vec<String> = Vec::new();
    for i in 0..8 {
        let rel = format!("tin-bai/{}/muc-{i}.md", 2018 + i % 2);
        site.write(
            &rel,
            &item_text(&format!("Mục {i}"), 2018, units[i % 3], "Nội dung."),
        );
        items.push(rel);
    }
    let mut dev = rebuilder(&site);
    dev.rebuild(&Change::everything()).unwrap();
    let mut fresh_name = 100;
    for step in 0..steps {
        fresh_name += 1;
        let pick = next(items.len());
        let op = if items.len() < 3 { 1 } else { next(8) };
        let (what, touched): (String, Vec<String>) = match op {
            0 => {
                // Edit: a new title, unit, year, maybe a link to another item.
                let rel = items[pick].clone();
                let link = if next(4) == 0 {
                    let other = &items[next(items.len())];
                    format!("Xem [bài](/{}).", other.trim_end_matches(".md"))
                } else {
                    String::new()
                };
                let text = item_text(
                    &format!("Sửa {step}"),
                    2018 + next(2) as u32,
                    units[next(3)],
                    &format!("Lần {step}. {link}"),
                );
                site.write(&rel, &text);
                (format!("edit {rel}"), vec![rel])
            }
            1 => {
                let rel = format!("tin-bai/{}/moi-{fresh_name}.md", 2018 + next(2));
                site.write(
                    &rel,
                    &item_text(&format!("Mới {step}"), 2019, units[next(3)], "Mới."),
                );
                items.push(rel.clone());
                (format!("create {rel}"), vec![rel])
            }
            2 => {
                let rel = items.swap_remove(pick);
                let (gone, path) = match rel.strip_suffix("/index.md") {
                    Some(folder) => (folder.to_string(), site.root().join("content").join(folder)),
                    None => (rel.clone(), site.root().join("content").join(&rel)),
                };
                if path.is_dir() {
                    std::fs::remove_dir_all(&path).unwrap();
                } else {
                    std::fs::remove_file(&path).unwrap();
                }
                (format!("delete {gone}"), vec![gone])
            }
            3 | 4 => {
                // Rename a file (or a bundle's folder) in place.
                let rel = items[pick].clone();
                let (from, to, new_rel) = match rel.strip_suffix("/index.md") {
                    Some(folder) => {
                        let parent = folder.rsplit_once('/').unwrap().0;
                        let to = format!("{parent}/goi-{fresh_name}");
                        (folder.to_string(), to.clone(), format!("{to}/index.md"))
                    }
                    None => {
                        let parent = rel.rsplit_once('/').unwrap().0;
                        let to = format!("{parent}/doi-{fresh_name}.md");
                        (rel.clone(), to.clone(), to)
                    }
                };
                items[pick] = new_rel;
                (format!("rename {from} → {to}"), rename(&site, &from, &to))
            }
            5 => {
                // A file into a bundle folder of its own, with an image beside it.
                let rel = items[pick].clone();
                if rel.ends_with("/index.md") {
                    continue;
                }
                let to = format!("{}/index.md", rel.trim_end_matches(".md"));
                let mut touched = rename(&site, &rel, &to);
                let image = format!("{}/anh.png", rel.trim_end_matches(".md"));
                site.write(&image, "png");
                touched.push(image);
                items[pick] = to;
                (format!("bundle {rel}"), touched)
            }
            _ => {
                // Move to the other year's folder (a file, or a bundle's whole folder).
                let rel = items[pick].clone();
                let year = if rel.starts_with("tin-bai/2018/") {
                    "2019"
                } else {
                    "2018"
                };
                let (from, tail) = match rel.strip_suffix("/index.md") {
                    Some(folder) => (folder.to_string(), "/index.md"),
                    None => (rel.clone(), ""),
                };
                let name = from.rsplit_once('/').unwrap().1;
                let to = format!("tin-bai/{year}/{name}");
                if site.root().join("content").join(&to).exists() {
                    continue;
                }
                items[pick] = format!("{to}{tail}");
                (format!("move {from} → {to}"), rename(&site, &from, &to))
            }
        };
        let dev_ok = dev.rebuild(&change_for(&site, &touched)).is_ok();
        if step % every == 0 || step + 1 == steps {
            assert_same_outcome(&site, dev_ok, &mut dev, &format!("step {step}: {what}"));
        }
    }
}
