//! `serve`'s incremental rebuilds write exactly what a fresh `datto build` writes, after each
//! kind of edit, while rendering only the pages an edit affects.

mod common;

use common::{NOW, TestSite};
use datto::commands::serve::rebuild::{Change, Rebuilder};
use datto::commands::serve::store::Store;
use datto::model::site::LoadOptions;

fn options() -> LoadOptions {
    LoadOptions {
        drafts: false,
        future: false,
        now: chrono::DateTime::from_timestamp(NOW.parse().unwrap(), 0).unwrap(),
        base_url: None,
        preview: false,
    }
}

fn disk_tree(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    common::files_under(dir)
        .into_iter()
        .map(|rel| {
            let bytes = std::fs::read(dir.join(&rel)).unwrap();
            (rel, bytes)
        })
        .collect()
}

/// What the server serves: every file and its bytes, once the photos are made.
fn tree(dev: &mut Rebuilder) -> Vec<(String, Vec<u8>)> {
    let _made = dev.take_photos().map(|photos| photos.produce().unwrap());
    let store = dev.store();
    store
        .files()
        .into_iter()
        .map(|rel| {
            let bytes = store.bytes(&rel).unwrap();
            (rel, bytes)
        })
        .collect()
}

fn served(dev: &Rebuilder, rel: &str) -> bool {
    dev.store().contains(rel)
}

fn page(dev: &Rebuilder, rel: &str) -> String {
    String::from_utf8(dev.store().bytes(rel).unwrap()).unwrap()
}

fn rebuilder(site: &TestSite) -> Rebuilder {
    Rebuilder::new(site.root(), options(), Store::new(site.root()))
}

/// Asserts the incremental output equals a fresh build of the same content.
#[track_caller]
fn assert_same_as_build(site: &TestSite, dev: &mut Rebuilder) {
    site.build(&[]).success();
    let fresh = disk_tree(&site.public());
    let served = tree(dev);
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&served), names(&fresh), "different files");
    for ((name, a), (_, b)) in served.iter().zip(&fresh) {
        assert!(a == b, "{name} differs from a fresh build");
    }
}

fn content(rel: &str) -> Change {
    Change {
        content: vec![rel.to_string()],
        ..Change::default()
    }
}

