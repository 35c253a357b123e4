//! Pictures attached to messages: read within a pixel budget, turned upright, scaled down to
//! `MAX_SIDE`, re-encoded, with a thumbnail and a placeholder colour. Pure and synchronous: the
//! caller runs it off the async runtime.
//!
//! Nothing of the uploaded file is copied into the output: it is encoded from decoded pixels
//! alone, so none of the original's metadata (EXIF with its GPS position, XMP, IPTC, ICC
//! profiles, comments, GIF extensions) can survive.
//!
//! What each picture becomes:
//! - a JPEG stays a JPEG (quality 82, as chat apps store photos);
//! - a PNG stays a PNG: screenshots and drawings are sharp edges and flat colour, which JPEG
//!   smears and PNG keeps exact (and small);
//! - anything with a pixel that is not fully opaque becomes a PNG (JPEG has no transparency);
//! - an opaque WebP becomes a JPEG (WebP is mostly photos; the `image` crate writes only lossless
//!   WebP, several times bigger);
//! - a GIF keeps its animation when it fits the budget (`animation`), else its first frame
//!   becomes a PNG (GIFs are palette graphics, like PNGs).
//!
//! Thumbnails are JPEG, or PNG when transparent. Speed: decoding is the `image` crate's; resizing
//! is `fast_image_resize` and JPEG encoding `jpeg-encoder`, both SIMD: the `image` crate's own
//! resize and encoder took ~650 ms on a 12-megapixel photo, against a target of 150 ms for all.
#[path = "picture_animation.rs"]
mod animation;
#[cfg(test)]
#[path = "picture_tests.rs"]
mod tests;

use std::io::Cursor;

use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer, images::Image, images::ImageRef};
use image::codecs::png::{self, PngEncoder};
use image::metadata::Orientation;
use image::{DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage, RgbaImage};

/// What `process` made of an uploaded picture.
#[derive(Debug, Clone)]
pub struct Picture {
    /// The re-encoded picture: no EXIF/GPS/XMP/comments survive.
    pub bytes: Vec<u8>,
    /// "image/jpeg" | "image/png" | "image/gif"
    pub mime: &'static str,
    /// Of `bytes`: after the EXIF orientation is applied and the picture scaled to `MAX_SIDE`.
    pub width: u32,
    pub height: u32,
    /// At most `THUMB_SIDE` px on the longer side, never upscaled.
    pub thumb: Vec<u8>,
    pub thumb_mime: &'static str,
    /// Average colour "#rrggbb" (lowercase), painted before the picture loads.
    pub placeholder: String,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PictureError {
    /// More than `max_pixels` (a decompression bomb is refused from its header, before decoding).
    #[error("the picture has more than {max_pixels} pixels")]
    TooManyPixels { max_pixels: u64 },
    /// Not a picture we can read (corrupt, truncated, unsupported).
    #[error("not a picture that can be read")]
    Unreadable,
}

pub const THUMB_SIDE: u32 = 320;
/// Longest side a stored picture keeps (bigger ones are scaled down), as chat apps do.
pub const MAX_SIDE: u32 = 2560;

const JPEG_QUALITY: u8 = 82;
const THUMB_QUALITY: u8 = 75;
/// No side may be longer, whatever the budget: JPEG's own ceiling, and far beyond any camera.
const MAX_DECODED_SIDE: u32 = 65_535;
/// Room for a decoder's own tables and buffers, beyond the decoded pixels.
const DECODER_SLACK: u64 = 64 << 20;
/// Bilinear (a triangle filter), measured on a 12 MP photo scaled to 2560 px: ~24 ms of CPU,
/// against ~20 ms for a box filter and ~30 ms for Lanczos3; but the box keeps more of the sensor
/// noise, so the JPEG came out 36% bigger and took as long in all.
const FILTER: ResizeAlg = ResizeAlg::Convolution(FilterType::Bilinear);

/// Decodes `bytes` (JPEG, PNG, GIF or WebP, told from the bytes themselves), refusing more than
/// `max_pixels` before decoding anything, and makes the stored picture and its thumbnail.
pub fn process(bytes: &[u8], max_pixels: u64) -> Result<Picture, PictureError> {
    // The decoders are third-party code fed whatever was uploaded: should one of them panic,
    // that is an unreadable picture, not a crash of the upload.
    std::panic::catch_unwind(|| process_unguarded(bytes, max_pixels)).unwrap_or(Err(PictureError::Unreadable))
}

fn process_unguarded(bytes: &[u8], max_pixels: u64) -> Result<Picture, PictureError> {
    let format = ImageReader::new(Cursor::new(bytes)).with_guessed_format().ok().and_then(|reader| reader.format());
    let format = match format {
        Some(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::Gif | ImageFormat::WebP)) => f,
        _ => return Err(PictureError::Unreadable),
    };
    if let Some((width, height)) = claimed_size(format, bytes) {
        check_size(width, height, max_pixels)?;
    }
    let limits = limits(max_pixels);
    let image = if format == ImageFormat::Gif {
        match animation::process(bytes, limits, max_pixels)? {
            animation::Gif::Animated(picture) => return Ok(picture),
            animation::Gif::Still(first_frame) => DynamicImage::ImageRgba8(first_frame),
        }
    } else {
        decode_upright(bytes, format, limits, max_pixels)?
    };
    let pixels = Pixels::from(image);
    let transparent = matches!(pixels, Pixels::Rgba(_));
    let (width, height) = fit(pixels.dimensions(), MAX_SIDE);
    let pixels = if (width, height) == pixels.dimensions() { pixels } else { pixels.resized(width, height)? };
    let bytes = if transparent || matches!(format, ImageFormat::Png | ImageFormat::Gif) {
        Encoded { bytes: pixels.png(png::CompressionType::Default)?, mime: "image/png" }
    } else {
        Encoded { bytes: pixels.jpeg(JPEG_QUALITY)?, mime: "image/jpeg" }
    };
    let (thumb, placeholder) = thumbnail(&pixels)?;
    Ok(Picture { bytes: bytes.bytes, mime: bytes.mime, width, height, thumb: thumb.bytes, thumb_mime: thumb.mime, placeholder })
}

