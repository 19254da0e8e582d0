//! `serve`'s search index after a one-item edit (issue 14: ≤ 20 ms on 10,000 items): the
//! update alone, alternating between a site and the same site with one item's body longer.
//!
//!   DATTO_BENCH_SITE=bench/out/datto-10000 cargo bench --bench search
//!
//! (the corpus `bench/search.sh` makes); without the variable it prints SKIPPED.

use std::sync::Arc;

use datto::model::site::LoadOptions;

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 30, sample_size = 1)]
fn one_item_edited(bencher: divan::Bencher) {
    let Some(root) = std::env::var_os("DATTO_BENCH_SITE") else {
        eprintln!("SKIPPED: DATTO_BENCH_SITE (a site root, e.g. bench/out/datto-10000) is not set");
        return;
    };
    let options = LoadOptions {
        drafts: false,
        future: false,
        now: chrono::Utc::now(),
        base_url: None,
        preview: true,
    };
    let root = std::path::Path::new(&root);
    let site = datto::assemble::load(root, &options).expect("the site loads");
    let mut edited = datto::assemble::load(root, &options).expect("the site loads");
    let at = edited.items.len() / 2;
    let mut item = (*edited.items[at]).clone();
    let mut html = item.body.html.text().expect("held in memory").into_owned();
    html.push_str("<p>Một câu thêm lần nữa, có chữ Đường và tukhoamoi.</p>");
    item.body.html = html.into();
    item.body.fingerprint ^= 1;
    edited.items[at] = Arc::new(item);

    let mut live = datto::search::Incremental::default();
    live.update(&site);
    let mut flip = false;
    bencher.bench_local(|| {
        flip = !flip;
        let update = live.update(if flip { &edited } else { &site });
        update.changed.len()
    });
}
