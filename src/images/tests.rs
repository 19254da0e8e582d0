use super::testing::{metadata_blocks, noise, phone_jpeg};
use super::*;

/// Four flat quadrants, far apart in brightness, so that JPEG and WebP keep them apart.
const QUADRANTS: [[u8; 3]; 4] = [[20, 20, 20], [230, 230, 230], [200, 30, 30], [30, 30, 200]];

fn quadrant(w: u32, h: u32, x: u32, y: u32) -> usize {
    usize::from(x >= w / 2) + 2 * usize::from(y >= h / 2)
}

/// Where a display pixel comes from in the stored image, per EXIF orientation (TIFF 6.0).
fn stored_of(orientation: u8, w: u32, h: u32, x: u32, y: u32) -> (u32, u32) {
    match orientation {
        1 => (x, y),
        2 => (w - 1 - x, y),
        3 => (w - 1 - x, h - 1 - y),
        4 => (x, h - 1 - y),
        5 => (y, x),
        6 => (y, h - 1 - x),
        7 => (w - 1 - y, h - 1 - x),
        8 => (w - 1 - y, x),
        _ => unreachable!(),
    }
}

fn close(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) < 48)
}

struct Built {
    _dir: tempfile::TempDir,
    picture: Arc<Picture>,
    files: Vec<(Derivative, Vec<u8>)>,
}

fn build(bytes: &[u8], settings: &Settings) -> Result<Built, crate::base::diagnostics::Error> {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("anh.jpg");
    std::fs::write(&source, bytes).unwrap();
    let picture = Arc::new(Picture::plan(
        &source,
        Path::new("content/anh.jpg"),
        "tin/anh",
        settings,
    )?);
    let cache = Cache::new(dir.path());
    let produced = produce(std::slice::from_ref(&picture), &cache)?;
    let files = picture
        .derivatives
        .iter()
        .map(|d| {
            let from = &produced.iter().find(|p| p.to == d.rel).unwrap().from;
            (d.clone(), std::fs::read(from).unwrap())
        })
        .collect();
    Ok(Built {
        _dir: dir,
        picture,
        files,
    })
}

fn decoded(bytes: &[u8]) -> image::RgbImage {
    image::load_from_memory(bytes).unwrap().into_rgb8()
}

#[test]
fn every_orientation_is_applied() {
    let (w, h) = (64, 32);
    let source = |o: u16| phone_jpeg(w, h, 95, o, false, |x, y| QUADRANTS[quadrant(w, h, x, y)]);
    for orientation in 1..=8u8 {
        let built = build(&source(u16::from(orientation)), &Settings::default()).unwrap();
        let (dw, dh) = if orientation >= 5 { (h, w) } else { (w, h) };
        assert_eq!(
            (built.picture.width, built.picture.height),
            (dw, dh),
            "orientation {orientation}"
        );
        for (d, bytes) in &built.files {
            if d.kind == Kind::Og {
                continue;
            }
            let image = decoded(bytes);
            assert_eq!(
                image.dimensions(),
                (d.width, d.height),
                "{orientation} {:?}",
                d.kind
            );
            assert_eq!((d.width, d.height), (dw, dh));
            // The centre of each display quadrant shows the stored quadrant it came from.
            for (qx, qy) in [
                (dw / 4, dh / 4),
                (3 * dw / 4, dh / 4),
                (dw / 4, 3 * dh / 4),
                (3 * dw / 4, 3 * dh / 4),
            ] {
                let (sx, sy) = stored_of(orientation, w, h, qx, qy);
                let want = QUADRANTS[quadrant(w, h, sx, sy)];
                let got = image.get_pixel(qx, qy).0;
                assert!(
                    close(got, want),
                    "orientation {orientation}, {:?} at ({qx},{qy}): {got:?} ≠ {want:?}",
                    d.kind
                );
            }
        }
    }
}

