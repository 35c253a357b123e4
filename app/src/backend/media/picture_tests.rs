//! The fixtures are made in code (`picture_fixtures.rs`): no binary files.
#[path = "picture_fixtures.rs"]
mod fixtures;

use std::io::Cursor;
use std::time::{Duration, Instant};

use image::codecs::gif::GifDecoder;
use image::{AnimationDecoder, Delay, DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

use super::{MAX_SIDE, Picture, PictureError, THUMB_SIDE, process, process_unguarded};
use fixtures::*;

/// What the upload service passes.
const MAX_PIXELS: u64 = 40_000_000;

fn assert_no_metadata(output: &[u8], what: &str) {
    assert!(!contains(output, b"Exif"), "{what}: an Exif block survived");
    assert!(!contains(output, &rationals(LATITUDE)), "{what}: the latitude survived");
    assert!(!contains(output, &rationals(LONGITUDE)), "{what}: the longitude survived");
    assert!(!contains(output, &exif_tiff(6)[GPS_IFD_AT as usize..LATITUDE_AT as usize]), "{what}: the GPS IFD survived");
}

#[test]
fn a_jpeg_is_turned_upright_and_keeps_no_exif_or_gps() {
    let input = with_exif(&jpeg(&halves(40, 20)), 6);
    assert!(contains(&input, b"Exif") && contains(&input, &rationals(LATITUDE)), "the fixture carries EXIF and GPS");
    let picture = process(&input, MAX_PIXELS).unwrap();
    assert_eq!(picture.mime, "image/jpeg");
    assert_eq!((picture.width, picture.height), (20, 40), "orientation 6 turns 40×20 into 20×40");
    let out = decoded(&picture.bytes).into_rgb8();
    assert_eq!(out.dimensions(), (20, 40));
    // Orientation 6: stored rotated a quarter turn anticlockwise, so the stored left (red) is
    // the displayed top.
    assert!(is_reddish(*out.get_pixel(10, 5)), "top: {:?}", out.get_pixel(10, 5));
    assert!(is_bluish(*out.get_pixel(10, 35)), "bottom: {:?}", out.get_pixel(10, 35));
    for (bytes, what) in [(&picture.bytes, "picture"), (&picture.thumb, "thumbnail")] {
        assert_no_metadata(bytes, what);
        // No APP1 segment at all (0xFF is always escaped inside the compressed data).
        assert!(!contains(bytes, &[0xff, 0xe1]), "{what}: an APP1 segment survived");
    }
}

#[test]
fn a_png_is_turned_upright_by_its_exif_chunk_and_keeps_no_text_or_exif() {
    let original = png(&DynamicImage::ImageRgb8(halves(40, 20)));
    // After IHDR (8 + 25 bytes): an eXIf chunk with orientation 6 and GPS, and a comment.
    let extra = [png_chunk(b"eXIf", &exif_tiff(6)), png_chunk(b"tEXt", b"Comment\0secret place")].concat();
    let input = [&original[..33], &extra, &original[33..]].concat();
    let picture = process(&input, MAX_PIXELS).unwrap();
    assert_eq!((picture.mime, picture.width, picture.height), ("image/png", 20, 40));
    let out = decoded(&picture.bytes).into_rgb8();
    assert!(is_reddish(*out.get_pixel(10, 5)) && is_bluish(*out.get_pixel(10, 35)));
    for bytes in [&picture.bytes, &picture.thumb] {
        assert_no_metadata(bytes, "png");
        assert!(!contains(bytes, b"eXIf") && !contains(bytes, b"tEXt") && !contains(bytes, b"secret"));
    }
}

#[test]
fn a_png_with_transparency_stays_a_png_with_it() {
    let image = RgbaImage::from_fn(30, 30, |x, _| if x < 15 { Rgba([0, 128, 0, 255]) } else { Rgba([200, 10, 10, 128]) });
    let picture = process(&png(&DynamicImage::ImageRgba8(image)), MAX_PIXELS).unwrap();
    assert_eq!((picture.mime, picture.thumb_mime), ("image/png", "image/png"));
    let out = decoded(&picture.bytes);
    assert!(out.color().has_alpha());
    assert_eq!(*out.to_rgba8().get_pixel(25, 10), Rgba([200, 10, 10, 128]), "kept exactly: no scaling, lossless");
    assert!(decoded(&picture.thumb).color().has_alpha());
}

#[test]
fn an_opaque_png_stays_a_png_without_an_alpha_channel_and_its_thumbnail_is_a_jpeg() {
    let image = RgbaImage::from_fn(400, 200, |x, y| Rgba([(x % 256) as u8, (y % 256) as u8, 90, 255]));
    let picture = process(&png(&DynamicImage::ImageRgba8(image)), MAX_PIXELS).unwrap();
    assert_eq!((picture.mime, picture.thumb_mime), ("image/png", "image/jpeg"));
    assert!(!decoded(&picture.bytes).color().has_alpha());
}

#[test]
fn a_webp_becomes_a_jpeg_when_opaque_and_a_png_when_transparent() {
    let opaque = RgbaImage::from_pixel(50, 40, Rgba([10, 20, 200, 255]));
    let picture = process(&webp(&opaque), MAX_PIXELS).unwrap();
    assert_eq!((picture.mime, picture.width, picture.height), ("image/jpeg", 50, 40));
    let mut clear = opaque.clone();
    clear.put_pixel(3, 3, Rgba([0, 0, 0, 0]));
    let picture = process(&webp(&clear), MAX_PIXELS).unwrap();
    assert_eq!(picture.mime, "image/png");
    assert_eq!(decoded(&picture.bytes).to_rgba8().get_pixel(3, 3)[3], 0);
}

#[test]
fn an_animated_gif_keeps_its_frames_and_a_still_one_becomes_a_png() {
    let colours = [[255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255]];
    let picture = process(&gif(40, 30, &colours), MAX_PIXELS).unwrap();
    assert_eq!((picture.mime, picture.width, picture.height), ("image/gif", 40, 30));
    let frames = GifDecoder::new(Cursor::new(&picture.bytes)).unwrap().into_frames().collect_frames().unwrap();
    let firsts: Vec<[u8; 4]> = frames.iter().map(|f| f.buffer().get_pixel(5, 5).0).collect();
    assert_eq!(firsts, colours);
    assert_eq!(frames[1].delay(), Delay::from_numer_denom_ms(100, 1));
    assert_eq!((picture.thumb_mime, picture.placeholder.as_str()), ("image/jpeg", "#ff0000"), "from the first frame");

    let still = process(&gif(40, 30, &colours[..1]), MAX_PIXELS).unwrap();
    assert_eq!((still.mime, still.width, still.height), ("image/png", 40, 30));
}

#[test]
fn an_animation_beyond_the_pixel_budget_becomes_its_first_frame() {
    let colours: Vec<[u8; 4]> = (0..10).map(|i| [i * 20, 0, 0, 255]).collect();
    // 10 frames of 1,200 pixels: 12,000 decoded in all, over a budget of 5,000.
    let picture = process(&gif(40, 30, &colours), 5_000).unwrap();
    assert_eq!(picture.mime, "image/png");
    assert_eq!(decoded(&picture.bytes).to_rgb8().get_pixel(0, 0).0, [0, 0, 0]);
    let picture = process(&gif(40, 30, &colours), 12_000).unwrap();
    assert_eq!(picture.mime, "image/gif", "exactly the budget is within it");
}

#[test]
fn thumbnails_and_stored_pictures_fit_their_sides_keep_the_aspect_and_are_never_upscaled() {
    let cases = [
        ((1000, 500), (1000, 500), (320, 160)),
        ((100, 50), (100, 50), (100, 50)),
        ((320, 100), (320, 100), (320, 100)),
        ((5000, 2500), (MAX_SIDE, 1280), (THUMB_SIDE, 160)),
        ((3000, 100), (MAX_SIDE, 85), (THUMB_SIDE, 11)),
        ((300, 4000), (192, MAX_SIDE), (24, THUMB_SIDE)),
        ((1, 10_000), (1, MAX_SIDE), (1, THUMB_SIDE)),
    ];
    for ((w, h), stored, thumb) in cases {
        let image = RgbImage::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 0]));
        for (input, kind) in [(png(&DynamicImage::ImageRgb8(image.clone())), "png"), (jpeg(&image), "jpeg")] {
            let picture: Picture = process(&input, MAX_PIXELS).unwrap();
            assert_eq!((picture.width, picture.height), stored, "{kind} {w}×{h}");
            assert_eq!(decoded(&picture.bytes).into_rgb8().dimensions(), stored, "{kind} {w}×{h}");
            assert_eq!(decoded(&picture.thumb).into_rgb8().dimensions(), thumb, "{kind} {w}×{h} thumbnail");
        }
    }
}

