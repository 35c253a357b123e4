//! Pictures: the time to re-encode and thumbnail an uploaded photo (`picture::process`: decode,
//! orientation, scale to 2560 px, JPEG, thumbnail, placeholder) on one thread, beside the time
//! to only decode the same JPEG, so the ratio shows what the re-encoding adds. In-process: no
//! server.
use std::time::Instant;

use app::backend::media::picture::{self, Picture};
use hdrhistogram::Histogram;
use image::{Rgb, RgbImage};

use super::{param, pick, report};
use crate::{
    Common,
    report::{Goal, Metric, Report, curve, load_average},
    traffic::{bar, histogram},
};

#[derive(clap::Args, Debug, Clone, Default)]
pub struct Args {
    /// Timed runs of each [default: 30; --quick: 3]
    #[arg(long)]
    pub runs: Option<usize>,
    /// Photo width in pixels [default: 4000; --quick: 800]
    #[arg(long)]
    pub width: Option<u32>,
    /// Photo height in pixels [default: 3000; --quick: 600]
    #[arg(long)]
    pub height: Option<u32>,
}

/// The target: a 12-megapixel JPEG re-encoded and thumbnailed within 150 ms on one core.
const TARGET_MS: f64 = 150.0;
const TARGET_SIZE: (u32, u32) = (4000, 3000);
/// What the upload service allows.
const MAX_PIXELS: u64 = 40_000_000;
/// Untimed runs first: page faults of the first big allocations, cold caches.
const WARM_UP: usize = 2;

pub async fn run(common: &Common, args: &Args) -> Result<Report, String> {
    let runs = pick(args.runs, common.quick, 30, 3).max(1);
    let width = pick(args.width, common.quick, TARGET_SIZE.0, 800);
    let height = pick(args.height, common.quick, TARGET_SIZE.1, 600);
    let load_before = load_average();
    // All on one blocking thread: the measure is per core.
    let o = tokio::task::spawn_blocking(move || measure(width, height, runs)).await.map_err(|e| e.to_string())??;

    let megapixels = f64::from(width) * f64::from(height) / 1e6;
    let params = vec![param("photo", format!("{width}×{height} ({megapixels:.1} MP) JPEG, quality 90, 4:2:0")), param("runs", runs), param("threads", 1)];
    let command = format!("confab-bench pictures --runs {runs} --width {width} --height {height}");
    let mut r = report("pictures", "Pictures", load_before, params, command);
    r.columns = Some(("re-encode + thumbnail".into(), "decode only".into()));
    let goal = ((width, height) == TARGET_SIZE).then_some(Goal::AtMost(TARGET_MS));
    let ms = |h: &Histogram<u64>, q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    let p50 = Metric::new("time p50", ms(&o.process, 0.5), "ms").baseline(Some(ms(&o.decode, 0.5)));
    r.metrics.push(match goal {
        Some(goal) => p50.target(goal),
        None => p50,
    });
    r.metrics.push(Metric::new("time p95", ms(&o.process, 0.95), "ms").baseline(Some(ms(&o.decode, 0.95))));
    r.metrics.push(Metric::new("time max", o.process.max() as f64 / 1000.0, "ms").baseline(Some(o.decode.max() as f64 / 1000.0)));
    r.metrics.push(Metric::new("CPU time p50", ms(&o.process_cpu, 0.5), "ms").baseline(Some(ms(&o.decode_cpu, 0.5))));
    let kib = |n: usize| n as f64 / 1024.0;
    r.metrics.push(Metric::new("uploaded JPEG", kib(o.input_bytes), "KiB"));
    r.metrics.push(Metric::new(&format!("stored {} {}×{}", o.output.mime, o.output.width, o.output.height), kib(o.output.bytes.len()), "KiB"));
    r.metrics.push(Metric::new(&format!("thumbnail {}", o.output.thumb_mime), kib(o.output.thumb.len()), "KiB"));
    r.curves.push(curve("re-encode + thumbnail", &o.process));
    r.curves.push(curve("decode only", &o.decode));
    r.notes.push(format!(
        "The photo is made in memory: a colour gradient with per-pixel noise (flat pictures compress and decode \
         unrealistically fast), encoded at quality 90 with 4:2:0 chroma as phone cameras do. Each run calls \
         `picture::process` on its bytes on one thread (after {WARM_UP} untimed runs): decoding, the EXIF orientation, \
         scaling to at most {} px, encoding as JPEG at quality 82, the {} px thumbnail and the placeholder colour. \
         The second column decodes the same bytes with the `image` crate and nothing else, the floor under the first. \
         CPU time is the thread's own: below the elapsed time when other processes took the core.",
        picture::MAX_SIDE,
        picture::THUMB_SIDE
    ));
    r.load_after = load_average();
    Ok(r)
}

