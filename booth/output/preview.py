"""The saved photo's clutter measure, read on the live preview at a low rate.

The busy-background hint for the sitter must rank rooms the way the sidecar and
``booth check`` do, so it reads the same number: :func:`booth.output.finish.clutter` over
the background inside the profile's crops (the matte: selfie segmentation of the frame with
the head prior, upsampled bilinearly, as the store's as-shot path makes it), on the
analysis frame instead of the still. It costs one segmentation pass and a 256 px gradient,
so it runs at most every ``guidance.background_every_s`` seconds while a face is there
(cost per frame: booth/output/README.md)::

    watch = BackgroundWatch(cfg)
    clutter = watch.update(frame, obs)     # the last reading (None until the first)

The segmentation model is loaded on the first reading; when it cannot load, the watch
reads None from then on (the hint is never shown; the photo is not affected).
"""

from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING, Callable

import numpy as np

from ..config import BoothConfig
from ..types import FaceObservation, Frame
from . import finish
from .crops import FaceGeometry, plan_for_face

if TYPE_CHECKING:
    from ..vision.expression import Segmenter

log = logging.getLogger(__name__)


def _default_segmenter(cfg: BoothConfig) -> "Segmenter":
    from ..vision.expression import Segmenter

    return Segmenter(cfg.vision.threads)


def preview_clutter(image: np.ndarray, obs: FaceObservation, probability: np.ndarray, cfg: BoothConfig) -> float | None:
    """:func:`finish.clutter` of ``image`` (the analysis frame of ``obs``) over the background
    inside the union of the profile's crops, clipped to the image; ``probability``: the
    segmenter's person probability of the whole image. None without a face or background."""
    face = obs.face
    if face is None:
        return None
    h, w = image.shape[:2]
    iw, ih = obs.image_size
    geom = FaceGeometry.of(face).scaled(w / iw, h / ih)
    plan = plan_for_face(face, obs.image_size, cfg)
    sx, sy = w / iw, h / ih
    x0 = max(0, int(math.floor(min(r.x for r in plan.crops) * sx)))
    y0 = max(0, int(math.floor(min(r.y for r in plan.crops) * sy)))
    x1 = min(w, int(math.ceil(max(r.x + r.w for r in plan.crops) * sx)))
    y1 = min(h, int(math.ceil(max(r.y + r.h for r in plan.crops) * sy)))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    if cfg.output.matte_head_prior:
        probability, _ = finish.head_prior(probability, (w, h), geom.eye_mid, geom.chin, geom.ied, geom.forehead,
                                           hair_margin=cfg.output.matte_hair_margin)
    alpha = finish.upsample_mask(probability, (w, h), (x0, y0, x1 - x0, y1 - y0))
    return finish.clutter(image[y0:y1, x0:x1], alpha < 0.5)


class BackgroundWatch:
    """The preview's clutter reading, refreshed at most every ``guidance.background_every_s``
    (the loop's own, on its thread; see the module doc)."""

    def __init__(self, cfg: BoothConfig, segmenter: Callable[[BoothConfig], "Segmenter"] = _default_segmenter):
        self.cfg = cfg
        self._make = segmenter
        self._segmenter: Segmenter | None = None
        self._failed = False
        self._last_t: float | None = None
        self.value: float | None = None  # the last reading
        self.ms: float | None = None  # what the last reading cost

    def reset(self) -> None:
        """A new sitter: forget the last reading (the room is read afresh)."""
        self._last_t, self.value = None, None

    def update(self, frame: Frame, obs: FaceObservation, *, wanted: bool = True) -> float | None:
        """The last reading, refreshed when due (a face in view, ``wanted``, the interval past)."""
        every = self.cfg.guidance.background_every_s
        if self._failed or not wanted or every <= 0 or obs.face is None:
            return self.value
        if self._last_t is not None and 0.0 <= frame.t - self._last_t < every:
            return self.value
        self._last_t = frame.t
        t0 = time.perf_counter()
        if self._segmenter is None:
            try:
                self._segmenter = self._make(self.cfg)
            except Exception as exc:  # noqa: BLE001 - a missing model only loses the hint
                log.warning("segmentation unavailable for the background hint (%s): no hint. "
                            "Fix: run `booth models fetch`", exc)
                self._failed = True
                return None
        image = frame.image
        self.value = preview_clutter(image, obs, self._segmenter.probability(image), self.cfg)
        self.ms = (time.perf_counter() - t0) * 1000.0
        return self.value
