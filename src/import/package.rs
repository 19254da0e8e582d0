//! The `.docx` container: a zip read with limits, before any XML is looked at.
//!
//! Nothing here trusts the file: the entry count and the total size are capped (declared
//! sizes first, then the bytes actually inflated, in case the headers lie), every entry name
//! must be a plain relative path, and encrypted entries are refused. Parts are read from
//! memory only — nothing is ever extracted to disk by name.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use super::ImportError;

/// Caps on what a document may unpack to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_entries: usize,
    /// Total uncompressed bytes of all entries (and of everything actually read).
    pub max_total_bytes: u64,
    /// Uncompressed bytes of one XML part. Text is read, copied and parsed several times
    /// over (a 290 MB `document.xml` under the total cap took 1.8 GB); a 300-page report's
    /// is a few MB.
    pub max_text_bytes: u64,
}

impl Default for Limits {
    /// A long report with fifty phone photos is about 200 entries and 150 MB; uploads are
    /// capped at 30 MB, and photos do not compress.
    fn default() -> Self {
        Limits {
            max_entries: 5_000,
            max_total_bytes: 300 * 1024 * 1024,
            max_text_bytes: 32 * 1024 * 1024,
        }
    }
}

pub struct Package<'a> {
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
    /// Lower-cased part name → entry index (OPC part names are case-insensitive).
    index: HashMap<String, usize>,
    /// Bytes still allowed to be inflated.
    budget: u64,
    limits: Limits,
}

/// Compound File Binary (OLE2) signature: Word 97–2003 `.doc`, and also the wrapper Office
/// puts around a password-protected `.docx`.
const OLE_SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

impl<'a> Package<'a> {
    pub fn open(bytes: &'a [u8], limits: Limits) -> Result<Package<'a>, ImportError> {
        if bytes.starts_with(&OLE_SIGNATURE) {
            // An encrypted .docx is an OLE file with an "EncryptedPackage" stream (its
            // directory entry names are UTF-16LE).
            let marker: Vec<u8> = "EncryptedPackage"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect();
            let encrypted = bytes.windows(marker.len()).any(|w| w == marker.as_slice());
            return Err(if encrypted {
                ImportError::Encrypted
            } else {
                ImportError::LegacyDoc
            });
        }
        if !bytes.starts_with(b"PK\x03\x04") {
            return Err(if bytes.starts_with(b"{\\rtf") {
                ImportError::Rtf
            } else {
                ImportError::NotZip
            });
        }
        let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ImportError::Corrupt)?;
        if archive.len() > limits.max_entries {
            return Err(ImportError::TooManyEntries {
                count: archive.len(),
                max: limits.max_entries,
            });
        }
        let mut package = Package {
            archive,
            index: HashMap::new(),
            budget: limits.max_total_bytes,
            limits,
        };
        let mut declared: u64 = 0;
        for i in 0..package.archive.len() {
            let entry = package
                .archive
                .by_index_raw(i)
                .map_err(|_| ImportError::Corrupt)?;
            let name = entry.name().to_owned();
            if !is_safe_name(&name) {
                return Err(ImportError::UnsafeName(name));
            }
            if entry.encrypted() {
                return Err(ImportError::Encrypted);
            }
            declared = declared.saturating_add(entry.size());
            if declared > limits.max_total_bytes {
                return Err(ImportError::TooLarge {
                    max_bytes: limits.max_total_bytes,
                });
            }
            if !entry.is_dir() {
                package.index.insert(name.to_lowercase(), i);
            }
        }
        Ok(package)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.index.contains_key(&name.to_lowercase())
    }

    /// The bytes of part `name` (no leading `/`), or `None` when there is no such part.
    pub fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, ImportError> {
        self.read_at_most(name, u64::MAX)
    }

    /// [`Package::read`], refusing a part over `cap` bytes.
    fn read_at_most(&mut self, name: &str, cap: u64) -> Result<Option<Vec<u8>>, ImportError> {
        let Some(&i) = self.index.get(&name.to_lowercase()) else {
            return Ok(None);
        };
        let allowed = self.budget.min(cap);
        let too_large = ImportError::TooLarge {
            max_bytes: self.limits.max_total_bytes.min(cap),
        };
        let entry = self.archive.by_index(i).map_err(|_| ImportError::Corrupt)?;
        let mut bytes = Vec::new();
        // One byte over the budget proves the limit was crossed, whatever the header said.
        entry
            .take(allowed.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|_| ImportError::Corrupt)?;
        let read = bytes.len() as u64;
        if read > allowed {
            return Err(too_large);
        }
        self.budget -= read;
        Ok(Some(bytes))
    }

    /// A part as text: UTF-8 (with or without BOM) or UTF-16 with a BOM, as XML allows.
    pub fn read_text(&mut self, name: &str) -> Result<Option<String>, ImportError> {
        let Some(bytes) = self.read_at_most(name, self.limits.max_text_bytes)? else {
            return Ok(None);
        };
        let part = || ImportError::BadXml {
            part: name.to_owned(),
            position: None,
        };
        let utf16 = |bytes: &[u8], from: fn([u8; 2]) -> u16| {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|pair| from([pair[0], pair[1]]))
                .collect();
            String::from_utf16(&units).ok()
        };
        let text = if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
            utf16(rest, u16::from_le_bytes)
        } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
            utf16(rest, u16::from_be_bytes)
        } else {
            let rest = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&bytes);
            std::str::from_utf8(rest).ok().map(str::to_owned)
        };
        text.map(Some).ok_or_else(part)
    }
}

/// A plain relative path: no `..`, no absolute path, no backslash, no drive, no NUL.
fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains(['\\', '\0'])
        && !name
            .split('/')
            .any(|segment| segment == ".." || segment.contains(':'))
}

/// Resolves a relationship target against the folder of the part that names it
/// (`word/` + `media/a.png`, `word/` + `../customXml/x.xml`, `/word/media/a.png`);
/// `None` when it would leave the package.
pub fn resolve_target(base_dir: &str, target: &str) -> Option<String> {
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => format!("{base_dir}{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    let resolved = parts.join("/");
    (!resolved.is_empty() && is_safe_name(&resolved)).then_some(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_targets() {
        for (name, safe) in [
            ("word/document.xml", true),
            ("[Content_Types].xml", true),
            ("../evil.xml", false),
            ("word/../../evil", false),
            ("/etc/passwd", false),
            ("C:/x", false),
            ("word\\x", false),
            ("", false),
        ] {
            assert_eq!(is_safe_name(name), safe, "{name}");
        }
        for (base, target, expected) in [
            ("word/", "media/image1.png", Some("word/media/image1.png")),
            (
                "word/",
                "../customXml/item1.xml",
                Some("customXml/item1.xml"),
            ),
            ("word/", "/word/media/a.png", Some("word/media/a.png")),
            ("word/", "../../etc/passwd", None),
            ("", "word/document.xml", Some("word/document.xml")),
        ] {
            assert_eq!(
                resolve_target(base, target).as_deref(),
                expected,
                "{base}{target}"
            );
        }
    }
}
