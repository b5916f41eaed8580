"""BlazeFace face detection: letterboxed input, SSD anchors, weighted NMS.

BlazeFace predicts, for each of a fixed grid of *anchors*, a box offset and six keypoints
relative to that anchor, plus a face score. Decoding (MediaPipe's TensorsToDetections with
``reverse_output_order``) is::

    x_centre = raw[0] / input_size + anchor_x        w = raw[2] / input_size
    y_centre = raw[1] / input_size + anchor_y        h = raw[3] / input_size
    keypoint k = (raw[4 + 2k], raw[5 + 2k]) / input_size + anchor

in the model's normalised input square. Keypoints: 0 right eye, 1 left eye (the subject's:
0 is on the image's left), 2 nose tip, 3 mouth, 4 right ear, 5 left ear.

Overlapping hits of one face are merged by *weighted* NMS (score-weighted mean of every box
that overlaps the best one), which is steadier frame to frame than plain NMS.

The frame is never stretched: it is scaled to fit the square input and padded (letterbox),
optionally with an extra replicated margin so that a face filling the whole photo still
looks like a face to a detector trained on faces with context.

>>> det = FaceDetector.short_range()
>>> faces = det.detect(image_bgr)     # largest first
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from ..models import model_path
from ..runtime import make_interpreter


@dataclass(frozen=True)
class AnchorSpec:
    """The SSD anchor layout of one BlazeFace variant."""

    input_size: int
    strides: tuple[int, ...]
    anchors_per_layer: int  # anchors per cell per layer (aspect 1.0, plus the interpolated one)

    def anchors(self) -> np.ndarray:
        """(N, 2) anchor centres, normalised 0..1, in the model's output order.

        Consecutive layers with the same stride share one grid: their anchors are
        interleaved per cell (MediaPipe's SsdAnchorsCalculator).
        """
        out = []
        i = 0
        while i < len(self.strides):
            stride = self.strides[i]
            same = 0
            while i < len(self.strides) and self.strides[i] == stride:
                same += 1
                i += 1
            cells = int(np.ceil(self.input_size / stride))
            per_cell = same * self.anchors_per_layer
            ys, xs = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
            centres = np.stack([(xs + 0.5) / cells, (ys + 0.5) / cells], axis=-1).reshape(-1, 2)
            out.append(np.repeat(centres, per_cell, axis=0))
        return np.concatenate(out).astype(np.float32)


SHORT_RANGE = AnchorSpec(128, (8, 16, 16, 16), 2)  # 16*16*2 + 8*8*6 = 896
FULL_RANGE = AnchorSpec(192, (4,), 1)  # 48*48 = 2304


@dataclass(frozen=True, eq=False)
class Detection:
    """One face found by the detector, in image pixels."""

    box: tuple[float, float, float, float]  # x, y, w, h
    keypoints: np.ndarray  # (6, 2) px: right eye, left eye, nose, mouth, right ear, left ear
    score: float

    @property
    def area(self) -> float:
        return self.box[2] * self.box[3]

    @property
    def centre(self) -> tuple[float, float]:
        x, y, w, h = self.box
        return x + w / 2, y + h / 2


def decode(raw_boxes: np.ndarray, raw_scores: np.ndarray, anchors: np.ndarray, input_size: int,
           min_score: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode raw model output into (boxes (K, 4) x0,y0,x1,y1; keypoints (K, 6, 2); scores (K,)),
    all normalised to the model input square, keeping anchors whose score >= ``min_score``."""
    logits = np.clip(raw_scores.reshape(-1), -100.0, 100.0)
    # sigmoid(x) >= s  <=>  x >= logit(s): threshold first, exponentiate only the few survivors
    keep = np.nonzero(logits >= np.log(min_score / (1.0 - min_score)))[0]
    if keep.size == 0:
        empty = np.zeros((0,), np.float32)
        return empty.reshape(0, 4), empty.reshape(0, 6, 2), empty
    scores = 1.0 / (1.0 + np.exp(-logits[keep]))
    raw = raw_boxes.reshape(-1, 16)[keep] / float(input_size)
    anc = anchors[keep]
    cx = raw[:, 0] + anc[:, 0]
    cy = raw[:, 1] + anc[:, 1]
    half_w = raw[:, 2] / 2
    half_h = raw[:, 3] / 2
    boxes = np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=1)
    kps = raw[:, 4:16].reshape(-1, 6, 2) + anc[:, None, :]
    return boxes, kps, scores


def iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Intersection over union of one x0,y0,x1,y1 box with each of ``others``."""
    ix0 = np.maximum(box[0], others[:, 0])
    iy0 = np.maximum(box[1], others[:, 1])
    ix1 = np.minimum(box[2], others[:, 2])
    iy1 = np.minimum(box[3], others[:, 3])
    inter = np.clip(ix1 - ix0, 0, None) * np.clip(iy1 - iy0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    out: np.ndarray = inter / np.maximum(area + areas - inter, 1e-9)
    return out


def weighted_nms(boxes: np.ndarray, keypoints: np.ndarray, scores: np.ndarray,
                 iou_threshold: float) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """Merge overlapping hits: each cluster around the best remaining hit becomes the
    score-weighted mean of its boxes and keypoints, with the best hit's score."""
    order = np.argsort(-scores)
    boxes, keypoints, scores = boxes[order], keypoints[order], scores[order]
    remaining = np.arange(len(scores))
    merged = []
    while remaining.size:
        top = remaining[0]
        overlap = iou(boxes[top], boxes[remaining]) > iou_threshold
        members = remaining[overlap]
        w = scores[members][:, None]
        box = (boxes[members] * w).sum(0) / w.sum()
        kps = (keypoints[members] * w[:, :, None]).sum(0) / w.sum()
        merged.append((box, kps, float(scores[top])))
        remaining = remaining[~overlap]
    return merged


@dataclass(frozen=True)
class Letterbox:
    """How an image was fitted into the square model input: input = image * scale + offset."""

    scale: float
    offset_x: float
    offset_y: float

    def to_image(self, pts_norm: np.ndarray, input_size: int) -> np.ndarray:
        """Normalised input coordinates -> image pixels."""
        out = np.empty_like(pts_norm, dtype=np.float32)
        out[..., 0] = (pts_norm[..., 0] * input_size - self.offset_x) / self.scale
        out[..., 1] = (pts_norm[..., 1] * input_size - self.offset_y) / self.scale
        return out


def area_resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """INTER_AREA downscaling in halvings, then one last INTER_AREA step of less than 2x.

    OpenCV's INTER_AREA at a large non-integer factor is slow (960x540 -> 128x72 took 2.4 ms,
    as long as the detector model itself); halving takes its fast path. The result is within
    ~0.5 grey levels (mean) of the one-step resize: both are box averages."""
    while image.shape[1] >= 2 * width and image.shape[0] >= 2 * height:
        h, w = image.shape[:2]
        image = cv2.resize(image, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def letterbox(image: np.ndarray, size: int, margin: float = 0.0,
              out: np.ndarray | None = None, halvings: bool = True) -> tuple[np.ndarray, Letterbox]:
    """Fit ``image`` into a ``size`` square without stretching.

    ``margin`` adds that fraction of the long side as a replicated border on every side
    (tight face crops need context). INTER_AREA keeps small far faces detectable where
    bilinear sampling aliases them away (PERF_NOTES).
    """
    h, w = image.shape[:2]
    span = max(h, w) * (1.0 + 2.0 * margin)
    scale = size / span
    nw, nh = max(1, int(round(w * scale))), max(1, int(round(h * scale)))
    if scale >= 1:
        resized = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_LINEAR)
    elif halvings:
        resized = area_resize(image, nw, nh)
    else:
        resized = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
    left, top = (size - nw) // 2, (size - nh) // 2
    border = cv2.BORDER_REPLICATE if margin > 0 else cv2.BORDER_CONSTANT
    canvas = cv2.copyMakeBorder(resized, top, size - nh - top, left, size - nw - left, border, value=(0, 0, 0))
    # the exact scale per axis after rounding, so boxes map back without drift
    return canvas, Letterbox(nw / w, float(left), float(top))