#[test]
fn a_big_photo_is_scaled_to_the_longest_side_as_a_jpeg() {
    let picture = process(&jpeg(&photo(3000, 2000)), MAX_PIXELS).unwrap();
    assert_eq!((picture.mime, picture.width, picture.height), ("image/jpeg", MAX_SIDE, 1707));
    let out = decoded(&picture.bytes);
    assert_eq!((out.width(), out.height()), (MAX_SIDE, 1707));
    let thumb = image::ImageReader::new(Cursor::new(&picture.thumb)).with_guessed_format().unwrap();
    assert_eq!(thumb.format(), Some(ImageFormat::Jpeg));
}

#[test]
fn stored_jpegs_keep_their_colours_whatever_the_size() {
    for (w, h) in [(20, 40), (64, 64), (333, 111), (3000, 1000)] {
        let split = RgbImage::from_fn(w, h, |_, y| if y < h / 2 { Rgb([255, 0, 0]) } else { Rgb([0, 0, 255]) });
        let picture = process(&jpeg(&split), MAX_PIXELS).unwrap();
        for bytes in [&picture.bytes, &picture.thumb] {
            let out = decoded(bytes).into_rgb8();
            let (x, bottom) = (out.width() / 2, out.height() - 2);
            assert!(is_reddish(*out.get_pixel(x, 1)), "{w}×{h}: top {:?}", out.get_pixel(x, 1));
            assert!(is_bluish(*out.get_pixel(x, bottom)), "{w}×{h}: bottom {:?}", out.get_pixel(x, bottom));
        }
    }
}

