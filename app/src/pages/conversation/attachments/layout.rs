//! Where a message's pictures go: sizes worked out from their dimensions before anything loads,
//! so the placeholder boxes already have the pictures' shape and nothing moves when they arrive.

/// The grid's width in CSS pixels (less on a narrow phone: it never exceeds the bubble).
pub const GRID_WIDTH: f64 = 280.0;
/// A single tall picture is at most this high.
pub const MAX_SINGLE_HEIGHT: f64 = 340.0;
/// Very narrow pictures still get a box this wide (the picture is cropped to it).
pub const MIN_SINGLE_WIDTH: f64 = 140.0;

/// The container's classes and inline style, and each tile's inline style.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub container_class: &'static str,
    pub container_style: String,
    pub tiles: Vec<String>,
}

/// Width ÷ height, or None when the size is not known (yet).
fn ratio(size: Option<(u32, u32)>) -> Option<f64> {
    size.filter(|(w, h)| *w > 0 && *h > 0).map(|(w, h)| w as f64 / h as f64)
}

/// The box of a picture shown alone: as wide as the grid, lower for tall pictures, never
/// narrower than `MIN_SINGLE_WIDTH`.
pub fn single_box(size: Option<(u32, u32)>) -> (f64, f64) {
    let r = ratio(size).unwrap_or(4.0 / 3.0);
    let mut w = GRID_WIDTH;
    let mut h = w / r;
    if h > MAX_SINGLE_HEIGHT {
        h = MAX_SINGLE_HEIGHT;
        w = (h * r).max(MIN_SINGLE_WIDTH);
    }
    // A panorama is shown at least 80 px high.
    (w.round(), h.max(80.0).round())
}

/// One picture at its aspect ratio; two side by side at the same height (each at its own shape,
/// within 1:2 and 2:1); three or more in rows of squares on a six-column grid, the first row
/// taking the odd ones out so no row has a gap.
pub fn layout(sizes: &[Option<(u32, u32)>]) -> Layout {
    let width = format!("width:{GRID_WIDTH}px;max-width:100%");
    match sizes.len() {
        0 => Layout { container_class: "", container_style: String::new(), tiles: Vec::new() },
        1 => {
            let (w, h) = single_box(sizes[0]);
            Layout {
                container_class: "flex",
                container_style: format!("width:{w}px;max-width:100%"),
                tiles: vec![format!("width:100%;aspect-ratio:{w}/{h}")],
            }
        }
        2 => Layout {
            container_class: "flex gap-0.5",
            container_style: width,
            tiles: sizes
                .iter()
                .map(|s| {
                    let r = ratio(*s).unwrap_or(1.0).clamp(0.5, 2.0);
                    format!("flex:{r:.4} 1 0%;min-width:0;aspect-ratio:{r:.4}")
                })
                .collect(),
        },
        n => {
            // (columns of six, aspect ratio) of the first tiles; the rest are thirds, squares.
            let leading: Vec<(u8, &str)> = match (n, n % 3) {
                (3, _) => vec![(6, "2"), (3, "1"), (3, "1")],
                (4, _) => vec![(3, "1"); 4],
                (_, 1) => vec![(6, "2")],
                (_, 2) => vec![(3, "1"), (3, "1")],
                _ => Vec::new(),
            };
            let tiles = (0..n)
                .map(|i| {
                    let (span, aspect) = leading.get(i).copied().unwrap_or((2, "1"));
                    format!("grid-column:span {span}/span {span};aspect-ratio:{aspect}")
                })
                .collect();
            Layout { container_class: "grid grid-cols-6 gap-0.5", container_style: width, tiles }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(l: &Layout) -> Vec<u8> {
        l.tiles.iter().map(|t| t.split("span ").nth(1).and_then(|s| s.split('/').next()).unwrap().parse().unwrap()).collect()
    }

    #[test]
    fn a_single_picture_keeps_its_shape_within_the_bounds() {
        assert_eq!(single_box(Some((4000, 3000))), (280.0, 210.0));
        let (w, h) = single_box(Some((3000, 4000)));
        assert_eq!((w, h), (255.0, 340.0), "a tall picture is lowered, not stretched");
        assert!((w / h - 0.75).abs() < 0.01);
        assert_eq!(single_box(Some((100, 2000))), (140.0, 340.0), "a sliver gets a usable box");
        assert_eq!(single_box(Some((5000, 100))), (280.0, 80.0));
        assert_eq!(single_box(None), (280.0, 210.0));
        assert_eq!(single_box(Some((0, 0))), (280.0, 210.0));
    }

    #[test]
    fn two_pictures_share_a_row_at_their_own_shapes() {
        let l = layout(&[Some((400, 300)), Some((300, 400))]);
        assert_eq!(l.container_class, "flex gap-0.5");
        assert_eq!(l.tiles, vec!["flex:1.3333 1 0%;min-width:0;aspect-ratio:1.3333", "flex:0.7500 1 0%;min-width:0;aspect-ratio:0.7500"]);
        let clamped = layout(&[Some((100, 1000)), None]);
        assert!(clamped.tiles[0].contains("aspect-ratio:0.5000") && clamped.tiles[1].contains("aspect-ratio:1.0000"));
    }

    #[test]
    fn more_pictures_fill_full_rows() {
        let grid = |n: usize| spans(&layout(&vec![Some((10, 10)); n]));
        assert_eq!(grid(3), [6, 3, 3]);
        assert_eq!(grid(4), [3, 3, 3, 3]);
        assert_eq!(grid(5), [3, 3, 2, 2, 2]);
        assert_eq!(grid(6), [2; 6]);
        assert_eq!(grid(7), [6, 2, 2, 2, 2, 2, 2]);
        assert_eq!(grid(10), [6, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
        for n in 3..=10 {
            assert_eq!(grid(n).iter().map(|s| *s as usize).sum::<usize>() % 6, 0, "{n} pictures leave no gap");
        }
    }
}
