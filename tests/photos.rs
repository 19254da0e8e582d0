//! Photos (SPEC §10) on the `basic` fixture with a phone-like bundle: a JPEG stored
//! landscape with EXIF orientation 6 (shown portrait) and GPS coordinates.

mod common;

use common::TestSite;
use datto::images::testing::{metadata_blocks, noise, phone_jpeg};

const ITEM: &str = "tin-bai/2018/ban-giao-nha";

fn site_with_photos() -> (TestSite, Vec<Vec<u8>>) {
    let site = TestSite::fixture("basic");
    site.write(
        &format!("{ITEM}/index.md"),
        "---\ntitle: Bàn giao nhà cho hội viên\ndate: 2018-04-02\nunit: viet-tri\nimage: tai-nha.jpg\nimage_alt: Chị em bên ngôi nhà mới\n---\n\nĐoạn đầu.\n\n![Bàn giao chìa khóa](trong-nha.jpg)\n\nĐoạn sau.\n",
    );
    let cover = phone_jpeg(1600, 1200, 92, 6, true, noise(7));
    let inside = phone_jpeg(800, 600, 90, 1, true, noise(8));
    let extra = phone_jpeg(640, 480, 90, 3, true, noise(9));
    let dir = site.root().join("content").join(ITEM);
    std::fs::write(dir.join("tai-nha.jpg"), &cover).unwrap();
    std::fs::write(dir.join("trong-nha.jpg"), &inside).unwrap();
    std::fs::write(dir.join("Chi em trong Hoi.jpg"), &extra).unwrap();
    (site, vec![cover, inside, extra])
}

/// `width="…" height="…"` after `needle` in `html`.
fn attributes_after(html: &str, needle: &str) -> (u32, u32) {
    let at = html
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in {html}"));
    let rest = &html[at..];
    let num = |name: &str| -> u32 {
        let start = rest.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        rest[start..].split('"').next().unwrap().parse().unwrap()
    };
    (num("width"), num("height"))
}

#[test]
fn phone_photos_are_published_upright_small_and_without_metadata() {
    let (site, sources) = site_with_photos();
    site.build(&[]).success();
    let public = site.public();

    // No original bytes, no metadata, anywhere in the output.
    let mut photos = 0;
    for rel in site.output_files() {
        let bytes = std::fs::read(public.join(&rel)).unwrap();
        assert!(!sources.contains(&bytes), "{rel} is an original");
        assert!(
            !rel.ends_with("tai-nha.jpg") && !rel.ends_with("trong-nha.jpg"),
            "{rel}"
        );
        if rel.ends_with(".webp") || rel.ends_with(".jpg") {
            photos += 1;
            assert_eq!(metadata_blocks(&bytes), Vec::<String>::new(), "{rel}");
            for marker in [&b"GPSL"[..], b"Exif", b"xmpmeta"] {
                assert!(!bytes.windows(marker.len()).any(|w| w == marker), "{rel}");
            }
            // The size in the name is the size of the file.
            let image = image::load_from_memory(&bytes).unwrap();
            let name = rel.rsplit('/').next().unwrap();
            let size = name.rsplit('-').next().and_then(|s| s.split('.').next());
            if let Some((w, h)) = size.and_then(|s| s.split_once('x')) {
                assert_eq!(
                    (image.width(), image.height()),
                    (w.parse().unwrap(), h.parse().unwrap()),
                    "{rel}"
                );
            }
        }
    }
    assert!(photos >= 12, "{photos} photo files");

    // The cover: stored 1600×1200 with orientation 6, so 1200×1600 upright.
    let page = site.read(&format!("{ITEM}/index.html"));
    assert_eq!(
        attributes_after(&page, "tai-nha-960x1280.jpg"),
        (1200, 1600),
        "{page}"
    );
    assert!(page.contains(&format!("/{ITEM}/tai-nha-480x640.webp 480w, /{ITEM}/tai-nha-960x1280.webp 960w, /{ITEM}/tai-nha-1200x1600.webp 1200w")), "{page}");
    let cover = image::open(public.join(ITEM).join("tai-nha-1200x1600.webp")).unwrap();
    assert_eq!((cover.width(), cover.height()), (1200, 1600));
    // The Markdown image, below the cover: lazy, the article's width as `sizes`.
    assert_eq!(attributes_after(&page, "trong-nha-800x600.jpg"), (800, 600));
    assert!(page.contains("sizes=\"(min-width: 48rem) 46rem, 100vw\"><img src=\"/tin-bai/2018/ban-giao-nha/trong-nha-800x600.jpg\" alt=\"Bàn giao chìa khóa\" width=\"800\" height=\"600\" loading=\"lazy\""), "{page}");

    // The photo the text does not show is in the gallery, linked to its large size, with
    // its file name as caption; it was stored upside down (orientation 3).
    assert!(page.contains("class=\"gallery\""), "{page}");
    assert!(
        page.contains(&format!(
            "<a href=\"/{ITEM}/Chi%20em%20trong%20Hoi-640x480.webp\">"
        )),
        "{page}"
    );
    assert!(
        page.contains("<figcaption>Chi em trong Hoi</figcaption>"),
        "{page}"
    );
    let gallery = page.split("class=\"gallery\"").nth(1).unwrap();
    assert!(
        !gallery.contains("tai-nha") && !gallery.contains("trong-nha"),
        "{gallery}"
    );

    // Sharing: an absolute JPEG 1200×630 with its size and alt text.
    let og = format!("https://phunudatto.example.vn/{ITEM}/tai-nha-chia-se.jpg");
    assert!(
        page.contains(&format!("<meta property=\"og:image\" content=\"{og}\">")),
        "{page}"
    );
    assert!(page.contains("<meta property=\"og:image:width\" content=\"1200\">"));
    assert!(page.contains("<meta property=\"og:image:height\" content=\"630\">"));
    assert!(page.contains("<meta property=\"og:image:alt\" content=\"Chị em bên ngôi nhà mới\">"));
    let og_file = image::open(public.join(ITEM).join("tai-nha-chia-se.jpg")).unwrap();
    assert_eq!((og_file.width(), og_file.height()), (1200, 630));
    // A page without a photo shares the site's raster image.
    let home = site.read("lien-he/index.html");
    assert!(
        home.contains("content=\"https://phunudatto.example.vn/img/chia-se.png\""),
        "{home}"
    );

    // Cards use the small sizes.
    let cards = site
        .output_files()
        .into_iter()
        .filter(|f| f.ends_with(".html") && !f.starts_with(ITEM))
        .filter(|f| {
            site.read(f)
                .contains(&format!("/{ITEM}/tai-nha-480x640.webp 480w"))
        })
        .count();
    assert!(cards >= 2, "listings show the card with the small sizes");

    // The cache lives under the site root, outside content/ and the output.
    let cache = site.root().join(".datto-cache/anh");
    assert!(std::fs::read_dir(&cache).unwrap().count() >= 15);

    // A second build reuses the cache: the same bytes, nothing encoded again.
    let before = site.snapshot();
    let cached: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().modified().unwrap())
        .collect();
    site.build(&[]).success();
    assert_eq!(site.snapshot(), before);
    let again: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().modified().unwrap())
        .collect();
    assert_eq!(cached, again);

    // A photo removed from the site is pruned from the cache.
    let count = || std::fs::read_dir(&cache).unwrap().count();
    let with_it = count();
    std::fs::remove_file(
        site.root()
            .join("content")
            .join(ITEM)
            .join("Chi em trong Hoi.jpg"),
    )
    .unwrap();
    site.build(&[]).success();
    assert!(!site.exists(&format!("{ITEM}/Chi em trong Hoi-640x480.webp")));
    assert!(count() < with_it, "{} → {}", with_it, count());
}

