"""The body model's coarse person mask (booth/output/pose_mask.py, ``output.matte_body``).

The ROI stands on the face (pure geometry); on the real gesture photos the real model takes
out the cupboard and the jacket the selfie mask joins to the sitter and keeps the sitter; in
the store the option is recorded in the sidecar and a missing model costs no photo.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os

import cv2
import numpy as np
import pytest

from booth.config import BoothConfig
from booth.models import models_dir
from booth.output import pose_mask as PM
from booth.output.store import PhotoStore
from booth.types import Candidate, Frame


def with_body(on: bool) -> BoothConfig:
    cfg = BoothConfig()
    return dataclasses.replace(cfg, output=dataclasses.replace(cfg.output, matte_body=on))


def corners(m: np.ndarray) -> np.ndarray:
    """The tensor's top-left, top-right, bottom-right, bottom-left corners in image px (the
    matrix maps pixel centres: the tensor's edges lie half a pixel beyond its outer ones)."""
    lo, hi = -0.5, PM.N - 0.5
    return np.array([[lo, lo, 1], [hi, lo, 1], [hi, hi, 1], [lo, hi, 1]], float) @ m.T


def test_the_body_roi_hangs_below_an_upright_face_and_turns_with_a_tilted_one():
    chin, forehead = (500.0, 400.0), (500.0, 300.0)  # face length 100 px, upright
    c = corners(PM.roi_matrix((500.0, 340.0), chin, forehead))
    side = PM.SIDE * 100.0
    assert np.allclose(c[1] - c[0], (side, 0.0), atol=1e-6)  # the tensor's rows run left to right
    assert np.allclose(c[3] - c[0], (0.0, side), atol=1e-6)  # its columns run down the body
    assert np.allclose(c.mean(axis=0), (500.0, 400.0 + PM.BELOW * 100.0), atol=1e-6)
    # the head tilted 30 degrees (its top to the image's right): the ROI turns with it
    a = math.radians(30.0)
    top = (chin[0] + 100.0 * math.sin(a), chin[1] - 100.0 * math.cos(a))
    c = corners(PM.roi_matrix((0.0, 0.0), chin, top))
    up = c[0] - c[3]  # tensor bottom-left to top-left: the body's up
    assert math.degrees(math.atan2(up[0], -up[1])) == pytest.approx(30.0, abs=1e-6)
    centre = c.mean(axis=0)
    assert np.hypot(*(centre - chin)) == pytest.approx(PM.BELOW * 100.0)


@pytest.fixture(scope="module")
def gesture(shared_data):
    from booth.output import evaluate as E
    from booth.vision.analyzer import FaceAnalyzer
    from booth.vision.expression import Segmenter
    from booth.vision.images import load_image

    folder = shared_data / "images" / "mediapipe_gesture_people"
    analyzer, seg = FaceAnalyzer(BoothConfig()), Segmenter(1)

    def load(stem: str):
        image = load_image(next(folder.glob(stem + "*")))
        face, geom = E._face(analyzer, image)
        assert geom is not None, stem
        raw = seg.probability(image)
        return image, face, geom, E.cleaned(raw, image, geom, with_body(False)), E.cleaned(raw, image, geom, with_body(True))

    return load


@pytest.mark.shared
@pytest.mark.parametrize("stem, box, most", [
    ("none__00af1db", (0.35, 0.40, 0.08, 0.30), 0.1),  # the dark cupboard beside her head, down to her shoulder
    ("four__06aa70c", (0.25, 0.33, 0.56, 0.76), 0.4),  # the jacket hanging by his arm
])
def test_the_body_model_takes_out_the_object_the_selfie_mask_joins_to_the_sitter_and_keeps_the_sitter(
        gesture, stem, box, most, artifacts_dir):
    image, face, geom, selfie, body = gesture(stem)
    x0, x1, y0, y1 = (int(round(v * 256)) for v in box)
    before = int((selfie[y0:y1, x0:x1] > 0.5).sum())
    after = int((body[y0:y1, x0:x1] > 0.5).sum())
    print(f"{stem}: person px of the coarse mask in the object's box: selfie {before}, body {after}")
    assert before > 200  # the selfie mask (with the head prior) holds the object
    assert after <= most * before
    # the sitter stays: the face and the chest under the chin are person in both
    h, w = image.shape[:2]
    f = cv2.resize(face.astype(np.uint8), (256, 256), interpolation=cv2.INTER_NEAREST) > 0
    assert (body[f] > 0.5).mean() == 1.0
    cx, cy = geom.chin
    chest = body[int((cy + 0.3 * geom.ied) / h * 256):int((cy + 1.5 * geom.ied) / h * 256),
                 int((cx - 0.5 * geom.ied) / w * 256):int((cx + 0.5 * geom.ied) / w * 256)]
    assert chest.size and (chest > 0.5).mean() >= 0.95
    big = [cv2.resize((m * 255).astype(np.uint8), (w, h)) for m in (selfie, body)]
    cv2.imwrite(str(artifacts_dir / f"body_mask_{stem}.png"),
                np.hstack([image] + [cv2.cvtColor(b, cv2.COLOR_GRAY2BGR) for b in big]))


def candidate_of(image: np.ndarray, cfg: BoothConfig) -> Candidate:
    from booth.guidance.checks import assess_still
    from booth.vision.analyzer import FaceAnalyzer

    small = cv2.resize(image, (640, 480), interpolation=cv2.INTER_AREA)
    obs = FaceAnalyzer(cfg).analyze_still(small)
    assert obs.face is not None
    return Candidate(Frame(image=small, t=1.0, index=30, full=image), obs, assess_still(obs, cfg))


@pytest.fixture(scope="module")
def sitter():
    from booth.output.evaluate import _plain_backdrop, simulated_scene

    return simulated_scene(_plain_backdrop())[0]


def test_the_store_records_which_coarse_mask_made_the_matte(sitter, tmp_path):
    on, off = with_body(True), with_body(False)
    c = candidate_of(sitter, on)
    fin_on = json.loads(PhotoStore(on, tmp_path / "on").save(c).sidecar.read_text())["finish"]
    fin_off = json.loads(PhotoStore(off, tmp_path / "off").save(c).sidecar.read_text())["finish"]
    assert fin_on["coarse_mask"] == "body+selfie" and fin_on["coarse_ms"] > 0
    assert fin_off["coarse_mask"] == "selfie" and fin_off["coarse_ms"] is None


def test_without_the_body_model_the_photo_is_saved_from_the_selfie_mask_and_the_log_names_the_fix(
        sitter, tmp_path, monkeypatch, caplog):
    models = tmp_path / "models"
    models.mkdir()
    for f in models_dir().iterdir():  # every model but the body model
        if f.is_file() and f.name != "pose_landmark_full.tflite":
            os.symlink(f, models / f.name)
    monkeypatch.setenv("BOOTH_MODELS_DIR", str(models))
    cfg = with_body(True)
    saved = PhotoStore(cfg, tmp_path / "out").save(candidate_of(sitter, cfg))
    fin = json.loads(saved.sidecar.read_text())["finish"]
    assert fin["coarse_mask"] == "selfie" and all(p.exists() for p in saved.crops.values())
    assert any("booth models fetch" in r.getMessage() for r in caplog.records)
