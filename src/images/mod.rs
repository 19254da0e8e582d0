//! Photos (SPEC §10): every raster image of the site is published only as derived files —
//! upright (EXIF orientation applied), without any metadata, in a few widths of lossy WebP
//! plus a JPEG fallback and a 1200×630 JPEG for sharing (`og:image`).
//!
//! Two steps with different costs:
//! - [`plan`] reads only a file's header (format, size, orientation): cheap enough for
//!   `check` and every `serve` rebuild. It decides the output files and what the HTML says
//!   (`srcset`, `width`/`height`), and refuses what cannot be published (HEIC, a bomb…).
//! - [`produce`] makes the files, into a cache under the site root ([`cache`]) keyed by the
//!   source bytes and the parameters; the build then copies them from there. A photo whose
//!   derived files are cached costs a `stat` of the source and of each file.

mod cache;
pub mod header;
mod process;

pub use cache::{Cache, Lease, Ready};
pub use header::Header;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::base::diagnostics::Diagnostic;

/// Widths of the WebP files, when the photo is at least that wide (never upscaled).
pub const WIDTHS: [u32; 3] = [480, 960, 1600];
/// The JPEG for browsers without WebP (iOS before 14: old iPhones are still common) is
/// about this wide.
const FALLBACK_WIDTH: u32 = 960;
/// Facebook's and Zalo's preferred sharing size.
pub const OG_SIZE: (u32, u32) = (1200, 630);
/// A photo with more pixels than this (a decompression bomb, or a panorama nobody needs
/// at full size) is refused from its header, before anything is decoded.
pub const MAX_PIXELS: u64 = 50_000_000;
/// The longest side of a derived file: WebP's limit.
pub const MAX_SIDE: u32 = 16_383;
/// What decoding one photo may allocate: a 50-megapixel RGBA photo, with room to spare.
/// Bounds what the pixel count does not: a 16-bit 7000×7000 PNG (400 MB), or a PNG of one
/// pixel whose colour profile inflates to a gigabyte.
pub const MAX_ALLOC: u64 = 320 * 1024 * 1024;

/// Parameters of the derived files; part of every cache key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Settings {
    /// `images.max_width` in `site.yaml` (default 1600).
    pub max_width: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { max_width: 1600 }
    }
}

/// Encoder qualities; changing them (or the code below) must change [`VERSION`].
const WEBP_QUALITY: f32 = 78.0;
/// libwebp's effort, 0 (fastest) to 6 (smallest). Its default, 4, made encoding the largest
/// WebP the bulk of a photo's cost; 2 trades a few percent of bytes for speed.
const WEBP_METHOD: i32 = 2;
const JPEG_QUALITY: u8 = 80;
/// Bumped whenever the derived bytes would change for the same source and settings.
/// 3: photos with a colour profile other than sRGB are converted to sRGB.
const VERSION: u32 = 3;

/// True for the file names whose contents go through this module.
pub fn is_photo_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".webp"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// Image formats staff may have that browsers or this module do not take; refused with
/// a hint on how to get a JPEG (checked by name and, see [`header`], by content).
pub fn is_refused_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".heic", ".heif", ".tif", ".tiff", ".bmp", ".avif", ".dng", ".cr2", ".nef", ".raw",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

