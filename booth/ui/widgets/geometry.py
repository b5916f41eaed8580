"""Where things go on the screen: the regions, the preview's placement, the guide's colour."""

from __future__ import annotations

from dataclasses import dataclass

from ..view import Rect

RED = (235, 64, 52)
AMBER = (255, 184, 0)
GREEN = (40, 210, 100)


def readiness_colour(readiness: float) -> tuple[int, int, int]:
    """Red at 0, amber at 0.5, green at 1 (linear between)."""
    r = min(1.0, max(0.0, float(readiness)))
    a, b, t = (RED, AMBER, r / 0.5) if r < 0.5 else (AMBER, GREEN, (r - 0.5) / 0.5)
    return (int(round(a[0] + (b[0] - a[0]) * t)), int(round(a[1] + (b[1] - a[1]) * t)),
            int(round(a[2] + (b[2] - a[2]) * t)))


def mirror_rect(rect: Rect) -> Rect:
    """A normalised (x, y, w, h) rectangle as it appears on a horizontally mirrored image."""
    x, y, w, h = rect
    return (1.0 - x - w, y, w, h)


@dataclass(frozen=True)
class Layout:
    """Screen regions in pixels: the camera area and the prompt band below it."""

    size: tuple[int, int]
    preview: tuple[int, int, int, int]
    band: tuple[int, int, int, int]
    unit: int  # the short side: sizes are fractions of it

    @property
    def portrait(self) -> bool:
        return self.size[1] > self.size[0]

    @staticmethod
    def for_size(width: int, height: int) -> "Layout":
        unit = min(width, height)
        band_h = int(round(height * (0.22 if height > width else 0.2)))
        return Layout((width, height), (0, 0, width, height - band_h), (0, height - band_h, width, band_h), unit)


def place_image(img_w: int, img_h: int, area: tuple[int, int, int, int], focus: Rect | None) -> tuple[float, int, int]:
    """Scale and offset that fill ``area`` with the image while keeping ``focus`` (the crop) whole.

    Returns (scale, x, y) of the scaled image's top-left corner on screen. The image covers the
    area when it can; it is never scaled so far that part of the focus rectangle falls outside.
    """
    ax, ay, aw, ah = area
    fit = min(aw / img_w, ah / img_h)
    scale = max(aw / img_w, ah / img_h)
    if focus is not None:
        fx, fy, fw, fh = focus
        scale = min(scale, aw / max(1e-6, fw * img_w), ah / max(1e-6, fh * img_h))
        cx, cy = (fx + fw / 2) * img_w, (fy + fh / 2) * img_h
    else:
        cx, cy = img_w / 2, img_h / 2
    scale = max(scale, fit)
    sw, sh = img_w * scale, img_h * scale

    def offset(a0: int, alen: int, slen: float, c: float) -> float:
        if slen <= alen:
            return a0 + (alen - slen) / 2
        want = a0 + alen / 2 - c * scale  # centre the focus
        return min(a0, max(a0 + alen - slen, want))

    return scale, int(round(offset(ax, aw, sw, cx))), int(round(offset(ay, ah, sh, cy)))
