"""Helpers for the light tests: observations with just the measures the light loop reads."""

from __future__ import annotations

import numpy as np
import pytest

from booth.types import FaceMeasures, FaceObservation


def face_observation(dev: float, exposure: float, t: float = 0.0, index: int = 0) -> FaceObservation:
    """A one-face observation whose light measures are ``dev`` and ``exposure``; the geometry is a
    plausible frontal face (the light loop does not read it)."""
    face = FaceMeasures(
        box=(260.0, 150.0, 120.0, 150.0), score=0.9, landmarks=np.zeros((468, 3), np.float32),
        iris_left=(345.0, 210.0), iris_right=(295.0, 210.0), eye_mid=(320.0, 210.0), chin=(320.0, 300.0),
        crown=(320.0, 120.0), ied_px=50.0, t_px=90.0, yaw=0.0, pitch=0.0, roll=0.0, ear_left=0.35,
        ear_right=0.35, eyes_closed=False, blink=False, gaze_h=0.0, gaze_v=0.0, mouth_gap=0.02,
        mouth_width=1.0, expression={"neutral": 1.0}, smile=0.0, exposure=float(exposure), clipped=0.0,
        light_balance_ev=float(dev), sharpness=100.0, background=None, cast_a=12.0, cast_b=15.0,
    )
    return FaceObservation(t=t, frame_index=index, image_size=(640, 480), faces=1,
                           face_boxes=(face.box,), face=face)


def empty_observation(t: float = 0.0, index: int = 0) -> FaceObservation:
    return FaceObservation(t=t, frame_index=index, image_size=(640, 480), faces=0, face_boxes=(), face=None)


@pytest.fixture
def obs_factory():
    return face_observation
