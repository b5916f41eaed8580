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
from typing import TYPE_CHECKING

import cv2
import numpy as np

if TYPE_CHECKING:
    from ..config import EyesSection

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
    return np.asarray(LINEAR_LUT[bgr] @ Y_WEIGHTS_BGR)


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


#: linear sRGB (R, G, B) -> CIE XYZ, D65 (IEC 61966-2-1), rows X, Y, Z
_SRGB_TO_XYZ = ((0.412453, 0.357580, 0.180423), (0.212671, 0.715160, 0.072169), (0.019334, 0.119193, 0.950227))
_D65_WHITE = (0.950456, 1.0, 1.088754)


def _lab_f(t: float) -> float:
    return t ** (1.0 / 3.0) if t > 0.008856 else 7.787 * t + 16.0 / 116.0


def lab_cast(bgr_patches: list[np.ndarray]) -> tuple[float, float]:
    """CIELAB a*, b* of the mean colour of the given patches.

    The one colour is converted with the CIE formulas in plain arithmetic, as OpenCV's
    float BGR2Lab defines them (sRGB gamma, D65): ``cv2.cvtColor`` on a 1x1 image costs
    0.4 ms inside the analysis loop (a few us when called alone), a fifth of a face
    frame's measures here. OpenCV quantises a* and b* to 1/64: the two agree within 0.4
    (tests/vision/test_units.py)."""
    counts = [p.shape[0] * p.shape[1] for p in bgr_patches]
    if not sum(counts):
        return 0.0, 0.0
    total = sum(np.array(cv2.mean(p)[:3]) * n for p, n in zip(bgr_patches, counts) if n)
    b, g, r = (min(1.0, max(0.0, float(c))) for c in total / (255.0 * sum(counts)))
    rgb = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    fx, fy, fz = (_lab_f(sum(m * c for m, c in zip(row, rgb)) / white) for row, white in zip(_SRGB_TO_XYZ, _D65_WHITE))
    return 500.0 * (fx - fy), 200.0 * (fy - fz)


def face_mask(n: int) -> np.ndarray:
    """uint8 mask (255 = face) inside an n x n mesh crop (the crop is 1.5 x the face's
    extent, centred and upright): an ellipse a little inside the face outline."""
    yy, xx = np.mgrid[0:n, 0:n]
    c = n / 2
    inside = (((xx + 0.5 - c) / (0.27 * n)) ** 2 + ((yy + 0.5 - c) / (0.31 * n)) ** 2) <= 1.0
    return np.asarray(inside.astype(np.uint8) * 255)


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
    v = float(np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4]))
    return v / (2.0 * max(float(np.linalg.norm(p[0] - p[3])), 1e-9))


def eye_open_limits(eyes_cfg: EyesSection, happy: float) -> tuple[float, float]:
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


def _rotation_of(centred_target: np.ndarray, weighted_source: np.ndarray) -> np.ndarray:
    """Umeyama's rotation from the centred target and the centred source times the weights."""
    u, _, vt = np.linalg.svd(centred_target.T @ weighted_source)
    r = u @ vt
    if np.linalg.det(r) < 0:  # a reflection: flip the least significant axis
        u[:, 2] = -u[:, 2]
        r = u @ vt
    return np.asarray(r)


#: the canonical face's side of the per-frame fit, computed once: its weighted centroid and
#: its centred points times the normalised weights (head_pose runs on every mesh frame)
_POSE_W = POSE_WEIGHTS / POSE_WEIGHTS.sum()
_POSE_SOURCE_W = (POSE_POINTS - _POSE_W @ POSE_POINTS) * _POSE_W[:, None]
#: mesh (x, y, z) -> camera axes (x, -y, -z)
_TO_CAMERA = np.array([1.0, -1.0, -1.0])


