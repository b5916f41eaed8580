"""Face mesh and iris landmarks on rotated regions of interest (ROIs).

A :class:`Roi` is a square in the image, centred on the face and turned with it, so the
landmark model always sees an upright face of a fixed size. Like MediaPipe's face-mesh graph:

- the first ROI comes from a detection (box x 1.5, turned by the eye-to-eye angle);
- every next ROI comes from the previous frame's landmarks (eye corners 33 -> 263 give the
  angle, the landmarks' extent x 1.5 the side), so detection runs only when the mesh's own
  face-presence score drops (tracking lost) or on a schedule.

The iris model looks at each eye through its own ROI (eye corners, side 2.3 x the corner
distance). It was trained on the eye that appears on the image's left (the subject's right
eye), so the other eye is mirrored into it and the results mirrored back.

Coordinates are continuous pixels: pixel (i, j) covers [i, i+1) x [j, j+1).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import cv2
import numpy as np

from ..models import model_path
from ..runtime import make_interpreter

# Mesh indices (HEADSHOT_SPEC): subject's right eye corners (image left) and left eye corners.
RIGHT_EYE_CORNERS = (33, 133)
LEFT_EYE_CORNERS = (362, 263)
ROI_SCALE = 1.5
EYE_ROI_SCALE = 2.3


@dataclass(frozen=True)
class Roi:
    """A square region: centre (px), side (px) and angle (radians).

    ``angle`` is the direction of the ROI's x axis in the image (y down), so a positive angle
    turns the ROI clockwise on screen: the angle of a head whose subject-left eye (image
    right) is lower than the right eye.
    """

    cx: float
    cy: float
    size: float
    angle: float = 0.0

    def matrix(self, n: int, flip: bool = False) -> np.ndarray:
        """2x3 affine map from crop coordinates (0..n, continuous) to image coordinates.

        ``flip`` mirrors the crop horizontally (crop u -> n - u).
        """
        s = self.size / n
        c, sn = math.cos(self.angle) * s, math.sin(self.angle) * s
        half = n / 2.0
        m = np.array([[c, -sn, self.cx - c * half + sn * half],
                      [sn, c, self.cy - sn * half - c * half]], np.float64)
        if flip:
            m = m @ np.array([[-1.0, 0.0, n], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
        return m

    def scaled(self, factor: float) -> "Roi":
        return Roi(self.cx, self.cy, self.size * factor, self.angle)

    def offset_from(self, other: "Roi") -> float:
        """How far this ROI lies from ``other``: the centres' distance over ``other``'s side
        plus the relative change of side (log ratio). 0 for the same square."""
        return (math.hypot(self.cx - other.cx, self.cy - other.cy) / max(other.size, 1e-6)
                + abs(math.log(max(self.size, 1e-6) / max(other.size, 1e-6))))


def angle_between(start: np.ndarray, end: np.ndarray) -> float:
    """Image-space angle (y down) of the line start -> end."""
    return math.atan2(float(end[1] - start[1]), float(end[0] - start[0]))


def roi_from_detection(box: tuple[float, float, float, float], right_eye: np.ndarray,
                       left_eye: np.ndarray, scale: float = ROI_SCALE) -> Roi:
    x, y, w, h = box
    return Roi(x + w / 2, y + h / 2, max(w, h) * scale, angle_between(right_eye, left_eye))


def roi_from_landmarks(landmarks: np.ndarray, scale: float = ROI_SCALE) -> Roi:
    """The next frame's face ROI from this frame's mesh (tracking)."""
    angle = angle_between(landmarks[RIGHT_EYE_CORNERS[0], :2], landmarks[LEFT_EYE_CORNERS[1], :2])
    c, s = math.cos(angle), math.sin(angle)
    xy = landmarks[:, :2]
    u = xy[:, 0] * c + xy[:, 1] * s  # coordinates along the ROI's axes
    v = -xy[:, 0] * s + xy[:, 1] * c
    u0, u1, v0, v1 = u.min(), u.max(), v.min(), v.max()
    mu, mv = (u0 + u1) / 2, (v0 + v1) / 2
    return Roi(mu * c - mv * s, mu * s + mv * c, max(u1 - u0, v1 - v0) * scale, angle)


def eye_roi(landmarks: np.ndarray, corners: tuple[int, int], scale: float = EYE_ROI_SCALE) -> Roi:
    a, b = landmarks[corners[0], :2], landmarks[corners[1], :2]
    return Roi(float(a[0] + b[0]) / 2, float(a[1] + b[1]) / 2,
               float(np.hypot(*(b - a))) * scale, angle_between(a, b))


def warp(image: np.ndarray, matrix: np.ndarray, n: int, out: np.ndarray | None = None,
         border: int = cv2.BORDER_REPLICATE) -> np.ndarray:
    """Sample an n x n crop through ``matrix`` (crop -> image, continuous coordinates)."""
    # warpAffine maps integer dst pixel indices to src indices: shift by the half-pixel on both sides
    m = matrix.copy()
    m[:, 2] += m[:, 0] * 0.5 + m[:, 1] * 0.5 - 0.5
    return cv2.warpAffine(image, m, (n, n), dst=out, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=border)


def project(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Map (K, 2+) crop points to image points (z, if present, scaled with the crop)."""
    out = np.array(points, np.float32, copy=True)
    out[:, 0] = matrix[0, 0] * points[:, 0] + matrix[0, 1] * points[:, 1] + matrix[0, 2]
    out[:, 1] = matrix[1, 0] * points[:, 0] + matrix[1, 1] * points[:, 1] + matrix[1, 2]
    if points.shape[1] > 2:
        out[:, 2] = points[:, 2] * math.hypot(matrix[0, 0], matrix[1, 0])
    return out


