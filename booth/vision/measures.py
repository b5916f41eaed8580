"""The image and geometry measures of HEADSHOT_SPEC, as small pure functions.

Sign conventions (image x right, y down; "left"/"right" are the subject's own):

- **yaw** > 0: the face turns toward the subject's left (the nose points to image right).
- **pitch** > 0: chin up (the face points up).
- **roll** > 0: the head tilts toward the subject's left shoulder, which on the image (not
  mirrored) is a clockwise turn: the subject's left eye (image right) sits *lower* than the
  right eye.  These three agree with GENKI-4K's labels (checked in
  tests/vision/test_datasets.py: the correlation with the labels is strongly positive on
  each axis).
- **gaze_h** > 0: the eyes look toward the subject's left (image right); **gaze_v** > 0: up.
- **light_balance_ev** > 0: the subject's left cheek (image right) is brighter.

Luminance is computed in linear light: sRGB values are linearised (IEC 61966-2-1) and
Y = 0.2126 R + 0.7152 G + 0.0722 B, so "twice as bright" means twice the light and
differences in EV are log2 ratios of light, not of gamma-encoded pixel values.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

# ------------------------------------------------------------------------------ light


def srgb_to_linear(v: np.ndarray | float) -> np.ndarray:
    """sRGB-encoded values in 0..1 -> linear light 0..1."""
    v = np.asarray(v, np.float64)
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


#: 8-bit sRGB code -> linear light 0..1 (a lookup makes the per-pixel cost one gather)
LINEAR_LUT = srgb_to_linear(np.arange(256) / 255.0).astype(np.float32)
#: BGR order weights of Rec.709 luminance (images here are BGR)
Y_WEIGHTS_BGR = np.array([0.0722, 0.7152, 0.2126], np.float32)


def linear_luminance(bgr: np.ndarray) -> np.ndarray:
    """Linear-light luminance 0..1 of BGR uint8 pixels (any leading shape)."""
    return LINEAR_LUT[bgr] @ Y_WEIGHTS_BGR


def mean_linear_luminance(bgr: np.ndarray) -> float:
    """Mean linear luminance of a patch: per-channel means of linearised values, then Y."""
    if bgr.size == 0:
        return 0.0
    return float(np.dot(cv2.mean(cv2.LUT(bgr, LINEAR_LUT))[:3], Y_WEIGHTS_BGR))


def cheek_patches(landmarks: np.ndarray, ied: float) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """(x, y, side) of the subject's (left, right) cheek patches (HEADSHOT_SPEC): side 0.3 IED,
    at each eye's x, halfway between that eye and the mouth corner on its side."""
    side = 0.3 * ied
    out = []
    for (a, b), mouth in (((362, 263), 291), ((33, 133), 61)):  # left first
        x, y = 0.5 * (landmarks[a, 0] + landmarks[b, 0]), 0.5 * (landmarks[a, 1] + landmarks[b, 1])
        out.append((float(x), float((y + landmarks[mouth, 1]) / 2), side))
    return out[0], out[1]


def patch(image: np.ndarray, cx: float, cy: float, side: float) -> np.ndarray:
    h, w = image.shape[:2]
    half = max(1.0, side / 2)
    x0, x1 = int(max(0, cx - half)), int(min(w, cx + half))
    y0, y1 = int(max(0, cy - half)), int(min(h, cy + half))
    return image[y0:max(y0, y1), x0:max(x0, x1)]


def light_balance_ev(left_patch: np.ndarray, right_patch: np.ndarray) -> float:
    """Signed log2(left / right) of mean linear luminance: > 0 when the subject's left
    cheek is brighter. 0 when a patch is empty (face at the frame edge)."""
    lum_left, lum_right = mean_linear_luminance(left_patch), mean_linear_luminance(right_patch)
    if lum_left <= 0 or lum_right <= 0:
        return 0.0
    return float(math.log2(max(lum_left, 1e-5) / max(lum_right, 1e-5)))


