//! Every file the output will hold and who claims it: pages, page-bundle assets, static
//! files and the derived files of photos. Two claims on one path are an error naming both.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::PathBuf;

use super::Selection;
use crate::base::diagnostics::{Diagnostic, Diagnostics};
use crate::base::paths::{self, LocalRef};
use crate::base::urls::{BaseUrl, output_file};
use crate::model::plan::{PageJob, PageKind};
use crate::model::site::FileCopy;

#[derive(Debug, Clone)]
enum Origin {
    Source(PathBuf),
    Generated(&'static str),
    Static(PathBuf),
}

impl Origin {
    fn describe(&self) -> String {
        match self {
            Origin::Source(p) | Origin::Static(p) => p.to_string_lossy().replace('\\', "/"),
            Origin::Generated(what) => (*what).to_string(),
        }
    }
}

/// The output's files, claimed one by one.
pub struct Claims {
    pub(super) base: BaseUrl,
    files: FxHashMap<String, Origin>,
    /// Claimed names holding capitals, lower-cased → as claimed.
    folded: FxHashMap<String, String>,
    /// Page-bundle and loose assets: content path → output path (for a photo, its
    /// largest derived file).
    pub(super) assets: FxHashMap<String, String>,
    /// Photos of `content/static/` and the theme: path under the site root → largest file.
    static_photos: FxHashMap<String, String>,
    /// Photos that cannot be published (content or static path → nothing): a Markdown
    /// image pointing to one is reported at its line too.
    pub(super) bad_photos: FxHashSet<String>,
    pub pictures: crate::images::Catalog,
}

impl Claims {
    pub fn new(base: &BaseUrl) -> Self {
        Claims {
            base: base.clone(),
            files: FxHashMap::default(),
            folded: FxHashMap::default(),
            assets: FxHashMap::default(),
            static_photos: FxHashMap::default(),
            bad_photos: FxHashSet::default(),
            pictures: crate::images::Catalog::default(),
        }
    }

    fn claim(&mut self, file: String, origin: Origin, problems: &mut Diagnostics) {
        // The search index's files are named as it is written (shards, records), so they
        // are not claimed one by one: their folder is datto's.
        if let Origin::Source(path) | Origin::Static(path) = &origin
            && file.starts_with(crate::base::layout::SEARCH_DIR)
        {
            problems.push(
                Diagnostic::new(
                    path,
                    1,
                    format!(
                        "/{file} nằm trong /{}, thư mục của chỉ mục tìm kiếm do datto tạo",
                        crate::base::layout::SEARCH_DIR
                    ),
                )
                .with_hint("đổi tên hoặc chuyển tệp sang thư mục khác"),
            );
            return;
        }
        // `Anh.JPG` beside `anh.jpg`: one file on Windows, macOS and many hosts, where one
        // overwrites the other. Only a name with capitals can meet another this way.
        let other_case = if file.chars().any(char::is_uppercase) {
            let lower = file.to_lowercase();
            let met = match self.files.get_key_value(&lower) {
                Some((known, _)) => Some(known.clone()),
                None => self.folded.get(&lower).filter(|f| **f != file).cloned(),
            };
            self.folded.entry(lower).or_insert_with(|| file.clone());
            met
        } else {
            self.folded.get(&file).cloned()
        };
        if let Some(known) = other_case {
            let message = format!(
                "hai tệp chỉ khác nhau chữ hoa, chữ thường: /{known} và /{file}; trên Windows, macOS và nhiều máy chủ chúng là một tệp, tệp này sẽ đè tệp kia"
            );
            let hint = "đổi tên một trong hai tệp cho khác hẳn";
            for side in self.files.get(&known).into_iter().chain([&origin]) {
                if let Origin::Source(path) | Origin::Static(path) = side {
                    problems.push(Diagnostic::new(path, 1, &message).with_hint(hint));
                }
            }
            return;
        }
        if let Some(previous) = self.files.get(&file) {
            let message = format!(
                "hai nội dung cùng ghi vào /{file}: {} và {}",
                previous.describe(),
                origin.describe()
            );
            let hint = "đổi tên tệp hoặc thêm `slug:` khác cho một trong hai";
            for side in [previous, &origin] {
                if let Origin::Source(path) | Origin::Static(path) = side {
                    problems.push(Diagnostic::new(path, 1, &message).with_hint(hint));
                }
            }
            return;
        }
        self.files.insert(file, origin);
    }

