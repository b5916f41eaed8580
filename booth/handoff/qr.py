"""QR codes for the download link, drawn with segno (pure Python, well kept, no Pillow needed).

:func:`qr_rgb` returns an RGB ``uint8`` array the screen can blit with
``pygame.surfarray.make_surface(arr.swapaxes(0, 1))``; :func:`qr_png` returns PNG bytes for
a file or a web page. Both keep the 4-module quiet zone the standard asks for: phones read a
code much less reliably without it.
"""

from __future__ import annotations

import io

import numpy as np


def _make(url: str, error: str):
    import segno

    if not url:
        raise ValueError("QR: empty URL")
    return segno.make(url, error=error, micro=False)


def qr_modules(url: str, error: str = "m", border: int = 4) -> np.ndarray:
    """The code as a bool matrix (True = dark module), quiet zone included."""
    code = _make(url, error)
    dark = np.array([list(row) for row in code.matrix], dtype=bool)
    return np.pad(dark, border, constant_values=False)


def qr_rgb(url: str, module_px: int = 8, error: str = "m", border: int = 4,
           dark: tuple[int, int, int] = (0, 0, 0), light: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    """(H, W, 3) RGB uint8 image of the QR code, ``module_px`` pixels per module."""
    if module_px < 1:
        raise ValueError("module_px must be >= 1")
    mods = qr_modules(url, error, border)
    big = np.repeat(np.repeat(mods, module_px, axis=0), module_px, axis=1)
    out = np.empty(big.shape + (3,), dtype=np.uint8)
    out[big] = dark
    out[~big] = light
    return out


def qr_rgb_fit(url: str, side_px: int, **kw) -> np.ndarray:
    """The largest whole-module QR image that fits a ``side_px`` square (crisp edges)."""
    n = qr_modules(url, kw.get("error", "m"), kw.get("border", 4)).shape[0]
    return qr_rgb(url, module_px=max(1, side_px // n), **kw)


def qr_png(url: str, module_px: int = 8, error: str = "m", border: int = 4) -> bytes:
    buf = io.BytesIO()
    _make(url, error).save(buf, kind="png", scale=module_px, border=border)
    return buf.getvalue()