/// A file whose name is not a photo's but whose bytes are an image format that can carry
/// metadata: a JPEG saved as `.jfif`/`.jpe` (Chrome and Edge on Windows do), `anh`
/// without an extension, `anh.jpg.bak`, a HEIC renamed, a GIF (XMP can hold GPS). Copied
/// as it is, it would publish its GPS coordinates; it is refused, with what to do. `None`
/// for every other file (BMP carries no metadata and is copied as any file).
pub fn disguised(path: &Path, name: &str) -> Option<header::Problem> {
    use std::io::Read;
    if is_photo_name(name) || is_refused_name(name) {
        return None;
    }
    let mut start = Vec::with_capacity(16);
    std::fs::File::open(path)
        .and_then(|f| f.take(16).read_to_end(&mut start))
        .ok()?;
    let start = start.as_slice();
    let file_name = name.rsplit('/').next().unwrap_or(name);
    let stem = match file_name.split_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => file_name,
    };
    let (format, hint) = match header::sniff(start) {
        Ok(header::Format::Jpeg) => ("JPEG", format!("đổi tên thành `{stem}.jpg`")),
        Ok(header::Format::Png) => ("PNG", format!("đổi tên thành `{stem}.png`")),
        Ok(header::Format::WebP) => ("WebP", format!("đổi tên thành `{stem}.webp`")),
        // BMP carries no metadata: copied as any file.
        Err(_) => match header::refused_format(start)? {
            "BMP" => return None,
            format => (format, header::EXPORT_HINT.to_string()),
        },
    };
    Some(header::Problem::new(
        format!(
            "tệp `{file_name}` là ảnh {format}, sẽ được đăng nguyên như vậy, kèm thông tin ẩn trong ảnh (vị trí GPS, máy chụp…); datto chỉ làm sạch ảnh có đuôi .jpg, .jpeg, .png, .webp"
        ),
        Some(format!("{hint}; nếu không cần ảnh này, xóa tệp").as_str()),
    ))
}

/// One derived file of a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Lossy WebP, this wide.
    WebP(u32),
    /// Baseline JPEG, this wide: the `<img src>` for browsers without WebP.
    Jpeg(u32),
    /// [`OG_SIZE`], centre-cropped, JPEG.
    Og,
}

/// One output file of a photo.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Derivative {
    pub kind: Kind,
    pub width: u32,
    pub height: u32,
    /// Output path, relative and clean: `tin-bai/2026/a/anh-1-960x720.webp`.
    pub rel: String,
}

/// A source photo and the files it is published as: the value templates and Markdown
/// images are written from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Picture {
    /// The file, and its path as shown in errors (relative to the site root).
    pub source: PathBuf,
    pub shown: PathBuf,
    pub header: Header,
    /// Size of the upright image at its largest published width.
    pub width: u32,
    pub height: u32,
    /// Ascending by width; the WebP files, then the JPEG fallback, then the sharing image.
    pub derivatives: Vec<Derivative>,
}

impl Picture {
    /// Plans the files for the photo at `source`, published under `stem` (its output path
    /// without extension, `tin-bai/2026/a/anh-1`). Reads the header only.
    pub fn plan(
        source: &Path,
        shown: &Path,
        stem: &str,
        settings: &Settings,
    ) -> Result<Picture, Diagnostic> {
        let header = header::read_cached(source).map_err(|problem| problem.at(shown))?;
        Ok(Picture::from_header(source, shown, stem, header, settings))
    }

    /// [`Picture::plan`] from a header already read.
    pub fn from_header(
        source: &Path,
        shown: &Path,
        stem: &str,
        header: Header,
        settings: &Settings,
    ) -> Picture {
        let (w, h) = header.upright();
        // A long infographic is narrowed until its height fits a WebP file.
        let fits = u32::try_from(u64::from(MAX_SIDE) * u64::from(w) / u64::from(h.max(1)))
            .unwrap_or(u32::MAX)
            .max(1);
        let cap = w.min(settings.max_width.max(1)).min(fits);
        let scaled = |width: u32| (width, scaled_height(w, h, width));
        // The configured widths below the cap (not within 15 % of it: two nearly equal
        // files buy nothing), then the cap itself.
        let mut widths: Vec<u32> = WIDTHS
            .iter()
            .copied()
            .filter(|&x| u64::from(x) * 100 < u64::from(cap) * 85)
            .collect();
        widths.push(cap);
        let mut derivatives: Vec<Derivative> = widths
            .iter()
            .map(|&width| {
                let (width, height) = scaled(width);
                Derivative {
                    kind: Kind::WebP(width),
                    width,
                    height,
                    rel: format!("{stem}-{width}x{height}.webp"),
                }
            })
            .collect();
        let fallback = widths
            .iter()
            .copied()
            .filter(|&x| x <= FALLBACK_WIDTH)
            .max()
            .unwrap_or(widths[0]);
        let (fw, fh) = scaled(fallback);
        derivatives.push(Derivative {
            kind: Kind::Jpeg(fw),
            width: fw,
            height: fh,
            rel: format!("{stem}-{fw}x{fh}.jpg"),
        });
        // The sharing image is cut from the largest size, never enlarged.
        let (width, height) = scaled(cap);
        let fit = f64::min(
            1.0,
            f64::min(
                f64::from(width) / f64::from(OG_SIZE.0),
                f64::from(height) / f64::from(OG_SIZE.1),
            ),
        );
        let og_w = ((f64::from(OG_SIZE.0) * fit).round() as u32).max(1);
        let og_h = ((f64::from(OG_SIZE.1) * fit).round() as u32).max(1);
        derivatives.push(Derivative {
            kind: Kind::Og,
            width: og_w,
            height: og_h,
            rel: format!("{stem}-chia-se.jpg"),
        });
        Picture {
            source: source.to_path_buf(),
            shown: shown.to_path_buf(),
            header,
            width,
            height,
            derivatives,
        }
    }

