//! Where a site's theme lives on disk: its own `themes/NAME/`, else the default theme
//! embedded in the binary, written out once into the user's cache folder.

use std::hash::{Hash, Hasher};
use std::path::Path;

use crate::base::layout;

/// The default theme, inside the binary: a site needs no `themes/` folder.
static EMBEDDED: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/themes/datto");

/// The name of the embedded theme.
pub const DEFAULT: &str = "datto";

/// Where the theme `name` of the site at `root` lives: `themes/NAME/` when it exists (it
/// wins), else, for the default theme, the embedded copy written out once per version into
/// the user's cache folder (outside the site, so staff never see or commit it).
pub fn dir(root: &Path, name: &str) -> std::path::PathBuf {
    let own = root.join(layout::THEMES).join(name);
    if own.exists() || name != DEFAULT {
        return own;
    }
    match materialize() {
        Ok(dir) => dir,
        // The error then names the missing themes/NAME folder.
        Err(_) => own,
    }
}

/// Writes the embedded theme into `dir/` (which must not exist yet): `datto theme export`.
pub fn export(dir: &Path) -> std::io::Result<()> {
    if dir.exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{} đã có; datto không ghi đè", dir.display()),
        ));
    }
    let temp = dir.with_file_name(format!(".{DEFAULT}.datto-new-{}", std::process::id()));
    write_embedded(&temp)?;
    std::fs::rename(&temp, dir)
}

fn write_embedded(dir: &Path) -> std::io::Result<()> {
    fn walk(d: &include_dir::Dir<'_>, to: &Path) -> std::io::Result<()> {
        for file in d.files() {
            let path = to.join(file.path());
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, file.contents())?;
        }
        d.dirs().try_for_each(|sub| walk(sub, to))
    }
    std::fs::create_dir_all(dir)?;
    walk(&EMBEDDED, dir)
}

/// The embedded theme in the cache, keyed by a hash of its files; written atomically.
fn materialize() -> std::io::Result<std::path::PathBuf> {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    fn feed(d: &include_dir::Dir<'_>, h: &mut std::collections::hash_map::DefaultHasher) {
        for f in d.files() {
            f.path().hash(h);
            f.contents().hash(h);
        }
        d.dirs().for_each(|sub| feed(sub, h));
    }
    feed(&EMBEDDED, &mut hasher);
    let cache = cache_dir().join(format!("theme-{:016x}", hasher.finish()));
    let theme = cache.join(DEFAULT);
    if theme.is_dir() {
        return Ok(theme);
    }
    std::fs::create_dir_all(&cache)?;
    let temp = cache.join(format!(".{DEFAULT}.datto-new-{}", std::process::id()));
    write_embedded(&temp)?;
    match std::fs::rename(&temp, &theme) {
        Ok(()) => Ok(theme),
        // Another datto wrote it meanwhile.
        Err(_) if theme.is_dir() => {
            let _ = std::fs::remove_dir_all(&temp);
            Ok(theme)
        }
        Err(e) => Err(e),
    }
}

fn cache_dir() -> std::path::PathBuf {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("DATTO_CACHE_DIR") {
        return dir.into();
    }
    if let Some(dir) = var("XDG_CACHE_HOME").or_else(|| var("LOCALAPPDATA")) {
        return std::path::PathBuf::from(dir).join("datto");
    }
    match var("HOME") {
        Some(home) => std::path::PathBuf::from(home).join(".cache").join("datto"),
        None => std::env::temp_dir().join("datto"),
    }
}
