"""Draws Confab's app icons into public/icons (run by hand after changing the mark; needs Pillow).

The mark: two overlapping speech bubbles on an indigo tile, as in public/icons/icon.svg.
"""
from pathlib import Path
from PIL import Image, ImageDraw

INDIGO, LIGHT, WHITE = (79, 70, 229), (165, 180, 252), (255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "public" / "icons"


def mark(size: int, maskable: bool) -> Image.Image:
    s = 4 * size  # draw large, then downscale for smooth edges
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    if maskable:  # full bleed: the launcher applies its own mask, keep the art in the middle 80%
        d.rectangle([0, 0, s, s], fill=INDIGO)
        inset, scale = s * 0.2, 0.6
    else:
        d.rounded_rectangle([0, 0, s - 1, s - 1], radius=s * 0.25, fill=INDIGO)
        inset, scale = s * 0.0, 1.0
    u = s * scale / 64  # the SVG's 64-unit grid

    def p(x: float, y: float) -> tuple[float, float]:
        return inset + x * u, inset + y * u

    # back bubble (light), tail at bottom right
    d.rounded_rectangle([*p(30, 26), *p(56, 47)], radius=7 * u, fill=LIGHT)
    d.polygon([p(44, 46), p(52, 46), p(52, 55)], fill=LIGHT)
    # front bubble (white), tail at bottom left
    d.rounded_rectangle([*p(12, 13), *p(46, 38)], radius=8 * u, fill=WHITE)
    d.polygon([p(19, 36), p(28, 36), p(19, 46)], fill=WHITE)
    # three dots: someone is typing
    for cx in (22, 29, 36):
        x, y = p(cx, 25.5)
        r = 2.6 * u
        d.ellipse([x - r, y - r, x + r, y + r], fill=INDIGO)
    return img.resize((size, size), Image.LANCZOS)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        mark(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
    mark(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
    mark(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    print("icons written to", OUT)
