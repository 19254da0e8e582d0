//! Every path the output will hold, who claims it, and how links and images in content
//! resolve against it. Two claims on one path are an error naming both files.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::PathBuf;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::assemble::markdown::LinkResolver;
use crate::base::diagnostics::{Diagnostic, Diagnostics};
use crate::base::paths::{self, LocalRef};
use crate::base::urls::{BaseUrl, output_file};
use crate::model::plan::{PageJob, PageKind};
use crate::model::site::{FileCopy, Site};

/// Characters that must be escaped in a URL path (non-ASCII is always escaped).
const PATH_ESCAPE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'%')
    .add(b'\\')
    .add(b'^')
    .add(b'|');

/// A root-relative URL for an output path, escaped for use in `href`/`src`.
pub fn url_for(base: &BaseUrl, path: &str) -> String {
    base.link(&utf8_percent_encode(path, PATH_ESCAPE).to_string())
}

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
pub struct Outputs {
    base: BaseUrl,
    files: FxHashMap<String, Origin>,
    /// Page-bundle and loose assets: content path → output path (for a photo, its
    /// largest derived file).
    assets: FxHashMap<String, String>,
    /// Photos of `content/static/` and the theme: path under the site root → largest file.
    static_photos: FxHashMap<String, String>,
    /// Photos that cannot be published (content or static path → nothing): a Markdown
    /// image pointing to one is reported at its line too.
    bad_photos: FxHashSet<String>,
    pub pictures: crate::images::Catalog,
}

impl Outputs {
    pub fn new(base: &BaseUrl) -> Self {
        Outputs {
            base: base.clone(),
            files: FxHashMap::default(),
            assets: FxHashMap::default(),
            static_photos: FxHashMap::default(),
            bad_photos: FxHashSet::default(),
            pictures: crate::images::Catalog::default(),
        }
    }

