//! Pixels: decode, shrink, turn upright, encode. Only pixels go into the derived files —
//! libwebp's simple encoder and image's JPEG encoder write no EXIF, XMP or GPS unless
//! asked, and nothing is asked.

use std::io::Cursor;

use fast_image_resize as fr;
use image::{DynamicImage, ExtendedColorType, ImageDecoder, ImageReader, RgbImage, RgbaImage};

use super::header::{self, Problem, corrupt};
use super::{JPEG_QUALITY, Kind, Picture, WEBP_METHOD, WEBP_QUALITY};

/// Decoded pixels: RGB, or RGBA when the source has transparency (PNG, WebP).
pub struct Raster {
    pub width: u32,
    pub height: u32,
    pub alpha: bool,
    pub pixels: Vec<u8>,
}

impl Raster {
    fn pixel_type(&self) -> fr::PixelType {
        if self.alpha {
            fr::PixelType::U8x4
        } else {
            fr::PixelType::U8x3
        }
    }

    fn from_dynamic(image: DynamicImage) -> Raster {
        let (width, height) = (image.width(), image.height());
        if image.color().has_alpha() {
            Raster {
                width,
                height,
                alpha: true,
                pixels: image.into_rgba8().into_raw(),
            }
        } else {
            Raster {
                width,
                height,
                alpha: false,
                pixels: image.into_rgb8().into_raw(),
            }
        }
    }

    fn into_dynamic(self) -> Option<DynamicImage> {
        if self.alpha {
            RgbaImage::from_raw(self.width, self.height, self.pixels).map(DynamicImage::ImageRgba8)
        } else {
            RgbImage::from_raw(self.width, self.height, self.pixels).map(DynamicImage::ImageRgb8)
        }
    }

    /// Lanczos3 to `width`×`height`, from the centred `crop` (x, y, w, h) if given.
    fn resize(
        &self,
        width: u32,
        height: u32,
        crop: Option<(f64, f64, f64, f64)>,
    ) -> anyhow::Result<Raster> {
        if crop.is_none() && (width, height) == (self.width, self.height) {
            return Ok(Raster {
                width,
                height,
                alpha: self.alpha,
                pixels: self.pixels.clone(),
            });
        }
        let source =
            fr::images::ImageRef::new(self.width, self.height, &self.pixels, self.pixel_type())?;
        let mut target = fr::images::Image::new(width, height, self.pixel_type());
        let mut options = fr::ResizeOptions::new()
            .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
        if let Some((x, y, w, h)) = crop {
            options = options.crop(x, y, w, h);
        }
        fr::Resizer::new().resize(&source, &mut target, &options)?;
        Ok(Raster {
            width,
            height,
            alpha: self.alpha,
            pixels: target.into_vec(),
        })
    }

    /// RGB for JPEG: transparent parts over white (a logo's background).
    fn rgb(&self) -> std::borrow::Cow<'_, [u8]> {
        if !self.alpha {
            return std::borrow::Cow::Borrowed(&self.pixels);
        }
        let mut out = Vec::with_capacity(self.pixels.len() / 4 * 3);
        for px in self.pixels.chunks_exact(4) {
            let a = u16::from(px[3]);
            for &c in &px[..3] {
                out.push(((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8);
            }
        }
        std::borrow::Cow::Owned(out)
    }

    pub fn webp(&self) -> anyhow::Result<Vec<u8>> {
        let layout = if self.alpha {
            webp::PixelLayout::Rgba
        } else {
            webp::PixelLayout::Rgb
        };
        let mut config =
            webp::WebPConfig::new().map_err(|()| anyhow::anyhow!("khởi tạo bộ mã hóa WebP"))?;
        config.lossless = 0;
        config.quality = WEBP_QUALITY;
        config.method = WEBP_METHOD;
        let memory = webp::Encoder::new(&self.pixels, layout, self.width, self.height)
            .encode_advanced(&config)
            .map_err(|e| anyhow::anyhow!("mã hóa WebP: {e:?}"))?;
        Ok(memory.to_vec())
    }

    pub fn jpeg(&self) -> anyhow::Result<Vec<u8>> {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY).encode(
            &self.rgb(),
            self.width,
            self.height,
            ExtendedColorType::Rgb8,
        )?;
        Ok(out)
    }
}

/// A decoded photo as stored: its pixels, its EXIF orientation and its colour profile.
pub struct Decoded {
    pub raster: Raster,
    pub orientation: u8,
    pub icc: Option<Vec<u8>>,
}

/// Decodes a whole photo. `Err` is a problem in the file (corrupt, truncated).
pub fn decode(bytes: &[u8]) -> Result<Decoded, Problem> {
    let head = header::read_bytes(bytes)?;
    check_complete(bytes, head.format)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), head.format.image_format());
    reader.limits(header::limits());
    let mut decoder = reader.into_decoder().map_err(header::unreadable)?;
    let orientation = decoder.orientation().map_or(1, |o| o.to_exif());
    let icc = decoder.icc_profile().ok().flatten();
    let image = DynamicImage::from_decoder(decoder).map_err(header::unreadable)?;
    Ok(Decoded {
        raster: Raster::from_dynamic(image),
        orientation,
        icc,
    })
}

