"""The finished look of a saved crop: the matte, the background, the pad, the clutter and
how the photo reads at 80 px. Pure functions on pixels (no model, no config object)::

    prob, _ = head_prior(person_probability, size, eye_mid, chin, ied, forehead)  # the room off the head
    alpha = refine_matte(still, prob)                       # full-resolution matte 0..1
    bg = background_estimate(still, alpha)                  # the wall, with the person removed
    out = replace_background(still, alpha, "grey", bg)      # "as-shot" | "blur" | "grey" | "#RRGGBB"
    grown = pad_image(still, pad, fill)                     # a crop past the image edge
    clutter(bgr, alpha < 0.5)                               # one number: how busy the background is
    legibility_80(square_bgr, geom_in_crop)                 # the photo as a platform shows it

Matte. MediaPipe's selfie segmentation gives a 256x256 person probability for the whole
frame; upsampled to a 2304x1296 still it is a blurred outline (about 9 px per mask pixel),
which cut out as it is leaves a halo of the old wall round the hair and shoulders. The field's
usual fix is edge-aware upsampling: He, Sun and Tang's guided filter (the refinement step of
most real-time portrait pipelines, and what opencv-contrib's ``ximgproc.guidedFilter`` ships).
The project uses opencv-python-headless (no contrib), so :func:`guided_filter` is the filter
written out with box filters, in its fast form (the linear coefficients computed at 1/4 scale,
applied at full resolution). Matting models from PyPI wheels were not taken: none ships
pinned in a wheel the way ``models/manifest.toml`` needs (see booth/output/README.md for the
measured comparison bilinear vs guided on the simulator's known matte).

Head prior. What the segmenter calls person above or beside the head, beyond a hair margin,
that never comes down to the body is the room (:func:`head_prior`, with the mesh's face).

Pad. A crop may reach past the camera image (``framing.max_pad``; only when even a crop a
little tighter than the band cannot fit inside it, see :mod:`booth.output.crops`). The strip is filled with
the *background* extended across it (normalised convolution of the pixels the matte calls
background, at growing radii, so a strip next to a shoulder gets the wall's colour, not the
shirt's) and blurred, or with a configured colour; below where the sitter reaches the bottom
edge the strip continues the sitter's own low-pass colours (:func:`continue_person_below`).
Camera pixels are never repeated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import cv2
import numpy as np

GREY_BGR = (160, 160, 160)  # "grey": a light neutral studio grey (sRGB 160)
BLUR_FRAC = 0.08  # "blur": the wall's Gaussian sigma, fraction of the longer side (>= 80 % less clutter, measured)

# ------------------------------------------------------------------------------ matte


def guided_filter(guide: np.ndarray, src: np.ndarray, radius: int, eps: float, subsample: int = 4) -> np.ndarray:
    """He et al.'s guided filter (grey guide), fast form: ``q = a*I + b`` with ``a, b`` the
    box-filtered linear coefficients of ``src`` on ``guide`` in windows of ``radius``.
    ``guide`` and ``src`` float32 of one size, guide in 0..1."""
    h, w = guide.shape[:2]
    s = max(1, int(subsample))
    small = (max(1, w // s), max(1, h // s))
    i_s = cv2.resize(guide, small, interpolation=cv2.INTER_AREA)
    p_s = cv2.resize(src, small, interpolation=cv2.INTER_AREA)
    r = max(1, int(round(radius / s)))
    k = (2 * r + 1, 2 * r + 1)

    def box(x):
        return cv2.boxFilter(x, -1, k, borderType=cv2.BORDER_REFLECT)

    mean_i, mean_p = box(i_s), box(p_s)
    var_i = box(i_s * i_s) - mean_i * mean_i
    cov_ip = box(i_s * p_s) - mean_i * mean_p
    a = cov_ip / (var_i + eps)
    b = mean_p - a * mean_i
    mean_a = cv2.resize(box(a), (w, h), interpolation=cv2.INTER_LINEAR)
    mean_b = cv2.resize(box(b), (w, h), interpolation=cv2.INTER_LINEAR)
    return mean_a * guide + mean_b


def guided_filter_colour(guide_bgr: np.ndarray, src: np.ndarray, radius: int, eps: float,
                         subsample: int = 4) -> np.ndarray:
    """He et al.'s guided filter with a colour guide (their eq. 14), fast form: per window
    ``q = a . I + b`` with ``a = (Sigma + eps U)^-1 cov(I, p)``. A colour guide tells hair
    from a wall of the same brightness, which a grey guide cannot. ``guide_bgr`` uint8 or
    float 0..255 (h, w, 3); ``src`` float32 (h, w)."""
    h, w = src.shape[:2]
    s = max(1, int(subsample))
    small = (max(1, w // s), max(1, h // s))
    full = guide_bgr.astype(np.float32) * np.float32(1.0 / 255.0)
    i_s = cv2.resize(full, small, interpolation=cv2.INTER_AREA)
    p_s = cv2.resize(src.astype(np.float32), small, interpolation=cv2.INTER_AREA)
    r = max(1, int(round(radius / s)))
    k = (2 * r + 1, 2 * r + 1)

    def box(x: np.ndarray) -> np.ndarray:
        return np.asarray(cv2.boxFilter(x, -1, k, borderType=cv2.BORDER_REFLECT), np.float32)

    mean_i = [box(i_s[..., c]) for c in range(3)]
    mean_p = box(p_s)
    cov = np.stack([box(i_s[..., c] * p_s) - mean_i[c] * mean_p for c in range(3)], axis=-1)
    sigma = np.empty(i_s.shape[:2] + (3, 3), np.float32)
    for a in range(3):
        for b in range(a, 3):
            v = box(i_s[..., a] * i_s[..., b]) - mean_i[a] * mean_i[b]
            sigma[..., a, b] = v
            sigma[..., b, a] = v
    sigma += np.float32(eps) * np.eye(3, dtype=np.float32)
    coef = np.linalg.solve(sigma, cov[..., None])[..., 0]
    offset = mean_p - sum(coef[..., c] * mean_i[c] for c in range(3))
    out = cv2.resize(box(offset), (w, h), interpolation=cv2.INTER_LINEAR)
    for c in range(3):
        out = out + cv2.resize(box(np.ascontiguousarray(coef[..., c])), (w, h), interpolation=cv2.INTER_LINEAR) * full[..., c]
    return np.asarray(out, np.float32)


def upsample_mask(prob: np.ndarray, size: tuple[int, int],
                  region: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """The coarse probability resized bilinearly: the unrefined matte. ``size`` (w, h) is the
    whole image's; ``region`` (x, y, w, h) of it, when given, is all that is made (cheap)."""
    prob = prob.astype(np.float32)
    if region is None:
        return np.clip(cv2.resize(prob, size, interpolation=cv2.INTER_LINEAR), 0.0, 1.0)
    x, y, rw, rh = region
    sx, sy = prob.shape[1] / size[0], prob.shape[0] / size[1]
    # region pixel (u, v) -> prob pixel ((u + x + 0.5) sx - 0.5, ...): resize's own sampling
    m = np.array([[sx, 0, (x + 0.5) * sx - 0.5], [0, sy, (y + 0.5) * sy - 0.5]], np.float32)
    out = cv2.warpAffine(prob, m, (rw, rh), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                         borderMode=cv2.BORDER_REPLICATE)
    return np.clip(out, 0.0, 1.0)


