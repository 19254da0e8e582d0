//! What a photo's header says: its format, size and EXIF orientation, read without
//! decoding a pixel. Formats are told by their first bytes, not the file name.

use std::io::Read;
use std::path::Path;

use image::{ImageDecoder, ImageFormat, ImageReader};

use crate::base::diagnostics::Diagnostic;

use super::MAX_PIXELS;

/// The formats published (after conversion).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Jpeg,
    Png,
    WebP,
}

impl Format {
    pub fn image_format(self) -> ImageFormat {
        match self {
            Format::Jpeg => ImageFormat::Jpeg,
            Format::Png => ImageFormat::Png,
            Format::WebP => ImageFormat::WebP,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header {
    pub format: Format,
    /// As stored, before orientation.
    pub width: u32,
    pub height: u32,
    /// EXIF orientation, 1–8 (1: as stored).
    pub orientation: u8,
}

impl Header {
    /// Size once upright: orientations 5–8 turn the image a quarter.
    pub fn upright(&self) -> (u32, u32) {
        if self.orientation >= 5 {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }
}

/// Why a file cannot be published as a photo; becomes a [`Diagnostic`] at the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    pub fn new(message: impl Into<String>, hint: Option<&str>) -> Self {
        Problem {
            message: message.into(),
            hint: hint.map(str::to_string),
        }
    }

    pub fn at(self, shown: &Path) -> Diagnostic {
        Diagnostic::new(shown, 1, self.message).with_optional_hint(self.hint)
    }
}

/// The hint for every format browsers or datto do not take.
pub const EXPORT_HINT: &str = "mở ảnh bằng ứng dụng Ảnh (Photos) hoặc Paint rồi chọn Lưu thành/Xuất ra JPEG; trên iPhone đặt Cài đặt › Camera › Định dạng › Tương thích nhất để máy chụp ảnh JPEG";

/// Tells a format by its first bytes (`Err` for formats that are refused).
pub fn sniff(start: &[u8]) -> Result<Format, Problem> {
    let refused = |name: &str| {
        Err(Problem::new(
            format!("ảnh định dạng {name} không dùng được trên trang web"),
            Some(EXPORT_HINT),
        ))
    };
    match start {
        [0xFF, 0xD8, 0xFF, ..] => Ok(Format::Jpeg),
        [0x89, b'P', b'N', b'G', ..] => Ok(Format::Png),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Ok(Format::WebP),
        _ => match refused_format(start) {
            Some(name) => refused(name),
            None => Err(Problem::new(
                "tệp này không phải là ảnh (hoặc đã hỏng), dù tên có đuôi ảnh",
                Some("mở lại ảnh gốc và lưu thành JPEG, hoặc xóa tệp này"),
            )),
        },
    }
}

/// The image formats told by their first bytes that the site does not take.
pub fn refused_format(start: &[u8]) -> Option<&'static str> {
    Some(match start {
        [_, _, _, _, b'f', b't', b'y', b'p', brand @ ..] if brand.starts_with(b"avi") => "AVIF",
        [_, _, _, _, b'f', b't', b'y', b'p', ..] => "HEIC (ảnh iPhone)",
        [b'I', b'I', 42, 0, ..] | [b'M', b'M', 0, 42, ..] => "TIFF",
        [b'B', b'M', ..] => "BMP",
        [b'G', b'I', b'F', b'8', ..] => "GIF",
        _ => return None,
    })
}

/// A corrupt header, as staff should read it.
pub fn corrupt(detail: impl std::fmt::Display) -> Problem {
    Problem::new(
        format!("ảnh bị hỏng hoặc không đọc được ({detail})"),
        Some("chép lại ảnh từ máy chụp; nếu vẫn lỗi, mở ảnh và lưu lại thành JPEG"),
    )
}

/// A decoder's refusal, as staff should read it: the decoder's own text is English, so
/// only its kind is told.
pub fn unreadable(error: image::ImageError) -> Problem {
    use image::ImageError as E;
    match error {
        E::Limits(_) => Problem::new(
            "ảnh cần quá nhiều bộ nhớ để đọc (ảnh rất lớn, hoặc có khối dữ liệu bất thường)",
            Some("mở ảnh rồi lưu lại thành JPEG, cỡ khoảng 4000 điểm chiều rộng"),
        ),
        E::Unsupported(_) => Problem::new(
            "ảnh được mã hóa theo cách datto không đọc được",
            Some(EXPORT_HINT),
        ),
        E::IoError(io) => corrupt(crate::base::diagnostics::io_message(&io).0),
        _ => corrupt("dữ liệu ảnh hỏng"),
    }
}

/// What one photo's decoding may allocate ([`super::MAX_ALLOC`]).
pub fn limits() -> image::Limits {
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(super::MAX_ALLOC);
    limits
}

/// The first bytes of a file that hold its header. image's JPEG decoder reads its whole
/// input before parsing, and a phone photo is 3–8 MB: planning reads this much (EXIF is at
/// most 64 KB), and the whole file only if the header runs past it.
const HEADER_PREFIX: u64 = 256 * 1024;

/// Headers already read in this process, by path, size and modification time: `serve`
/// plans every photo again after each edit.
type Memo = rustc_hash::FxHashMap<
    std::path::PathBuf,
    (
        (u64, Option<std::time::SystemTime>),
        Result<Header, Problem>,
    ),
>;

/// [`read`], remembered while the file's size and modification time stay the same.
pub fn read_cached(path: &Path) -> Result<Header, Problem> {
    static MEMO: std::sync::OnceLock<std::sync::Mutex<Memo>> = std::sync::OnceLock::new();
    let memo = MEMO.get_or_init(Default::default);
    let stamp = std::fs::metadata(path).map_or((0, None), |m| (m.len(), m.modified().ok()));
    if let Some((seen, result)) = memo.lock().unwrap_or_else(|e| e.into_inner()).get(path)
        && *seen == stamp
        && stamp.1.is_some()
    {
        return result.clone();
    }
    let result = read(path);
    memo.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(path.to_path_buf(), (stamp, result.clone()));
    result
}

/// Reads the header of the photo at `path`.
pub fn read(path: &Path) -> Result<Header, Problem> {
    let unreadable = |e: std::io::Error| Problem::new(format!("không đọc được ảnh: {e}"), None);
    let mut prefix = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(HEADER_PREFIX).read_to_end(&mut prefix))
        .map_err(unreadable)?;
    match read_bytes(&prefix) {
        Err(_) if prefix.len() as u64 == HEADER_PREFIX => {
            read_bytes(&std::fs::read(path).map_err(unreadable)?)
        }
        result => result,
    }
}

