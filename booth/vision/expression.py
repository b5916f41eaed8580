"""Facial expression: the FER-2013 classifier on the aligned face, and the smile score.

The input is the face ROI turned upright (the mesh ROI without its 1.5x context, plus 10%),
64x64 greyscale scaled to [-1, 1]; the model ends in softmax over
:data:`booth.types.EXPRESSION_CLASSES` (angry, disgust, fear, happy, sad, surprise, neutral).
"""

from __future__ import annotations

import cv2
import numpy as np

from ..models import model_path
from ..runtime import make_interpreter
from ..types import EXPRESSION_CLASSES
from .landmarks import ROI_SCALE, Roi, warp

FACE_CROP_SCALE = 1.1 / ROI_SCALE


class _ImageModel:
    """A one-input, one-output image model with a preallocated float input (1, n, n, C)."""

    def __init__(self, name: str, threads: int):
        self.interp = make_interpreter(model_path(name), threads)
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


class ExpressionModel(_ImageModel):
    """``model(image, roi) -> np.ndarray`` of the 7 class probabilities."""

    def __init__(self, threads: int = 1):
        super().__init__("emotion", threads)

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
