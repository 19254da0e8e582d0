//! `datto serve`: build, serve, watch, rebuild what changed, reload open tabs.
//!
//! The preview is built in memory (see [`store`]) with `base_url` set to the server's own
//! address, so `public/` (what staff publish) is never touched by a preview.

pub mod editor;
pub mod http;
pub mod idle;
pub mod rebuild;
pub mod store;
pub mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use notify::event::ModifyKind;
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::new_debouncer;

use crate::base::diagnostics::Error;
use crate::commands::serve::rebuild::{Change, Photos, Rebuilder};
use crate::commands::serve::store::Store;
use crate::load::theme::DEFAULT as DEFAULT_THEME;
use crate::model::site::LoadOptions;
use http::{Notice, ServerState};

/// Saves closer together than this are one change (editors write in bursts).
const DEBOUNCE: Duration = Duration::from_millis(120);

pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub drafts: bool,
    pub future: bool,
    /// `--editor-password`: the editor on a non-loopback address, behind a login.
    pub editor_password: Option<String>,
}

fn bind(options: &ServeOptions) -> Result<std::net::TcpListener, Error> {
    let address = SocketAddr::new(options.bind, options.port);
    let listener = std::net::TcpListener::bind(address).map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => Error::Usage(format!(
            "cổng {} đang được chương trình khác dùng; chọn cổng khác bằng --port (hoặc --port 0 để tự chọn)",
            options.port
        )),
        _ => Error::Usage(format!("không mở được {address}: {e}")),
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::Internal(e.into()))?;
    Ok(listener)
}

/// Runs until Ctrl-C.
pub fn serve(options: ServeOptions) -> Result<(), Error> {
    let root = options.root.canonicalize().map_err(|e| {
        Error::Usage(format!(
            "không mở được thư mục {}: {e}",
            options.root.display()
        ))
    })?;
    let listener = bind(&options)?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::Internal(e.into()))?;
    let url = format!("http://{address}/");
    let store = Store::new(&root);

    let load = LoadOptions {
        drafts: options.drafts,
        future: options.future,
        now: crate::base::dates::now().map_err(Error::Usage)?,
        base_url: Some(
            crate::base::urls::BaseUrl::parse(&url)
                .map_err(|m| Error::Internal(anyhow::anyhow!(m)))?,
        ),
        preview: true,
    };
    // Shared with the editor, whose live preview renders one page from the loaded site.
    let site = Arc::new(Mutex::new(Rebuilder::new(&root, load, store.clone())));
    let state = ServerState::new(store, address.port());
    let photos = photo_worker(state.clone())?;
    let first = match site.lock() {
        Ok(mut site) => site
            .rebuild(&Change::everything())
            .map(|summary| (summary, site.take_photos())),
        Err(_) => Err(Error::Internal(anyhow::anyhow!("bản dựng bị gián đoạn"))),
    };
    report(&state, &photos, "bản dựng đầu tiên", first);

    // Watch before announcing the address: an edit made right after must not be missed.
    let (sender, events) = mpsc::channel();
    let mut debouncer = new_debouncer(DEBOUNCE, None, sender)
        .map_err(|e| Error::Internal(anyhow::anyhow!("không theo dõi được thay đổi: {e}")))?;
    for dir in [crate::base::layout::CONTENT, crate::base::layout::THEMES] {
        let path = root.join(dir);
        // A site made by `datto init` has no themes/ (the theme is inside the binary).
        if !path.exists() {
            continue;
        }
        if let Err(e) = debouncer.watch(&path, RecursiveMode::Recursive) {
            eprintln!("không theo dõi được {}: {e}", path.display());
        }
    }
    let watcher_state = state.clone();
    let root_for_editor = root.clone();
    let site_for_editor = site.clone();
    std::thread::Builder::new()
        .name("datto-watch".into())
        .spawn(move || rebuild_loop(&root, &site, &watcher_state, &photos, &events))
        .map_err(|e| Error::Internal(e.into()))?;
    println!("Đang phục vụ trang tại {url}  (Ctrl-C để dừng)");

    // The editor writes content: on a loopback address, or behind a password.
    let mut app = http::router(state.clone());
    match crate::commands::serve::editor::access(options.bind, options.editor_password) {
        Some(access) => {
            let editor = crate::commands::serve::editor::EditorState::new(
                root_for_editor,
                address.port(),
                access,
                site_for_editor,
            )
            .map_err(|e| Error::Internal(anyhow::anyhow!("không tạo được mã bảo vệ: {e}")))?;
            app = crate::commands::serve::editor::router(editor).merge(app);
            println!("Trình soạn bài: {url}_datto/");
        }
        None => println!(
            "Trình soạn bài tắt trên địa chỉ {}: dùng --editor-password (hoặc biến DATTO_EDITOR_PASSWORD) để bật",
            options.bind
        ),
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(e.into()))?;
    let served = runtime.block_on(async {
        // The watcher lives as long as the server.
        let _debouncer = debouncer;
        let listener = idle::IdleListener {
            inner: tokio::net::TcpListener::from_std(listener)?,
            idle: idle_time(),
        };
        let closing = state.clone();
        // The editor's login limit counts wrong passwords per client address.
        let app =
            app.into_make_service_with_connect_info::<crate::commands::serve::editor::Client>();
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                stop_signal().await;
                closing.notify(Notice::Closing);
            })
            .await
    });
    println!("Đã dừng.");
    served.map_err(|e| Error::Internal(e.into()))
}