    /// Claims the file of every planned page.
    pub fn add_pages(&mut self, site: &Selection, jobs: &[PageJob], problems: &mut Diagnostics) {
        for job in jobs {
            let origin = match job.kind {
                PageKind::Item(i) => Origin::Source(site.items[i].source.shown.clone()),
                PageKind::Profile(i) => Origin::Source(site.profiles[i].source.shown.clone()),
                PageKind::Page(i) => Origin::Source(site.pages[i].source.shown.clone()),
                _ => Origin::Generated("một trang do datto tạo"),
            };
            self.claim(output_file(&job.path), origin, problems);
        }
    }

    /// Claims assets (next to the page that owns them) and static files; returns the copies
    /// to make. Assets of unpublished pages are left out with their page.
    pub fn add_files(
        &mut self,
        site: &Selection,
        hidden: &[String],
        assets: &[String],
        static_files: &[(String, PathBuf)],
        content: &std::path::Path,
        problems: &mut Diagnostics,
    ) -> Vec<FileCopy> {
        let bundles: FxHashMap<&str, String> = site
            .items
            .iter()
            .map(|i| (&i.source, i.path()))
            .chain(site.profiles.iter().map(|p| (&p.source, p.path())))
            .chain(site.pages.iter().map(|p| (&p.source, p.path())))
            .filter(|(source, _)| source.is_bundle())
            .map(|(source, path)| (source.dir(), path))
            .collect();
        let hidden_bundles: FxHashSet<&str> = hidden
            .iter()
            .filter_map(|rel| rel.strip_suffix("index.md"))
            .filter(|dir| dir.is_empty() || dir.ends_with('/'))
            .collect();

        // Photos are planned (headers read) in parallel; each becomes its derived files.
        let photos = plan_photos(
            site,
            assets
                .iter()
                .filter(|a| crate::images::is_photo_name(a))
                .map(|a| (content.join(a), a.as_str()))
                .chain(
                    // The theme's own images (its sharing image) are the designer's,
                    // published as made.
                    static_files
                        .iter()
                        .filter(|(rel, from)| {
                            crate::images::is_photo_name(rel) && !from.starts_with(&site.theme_dir)
                        })
                        .map(|(rel, from)| (from.clone(), rel.as_str())),
                ),
        );
        let mut copies = Vec::new();
        for asset in assets {
            let owner = ancestors(asset)
                .find(|dir| bundles.contains_key(dir) || hidden_bundles.contains(dir));
            let output = match owner {
                Some(dir) if hidden_bundles.contains(dir) => continue,
                Some(dir) => format!("{}{}", bundles[dir], &asset[dir.len()..]),
                None => asset.clone(),
            };
            let Some(output) = paths::clean_relative(&output) else {
                continue;
            };
            let from = content.join(asset);
            let shown = crate::base::diagnostics::relative_to(&site.root, &from);
            if let Some(planned) = photos.get(asset.as_str()) {
                match self.add_picture(&from, &shown, &output, planned, site, problems) {
                    Some(largest) => {
                        self.assets.insert(asset.clone(), largest);
                    }
                    None => {
                        self.bad_photos.insert(asset.clone());
                    }
                }
                continue;
            }
            if refused_photo(&from, &shown, problems) {
                self.bad_photos.insert(asset.clone());
                continue;
            }
            if let Some(problem) = scripted(&from, asset) {
                problems.push(problem.at(&shown));
                continue;
            }
            self.claim(output.clone(), Origin::Source(shown), problems);
            self.assets.insert(asset.clone(), output.clone());
            copies.push(FileCopy { from, to: output });
        }
        for (rel, from) in static_files {
            let shown = crate::base::diagnostics::relative_to(&site.root, from);
            if let Some(planned) = photos.get(rel.as_str()) {
                match self.add_picture(from, &shown, rel, planned, site, problems) {
                    Some(largest) => {
                        self.static_photos.insert(rel.clone(), largest);
                    }
                    None => {
                        self.bad_photos.insert(rel.clone());
                    }
                }
                continue;
            }
            if refused_photo(from, &shown, problems) {
                self.bad_photos.insert(rel.clone());
                continue;
            }
            self.claim(rel.clone(), Origin::Static(shown), problems);
            copies.push(FileCopy {
                from: from.clone(),
                to: rel.clone(),
            });
        }
        copies
    }

