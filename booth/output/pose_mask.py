"""The body model's person mask: BlazePose (``pose_landmark_full``) segmentation over a body ROI.

MediaPipe's pose graph finds the body with a detector, turns its two alignment keypoints
into a square ROI (``pose_detection_to_roi.pbtxt``: centre at the first point, side twice
the distance to the second, rotated so that the vector between them points up, then
scaled 1.5, ``square_long``), crops the image into a 256x256 RGB tensor (0..1) and runs the
landmark model, whose third output is the person segmentation of that crop (logits; the
graph's ``TensorsToSegmentationCalculator`` applies a sigmoid) warped back into the image.

The booth has no pose detector: it already knows the face. The ROI is derived from the
mesh instead: "up" is the face's own chin-to-forehead direction (so a tilted head gives a
tilted ROI as the detector's shoulder-to-hip line would), the centre lies ``BELOW`` face
lengths below the chin on that line, the side is ``SIDE`` face lengths: 3 and 10, about the
upper body the detector's ROI frames with its 1.5 margin (tighter ROIs, 1.5/7 and 1/5.5,
gave the head more of the mask's pixels but called the simulator's yellow tape rolls hair:
``python -m booth.output.evaluate --body``, booth/output/README.md). The ROI's edge band
(``FEATHER``) hands over smoothly to the selfie probability.

:func:`whole_image` puts the ROI's mask into the same 256x256 whole-image grid as the
selfie segmenter's probability, so the head prior and the guided filter that follow are
unchanged; outside the ROI the selfie probability is kept.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import cv2
import numpy as np

from ..models import model_path
from ..runtime import make_interpreter

N = 256  # the model's input and mask side
BELOW = 3.0  # ROI centre below the chin, face lengths (chin-to-forehead)
SIDE = 10.0  # ROI side, face lengths
FEATHER = 0.08  # the ROI's edge band handed over to the selfie probability, fraction of its side


def roi_matrix(eye_mid: Sequence[float], chin: Sequence[float], forehead: Sequence[float] | None,
               below: float | None = None, side: float | None = None) -> np.ndarray:
    """The 2x3 affine map from the 256x256 tensor's pixels to image pixels (``below``,
    ``side``: :data:`BELOW`, :data:`SIDE` unless given)."""
    below = BELOW if below is None else below
    side = SIDE if side is None else side
    cx, cy = float(chin[0]), float(chin[1])
    top = forehead if forehead is not None else eye_mid
    ux, uy = float(top[0]) - cx, float(top[1]) - cy
    length = math.hypot(ux, uy)
    if length <= 0:
        raise ValueError("degenerate face: chin and forehead coincide")
    t = length * 1.6 if forehead is None else length  # eye-to-chin is about 0.6 of forehead-to-chin
    ux, uy = ux / length, uy / length
    dx, dy = -ux, -uy  # image down along the face
    rx, ry = dy, -dx  # the image's right when the face is upright: (1, 0) for down (0, 1)
    s = side * t
    centre = (cx + dx * below * t, cy + dy * below * t)
    # tensor pixel (j, i) -> centre + ((j + 0.5) / N - 0.5) * s * right + ((i + 0.5) / N - 0.5) * s * down
    a = s / N
    m = np.array([[rx * a, dx * a, 0.0], [ry * a, dy * a, 0.0]], np.float64)
    m[0, 2] = centre[0] + (0.5 / N - 0.5) * s * (rx + dx)
    m[1, 2] = centre[1] + (0.5 / N - 0.5) * s * (ry + dy)
    return m


class PoseMasker:
    """``pose_landmark_full.tflite``: the person probability of a body ROI (``model_path``
    raises naming the fix when the model is missing)."""

    def __init__(self, threads: int = 1):
        self.interp = make_interpreter(model_path("pose_landmark_full"), threads)
        self._in = self.interp.get_input_details()[0]["index"]
        outs = {tuple(d["shape"][1:]): d["index"] for d in self.interp.get_output_details()}
        self._seg = outs[(N, N, 1)]
        self._flag = outs[(1,)]
        self._input = np.zeros((1, N, N, 3), np.float32)
        self.presence = 0.0  # the last call's pose-presence score

    def roi_probability(self, image_bgr: np.ndarray, tensor_to_image: np.ndarray) -> np.ndarray:
        """The person probability (float32 0..1, 256x256) over the ROI ``tensor_to_image``."""
        m = tensor_to_image
        f = math.hypot(m[0, 0], m[1, 0])  # image px per tensor px
        if f > 1.5:  # shrink first (warpAffine has no area filter): no aliasing on a large still
            k = 1.0 / f
            image_bgr = cv2.resize(image_bgr, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)
            m = m * k
            m[:, 2] += 0.5 * k - 0.5  # pixel centres of the shrunk image
        crop = cv2.warpAffine(image_bgr, m, (N, N), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                              borderMode=cv2.BORDER_REPLICATE)
        np.multiply(cv2.cvtColor(crop, cv2.COLOR_BGR2RGB), np.float32(1.0 / 255.0), out=self._input[0], casting="unsafe")
        self.interp.set_tensor(self._in, self._input)
        self.interp.invoke()
        logits = np.asarray(self.interp.get_tensor(self._seg))[0, :, :, 0]
        self.presence = float(np.asarray(self.interp.get_tensor(self._flag)).reshape(-1)[0])
        return (1.0 / (1.0 + np.exp(-np.clip(logits, -30.0, 30.0)))).astype(np.float32)

    def whole_image(self, image_bgr: np.ndarray, selfie: np.ndarray, eye_mid: Sequence[float], chin: Sequence[float],
                    forehead: Sequence[float] | None, below: float | None = None,
                    side: float | None = None) -> np.ndarray:
        """The body model's probability in the selfie segmenter's whole-image grid (``selfie``'s
        shape, stretched over the image), the selfie probability where the ROI does not reach."""
        h, w = image_bgr.shape[:2]
        m = roi_matrix(eye_mid, chin, forehead, below, side)
        roi = self.roi_probability(image_bgr, m)
        gh, gw = selfie.shape[:2]
        # grid pixel -> image pixel -> tensor pixel
        g2i = np.array([[w / gw, 0.0, 0.5 * w / gw - 0.5], [0.0, h / gh, 0.5 * h / gh - 0.5], [0.0, 0.0, 1.0]])
        t2i = np.vstack([m, [0.0, 0.0, 1.0]])
        g2t = (np.linalg.inv(t2i) @ g2i)[:2]
        weight = cv2.warpAffine(_feather(), g2t, (gw, gh), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
        pose = cv2.warpAffine(roi, g2t, (gw, gh), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
        return (weight * pose + (1.0 - weight) * selfie).astype(np.float32)


def _feather(frac: float = FEATHER) -> np.ndarray:
    """1 inside the ROI, falling to 0 over ``frac`` of its side at its edges (the model's
    mask fades there: the selfie probability takes over smoothly)."""
    i = np.arange(N, dtype=np.float32) + 0.5
    edge = np.minimum(i, N - i) / (frac * N)
    ramp = np.clip(edge, 0.0, 1.0)
    return np.minimum.outer(ramp, ramp).astype(np.float32)


class FaceLike(Protocol):
    """What the body ROI needs of the face (``booth.output.crops.FaceGeometry``), image px."""

    @property
    def eye_mid(self) -> tuple[float, float]: ...
    @property
    def chin(self) -> tuple[float, float]: ...
    @property
    def forehead(self) -> tuple[float, float] | None: ...


def coarse_probability(masker: PoseMasker | None, image_bgr: np.ndarray, selfie: np.ndarray,
                       geom: FaceLike | None) -> tuple[np.ndarray, str]:
    """(the coarse person probability the matte starts from, its name for the sidecar): the
    body model's where its ROI reaches and the selfie segmenter's elsewhere when there is a
    masker and a face, else the selfie probability."""
    if masker is None or geom is None:
        return selfie, "selfie"
    return masker.whole_image(image_bgr, selfie, geom.eye_mid, geom.chin, geom.forehead), "body+selfie"
