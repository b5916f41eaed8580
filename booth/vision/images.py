"""Loading photos for analysis: any common file becomes BGR uint8, upright.

>>> img = load_image("portrait.jpg")   # EXIF-rotated, 3-channel BGR, uint8

Greyscale is expanded to three channels, RGBA is composited on white (a transparent
background is not black), 16-bit images are scaled to 8 bits. A file that cannot be read
raises :class:`ImageError` naming the file and why.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import BoothError

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif", ".pgm", ".ppm"}


class ImageError(BoothError):
    """An image file is missing, corrupt or in a format that cannot be read."""


#: images with more pixels than this are refused (decompression bombs); JPEGs below it are
#: decoded reduced (DCT scaling) when ``max_side`` asks for it, other formats up to FULL_DECODE_MAX_PX
BOMB_PIXELS = 180_000_000
FULL_DECODE_MAX_PX = 64_000_000


def load_image(path: str | Path, max_side: int | None = None) -> np.ndarray:
    """``max_side``: decode at most this many pixels on the long side (JPEGs are decoded
    reduced, never whole: a 12000x9000 photo costs megabytes, not gigabytes). Bombs (more
    than BOMB_PIXELS) and huge non-JPEGs raise ImageError for this file only."""
    import warnings

    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise ImageError(f"{path}: no such file. Fix: check the path")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limits below
            with Image.open(path) as im:
                w, h = im.size
                if w * h > BOMB_PIXELS:
                    raise ImageError(f"{path}: refused, {w}x{h} is {w * h / 1e6:.0f} MP (a decompression bomb or a "
                                     f"scan; the limit is {BOMB_PIXELS / 1e6:.0f} MP). Fix: resize it first")
                if max_side and max(w, h) > max_side:
                    if im.format == "JPEG":
                        im.draft("RGB", (max(1, w * max_side // max(w, h)), max(1, h * max_side // max(w, h))))
                    elif w * h > FULL_DECODE_MAX_PX:
                        raise ImageError(f"{path}: refused, a {w}x{h} {im.format} would need "
                                         f"{w * h * 4 / 2**20:.0f} MB to decode. Fix: resize it or save it as JPEG")
                im.load()
                if max_side and max(im.size) > max_side:
                    im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
                upright = ImageOps.exif_transpose(im)
                arr = _to_bgr8(upright)
    except Image.DecompressionBombError as exc:
        raise ImageError(f"{path}: refused as a decompression bomb ({exc}). Fix: resize it first") from None
    except UnidentifiedImageError:
        raise ImageError(f"{path}: not a readable image (unknown or corrupt format). Fix: re-export it as JPEG or PNG") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"{path}: the image is corrupt or truncated ({exc}). Fix: re-export or re-copy the file") from None
    return np.ascontiguousarray(arr)


def _to_bgr8(im: PILImage) -> np.ndarray:
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        a = np.asarray(im, dtype=np.float64)
        peak = 65535.0 if mode.startswith("I;16") or a.max() > 255 else 255.0
        grey = np.clip(a / peak * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    if mode == "F":
        a = np.asarray(im, dtype=np.float64)
        scale = 255.0 if a.max() <= 1.0 else 1.0
        grey = np.clip(a * scale + 0.5, 0, 255).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in im.info):
        from PIL import Image

        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        rgb = Image.alpha_composite(white, rgba).convert("RGB")
    elif mode in ("L", "1"):
        grey = np.asarray(im.convert("L"))
        return np.repeat(grey[:, :, None], 3, axis=2)
    else:
        rgb = im.convert("RGB")
    return np.asarray(rgb)[:, :, ::-1]


def list_images(paths: list[str | Path]) -> list[Path]:
    """Expand folders (sorted, non-recursive) into image files; files are kept as given."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.suffix.lower() in IMAGE_SUFFIXES and q.is_file()))
        else:
            out.append(p)
    return out
