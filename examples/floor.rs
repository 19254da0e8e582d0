//! The floor of a fresh build (issue 18, goal 2): the least any generator must do on this
//! machine, done as fast as it can be, to compare `datto build` with in the same run.
//!
//! `cargo run --release --example floor -- plan BUILT > SPEC` lists a built output folder
//! (every folder, every file and its size) once, untimed. `floor run SPEC DEST INPUT...`
//! then, timed by the caller, reads every file under the INPUT folders (the site's
//! `content/` and `themes/`) and, at the same time, writes into the empty or absent DEST a
//! tree with the same folders, file names and sizes, every step in parallel (rayon).
//! Nothing is rendered, compared or staged. Used by `bench/run.sh`.

use std::fs;
use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use rayon::prelude::*;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["plan", built] => plan(Path::new(built)),
        ["run", spec, dest, ref inputs @ ..] if !inputs.is_empty() => {
            run(Path::new(spec), Path::new(dest), inputs)
        }
        _ => {
            eprintln!("usage: floor plan BUILT > SPEC | floor run SPEC DEST INPUT...");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("floor: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Prints `d <rel>` for every folder and `f <size> <rel>` for every file under `built`.
fn plan(built: &Path) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for entry in walkdir::WalkDir::new(built)
        .min_depth(1)
        .sort_by_file_name()
    {
        let entry = entry?;
        let rel = entry.path().strip_prefix(built)?.to_string_lossy();
        if entry.file_type().is_dir() {
            writeln!(out, "d {rel}")?;
        } else {
            writeln!(out, "f {} {rel}", entry.metadata()?.len())?;
        }
    }
    Ok(())
}

fn run(spec: &Path, dest: &Path, inputs: &[&str]) -> anyhow::Result<()> {
    if fs::read_dir(dest).is_ok_and(|mut d| d.next().is_some()) {
        bail!("{} is not empty", dest.display());
    }
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    for line in std::io::BufReader::new(fs::File::open(spec)?).lines() {
        let line = line?;
        match line.split_once(' ') {
            Some(("d", rel)) => dirs.push(rel.to_string()),
            Some(("f", rest)) => {
                let (size, rel) = rest.split_once(' ').context("bad spec line")?;
                files.push((size.parse::<usize>()?, rel.to_string()));
            }
            _ => bail!("bad spec line: {line}"),
        }
    }
    let largest = files.iter().map(|(size, _)| *size).max().unwrap_or(0);
    let filler = vec![b'x'; largest];
    let (read, written) = rayon::join(
        || read_all(inputs),
        || write_all(dest, &dirs, &files, &filler),
    );
    let (count, bytes) = read?;
    written?;
    eprintln!(
        "floor: read {count} files ({bytes} bytes), wrote {} files in {} folders",
        files.len(),
        dirs.len()
    );
    Ok(())
}

/// Reads every file under `inputs`; returns their count and total size.
fn read_all(inputs: &[&str]) -> anyhow::Result<(usize, usize)> {
    let paths: Vec<PathBuf> = inputs
        .iter()
        .flat_map(|dir| walkdir::WalkDir::new(dir).follow_links(true))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect();
    let bytes = paths
        .par_iter()
        .map(|p| {
            fs::read(p)
                .map(|b| b.len())
                .with_context(|| p.display().to_string())
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    Ok((paths.len(), bytes))
}

/// Creates `dirs` (parents before children: the spec is sorted) level by level, each
/// level in parallel, then writes every file in parallel.
fn write_all(
    dest: &Path,
    dirs: &[String],
    files: &[(usize, String)],
    filler: &[u8],
) -> anyhow::Result<()> {
    fs::create_dir_all(dest)?;
    let depth = |rel: &str| rel.matches('/').count();
    let deepest = dirs.iter().map(|d| depth(d)).max().unwrap_or(0);
    for level in 0..=deepest {
        dirs.par_iter()
            .filter(|d| depth(d) == level)
            .try_for_each(|d| fs::create_dir(dest.join(d)))?;
    }
    files
        .par_iter()
        .try_for_each(|(size, rel)| fs::write(dest.join(rel), &filler[..*size]))?;
    Ok(())
}
