"""Appearance features of a face: what the pixels say, beside what the landmarks say.

Measured for issue 17 (booth/vision/README.md, "Appearance features"), not in the per-frame
path: the classic GENKI-4K smile features (HOG and LBP of the aligned mouth) and a HOG of the
aligned face for pitch, as extra inputs of the learned smile and pitch models. Out of fold
they add nothing the landmarks and the expression model do not already give, so the booth
does not compute them; ``booth.vision.data.train.appearance_cv`` recomputes that finding and
``python -m booth.vision.evaluate --only appearance,cost`` prints it with their cost.

Everything is plain numpy + cv2 (OpenCV 5's pip wheel has no ``cv2.HOGDescriptor``): a
Dalal-Triggs HOG (unsigned gradients, 9 bins with linear vote, 8-px cells, 2x2-cell blocks,
L2-Hys) and uniform LBP (8 neighbours, radius 1, 59 bins) histograms per cell.
"""

from __future__ import annotations

import cv2
import numpy as np

from .measures import eye_axis

#: the aligned crop: ALIGNED_SIDE px square, the eye centres level, ALIGNED_IED px apart,
#: their midpoint at (ALIGNED_SIDE / 2, ALIGNED_EYE_Y): forehead to chin fits
ALIGNED_SIDE = 128
ALIGNED_IED = 40.0
ALIGNED_EYE_Y = 44.0
#: the mouth region of the aligned crop (x0, y0, x1, y1) and the size it is resampled to
MOUTH_BOX = (28, 66, 100, 106)
MOUTH_HOG_SIZE = (48, 24)
MOUTH_LBP_SIZE = (72, 40)
MOUTH_LBP_GRID = (1, 2)  # rows, columns of LBP cells (left and right half)
#: the whole aligned crop, resampled for the pitch HOG
FACE_HOG_SIZE = (32, 32)


def aligned_grey(image_bgr: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """The face in grey, rotated and scaled by the mesh's eye centres only (a similarity,
    so the face's own shape and its pitch stay in the pixels)."""
    right, left, ied, e = eye_axis(landmarks)
    rot = np.array([[e[0], e[1]], [-e[1], e[0]]]) * (ALIGNED_IED / ied)
    shift = np.array([ALIGNED_SIDE / 2, ALIGNED_EYE_Y]) - rot @ (0.5 * (left + right))
    grey = image_bgr if image_bgr.ndim == 2 else cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY)
    out = cv2.warpAffine(grey, np.hstack([rot, shift[:, None]]).astype(np.float32), (ALIGNED_SIDE, ALIGNED_SIDE),
                         flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(out, np.uint8)


def hog(grey: np.ndarray, cell: int = 8, bins: int = 9) -> np.ndarray:
    """HOG of a grey image whose sides are multiples of ``cell``: unsigned orientation,
    linear vote between the two nearest bins, 2x2-cell blocks at a one-cell stride, L2-Hys
    (clip 0.2). Length (rows/cell - 1) * (cols/cell - 1) * 4 * bins."""
    g = np.asarray(grey, np.float32)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=1)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=1)
    mag, ang = cv2.cartToPolar(gx, gy, angleInDegrees=True)
    pos = np.mod(ang, 180.0) / (180.0 / bins) - 0.5
    low = np.floor(pos)
    w_high = (pos - low).ravel()
    low_bin = np.mod(low.astype(np.int64), bins).ravel()
    high_bin = np.mod(low_bin + 1, bins)
    rows, cols = g.shape[0] // cell, g.shape[1] // cell
    cell_of = ((np.arange(g.shape[0]) // cell).clip(0, rows - 1)[:, None] * cols
               + (np.arange(g.shape[1]) // cell).clip(0, cols - 1)[None, :]).ravel() * bins
    m = mag.ravel().astype(np.float64)
    hist = (np.bincount(cell_of + low_bin, m * (1.0 - w_high), rows * cols * bins)
            + np.bincount(cell_of + high_bin, m * w_high, rows * cols * bins)).reshape(rows, cols, bins)
    blocks = np.concatenate([hist[:-1, :-1], hist[:-1, 1:], hist[1:, :-1], hist[1:, 1:]], axis=2)
    blocks = blocks / np.sqrt((blocks ** 2).sum(axis=2, keepdims=True) + 1e-6)
    blocks = np.minimum(blocks, 0.2)
    blocks = blocks / np.sqrt((blocks ** 2).sum(axis=2, keepdims=True) + 1e-6)
    return np.asarray(blocks.ravel())


def _uniform_lbp_map() -> np.ndarray:
    """LBP code -> uniform-pattern bin (the 58 codes with at most two 0/1 transitions
    around the circle, then one bin for all the others)."""
    out = np.full(256, 58, np.int64)
    k = 0
    for code in range(256):
        bits = [(code >> i) & 1 for i in range(8)]
        if sum(bits[i] != bits[(i + 1) % 8] for i in range(8)) <= 2:
            out[code] = k
            k += 1
    return out


_UNIFORM = _uniform_lbp_map()
_NEIGHBOURS = ((-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1))


def lbp_histograms(grey: np.ndarray, grid: tuple[int, int]) -> np.ndarray:
    """Uniform LBP (8 neighbours, radius 1) histograms, each normalised to sum 1, of a
    ``grid`` (rows, columns) of cells; length rows * columns * 59."""
    g = np.asarray(grey, np.int16)
    h, w = g.shape
    centre = g[1:-1, 1:-1]
    code = np.zeros(centre.shape, np.int64)
    for i, (dy, dx) in enumerate(_NEIGHBOURS):
        code |= (g[1 + dy:h - 1 + dy, 1 + dx:w - 1 + dx] >= centre).astype(np.int64) << i
    u = _UNIFORM[code]
    rows, cols = grid
    ch, cw = u.shape
    out = []
    for i in range(rows):
        for j in range(cols):
            counts = np.bincount(u[i * ch // rows:(i + 1) * ch // rows, j * cw // cols:(j + 1) * cw // cols].ravel(),
                                 minlength=59).astype(np.float64)
            out.append(counts / max(float(counts.sum()), 1.0))
    return np.concatenate(out)


def _region(aligned: np.ndarray, box: tuple[int, int, int, int], size: tuple[int, int]) -> np.ndarray:
    x0, y0, x1, y1 = box
    return np.asarray(cv2.resize(aligned[y0:y1, x0:x1], size, interpolation=cv2.INTER_AREA))


def mouth_features(aligned: np.ndarray) -> np.ndarray:
    """HOG then LBP histograms of the mouth region of :func:`aligned_grey`'s crop."""
    return np.concatenate([hog(_region(aligned, MOUTH_BOX, MOUTH_HOG_SIZE)),
                           lbp_histograms(_region(aligned, MOUTH_BOX, MOUTH_LBP_SIZE), MOUTH_LBP_GRID)])


def face_hog(aligned: np.ndarray) -> np.ndarray:
    """HOG of the whole aligned crop at :data:`FACE_HOG_SIZE` (the pitch model's extra input)."""
    return hog(_region(aligned, (0, 0, ALIGNED_SIDE, ALIGNED_SIDE), FACE_HOG_SIZE))
