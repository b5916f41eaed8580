"""Facial expression: the FER-2013 classifier on the aligned face, and the smile score.

The input is the face ROI turned upright (the mesh ROI without its 1.5x context, plus 10%),
64x64 greyscale scaled to [-1, 1]; the model ends in softmax over
:data:`booth.types.EXPRESSION_CLASSES` (angry, disgust, fear, happy, sad, surprise, neutral),
and its last feature map is read as a second output (:class:`ExpressionModel`).
"""

from __future__ import annotations

import struct

import cv2
import numpy as np

from ..errors import ModelError
from ..models import model_path
from ..runtime import make_interpreter
from ..types import EXPRESSION_CLASSES
from .landmarks import ROI_SCALE, Roi, warp

FACE_CROP_SCALE = 1.1 / ROI_SCALE


class _ImageModel:
    """A one-input, one-output image model with a preallocated float input (1, n, n, C)."""

    def __init__(self, name: str, threads: int, content: bytes | None = None):
        # content: the model changed in memory (see ExpressionModel)
        self.interp = make_interpreter(model_path(name) if content is None else content, threads)
        inp = self.interp.get_input_details()[0]
        self.n = int(inp["shape"][1])
        self._in = inp["index"]
        self._out = self.interp.get_output_details()[0]["index"]
        self._input = np.zeros((1, self.n, self.n, int(inp["shape"][3])), np.float32)

    def _invoke(self) -> np.ndarray:
        """Run on ``self._input`` (filled by the caller); the output tensor (a copy)."""
        self.interp.set_tensor(self._in, self._input)
        self.interp.invoke()
        return np.asarray(self.interp.get_tensor(self._out))


#: the FER model's last feature map (4x4x128, the residual block's sum before the 1x1 class
#: convolution, mean pooling and softmax): tensor index and name in the pinned
#: emotion_model_quantized.tflite (models/manifest.toml sha256); checked at load
FEATURE_TENSOR = 74
FEATURE_TENSOR_NAME = "model_1_1/add_4_1/Add"


def with_extra_output(model: bytes, tensor: int) -> bytes:
    """The TFLite flatbuffer ``model`` with ``tensor`` appended to its first subgraph's
    outputs (``SubGraph.outputs``, an int32 vector).

    A flatbuffer vector cannot grow in place, but its table field holds an unsigned offset
    *forward* to it: the longer vector is appended at the end of the buffer (4-aligned) and
    the field pointed at it; nothing else moves. The model's operators are untouched, so the
    original outputs are computed exactly as before (tests/vision/test_learned.py checks
    the probabilities bit for bit against the unpatched file). Plain ``struct`` on the
    flatbuffer layout (root offset, vtables, forward offsets): no extra dependency on the Pi."""
    buf = bytearray(model)

    def u32(at: int) -> int:
        return int(struct.unpack_from("<I", buf, at)[0])

    def field(table: int, index: int) -> int:
        """Where field ``index`` of the table at ``table`` lives (0: absent)."""
        vtable = table - int(struct.unpack_from("<i", buf, table)[0])
        entry = 4 + 2 * index
        if entry >= int(struct.unpack_from("<H", buf, vtable)[0]):
            return 0
        off = int(struct.unpack_from("<H", buf, vtable + entry)[0])
        return table + off if off else 0

    if bytes(buf[4:8]) != b"TFL3":
        raise ValueError("not a TFLite model (no TFL3 identifier)")
    model_table = u32(0)
    subgraphs = field(model_table, 2)  # Model.subgraphs
    if not subgraphs:
        raise ValueError("TFLite model without subgraphs")
    vector = subgraphs + u32(subgraphs)
    first = vector + 4 + u32(vector + 4)  # the first SubGraph table
    where = field(first, 2)  # SubGraph.outputs
    if not where:
        raise ValueError("TFLite subgraph without outputs")
    old = where + u32(where)
    n = u32(old)
    outputs = struct.unpack_from(f"<{n}i", buf, old + 4)
    buf += b"\0" * (-len(buf) % 4)
    start = len(buf)
    buf += struct.pack(f"<I{n + 1}i", n + 1, *outputs, tensor)
    struct.pack_into("<I", buf, where, start - where)
    return bytes(buf)