#[test]
fn the_placeholder_is_the_average_colour() {
    let red = RgbImage::from_pixel(64, 64, Rgb([255, 0, 0]));
    let picture = process(&png(&DynamicImage::ImageRgb8(red.clone())), MAX_PIXELS).unwrap();
    assert_eq!(picture.placeholder, "#ff0000");
    // From a JPEG the decoded red is off by JPEG's colour rounding, a few units at most.
    let picture = process(&jpeg(&red), MAX_PIXELS).unwrap();
    let p = &picture.placeholder;
    assert!(p.len() == 7 && p.starts_with('#') && p == &p.to_lowercase(), "{p}");
    let channel = |i: usize| u8::from_str_radix(&p[1 + 2 * i..3 + 2 * i], 16).unwrap();
    assert!(channel(0) >= 250 && channel(1) <= 5 && channel(2) <= 5, "{p}");
    // Half black, half white: grey. Transparent pixels do not count.
    let split = RgbImage::from_fn(64, 64, |x, _| if x < 32 { Rgb([0, 0, 0]) } else { Rgb([255, 255, 255]) });
    assert_eq!(process(&png(&DynamicImage::ImageRgb8(split)), MAX_PIXELS).unwrap().placeholder, "#808080");
    let hidden = RgbaImage::from_fn(10, 10, |x, _| if x < 5 { Rgba([0, 0, 255, 255]) } else { Rgba([255, 0, 0, 0]) });
    assert_eq!(process(&png(&DynamicImage::ImageRgba8(hidden)), MAX_PIXELS).unwrap().placeholder, "#0000ff");
}

/// Each header claims a picture far beyond the budget; the data behind it is small or absent.
#[test]
fn decompression_bombs_are_refused_from_their_headers_quickly() {
    let too_many = Err(PictureError::TooManyPixels { max_pixels: MAX_PIXELS });
    let start = Instant::now();
    assert_eq!(process(&png_header(50_000, 50_000), MAX_PIXELS).map(drop), too_many);
    assert_eq!(process(&png_header(100_000, 100_000), MAX_PIXELS).map(drop), too_many);
    // A real PNG whose IHDR says 50000×50000 in front of its small data.
    let mut big_png = png(&DynamicImage::ImageRgb8(photo(64, 64)));
    big_png[16..24].copy_from_slice(&[50_000u32.to_be_bytes(), 50_000u32.to_be_bytes()].concat());
    assert_eq!(process(&big_png, MAX_PIXELS).map(drop), too_many);
    // A real JPEG whose frame header says 60000×60000.
    let mut big_jpeg = jpeg(&photo(64, 64));
    let sof = big_jpeg.windows(2).position(|w| w == [0xff, 0xc0]).expect("a baseline frame header");
    big_jpeg[sof + 5..sof + 9].copy_from_slice(&[60_000u16.to_be_bytes(), 60_000u16.to_be_bytes()].concat());
    assert_eq!(process(&big_jpeg, MAX_PIXELS).map(drop), too_many);
    // A GIF whose screen is 65535×65535, and a lossless WebP of 16384×16384.
    let mut big_gif = gif(8, 8, &[[1, 2, 3, 255]]);
    big_gif[6..10].copy_from_slice(&[0xff; 4]);
    assert_eq!(process(&big_gif, MAX_PIXELS).map(drop), too_many);
    let mut big_webp = webp(&RgbaImage::from_pixel(8, 8, Rgba([1, 2, 3, 255])));
    assert_eq!(&big_webp[12..16], b"VP8L", "a simple lossless WebP");
    // Width − 1 and height − 1 in 14 bits each: 16383×16383.
    let header = u32::from_le_bytes(big_webp[21..25].try_into().unwrap()) & !((1 << 28) - 1);
    big_webp[21..25].copy_from_slice(&(header | 0x3ffe | (0x3ffe << 14)).to_le_bytes());
    assert_eq!(process(&big_webp, MAX_PIXELS).map(drop), too_many);
    assert!(start.elapsed() < Duration::from_secs(1), "refused in {:?}", start.elapsed());
    // The budget is the caller's: 64×64 is too many for 4,000.
    assert_eq!(process(&png(&DynamicImage::ImageRgb8(photo(64, 64))), 4_000).map(drop), Err(PictureError::TooManyPixels { max_pixels: 4_000 }));
}