def lab_cast(bgr_patches: list[np.ndarray]) -> tuple[float, float]:
    """CIELAB a*, b* of the mean colour of the given patches."""
    counts = [p.shape[0] * p.shape[1] for p in bgr_patches]
    if not sum(counts):
        return 0.0, 0.0
    total = sum(np.array(cv2.mean(p)[:3]) * n for p, n in zip(bgr_patches, counts) if n)
    mean = (total / (255.0 * sum(counts))).astype(np.float32).reshape(1, 1, 3)
    lab = cv2.cvtColor(mean, cv2.COLOR_BGR2Lab)[0, 0]
    return float(lab[1]), float(lab[2])


def face_mask(n: int) -> np.ndarray:
    """uint8 mask (255 = face) inside an n x n mesh crop (the crop is 1.5 x the face's
    extent, centred and upright): an ellipse a little inside the face outline."""
    yy, xx = np.mgrid[0:n, 0:n]
    c = n / 2
    inside = (((xx + 0.5 - c) / (0.27 * n)) ** 2 + ((yy + 0.5 - c) / (0.31 * n)) ** 2) <= 1.0
    return inside.astype(np.uint8) * 255


@dataclass(frozen=True)
class ExposureStats:
    exposure: float  # mean linear Y 0..1
    clipped: float  # fraction of pixels >= 247 or <= 25 (8-bit luma)
    sharpness: float  # variance of the Laplacian of the grey crop inside the mask


def exposure_stats(crop_bgr: np.ndarray, mask: np.ndarray, clip_hi: int = 247, clip_lo: int = 25) -> ExposureStats:
    """Exposure, clipping and sharpness of the face inside ``mask`` (uint8, 255 = face).

    All in OpenCV's C loops with the mask (no per-pixel Python or fancy indexing), and only
    over the mask's bounding box: this runs on every frame."""
    x, y, w, h = cv2.boundingRect(mask)
    # one pixel of context around the mask keeps the Laplacian of every masked pixel as it
    # is on the whole crop
    x0, y0 = max(x - 1, 0), max(y - 1, 0)
    crop_bgr = crop_bgr[y0:y + h + 1, x0:x + w + 1]
    mask = mask[y0:y + h + 1, x0:x + w + 1]
    lin = cv2.LUT(crop_bgr, LINEAR_LUT)
    exposure = float(np.dot(cv2.mean(lin, mask=mask)[:3], Y_WEIGHTS_BGR))
    grey = cv2.cvtColor(crop_bgr, cv2.COLOR_BGR2GRAY)
    hist = cv2.calcHist([grey], [0], mask, [256], [0, 256]).ravel()
    total = float(hist.sum())
    clipped = float(hist[clip_hi:].sum() + hist[:clip_lo + 1].sum()) / max(total, 1.0)
    lap = cv2.Laplacian(grey, cv2.CV_32F)
    _, std = cv2.meanStdDev(lap, mask=mask)
    return ExposureStats(exposure, clipped, float(std[0, 0]) ** 2)


def background_gradient(small_bgr: np.ndarray, person: np.ndarray) -> float | None:
    """Mean Sobel gradient magnitude of linear Y (0..255 scale) over background pixels.

    ``small_bgr`` and ``person`` (bool, True = person) are the same size (the segmentation
    input, 256x256). None when almost no background is visible.
    """
    bg = ~person
    if np.count_nonzero(bg) < 0.02 * bg.size:
        return None
    y = linear_luminance(small_bgr) * 255.0
    gx = cv2.Sobel(y, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(y, cv2.CV_32F, 0, 1, ksize=3)
    # keep the person's own edge out of the background measure
    bg = cv2.erode(bg.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    if not bg.any():
        return None
    return float(np.sqrt(gx[bg] ** 2 + gy[bg] ** 2).mean())


# ------------------------------------------------------------------------------ eyes


def eye_aspect_ratio(p: np.ndarray) -> float:
    """Soukupova & Cech's EAR of six eye points p1..p6 (corner, two upper lid, corner,
    two lower lid): (|p2-p6| + |p3-p5|) / (2 |p1-p4|)."""
    p = np.asarray(p, np.float64)
    v = np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4])
    return float(v / (2.0 * max(np.linalg.norm(p[0] - p[3]), 1e-9)))


