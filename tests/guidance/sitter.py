"""Scripted sitters: realistic FaceObservations without a camera or a model.

Proportions of an adult face in IED units (iris-to-iris): eye line to chin T = 1.8 IED,
eye line to crown 1.7 IED, mouth width 0.85 IED at rest. A sitter is a few keyword
arguments; a session is a list of them over time.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from booth.types import CameraMeta, EXPRESSION_CLASSES, FaceMeasures, FaceObservation, Frame

_TEMPLATE = np.random.default_rng(0).uniform(-1.0, 1.0, size=(468, 3)) * np.array([1.2, 1.9, 0.5])


def expression(happy: float) -> MappingProxyType:
    rest = (1.0 - happy) / (len(EXPRESSION_CLASSES) - 1)
    return MappingProxyType({k: (happy if k == "happy" else rest) for k in EXPRESSION_CLASSES})


def face(*, eye=(640.0, 380.0), ied=100.0, yaw=0.0, pitch=0.0, roll=0.0, gaze_h=0.0, gaze_v=0.0,
         ear=0.33, ear_left=None, ear_right=None, blink=False, eyes_closed=False, happy=0.7,
         mouth_gap=0.05, mouth_width=None, balance=0.0, exposure=0.5, clipped=0.0,
         sharpness=100.0, jitter=0.0, seed=0, t_ratio=1.8, crown_ratio=1.7, background=10.0) -> FaceMeasures:
    ex, ey = eye
    T = t_ratio * ied
    rng = np.random.default_rng(seed)
    lm = _TEMPLATE * ied + np.array([ex, ey + 0.4 * ied, 0.0])
    if jitter:
        lm = lm + rng.normal(0.0, jitter, size=lm.shape)
    if mouth_width is None:
        mouth_width = 0.85 + 0.25 * happy  # a smile widens the mouth
    return FaceMeasures(
        box=(ex - 1.3 * ied, ey - 1.7 * ied, 2.6 * ied, 3.6 * ied), score=0.95, landmarks=lm,
        iris_left=(ex + ied / 2, ey), iris_right=(ex - ied / 2, ey), eye_mid=(ex, ey),
        chin=(ex, ey + T), crown=(ex, ey - crown_ratio * ied), ied_px=ied, t_px=T,
        yaw=yaw, pitch=pitch, roll=roll,
        ear_left=ear if ear_left is None else ear_left, ear_right=ear if ear_right is None else ear_right,
        eyes_closed=eyes_closed, blink=blink, gaze_h=gaze_h, gaze_v=gaze_v,
        mouth_gap=mouth_gap, mouth_width=mouth_width, expression=expression(happy), smile=happy,
        exposure=exposure, clipped=clipped, light_balance_ev=balance, sharpness=sharpness,
        background=background, cast_a=12.0, cast_b=15.0,
    )


def observation(t: float, index: int = 0, *, size=(1280, 960), faces=1, present=True, **kw) -> FaceObservation:
    f = face(seed=index, **kw) if present else None
    boxes = () if f is None else (f.box,) + tuple((10.0, 10.0, 40.0, 50.0) for _ in range(faces - 1))
    return FaceObservation(t=t, frame_index=index, image_size=size, faces=faces if present else 0,
                           face_boxes=boxes, face=f)


_IMAGES: dict = {}


def frame(t: float, index: int, size=(1280, 960), full=None) -> Frame:
    if size not in _IMAGES:  # one shared grey image per size: frames are cheap in long scripts
        _IMAGES[size] = np.full((size[1], size[0], 3), 128, np.uint8)
    return Frame(image=_IMAGES[size], t=t, index=index, meta=CameraMeta(), full=full)


def stream(duration: float, fps: float = 30.0, start: float = 0.0, index0: int = 0, **kw):
    """Observations at ``fps`` for ``duration`` seconds; keyword values may be callables of t."""
    n = int(round(duration * fps))
    for i in range(n):
        t = start + i / fps
        args = {k: (v(t) if callable(v) else v) for k, v in kw.items()}
        yield observation(t, index0 + i, **args)