    /// Claims the derived files of a planned photo; returns the output path of its largest
    /// file, or `None` (with a problem) if the photo cannot be published.
    fn add_picture(
        &mut self,
        from: &std::path::Path,
        shown: &std::path::Path,
        output: &str,
        planned: &Result<crate::images::Header, Diagnostic>,
        site: &Selection,
        problems: &mut Diagnostics,
    ) -> Option<String> {
        let header = match planned {
            Ok(header) => *header,
            Err(problem) => {
                problems.push(problem.clone());
                return None;
            }
        };
        let stem = match output.rfind('.') {
            Some(dot) if !output[dot..].contains('/') => &output[..dot],
            _ => output,
        };
        let picture =
            crate::images::Picture::from_header(from, shown, stem, header, &site.config.images);
        for d in &picture.derivatives {
            self.claim(d.rel.clone(), Origin::Source(shown.to_path_buf()), problems);
        }
        let largest = picture.largest().rel.clone();
        self.pictures.push(picture);
        Some(largest)
    }

    /// An order-independent hash of what links can resolve to here (the base URL, every
    /// claimed file, every asset's output path): part of [`super::links::Resolver`]'s
    /// environment.
    pub(super) fn environment(&self) -> u64 {
        // Summed in parallel: on a 10,000-item site these are 35,000 entries, and `serve`
        // computes this after every edit.
        let files = self
            .files
            .par_iter()
            .map(|(file, _)| entry(4, file))
            .reduce(|| 0, u64::wrapping_add);
        let sum = entry(0, self.base.to_string()).wrapping_add(files);
        self.assets
            .iter()
            .fold(sum, |s, e| s.wrapping_add(entry(5, e)))
    }

    /// The photo whose derived file is at `rel`.
    pub fn picture(&self, rel: &str) -> Option<&std::sync::Arc<crate::images::Picture>> {
        self.pictures.by_output(rel)
    }

    /// Output path of a local file reference, if that file will exist.
    pub(super) fn file_for(&self, reference: &LocalRef) -> Option<&str> {
        match reference {
            LocalRef::Content(p) => self.assets.get(p).map(String::as_str),
            LocalRef::Root(p) => match self.static_photos.get(p) {
                Some(largest) => Some(largest.as_str()),
                None => self.files.get_key_value(p).map(|(k, _)| k.as_str()),
            },
        }
    }

    /// Page path for a root link such as `/gioi-thieu/` or `/gioi-thieu`.
    pub(super) fn page_for(&self, path: &str) -> Option<String> {
        if self.files.contains_key(&output_file(path)) {
            return Some(path.to_string());
        }
        let with_slash = format!("{path}/");
        self.files
            .contains_key(&output_file(&with_slash))
            .then_some(with_slash)
    }

    /// True when a cover image points to a photo that cannot be published.
    pub fn is_bad_photo(&self, image: &crate::model::content::Image) -> bool {
        match &image.reference {
            LocalRef::Content(p) | LocalRef::Root(p) => self.bad_photos.contains(p),
        }
    }