def eye_open_limits(eyes_cfg, happy: float) -> tuple[float, float]:
    """(absolute floor, ratio to the sitter's open median) an eye opening must reach to count
    as open, given P(happy): a genuine smile narrows the eyes (cheeks rise), so both limits
    slide linearly from ``open_floor``/``open_ratio`` at P(happy) = 0 to
    ``open_floor_smile``/``open_ratio_smile`` at 1 (measured on Yale and lfi_24, see
    booth/vision/README.md)."""
    p = min(1.0, max(0.0, float(happy)))
    e = eyes_cfg
    return (e.open_floor + (e.open_floor_smile - e.open_floor) * p,
            e.open_ratio + (e.open_ratio_smile - e.open_ratio) * p)


def contour_opening(lids: np.ndarray, angle: float = 0.0) -> float:
    """Vertical / horizontal extent of an eyelid outline, measured along the eye line
    (``angle``: image angle of the line between the corners)."""
    c, s = math.cos(angle), math.sin(angle)
    u = lids[:, 0] * c + lids[:, 1] * s
    v = -lids[:, 0] * s + lids[:, 1] * c
    return float((v.max() - v.min()) / max(u.max() - u.min(), 1e-9))


# ------------------------------------------------------------------------------ pose

_REF = json.loads((Path(__file__).parent / "data" / "pose_reference.json").read_text())
#: the rigid part of MediaPipe's pose basis: forehead, nose bridge and sides, eye corners,
#: temples, upper cheekbones under the eyes. The basis's lower-cheek and jaw points (117,
#: 132/361, 136/365, 147/376, 205/425) rise with a smile and tilted the fitted pitch by
#: expression (GENKI-4K: smiling faces read 1.2 deg more chin-down than neutral ones with the
#: full basis, 0.5 deg with this subset; yaw/roll MAE unchanged; booth/vision/README.md)
RIGID_POSE_IDS = (4, 6, 10, 33, 54, 67, 119, 121, 127, 129, 133, 143, 198, 263, 284, 297, 348, 350, 356, 358, 362,
                  372, 420)
_RIGID = np.isin(np.array(_REF["basis_ids"]), RIGID_POSE_IDS)
POSE_IDS = np.array(_REF["basis_ids"], np.int64)[_RIGID]
POSE_WEIGHTS = np.array(_REF["basis_weights"], np.float64)[_RIGID]
POSE_POINTS = np.array(_REF["basis_points"], np.float64)[_RIGID]  # x subject-left, y up, z toward camera