#[test]
fn outputs_carry_no_metadata_and_declared_sizes() {
    let bytes = phone_jpeg(2000, 1500, 90, 6, true, noise(1));
    assert_eq!(
        metadata_blocks(&bytes),
        ["APP1", "APP1"],
        "the source has EXIF and XMP"
    );
    let built = build(&bytes, &Settings::default()).unwrap();
    let sizes: Vec<(Kind, u32, u32)> = built
        .picture
        .derivatives
        .iter()
        .map(|d| (d.kind, d.width, d.height))
        .collect();
    assert_eq!(
        sizes,
        [
            (Kind::WebP(480), 480, 640),
            (Kind::WebP(960), 960, 1280),
            (Kind::WebP(1500), 1500, 2000),
            (Kind::Jpeg(960), 960, 1280),
            (Kind::Og, 1200, 630),
        ]
    );
    for (d, out) in &built.files {
        assert_eq!(metadata_blocks(out), Vec::<String>::new(), "{}", d.rel);
        assert!(
            !out.windows(4)
                .any(|w| w == b"Exif" || w == b"xmpm" || w == b"GPSL"),
            "{}",
            d.rel
        );
        assert_eq!(decoded(out).dimensions(), (d.width, d.height), "{}", d.rel);
        let expected_magic: &[u8] = if d.rel.ends_with(".webp") {
            b"RIFF"
        } else {
            &[0xFF, 0xD8]
        };
        assert!(out.starts_with(expected_magic));
    }
}

#[test]
fn small_photos_are_never_enlarged() {
    let built = build(
        &phone_jpeg(300, 200, 90, 1, false, noise(2)),
        &Settings::default(),
    )
    .unwrap();
    let sizes: Vec<(u32, u32)> = built
        .picture
        .derivatives
        .iter()
        .map(|d| (d.width, d.height))
        .collect();
    assert_eq!(sizes, [(300, 200), (300, 200), (300, 158)]);
    let capped = build(
        &phone_jpeg(1200, 800, 90, 1, false, noise(3)),
        &Settings { max_width: 1000 },
    )
    .unwrap();
    assert_eq!(capped.picture.largest().width, 1000);
    assert!(capped.picture.derivatives.iter().all(|d| d.width <= 1000));
}

#[test]
fn a_second_run_reads_nothing_and_prune_keeps_what_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("a.jpg");
    std::fs::write(&source, phone_jpeg(100, 80, 90, 1, false, noise(4))).unwrap();
    let picture =
        Arc::new(Picture::plan(&source, Path::new("a.jpg"), "a", &Settings::default()).unwrap());
    let cache = Cache::new(dir.path());
    let first = produce(std::slice::from_ref(&picture), &cache).unwrap();
    let times: Vec<_> = first
        .iter()
        .map(|p| std::fs::metadata(&p.from).unwrap().modified().unwrap())
        .collect();
    let second = produce(std::slice::from_ref(&picture), &cache).unwrap();
    let again: Vec<_> = second
        .iter()
        .map(|p| std::fs::metadata(&p.from).unwrap().modified().unwrap())
        .collect();
    assert_eq!(times, again, "cached files are not written again");
    // Someone else's file in the cache folder, and a stale entry of ours.
    std::fs::write(cache.dir().join("notes.txt"), "x").unwrap();
    let stale = cache
        .dir()
        .join(format!("{}-v1-10x10.webp", "0".repeat(32)));
    std::fs::write(&stale, "x").unwrap();
    let kept: Vec<PathBuf> = second.iter().map(|p| p.from.clone()).collect();
    drop(first);
    assert_eq!(cache.prune(second).unwrap(), Some(1));
    assert!(!stale.exists());
    assert!(cache.dir().join("notes.txt").exists());
    assert!(kept.iter().all(|p| p.exists()));
}

/// A photo of its own in a folder of `dir`, planned.
fn own_photo(dir: &Path, name: &str, seed: u32) -> Arc<Picture> {
    let source = dir.join(name);
    std::fs::write(&source, phone_jpeg(90, 60, 90, 1, false, noise(seed))).unwrap();
    Arc::new(Picture::plan(&source, Path::new(name), name, &Settings::default()).unwrap())
}