struct Outcome {
    /// Microseconds per run, elapsed and of the thread's CPU time.
    process: Histogram<u64>,
    decode: Histogram<u64>,
    process_cpu: Histogram<u64>,
    decode_cpu: Histogram<u64>,
    input_bytes: usize,
    output: Picture,
}

fn measure(width: u32, height: u32, runs: usize) -> Result<Outcome, String> {
    let input = photo_jpeg(width, height)?;
    let mut process = histogram();
    let mut decode = histogram();
    let (mut process_cpu, mut decode_cpu) = (histogram(), histogram());
    let mut output = None;
    let bar = bar((WARM_UP + runs) as u64, "pictures");
    for run in 0..WARM_UP + runs {
        let (start, cpu) = (Instant::now(), thread_cpu_micros());
        let picture = picture::process(&input, MAX_PIXELS).map_err(|e| format!("the photo was refused: {e}"))?;
        let (processed, processed_cpu) = (start.elapsed(), thread_cpu_micros() - cpu);
        let (start, cpu) = (Instant::now(), thread_cpu_micros());
        let decoded = image::load_from_memory(&input).map_err(|e| format!("decoding the photo: {e}"))?;
        let (decoded_in, decoded_cpu) = (start.elapsed(), thread_cpu_micros() - cpu);
        std::hint::black_box(decoded);
        if run >= WARM_UP {
            let _ = process.record(processed.as_micros().max(1) as u64);
            let _ = decode.record(decoded_in.as_micros().max(1) as u64);
            let _ = process_cpu.record(processed_cpu.max(1));
            let _ = decode_cpu.record(decoded_cpu.max(1));
        }
        output = Some(picture);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let output = output.ok_or("no run")?;
    Ok(Outcome { process, decode, process_cpu, decode_cpu, input_bytes: input.len(), output })
}

/// CPU time this thread has used, in µs.
fn thread_cpu_micros() -> u64 {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime only writes the struct passed to it.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    now.tv_sec as u64 * 1_000_000 + now.tv_nsec as u64 / 1_000
}

/// A photo-like JPEG: gradients in each channel, and noise on every pixel.
fn photo_jpeg(width: u32, height: u32) -> Result<Vec<u8>, String> {
    let mut seed = 0x2545_f491u32;
    let pixels = RgbImage::from_fn(width, height, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = |shift: u32| ((seed >> shift) % 25) as i32 - 12;
        let channel = |v: u32, of: u32, shift| ((v * 255 / of) as i32 + noise(shift)).clamp(0, 255) as u8;
        Rgb([channel(x, width, 0), channel(y, height, 8), channel(x + y, width + height, 16)])
    });
    let (w, h) = (u16::try_from(width).map_err(|_| "--width: at most 65535")?, u16::try_from(height).map_err(|_| "--height: at most 65535")?);
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
    encoder.encode(pixels.as_raw(), w, h, jpeg_encoder::ColorType::Rgb).map_err(|e| e.to_string())?;
    Ok(out)
}