@dataclass(frozen=True, eq=False)
class MeshResult:
    landmarks: np.ndarray  # (468, 3) image px
    presence: float  # face-presence probability 0..1
    roi: Roi
    crop: np.ndarray  # the 192x192 BGR crop the model saw (reused by the image measures)

    @functools.cached_property
    def next_roi(self) -> Roi:
        """The ROI these landmarks frame: the next frame's while tracking."""
        return roi_from_landmarks(self.landmarks)


@dataclass(frozen=True, eq=False)
class EyeResult:
    iris: np.ndarray  # (5, 2) image px; point 0 is the iris centre
    contour: np.ndarray  # (71, 2) image px: 0-15 the eyelid outline, then brow and halo rings
    opening: float  # vertical / horizontal extent of the eyelid outline (in the eye's own frame)
    roi: Roi
    #: the model's own output in crop pixels (iris then contour, (76, 2)) and the mirroring
    #: it was taken with: what :meth:`IrisModel.reproject` needs to carry it to a new ROI
    crop_points: np.ndarray | None = None
    mirrored: bool = False
    look: np.ndarray | None = None  # the middle of the grey crop the model read (IrisModel.LOOK)
    age: int = 0  # frames since the model last read this eye (0: read on this frame)
    read_roi: Roi | None = None  # where the eye was when the model last read it


class _Model:
    """A landmark model with a preallocated float input in [0, 1] RGB.

    Images may be BGR or BGRA: OpenCV's warp is ~2.5x faster on 4-channel pixels, so the
    analyzer converts each frame to BGRA once and every crop is taken from that."""

    _TO_RGB = {3: cv2.COLOR_BGR2RGB, 4: cv2.COLOR_BGRA2RGB}
    _TO_BGR = {3: None, 4: cv2.COLOR_BGRA2BGR}
    _SCALE = np.float32(1.0 / 255.0)

    def __init__(self, name: str, threads: int):
        self.interp = make_interpreter(model_path(name), threads)
        inp = self.interp.get_input_details()[0]
        self.n = int(inp["shape"][1])
        self.input_index = inp["index"]
        self.outputs = {d["name"]: d["index"] for d in self.interp.get_output_details()}
        self.input = np.zeros((1, self.n, self.n, 3), np.float32)
        self.rgb = np.zeros((self.n, self.n, 3), np.uint8)
        self._crops = {c: np.zeros((self.n, self.n, c), np.uint8) for c in (3, 4)}
        self.crop = self._crops[3]
        self.runs = 0  # model invocations so far (the bench reports runs per frame)

    def run(self, image: np.ndarray, matrix: np.ndarray) -> None:
        self.take_crop(image, matrix)
        self.infer()

    def take_crop(self, image: np.ndarray, matrix: np.ndarray) -> np.ndarray:
        """Sample the model's input crop (kept in ``self.crop``) without running the model."""
        self.crop = crop = self._crops[image.shape[2]]
        return warp(image, matrix, self.n, out=crop)

    def infer(self) -> None:
        """Run the model on the crop :meth:`take_crop` sampled last."""
        self.runs += 1
        crop = self.crop
        cv2.cvtColor(crop, self._TO_RGB[crop.shape[2]], dst=self.rgb)
        # contiguous uint8 times a float32 scalar: ~8x faster than scaling a reversed view
        np.multiply(self.rgb, self._SCALE, out=self.input[0], casting="unsafe")
        self.interp.set_tensor(self.input_index, self.input)
        self.interp.invoke()

    def crop_bgr(self) -> np.ndarray:
        """A BGR copy of the crop the model last saw."""
        code = self._TO_BGR[self.crop.shape[2]]
        return self.crop.copy() if code is None else cv2.cvtColor(self.crop, code)