/// The size a PNG or GIF header states, read at its fixed place: their decoders read on past
/// the header before telling the size, and a file that is nothing but a huge header must still
/// be refused as too big. (JPEG and WebP decoders tell it from the header alone.)
fn claimed_size(format: ImageFormat, bytes: &[u8]) -> Option<(u32, u32)> {
    let be = |at: usize| Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    let le = |at: usize| Some(u32::from(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?)));
    match format {
        // Signature (8), then the IHDR chunk: length (4), type (4), width, height.
        ImageFormat::Png if bytes.get(12..16) == Some(b"IHDR") => Some((be(16)?, be(20)?)),
        // "GIF89a", then the logical screen's width and height.
        ImageFormat::Gif => Some((le(6)?, le(8)?)),
        _ => None,
    }
}

fn check_size(width: u32, height: u32, max_pixels: u64) -> Result<(), PictureError> {
    if width == 0 || height == 0 {
        return Err(PictureError::Unreadable);
    }
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(PictureError::TooManyPixels { max_pixels });
    }
    Ok(())
}

/// Bounds what a decoder may allocate, so a header that lies about the size cannot make it
/// allocate more than an honest picture of `max_pixels` would.
fn limits(max_pixels: u64) -> Limits {
    let mut limits = Limits::default();
    let side = u32::try_from(max_pixels).unwrap_or(u32::MAX).min(MAX_DECODED_SIDE);
    limits.max_image_width = Some(side);
    limits.max_image_height = Some(side);
    // The decoded buffer at its widest (16-bit RGBA: 8 bytes a pixel), and the decoder's own.
    limits.max_alloc = Some(max_pixels.saturating_mul(8).saturating_add(DECODER_SLACK));
    limits
}

/// A header past the limits is too big a picture; any other failure, an unreadable one.
fn refusal(max_pixels: u64) -> impl Fn(ImageError) -> PictureError {
    move |e| match e {
        ImageError::Limits(_) => PictureError::TooManyPixels { max_pixels },
        _ => PictureError::Unreadable,
    }
}

/// Checks the size from the header, then decodes and applies the EXIF orientation.
fn decode_upright(bytes: &[u8], format: ImageFormat, limits: Limits, max_pixels: u64) -> Result<DynamicImage, PictureError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refusal(max_pixels))?;
    let (width, height) = decoder.dimensions();
    check_size(width, height, max_pixels)?;
    // Unreadable EXIF is no reason to refuse the picture: it is then shown as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|_| PictureError::Unreadable)?;
    image.apply_orientation(orientation);
    Ok(image)
}

struct Encoded {
    bytes: Vec<u8>,
    mime: &'static str,
}

/// 8-bit pixels, with an alpha channel only when some pixel is not fully opaque.
enum Pixels {
    Rgb(RgbImage),
    Rgba(RgbaImage),
}

impl From<DynamicImage> for Pixels {
    fn from(image: DynamicImage) -> Self {
        if !image.color().has_alpha() {
            return Pixels::Rgb(image.into_rgb8());
        }
        let rgba = image.into_rgba8();
        if rgba.pixels().any(|p| p[3] < u8::MAX) {
            Pixels::Rgba(rgba)
        } else {
            Pixels::Rgb(DynamicImage::ImageRgba8(rgba).into_rgb8())
        }
    }
}

impl Pixels {
    fn dimensions(&self) -> (u32, u32) {
        match self {
            Pixels::Rgb(p) => p.dimensions(),
            Pixels::Rgba(p) => p.dimensions(),
        }
    }

    fn raw(&self) -> (&[u8], PixelType, ExtendedColorType) {
        match self {
            Pixels::Rgb(p) => (p.as_raw(), PixelType::U8x3, ExtendedColorType::Rgb8),
            Pixels::Rgba(p) => (p.as_raw(), PixelType::U8x4, ExtendedColorType::Rgba8),
        }
    }

