"""Annotated copies of analysed photos, for people to look at (``booth analyze --annotate``).

Draws the face box, the mesh, both iris centres, the framing target (the output crop that
meets the profile's bands, when the output room's planner is available) and the failing
checks. Returns a PIL image; the caller saves it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import cv2
import numpy as np

from ..config import BoothConfig
from ..types import Assessment, FaceObservation, Prompt

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage


def annotate(image_bgr: np.ndarray, obs: FaceObservation, assessment: Assessment | None, cfg: BoothConfig,
             text_of: Callable[[Prompt], str] | None = None) -> PILImage:
    from PIL import Image

    img = image_bgr.copy()
    scale = max(1.0, max(img.shape[:2]) / 640.0)
    th = max(1, int(round(scale)))
    face = obs.face
    for b in obs.face_boxes[1:]:
        x, y, w, h = map(int, b)
        cv2.rectangle(img, (x, y), (x + w, y + h), (0, 0, 255), th)
    if face is not None:
        x, y, w, h = map(int, face.box)
        cv2.rectangle(img, (x, y), (x + w, y + h), (0, 255, 0), th)
        for px, py in face.landmarks[:, :2]:
            cv2.circle(img, (int(px), int(py)), th, (255, 255, 0), -1)
        r = max(2, int(face.ied_px * 0.06))
        for c in (face.iris_left, face.iris_right):
            cv2.circle(img, (int(c[0]), int(c[1])), r, (0, 0, 255), th)
        for c in (face.chin, face.crown):
            cv2.drawMarker(img, (int(c[0]), int(c[1])), (0, 200, 255), cv2.MARKER_CROSS, 4 * r, th)
        try:
            from ..output.crops import FaceGeometry, aspects_for, plan_framing

            plan = plan_framing(FaceGeometry.of(face), obs.image_size, cfg, aspects_for(cfg.profile))
            for crop in plan.crops[:1]:
                cv2.rectangle(img, (int(crop.x), int(crop.y)), (int(crop.x + crop.w), int(crop.y + crop.h)),
                              (255, 0, 255), th)
        except Exception:  # noqa: BLE001 - the framing target is a drawing aid, never fatal here
            pass
    lines = []
    if face is None:
        lines.append("no face")
    if assessment is not None:
        lines += [f"x {c.name}: {c.value:.2f} ({c.target})" if c.value is not None else f"x {c.name} ({c.target})"
                  for c in assessment.failing()]
        if assessment.prompt is not None and text_of is not None:
            lines.insert(0, f"> {text_of(assessment.prompt)}")
        lines.insert(0, "READY" if assessment.gates_ok else "not ready")
    fs = 0.3 * max(1.0, img.shape[1] / 400.0)
    for i, line in enumerate(lines):
        y = int((12 + 26 * fs * i) + 20 * fs)
        cv2.putText(img, line, (6, y), cv2.FONT_HERSHEY_SIMPLEX, fs, (0, 0, 0), th + 2, cv2.LINE_AA)
        cv2.putText(img, line, (6, y), cv2.FONT_HERSHEY_SIMPLEX, fs, (255, 255, 255), th, cv2.LINE_AA)
    return Image.fromarray(img[:, :, ::-1])
