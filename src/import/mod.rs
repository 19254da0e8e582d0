//! `datto import FILE.docx`: a Word document becomes a draft news item, as a page bundle
//! (`content/tin-bai/YYYY/slug/index.md` + its photos).
//!
//! One way through: [`docx::read`] (bytes → [`Document`], nothing trusted) →
//! [`take_title`] → [`markdown::write`] → [`import`] writes the bundle (temp folder +
//! rename, never over an existing item). [`import`] takes bytes, not a path, so the
//! editor's `POST /_datto/api/import` can hand it an upload as it is.

pub mod api;
mod bundle;
pub mod document;
pub mod docx;
pub mod markdown;
mod package;
mod title;

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Utc};

use crate::base::diagnostics::{Diagnostic, Error};
use crate::model::config::Config;
use bundle::{bundle_slug, write_bundle, yaml_quoted};
pub use document::Document;
pub use package::Limits;
pub use title::take_title;

/// Why a file could not be read as a Word document. Nothing is written in any of these cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    NotZip,
    /// An RTF file saved with a `.doc`/`.docx` name.
    Rtf,
    /// Word 97–2003 binary format.
    LegacyDoc,
    Encrypted,
    /// The zip is truncated or damaged.
    Corrupt,
    TooManyEntries {
        count: usize,
        max: usize,
    },
    TooLarge {
        max_bytes: u64,
    },
    /// An entry name that tries to leave the package (`../x`, `/etc/x`, `C:\x`).
    UnsafeName(String),
    MissingDocument,
    BadXml {
        part: String,
        position: Option<(u32, u32)>,
    },
    /// Elements nested deeper than Word ever writes.
    TooDeep {
        part: String,
    },
    /// No title, text or photo at all.
    Empty,
}

const SAVE_AS_DOCX: &str = "mở tệp bằng Word hoặc LibreOffice, chọn Lưu thành… (Save As) → \
                            Tài liệu Word (.docx), rồi nhập tệp mới";

impl ImportError {
    fn hint(&self) -> Option<&'static str> {
        Some(match self {
            ImportError::NotZip | ImportError::Rtf | ImportError::LegacyDoc => SAVE_AS_DOCX,
            ImportError::Encrypted => {
                "mở tài liệu bằng Word, bỏ mật khẩu (Tệp → Thông tin → Bảo vệ tài liệu), lưu \
                 lại rồi nhập lại"
            }
            ImportError::Corrupt | ImportError::BadXml { .. } | ImportError::TooDeep { .. } => {
                "chép hoặc tải lại tệp; nếu Word vẫn mở được, hãy lưu thành một tệp mới rồi nhập"
            }
            ImportError::TooManyEntries { .. }
            | ImportError::UnsafeName(_)
            | ImportError::MissingDocument => {
                "tệp có thể không phải do Word tạo ra; hãy mở bằng Word và lưu lại thành .docx"
            }
            ImportError::TooLarge { .. } => {
                "chia tài liệu thành nhiều bài, hoặc thu nhỏ ảnh trong Word (Nén ảnh) trước khi nhập"
            }
            ImportError::Empty => return None,
        })
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::NotZip => write!(f, "tệp không phải tài liệu Word .docx"),
            ImportError::Rtf => write!(
                f,
                "tệp là văn bản RTF mang tên Word, không phải tài liệu .docx"
            ),
            ImportError::LegacyDoc => write!(
                f,
                "tệp là tài liệu Word 97–2003 (.doc); datto chỉ đọc được tài liệu .docx"
            ),
            ImportError::Encrypted => {
                write!(f, "tài liệu Word đã đặt mật khẩu nên datto không đọc được")
            }
            ImportError::Corrupt => write!(f, "tệp .docx bị hỏng hoặc không trọn vẹn"),
            ImportError::TooManyEntries { count, max } => write!(
                f,
                "tệp .docx chứa {count} phần, quá giới hạn {max}; datto không mở"
            ),
            ImportError::TooLarge { max_bytes } => write!(
                f,
                "tệp .docx khi giải nén lớn hơn {} MB; datto không mở",
                max_bytes / (1024 * 1024)
            ),
            ImportError::UnsafeName(name) => write!(
                f,
                "tệp .docx chứa tên phần không an toàn `{}`; datto không mở",
                name.chars().filter(|c| !c.is_control()).collect::<String>()
            ),
            ImportError::MissingDocument => write!(
                f,
                "tệp nén không có phần nội dung của Word (word/document.xml)"
            ),
            ImportError::BadXml { part, position } => {
                write!(f, "phần `{part}` của tệp .docx không phải XML hợp lệ")?;
                if let Some((row, col)) = position {
                    write!(f, " (dòng {row}, cột {col})")?;
                }
                Ok(())
            }
            ImportError::TooDeep { part } => write!(
                f,
                "phần `{part}` của tệp .docx lồng nhau quá sâu; datto không đọc"
            ),
            ImportError::Empty => write!(
                f,
                "tài liệu trống: không có tiêu đề, đoạn văn hay ảnh nào để nhập"
            ),
        }
    }
}