    fn claim(&mut self, file: String, origin: Origin, problems: &mut Diagnostics) {
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
    pub fn add_pages(&mut self, site: &Site, jobs: &[PageJob], problems: &mut Diagnostics) {
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
        site: &Site,
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
            if refused_photo(&shown, problems) {
                self.bad_photos.insert(asset.clone());
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
            if refused_photo(&shown, problems) {
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
        site: &Site,
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

    /// The photo whose derived file is at `rel`.
    pub fn picture(&self, rel: &str) -> Option<&std::sync::Arc<crate::images::Picture>> {
        self.pictures.by_output(rel)
    }

    /// Output path of a local file reference, if that file will exist.
    fn file_for(&self, reference: &LocalRef) -> Option<&str> {
        match reference {
            LocalRef::Content(p) => self.assets.get(p).map(String::as_str),
            LocalRef::Root(p) => match self.static_photos.get(p) {
                Some(largest) => Some(largest.as_str()),
                None => self.files.get_key_value(p).map(|(k, _)| k.as_str()),
            },
        }
    }

    /// Page path for a root link such as `/gioi-thieu/` or `/gioi-thieu`.
    fn page_for(&self, path: &str) -> Option<String> {
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
    site: &Site,
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
fn refused_photo(shown: &std::path::Path, problems: &mut Diagnostics) -> bool {
    let name = shown.to_string_lossy();
    if !crate::images::is_refused_name(&name) {
        return false;
    }
    problems.push(
        Diagnostic::new(shown, 1, "ảnh định dạng này không dùng được trên trang web")
            .with_hint(crate::images::header::EXPORT_HINT),
    );
    true
}

/// Folders containing `path`, deepest first, each with a trailing slash.
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.char_indices()
        .rev()
        .filter(|(_, c)| *c == '/')
        .map(move |(i, _)| &path[..=i])
}

/// Resolves links in Markdown bodies against the planned output.
pub struct Resolver<'a> {
    outputs: &'a Outputs,
    /// Content path of each published Markdown file → its page path.
    pages: FxHashMap<String, String>,
    hidden: FxHashSet<&'a str>,
    failed: FxHashSet<&'a str>,
    environment: u64,
}

/// An order-independent hash of the resolver's inputs (maps iterate in any order).
fn environment(
    outputs: &Outputs,
    pages: &FxHashMap<String, String>,
    hidden: &FxHashSet<&str>,
    failed: &FxHashSet<&str>,
) -> u64 {
    use std::hash::{Hash, Hasher};
    // Entries are hashed one by one and added up, so the order of iteration does not matter.
    fn entry(tag: u8, value: impl Hash) -> u64 {
        let mut h = rustc_hash::FxHasher::default();
        (tag, value).hash(&mut h);
        h.finish()
    }
    // Summed in parallel: on a 10,000-item site these are 35,000 entries, and `serve`
    // computes this after every edit.
    let pages_sum = || {
        pages
            .par_iter()
            .map(|e| entry(1, e))
            .reduce(|| 0, u64::wrapping_add)
    };
    let files_sum = || {
        outputs
            .files
            .par_iter()
            .map(|(file, _)| entry(4, file))
            .reduce(|| 0, u64::wrapping_add)
    };
    let (pages_sum, files_sum) = rayon::join(pages_sum, files_sum);
    let mut sum = entry(0, outputs.base.to_string())
        .wrapping_add(pages_sum)
        .wrapping_add(files_sum);
    sum = hidden.iter().fold(sum, |s, e| s.wrapping_add(entry(2, e)));
    sum = failed.iter().fold(sum, |s, e| s.wrapping_add(entry(3, e)));
    outputs
        .assets
        .iter()
        .fold(sum, |s, e| s.wrapping_add(entry(5, e)))
}

impl<'a> Resolver<'a> {
    pub fn new(
        outputs: &'a Outputs,
        site: &Site,
        hidden: &'a [String],
        failed: &'a [String],
    ) -> Self {
        let pages = site
            .items
            .par_iter()
            .map(|i| (i.source.rel.clone(), i.path()))
            .chain(
                site.profiles
                    .par_iter()
                    .map(|p| (p.source.rel.clone(), p.path())),
            )
            .chain(
                site.pages
                    .par_iter()
                    .map(|p| (p.source.rel.clone(), p.path())),
            )
            .collect();
        let hidden: FxHashSet<&str> = hidden.iter().map(String::as_str).collect();
        let failed: FxHashSet<&str> = failed.iter().map(String::as_str).collect();
        let environment = environment(outputs, &pages, &hidden, &failed);
        Resolver {
            outputs,
            failed,
            pages,
            hidden,
            environment,
        }
    }

    /// One number for everything a link can resolve against. While it stays the same, every
    /// link resolves as it did before: `serve` can reuse 10,000 rendered bodies without
    /// resolving their links again.
    pub fn environment(&self) -> u64 {
        self.environment
    }

    fn content_target(&self, rel: &str, written: &str, is_image: bool) -> Result<String, String> {
        let as_bundle = format!("{}/index.md", rel.trim_end_matches('/'));
        for candidate in [rel, as_bundle.as_str()] {
            if let Some(page) = self.pages.get(candidate) {
                return Ok(self.outputs.base.link(page));
            }
            if self.hidden.contains(candidate) {
                return Err(format!(
                    "liên kết tới `{written}`, một bài nháp hoặc chưa tới ngày đăng"
                ));
            }
            if self.failed.contains(candidate) {
                return Err(format!(
                    "liên kết tới `{written}`, một tệp đang có lỗi (sửa lỗi của tệp đó trước)"
                ));
            }
        }
        if let Some(file) = self.outputs.assets.get(rel) {
            return Ok(url_for(&self.outputs.base, file));
        }
        if self.outputs.bad_photos.contains(rel) {
            return Err(format!(
                "ảnh `{written}` không dùng được (xem lỗi ghi ở chính tệp ảnh)"
            ));
        }
        Err(if is_image {
            format!("không tìm thấy ảnh `{written}`")
        } else {
            format!("liên kết hỏng: không có tệp `{written}`")
        })
    }
}

impl LinkResolver for Resolver<'_> {
    fn picture(&self, dir: &str, dest: &str) -> Option<crate::images::Shown> {
        let (path, _) = paths::split_fragment(dest);
        let reference = paths::resolve(dir, path)?;
        let picture = self.outputs.picture(self.outputs.file_for(&reference)?)?;
        Some(picture.shown(|rel| url_for(&self.outputs.base, rel)))
    }

    fn resolve(&self, dir: &str, dest: &str, is_image: bool) -> Result<Option<String>, String> {
        if paths::runs_code(dest) {
            return Err(format!(
                "liên kết `{dest}` chạy mã trong trình duyệt, không được phép trong nội dung"
            ));
        }
        if dest.is_empty() || dest.starts_with('#') || paths::is_external(dest) {
            if is_image && paths::is_external(dest) {
                return Err(format!(
                    "ảnh `{dest}` nằm trên máy chủ khác; hãy chép ảnh vào trang"
                ));
            }
            return Ok(None);
        }
        let (path, fragment) = paths::split_fragment(dest);
        let Some(reference) = paths::resolve(dir, path) else {
            return Err(format!("liên kết `{dest}` trỏ ra ngoài thư mục nội dung"));
        };
        let url = match &reference {
            LocalRef::Content(rel) => self.content_target(rel, path, is_image)?,
            LocalRef::Root(rel) => match self.outputs.file_for(&reference) {
                Some(file) => url_for(&self.outputs.base, file),
                None if self.outputs.bad_photos.contains(rel.as_str()) => {
                    return Err(format!(
                        "ảnh `{path}` không dùng được (xem lỗi ghi ở chính tệp ảnh)"
                    ));
                }
                None => match self.outputs.page_for(rel) {
                    Some(page) => self.outputs.base.link(&page),
                    None => return Err(format!("liên kết hỏng: trang web sẽ không có `{path}`")),
                },
            },
        };
        Ok(Some(format!("{url}{fragment}")))
    }
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

    #[test]
    fn urls_are_escaped() {
        let base = BaseUrl::parse("https://h/phunu/").unwrap();
        assert_eq!(
            url_for(&base, "anh/ảnh mới.jpg"),
            "/phunu/anh/%E1%BA%A3nh%20m%E1%BB%9Bi.jpg"
        );
        assert_eq!(url_for(&base, "tin-bai/2018/a/"), "/phunu/tin-bai/2018/a/");
    }
}
