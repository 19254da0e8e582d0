//! Micro-benchmarks of the photo pipeline: header planning (what `check` and every `serve`
//! rebuild pay) and making every derived file of one phone photo (decode, shrink, turn
//! upright, encode 3 WebP + 2 JPEG) without the cache. `cargo bench --bench photos`.

use std::path::Path;
use std::sync::Arc;

use datto::images::testing::{noise, phone_jpeg};
use datto::images::{Cache, Picture, Settings, produce};

fn main() {
    divan::main();
}

fn photo(width: u32, height: u32) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("anh.jpg");
    std::fs::write(&path, phone_jpeg(width, height, 92, 6, true, noise(1))).expect("write");
    (dir, path)
}

#[divan::bench]
fn plan_header(bencher: divan::Bencher) {
    let (_dir, path) = photo(4000, 3000);
    bencher.bench(|| {
        Picture::plan(&path, Path::new("anh.jpg"), "anh", &Settings::default()).expect("plan")
    });
}

#[divan::bench(args = [(2000, 1500), (4000, 3000)], sample_count = 5, sample_size = 1)]
fn derive_all(bencher: divan::Bencher, (width, height): (u32, u32)) {
    let (dir, path) = photo(width, height);
    let picture = Arc::new(
        Picture::plan(&path, Path::new("anh.jpg"), "anh", &Settings::default()).expect("plan"),
    );
    let mut round = 0;
    bencher.bench_local(|| {
        // A fresh cache each time: the work, not the cache hit, is measured.
        round += 1;
        let root = dir.path().join(format!("r{round}"));
        produce(std::slice::from_ref(&picture), &Cache::new(&root)).expect("produce")
    });
}