#[test]
fn every_kind_of_edit_gives_the_fresh_build() {
    let site = TestSite::fixture("basic");
    let mut dev = rebuilder(&site);
    let first = dev.rebuild(&Change::everything()).unwrap();
    assert_eq!(
        first.rendered, first.pages,
        "the first rebuild renders everything"
    );
    assert_same_as_build(&site, &mut dev);

    // Nothing changed: nothing rendered.
    let idle = dev.rebuild(&Change::default()).unwrap();
    assert_eq!((idle.rendered, idle.copied, idle.removed), (0, 0, 0));

    // Edit the body of one item: its page, and the few pages showing its summary.
    let rel = "tin-bai/2019/tap-huan.md";
    let text = std::fs::read_to_string(site.root().join("content").join(rel)).unwrap();
    site.write(rel, &text.replace("Hơn 100 hội viên", "Hơn 150 hội viên"));
    let edit = dev.rebuild(&content(rel)).unwrap();
    assert!(
        edit.rendered >= 1 && edit.rendered < edit.pages / 2,
        "rendered {} of {}",
        edit.rendered,
        edit.pages
    );
    assert!(page(&dev, "tin-bai/2019/tap-huan/index.html").contains("Hơn 150"));
    assert_same_as_build(&site, &mut dev);

    // Move an item to another year and unit: old page gone, listings and tallies follow.
    let rel = "tin-bai/2018/hoi-nghi-so-ket.md";
    let text = std::fs::read_to_string(site.root().join("content").join(rel)).unwrap();
    site.write(
        rel,
        &text
            .replace("date: 2018-07-05 08:30", "date: 2019-02-05 08:30")
            .replace("unit: Việt Trì", "unit: doan-hung"),
    );
    dev.rebuild(&content(rel)).unwrap();
    assert!(!served(&dev, "tin-bai/2018/hoi-nghi-so-ket/index.html"));
    assert_same_as_build(&site, &mut dev);

    // Move a linked item to another year: the unchanged file linking to it must follow.
    let rel = "tin-bai/2019/tap-huan.md";
    let text = std::fs::read_to_string(site.root().join("content").join(rel)).unwrap();
    site.write(rel, &text.replace("date: 2019-04-10", "date: 2018-11-10"));
    dev.rebuild(&content(rel)).unwrap();
    let linking = page(&dev, "tin-bai/2019/hoi-nghi-so-ket/index.html");
    assert!(
        linking.contains("href=\"/tin-bai/2018/tap-huan/#ket-qua\""),
        "stale link in a cached body"
    );
    assert_same_as_build(&site, &mut dev);
    site.write(rel, &text);
    dev.rebuild(&content(rel)).unwrap();
    assert_same_as_build(&site, &mut dev);

    // Add, then delete an item.
    site.write(
        "tin-bai/2019/moi.md",
        "---\ntitle: Tin mới\ndate: 2019-05-30\nunit: co-quan-tinh\ntags: [Hát Xoan]\n---\nMới.\n",
    );
    dev.rebuild(&content("tin-bai/2019/moi.md")).unwrap();
    assert_same_as_build(&site, &mut dev);
    site.remove("tin-bai/2019/moi.md");
    let removal = dev.rebuild(&content("tin-bai/2019/moi.md")).unwrap();
    assert!(
        removal.removed >= 2,
        "item page and tag page removed: {removal:?}"
    );
    assert!(!served(&dev, "tin-bai/2019/moi/index.html"));
    assert_same_as_build(&site, &mut dev);

    // A broken file: the rebuild fails and writes nothing.
    let before = tree(&mut dev);
    let good =
        std::fs::read_to_string(site.root().join("content/tin-bai/2019/tap-huan.md")).unwrap();
    site.write(
        "tin-bai/2019/tap-huan.md",
        "---\ntitle: Hỏng\ndate: 2019-04-10\nunit: khong-co\n---\nX\n",
    );
    let Err(datto::Error::Content(errors)) = dev.rebuild(&content("tin-bai/2019/tap-huan.md"))
    else {
        panic!("a broken file must fail the rebuild");
    };
    assert!(
        errors.iter().any(|e| e
            .to_string()
            .starts_with("content/tin-bai/2019/tap-huan.md:4:")),
        "{errors:?}"
    );
    assert_eq!(before, tree(&mut dev), "a failed rebuild wrote something");
    site.write(
        "tin-bai/2019/tap-huan.md",
        &good.replace("Tập huấn chuyển đổi số", "Đã sửa"),
    );
    dev.rebuild(&content("tin-bai/2019/tap-huan.md")).unwrap();
    assert_same_as_build(&site, &mut dev);

    // A template change renders again the pages that use it, without re-parsing.
    let templates = Change {
        templates: true,
        ..Change::default()
    };
    let edit_template = |name: &str, edit: &dyn Fn(String) -> String| {
        let path = site.root().join("themes/datto/templates").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, edit(text)).unwrap();
    };
    edit_template("404.html", &|t| t.replace("</h1>", " (sửa)</h1>"));
    let not_found = dev.rebuild(&templates).unwrap();
    assert_eq!(not_found.rendered, 1, "only the 404 page uses 404.html");
    assert_same_as_build(&site, &mut dev);

    edit_template("item.html", &|t| {
        t.replace("{% block content %}", "{% block content %}{# a note #}")
    });
    let comment = dev.rebuild(&templates).unwrap();
    assert_eq!(comment.rendered, 0, "a comment changes no page");

    let item_pages = dev
        .store()
        .files()
        .iter()
        .filter(|f| f.starts_with("tin-bai/20") && f.ends_with("/index.html"))
        .count();
    assert!(item_pages > 1);
    edit_template("item.html", &|t| {
        t.replace(
            "<article class=\"article\">",
            "<article class=\"article article--x\">",
        )
    });
    let items = dev.rebuild(&templates).unwrap();
    assert_eq!(
        items.rendered, item_pages,
        "item.html renders the item pages"
    );
    assert_same_as_build(&site, &mut dev);

    edit_template("base.html", &|t| t.replace("<body", "<body data-x=\"1\""));
    let all = dev.rebuild(&templates).unwrap();
    assert!(
        all.rendered > all.pages / 2,
        "base.html is every page's layout"
    );
    assert_same_as_build(&site, &mut dev);

    // Static files come and go.
    // A photo is published as its derived files only.
    image::RgbImage::from_pixel(8, 6, image::Rgb([200, 30, 90]))
        .save(site.root().join("content/static/anh/moi.png"))
        .unwrap();
    dev.rebuild(&Change {
        rescan: true,
        ..Change::default()
    })
    .unwrap();
    assert!(served(&dev, "anh/moi-8x6.webp"));
    assert!(!served(&dev, "anh/moi.png"));
    site.remove("static/anh/moi.png");
    dev.rebuild(&Change {
        rescan: true,
        ..Change::default()
    })
    .unwrap();
    assert_same_as_build(&site, &mut dev);

    // site.yaml: everything again.
    let config = site.root().join("content/site.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("per_page: 2", "per_page: 1")).unwrap();
    dev.rebuild(&Change {
        config: true,
        ..Change::default()
    })
    .unwrap();
    assert!(served(&dev, "tin-bai/trang/4/index.html"));
    assert_same_as_build(&site, &mut dev);
}