#[test]
fn a_broken_photo_names_the_file_and_the_line_and_keeps_the_output() {
    let (site, sources) = site_with_photos();
    site.build(&[]).success();
    let before = site.snapshot();
    let dir = site.root().join("content").join(ITEM);
    std::fs::write(
        dir.join("trong-nha.jpg"),
        &sources[1][..sources[1].len() / 2],
    )
    .unwrap();
    // `check` decodes a photo the cache does not know, as `build` does, and writes nothing.
    let cache = site.root().join(".datto-cache");
    let cached = |dir: &std::path::Path| std::fs::read_dir(dir).map_or(0, |d| d.count());
    let cached_before = cached(&cache.join("anh"));
    let errors = site.run(&["check"]).failure(1).stderr();
    assert!(
        errors.contains(&format!("content/{ITEM}/trong-nha.jpg:1: ảnh bị hỏng")),
        "check finds the truncated photo: {errors}"
    );
    assert_eq!(
        cached(&cache.join("anh")),
        cached_before,
        "check writes nothing"
    );
    let run = site.build(&[]).failure(1);
    let errors = run.stderr();
    assert!(
        errors.contains(&format!("content/{ITEM}/trong-nha.jpg:1: ảnh bị hỏng")),
        "{errors}"
    );
    assert_eq!(site.snapshot(), before, "the previous output is untouched");
    std::fs::write(
        dir.join("anh-iphone.heic"),
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
    )
    .unwrap();
    let errors = site.build(&[]).failure(1).stderr();
    assert!(
        errors.contains(&format!("content/{ITEM}/anh-iphone.heic:1:")),
        "{errors}"
    );
    assert!(errors.contains("JPEG"), "{errors}");
    assert_eq!(site.snapshot(), before, "the previous output is untouched");
    std::fs::remove_file(dir.join("anh-iphone.heic")).unwrap();

    // `check` also refuses a bomb or a non-image from its header alone.
    std::fs::write(dir.join("trong-nha.jpg"), b"<html>not a photo</html>").unwrap();
    let run = site.run(&["check"]).failure(1);
    let errors = run.stderr();
    assert!(
        errors.contains(&format!(
            "content/{ITEM}/trong-nha.jpg:1: tệp này không phải là ảnh"
        )),
        "{errors}"
    );
    assert!(
        errors.contains(&format!(
            "content/{ITEM}/index.md:11: ảnh `trong-nha.jpg` không dùng được"
        )),
        "{errors}"
    );
}
