"""A :class:`~booth.types.FaceMeasures` as a JSON-ready dict (``booth analyze --json``,
the simulator's report of a saved photo)."""

from __future__ import annotations

from typing import Any

from ..types import FaceMeasures


def face_json(face: FaceMeasures | None) -> dict[str, Any] | None:
    if face is None:
        return None

    def r(v: float | None, n: int = 4) -> float | None:
        return None if v is None else round(float(v), n)

    return {
        "box": [round(v, 1) for v in face.box], "score": r(face.score), "ied_px": r(face.ied_px, 2),
        "t_px": r(face.t_px, 2), "eye_mid": [round(v, 1) for v in face.eye_mid],
        "chin": [round(v, 1) for v in face.chin], "crown": [round(v, 1) for v in face.crown],
        "yaw": r(face.yaw, 2), "pitch": r(face.pitch, 2), "roll": r(face.roll, 2),
        "ear_left": r(face.ear_left), "ear_right": r(face.ear_right), "eyes_closed": bool(face.eyes_closed),
        "blink": bool(face.blink), "gaze_h": r(face.gaze_h), "gaze_v": r(face.gaze_v),
        "mouth_gap": r(face.mouth_gap), "mouth_width": r(face.mouth_width), "smile": r(face.smile),
        "expression": {k: r(v) for k, v in face.expression.items()},
        "exposure": r(face.exposure), "clipped": r(face.clipped), "light_balance_ev": r(face.light_balance_ev, 3),
        "sharpness": r(face.sharpness, 1), "background": r(face.background, 2),
        "cast_a": r(face.cast_a, 2), "cast_b": r(face.cast_b, 2),
    }