def refine_matte(image_bgr: np.ndarray, prob: np.ndarray, *, radius_frac: float = 0.004,
                 eps: float = 0.0001, method: str = "guided",
                 region: tuple[int, int, int, int] | None = None,
                 protect: np.ndarray | None = None) -> np.ndarray:
    """A full-resolution matte (float32 0..1, 1 = person) from the coarse person probability
    ``prob`` (any size, over the whole image): ``method`` "guided" (edge-aware, the colour
    guided filter), "guided-grey" (the same with a grey guide) or "bilinear". ``region`` (x, y, w, h): make the matte of that part only (``image_bgr`` is
    still the whole image). ``protect``: a bool mask (of the result's size) that is person for
    certain (the face inside the mesh's outline): matte 1 there, so the face is never touched."""
    H, W = image_bgr.shape[:2]
    if region is not None:
        x, y, rw, rh = region
        part = image_bgr[y:y + rh, x:x + rw]
    else:
        part = image_bgr
    coarse = upsample_mask(prob, (W, H), region)
    if method == "bilinear":
        if protect is not None:
            coarse[protect] = 1.0
        return coarse
    radius = max(2, int(round(radius_frac * max(H, W))))
    if method == "guided-grey":  # the grey guide (kept for comparison: python -m booth.output.evaluate)
        guide = cv2.cvtColor(part, cv2.COLOR_BGR2GRAY).astype(np.float32) * np.float32(1.0 / 255.0)
        alpha = guided_filter(guide, coarse, radius, eps)
    else:
        alpha = guided_filter_colour(part, coarse, radius, eps)
    alpha = np.clip(alpha, 0.0, 1.0)
    # solid inside and outside: the filter's ripples far from an edge are noise, not matte
    alpha[alpha >= 0.98] = 1.0
    alpha[alpha <= 0.02] = 0.0
    if protect is not None:
        alpha[protect] = 1.0
    return alpha