/// Pixels of a photo tagged with another colour space, turned into sRGB: the derived files
/// carry no profile, so a browser reads them as sRGB, and an iPhone's Display P3 or a
/// camera's Adobe RGB would come out dull and shifted. A profile moxcms cannot read or
/// convert from RGB (a grey or CMYK one) leaves the pixels as they are.
fn to_srgb(raster: &mut Raster, icc: &[u8]) {
    let Ok(source) = moxcms::ColorProfile::new_from_slice(icc) else {
        return;
    };
    let layout = if raster.alpha {
        moxcms::Layout::Rgba
    } else {
        moxcms::Layout::Rgb
    };
    let srgb = moxcms::ColorProfile::new_srgb();
    let Ok(transform) =
        source.create_transform_8bit(layout, &srgb, layout, moxcms::TransformOptions::default())
    else {
        return;
    };
    let mut out = vec![0u8; raster.pixels.len()];
    if transform.transform(&raster.pixels, &mut out).is_ok() {
        raster.pixels = out;
    }
}

/// image's JPEG decoder is lenient: a photo cut short by a failed copy decodes with its
/// bottom grey. A complete JPEG has an end-of-image marker after its image data; phones
/// may append data after it (Samsung's trailer, a second image), so it is looked for
/// anywhere after the first scan — not before: the EXIF thumbnail, inside the header,
/// has its own end marker.
fn check_complete(bytes: &[u8], format: header::Format) -> Result<(), Problem> {
    if format != header::Format::Jpeg {
        return Ok(());
    }
    let from = first_scan(bytes).unwrap_or(2);
    if !bytes
        .get(from..)
        .is_some_and(|data| data.windows(2).any(|w| w == [0xFF, 0xD9]))
    {
        return Err(corrupt("tệp bị cắt cụt, thiếu phần cuối"));
    }
    Ok(())
}

/// Where a JPEG's first scan (its image data) starts, found by walking its segments from
/// the start-of-image marker; `None` when they end or go wrong before one.
fn first_scan(bytes: &[u8]) -> Option<usize> {
    let mut at = 2;
    loop {
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        while *bytes.get(at)? == 0xFF {
            at += 1;
        }
        let marker = *bytes.get(at)?;
        at += 1;
        match marker {
            // Start of scan: its header's length, then the data.
            0xDA => {
                let len = u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]);
                return Some(at + usize::from(len));
            }
            // Markers without a length.
            0x01 | 0xD0..=0xD8 => {}
            0xD9 => return None,
            _ => {
                let len = u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]);
                at += usize::from(len);
            }
        }
    }
}

/// Turns a raster as stored into its upright form (EXIF orientations 1–8).
fn upright(raster: Raster, orientation: u8) -> anyhow::Result<Raster> {
    let Some(o) = image::metadata::Orientation::from_exif(orientation) else {
        return Ok(raster);
    };
    if orientation == 1 {
        return Ok(raster);
    }
    let mut image = raster
        .into_dynamic()
        .ok_or_else(|| anyhow::anyhow!("kích thước ảnh không khớp"))?;
    image.apply_orientation(o);
    Ok(Raster::from_dynamic(image))
}

/// The files of `picture` whose kinds are `wanted`, encoded, in that order. The photo is
/// first shrunk to its largest published size *as stored*, then turned upright: rotating
/// 2 megapixels instead of 12. The other sizes are made from that one.
pub fn derive(
    decoded: Decoded,
    picture: &Picture,
    wanted: &[Kind],
) -> anyhow::Result<Vec<Vec<u8>>> {
    let Decoded {
        raster,
        orientation,
        icc,
    } = decoded;
    let largest = picture.largest();
    let (lw, lh) = if orientation >= 5 {
        (largest.height, largest.width)
    } else {
        (largest.width, largest.height)
    };
    let mut shrunk = raster.resize(lw, lh, None)?;
    drop(raster);
    // Converted once shrunk: 2 megapixels, not 12.
    if let Some(icc) = icc {
        to_srgb(&mut shrunk, &icc);
    }
    let base = upright(shrunk, orientation)?;
    wanted
        .iter()
        .map(|kind| {
            let Some(d) = picture.derivatives.iter().find(|d| d.kind == *kind) else {
                anyhow::bail!("không có cỡ ảnh {kind:?}");
            };
            match kind {
                Kind::WebP(_) => base.resize(d.width, d.height, None)?.webp(),
                Kind::Jpeg(_) => base.resize(d.width, d.height, None)?.jpeg(),
                Kind::Og => base
                    .resize(
                        d.width,
                        d.height,
                        Some(centre_crop(&base, d.width, d.height)),
                    )?
                    .jpeg(),
            }
        })
        .collect()
}

/// The largest centred box of `raster` with the aspect ratio `w`:`h`.
fn centre_crop(raster: &Raster, w: u32, h: u32) -> (f64, f64, f64, f64) {
    let (sw, sh) = (f64::from(raster.width), f64::from(raster.height));
    let aspect = f64::from(w) / f64::from(h);
    if sw / sh > aspect {
        let cw = sh * aspect;
        ((sw - cw) / 2.0, 0.0, cw, sh)
    } else {
        let ch = sw / aspect;
        (0.0, (sh - ch) / 2.0, sw, ch)
    }
}