#[test]
fn what_is_not_a_picture_we_read_is_unreadable() {
    let mut noise = Noise(7);
    let random: Vec<u8> = (0..4096).map(|_| noise.next() as u8).collect();
    let bmp = [&b"BM"[..], &[0; 60]].concat();
    let tiff = [&b"II*\0"[..], &[0; 60]].concat();
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>".to_vec();
    for (bytes, what) in [(vec![], "nothing"), (b"hello".to_vec(), "text"), (random, "noise"), (bmp, "bmp"), (tiff, "tiff"), (svg, "svg"), (png_header(0, 10), "zero width")] {
        assert_eq!(process(&bytes, MAX_PIXELS).map(drop), Err(PictureError::Unreadable), "{what}");
    }
}

/// Truncated and corrupted files, run without the panic guard so a decoder panic fails here.
#[test]
fn truncated_and_corrupted_files_never_panic() {
    let samples = [
        ("jpeg", with_exif(&jpeg(&photo(64, 48)), 6)),
        ("png", png(&DynamicImage::ImageRgba8(RgbaImage::from_fn(40, 30, |x, y| Rgba([x as u8 * 6, y as u8 * 8, 7, 200]))))),
        ("gif", gif(24, 16, &[[255, 0, 0, 255], [0, 0, 255, 128], [0, 255, 0, 255]])),
        ("webp", webp(&RgbaImage::from_fn(40, 30, |x, y| Rgba([x as u8, y as u8, 9, 255])))),
    ];
    let mut noise = Noise(0x1234_5678);
    for (kind, bytes) in &samples {
        assert!(process_unguarded(bytes, MAX_PIXELS).is_ok(), "{kind}: the intact sample reads");
        for cut in (0..bytes.len()).step_by((bytes.len() / 200).max(1)) {
            let result = process_unguarded(&bytes[..cut], MAX_PIXELS);
            assert!(matches!(result, Ok(_) | Err(PictureError::Unreadable)), "{kind} cut at {cut}: {:?}", result.map(drop));
        }
        for _ in 0..300 {
            let mut mangled = bytes.clone();
            for _ in 0..1 + noise.next() % 8 {
                let at = noise.next() as usize % mangled.len();
                mangled[at] = noise.next() as u8;
            }
            // Any outcome but a panic: a flipped header byte may well claim a huge size.
            let _ = process_unguarded(&mangled, MAX_PIXELS);
        }
    }
}

#[test]
fn sixteen_bit_and_grey_pictures_are_read() {
    let deep = DynamicImage::ImageRgba16(image::ImageBuffer::from_pixel(20, 10, Rgba([65535, 0, 0, 65535])));
    let picture = process(&png(&deep), MAX_PIXELS).unwrap();
    assert_eq!((picture.mime, picture.width, picture.height, picture.placeholder.as_str()), ("image/png", 20, 10, "#ff0000"));
    let grey = DynamicImage::ImageLuma8(image::GrayImage::from_pixel(20, 10, image::Luma([128])));
    let mut bytes = Vec::new();
    grey.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Jpeg).unwrap();
    let picture = process(&bytes, MAX_PIXELS).unwrap();
    assert_eq!((picture.mime, picture.width, picture.height), ("image/jpeg", 20, 10));
}