# ------------------------------------------------------------------------------ the sitter's shape

HAIR_MARGIN = 0.2  # hair beyond the skull, fraction of the forehead-to-chin length (booth/output/README.md)
MASK_SOFT = (0.3, 0.7)  # the coarse mask's probability stretched from this range to 0..1 (below: the room)
FOREHEAD_OF_EYES = 0.47  # the mesh's forehead (point 10) above the eye line, fraction of eye-to-chin (gesture set median)
SKULL_TOP = 0.35  # the skull's top above the forehead, fraction of forehead-to-chin (framing.crown_factor's default)


def head_zone(shape: tuple[int, int], scale: tuple[float, float], eye_mid: Sequence[float], chin: Sequence[float],
              ied: float, forehead: Sequence[float] | None = None, hair_margin: float = HAIR_MARGIN) -> np.ndarray:
    """The head with its hair as a uint8 mask of ``shape`` (h, w): an ellipse from the chin
    to the skull's top (``SKULL_TOP`` above the mesh's forehead; not the segmentation's
    crown, which a cupboard on the head lifts), 2.4 IED wide, grown all round by
    ``hair_margin`` of the face length. Points in image px; ``scale`` (sx, sy) maps them to
    the mask."""
    sx, sy = scale
    ex, ey = float(eye_mid[0]), float(eye_mid[1])
    cx, cy = float(chin[0]), float(chin[1])
    if forehead is None:
        fx, fy = ex + FOREHEAD_OF_EYES * (ex - cx), ey + FOREHEAD_OF_EYES * (ey - cy)
    else:
        fx, fy = float(forehead[0]), float(forehead[1])
    face_len = math.hypot(fx - cx, fy - cy)
    tx, ty = fx + SKULL_TOP * (fx - cx), fy + SKULL_TOP * (fy - cy)
    m = hair_margin * face_len
    centre = (int(round(0.5 * (tx + cx) * sx)), int(round(0.5 * (ty + cy) * sy)))
    axes = (max(1, int(round((1.2 * ied + m) * sx))), max(1, int(round((0.5 * math.hypot(tx - cx, ty - cy) + m) * sy))))
    angle = math.degrees(math.atan2(cx - tx, cy - ty))
    zone = np.zeros(shape, np.uint8)
    cv2.ellipse(zone, centre, axes, -angle, 0, 360, 1, -1)
    return zone