class FaceDetector:
    """One BlazeFace model with its anchors and decoding.

    ``detect(image)`` returns :class:`Detection` s, largest first. It accepts any size or
    aspect ratio; the interpreter and its input buffer are allocated once.
    """

    def __init__(self, model: str, spec: AnchorSpec, threads: int = 1, min_score: float = 0.5,
                 iou_threshold: float = 0.3, halvings: bool = True):
        self.spec = spec
        self.halvings = halvings  # letterbox with area_resize (see there); False: one INTER_AREA step
        self.anchors = spec.anchors()
        self.min_score = min_score
        self.iou_threshold = iou_threshold
        self._interp = make_interpreter(model_path(model), threads)
        inp = self._interp.get_input_details()[0]
        if tuple(inp["shape"][1:3]) != (spec.input_size, spec.input_size):
            raise ValueError(f"{model}: input {inp['shape']} does not match {spec.input_size}")
        self._input_index = inp["index"]
        outs = sorted(self._interp.get_output_details(), key=lambda d: int(d["shape"][-1]))
        self._scores_index, self._boxes_index = outs[0]["index"], outs[1]["index"]
        if self.anchors.shape[0] != int(outs[1]["shape"][1]):
            raise ValueError(f"{model}: {outs[1]['shape'][1]} anchors expected, layout gives {self.anchors.shape[0]}")
        self._input = np.zeros((1, spec.input_size, spec.input_size, 3), np.float32)
        self.runs = 0  # model invocations so far (the bench reports runs per frame)

    @classmethod
    def short_range(cls, threads: int = 1, **kw: Any) -> "FaceDetector":
        return cls("face_detection_short", SHORT_RANGE, threads, **kw)

    @classmethod
    def full_range(cls, threads: int = 1, **kw: Any) -> "FaceDetector":
        # one exact INTER_AREA step: the far faces this model is for sit at the detection
        # limit, where the halvings' slightly different pixels lost the too-far sitter; in the
        # attract schedule this pass runs on one frame in 2 x vision.attract_extra_every
        kw.setdefault("halvings", False)
        return cls("face_detection_full", FULL_RANGE, threads, **kw)

    def fit(self, image_bgr: np.ndarray, margin: float = 0.0) -> tuple[np.ndarray, Letterbox]:
        """The model's input square for ``image_bgr`` (letterboxed, BGR) and how it maps back:
        what :meth:`detect` runs the model on. Separate so that a caller can look at the
        input before deciding to run the model (the attract schedule's still-scene test)."""
        return letterbox(image_bgr, self.spec.input_size, margin, halvings=self.halvings)

    def detect(self, image_bgr: np.ndarray, margin: float = 0.0,
               fitted: tuple[np.ndarray, Letterbox] | None = None) -> list[Detection]:
        """Faces in ``image_bgr``, largest first; ``fitted``: its :meth:`fit` with the same
        margin, when the caller has made it already."""
        size = self.spec.input_size
        canvas, lb = fitted if fitted is not None else self.fit(image_bgr, margin)
        # BGR -> RGB (a reversed view, no copy) and [0, 255] -> [-1, 1] in one pass into the input
        np.multiply(canvas[..., ::-1], np.float32(2.0 / 255.0), out=self._input[0], casting="unsafe")
        self._input -= np.float32(1.0)
        self._interp.set_tensor(self._input_index, self._input)
        self._interp.invoke()
        self.runs += 1
        raw_boxes = self._interp.get_tensor(self._boxes_index)
        raw_scores = self._interp.get_tensor(self._scores_index)
        boxes, kps, scores = decode(raw_boxes, raw_scores, self.anchors, size, self.min_score)
        if not len(scores):
            return []
        found = []
        for box, kp, score in weighted_nms(boxes, kps, scores, self.iou_threshold):
            corners = lb.to_image(box.reshape(2, 2), size)
            x0, y0 = corners[0]
            x1, y1 = corners[1]
            found.append(Detection((float(x0), float(y0), float(x1 - x0), float(y1 - y0)),
                                   lb.to_image(kp, size), score))
        found.sort(key=lambda d: -d.area)
        return found