    pub fn webp(&self) -> impl Iterator<Item = &Derivative> {
        self.derivatives
            .iter()
            .filter(|d| matches!(d.kind, Kind::WebP(_)))
    }

    /// The largest WebP: what a link to the photo (and a gallery thumbnail) opens.
    pub fn largest(&self) -> &Derivative {
        self.webp().last().unwrap_or(&self.derivatives[0])
    }

    /// The smallest WebP: card and gallery thumbnails.
    pub fn smallest(&self) -> &Derivative {
        self.webp().next().unwrap_or(&self.derivatives[0])
    }

    pub fn fallback(&self) -> &Derivative {
        self.derivatives
            .iter()
            .find(|d| matches!(d.kind, Kind::Jpeg(_)))
            .unwrap_or(&self.derivatives[0])
    }

    pub fn og(&self) -> &Derivative {
        self.derivatives
            .iter()
            .find(|d| d.kind == Kind::Og)
            .unwrap_or(&self.derivatives[0])
    }

    /// `srcset` of the WebP files, URLs made by `url` from output paths.
    pub fn srcset(&self, url: impl Fn(&str) -> String) -> String {
        self.webp()
            .map(|d| format!("{} {}w", url(&d.rel), d.width))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// What the HTML of one `<picture>` needs.
    pub fn shown(&self, url: impl Fn(&str) -> String) -> Shown {
        Shown {
            src: url(&self.fallback().rel),
            srcset: self.srcset(&url),
            width: self.width,
            height: self.height,
            large: url(&self.largest().rel),
            thumb: url(&self.smallest().rel),
        }
    }
}

/// Height of an image `w`×`h` scaled to `width`, rounded, at least 1.
fn scaled_height(w: u32, h: u32, width: u32) -> u32 {
    let height = (u64::from(h) * u64::from(width) + u64::from(w) / 2) / u64::from(w.max(1));
    u32::try_from(height.max(1)).unwrap_or(u32::MAX)
}

/// A planned photo as HTML attributes (URLs ready for `src`/`srcset`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Shown {
    /// The JPEG fallback (`<img src>`).
    pub src: String,
    /// The WebP files (`<source type="image/webp" srcset>`).
    pub srcset: String,
    pub width: u32,
    pub height: u32,
    /// URL of the largest WebP, for links to the photo.
    pub large: String,
    /// URL of the smallest WebP.
    pub thumb: String,
}

impl Shown {
    /// A `<picture>` with the WebP sizes and the JPEG fallback. `sizes` is the width the
    /// image takes in the layout; a lazy image is loaded only when scrolled near.
    pub fn html(&self, alt: &str, title: &str, sizes: &str, lazy: bool) -> String {
        let title = if title.is_empty() {
            String::new()
        } else {
            format!(" title=\"{}\"", escape(title))
        };
        let loading = if lazy { " loading=\"lazy\"" } else { "" };
        format!(
            "<picture><source type=\"image/webp\" srcset=\"{}\" sizes=\"{sizes}\"><img src=\"{}\" alt=\"{}\"{title} width=\"{}\" height=\"{}\"{loading} decoding=\"async\"></picture>",
            escape(&self.srcset),
            escape(&self.src),
            escape(alt),
            self.width,
            self.height,
        )
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).ok();
    out
}

