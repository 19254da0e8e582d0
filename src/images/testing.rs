//! Test and benchmark helpers: phone-like JPEGs with an EXIF orientation and GPS block, and
//! a reader of the metadata blocks of JPEG and WebP files. Not used by the site builder.

/// An EXIF APP1 payload (`Exif\0\0` + big-endian TIFF) with the orientation tag and, if
/// `gps`, a GPS block placing the photo in Việt Trì.
pub fn exif_block(orientation: u16, gps: bool) -> Vec<u8> {
    let mut tiff: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    let entries: u16 = if gps { 2 } else { 1 };
    tiff.extend(entries.to_be_bytes());
    // Orientation: SHORT, count 1, value left-justified in the 4 bytes.
    tiff.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1]);
    tiff.extend(orientation.to_be_bytes());
    tiff.extend([0, 0]);
    if gps {
        // GPS IFD pointer: LONG, offset of the GPS IFD just after this IFD.
        let gps_offset: u32 = 8 + 2 + 12 * 2 + 4;
        tiff.extend([0x88, 0x25, 0, 4, 0, 0, 0, 1]);
        tiff.extend(gps_offset.to_be_bytes());
    }
    tiff.extend([0, 0, 0, 0]); // no next IFD
    if gps {
        // GPSLatitudeRef "N", GPSLatitude 21/1 18/1 0/1 (three RATIONALs after the IFD).
        let base = tiff.len() as u32;
        let rationals = base + 2 + 12 * 2 + 4;
        tiff.extend(2u16.to_be_bytes());
        tiff.extend([0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]);
        tiff.extend([0, 2, 0, 5, 0, 0, 0, 3]);
        tiff.extend(rationals.to_be_bytes());
        tiff.extend([0, 0, 0, 0]);
        for (n, d) in [(21u32, 1u32), (18, 1), (0, 1)] {
            tiff.extend(n.to_be_bytes());
            tiff.extend(d.to_be_bytes());
        }
    }
    let mut block = b"Exif\0\0".to_vec();
    block.extend(tiff);
    block
}

/// A JPEG of `width`×`height` (as stored) with `pixel(x, y)` colours, at `quality`, with an
/// EXIF block ([`exif_block`]) and an XMP block, as phones write them.
pub fn phone_jpeg(
    width: u32,
    height: u32,
    quality: u8,
    orientation: u16,
    gps: bool,
    pixel: impl Fn(u32, u32) -> [u8; 3],
) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| image::Rgb(pixel(x, y)));
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, quality)
        .encode(
            image.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .ok();
    let mut out = plain[..2].to_vec();
    for payload in [
        exif_block(orientation, gps),
        b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><GPSLatitude>21,18N</GPSLatitude></x:xmpmeta>"
            .to_vec(),
    ] {
        out.extend([0xFF, 0xE1]);
        out.extend(((payload.len() + 2) as u16).to_be_bytes());
        out.extend(payload);
    }
    out.extend(&plain[2..]);
    out
}

/// Noise-rich pixels (a photo compresses like noise more than like flat colour).
pub fn noise(seed: u32) -> impl Fn(u32, u32) -> [u8; 3] {
    move |x, y| {
        let mut h = x.wrapping_mul(0x9E37_79B1) ^ y.wrapping_mul(0x85EB_CA77) ^ seed;
        h ^= h >> 15;
        h = h.wrapping_mul(0x2C1B_3C6D);
        h ^= h >> 12;
        let base = ((x / 7 + y / 5) % 200) as u8;
        [
            base.wrapping_add((h & 0x3F) as u8),
            (y % 256) as u8 ^ ((h >> 8) & 0x1F) as u8,
            (x % 256) as u8 ^ ((h >> 16) & 0x1F) as u8,
        ]
    }
}

/// The metadata blocks of a JPEG (APPn segments other than JFIF, COM) or a WebP file
/// (`EXIF`, `XMP `, `ICCP` chunks), by name. Empty for a clean file.
pub fn metadata_blocks(bytes: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let mut at = 2;
        while at + 4 <= bytes.len() && bytes[at] == 0xFF {
            let marker = bytes[at + 1];
            if marker == 0xDA || marker == 0xD9 {
                break;
            }
            let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
            let body = &bytes[(at + 4).min(bytes.len())..(at + 2 + len).min(bytes.len())];
            let is_jfif = marker == 0xE0 && body.starts_with(b"JFIF");
            if (0xE1..=0xEF).contains(&marker) || marker == 0xFE || (marker == 0xE0 && !is_jfif) {
                found.push(format!("APP{:X}", marker - 0xE0));
            }
            at += 2 + len;
        }
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        let mut at = 12;
        while at + 8 <= bytes.len() {
            let name = String::from_utf8_lossy(&bytes[at..at + 4]).into_owned();
            let len =
                u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]])
                    as usize;
            if ["EXIF", "XMP ", "ICCP"].contains(&name.as_str()) {
                found.push(name);
            }
            at += 8 + len + len % 2;
        }
    } else {
        found.push("không phải JPEG hay WebP".to_string());
    }
    found
}