class FaceMesh(_Model):
    """MediaPipe's 468-point face mesh on a 192x192 ROI crop."""

    def __init__(self, threads: int = 1):
        super().__init__("face_landmark", threads)
        names = list(self.outputs)
        self._lm = next(self.outputs[n] for n in names if self.interp.get_output_details()[names.index(n)]["shape"][-1] == 1404)
        self._presence = next(self.outputs[n] for n in names if self.interp.get_output_details()[names.index(n)]["shape"][-1] == 1)

    def __call__(self, image: np.ndarray, roi: Roi) -> MeshResult:
        m = roi.matrix(self.n)
        self.run(image, m)
        raw = self.interp.get_tensor(self._lm).reshape(468, 3)
        logit = float(self.interp.get_tensor(self._presence).reshape(-1)[0])
        presence = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, logit))))
        return MeshResult(project(raw, m), presence, roi, self.crop_bgr())


class IrisModel(_Model):
    """MediaPipe's iris model: 5 iris points and a 71-point eye contour on a 64x64 eye crop.

    ``model(image, roi, mirrored)`` reads the eye. With ``previous`` (an earlier reading of
    the same eye) and ``max_change``, the model runs only if the eye *looks* different: the
    new crop's middle (the eye itself, not brow or cheek) is compared with the one
    ``previous`` was read from, and when the mean absolute grey difference is under
    ``max_change`` levels the earlier reading is carried to ``roi`` instead (the crop is
    aligned with the eye, so a still eye in a moving head gives the same crop). A blink or a
    glance changes the middle of the crop far more than camera noise does.
    """

    #: the part of the 64x64 crop compared between frames: the eye spans the middle ~28 px
    LOOK = (slice(16, 48), slice(12, 52))

    def __init__(self, threads: int = 1):
        super().__init__("iris_landmark", threads)
        self._contour = self.outputs["output_eyes_contours_and_brows"]
        self._iris = self.outputs["output_iris"]

    def __call__(self, image: np.ndarray, roi: Roi, mirrored: bool, previous: EyeResult | None = None,
                 max_change: float = 0.0) -> EyeResult:
        m = roi.matrix(self.n, flip=mirrored)
        crop = self.take_crop(image, m)
        look = cv2.cvtColor(crop[self.LOOK], cv2.COLOR_BGRA2GRAY if crop.shape[2] == 4 else cv2.COLOR_BGR2GRAY)
        if (previous is not None and previous.look is not None and previous.mirrored == mirrored
                and float(cv2.absdiff(look, previous.look).mean()) < max_change):
            return self.reproject(previous, roi)
        self.infer()
        points = np.empty((76, 2), np.float32)
        points[:5] = self.interp.get_tensor(self._iris).reshape(5, 3)[:, :2]
        points[5:] = self.interp.get_tensor(self._contour).reshape(71, 3)[:, :2]
        lids = points[5:21]
        # the crop is square and aligned with the eye, so this ratio is in the eye's own frame
        width = float(lids[:, 0].max() - lids[:, 0].min())
        opening = float(lids[:, 1].max() - lids[:, 1].min()) / max(width, 1e-6)
        on_image = project(points, m)
        return EyeResult(on_image[:5], on_image[5:], opening, roi, crop_points=points, mirrored=mirrored,
                         look=look, age=0, read_roi=roi)

    def reproject(self, eye: EyeResult, roi: Roi) -> EyeResult:
        """An earlier reading of an eye carried to where the eye is now (``roi`` from this
        frame's mesh): the eyelids and the iris keep their place *within* the eye, the eye
        follows the head. The opening, measured in the eye's own frame, is unchanged."""
        if eye.crop_points is None:
            raise ValueError("reproject: this eye reading has no crop points (not made by read())")
        on_image = project(eye.crop_points, roi.matrix(self.n, flip=eye.mirrored))
        return dataclasses.replace(eye, iris=on_image[:5], contour=on_image[5:], roi=roi, age=eye.age + 1)


def eye_rois(landmarks: np.ndarray) -> tuple[Roi, Roi]:
    """(subject's right eye ROI, subject's left eye ROI)."""
    return eye_roi(landmarks, RIGHT_EYE_CORNERS), eye_roi(landmarks, LEFT_EYE_CORNERS)