    /// Scaled to exactly `to_width`×`to_height` with `FILTER`.
    fn resized(&self, to_width: u32, to_height: u32) -> Result<Pixels, PictureError> {
        let (width, height) = self.dimensions();
        let (raw, pixel_type, _) = self.raw();
        let source = ImageRef::new(width, height, raw, pixel_type).map_err(|_| PictureError::Unreadable)?;
        let mut scaled = Image::new(to_width, to_height, pixel_type);
        // Alpha is premultiplied while resizing (the default), so transparent pixels' colours do
        // not bleed into their neighbours.
        Resizer::new().resize(&source, &mut scaled, &ResizeOptions::new().resize_alg(FILTER)).map_err(|_| PictureError::Unreadable)?;
        let buffer = scaled.into_vec();
        let pixels = match self {
            Pixels::Rgb(_) => RgbImage::from_raw(to_width, to_height, buffer).map(Pixels::Rgb),
            Pixels::Rgba(_) => RgbaImage::from_raw(to_width, to_height, buffer).map(Pixels::Rgba),
        };
        pixels.ok_or(PictureError::Unreadable)
    }

    fn png(&self, compression: png::CompressionType) -> Result<Vec<u8>, PictureError> {
        let (width, height) = self.dimensions();
        let (raw, _, color) = self.raw();
        let mut out = Vec::new();
        let encoder = PngEncoder::new_with_quality(&mut out, compression, png::FilterType::Adaptive);
        encoder.write_image(raw, width, height, color).map_err(|_| PictureError::Unreadable)?;
        Ok(out)
    }

    /// Baseline JPEG, 4:2:0 chroma as cameras write it, the standard Huffman tables. (Optimised
    /// tables would be ~15% smaller, but zune-jpeg, the `image` crate's decoder, misreads them on
    /// flat pictures where libjpeg-turbo does not: a pure blue came back green.) Only ever called
    /// on pixels within `MAX_SIDE`.
    fn jpeg(&self, quality: u8) -> Result<Vec<u8>, PictureError> {
        let Pixels::Rgb(rgb) = self else { return Err(PictureError::Unreadable) };
        let width = u16::try_from(rgb.width()).map_err(|_| PictureError::Unreadable)?;
        let height = u16::try_from(rgb.height()).map_err(|_| PictureError::Unreadable)?;
        let mut out = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
        encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
        encoder.set_optimized_huffman_tables(false);
        encoder.encode(rgb.as_raw(), width, height, jpeg_encoder::ColorType::Rgb).map_err(|_| PictureError::Unreadable)?;
        Ok(out)
    }
}

/// The size that fits within `side` on the longer side, keeping the aspect; never larger.
fn fit((width, height): (u32, u32), side: u32) -> (u32, u32) {
    let longer = width.max(height);
    if longer <= side {
        return (width, height);
    }
    let scale = |n: u32| ((f64::from(n) * f64::from(side) / f64::from(longer)).round() as u32).clamp(1, side);
    (scale(width), scale(height))
}

/// The thumbnail (JPEG, or PNG when transparent) and the placeholder colour, from its pixels.
fn thumbnail(pixels: &Pixels) -> Result<(Encoded, String), PictureError> {
    let (width, height) = fit(pixels.dimensions(), THUMB_SIDE);
    let scaled;
    let small = if (width, height) == pixels.dimensions() {
        pixels
    } else {
        scaled = pixels.resized(width, height)?;
        &scaled
    };
    let placeholder = average_colour(small);
    let encoded = match small {
        Pixels::Rgb(_) => Encoded { bytes: small.jpeg(THUMB_QUALITY)?, mime: "image/jpeg" },
        Pixels::Rgba(_) => Encoded { bytes: small.png(png::CompressionType::Fast)?, mime: "image/png" },
    };
    Ok((encoded, placeholder))
}

/// The mean colour, each pixel weighted by its opacity (a fully transparent picture: plain mean).
fn average_colour(pixels: &Pixels) -> String {
    let (raw, pixel_type, _) = pixels.raw();
    let channels = pixel_type.size();
    let mut sums = [0u64; 3];
    let mut weight = 0u64;
    let mut plain = [0u64; 3];
    for pixel in raw.chunks_exact(channels) {
        let alpha = if channels == 4 { u64::from(pixel[3]) } else { 255 };
        for ((sum, plain), &value) in sums.iter_mut().zip(&mut plain).zip(&pixel[..3]) {
            *sum += u64::from(value) * alpha;
            *plain += u64::from(value);
        }
        weight += alpha;
    }
    let count = (raw.len() / channels).max(1) as u64;
    let mean = |c: usize| if weight > 0 { (sums[c] + weight / 2) / weight } else { (plain[c] + count / 2) / count };
    format!("#{:02x}{:02x}{:02x}", mean(0), mean(1), mean(2))
}
