//! `datto publish`: build, compare with the target's manifest, upload what changed.
//!
//! load target → build → hash the output → read the target's manifest → [`plan::plan`] →
//! upload (files, then pages) → delete → save the manifest. The manifest is saved before the
//! first upload (listing what is about to be written, see [`Manifest::pending`]) and again
//! every few seconds, so a publish that is interrupted is finished by the next one.

pub mod credentials;
pub mod ftp;
pub mod hash_cache;
pub mod manifest;
pub mod plan;
pub mod s3;
pub mod sftp;
mod ssh;
pub mod target;
pub mod transport;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::base::diagnostics::Error;
use crate::commands::build::{self, BuildOptions};
use crate::model::site::LoadOptions;
use manifest::{MANIFEST, Manifest};
use plan::{ChangeKind, Plan, Seen};
use target::Target;
use transport::{Failure, FileTarget, Put, Source, Transport};

/// Files uploaded between two looks at the clock for saving the manifest.
const BATCH: usize = 256;
/// How much work an interruption may cost at most (it is redone by the next publish), and
/// at least ten times what saving the manifest takes (1.5 MB for 10,000 items: on a slow
/// line, saving every 3 s would be most of the work).
const SAVE_EVERY: Duration = Duration::from_secs(3);
/// Test hook: stop as if killed after this many files were put in place (before the
/// manifest records them), to test that the next publish finishes the job.
const FAIL_AFTER_VAR: &str = "DATTO_TEST_PUBLISH_FAIL_AFTER";

#[derive(Debug, Clone)]
pub struct PublishOptions {
    pub root: PathBuf,
    pub output: PathBuf,
    pub load: LoadOptions,
    /// `--to`; else `publish.url` of site.yaml.
    pub to: Option<String>,
    pub dry_run: bool,
    pub max_delete: usize,
    pub ca_file: Option<PathBuf>,
    pub accept_host_key: bool,
    /// `--adopt`: output files already on the target with other content, uploaded by other
    /// means (an older copy of the site), are overwritten and from then on datto's.
    pub adopt: bool,
    /// `--endpoint`, `--region`: of an `s3://` target, over the address's own.
    pub endpoint: Option<String>,
    pub region: Option<String>,
}

/// What a publish did (or, with `--dry-run`, would do), for the final line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub target: String,
    pub new: usize,
    pub changed: usize,
    pub deleted: usize,
    pub bytes: u64,
    pub elapsed: Duration,
    pub dry_run: bool,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = if self.dry_run {
            "Chạy thử, sẽ đăng lên"
        } else {
            "Đã đăng lên"
        };
        write!(
            f,
            "{verb} {}: {} tệp mới, {} tệp sửa, {} tệp xoá; {}; {} giây",
            self.target,
            self.new,
            self.changed,
            self.deleted,
            human_bytes(self.bytes),
            format!("{:.1}", self.elapsed.as_secs_f64()).replace('.', ",")
        )
    }
}

/// `1,5 MB` — Vietnamese writes a decimal comma.
pub fn human_bytes(bytes: u64) -> String {
    let units = ["byte", "KB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < units.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} byte")
    } else {
        format!("{value:.1} {}", units[unit]).replace('.', ",")
    }
}

/// The build, the one call into the rest of the crate: a publish always builds first.
fn build_site(options: &PublishOptions) -> Result<(), Error> {
    build::build(&BuildOptions {
        root: options.root.clone(),
        output: options.output.clone(),
        load: options.load.clone(),
    })
    .map(|_| ())
}

/// With `DATTO_PUBLISH_TIMES=1`, how long each step took, on stderr (for bench/publish.sh:
/// the build against the publish proper).
struct Times {
    on: bool,
    last: Instant,
}

impl Times {
    fn start(started: Instant) -> Times {
        Times {
            on: std::env::var_os("DATTO_PUBLISH_TIMES").is_some_and(|v| v == "1"),
            last: started,
        }
    }

