//! How links and images in Markdown bodies resolve against the claimed output.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::Selection;
use super::claims::Claims;
use super::markdown::LinkResolver;
use crate::base::paths::{self, LocalRef};
use crate::base::urls::url_for;

/// What links resolve against besides the claimed files: where each published Markdown
/// file's page is, and which files exist but are not published (drafts, scheduled) or did
/// not parse. Owned, so that `serve` can keep it for an edit that moves nothing.
pub struct Targets {
    /// Content path of each published Markdown file → its page path.
    pages: FxHashMap<String, String>,
    hidden: FxHashSet<String>,
    failed: FxHashSet<String>,
}

impl Targets {
    pub fn new(site: &Selection, hidden: &[String], failed: &[String]) -> Self {
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
        Targets {
            pages,
            hidden: hidden.iter().cloned().collect(),
            failed: failed.iter().cloned().collect(),
        }
    }
}

/// Resolves links in Markdown bodies against the planned output.
pub struct Resolver<'a> {
    outputs: &'a Claims,
    targets: &'a Targets,
    environment: u64,
}

/// An order-independent hash of the resolver's inputs (maps iterate in any order).
fn environment(outputs: &Claims, targets: &Targets) -> u64 {
    use super::claims::entry;
    let pages_sum = targets
        .pages
        .par_iter()
        .map(|e| entry(1, e))
        .reduce(|| 0, u64::wrapping_add);
    let mut sum = outputs.environment().wrapping_add(pages_sum);
    sum = targets
        .hidden
        .iter()
        .fold(sum, |s, e| s.wrapping_add(entry(2, e)));
    targets
        .failed
        .iter()
        .fold(sum, |s, e| s.wrapping_add(entry(3, e)))
}

impl<'a> Resolver<'a> {
    pub fn new(outputs: &'a Claims, targets: &'a Targets) -> Self {
        Resolver {
            outputs,
            targets,
            environment: environment(outputs, targets),
        }
    }

    /// A resolver over the same claims and targets as one made before, whose
    /// [`Resolver::environment`] was `environment` (not summed again).
    pub fn again(outputs: &'a Claims, targets: &'a Targets, environment: u64) -> Self {
        Resolver {
            outputs,
            targets,
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
            if let Some(page) = self.targets.pages.get(candidate) {
                return Ok(self.outputs.base.link(page));
            }
            if self.targets.hidden.contains(candidate) {
                return Err(format!(
                    "liên kết tới `{written}`, một bài nháp hoặc chưa tới ngày đăng"
                ));
            }
            if self.targets.failed.contains(candidate) {
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
