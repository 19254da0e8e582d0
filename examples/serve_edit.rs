//! Profiles `datto serve`'s rebuild after a one-item edit, without the watcher or HTTP:
//! `cargo run --release --example serve_edit -- SITE_ROOT [EDITS]` (a copy of the site: the
//! first item under content/tin-bai/ is appended to). Prints each rebuild's time; run it
//! under `perf record -g` to see where the time goes; then the assembly of the editor's
//! preview, and the signature pass by kind of page (one core). Not a test, not part of the
//! binary.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use datto::commands::serve::rebuild::{Change, Rebuilder};
use datto::commands::serve::store::Store;
use datto::model::site::LoadOptions;
use datto::render::Renderer;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().ok_or_else(|| anyhow::anyhow!("SITE_ROOT"))?);
    let edits: usize = args.next().map_or(Ok(20), |n| n.parse())?;
    let options = LoadOptions {
        now: datto::base::dates::now().map_err(|e| anyhow::anyhow!(e))?,
        drafts: false,
        future: false,
        base_url: None,
        preview: true,
    };
    let mut rebuilder = Rebuilder::new(&root, options, Store::new(&root));
    let started = Instant::now();
    rebuilder
        .rebuild(&Change::everything())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("first build: {} ms", started.elapsed().as_millis());
    let content = root.join("content");
    let item = walkdir::WalkDir::new(content.join("tin-bai"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "md"))
        .ok_or_else(|| anyhow::anyhow!("no item"))?
        .into_path();
    let rel = item
        .strip_prefix(&content)?
        .to_string_lossy()
        .replace('\\', "/");
    let mut times = Vec::new();
    for i in 0..edits {
        let mut text = std::fs::read_to_string(&item)?;
        text.push_str(&format!("\nCâu thêm lần {i}.\n"));
        std::fs::write(&item, text)?;
        let change = Change {
            content: vec![rel.clone()],
            ..Change::default()
        };
        let started = Instant::now();
        let summary = rebuilder
            .rebuild(&change)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        times.push(ms);
        println!("edit {i}: {ms:.1} ms, {} pages rendered", summary.rendered);
    }
    times.sort_by(f64::total_cmp);
    println!("median: {:.1} ms", times[times.len() / 2]);

    // What the editor's preview does besides rendering its one page: assemble the site
    // from the loaded sources and the body cache.
    let mut previews = Vec::new();
    for _ in 0..edits {
        let (sources, bodies, _, options) = rebuilder
            .loaded()
            .ok_or_else(|| anyhow::anyhow!("not loaded"))?;
        let started = Instant::now();
        let site = datto::assemble::assemble(sources, options, bodies)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        previews.push(started.elapsed().as_secs_f64() * 1000.0);
        drop(site);
    }
    previews.sort_by(f64::total_cmp);
    println!(
        "assemble (preview): median {:.1} ms",
        previews[previews.len() / 2]
    );
    signature_costs(&mut rebuilder)
}

/// The signature pass of one rebuild, one page at a time (one core), summed by kind of
/// page: what `Renderer::signature` costs where.
fn signature_costs(rebuilder: &mut Rebuilder) -> anyhow::Result<()> {
    let (sources, bodies, theme, options) = rebuilder
        .loaded()
        .ok_or_else(|| anyhow::anyhow!("not loaded"))?;
    let site =
        datto::assemble::assemble(sources, options, bodies).map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();
    let renderer = Renderer::new(&site, theme).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "Renderer::new: {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let mut by_kind: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    let all = Instant::now();
    for job in site.jobs() {
        let started = Instant::now();
        std::hint::black_box(renderer.signature(job));
        let kind = format!("{:?}", job.kind);
        let kind = kind.split(['(', ' ']).next().unwrap_or("?").to_string();
        let entry = by_kind.entry(kind).or_default();
        entry.0 += 1;
        entry.1 += started.elapsed().as_secs_f64() * 1000.0;
    }
    println!(
        "signatures, one core: {:.1} ms",
        all.elapsed().as_secs_f64() * 1000.0
    );
    for (kind, (count, ms)) in by_kind {
        println!("  {kind:<14} {count:>6} pages {ms:>7.2} ms");
    }
    Ok(())
}