    fn lap(&mut self, step: &str) {
        if self.on {
            let now = Instant::now();
            eprintln!("thời gian: {step} {:.3} s", (now - self.last).as_secs_f64());
            self.last = now;
        }
    }
}

fn fail(f: Failure) -> Error {
    Error::Usage(f.0)
}

pub fn publish(options: &PublishOptions) -> Result<Summary, Error> {
    let started = Instant::now();
    let url = match &options.to {
        Some(url) => url.clone(),
        None => crate::load::sources::load_config(&options.root)?
            .publish_url
            .ok_or_else(|| {
                Error::Usage(
                    "chưa biết đăng lên đâu: thêm `publish: { url: \"sftp://tên@máy-chủ/thư-mục/\" }` vào content/site.yaml, hoặc dùng --to ĐỊA-CHỈ".into(),
                )
            })?,
    };
    let target = Target::parse(&url)
        .map_err(Error::Usage)?
        .with_s3_options(options.endpoint.as_deref(), options.region.as_deref());
    // A failed build publishes nothing.
    build_site(options)?;
    let mut times = Times::start(started);
    times.lap("dựng trang");
    let mut hashes = hash_cache::HashCache::load(&options.root, &options.output);
    let local =
        manifest::hash_output_with(&options.output, Some(&mut hashes)).map_err(Error::Internal)?;
    hashes.save();
    times.lap("băm tệp");
    let credentials =
        credentials::Credentials::from_home(options.accept_host_key, options.ca_file.clone());
    let mut transport: Box<dyn Transport> = match &target {
        Target::File { path } => Box::new(FileTarget::open(path).map_err(fail)?),
        Target::Sftp(remote) => {
            Box::new(sftp::SftpTarget::connect(remote, &credentials).map_err(fail)?)
        }
        Target::Ftp { remote, secure } => {
            Box::new(ftp::FtpTarget::connect(remote, *secure, &credentials).map_err(fail)?)
        }
        Target::S3(location) => {
            Box::new(s3::S3Target::connect(location, &credentials).map_err(fail)?)
        }
    };
    times.lap("kết nối");
    let manifest = match transport.read(MANIFEST).map_err(fail)? {
        Some(bytes) => Some(Manifest::parse(&bytes).map_err(Error::Usage)?),
        None => None,
    };
    let mut present = look_around(transport.as_mut(), manifest.as_ref(), &local).map_err(fail)?;
    let mut manifest = manifest.unwrap_or_default();
    // Output files already there by other means: read, to adopt those that are the same.
    let compare = plan::to_compare(&local, &manifest, &present);
    if !compare.is_empty() {
        for (path, hash) in compare
            .iter()
            .zip(transport.hashes(&compare).map_err(fail)?)
        {
            if let Some(seen) = present.get_mut(path) {
                seen.sha256 = hash;
            }
        }
    }
    times.lap("đọc danh sách đã đăng, xem nơi đăng");
    let plan = plan::plan(&local, &manifest, &present, options.adopt);
    check_plan(&plan, options.max_delete)?;
    if !plan.adopted.is_empty() {
        eprintln!(
            "Nhận {} tệp đã có sẵn trên nơi đăng, giống hệt bản dựng (không gửi lại): {}",
            plan.adopted.len(),
            sample(&plan.adopted)
        );
    }
    if !plan.foreign.is_empty() {
        eprintln!(
            "Giữ nguyên {} tệp trên nơi đăng không do datto đăng: {}",
            plan.foreign.len(),
            sample(&plan.foreign)
        );
    }
    let mut summary = Summary {
        target: target.shown(),
        new: plan.count(ChangeKind::New),
        changed: plan.count(ChangeKind::Changed),
        deleted: plan.deletes.len(),
        bytes: plan.bytes(),
        elapsed: Duration::ZERO,
        dry_run: options.dry_run,
    };
    if options.dry_run {
        for upload in &plan.uploads {
            let sign = if upload.kind == ChangeKind::New {
                '+'
            } else {
                '~'
            };
            println!("{sign} {}", upload.path);
        }
        for path in &plan.deletes {
            println!("- {path}");
        }
    } else if !plan.is_empty() || !plan.adopted.is_empty() {
        execute(transport.as_mut(), &plan, &local, &mut manifest, options).map_err(fail)?;
    }
    times.lap("gửi, xoá, ghi danh sách");
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// The files on the target that could be in the way: all of it on a first publish, else the
/// folders that files new to the manifest go to (a full listing of 10,000 folders would make
/// every publish slow).
fn look_around(
    transport: &mut dyn Transport,
    manifest: Option<&Manifest>,
    local: &[manifest::LocalFile],
) -> transport::Result<HashMap<String, Seen>> {
    let seen = |size| Seen { size, sha256: None };
    let Some(manifest) = manifest else {
        let all = transport.list_all()?;
        return Ok(all.into_iter().map(|(p, size)| (p, seen(size))).collect());
    };
    let dirs: HashSet<&str> = local
        .iter()
        .filter(|f| !manifest.owns(&f.path))
        .map(|f| f.path.rsplit_once('/').map_or("", |(dir, _)| dir))
        .collect();
    let mut present = HashMap::new();
    for dir in dirs {
        for entry in transport.list_dir(dir)?.unwrap_or_default() {
            if !entry.is_dir {
                present.insert(transport::join(dir, &entry.name), seen(entry.size));
            }
        }
    }
    Ok(present)
}

fn sample(paths: &[String]) -> String {
    let mut text = paths.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if paths.len() > 5 {
        text.push_str(&format!(" và {} tệp khác", paths.len() - 5));
    }
    text
}

fn check_plan(plan: &Plan, max_delete: usize) -> Result<(), Error> {
    if !plan.conflicts.is_empty() {
        return Err(Error::Usage(format!(
            "trên nơi đăng đã có {} tệp trùng tên với tệp của trang nhưng khác nội dung, không do datto đăng ({}); datto không ghi đè tệp của người khác. Nếu đó là bản cũ của chính trang này (đăng bằng rsync, FileZilla…), chạy lại với --adopt để datto ghi đè và từ nay quản lý chúng; nếu không, xoá hoặc đổi tên chúng trên máy chủ rồi chạy lại",
            plan.conflicts.len(),
            sample(&plan.conflicts)
        )));
    }
    if plan.deletes.len() > max_delete {
        return Err(Error::Usage(format!(
            "lần đăng này sẽ xoá {} tệp trên nơi đăng ({}), nhiều hơn giới hạn {max_delete}; không làm gì cả. Kiểm tra bằng --dry-run, nếu đúng là muốn xoá thì chạy lại với --max-delete {}",
            plan.deletes.len(),
            sample(&plan.deletes),
            plan.deletes.len()
        )));
    }
    Ok(())
}

fn save(transport: &mut dyn Transport, manifest: &Manifest) -> transport::Result<()> {
    let put = Put {
        path: MANIFEST.into(),
        from: Source::Bytes(manifest.to_bytes()),
    };
    transport.put(&[put], &mut |_| {})
}

fn progress_bar(plan: &Plan) -> ProgressBar {
    let bar = ProgressBar::new(plan.bytes());
    let style = ProgressStyle::with_template("{bar:30.green/white} {bytes}/{total_bytes} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

fn execute(
    transport: &mut dyn Transport,
    plan: &Plan,
    local: &[manifest::LocalFile],
    manifest: &mut Manifest,
    options: &PublishOptions,
) -> transport::Result<()> {
    let entries: std::collections::HashMap<&str, &manifest::Entry> =
        local.iter().map(|f| (f.path.as_str(), &f.entry)).collect();
    let mut fail_after: Option<usize> = std::env::var(FAIL_AFTER_VAR)
        .ok()
        .and_then(|v| v.parse().ok());
    for path in &plan.adopted {
        if let Some(entry) = entries.get(path.as_str()) {
            manifest.files.insert(path.clone(), (*entry).clone());
        }
    }
    if plan.uploads.is_empty() && plan.deletes.is_empty() {
        // Only adoptions: the manifest records them.
        return save(transport, manifest);
    }
    if !plan.uploads.is_empty() {
        manifest
            .pending
            .extend(plan.uploads.iter().map(|u| u.path.clone()));
        save(transport, manifest)?;
    }
    let bar = progress_bar(plan);
    let total = plan.uploads.len();
    let mut files_done = 0usize;
    let mut saved = Instant::now();
    let mut save_cost = Duration::ZERO;
    // Files, then pages, never in the same batch: a batch is uploaded concurrently.
    let split = plan
        .uploads
        .iter()
        .position(|u| plan::is_page(&u.path))
        .unwrap_or(total);
    let (files, pages) = plan.uploads.split_at(split);
    let batches = files.chunks(BATCH).chain(pages.chunks(BATCH));
    let mut uploaded = 0usize;
    for batch in batches {
        let mut puts: Vec<Put> = batch
            .iter()
            .map(|u| Put {
                path: u.path.clone(),
                from: Source::File(options.output.join(&u.path)),
            })
            .collect();
        let interrupted = fail_after.is_some_and(|n| n < puts.len());
        if let Some(n) = fail_after.as_mut() {
            puts.truncate(*n);
            *n -= puts.len();
        }
        let put = transport.put(&puts, &mut |size| {
            files_done += 1;
            bar.inc(size);
            bar.set_message(format!("{files_done}/{total} tệp"));
        });
        // The error, if any, is then the only line left on the screen.
        if put.is_err() || interrupted {
            bar.finish_and_clear();
        }
        put?;
        if interrupted {
            return Err(Failure("bị ngắt giữa chừng (thử nghiệm)".into()));
        }
        for upload in batch {
            if let Some(entry) = entries.get(upload.path.as_str()) {
                manifest.files.insert(upload.path.clone(), (*entry).clone());
            }
            manifest.pending.remove(&upload.path);
        }
        uploaded += batch.len();
        let last = uploaded >= total;
        if !last && saved.elapsed() >= SAVE_EVERY.max(save_cost * 10) {
            let started = Instant::now();
            save(transport, manifest)?;
            save_cost = started.elapsed();
            saved = Instant::now();
        }
    }
    bar.finish_and_clear();
    if !plan.uploads.is_empty() {
        save(transport, manifest)?;
    }
    if !plan.deletes.is_empty() {
        transport.delete(&plan.deletes)?;
        for path in &plan.deletes {
            manifest.files.remove(path);
            manifest.pending.remove(path);
        }
        save(transport, manifest)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_line_in_vietnamese() {
        let summary = Summary {
            target: "sftp://a@h:22/www".into(),
            new: 3,
            changed: 2,
            deleted: 1,
            bytes: 1536,
            elapsed: Duration::from_millis(800),
            dry_run: false,
        };
        assert_eq!(
            summary.to_string(),
            "Đã đăng lên sftp://a@h:22/www: 3 tệp mới, 2 tệp sửa, 1 tệp xoá; 1,5 KB; 0,8 giây"
        );
        assert_eq!(human_bytes(10), "10 byte");
        assert_eq!(human_bytes(5 * 1024 * 1024), "5,0 MB");
    }

    #[test]
    fn refuses_conflicts_and_too_many_deletions() {
        let plan = Plan {
            deletes: (0..3).map(|i| format!("{i}.html")).collect(),
            ..Plan::default()
        };
        assert!(check_plan(&plan, 3).is_ok());
        let Err(Error::Usage(message)) = check_plan(&plan, 2) else {
            panic!("expected a refusal");
        };
        assert!(message.contains("--max-delete 3"), "{message}");
        let plan = Plan {
            conflicts: vec!["index.html".into()],
            ..Plan::default()
        };
        assert!(check_plan(&plan, 100).is_err());
    }
}
