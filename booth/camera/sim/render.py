"""Pixels for the simulated sitter: place a real photo, relight it, expose it like a camera.

What is simulated, honestly:

- **Placement**: a similarity transform (position, size, roll) of the cut-out photo onto a
  plain wall with mild texture. Yaw and pitch are only small 2D squashes of the photo: a
  flat picture cannot turn its head, so the face mesh will read little or no yaw/pitch from
  them; the scenarios therefore exercise gaze and roll, not head turns.
- **Eyes**: blinks paint the upper lid down over the real eye with skin colour sampled
  below that eye (or swap in an eyes-closed photo when the set has one); gaze moves the
  real iris inside the eye opening (a local shift, feathered at the lids).
- **Light**: linear-light relighting of the person by a horizontal illumination ramp per
  light: key_left brightens the sitter's left (image right) side, key_right the other,
  fill and room ambient are uniform, a window adds a strong one-sided ramp. Light output is
  level**gamma of each channel (the rig's perceptual-to-duty mapping). The photo's own
  baked-in light stays underneath: relighting multiplies it.
- **Camera**: centre-weighted auto-exposure that closes most of the gap each frame (settles
  in 2-3 frames) and holds when locked, sensor noise, sRGB encoding to uint8 BGR.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from .photos import Sprite, linear_to_srgb

_LUT_N = 4096
_SRGB_LUT = (linear_to_srgb(np.linspace(0.0, 1.0, _LUT_N, dtype=np.float32)) * 255.0 + 0.5).astype(np.uint8)


@dataclass(frozen=True)
class Placement:
    """Where one person is in the frame this instant (frame pixels / degrees)."""

    eye_x: float
    eye_y: float
    ied_px: float
    roll: float = 0.0
    yaw: float = 0.0
    pitch: float = 0.0
    gaze_h: float = 0.0  # fraction of the eye width, > 0 toward the sitter's left (image right)
    gaze_v: float = 0.0  # > 0 up
    lid: float = 0.0  # 0 open .. 1 closed
    mirror: bool = False  # draw the photo mirrored (a second person from the same photo)


@dataclass(frozen=True)
class Lighting:
    key_left: float = 0.0  # channel output 0..1 (already level ** gamma)
    key_right: float = 0.0
    fill: float = 0.0
    background: float = 0.0
    ambient: float = 0.35
    window: float = 0.0  # one-sided, on the sitter's left (image right)
    wall: float = 0.5


KEY_RAMP = 1.0  # relative brightness slope of a key light across the face, per IED
WINDOW_RAMP = 0.9


@lru_cache(maxsize=4)
def wall(width: int, height: int, seed: int = 7) -> np.ndarray:
    """A plain painted wall (linear BGR): soft blotches and a slight vignette, no edges."""
    rng = np.random.default_rng(seed)
    small = rng.normal(0.0, 1.0, (9, 12)).astype(np.float32)
    blotch = cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    fine = cv2.GaussianBlur(rng.standard_normal((height, width), dtype=np.float32), (0, 0), 1.2)
    # separable: the vignette's two squared distances broadcast (no full-frame coordinate grids)
    yy = (np.arange(height, dtype=np.float32) / height - 0.5) ** 2
    xx = (np.arange(width, dtype=np.float32) / width - 0.5) ** 2
    vignette = 1.0 - 0.18 * ((xx[None, :] + yy[:, None]) / 0.5)
    base = np.array([0.25, 0.27, 0.30], dtype=np.float32)  # B, G, R: a light warm grey
    shade = (1.0 + 0.035 * blotch + 0.01 * fine) * vignette
    return (shade[..., None] * base).astype(np.float32)


def _eye_ellipse(shape, centre, a, b):
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    d = ((xx - centre[0]) / a) ** 2 + ((yy - centre[1]) / b) ** 2
    return np.clip((1.15 - d) / 0.3, 0.0, 1.0), yy


def edit_eyes(sprite: Sprite, lid: float, gaze_h: float, gaze_v: float) -> np.ndarray:
    """The sprite's linear pixels with the upper lids ``lid`` closed and the irises moved."""
    img = sprite.linear.copy()
    ew, eh = sprite.eye_size
    for c in (sprite.eye_right, sprite.eye_left):
        x0, x1 = int(c[0] - ew), int(c[0] + ew + 1)
        y0, y1 = int(c[1] - 1.6 * eh - 2), int(c[1] + 1.6 * eh + 3)
        patch = img[y0:y1, x0:x1]
        local = (c[0] - x0, c[1] - y0)
        a, b = 0.62 * ew, 0.95 * eh
        inside, yy = _eye_ellipse(patch.shape[:2], local, a, b)
        if gaze_h or gaze_v:
            m = np.array([[1, 0, gaze_h * ew], [0, 1, -gaze_v * eh]], dtype=np.float32)
            moved = cv2.warpAffine(patch, m, (patch.shape[1], patch.shape[0]), borderMode=cv2.BORDER_REPLICATE)
            core = np.clip((1.0 - (((np.mgrid[0:patch.shape[0], 0:patch.shape[1]][1] - local[0]) / a) ** 2
                                   + ((yy - local[1]) / b) ** 2)) / 0.35, 0.0, 1.0)
            patch[:] = patch * (1 - core[..., None]) + moved * core[..., None]
        if lid > 0:
            sy0, sy1 = int(c[1] + 0.7 * ew), int(c[1] + 1.1 * ew)
            sx0, sx1 = int(c[0] - 0.3 * ew), int(c[0] + 0.3 * ew)
            skin = np.median(img[sy0:sy1, sx0:sx1].reshape(-1, 3), axis=0) * 0.92
            edge = local[1] - b + lid * 2.0 * b  # the lid's lower edge descends with ``lid``
            covered = np.clip((edge - yy) / 1.2, 0.0, 1.0) * inside
            lash = np.exp(-((yy - edge) / max(0.8, 0.12 * eh)) ** 2) * inside * (0.6 if lid > 0.5 else 0.3)
            # the lid is lit like the brow above it: shade from the patch's top rows
            patch[:] = patch * (1 - covered[..., None]) + skin * covered[..., None]
            patch[:] = patch * (1 - lash[..., None]) + patch * 0.25 * lash[..., None]
    return img