/// Every photo of one build, by output stem, with where each source is referenced from.
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    pub pictures: Vec<Arc<Picture>>,
    /// Output path of every derived file → its picture.
    by_output: FxHashMap<String, usize>,
    /// Folder of each source → its pictures (a bundle's gallery).
    by_folder: FxHashMap<PathBuf, Vec<usize>>,
}

impl Catalog {
    pub fn push(&mut self, picture: Picture) -> usize {
        let index = self.pictures.len();
        for d in &picture.derivatives {
            self.by_output.insert(d.rel.clone(), index);
        }
        if let Some(folder) = picture.source.parent() {
            self.by_folder
                .entry(folder.to_path_buf())
                .or_default()
                .push(index);
        }
        self.pictures.push(Arc::new(picture));
        index
    }

    /// The photos whose source files are directly in `dir`, by file name.
    pub fn in_folder<'s>(&'s self, dir: &'s Path) -> impl Iterator<Item = &'s Arc<Picture>> + 's {
        let mut found: Vec<&Arc<Picture>> = self
            .by_folder
            .get(dir)
            .into_iter()
            .flatten()
            .map(|&i| &self.pictures[i])
            .collect();
        found.sort_by(|a, b| a.source.cmp(&b.source));
        found.into_iter()
    }

    /// The photo one of whose derived files is at `rel`.
    pub fn by_output(&self, rel: &str) -> Option<&Arc<Picture>> {
        self.by_output.get(rel).map(|&i| &self.pictures[i])
    }

    /// Every derived output path.
    pub fn outputs(&self) -> impl Iterator<Item = &str> {
        self.pictures
            .iter()
            .flat_map(|p| p.derivatives.iter().map(|d| d.rel.as_str()))
    }

    pub fn len(&self) -> usize {
        self.pictures.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pictures.is_empty()
    }
}

/// The file name of a photo as a caption, when it reads as one: `Trao quà cho hội viên.jpg`
/// or `trao-qua-cho-hoi-vien.jpg`, not `IMG_2041.jpg` or `anh-3.jpg` (what cameras and
/// lazy hands name files).
pub fn caption_of(source: &Path) -> Option<String> {
    let stem = source.file_stem()?.to_string_lossy();
    let words: Vec<&str> = stem
        .split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    const CAMERA: [&str; 11] = [
        "img", "dsc", "dscn", "dscf", "pxl", "anh", "ảnh", "hinh", "hình", "photo", "image",
    ];
    let meaningful = words
        .iter()
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        .filter(|w| !CAMERA.contains(&w.to_lowercase().as_str()))
        .count();
    if meaningful < 2 {
        return None;
    }
    let text = words.join(" ");
    let mut chars = text.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// A derived file ready in the cache: copy `from` to the output path `to`.
#[derive(Debug, Clone)]
pub struct Produced {
    pub from: PathBuf,
    pub to: String,
}

/// Makes (or finds in `cache`) every derived file of `pictures`, a few photos at a time so
/// that memory stays bounded (a 12-megapixel photo is 36 MB decoded). Problems are returned
/// for each photo that cannot be decoded; nothing is left half-written in the cache. The
/// files stay in the cache while the result lives ([`Ready`]): copy them before dropping it.
pub fn produce(
    pictures: &[Arc<Picture>],
    cache: &Cache,
) -> Result<Ready, crate::base::diagnostics::Error> {
    cache.produce(pictures)
}

/// Whether `bytes` are a photo the build will publish: decoded whole, as [`produce`] does,
/// with the same limits (for an upload, refused before it is written, so that one bad file
/// cannot stop the site's next build).
pub fn check_bytes(bytes: &[u8]) -> Result<Header, header::Problem> {
    let head = header::read_bytes(bytes)?;
    process::decode(bytes)?;
    Ok(head)
}

/// Checks every photo as [`produce`] would, writing nothing (for `datto check`).
pub fn verify(
    pictures: &[Arc<Picture>],
    cache: &Cache,
) -> Result<(), crate::base::diagnostics::Error> {
    cache.verify(pictures)
}

#[doc(hidden)]
pub mod testing;

#[cfg(test)]
mod tests;