#[test]
fn a_build_in_progress_keeps_its_files_from_another_builds_prune() {
    // `build --drafts` (a draft's photo) and `build` (not it) on one site, interleaved: the
    // plain build prunes between the drafts build's produce and its copy.
    let dir = tempfile::tempdir().unwrap();
    let draft = own_photo(dir.path(), "nhap.jpg", 7);
    let shared = own_photo(dir.path(), "chung.jpg", 8);
    let drafts_build = Cache::new(dir.path());
    let plain_build = Cache::new(dir.path());
    let held = produce(&[draft.clone(), shared.clone()], &drafts_build).unwrap();
    let plain = produce(std::slice::from_ref(&shared), &plain_build).unwrap();
    assert_eq!(
        plain_build.prune(plain).unwrap(),
        None,
        "skipped while held"
    );
    for p in held.iter() {
        std::fs::read(&p.from).expect("the drafts build can still copy its files");
    }
    let draft_files: Vec<PathBuf> = held.iter().map(|p| p.from.clone()).collect();
    drop(held);
    // Once nobody holds the cache, the next plain build prunes the draft's files.
    let plain = produce(std::slice::from_ref(&shared), &plain_build).unwrap();
    let removed = plain_build.prune(plain).unwrap();
    assert_eq!(removed, Some(draft.derivatives.len()));
    assert!(draft_files.iter().filter(|p| p.exists()).count() == shared.derivatives.len());
}

#[test]
fn concurrent_builds_never_lose_a_file_they_are_copying() {
    // Two threads as two builds with different photos, each producing, copying, pruning.
    let dir = tempfile::tempdir().unwrap();
    let photos = [
        own_photo(dir.path(), "a.jpg", 9),
        own_photo(dir.path(), "b.jpg", 10),
    ];
    std::thread::scope(|scope| {
        for picture in &photos {
            let root = dir.path();
            scope.spawn(move || {
                let cache = Cache::new(root);
                for _ in 0..20 {
                    let ready = produce(std::slice::from_ref(picture), &cache).unwrap();
                    for p in ready.iter() {
                        std::fs::read(&p.from).expect("a file produced is there until copied");
                    }
                    cache.prune(ready).unwrap();
                }
            });
        }
    });
}

#[test]
fn bad_files_are_refused_with_a_reason() {
    let good = phone_jpeg(64, 48, 90, 1, false, noise(5));
    let mut bomb = phone_jpeg(64, 48, 90, 1, false, noise(5));
    // Patch the frame header (SOF0: FF C0 len precision height width) to 10000×6000.
    let sof = bomb.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    bomb[sof + 5..sof + 7].copy_from_slice(&6000u16.to_be_bytes());
    bomb[sof + 7..sof + 9].copy_from_slice(&10000u16.to_be_bytes());
    let mut corrupt = good[..200].to_vec();
    corrupt.extend(std::iter::repeat_n(0x55, 400));
    let cases: [(&str, Vec<u8>, &str); 7] = [
        ("truncated", good[..good.len() / 2].to_vec(), "cắt cụt"),
        ("corrupt", corrupt, "hỏng"),
        (
            "text",
            b"day khong phai la anh".to_vec(),
            "không phải là ảnh",
        ),
        (
            "heic",
            b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec(),
            "HEIC",
        ),
        ("tiff", b"II*\0\x08\0\0\0\0\0\0\0\0\0\0\0".to_vec(), "TIFF"),
        ("bmp", b"BM\0\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec(), "BMP"),
        ("bomb", bomb, "quá lớn"),
    ];
    for (name, bytes, expected) in cases {
        let error = match build(&bytes, &Settings::default()) {
            Ok(_) => panic!("{name}: accepted"),
            Err(e) => e.to_string(),
        };
        assert!(error.contains(expected), "{name}: {error}");
        assert!(error.contains("content/anh.jpg"), "{name}: {error}");
    }
}

#[test]
fn unsupported_formats_point_to_jpeg() {
    let problem = header::sniff(b"\0\0\0\x18ftypheic").unwrap_err();
    assert!(problem.hint.unwrap().contains("JPEG"));
}

#[test]
fn html_has_srcset_sizes_and_dimensions() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("a.jpg");
    std::fs::write(&source, phone_jpeg(2000, 1000, 80, 1, false, noise(6))).unwrap();
    let picture = Picture::plan(&source, Path::new("a.jpg"), "x/a", &Settings::default()).unwrap();
    let html = picture
        .shown(|rel| format!("/{rel}"))
        .html("Ảnh \"A\"", "", "100vw", true);
    assert_eq!(
        html,
        "<picture><source type=\"image/webp\" srcset=\"/x/a-480x240.webp 480w, /x/a-960x480.webp 960w, /x/a-1600x800.webp 1600w\" sizes=\"100vw\"><img src=\"/x/a-960x480.jpg\" alt=\"Ảnh &quot;A&quot;\" width=\"1600\" height=\"800\" loading=\"lazy\" decoding=\"async\"></picture>"
    );
}