def _placement_matrix(sprite: Sprite, p: Placement) -> np.ndarray:
    s = p.ied_px / sprite.ied
    # Roll the face about the eye midpoint; yaw/pitch as squashes (see module doc).
    theta = np.deg2rad(p.roll)
    sx = s * np.cos(np.deg2rad(p.yaw))
    sy = s * np.cos(np.deg2rad(p.pitch))
    mx = -1.0 if p.mirror else 1.0
    # Image y points down, so this matrix turns clockwise on screen: a positive roll moves the
    # crown toward image right, i.e. the head tilts toward the sitter's left shoulder.
    c, si = np.cos(theta), np.sin(theta)
    a = np.array([[c * sx * mx, -si * sy], [si * sx * mx, c * sy]], dtype=np.float32)
    ex, ey = sprite.eye_mid
    t = np.array([p.eye_x, p.eye_y], dtype=np.float32) - a @ np.array([ex, ey], dtype=np.float32)
    return np.hstack([a, t[:, None]]).astype(np.float32)


def _footprint(sprite: Sprite, m: np.ndarray, size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """The frame rectangle (x0, y0, x1, y1) the placed photo can touch, or None when it is
    wholly outside the frame."""
    h, w = sprite.alpha.shape[:2]
    corners = np.array([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1]], dtype=np.float32) @ m.T
    x0, y0 = np.floor(corners.min(axis=0)) - 1
    x1, y1 = np.ceil(corners.max(axis=0)) + 2
    x0, y0 = max(int(x0), 0), max(int(y0), 0)
    x1, y1 = min(int(x1), size[0]), min(int(y1), size[1])
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def place(sprite: Sprite, p: Placement, size: tuple[int, int], region: tuple[int, int, int, int] | None = None):
    """The person's linear pixels and mask in a frame of ``size`` (w, h), or in ``region``
    (x0, y0, x1, y1) of it."""
    src = edit_eyes(sprite, p.lid, p.gaze_h, p.gaze_v) if (p.lid > 0 or p.gaze_h or p.gaze_v) else sprite.linear
    m = _placement_matrix(sprite, p)
    x0, y0, x1, y1 = region or (0, 0) + tuple(size)
    m[:, 2] -= np.array([x0, y0], dtype=np.float32)
    out = (x1 - x0, y1 - y0)
    person = cv2.warpAffine(src, m, out, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    alpha = cv2.warpAffine(sprite.alpha, m, out, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    return person, alpha


def illumination(width: int, eye_x: float, ied_px: float, light: Lighting, x0: int = 0) -> np.ndarray:
    """Light falling on the person per image column (1-D, broadcast over rows); columns
    ``x0 .. x0 + width`` of the frame."""
    u = np.clip((np.arange(x0, x0 + width, dtype=np.float32) - eye_x) / max(ied_px, 1.0), -1.2, 1.2)
    key_l = light.key_left * np.clip(1 + KEY_RAMP * u, 0.05, None)
    key_r = light.key_right * np.clip(1 - KEY_RAMP * u, 0.05, None)
    window = light.window * np.clip(1 + WINDOW_RAMP * u, 0.05, None)
    return (key_l + key_r + 0.8 * light.fill + light.ambient + window).astype(np.float32)


def compose(people: list[tuple[Sprite, Placement]], light: Lighting, size: tuple[int, int]) -> np.ndarray:
    """The scene's linear radiance (before exposure): wall, then each person back to front.
    Each person is warped and blended only over the frame rectangle the photo covers."""
    w, h = size
    scene = wall(w, h) * np.float32(light.wall + 0.8 * light.background + 0.3 * light.ambient + 0.4 * light.window)
    for sprite, p in people:
        region = _footprint(sprite, _placement_matrix(sprite, p), size)
        if region is None:
            continue
        x0, y0, x1, y1 = region
        person, alpha = place(sprite, p, size, region)
        part = scene[y0:y1, x0:x1]
        person *= illumination(x1 - x0, p.eye_x, p.ied_px, light, x0)[None, :, None]
        person -= part
        person *= alpha[..., None]
        part += person  # scene + alpha * (lit - scene)
    return scene


class AutoExposure:
    """Centre-weighted AE: closes ``rate`` of the log-exposure error per frame; holds when locked."""

    def __init__(self, target: float = 0.17, rate: float = 0.6):
        self.target = target
        self.rate = rate
        self.gain = 1.0
        self.locked = False
        self._weights: dict[tuple[int, int], np.ndarray] = {}

    def weights(self, w: int, h: int) -> np.ndarray:
        if (w, h) not in self._weights:
            yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
            g = np.exp(-(((xx - 0.5 * w) / (0.16 * w)) ** 2 + ((yy - 0.45 * h) / (0.2 * h)) ** 2) / 2)
            self._weights[(w, h)] = g / g.sum()
        return self._weights[(w, h)]

    def update(self, scene: np.ndarray) -> float:
        """Meter ``scene`` (linear BGR) and adjust; returns the gain to apply to this frame."""
        if not self.locked:
            # metered on every 4th pixel each way: the weights are a broad Gaussian, and a
            # 16th of the pixels meters the same light at a 16th of the cost
            sub = scene[::4, ::4]
            y = 0.0722 * sub[..., 0] + 0.7152 * sub[..., 1] + 0.2126 * sub[..., 2]
            metered = float((y * self.weights(sub.shape[1], sub.shape[0])).sum())
            wanted = self.target / max(metered, 1e-4)
            self.gain *= (wanted / self.gain) ** self.rate if self.gain > 0 else wanted
            self.gain = float(np.clip(self.gain, 0.05, 40.0))
        return self.gain


def expose(scene: np.ndarray, gain: float, rng: np.random.Generator, noise: float = 0.004) -> np.ndarray:
    """Scene radiance -> 8-bit BGR through exposure gain, sensor noise and sRGB encoding."""
    # Shot-like noise, larger in brighter areas, drawn at quarter resolution and upsampled
    # (cheap, and sensor noise after demosaicing is spatially correlated anyway); its spread
    # follows the scene's brightness at the same quarter resolution. Everything else is two
    # full-frame passes (scale + add, clip) and the table lookup: this ran at ~60% of a
    # simulated frame's cost as numpy temporaries.
    h, w = scene.shape[:2]
    scale = np.float32(gain * (_LUT_N - 1))
    n = rng.standard_normal((h // 4, w // 4, 3), dtype=np.float32)
    small = scene[2::4, 2::4][: h // 4, : w // 4]
    # (numpy, not cv2, for scalar operations: cv2 reads a scalar as (v, 0, 0, 0) per channel)
    spread = np.sqrt(np.maximum(small * np.float32(gain), 0.0) + np.float32(0.01))
    n *= spread
    n *= np.float32(noise * (_LUT_N - 1))
    full_noise = cv2.resize(n, (w, h), interpolation=cv2.INTER_NEAREST)
    img = cv2.scaleAdd(scene, float(scale), full_noise)  # scene * scale + noise, one pass
    np.clip(img, 0.0, float(_LUT_N - 1), out=img)
    return np.take(_SRGB_LUT, img.astype(np.uint16))