def rotation_to_angles(r: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees from a head rotation in camera axes (x image right,
    y up, z toward the camera); columns are the head's own x/y/z axes."""
    fwd = r[:, 2]
    right = r[:, 0]
    yaw = math.degrees(math.atan2(fwd[0], fwd[2]))
    pitch = math.degrees(math.asin(max(-1.0, min(1.0, fwd[1]))))
    # the head's x axis points to the subject's left: it dips below horizontal (y up) when
    # the head tilts toward the subject's left shoulder, which is positive roll
    roll = math.degrees(math.atan2(-right[1], right[0]))
    return yaw, pitch, roll


def fit_rotation(source: np.ndarray, target: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Rotation R of the weighted similarity fit target ~ s R source + t (Umeyama)."""
    w = weights / weights.sum()
    ms, mt = w @ source, w @ target
    cov = ((target - mt) * w[:, None]).T @ (source - ms)
    u, _, vt = np.linalg.svd(cov)
    d = np.sign(np.linalg.det(u @ vt))
    return u @ np.diag([1.0, 1.0, d]) @ vt


def head_pose(landmarks: np.ndarray, pitch_offset_deg: float = 0.0) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees from the mesh, by a weighted Procrustes fit of
    MediaPipe's canonical face to the mesh in camera axes (x, -y, -z)."""
    pts = landmarks[POSE_IDS].astype(np.float64)
    target = np.stack([pts[:, 0], -pts[:, 1], -pts[:, 2]], axis=1)
    yaw, pitch, roll = rotation_to_angles(fit_rotation(POSE_POINTS, target, POSE_WEIGHTS))
    return yaw, pitch + pitch_offset_deg, roll


# ------------------------------------------------------------------------------ gaze

#: depth of the eye-corner midpoint in front of the eyeball's centre, in eye widths: when the
#: head turns but the eyes stay on the lens, the iris appears this much * sin(angle) off centre
EYE_DEPTH_RATIO = 0.25


def gaze(iris: np.ndarray, corner_a: np.ndarray, corner_b: np.ndarray, eye_height: float,
         yaw_deg: float, pitch_deg: float) -> tuple[float, float]:
    """(h, v) gaze of one eye, pose-compensated: iris centre offset from the corner midpoint
    along the eye line / eye width (h, > 0 toward image right = subject's left) and across it
    / eye height (v, > 0 up). ``corner_a`` is the image-left corner."""
    axis = corner_b - corner_a
    width = float(np.hypot(*axis))
    if width < 1e-6:
        return 0.0, 0.0
    e = axis / width
    n_down = np.array([-e[1], e[0]])
    off = iris - (corner_a + corner_b) / 2
    h_px = float(off @ e) + EYE_DEPTH_RATIO * width * math.sin(math.radians(yaw_deg))
    v_px = -float(off @ n_down) + EYE_DEPTH_RATIO * width * math.sin(math.radians(pitch_deg))
    return h_px / width, v_px / max(eye_height, 0.2 * width)


# ------------------------------------------------------------------------------ crown

#: rays cast from the forehead toward the crown, spread across the face (in IED either side)
CROWN_RAY_SPREAD_IED = 0.4
CROWN_RAYS = 9


def crown_factor_from_mask(person: np.ndarray, image_size: tuple[int, int], forehead: np.ndarray,
                           chin: np.ndarray, ied: float) -> float | None:
    """The sitter's own crown factor k (crown = forehead + k * (forehead - chin)), measured on
    a person mask: rays leave mesh point 10 along the chin-to-forehead axis, spread over
    +-0.4 IED across the face, and stop where the mask ends (the top of the hair, or of a
    bald head). k is the median ray length over the chin-forehead distance.

    ``person`` is the segmentation mask (bool, any size) of the whole image of ``image_size``
    (width, height). None when the mask cannot say: the forehead itself is not inside it, or
    more than two rays run off the image before the mask ends (the crown is cut off)."""
    mh, mw = person.shape[:2]
    w, h = image_size
    sx, sy = mw / float(w), mh / float(h)
    forehead = np.asarray(forehead, np.float64)[:2]
    axis = forehead - np.asarray(chin, np.float64)[:2]
    length = float(np.hypot(*axis))
    if length < 1e-3:
        return None
    u = axis / length
    n = np.array([-u[1], u[0]])
    step = 0.5 / max(sx, sy)  # half a mask pixel, in image pixels
    s = np.arange(0.0, 1.5 * length, step)
    lengths = []
    for off in np.linspace(-CROWN_RAY_SPREAD_IED, CROWN_RAY_SPREAD_IED, CROWN_RAYS) * ied:
        pts = forehead[None, :] + s[:, None] * u[None, :] + (off * n)[None, :]
        mx = np.floor(pts[:, 0] * sx).astype(np.int64)
        my = np.floor(pts[:, 1] * sy).astype(np.int64)
        inside_img = (mx >= 0) & (mx < mw) & (my >= 0) & (my < mh)
        inside = np.zeros(len(s), bool)
        inside[inside_img] = person[my[inside_img], mx[inside_img]]
        if not inside[0]:
            lengths.append(np.nan)  # this ray starts off the person: the mask is unreliable here
            continue
        out = np.flatnonzero(~inside)
        if len(out) == 0 or not inside_img[out[0]]:
            lengths.append(np.nan)  # ran off the image (or past 1.5x the face) inside the person
            continue
        lengths.append(s[out[0]])
    lengths_a = np.array(lengths)
    if np.count_nonzero(np.isnan(lengths_a)) > 2:
        return None
    return float(np.nanmedian(lengths_a)) / length