/// `featured:` changes what the home page leads with: the home page is rendered again, and
/// again when the featured date passes while `serve` runs.
#[test]
fn featured_moves_the_home_page() {
    let site = TestSite::fixture("basic");
    let mut dev = rebuilder(&site);
    dev.rebuild(&Change::everything()).unwrap();
    let home = |dev: &Rebuilder| page(dev, "index.html");
    let lead_of = |html: &str| {
        let start = html.find("<article class=\"lead\">").unwrap();
        html[start..start + html[start..].find("</article>").unwrap()].to_string()
    };
    assert!(!lead_of(&home(&dev)).contains("Cảnh giác"));

    let rel = "tin-bai/2018/tieu-de-html.md";
    let text = std::fs::read_to_string(site.root().join("content").join(rel)).unwrap();
    site.write(
        rel,
        &text.replacen("---\n", "---\nfeatured: 2019-06-02\n", 1),
    );
    let edit = dev.rebuild(&content(rel)).unwrap();
    assert!(edit.rendered >= 2, "the item and the home page: {edit:?}");
    assert!(lead_of(&home(&dev)).contains("Cảnh giác"));
    assert_same_as_build(&site, &mut dev);

    // Two days later the date has passed: the home page changes with no edit at all.
    dev.set_now(options().now + chrono::Duration::days(2));
    dev.rebuild(&Change::default()).unwrap();
    assert!(!lead_of(&home(&dev)).contains("Cảnh giác"));
}

/// What the watcher makes of the paths (relative to `content/`) an operation touched.
fn change_for(site: &TestSite, touched: &[String]) -> Change {
    let mut change = Change::default();
    for rel in touched {
        let path = site.root().join("content").join(rel);
        datto::commands::serve::watch::classify(site.root(), "datto", &path, &mut change);
    }
    change
}

fn item_text(title: &str, year: u32, unit: &str, body: &str) -> String {
    format!(
        "---\ntitle: {title}\ndate: {year}-03-0{}\nunit: {unit}\ntags: [Chủ đề {}]\n---\n{body}\n",
        title.len() % 9 + 1,
        title.len() % 3
    )
}

/// Moves a file or folder under `content/`; returns the paths the watcher reports.
fn rename(site: &TestSite, from: &str, to: &str) -> Vec<String> {
    let content = site.root().join("content");
    std::fs::create_dir_all(content.join(to).parent().unwrap()).unwrap();
    std::fs::rename(content.join(from), content.join(to)).unwrap();
    vec![from.to_string(), to.to_string()]
}

/// Compares `dev` with a fresh build of the same content, failure for failure.
#[track_caller]
fn assert_same_outcome(site: &TestSite, dev_ok: bool, dev: &mut Rebuilder, step: &str) {
    let fresh = site.build(&[]);
    assert_eq!(
        dev_ok,
        fresh.output.status.success(),
        "{step}: serve and a fresh build disagree on success:\n{}",
        fresh.stderr()
    );
    if dev_ok {
        let fresh = disk_tree(&site.public());
        let served = tree(dev);
        let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&served), names(&fresh), "{step}: different files");
        for ((name, a), (_, b)) in served.iter().zip(&fresh) {
            assert!(a == b, "{step}: {name} differs from a fresh build");
        }
    }
}

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

/// A template edit that re-renders many pages serves the open tab's page first; the other
/// pages are pending (a request waits) until their new version is ready, never the old one.
#[test]
fn a_template_edit_renders_the_open_page_first() {
    let site = TestSite::fixture("basic");
    for i in 0..70 {
        site.write(
            &format!("tin-bai/2019/tin-{i}.md"),
            &format!(
                "---\ntitle: Tin số {i}\ndate: 2019-05-{:02}T08:00:00+07:00\nunit: viet-tri\n---\n\nNội dung {i}.\n",
                i % 28 + 1
            ),
        );
    }
    let mut dev = rebuilder(&site);
    dev.rebuild(&Change::everything()).unwrap();
    let store = dev.store().clone();
    let open_page = "tin-bai/2019/tin-3/index.html";
    let other_page = "tin-bai/2019/tin-4/index.html";
    let item = site.root().join("themes/datto/templates/item.html");
    let text = std::fs::read_to_string(&item).unwrap();
    std::fs::write(
        &item,
        text.replace(
            "<article class=\"article\">",
            "<article class=\"article\" data-moi=\"1\">",
        ),
    )
    .unwrap();
    let open = [open_page.to_string()].into_iter().collect();
    let mut seen = None;
    let mut early = |count: usize, _| {
        let new = |rel: &str| {
            String::from_utf8(store.bytes(rel).unwrap())
                .unwrap()
                .contains("data-moi")
        };
        seen = Some((count, new(open_page), store.lookup(other_page)));
    };
    let templates = Change {
        templates: true,
        ..Change::default()
    };
    let summary = dev
        .rebuild_open_first(&templates, &open, &mut early)
        .unwrap();
    let (count, open_is_new, other) = seen.expect("the open page came first");
    assert_eq!(count, 1);
    assert!(
        open_is_new,
        "the open page has the edit when the tab is told"
    );
    assert_eq!(other, datto::commands::serve::store::Lookup::Pending);
    assert!(summary.rendered > 70);
    assert!(page(&dev, other_page).contains("data-moi"));
    assert_same_as_build(&site, &mut dev);
}
