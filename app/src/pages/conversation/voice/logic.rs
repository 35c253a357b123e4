//! The voice notes' arithmetic, kept apart from the browser so it can be tested: limits, seeking,
//! playback speed, the level meter and the hold-to-record gesture.

/// Longest recording; the recorder stops by itself there (the server's limit too).
pub const MAX_RECORDING_MS: u32 = 15 * 60 * 1000;
/// Shorter than this is a tap, not a recording: it is dropped with a hint.
pub const MIN_RECORDING_MS: u32 = 500;
/// What MediaRecorder is asked for, best first; none supported means its default.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // only the browser records
pub const MIME_PREFERENCES: [&str; 2] = ["audio/webm;codecs=opus", "audio/mp4"];
/// How many level bars the recording bar shows (the newest on the right).
pub const LEVEL_BARS: usize = 64;
/// How far left a finger slides (CSS px) before the recording is cancelled.
pub const SLIDE_TO_CANCEL_PX: f64 = 110.0;
/// How far up a finger slides (CSS px) to lock the recording (hands free, stop with a button).
pub const SLIDE_TO_LOCK_PX: f64 = 80.0;

/// Where a pointer at `x` falls along a bar starting at `left`, `width` wide: 0.0 to 1.0.
pub fn seek_fraction(x: f64, left: f64, width: f64) -> f64 {
    if !(width > 0.0) {
        return 0.0;
    }
    ((x - left) / width).clamp(0.0, 1.0)
}

/// How much of a voice note `duration_ms` long has played at `current_s` seconds: 0.0 to 1.0.
/// The element's own duration is no help (MediaRecorder's WebM reports Infinity).
pub fn played_fraction(current_s: f64, duration_ms: u32) -> f64 {
    if duration_ms == 0 || !current_s.is_finite() {
        return 0.0;
    }
    (current_s * 1000.0 / f64::from(duration_ms)).clamp(0.0, 1.0)
}

/// The position in seconds for a fraction of a voice note, kept a little before its end so
/// seeking to the very end does not skip the `ended` that plays the next one on.
pub fn seek_seconds(fraction: f64, duration_ms: u32) -> f64 {
    let end = f64::from(duration_ms) / 1000.0;
    (fraction.clamp(0.0, 1.0) * end).min((end - 0.05).max(0.0))
}

/// Playback speed, changed by tapping: 1× → 1.5× → 2× → 1×.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Speed {
    #[default]
    Normal,
    OneAndAHalf,
    Double,
}

impl Speed {
    pub fn next(self) -> Self {
        match self {
            Speed::Normal => Speed::OneAndAHalf,
            Speed::OneAndAHalf => Speed::Double,
            Speed::Double => Speed::Normal,
        }
    }

    pub fn rate(self) -> f64 {
        match self {
            Speed::Normal => 1.0,
            Speed::OneAndAHalf => 1.5,
            Speed::Double => 2.0,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Speed::Normal => "1×",
            Speed::OneAndAHalf => "1.5×",
            Speed::Double => "2×",
        }
    }
}

/// The loudness of one analyser frame (bytes around 128 = silence) as 0.0 to 1.0, scaled so
/// speech fills most of the meter.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // only the browser records
pub fn level_of(samples: &[u8]) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f32 = samples.iter().map(|&s| (f32::from(s) - 128.0) / 128.0).map(|v| v * v).sum();
    let rms = (sum / samples.len() as f32).sqrt();
    (rms * 3.0).sqrt().min(1.0)
}

/// The meter's history: the newest level appended, the oldest dropped past `LEVEL_BARS`.
pub fn push_level(levels: &mut Vec<f32>, level: f32) {
    levels.push(level);
    if levels.len() > LEVEL_BARS {
        let extra = levels.len() - LEVEL_BARS;
        levels.drain(..extra);
    }
}

/// What a finger held on the microphone means after moving by (`dx`, `dy`) from where it
/// pressed (screen axes: left and up are negative).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    Recording,
    Cancel,
    Lock,
}

pub fn hold_gesture(dx: f64, dy: f64) -> Hold {
    if dx <= -SLIDE_TO_CANCEL_PX {
        Hold::Cancel
    } else if dy <= -SLIDE_TO_LOCK_PX && dy.abs() > dx.abs() {
        Hold::Lock
    } else {
        Hold::Recording
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeking_follows_the_pointer_and_stays_on_the_bar() {
        assert_eq!(seek_fraction(150.0, 100.0, 200.0), 0.25);
        assert_eq!(seek_fraction(50.0, 100.0, 200.0), 0.0);
        assert_eq!(seek_fraction(400.0, 100.0, 200.0), 1.0);
        assert_eq!(seek_fraction(120.0, 100.0, 0.0), 0.0);
        assert_eq!(seek_seconds(0.5, 10_000), 5.0);
        assert!(seek_seconds(1.0, 10_000) < 10.0, "the end itself is left for `ended`");
        assert_eq!(seek_seconds(1.0, 0), 0.0);
    }

    #[test]
    fn progress_uses_the_measured_duration() {
        assert_eq!(played_fraction(1.5, 3_000), 0.5);
        assert_eq!(played_fraction(9.0, 3_000), 1.0);
        assert_eq!(played_fraction(1.0, 0), 0.0);
        assert_eq!(played_fraction(f64::INFINITY, 3_000), 0.0);
    }

    #[test]
    fn speed_cycles_through_three_rates() {
        let s = Speed::default();
        assert_eq!((s.rate(), s.label()), (1.0, "1×"));
        assert_eq!((s.next().rate(), s.next().label()), (1.5, "1.5×"));
        assert_eq!(s.next().next().rate(), 2.0);
        assert_eq!(s.next().next().next(), Speed::Normal);
    }

    #[test]
    fn the_meter_reads_silence_as_zero_and_keeps_recent_levels() {
        assert_eq!(level_of(&[128; 64]), 0.0);
        assert_eq!(level_of(&[]), 0.0);
        let loud: Vec<u8> = (0..64).map(|i| if i % 2 == 0 { 0 } else { 255 }).collect();
        assert!(level_of(&loud) > 0.99);
        let quiet: Vec<u8> = (0..64).map(|i| if i % 2 == 0 { 120 } else { 136 }).collect();
        assert!(level_of(&quiet) > 0.0 && level_of(&quiet) < level_of(&loud));
        let mut levels = vec![0.0; LEVEL_BARS];
        push_level(&mut levels, 0.7);
        assert_eq!(levels.len(), LEVEL_BARS);
        assert_eq!(levels.last(), Some(&0.7));
    }

    #[test]
    fn sliding_left_cancels_and_up_locks() {
        assert_eq!(hold_gesture(-20.0, 5.0), Hold::Recording);
        assert_eq!(hold_gesture(-SLIDE_TO_CANCEL_PX, 0.0), Hold::Cancel);
        assert_eq!(hold_gesture(-10.0, -SLIDE_TO_LOCK_PX - 1.0), Hold::Lock);
        // Mostly sideways is not a lock, however high the finger drifts.
        assert_eq!(hold_gesture(-100.0, -90.0), Hold::Recording);
    }
}