def head_prior(prob: np.ndarray, size: tuple[int, int], eye_mid: Sequence[float], chin: Sequence[float], ied: float,
               forehead: Sequence[float] | None = None, *, hair_margin: float = HAIR_MARGIN,
               support: float = 0.05, soft: tuple[float, float] = MASK_SOFT) -> tuple[np.ndarray, np.ndarray]:
    """The coarse person probability with what cannot be the sitter taken out, by the head
    the mesh found (a shape prior). ``prob`` covers an image of ``size`` (w, h); points in
    that image's px. The sitter is the head with its hair (:func:`head_zone`) and what joins
    the body below the chin. A region the mask calls person (``prob > support``) outside the
    head zone that never comes down to the body is the room: it hangs on the head only (a
    cupboard or door frame above it, the pattern behind the hair) or on nothing (a lamp, a
    second person). Arms, raised hands and long hair reach the body and stay. What is left
    is firmed: probability ``soft`` (lo, hi) stretched to 0..1, so the segmenter's faint
    fringe (a curtain at 0.2, a shelf at 0.3) is background and the guided filter finds the
    outline from the image. Returns (cleaned probability, removed bool mask), both of
    ``prob``'s shape."""
    h, w = prob.shape[:2]
    sx, sy = w / float(size[0]), h / float(size[1])
    zone = head_zone((h, w), (sx, sy), eye_mid, chin, ied, forehead, hair_margin)
    person = (prob > support).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(person & (1 - zone), connectivity=8)
    t = math.hypot(float(chin[0]) - float(eye_mid[0]), float(chin[1]) - float(eye_mid[1]))
    body_y = (float(chin[1]) + 0.3 * t) * sy
    keep = (stats[:, cv2.CC_STAT_TOP] + stats[:, cv2.CC_STAT_HEIGHT] - 1) >= body_y
    keep[0] = False
    removed = (labels > 0) & ~keep[labels]
    # what is left is one piece with the face
    _, parts = cv2.connectedComponents((person.astype(bool) & ~removed).astype(np.uint8), connectivity=8)
    ey = min(h - 1, max(0, int(round(float(eye_mid[1]) * sy))))
    ex = min(w - 1, max(0, int(round(float(eye_mid[0]) * sx))))
    if parts[ey, ex] > 0:
        removed |= (parts > 0) & (parts != parts[ey, ex])
    lo, hi = soft
    out = np.clip((prob.astype(np.float32) - np.float32(lo)) * np.float32(1.0 / max(hi - lo, 1e-6)), 0.0, 1.0)
    out[removed] = 0.0
    return out, removed


# ------------------------------------------------------------------------------ background


