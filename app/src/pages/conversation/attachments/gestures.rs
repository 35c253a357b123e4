//! Fingers and the mouse on the viewer's stage: pinch to zoom, one finger to pan a zoomed
//! picture or swipe to the next, double tap or double click to zoom in and out, drag with the
//! mouse to pan. The math is in `zoom`; this reads the events (in the browser only).
use leptos::{ev, html, prelude::*};

use super::zoom::{Bounds, Zoom};
#[cfg(feature = "hydrate")]
use super::zoom::{distance, midpoint, swipe_step};

/// Where a touch gesture started.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Gesture {
    Pinch { start: Zoom, mid: (f64, f64), dist: f64 },
    Pan { start: Zoom, at: (f64, f64) },
}

#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub struct Gestures {
    pub stage: NodeRef<html::Div>,
    pub stage_size: RwSignal<(f64, f64)>,
    pub zoom: RwSignal<Zoom>,
    /// How far an unzoomed picture follows a swiping finger.
    pub swipe: RwSignal<f64>,
    /// A gesture is under way: the picture follows without easing.
    pub live: RwSignal<bool>,
    /// The picture's shown size at scale 1.
    shown: Signal<Option<(f64, f64)>>,
    step: Callback<i32>,
    gesture: StoredValue<Option<Gesture>>,
    swipe_from: StoredValue<Option<(f64, f64)>>,
    last_tap: StoredValue<f64>,
    drag: StoredValue<Option<(Zoom, (f64, f64))>>,
}

impl Gestures {
    /// `step` turns to the previous (-1) or next (1) picture.
    pub fn new(stage_size: RwSignal<(f64, f64)>, shown: Signal<Option<(f64, f64)>>, step: Callback<i32>) -> Self {
        Self {
            stage: NodeRef::new(),
            stage_size,
            zoom: RwSignal::new(Zoom::FIT),
            swipe: RwSignal::new(0.0),
            live: RwSignal::new(false),
            shown,
            step,
            gesture: StoredValue::new(None),
            swipe_from: StoredValue::new(None),
            last_tap: StoredValue::new(0.0),
            drag: StoredValue::new(None),
        }
    }

    /// Back to the whole picture, unmoved (a new picture, or the viewer opening).
    pub fn reset(self) {
        self.zoom.set(Zoom::FIT);
        self.swipe.set(0.0);
        self.live.set(false);
    }

    pub fn measure(self) {
        if let Some(s) = self.stage.get_untracked() {
            self.stage_size.set((s.client_width() as f64, s.client_height() as f64));
        }
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn bounds(self) -> Bounds {
        let stage = self.stage_size.get_untracked();
        Bounds { picture: self.shown.get_untracked().unwrap_or(stage), stage }
    }

    /// A point relative to the stage's centre.
    #[cfg(feature = "hydrate")]
    fn local(self, x: i32, y: i32) -> (f64, f64) {
        let Some(s) = self.stage.get_untracked() else { return (0.0, 0.0) };
        let r = s.get_bounding_client_rect();
        (x as f64 - r.left() - r.width() / 2.0, y as f64 - r.top() - r.height() / 2.0)
    }

    #[cfg(feature = "hydrate")]
    fn touches(self, e: &ev::TouchEvent) -> Vec<(f64, f64)> {
        let list = e.touches();
        (0..list.length()).filter_map(|i| list.get(i)).map(|t| self.local(t.client_x(), t.client_y())).collect()
    }

    pub fn touch_start(self, e: ev::TouchEvent) {
        #[cfg(feature = "hydrate")]
        {
            let points = self.touches(&e);
            let z = self.zoom.get_untracked();
            self.live.set(true);
            match points.as_slice() {
                [a, b] => {
                    self.gesture.set_value(Some(Gesture::Pinch { start: z, mid: midpoint(*a, *b), dist: distance(*a, *b) }));
                    self.swipe_from.set_value(None);
                    self.swipe.set(0.0);
                }
                [a] if z.zoomed() => self.gesture.set_value(Some(Gesture::Pan { start: z, at: *a })),
                [a] => self.swipe_from.set_value(Some(*a)),
                _ => {}
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = e;
    }

    pub fn touch_move(self, e: ev::TouchEvent) {
        #[cfg(feature = "hydrate")]
        {
            e.prevent_default();
            let points = self.touches(&e);
            match (self.gesture.get_value(), points.as_slice()) {
                (Some(Gesture::Pinch { start, mid, dist }), [a, b]) => {
                    self.zoom.set(start.pinched(mid, dist, midpoint(*a, *b), distance(*a, *b), self.bounds()));
                }
                (Some(Gesture::Pan { start, at }), [a]) => self.zoom.set(start.panned((a.0 - at.0, a.1 - at.1), self.bounds())),
                (None, [a]) => {
                    if let Some(from) = self.swipe_from.get_value() {
                        self.swipe.set(a.0 - from.0);
                    }
                }
                _ => {}
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = e;
    }

    pub fn touch_end(self, e: ev::TouchEvent) {
        #[cfg(feature = "hydrate")]
        {
            let rest = self.touches(&e);
            if let (Some(from), true) = (self.swipe_from.get_value(), rest.is_empty()) {
                let end = e.changed_touches().get(0).map(|t| self.local(t.client_x(), t.client_y())).unwrap_or(from);
                let (dx, dy) = (end.0 - from.0, end.1 - from.1);
                self.swipe.set(0.0);
                self.swipe_from.set_value(None);
                match swipe_step(dx, dy) {
                    0 if dx.abs() < 10.0 && dy.abs() < 10.0 => self.tapped(end),
                    0 => {}
                    step => self.step.run(step),
                }
            }
            // Lifting one finger of a pinch goes on as a pan with the other.
            let z = self.zoom.get_untracked();
            self.gesture.set_value(match rest.as_slice() {
                [a] if z.zoomed() => Some(Gesture::Pan { start: z, at: *a }),
                _ => None,
            });
            self.live.set(!rest.is_empty());
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = e;
    }

    /// A tap: a second one soon after zooms in there (or out).
    #[cfg(feature = "hydrate")]
    fn tapped(self, at: (f64, f64)) {
        let now = js_sys::Date::now();
        if now - self.last_tap.get_value() < 300.0 {
            self.zoom.set(self.zoom.get_untracked().toggled(at, self.bounds()));
            self.last_tap.set_value(0.0);
        } else {
            self.last_tap.set_value(now);
        }
    }

    pub fn mouse_down(self, e: ev::MouseEvent) {
        let z = self.zoom.get_untracked();
        if z.zoomed() && e.button() == 0 {
            e.prevent_default();
            self.live.set(true);
            self.drag.set_value(Some((z, (e.client_x() as f64, e.client_y() as f64))));
        }
    }

    pub fn mouse_move(self, e: ev::MouseEvent) {
        if let Some((start, at)) = self.drag.get_value() {
            self.zoom.set(start.panned((e.client_x() as f64 - at.0, e.client_y() as f64 - at.1), self.bounds()));
        }
    }

    pub fn mouse_up(self) {
        self.drag.set_value(None);
        self.live.set(false);
    }

    pub fn double_click(self, e: ev::MouseEvent) {
        #[cfg(feature = "hydrate")]
        self.zoom.set(self.zoom.get_untracked().toggled(self.local(e.client_x(), e.client_y()), self.bounds()));
        #[cfg(not(feature = "hydrate"))]
        let _ = e;
    }
}