def head_pose(landmarks: np.ndarray, pitch_offset_deg: float = 0.0) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees from the mesh, by a weighted Procrustes fit of
    MediaPipe's canonical face to the mesh in camera axes (x, -y, -z)."""
    target = landmarks[POSE_IDS].astype(np.float64) * _TO_CAMERA
    yaw, pitch, roll = rotation_to_angles(_rotation_of(target - _POSE_W @ target, _POSE_SOURCE_W))
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


# ------------------------------------------------------------------------------ learned-model features
# Inputs of the small learned models (booth/vision/learned.py, weights in data/). Mesh
# points are put in the face's own frame first: origin at the eye-corner midpoint, x along
# the line between the eyes' centres (subject's left = image right), y up, unit = the
# distance between the eye centres, so the figures do not depend on the face's size, place
# or roll.

#: eye corners of the mesh (image-left eye = the subject's right eye first)
MESH_EYES = ((33, 133), (362, 263))
#: upper and lower eyelid middles of the mesh, per eye (same order)
MESH_LIDS = ((159, 145), (386, 374))


def eye_axis(landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """(right eye centre, left eye centre, their distance, unit vector right -> left) in
    image px, from the mesh's eye corners (:data:`MESH_EYES`)."""
    lm = np.asarray(landmarks, np.float64)
    (a, b), (c, d) = MESH_EYES
    right = 0.5 * (lm[a, :2] + lm[b, :2])
    left = 0.5 * (lm[c, :2] + lm[d, :2])
    axis = left - right
    ied = max(float(np.hypot(axis[0], axis[1])), 1e-6)
    return right, left, ied, axis / ied


def face_frame(landmarks: np.ndarray, ids: np.ndarray | None = None) -> np.ndarray:
    """(468, 3) mesh in the face's own frame (see above): x right, y up, z toward the
    camera (from the mesh's mean depth), in units of the eye-centre distance. With ``ids``
    only those rows are computed (the others are 0): the learned models read
    :data:`FRAME_IDS` only, and this runs on every frame."""
    lm = np.asarray(landmarks, np.float64)
    right, left, ied, e = eye_axis(lm)
    # rows: image (dx, dy) -> face (x, y up); z -> toward the camera
    rot = np.array([[e[0], e[1], 0.0], [e[1], -e[0], 0.0], [0.0, 0.0, -1.0]]) / ied
    origin = np.array([0.5 * (left[0] + right[0]), 0.5 * (left[1] + right[1]), lm[:, 2].mean()])
    if ids is None:
        return np.asarray((lm - origin) @ rot)
    out = np.zeros((len(lm), 3))
    out[ids] = (lm[ids] - origin) @ rot
    return out


SMILE_GEOMETRY = ("mouth_width", "corner_lift", "corner_lift_outer", "mouth_open", "lid_to_corner",
                  "cheek_raise", "upper_lip", "lower_lip", "corner_to_nose")


def smile_geometry(f: np.ndarray) -> np.ndarray:
    """Mouth and cheek figures of a face-frame mesh (:func:`face_frame`), in
    :data:`SMILE_GEOMETRY` order: mouth width; lift of the corners (61, 291) above the inner
    lip centre (13/14) and above the outer lip centre (0/17); inner lip gap; lower eyelid
    (145/374) to corner height; lower eyelid to upper cheek (117/346) height (the cheek
    raise of a genuine smile); upper and lower lip heights; corner height below the nose
    tip (1)."""
    corners = 0.5 * (f[61] + f[291])
    inner = 0.5 * (f[13] + f[14])
    outer = 0.5 * (f[0] + f[17])
    lids = 0.5 * (f[145] + f[374])
    cheek = 0.5 * (f[117] + f[346])
    return np.array([
        float(np.hypot(*(f[291, :2] - f[61, :2]))),
        corners[1] - inner[1],
        corners[1] - outer[1],
        f[13, 1] - f[14, 1],
        lids[1] - corners[1],
        lids[1] - cheek[1],
        f[0, 1] - f[13, 1],
        f[14, 1] - f[17, 1],
        f[1, 1] - corners[1],
    ])


SMILE_FEATURES = tuple(f"logp_{c}" for c in ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")) \
    + SMILE_GEOMETRY


def smile_features(expression: np.ndarray, f: np.ndarray) -> np.ndarray:
    """The smile model's inputs: the expression model's log-probabilities, then
    :func:`smile_geometry`."""
    p = np.clip(np.asarray(expression, np.float64), 1e-4, 1.0)
    return np.concatenate([np.log(p), smile_geometry(f)])


EYE_FEATURES = ("contour_opening", "mesh_opening", "both_contour_opening", "happy")


def eye_features(f: np.ndarray, openings: tuple[float, float], happy: float) -> np.ndarray:
    """(2, 4) inputs of the eye-state model, one row per eye (subject's right eye, then
    left), in :data:`EYE_FEATURES` order: the iris model's eyelid-contour opening (the
    analyzer's ``ear_*``), the mesh's own lid gap (159/145, 386/374) over the eye width (both
    relative to the eye's size, so to the face's), the mean contour opening of both eyes
    (lids close together; a drowsy face narrows both) and P(happy) (a genuine smile narrows
    the eyes)."""
    out = np.empty((2, 4))
    both = 0.5 * (openings[0] + openings[1])
    for k, ((a, b), (up, lo)) in enumerate(zip(MESH_EYES, MESH_LIDS)):
        width = max(float(np.hypot(*(f[b, :2] - f[a, :2]))), 1e-6)
        out[k] = (openings[k], (f[up, 1] - f[lo, 1]) / width, both, happy)
    return out


#: mesh points whose face-frame position feeds the pose correction: nose, forehead, chin,
#: lips, eye corners and lids, brows, cheek and jaw outline
POSE_KEY_POINTS = (1, 4, 6, 10, 152, 13, 14, 61, 291, 0, 17, 33, 133, 263, 362, 234, 454, 168, 2, 98, 327, 159,
                   145, 386, 374, 70, 300, 105, 334, 127, 356, 132, 361, 58, 288, 172, 397, 150, 379, 176, 400)
POSE_FEATURES = ("yaw", "pitch", "roll", "eye_roll") + tuple(f"p{i}_{c}" for i in POSE_KEY_POINTS for c in "xyz")
_POSE_KEY = np.array(POSE_KEY_POINTS)


#: for each mesh index, the index of its mirror image on the canonical face (exactly
#: symmetric; data/pose_reference.json, derived by data/derive_pose_reference.py)
MESH_MIRROR = np.array(_REF["mirror"], np.int64)


def mirror_landmarks(landmarks: np.ndarray, width: float) -> np.ndarray:
    """The mesh a left-right mirrored image of ``width`` px would give, if the mesh were
    exactly mirror-equivariant: point ``i`` is the mirror of point ``MESH_MIRROR[i]``."""
    lm = np.asarray(landmarks, np.float64)[MESH_MIRROR].copy()
    lm[:, 0] = width - lm[:, 0]
    return lm


def _mirror_basis(odd: bool) -> tuple[tuple[str, ...], np.ndarray]:
    """The combinations of :data:`POSE_FEATURES` that change sign (``odd``) or stay (even)
    when the face is mirrored. A mirrored face's face-frame point ``i`` is ``(-x, y, z)`` of
    point ``MESH_MIRROR[i]``; the Procrustes yaw and both rolls negate, the pitch does not.
    Odd: yaw, roll, eye_roll; x of each midline point; x_i + x_j, y_i - y_j, z_i - z_j of
    each mirror pair (i, j). Even: pitch; y, z of each midline point; x_i - x_j, y_i + y_j,
    z_i + z_j. A linear model on the odd ones without an intercept is odd
    (yaw(mirror(face)) = -yaw(face)); one on the even ones is even."""
    col = {n: k for k, n in enumerate(POSE_FEATURES)}
    names: list[str] = []
    rows: list[np.ndarray] = []
    s = -1.0 if odd else 1.0  # the sign of partner j's y and z (and minus that of its x)

    def put(name: str, terms: list[tuple[str, float]]) -> None:
        v = np.zeros(len(POSE_FEATURES))
        for feature, c in terms:
            v[col[feature]] += c
        names.append(name)
        rows.append(v)

    for angle in (("yaw", "roll", "eye_roll") if odd else ("pitch",)):
        put(angle, [(angle, 1.0)])
    for i in POSE_KEY_POINTS:
        j = int(MESH_MIRROR[i])
        if i == j:
            for c in ("x",) if odd else ("y", "z"):
                put(f"p{i}_{c}", [(f"p{i}_{c}", 1.0)])
        elif i < j:
            for c, sign in (("x", -s), ("y", s), ("z", s)):
                put(f"p{i}{'+' if sign > 0 else '-'}p{j}_{c}", [(f"p{i}_{c}", 1.0), (f"p{j}_{c}", sign)])
        elif j not in POSE_KEY_POINTS:
            raise ValueError(f"POSE_KEY_POINTS holds {i} but not its mirror {j}")
    return tuple(names), np.array(rows)


#: the odd (sign-changing with a mirrored face) features of the learned yaw and roll, and the
#: even ones of the learned pitch, as rows over :data:`POSE_FEATURES`
POSE_ODD_FEATURES, POSE_ODD_BASIS = _mirror_basis(odd=True)
POSE_EVEN_FEATURES, POSE_EVEN_BASIS = _mirror_basis(odd=False)


def eye_line_roll(iris_right: np.ndarray, iris_left: np.ndarray) -> float:
    """Roll (degrees, same sign as :func:`head_pose`'s) of the line between the iris centres
    on the image: GENKI-4K's roll labels follow it more closely than the 3D fit (MAE 0.97 vs
    1.14 deg)."""
    d = np.asarray(iris_left, np.float64)[:2] - np.asarray(iris_right, np.float64)[:2]
    return math.degrees(math.atan2(d[1], d[0]))


def pose_features(landmarks: np.ndarray, angles: tuple[float, float, float], eye_roll: float,
                  frame: np.ndarray | None = None) -> np.ndarray:
    """The pose correction's inputs (:data:`POSE_FEATURES`): the Procrustes (yaw, pitch,
    roll), the iris line's roll, then the face-frame x, y, z of :data:`POSE_KEY_POINTS`."""
    f = face_frame(landmarks) if frame is None else frame
    return np.concatenate([np.asarray(angles, np.float64), [eye_roll], f[_POSE_KEY].ravel()])


def pose_base(x: np.ndarray) -> np.ndarray:
    """What the pose correction corrects, from its inputs: (Procrustes yaw, Procrustes
    pitch, iris-line roll)."""
    x = np.atleast_2d(x)
    return x[:, [0, 1, 3]]


class LearnedModels:
    """The shipped weights (booth/vision/data/*.json, made by ``python -m
    booth.vision.data.train``), loaded once, evaluated in numpy.

    :meth:`measure` is the per-frame path: the same figures as :func:`smile_features`,
    :func:`eye_features` and :func:`pose_features` through the models (tests/vision checks
    they agree), folded into a few array operations on the :data:`FRAME_IDS` rows only."""

    def __init__(self) -> None:
        from .learned import LinearModel, load_model

        self.smile = load_model("smile_model")
        self.eyes = load_model("eye_model")
        self.pose = tuple(load_model(f"pose_model_{a}") for a in ("yaw", "pitch", "roll"))
        for m, names in ((self.smile, SMILE_FEATURES), (self.eyes, EYE_FEATURES), (self.pose[0], POSE_FEATURES)):
            if tuple(m.features) != tuple(names):
                raise ValueError("booth/vision/data: a learned model's features differ from the code's; "
                                 "retrain with `python -m booth.vision.data.train`")
        # folded weights: decision = x @ w + b on raw features
        def fold(m: LinearModel) -> tuple[np.ndarray, float]:
            w = m.coef / m.scale
            return w, float(m.intercept - m.mean @ w)

        self._smile_w, self._smile_b = fold(self.smile)
        self._eye_w, self._eye_b = fold(self.eyes)
        folded = [fold(m) for m in self.pose]
        self._pose_w = np.stack([w for w, _ in folded], axis=1)  # (features, 3)
        self._pose_b = np.array([b for _, b in folded])
        row = {int(i): k for k, i in enumerate(FRAME_IDS)}
        self._rows = FRAME_IDS
        self._eye_rows = tuple((row[a], row[b], row[u], row[lo]) for (a, b), (u, lo) in zip(MESH_EYES, MESH_LIDS))
        self._key_rows = np.array([row[i] for i in POSE_KEY_POINTS])
        self._eye_flat = np.array([r for rows in self._eye_rows for r in rows])
        self._pose_base_idx = np.array([0, 1, 3])
        (ea, eb), (ec, ed) = MESH_EYES
        self._eye_ids = np.array([ea, eb, ec, ed])
        # smile geometry after the width: linear in the face-frame y of these points
        pts = (61, 291, 13, 14, 0, 17, 145, 374, 117, 346, 1)
        self._smile_rows = np.array([row[i] for i in pts])
        c = {i: k for k, i in enumerate(pts)}
        g = np.zeros((8, len(pts)))

        def put(r: int, terms: list[tuple[int, float]]) -> None:
            for i, v in terms:
                g[r, c[i]] += v

        put(0, [(61, .5), (291, .5), (13, -.5), (14, -.5)])  # corner lift over the inner lips
        put(1, [(61, .5), (291, .5), (0, -.5), (17, -.5)])  # over the outer lips
        put(2, [(13, 1), (14, -1)])  # mouth open
        put(3, [(145, .5), (374, .5), (61, -.5), (291, -.5)])  # lower lids to corners
        put(4, [(145, .5), (374, .5), (117, -.5), (346, -.5)])  # cheek raise
        put(5, [(0, 1), (13, -1)])  # upper lip
        put(6, [(14, 1), (17, -1)])  # lower lip
        put(7, [(1, 1), (61, -.5), (291, -.5)])  # corners below the nose tip
        self._smile_g = g
        # everything linear in the face-frame coordinates in one matrix: column 0 the smile
        # geometry's part of the smile decision (all but the mouth width), 1-3 the pose
        # correction's part of (yaw, pitch, roll); rows = FRAME_IDS x (x, y, z)
        n_rows = len(FRAME_IDS)
        lin = np.zeros((n_rows, 3, 4))
        n_expr = sum(1 for name in SMILE_FEATURES if name.startswith("logp_"))
        lin[self._smile_rows, 1, 0] = g.T @ self._smile_w[n_expr + 1:]
        lin[self._key_rows, :, 1:] = self._pose_w[4:].reshape(len(POSE_KEY_POINTS), 3, 3)
        self._lin = lin.reshape(n_rows * 3, 4)
        self._smile_w_expr = self._smile_w[:n_expr].tolist()
        self._smile_w_width = float(self._smile_w[n_expr])
        # per output axis: the weights of (yaw, pitch, roll, eye_roll) and the intercept
        self._pose_w_angles = [tuple(self._pose_w[:4, k].tolist()) + (float(self._pose_b[k]),) for k in range(3)]
        self._eye_w_list = self._eye_w.tolist()
        # the face-frame rows read one by one: mouth corners, then the eyes' corners and lids
        self._scalar_rows = np.concatenate([self._smile_rows[:2], self._eye_flat])

    def measure(self, landmarks: np.ndarray, expression: np.ndarray, openings: tuple[float, float], happy: float,
                angles: tuple[float, float, float], eye_roll: float
                ) -> tuple[float, tuple[float, float], tuple[float, float, float]]:
        """(P(smile), (P(right eye closed), P(left eye closed)), corrected (yaw, pitch,
        roll)) for one face; ``openings`` are the (right, left) eyelid-contour openings."""
        lm = landmarks
        (ra, rb, la, lb) = lm[self._eye_ids, :2].tolist()
        rx, ry = 0.5 * (ra[0] + rb[0]), 0.5 * (ra[1] + rb[1])
        lx, ly = 0.5 * (la[0] + lb[0]), 0.5 * (la[1] + lb[1])
        ied = max(math.hypot(lx - rx, ly - ry), 1e-6)
        ex, ey = (lx - rx) / ied / ied, (ly - ry) / ied / ied
        rot = np.array([[ex, ey, 0.0], [ey, -ex, 0.0], [0.0, 0.0, -1.0 / ied]])
        pts = lm[self._rows]
        fc = (pts - (0.5 * (lx + rx), 0.5 * (ly + ry), float(lm[:, 2].mean()))) @ rot  # face frame, FRAME_IDS rows
        lin_smile, lin_yaw, lin_pitch, lin_roll = (fc.reshape(-1) @ self._lin).tolist()
        rows = fc[self._scalar_rows, :2].tolist()
        # smile
        (x61, y61), (x291, y291) = rows[0], rows[1]
        dec = (sum(math.log(min(1.0, max(p, 1e-4))) * w for p, w in zip(expression.tolist(), self._smile_w_expr))
               + math.hypot(x291 - x61, y291 - y61) * self._smile_w_width + lin_smile + self._smile_b)
        smile = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, dec))))
        # eyes
        both = 0.5 * (openings[0] + openings[1])
        w0, w1, w2, w3 = self._eye_w_list
        p_closed = []
        for k, opening in enumerate(openings):
            (ax, ay), (bx, by), (_, uy), (_, loy) = rows[2 + 4 * k:6 + 4 * k]
            width = max(math.hypot(bx - ax, by - ay), 1e-6)
            d = opening * w0 + (uy - loy) / width * w1 + both * w2 + happy * w3 + self._eye_b
            p_closed.append(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, d)))))
        # pose: base angle + the angles' part + the face frame's part + intercept
        a0, a1, a2 = angles
        out = []
        for base, linear, (w_yaw, w_pitch, w_roll, w_eye, b) in zip((a0, a1, eye_roll), (lin_yaw, lin_pitch, lin_roll),
                                                                    self._pose_w_angles):
            out.append(base + a0 * w_yaw + a1 * w_pitch + a2 * w_roll + eye_roll * w_eye + linear + b)
        yaw, pitch, roll = out
        return smile, (p_closed[0], p_closed[1]), (yaw, pitch, roll)

    def smile_score(self, expression: np.ndarray, f: np.ndarray) -> float:
        """P(smile) from the expression probabilities and the face-frame mesh (reference path)."""
        return float(self.smile.predict(smile_features(expression, f)))

    def eyes_closed_p(self, f: np.ndarray, openings: tuple[float, float], happy: float) -> tuple[float, float]:
        """P(closed) of the (subject's right, left) eye; ``openings`` in the same order (reference path)."""
        p = self.eyes.predict(eye_features(f, openings, happy))
        return float(p[0]), float(p[1])

    def head_pose(self, landmarks: np.ndarray, f: np.ndarray, angles: tuple[float, float, float],
                  eye_roll: float) -> tuple[float, float, float]:
        """The pose from the Procrustes ``angles`` and the iris line's roll, corrected on mesh
        features (a ridge model per axis, see :func:`pose_base`; reference path)."""
        x = pose_features(landmarks, angles, eye_roll, f)
        base = pose_base(x)[0]
        return tuple(float(a + m.predict(x)) for a, m in zip(base, self.pose))  # type: ignore[return-value]


_LEARNED: LearnedModels | None = None


def learned_models() -> LearnedModels:
    global _LEARNED
    if _LEARNED is None:
        _LEARNED = LearnedModels()
    return _LEARNED


#: the mesh points the learned models read (smile geometry, eyes, pose)
FRAME_IDS = np.unique(np.array(list(POSE_KEY_POINTS) + [61, 291, 13, 14, 0, 17, 145, 374, 117, 346, 1]
                               + [i for pair in MESH_EYES + MESH_LIDS for i in pair]))
