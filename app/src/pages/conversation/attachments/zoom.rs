//! The full-screen viewer's zoom and pan: pinching scales around the fingers, one finger pans a
//! zoomed picture, a double tap zooms in where it lands (and out again); an unzoomed picture
//! swipes to the next one. Points are CSS pixels from the centre of the stage.
#![cfg_attr(not(any(feature = "hydrate", test)), allow(dead_code))]

pub const MAX_SCALE: f64 = 4.0;
/// A double tap zooms to this.
pub const TAP_SCALE: f64 = 2.5;
/// How far a finger moves sideways before a swipe turns the picture.
pub const SWIPE_PX: f64 = 60.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Zoom {
    pub scale: f64,
    pub x: f64,
    pub y: f64,
}

/// The picture's shown size at scale 1 and the stage's size: how far a zoomed picture may move.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub picture: (f64, f64),
    pub stage: (f64, f64),
}

impl Default for Zoom {
    fn default() -> Self {
        Self::FIT
    }
}

impl Zoom {
    pub const FIT: Zoom = Zoom { scale: 1.0, x: 0.0, y: 0.0 };

    pub fn zoomed(self) -> bool {
        self.scale > 1.01
    }

    /// The CSS transform (scaling around the picture's centre).
    pub fn transform(self) -> String {
        format!("translate({:.1}px, {:.1}px) scale({:.3})", self.x, self.y, self.scale)
    }

    /// Two fingers moved from `mid0` `dist0` apart (when the zoom was `self`) to `mid` `dist`
    /// apart: the point of the picture under the fingers stays under them.
    pub fn pinched(self, mid0: (f64, f64), dist0: f64, mid: (f64, f64), dist: f64, bounds: Bounds) -> Zoom {
        let scale = (self.scale * dist / dist0.max(1.0)).clamp(1.0, MAX_SCALE);
        let k = scale / self.scale;
        Zoom { scale, x: mid.0 - (mid0.0 - self.x) * k, y: mid.1 - (mid0.1 - self.y) * k }.clamped(bounds)
    }

    /// One finger (or the mouse) moved by `delta` since the zoom was `self`.
    pub fn panned(self, delta: (f64, f64), bounds: Bounds) -> Zoom {
        Zoom { x: self.x + delta.0, y: self.y + delta.1, ..self }.clamped(bounds)
    }

    /// A double tap at `at`: zoom in there, or back to fit.
    pub fn toggled(self, at: (f64, f64), bounds: Bounds) -> Zoom {
        if self.zoomed() {
            Zoom::FIT
        } else {
            let k = TAP_SCALE / self.scale;
            Zoom { scale: TAP_SCALE, x: at.0 - (at.0 - self.x) * k, y: at.1 - (at.1 - self.y) * k }.clamped(bounds)
        }
    }

    /// Keeps the picture covering the stage where it is larger than the stage, and centred where
    /// it is smaller.
    fn clamped(self, b: Bounds) -> Zoom {
        let room = |picture: f64, stage: f64| ((picture * self.scale - stage) / 2.0).max(0.0);
        let (rx, ry) = (room(b.picture.0, b.stage.0), room(b.picture.1, b.stage.1));
        Zoom { x: self.x.clamp(-rx, rx), y: self.y.clamp(-ry, ry), ..self }
    }
}

/// Which way a finished swipe turns: -1 (previous), 1 (next) or 0 (not a swipe: too short, or
/// more up and down than sideways).
pub fn swipe_step(dx: f64, dy: f64) -> i32 {
    if dx.abs() < SWIPE_PX || dx.abs() < dy.abs() * 1.5 {
        0
    } else if dx < 0.0 {
        1
    } else {
        -1
    }
}

/// The size a `picture` is shown at in `room`: as large as fits, never enlarged (whole pixels).
pub fn fit(picture: (f64, f64), room: (f64, f64)) -> (f64, f64) {
    let k = (room.0 / picture.0).min(room.1 / picture.1).min(1.0).max(0.0);
    ((picture.0 * k).round(), (picture.1 * k).round())
}

pub fn distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

pub fn midpoint(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: Bounds = Bounds { picture: (400.0, 300.0), stage: (400.0, 800.0) };

    #[test]
    fn pinching_scales_around_the_fingers_within_limits() {
        let z = Zoom::FIT.pinched((100.0, 0.0), 100.0, (100.0, 0.0), 200.0, B);
        assert_eq!(z.scale, 2.0);
        // The picture point under the fingers (100, 0) stays there: x = 100 - 100 * 2 = -100.
        assert_eq!((z.x, z.y), (-100.0, 0.0));
        assert_eq!(Zoom::FIT.pinched((0.0, 0.0), 100.0, (0.0, 0.0), 1000.0, B).scale, MAX_SCALE);
        assert_eq!(z.pinched((0.0, 0.0), 200.0, (0.0, 0.0), 20.0, B), Zoom::FIT, "never smaller than fit");
    }

    #[test]
    fn a_zoomed_picture_pans_only_as_far_as_its_edges() {
        let z = Zoom { scale: 2.0, x: 0.0, y: 0.0 };
        // 800 px wide in a 400 px stage: 200 px each way; 600 px high in 800: no vertical room.
        assert_eq!(z.panned((500.0, 90.0), B), Zoom { scale: 2.0, x: 200.0, y: 0.0 });
        assert_eq!(Zoom::FIT.panned((50.0, 50.0), B), Zoom::FIT, "unzoomed it does not move");
    }

    #[test]
    fn a_double_tap_zooms_in_where_it_lands_and_out_again() {
        let z = Zoom::FIT.toggled((40.0, 0.0), B);
        assert_eq!((z.scale, z.x, z.y), (TAP_SCALE, 40.0 - 40.0 * TAP_SCALE, 0.0));
        assert!(z.zoomed());
        assert_eq!(z.toggled((0.0, 0.0), B), Zoom::FIT);
        assert_eq!(z.transform(), "translate(-60.0px, 0.0px) scale(2.500)");
    }

    #[test]
    fn a_swipe_must_be_long_and_sideways() {
        assert_eq!(swipe_step(-80.0, 10.0), 1);
        assert_eq!(swipe_step(80.0, -10.0), -1);
        assert_eq!(swipe_step(30.0, 0.0), 0);
        assert_eq!(swipe_step(-80.0, 120.0), 0, "mostly vertical");
        assert_eq!(distance((0.0, 0.0), (3.0, 4.0)), 5.0);
        assert_eq!(midpoint((0.0, 0.0), (4.0, 2.0)), (2.0, 1.0));
    }

    #[test]
    fn a_picture_fits_the_stage_without_being_enlarged() {
        assert_eq!(fit((4000.0, 3000.0), (1000.0, 1000.0)), (1000.0, 750.0));
        assert_eq!(fit((3000.0, 4000.0), (1000.0, 600.0)), (450.0, 600.0));
        assert_eq!(fit((320.0, 200.0), (1000.0, 1000.0)), (320.0, 200.0));
    }
}