/// [`idle::IDLE`], or `DATTO_SERVE_IDLE_SECS` (tests use a short one).
fn idle_time() -> Duration {
    std::env::var("DATTO_SERVE_IDLE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(idle::IDLE, Duration::from_secs)
}

/// Ctrl-C, or a polite `kill` (SIGTERM): either way the temporary folder is removed.
async fn stop_signal() {
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Makes the photos of each rebuild, one rebuild's at a time, after its pages are served.
/// When rebuilds come faster than photos, only the newest rebuild's photos are made: they
/// are all of the site's photos, the older ones included.
fn photo_worker(state: Arc<ServerState>) -> Result<mpsc::Sender<Photos>, Error> {
    let (sender, jobs) = mpsc::channel::<Photos>();
    std::thread::Builder::new()
        .name("datto-anh".into())
        .spawn(move || {
            // The photos being served, kept in the cache until the next ones are made.
            let mut _served = None;
            while let Ok(mut job) = jobs.recv() {
                while let Ok(newer) = jobs.try_recv() {
                    job = newer;
                }
                match job.produce() {
                    Ok(made) => {
                        // New photo files change pages already open: show them.
                        if made.changed > 0 {
                            state.notify(Notice::Reload);
                        }
                        _served = Some(made);
                    }
                    Err(error) => {
                        let text = error.to_string();
                        eprintln!("✗ ảnh: lỗi\n{text}");
                        state.notify(Notice::Failed(text));
                    }
                }
            }
        })
        .map_err(|e| Error::Internal(e.into()))?;
    Ok(sender)
}

type Outcome = Result<(crate::commands::Summary, Option<Photos>), Error>;

/// Prints the outcome of a rebuild, tells open tabs, and hands its photos on.
fn report(state: &ServerState, photos: &mpsc::Sender<Photos>, what: &str, outcome: Outcome) {
    match outcome {
        Ok((o, job)) => {
            println!(
                "↻ {what}: {} trang vẽ lại, {} tệp chép, {} tệp xóa ({} trang) trong {} ms",
                o.rendered,
                o.copied,
                o.removed,
                o.pages,
                o.elapsed.as_millis()
            );
            state.notify(Notice::Reload);
            if let Some(job) = job {
                // The worker lives as long as the server.
                let _ = photos.send(job);
            }
        }
        Err(error) => {
            let text = error.to_string();
            eprintln!("✗ {what}: lỗi, trang vẫn hiện bản tốt gần nhất\n{text}");
            state.notify(Notice::Failed(text));
        }
    }
}

type Events = mpsc::Receiver<notify_debouncer_full::DebounceEventResult>;

fn rebuild_loop(
    root: &Path,
    site: &Mutex<Rebuilder>,
    state: &ServerState,
    photos: &mpsc::Sender<Photos>,
    events: &Events,
) {
    // The theme is read from `site.yaml` as last loaded: after `theme:` changes, the new
    // theme's files are the ones followed.
    let mut theme = site
        .lock()
        .ok()
        .and_then(|s| s.theme_name().map(str::to_string))
        .unwrap_or_else(|| DEFAULT_THEME.to_string());
    while let Ok(first) = events.recv() {
        let mut change = Change::default();
        // Everything already queued is part of the same burst.
        for result in std::iter::once(first).chain(events.try_iter()) {
            match result {
                Ok(batch) => {
                    // Reading a file (as every rebuild does) is not a change.
                    let changes = batch.into_iter().filter(|e| {
                        !matches!(
                            e.kind,
                            EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_))
                        )
                    });
                    for event in changes {
                        for path in &event.paths {
                            watch::classify(root, &theme, path, &mut change);
                        }
                    }
                }
                Err(errors) => {
                    for e in errors {
                        eprintln!("theo dõi thay đổi: {e}");
                    }
                    change.rescan = true;
                }
            }
        }
        if change.is_empty() {
            continue;
        }
        let Ok(mut site) = site.lock() else {
            eprintln!("bản dựng bị gián đoạn; khởi động lại datto serve");
            return;
        };
        if let Ok(now) = crate::base::dates::now() {
            site.set_now(now);
        }
        let what = watch::describe(&change);
        // The open tabs reload as soon as their own pages are ready.
        let mut early = |count: usize, elapsed: Duration| {
            println!(
                "↻ {what}: {count} trang đang mở đã vẽ lại trong {} ms; các trang khác đang vẽ",
                elapsed.as_millis()
            );
            state.notify(Notice::Reload);
        };
        let outcome = site
            .rebuild_open_first(&change, &state.open_pages(), &mut early)
            .map(|summary| (summary, site.take_photos()));
        if let Some(name) = site.theme_name() {
            name.clone_into(&mut theme);
        }
        drop(site);
        report(state, photos, &what, outcome);
    }
}