def _fill_from(known: np.ndarray, weight: np.ndarray, levels: int = 7) -> np.ndarray:
    """Normalised convolution at growing radii (a pyramid: each level halves the size): every
    pixel gets the weighted mean of the nearest ``weight > 0`` pixels, from the finest level
    with enough weight near it; float32 HxWx3."""
    h, w = known.shape[:2]
    out = np.zeros_like(known)
    done = np.zeros((h, w), bool)
    num0 = known * weight[:, :, None]
    for level in range(levels):
        f = 2 ** level
        size = (max(1, w // f), max(1, h // f))
        num = cv2.GaussianBlur(cv2.resize(num0, size, interpolation=cv2.INTER_AREA), (0, 0), 1.5)
        den = cv2.GaussianBlur(cv2.resize(weight, size, interpolation=cv2.INTER_AREA), (0, 0), 1.5)
        num = cv2.resize(num, (w, h), interpolation=cv2.INTER_LINEAR)
        den = cv2.resize(den, (w, h), interpolation=cv2.INTER_LINEAR)
        ok = (den > 0.08) & ~done
        out[ok] = num[ok] / den[ok, None]
        done |= ok
        if done.all():
            return out
    total = float(weight.sum())
    mean = num0.reshape(-1, 3).sum(0) / total if total > 0 else np.full(3, 128.0, np.float32)
    out[~done] = mean
    return out


def background_estimate(image_bgr: np.ndarray, alpha: np.ndarray, *, pad: tuple[int, int, int, int] = (0, 0, 0, 0),
                        blur_frac: float = 0.0, work_px: int = 320) -> np.ndarray:
    """The background without the person, over the image grown by ``pad`` (top, bottom, left,
    right): the pixels the matte calls background, extended across the person and the pad,
    then blurred by ``blur_frac`` of the longer side (0: only the extension's own softness).
    Computed at ``work_px`` on the longer side (it is smooth), returned at full size, float32."""
    top, bottom, left, right = pad
    h, w = image_bgr.shape[:2]
    gh, gw = h + top + bottom, w + left + right
    scale = min(1.0, work_px / max(gh, gw))
    sw, sh = max(1, int(round(gw * scale))), max(1, int(round(gh * scale)))
    canvas = np.zeros((gh, gw, 3), np.float32)
    weight = np.zeros((gh, gw), np.float32)
    canvas[top:top + h, left:left + w] = image_bgr
    bgw = (alpha < 0.5).astype(np.uint8)
    # keep well away from the person's edge: that band is the mixed pixels of hair and wall
    k = max(3, int(round(0.01 * max(h, w))) | 1)
    weight[top:top + h, left:left + w] = cv2.erode(bgw, np.ones((k, k), np.uint8))
    c_s = cv2.resize(canvas, (sw, sh), interpolation=cv2.INTER_AREA)
    w_s = cv2.resize(weight, (sw, sh), interpolation=cv2.INTER_AREA)
    w_s = np.where(w_s > 0.999, 1.0, 0.0).astype(np.float32)  # only wholly-background cells
    n = max(sw, sh)
    filled = _fill_from(c_s, w_s)
    if blur_frac > 0:
        filled = cv2.GaussianBlur(filled, (0, 0), max(0.5, blur_frac * n), borderType=cv2.BORDER_REFLECT)
    else:
        filled = cv2.GaussianBlur(filled, (0, 0), max(0.5, 0.01 * n), borderType=cv2.BORDER_REFLECT)
    return cv2.resize(filled, (gw, gh), interpolation=cv2.INTER_LINEAR)


def continue_person_below(image_bgr: np.ndarray, alpha: np.ndarray, fill: np.ndarray,
                          pad: tuple[int, int, int, int], *, band_frac: float = 0.06,
                          work_px: int = 320) -> tuple[np.ndarray, np.ndarray | None]:
    """``fill`` (the grown canvas's fill, :func:`background_estimate` with ``pad``) with the
    strip below the image continuing the person where the person reaches the bottom edge:
    a shirt cut by the frame goes on in its own colours (their low-pass, from the bottom
    ``band_frac`` of the image, so no edge pixel is repeated and no streak forms), the wall
    beside it stays the wall. Returns (the new fill, only its bottom strip changed; the
    person's share per column of the image, 0..1, for the matte of that strip, or None when
    nothing was continued)."""
    top, bottom, left, right = pad
    if bottom <= 0:
        return fill, None
    h, w = image_bgr.shape[:2]
    band = max(2, int(round(band_frac * h)))
    a = alpha[h - band:, :]
    person = (a > 0.5).astype(np.float32)
    share = person.mean(axis=0)  # per column: how much of the bottom band is the person
    if share.max() <= 0.0:
        return fill, None
    scale = min(1.0, work_px / max(band, w))
    sw, sh = max(1, int(round(w * scale))), max(1, int(round(band * scale)))
    colours = cv2.resize(image_bgr[h - band:, :].astype(np.float32), (sw, sh), interpolation=cv2.INTER_AREA)
    weight = np.where(cv2.resize(person, (sw, sh), interpolation=cv2.INTER_AREA) > 0.999, 1.0, 0.0).astype(np.float32)
    if not weight.any():
        return fill, None
    ext = _fill_from(colours, weight)
    # one colour per column (the shirt's low-pass), softened across the columns
    per_col = cv2.GaussianBlur(ext.mean(axis=0, keepdims=True), (0, 0), max(1.0, 0.01 * sw))
    per_col = cv2.resize(per_col, (w, 1), interpolation=cv2.INTER_LINEAR)[0]
    k = max(1.0, 0.01 * w)
    cover = cv2.GaussianBlur(np.where(share > 0.5, 1.0, 0.0).astype(np.float32)[None, :], (0, 0), k)[0]
    out = fill.copy()
    strip = out[top + h:, left:left + w]
    strip[:] = cover[None, :, None] * per_col[None, :, :] + (1.0 - cover[None, :, None]) * strip
    return out, cover


def parse_colour(value: str) -> tuple[int, int, int] | None:
    """'#RRGGBB' -> BGR, 'grey' -> :data:`GREY_BGR`, else None."""
    if value == "grey":
        return GREY_BGR
    if len(value) == 7 and value.startswith("#"):
        r, g, b = (int(value[i:i + 2], 16) for i in (1, 3, 5))
        return (b, g, r)
    return None


def replace_background(image_bgr: np.ndarray, alpha: np.ndarray, mode: str,
                       background: np.ndarray | None = None, *,
                       old_background: np.ndarray | None = None) -> np.ndarray:
    """``image_bgr`` with its background replaced by ``mode``: "as-shot" (unchanged), "blur"
    (``background`` must be the blurred estimate), "grey" or "#RRGGBB". ``old_background``:
    the wall as shot (:func:`background_estimate`; made here when not given). Where the matte is
    1 the camera's pixels are kept exactly; in the edge band the person's colour is first
    freed of the old wall (``I = a F + (1 - a) B`` solved for F with B the wall estimate),
    so no fringe of the old background survives round the hair."""
    if mode == "as-shot":
        return image_bgr
    colour = parse_colour(mode)
    if colour is None and mode != "blur":
        raise ValueError(f"unknown background mode {mode!r}")
    if colour is None and background is None:
        raise ValueError("replace_background(mode='blur') needs the blurred background estimate")
    out = image_bgr.copy()
    wall = alpha <= 0.0
    if colour is not None:
        out[wall] = np.array(colour, np.uint8)
    else:
        assert background is not None  # checked above: blur comes with its estimate
        out[wall] = np.clip(background[wall] + 0.5, 0, 255).astype(np.uint8)
    band = (alpha > 0.0) & (alpha < 1.0)  # only the outline is mixed: work on its pixels alone
    if band.any():
        old_bg = old_background if old_background is not None else background_estimate(image_bgr, alpha)
        a = alpha[band][:, None].astype(np.float32)
        img = image_bgr[band].astype(np.float32)
        if colour is not None:
            new = np.array(colour, np.float32)[None, :]
        else:
            assert background is not None
            new = background[band]
        # decontaminate only where the person is at least a quarter (below it, F is too noisy)
        solved = np.clip((img - (1.0 - a) * old_bg[band]) / np.maximum(a, 0.25), 0.0, 255.0)
        fg = np.where(a >= 0.25, solved, img)
        out[band] = np.clip(a * fg + (1.0 - a) * new + 0.5, 0, 255).astype(np.uint8)
    return out


def pad_image(image_bgr: np.ndarray, pad: tuple[int, int, int, int], fill: np.ndarray | tuple[int, int, int]) -> np.ndarray:
    """``image_bgr`` grown by ``pad`` (top, bottom, left, right); the new strips take ``fill``
    (an image of the grown size, e.g. :func:`background_estimate` with the same pad, or one
    BGR colour). The camera's pixels are untouched; none of them is repeated."""
    top, bottom, left, right = pad
    h, w = image_bgr.shape[:2]
    if isinstance(fill, np.ndarray):
        out = np.clip(fill + 0.5, 0, 255).astype(np.uint8)
    else:
        out = np.empty((h + top + bottom, w + left + right, 3), np.uint8)
        out[:] = np.array(fill, np.uint8)
    out[top:top + h, left:left + w] = image_bgr
    return out


# ------------------------------------------------------------------------------ clutter

CLUTTER_WIDTH = 256  # the measure is taken at this width, so it does not depend on resolution


def clutter(bgr: np.ndarray, background: np.ndarray) -> float | None:
    """How busy the background is: the mean Sobel gradient magnitude of sRGB grey (0..255)
    over the background pixels (``background`` bool, True = background, any size; the person's
    own outline eroded away), measured at :data:`CLUTTER_WIDTH` px wide. A plain wall reads
    ~1-5, a blurred one ~1-3, shelves, posters and doors 10-30. None when almost no
    background is visible."""
    h, w = bgr.shape[:2]
    sw = CLUTTER_WIDTH
    sh = max(1, int(round(h * sw / max(w, 1))))
    grey = cv2.cvtColor(cv2.resize(bgr, (sw, sh), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY).astype(np.float32)
    bg = cv2.resize(background.astype(np.uint8), (sw, sh), interpolation=cv2.INTER_NEAREST)
    bg = cv2.erode(bg, np.ones((7, 7), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=1).astype(bool)
    if np.count_nonzero(bg) < 0.02 * bg.size:
        return None
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3, borderType=cv2.BORDER_REPLICATE)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3, borderType=cv2.BORDER_REPLICATE)
    # a 3x3 Sobel sums 4 pixel differences: /4 reads in grey levels per pixel
    return float(np.sqrt(gx[bg] ** 2 + gy[bg] ** 2).mean() / 4.0)


def clutter_level(value: float | None, advise: float, busy: float) -> str:
    """'plain' | 'advise' (tell the operator) | 'busy' (tell the sitter too) | 'unknown'."""
    if value is None:
        return "unknown"
    return "busy" if value > busy else "advise" if value > advise else "plain"


def clutter_advice(level: str, background: str = "as-shot") -> str | None:
    """One line for the operator about a background of ``level`` (None when plain)."""
    if level in ("plain", "unknown"):
        return None
    if background != "as-shot":
        return f"the background behind sitters is busy; the saved photos replace it (output.background = {background!r})"
    what = "clearly busy" if level == "busy" else "a little busy"
    return (f"the background behind sitters is {what}. Fix: hang a plain backdrop or clear the wall behind "
            "the seat, or set output.background = \"blur\" or \"grey\"")


# ------------------------------------------------------------------------------ 80 px


@dataclass(frozen=True)
class Legibility:
    """A square photo as a platform shows it, 80x80 px."""

    face_share: float  # head height (chin to crown) / image height
    ied_px: float  # eye distance at 80 px
    contrast: float  # RMS grey contrast (0..1) inside the face at 80 px
    ok: bool

    def as_dict(self) -> dict:
        return {"size_px": 80, "face_share": round(self.face_share, 3), "ied_px": round(self.ied_px, 2),
                "contrast": round(self.contrast, 4), "ok": self.ok}


def face_ellipse_mask(size: tuple[int, int], eye_mid, chin, crown, ied: float, scale: float = 1.0) -> np.ndarray:
    """A bool mask of the face (an ellipse from crown to chin, 2 IED wide) in an image of
    ``size`` (w, h); points in that image's pixels; ``scale`` < 1 shrinks it round its centre."""
    w, h = size
    cx = 0.5 * (chin[0] + crown[0])
    cy = 0.5 * (chin[1] + crown[1]) + 0.1 * (chin[1] - crown[1])  # the face sits low in the head
    ry = 0.5 * math.dist(chin, crown) * 0.85 * scale
    rx = 1.0 * ied * scale
    angle = math.degrees(math.atan2(chin[0] - crown[0], chin[1] - crown[1]))
    mask = np.zeros((h, w), np.uint8)
    cv2.ellipse(mask, (int(round(cx)), int(round(cy))), (max(1, int(round(rx))), max(1, int(round(ry)))),
                -angle, 0, 360, 1, -1)
    return mask.astype(bool)


def legibility_80(square_bgr: np.ndarray, eye_mid, chin, crown, ied: float, *, min_ied_px: float,
                  min_contrast: float) -> Legibility:
    """Judge ``square_bgr`` at 80x80 px; points and ``ied`` in ``square_bgr``'s pixels."""
    h, w = square_bgr.shape[:2]
    s = 80.0 / w
    small = cv2.resize(square_bgr, (80, 80), interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0

    def sc(p):
        return (p[0] * s, p[1] * (80.0 / h))

    mask = face_ellipse_mask((80, 80), sc(eye_mid), sc(chin), sc(crown), ied * s)
    contrast = float(grey[mask].std()) if mask.any() else 0.0
    share = math.dist(chin, crown) / h
    ied80 = ied * s
    return Legibility(share, ied80, contrast, ied80 >= min_ied_px and contrast >= min_contrast)