class ExpressionModel(_ImageModel):
    """``model(image, roi) -> np.ndarray`` of the 7 class probabilities.

    The model is loaded with its last feature map as a second output
    (:func:`with_extra_output`): that tensor is computed on every run anyway, so it costs
    nothing until it is read (:meth:`feature_map`, one 8 KB copy), and no second run
    (reading it as an intermediate tensor needs the interpreter without XNNPACK and with
    every tensor kept: +1.7 ms a run; `python -m booth.vision.evaluate --only cost` times
    the run with and without the second output). The file is the pinned, sha256-checked one; only the
    in-memory copy is changed. Evaluation and training read it (booth/vision/README.md
    "Appearance features": as an input of the learned smile or pitch it measured no gain
    out of fold, so the booth's per-frame path never reads it)."""

    def __init__(self, threads: int = 1, feature_map: bool = True):
        """``feature_map=False``: the pinned file as it is, one output (what the second
        output is compared with)."""
        path = model_path("emotion")
        if not feature_map:
            super().__init__("emotion", threads)
            self._features: int | None = None
            return
        super().__init__("emotion", threads, with_extra_output(path.read_bytes(), FEATURE_TENSOR))
        outputs = self.interp.get_output_details()
        self._out = outputs[0]["index"]
        self._features = outputs[1]["index"]
        if outputs[1]["name"] != FEATURE_TENSOR_NAME or tuple(outputs[1]["shape"]) != (1, 4, 4, 128):
            raise ModelError(f"{path}: tensor {FEATURE_TENSOR} is not the feature map this booth reads. "
                             "Fix: `booth models fetch` the pinned model")

    def __call__(self, image_bgr: np.ndarray, face_roi: Roi) -> np.ndarray:
        """``image_bgr`` may also be BGRA (see landmarks._Model)."""
        crop = warp(image_bgr, face_roi.scaled(FACE_CROP_SCALE).matrix(self.n), self.n)
        grey = cv2.cvtColor(crop, cv2.COLOR_BGRA2GRAY if crop.shape[2] == 4 else cv2.COLOR_BGR2GRAY)
        return self._classify(grey)

    def classify_crop(self, grey: np.ndarray) -> np.ndarray:
        """Probabilities for an already aligned greyscale face crop (any size)."""
        return self._classify(cv2.resize(grey, (self.n, self.n), interpolation=cv2.INTER_AREA))

    def _classify(self, grey_n: np.ndarray) -> np.ndarray:
        """The model on an n x n grey crop, scaled to [-1, 1] as FER was trained."""
        np.multiply(grey_n, np.float32(2.0 / 255.0), out=self._input[0, :, :, 0], casting="unsafe")
        self._input -= 1.0
        return self._invoke().reshape(-1).astype(np.float64)

    def feature_map(self) -> np.ndarray:
        """The last run's feature map, (4, 4, 128) float32 (a copy)."""
        if self._features is None:
            raise ValueError("this expression model was loaded without its feature map (feature_map=False)")
        return np.asarray(np.asarray(self.interp.get_tensor(self._features))[0])

    def feature_rows(self) -> np.ndarray:
        """The last run's feature map mean-pooled over each of its 4 rows: 512 figures."""
        return pool_rows(self.feature_map())


def pool_rows(feature_map: np.ndarray) -> np.ndarray:
    """A (4, 4, 128) feature map's mean over each row: 512 float64 figures (row-major)."""
    return np.asarray(np.asarray(feature_map, np.float64).reshape(4, 4, 128).mean(axis=1).reshape(-1))


HAPPY = EXPRESSION_CLASSES.index("happy")


def smile_score(probabilities: np.ndarray) -> float:
    """0..1 smile score: the expression model's P(happy)."""
    return float(probabilities[HAPPY])


class Segmenter(_ImageModel):
    """MediaPipe selfie segmentation: a 256x256 person mask of the whole frame."""

    def __init__(self, threads: int = 1):
        super().__init__("selfie_segmentation", threads)

    def __call__(self, image_bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the 256x256 BGR image the model saw, bool person mask of the same size)."""
        small = cv2.resize(image_bgr, (self.n, self.n), interpolation=cv2.INTER_AREA)
        np.multiply(cv2.cvtColor(small, cv2.COLOR_BGR2RGB), np.float32(1.0 / 255.0), out=self._input[0], casting="unsafe")
        mask = self._invoke()[0, :, :, 0] > 0.5
        return small, mask

    def probability(self, image_bgr: np.ndarray) -> np.ndarray:
        """The model's person probability (float32 0..1, 256x256) over the whole image."""
        small = cv2.resize(image_bgr, (self.n, self.n), interpolation=cv2.INTER_AREA)
        np.multiply(cv2.cvtColor(small, cv2.COLOR_BGR2RGB), np.float32(1.0 / 255.0), out=self._input[0], casting="unsafe")
        return np.array(self._invoke()[0, :, :, 0], np.float32)
