//! Animated GIFs keep their animation, re-encoded frame by frame from decoded pixels (so no
//! comment or application extension of the original survives), when the animation fits:
//! a canvas within `MAX_SIDE` and all frames together within the pixel budget, which bounds the
//! work (each frame is decoded, compared and compressed again). Frames are read and written one
//! at a time, so memory stays at a few canvases whatever the length. Anything else becomes its
//! first frame, a still picture.
use std::io::Cursor;

use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
use image::metadata::LoopCount;
use image::{AnimationDecoder, ImageDecoder, Limits, RgbaImage};

use super::{MAX_SIDE, Picture, PictureError, Pixels, check_size, refusal, thumbnail};

/// How hard the encoder works on frames of more than 256 colours (1 best … 30 fastest); frames
/// decoded from a GIF have at most 256 and get an exact palette without it.
const QUANTISE_SPEED: i32 = 10;

pub(super) enum Gif {
    Animated(Picture),
    /// A single frame, or an animation that does not fit: its first frame, full canvas.
    Still(RgbaImage),
}

pub(super) fn process(bytes: &[u8], limits: Limits, max_pixels: u64) -> Result<Gif, PictureError> {
    let mut decoder = GifDecoder::new(Cursor::new(bytes)).map_err(refusal(max_pixels))?;
    let (width, height) = decoder.dimensions();
    check_size(width, height, max_pixels)?;
    decoder.set_limits(limits).map_err(refusal(max_pixels))?;
    let repeat = match decoder.loop_count() {
        LoopCount::Finite(n) => Repeat::Finite(u16::try_from(n.get()).unwrap_or(u16::MAX)),
        LoopCount::Infinite => Repeat::Infinite,
    };
    let mut frames = decoder.into_frames();
    let first = frames.next().ok_or(PictureError::Unreadable)?.map_err(|_| PictureError::Unreadable)?;
    let Some(Ok(second)) = frames.next() else {
        return Ok(Gif::Still(first.into_buffer()));
    };
    let canvas = u64::from(width) * u64::from(height);
    if width.max(height) > MAX_SIDE || canvas.saturating_mul(2) > max_pixels {
        return Ok(Gif::Still(first.into_buffer()));
    }
    let still = first.buffer().clone();
    let mut out = Vec::new();
    {
        let mut encoder = GifEncoder::new_with_speed(&mut out, QUANTISE_SPEED);
        let failed = |_| PictureError::Unreadable;
        encoder.set_repeat(repeat).map_err(failed)?;
        encoder.encode_frame(first).map_err(failed)?;
        encoder.encode_frame(second).map_err(failed)?;
        let mut decoded = canvas * 2;
        for frame in frames {
            decoded += canvas;
            match frame {
                Ok(frame) if decoded <= max_pixels => encoder.encode_frame(frame).map_err(failed)?,
                // Past the budget, or damaged further on: the first frame, still.
                _ => return Ok(Gif::Still(still)),
            }
        }
    }
    let (thumb, placeholder) = thumbnail(&Pixels::from(image::DynamicImage::ImageRgba8(still)))?;
    Ok(Gif::Animated(Picture {
        bytes: out,
        mime: "image/gif",
        width,
        height,
        thumb: thumb.bytes,
        thumb_mime: thumb.mime,
        placeholder,
    }))
}