/// The header of an image in memory (tests, and the check made again before decoding).
pub fn read_bytes(bytes: &[u8]) -> Result<Header, Problem> {
    let format = sniff(&bytes[..bytes.len().min(16)])?;
    if format == Format::Png {
        check_png_profile(bytes)?;
    }
    from_reader(std::io::Cursor::new(bytes), format)
}

/// The largest colour profile a PNG may carry, inflated: real ones are a few hundred KB.
const MAX_PROFILE: u64 = 4 * 1024 * 1024;

/// A PNG's colour profile (`iCCP`) is inflated by the decoder as soon as it reads the
/// header, whatever the memory limits say: a 1 MB file of one pixel can hold a profile of
/// a gigabyte. The chunks before the image data are walked and the profile inflated here,
/// into nothing, up to [`MAX_PROFILE`].
fn check_png_profile(bytes: &[u8]) -> Result<(), Problem> {
    let mut at = 8;
    while let Some(head) = bytes.get(at..at + 8) {
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind = &head[4..8];
        if kind == b"IDAT" || kind == b"IEND" {
            return Ok(());
        }
        let data = bytes
            .get(at + 8..(at + 8).saturating_add(len))
            .ok_or_else(|| corrupt("tệp bị cắt cụt"))?;
        if kind == b"iCCP" {
            // Name, NUL, compression method, then the zlib stream.
            let start = data
                .iter()
                .position(|b| *b == 0)
                .map_or(data.len(), |p| p + 2);
            let stream = data.get(start..).unwrap_or_default();
            let mut inflated = flate2::read::ZlibDecoder::new(stream).take(MAX_PROFILE + 1);
            let size = std::io::copy(&mut inflated, &mut std::io::sink()).unwrap_or(0);
            if size > MAX_PROFILE {
                return Err(Problem::new(
                    "ảnh có khối thông tin màu (ICC) lớn bất thường, không đọc an toàn được",
                    Some("mở ảnh rồi lưu lại thành JPEG hoặc PNG"),
                ));
            }
        }
        at = at.saturating_add(12).saturating_add(len);
    }
    Ok(())
}

fn from_reader(
    reader: impl std::io::BufRead + std::io::Seek,
    format: Format,
) -> Result<Header, Problem> {
    let mut reader = ImageReader::with_format(reader, format.image_format());
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let (width, height) = decoder.dimensions();
    check_size(width, height)?;
    // Pixels by bytes, not by count: a 16-bit RGBA photo takes 8 bytes a pixel.
    if decoder.total_bytes() > super::MAX_ALLOC {
        return Err(unreadable(image::ImageError::Limits(
            image::error::LimitError::from_kind(image::error::LimitErrorKind::InsufficientMemory),
        )));
    }
    // A broken EXIF block only loses the orientation; the photo itself is fine.
    let orientation = decoder.orientation().map_or(1, |o| o.to_exif());
    Ok(Header {
        format,
        width,
        height,
        orientation,
    })
}

pub fn check_size(width: u32, height: u32) -> Result<(), Problem> {
    let pixels = u64::from(width) * u64::from(height);
    if width == 0 || height == 0 {
        return Err(corrupt("kích thước 0"));
    }
    if pixels > MAX_PIXELS {
        return Err(Problem::new(
            format!(
                "ảnh quá lớn: {width}×{height} điểm ảnh ({} triệu), tối đa {} triệu",
                pixels / 1_000_000,
                MAX_PIXELS / 1_000_000
            ),
            Some("thu nhỏ ảnh (ví dụ còn 4000 điểm chiều rộng) rồi lưu lại"),
        ));
    }
    // A WebP side is at most 16383 pixels: a strip longer than that even 1 pixel wide
    // cannot be published (a tall one is narrowed to fit, see `Picture::from_header`).
    if width.max(height) / width.min(height) > super::MAX_SIDE {
        return Err(Problem::new(
            format!("ảnh quá dài so với bề ngang: {width}×{height} điểm ảnh"),
            Some("cắt ảnh thành vài ảnh ngắn hơn rồi lưu lại"),
        ));
    }
    Ok(())
}