impl std::error::Error for ImportError {}

impl ImportError {
    /// As a staff-facing error about the file `shown` (its name as the user gave it).
    pub fn diagnostic(&self, shown: &str) -> Diagnostic {
        Diagnostic::new(shown, 1, self.to_string())
            .with_optional_hint(self.hint().map(String::from))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Tin,
    Bai,
}

pub struct ImportRequest<'a> {
    /// The `.docx` file's bytes (a file read by the CLI, or an upload).
    pub bytes: &'a [u8],
    /// How to name the document in errors: the path given on the command line, or the
    /// upload's file name.
    pub source_name: &'a str,
    /// A unit's slug, name or short name, as `datto new --unit` accepts.
    pub unit: &'a str,
    pub kind: ImportKind,
    pub now: DateTime<Utc>,
}

#[derive(Debug)]
pub struct Imported {
    /// The new `index.md`.
    pub path: PathBuf,
    /// The same, relative to `content/` with `/` separators (what the editor's API returns).
    pub content_path: String,
    pub title: String,
    pub photos: usize,
    /// What was left out or needs a look, in Vietnamese.
    pub warnings: Vec<String>,
}

/// Reads the document, then writes the draft bundle under `root/content/tin-bai/YYYY/`.
/// Every failure leaves the content folder as it was.
pub fn import(root: &Path, config: &Config, request: &ImportRequest) -> Result<Imported, Error> {
    let unit = config
        .resolve_unit_arg(request.unit, "datto import")
        .map_err(|d| Error::content(vec![d]))?;
    let fail = |e: ImportError| Error::content(vec![e.diagnostic(request.source_name)]);
    let mut document = docx::read(request.bytes).map_err(fail)?;
    let Some(title) = take_title(&mut document) else {
        // Say what was there but could not be converted, if anything.
        let mut diagnostic = ImportError::Empty.diagnostic(request.source_name);
        if !document.warnings.is_empty() {
            diagnostic = diagnostic.with_hint(document.warnings.join("; "));
        }
        return Err(Error::content(vec![diagnostic]));
    };
    let body = markdown::write(&document);

    let now = request.now.with_timezone(&config.timezone);
    let slug = bundle_slug(&title, request.source_name);
    let year = now.year();
    let kind = match request.kind {
        ImportKind::Tin => "tin",
        ImportKind::Bai => "bai",
    };
    let source: String = Path::new(request.source_name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    let cover = document
        .images
        .first()
        .map(|i| format!("# image: {}\n# image_alt: \"Mô tả ảnh\"\n", i.name))
        .unwrap_or_else(|| "# image: anh.jpg\n# image_alt: \"Mô tả ảnh\"\n".into());
    let text = format!(
        "---\n# Nhập từ tệp Word {}; xem lại rồi bỏ dòng `draft: true` để đăng.\ntitle: {}\ndate: {}\nunit: {}\ntype: {kind}\ndraft: true\ntags: []\n# summary: \"Một câu tóm tắt (không bắt buộc)\"\n{cover}# author: \"Tên tác giả\"\n---\n\n{body}",
        yaml_quoted(&source),
        yaml_quoted(&title),
        now.format("%Y-%m-%d %H:%M"),
        config.unit(unit).slug,
    );

    let content = crate::base::layout::content_dir(root);
    let folder_rel = format!(
        "{}/{year}/{slug}",
        crate::base::layout::Folder::Items.name()
    );
    write_bundle(root, &content, &folder_rel, &text, &document.images)?;
    Ok(Imported {
        path: content.join(&folder_rel).join("index.md"),
        content_path: format!("{folder_rel}/index.md"),
        title,
        photos: document.images.len(),
        warnings: document.warnings,
    })
}

#[cfg(test)]
mod tests;
