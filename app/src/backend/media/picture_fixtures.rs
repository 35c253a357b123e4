//! Pictures for the tests, made in code: encoded with `image`, EXIF and PNG chunks written byte
//! by byte.
use image::codecs::gif::{GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::{Delay, DynamicImage, Frame, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

/// A tiny deterministic generator (xorshift), for noise and corruption.
pub struct Noise(pub u32);

impl Noise {
    pub fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0
    }
}

/// A gradient with noise: compresses like a photo, unlike a flat picture.
pub fn photo(width: u32, height: u32) -> RgbImage {
    let mut noise = Noise(0x9e37_79b9);
    RgbImage::from_fn(width, height, |x, y| {
        let n = (noise.next() % 24) as i32 - 12;
        let channel = |v: u32, of: u32| ((v * 255 / of.max(1)) as i32 + n).clamp(0, 255) as u8;
        Rgb([channel(x, width), channel(y, height), channel(x + y, width + height)])
    })
}

pub fn jpeg(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90).encode_image(image).unwrap();
    out
}

pub fn png(image: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive);
    encoder.write_image(image.as_bytes(), image.width(), image.height(), image.color().into()).unwrap();
    out
}

pub fn webp(image: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out).encode(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgba8).unwrap();
    out
}

/// An animated GIF of solid frames, one per colour.
pub fn gif(width: u32, height: u32, colours: &[[u8; 4]]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut out);
        encoder.set_repeat(Repeat::Infinite).unwrap();
        for colour in colours {
            let buffer = RgbaImage::from_pixel(width, height, Rgba(*colour));
            encoder.encode_frame(Frame::from_parts(buffer, 0, 0, Delay::from_numer_denom_ms(100, 1))).unwrap();
        }
    }
    out
}

pub fn decoded(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory(bytes).unwrap()
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

// EXIF, big-endian TIFF: IFD0 holds Orientation and a pointer to the GPS IFD, which holds a
// position. Offsets count from the TIFF header.
pub const GPS_IFD_AT: u32 = 8 + 2 + 2 * 12 + 4;
pub const LATITUDE_AT: u32 = GPS_IFD_AT + 2 + 5 * 12 + 4;
pub const LONGITUDE_AT: u32 = LATITUDE_AT + 24;
/// 48° 51' 29.65" N, 2° 17' 40.11" E, as EXIF rationals: what must not leak.
pub const LATITUDE: [(u32, u32); 3] = [(48, 1), (51, 1), (2965, 100)];
pub const LONGITUDE: [(u32, u32); 3] = [(2, 1), (17, 1), (4011, 100)];

pub fn rationals(values: [(u32, u32); 3]) -> Vec<u8> {
    values.iter().flat_map(|(n, d)| [n.to_be_bytes(), d.to_be_bytes()].concat()).collect()
}

pub fn ifd_entry(tag: u16, kind: u16, count: u32, value: [u8; 4]) -> Vec<u8> {
    [&tag.to_be_bytes()[..], &kind.to_be_bytes(), &count.to_be_bytes(), &value].concat()
}

/// The TIFF structure of an EXIF block: orientation `orientation`, and a GPS position.
pub fn exif_tiff(orientation: u16) -> Vec<u8> {
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const ASCII: u16 = 2;
    const BYTE: u16 = 1;
    const RATIONAL: u16 = 5;
    let o = orientation.to_be_bytes();
    let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    tiff.extend(2u16.to_be_bytes());
    tiff.extend(ifd_entry(0x0112, SHORT, 1, [o[0], o[1], 0, 0]));
    tiff.extend(ifd_entry(0x8825, LONG, 1, GPS_IFD_AT.to_be_bytes()));
    tiff.extend(0u32.to_be_bytes());
    assert_eq!(tiff.len() as u32, GPS_IFD_AT);
    tiff.extend(5u16.to_be_bytes());
    tiff.extend(ifd_entry(0x0000, BYTE, 4, [2, 3, 0, 0]));
    tiff.extend(ifd_entry(0x0001, ASCII, 2, *b"N\0\0\0"));
    tiff.extend(ifd_entry(0x0002, RATIONAL, 3, LATITUDE_AT.to_be_bytes()));
    tiff.extend(ifd_entry(0x0003, ASCII, 2, *b"E\0\0\0"));
    tiff.extend(ifd_entry(0x0004, RATIONAL, 3, LONGITUDE_AT.to_be_bytes()));
    tiff.extend(0u32.to_be_bytes());
    assert_eq!(tiff.len() as u32, LATITUDE_AT);
    tiff.extend(rationals(LATITUDE));
    tiff.extend(rationals(LONGITUDE));
    tiff
}

/// `jpeg` with an APP1 EXIF segment right after its SOI marker.
pub fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let payload = [b"Exif\0\0".to_vec(), exif_tiff(orientation)].concat();
    let length = u16::try_from(payload.len() + 2).unwrap().to_be_bytes();
    [&jpeg[..2], &[0xff, 0xe1], &length, &payload, &jpeg[2..]].concat()
}

pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let crc = crc32(&[&kind[..], data].concat()).to_be_bytes();
    [&(data.len() as u32).to_be_bytes()[..], kind, data, &crc].concat()
}

/// A PNG signature and IHDR chunk (8-bit RGBA) and nothing more.
pub fn png_header(width: u32, height: u32) -> Vec<u8> {
    let ihdr = [&width.to_be_bytes()[..], &height.to_be_bytes(), &[8, 6, 0, 0, 0]].concat();
    [&b"\x89PNG\r\n\x1a\n"[..], &png_chunk(b"IHDR", &ihdr)].concat()
}

/// A left half red and a right half blue: where each half ends up shows the rotation.
pub fn halves(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, _| if x < width / 2 { Rgb([255, 0, 0]) } else { Rgb([0, 0, 255]) })
}

pub fn is_reddish(p: Rgb<u8>) -> bool {
    p[0] > 200 && p[1] < 60 && p[2] < 60
}

pub fn is_bluish(p: Rgb<u8>) -> bool {
    p[2] > 200 && p[0] < 60 && p[1] < 60
}