    /// Output path of a cover image's file, if it will exist.
    pub fn image_path(&self, image: &crate::model::content::Image) -> Option<&str> {
        self.file_for(&image.reference)
    }
}

/// Reads the headers of the photos `(file, key)`, in parallel; results by key.
fn plan_photos<'k>(
    site: &Selection,
    photos: impl Iterator<Item = (PathBuf, &'k str)>,
) -> FxHashMap<&'k str, Result<crate::images::Header, Diagnostic>> {
    let photos: Vec<(PathBuf, &str)> = photos.collect();
    photos
        .into_par_iter()
        .map(|(from, key)| {
            let shown = crate::base::diagnostics::relative_to(&site.root, &from);
            (
                key,
                crate::images::header::read_cached(&from).map_err(|p| p.at(&shown)),
            )
        })
        .collect()
}

/// A file of a format that is refused (HEIC, TIFF…): a problem, and true.
fn refused_photo(
    from: &std::path::Path,
    shown: &std::path::Path,
    problems: &mut Diagnostics,
) -> bool {
    let name = shown.to_string_lossy();
    if crate::images::is_refused_name(&name) {
        problems.push(
            Diagnostic::new(shown, 1, "ảnh định dạng này không dùng được trên trang web")
                .with_hint(crate::images::header::EXPORT_HINT),
        );
        return true;
    }
    match crate::images::disguised(from, &name) {
        Some(problem) => {
            problems.push(problem.at(shown));
            true
        }
        None => false,
    }
}

/// A file beside an item that would run script from the site's own address when opened:
/// an HTML page, or an SVG holding script (`<script>`, `onload=`, `javascript:`…). Pages
/// are Markdown, whose raw HTML is shown as text; a file in `content/static/` is the
/// site's own (a host's verification page) and is copied as it is.
fn scripted(from: &std::path::Path, name: &str) -> Option<crate::images::header::Problem> {
    use crate::images::header::Problem;
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "html" | "htm" | "xhtml" | "shtml" => Some(Problem::new(
            "tệp HTML đặt cạnh bài sẽ được đăng nguyên như vậy, mã trong nó chạy được trên trang",
            Some(
                "viết nội dung vào tệp .md; nếu thật cần đăng nguyên tệp HTML, chuyển nó vào content/static/",
            ),
        )),
        "svg" => {
            let text = std::fs::read(from).ok()?.to_ascii_lowercase();
            let text = String::from_utf8_lossy(&text);
            let found = [
                "<script",
                "javascript:",
                "<foreignobject",
                "<iframe",
                "<embed",
                "<object",
            ]
            .iter()
            .any(|m| text.contains(m))
                // An event attribute: whitespace, `on`, letters, `=`.
                || text.match_indices("on").any(|(at, _)| {
                    let after_space = text[..at].ends_with(|c: char| c.is_ascii_whitespace());
                    let rest = &text[at + 2..];
                    let name_end = rest
                        .find(|c: char| !c.is_ascii_alphabetic())
                        .unwrap_or(rest.len());
                    after_space && name_end > 0 && rest[name_end..].trim_start().starts_with('=')
                });
            found.then(|| {
                Problem::new(
                    "ảnh SVG này chứa mã chạy được (script, onload=…): đăng lên, mã sẽ chạy trên trang",
                    Some("xuất lại ảnh thành PNG, hoặc lưu SVG từ trình vẽ với tùy chọn bỏ script"),
                )
            })
        }
        _ => None,
    }
}

/// The hash of one entry of an order-independent sum: entries are hashed one by one and
/// added up, so the order of iteration (maps iterate in any order) does not matter.
pub(super) fn entry(tag: u8, value: impl std::hash::Hash) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    (tag, value).hash(&mut h);
    h.finish()
}

/// Folders containing `path`, deepest first, each with a trailing slash.
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.char_indices()
        .rev()
        .filter(|(_, c)| *c == '/')
        .map(move |(i, _)| &path[..=i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_deepest_first() {
        let found: Vec<&str> = ancestors("tin-bai/2018/foo/anh/a.jpg").collect();
        assert_eq!(
            found,
            [
                "tin-bai/2018/foo/anh/",
                "tin-bai/2018/foo/",
                "tin-bai/2018/",
                "tin-bai/"
            ]
        );
    }
}
