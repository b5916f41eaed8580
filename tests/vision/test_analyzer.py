"""FaceAnalyzer end to end on a real photo (the bundled astronaut), in both modes."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from booth.config import BoothConfig
from booth.models import model_path
from booth.types import EXPRESSION_CLASSES, FaceMeasures, Frame
from booth.vision.analyzer import MESH_MAX_AGE, FaceAnalyzer


@pytest.fixture(scope="module")
def analyzer():
    with FaceAnalyzer(BoothConfig()) as a:
        yield a


@pytest.fixture(scope="module")
def photo():
    return cv2.imread(str(model_path("astronaut")))


def test_still_fills_every_measure_with_plausible_values(analyzer, photo):
    obs = analyzer.analyze_still(photo)
    f = obs.face
    assert obs.faces == 1 and f is not None
    assert f.landmarks.shape == (468, 3)
    x, y, w, h = f.box
    # the subject's left iris is on the image's right, both inside the face box, at eye height
    assert x < f.iris_right[0] < f.iris_left[0] < x + w
    assert y < f.iris_left[1] < f.chin[1] and f.crown[1] < y
    assert f.ied_px == pytest.approx(np.hypot(f.iris_left[0] - f.iris_right[0], f.iris_left[1] - f.iris_right[1]))
    assert 0.25 < f.ied_px / w < 0.7
    assert set(f.expression) == set(EXPRESSION_CLASSES) and sum(f.expression.values()) == pytest.approx(1, abs=1e-3)
    assert f.smile > 0.5  # she is smiling broadly
    assert not f.eyes_closed and min(f.ear_left, f.ear_right) > 0.25
    assert abs(f.yaw) < 10 and abs(f.gaze_h) < 0.15
    assert 0.0 < f.exposure < 1.0 and 0 <= f.clipped < 0.05 and f.sharpness > 0
    assert f.background is not None and f.background > 0
    assert 0 < f.cast_a < 30 and 0 < f.cast_b < 40  # a skin tone
    assert set(obs.timings_ms) >= {"detect", "mesh", "iris", "expression", "segmentation", "measures", "total"}


def test_turning_the_photo_clockwise_adds_that_much_roll(analyzer, photo):
    base = analyzer.analyze_still(photo).face
    h, w = photo.shape[:2]
    cx, cy = base.eye_mid
    # OpenCV's positive angle turns the image counter-clockwise on screen; -12 is clockwise,
    # which lowers the subject's left eye (image right): +12 deg of roll by our convention
    m = cv2.getRotationMatrix2D((cx, cy), -12, 1.0)
    turned = cv2.warpAffine(photo, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
    f = analyzer.analyze_still(turned).face
    assert f.roll - base.roll == pytest.approx(12, abs=2)
    assert f.yaw == pytest.approx(base.yaw, abs=3)


def test_a_mirrored_photo_mirrors_yaw_gaze_and_light_balance(analyzer, photo):
    a = analyzer.analyze_still(photo).face
    b = analyzer.analyze_still(photo[:, ::-1].copy()).face
    assert b.yaw == pytest.approx(-a.yaw, abs=2)
    assert b.roll == pytest.approx(-a.roll, abs=1.5)
    assert b.light_balance_ev == pytest.approx(-a.light_balance_ev, abs=0.15)


def test_darkening_one_side_of_the_image_shows_in_the_balance(analyzer, photo):
    base = analyzer.analyze_still(photo).face
    lit = photo.astype(np.float32)
    lit[:, : int(base.eye_mid[0])] *= 0.5  # image left = the subject's right side darker
    f = analyzer.analyze_still(np.clip(lit, 0, 255).astype(np.uint8)).face
    # half the sRGB code value is about a fifth of the light: well over 1 EV brighter on the left
    assert f.light_balance_ev - base.light_balance_ev > 1.5


def test_two_people_are_counted(analyzer, photo):
    pair = np.hstack([photo, photo])
    obs = analyzer.analyze_still(pair)
    assert obs.faces == 2 and len(obs.face_boxes) == 2


def test_a_blank_frame_has_no_face(analyzer):
    obs = analyzer.analyze_still(np.full((480, 640, 3), 128, np.uint8))
    assert obs.face is None and obs.faces == 0 and obs.face_boxes == ()


def test_video_mode_tracks_and_runs_slow_stages_on_their_schedule(photo):
    cfg = BoothConfig()
    with FaceAnalyzer(cfg) as a:
        frames = [cv2.warpAffine(photo, np.float32([[1, 0, i], [0, 1, 0]]), photo.shape[1::-1],
                                 borderMode=cv2.BORDER_REPLICATE) for i in range(8)]
        obs = [a.analyze(Frame(img, i / 30, i)) for i, img in enumerate(frames)]
        assert all(o.face is not None for o in obs)
        assert not obs[0].face.tracked and all(o.face.tracked for o in obs[1:])
        assert "detect" in obs[0].timings_ms and not any("detect" in o.timings_ms for o in obs[1:])
        n = cfg.vision.expression_every
        assert [("expression" in o.timings_ms) for o in obs] == [i % n == 0 for i in range(8)]
        assert sum("segmentation" in o.timings_ms for o in obs) == 1
        # the tracked face follows the photo as it moves right by 1 px a frame
        assert obs[-1].face.eye_mid[0] - obs[0].face.eye_mid[0] == pytest.approx(7, abs=1.5)
        gone = a.analyze(Frame(np.full_like(photo, 128), 1.0, 8))
        assert gone.face is None
        back = a.analyze(Frame(photo, 1.1, 9))
        assert back.face is not None and not back.face.tracked


@pytest.mark.parametrize("alternate,reuse,later_runs", [(False, 0.0, 2), (True, 0.0, 1), (True, 2.0, None)])
def test_video_mode_reads_only_the_eyes_that_need_it(photo, alternate, reuse, later_runs):
    """Both eyes on every frame without the economies; one eye per frame in turn with
    alternation; and with reuse, a still photo's eyes are read again only once their reading
    is IRIS_MAX_AGE frames old (after the first frames, while the tracked ROI settles)."""
    from dataclasses import replace

    from booth.vision.analyzer import IRIS_MAX_AGE

    cfg = BoothConfig()
    # the mesh reads every frame here: a carried mesh carries both eyes too (tested below)
    cfg = replace(cfg, vision=replace(cfg.vision, iris_alternate=alternate, iris_reuse_change=reuse, mesh_reuse_change=0.0))
    with FaceAnalyzer(cfg) as a:
        runs = []
        for i in range(3 * IRIS_MAX_AGE):
            before = a.iris_reads
            assert a.analyze(Frame(photo, i / 30, i)).face is not None
            runs.append(a.iris_reads - before)
    assert runs[0] == 2  # a new face: both eyes
    if later_runs is not None:
        assert set(runs[1:]) == {later_runs}
    else:
        settled = runs[3:]
        assert sum(settled[:IRIS_MAX_AGE - 1]) == 0, runs
        assert 2 <= sum(settled) <= 6, runs  # each eye refreshed about every IRIS_MAX_AGE frames


def test_a_still_face_is_read_again_only_when_it_changes_or_its_reading_is_old(photo):
    """vision.mesh_reuse_change: a still photo's face keeps its mesh reading (and eyes and
    expression) for MESH_MAX_AGE frames; the frame after that is read afresh, and so is any
    frame where the face changed (here: a smile-sized change, the mouth painted over)."""
    with FaceAnalyzer(BoothConfig()) as a:
        runs, observed = [], []
        for i in range(3 * (MESH_MAX_AGE + 1)):
            before, iris_before = a.mesh_runs, a.iris_reads
            face = a.analyze(Frame(photo, i / 30, i)).face
            assert face is not None
            runs.append((a.mesh_runs - before, a.iris_reads - iris_before))
            observed.append(face)
        settled = runs[4:]
        carried = [r for r in settled if r[0] == 0]
        assert carried and all(r == (0, 0) for r in carried), runs  # nothing read on a carried frame
        assert 2 <= sum(r[0] for r in settled) <= 4, runs  # read again every MESH_MAX_AGE + 1 frames
        assert all(f.yaw == observed[-1].yaw for f in observed[-3:] if f.landmarks is observed[-1].landmarks)
        changed = photo.copy()
        mouth = observed[-1].landmarks[[61, 291, 13, 14], :2].astype(int)
        cv2.rectangle(changed, tuple(mouth.min(axis=0) - 4), tuple(mouth.max(axis=0) + 4), (30, 30, 140), -1)
        before = a.mesh_runs
        a.analyze(Frame(changed, 1.0, 99))
        assert a.mesh_runs - before >= 1  # the face changed: read afresh
        # the loop's switch for the frames a photo is picked from: every frame read afresh
        a.read_every_frame = True
        before = a.mesh_runs
        for i in range(100, 100 + MESH_MAX_AGE):
            a.analyze(Frame(photo, i / 30, i))
        assert a.mesh_runs - before == MESH_MAX_AGE


def test_the_carry_holds_the_measured_parts_of_the_face_to_the_strict_limit_and_the_rest_to_the_loose_one(photo):
    """vision.mesh_reuse_change (8) and vision.mesh_reuse_change_rest (12): a chin ten grey
    levels brighter keeps the carried reading; an eye ten levels brighter (a blink
    starting) or a cheek (a key light's step, which the light balance must see) is read afresh."""
    from booth.vision import measures as M

    cfg = BoothConfig()
    assert cfg.vision.mesh_reuse_change < 10 < cfg.vision.mesh_reuse_change_rest
    with FaceAnalyzer(cfg) as a:
        def settled() -> tuple[int, FaceMeasures]:
            """Frames until the mesh reads afresh: the next frame compares with that reading."""
            for i in range(MESH_MAX_AGE + 2):
                before = a.mesh_runs
                face = a.analyze(Frame(photo, i / 30, i)).face
                assert face is not None
                if i > 2 and a.mesh_runs > before:
                    return i, face
            raise AssertionError("the mesh never read the still face afresh")

        def read_again(cx: float, cy: float) -> bool:
            a.reset()
            i, face = settled()
            out = photo.astype(np.int16)
            h = int(0.25 * face.ied_px)
            out[int(cy) - h:int(cy) + h, int(cx) - h:int(cx) + h] += 10
            before = a.mesh_runs
            a.analyze(Frame(np.clip(out, 0, 255).astype(np.uint8), (i + 1) / 30, i + 1))
            return a.mesh_runs > before

        a.reset()
        _, face = settled()
        chin = face.landmarks[152, :2]
        (cheek_x, cheek_y, _), _ = M.cheek_patches(face.landmarks, face.ied_px)
        assert not read_again(*chin), "a chin ten levels brighter is within the rest's limit: carried"
        assert read_again(*face.iris_right), "an eye ten levels brighter is over the features' limit: read"
        assert read_again(cheek_x, cheek_y), "a cheek ten levels brighter is over the features' limit: read"


def test_video_mode_flags_closed_eyes_against_the_sitters_own_open_median(photo):
    """Open eyes for a while, then a frame whose eyes are painted shut with skin colour."""
    with FaceAnalyzer(BoothConfig()) as a:
        first = a.analyze_still(photo).face
        for i in range(12):
            o = a.analyze(Frame(photo, i / 30, i))
            assert not o.face.eyes_closed and not o.face.blink
        shut = photo.copy()
        for eye in (first.iris_left, first.iris_right):
            skin = photo[int(eye[1] + 0.35 * first.ied_px), int(eye[0])].tolist()
            cv2.ellipse(shut, (int(eye[0]), int(eye[1])), (int(0.32 * first.ied_px), int(0.17 * first.ied_px)),
                        0, 0, 360, skin, -1)
            cv2.line(shut, (int(eye[0] - 0.3 * first.ied_px), int(eye[1])),
                     (int(eye[0] + 0.3 * first.ied_px), int(eye[1])), (40, 40, 60), 1)
        o = a.analyze(Frame(shut, 0.5, 12))
        assert o.face is not None and o.face.eyes_closed and o.face.blink
        # eyes open again: no longer closed, but the blink guard still holds for a few frames
        o = a.analyze(Frame(photo, 0.55, 13))
        assert not o.face.eyes_closed and o.face.blink


def test_cli_analyze_reports_a_corrupt_file_and_continues(tmp_path, capsys, photo):
    from booth.cli import main

    good = tmp_path / "good.png"
    cv2.imwrite(str(good), photo)
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    out_dir = tmp_path / "ann"
    rc = main(["analyze", str(bad), str(good), "--json", "--annotate", str(out_dir)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rc == 1
    assert lines[0]["path"] == str(bad) and "corrupt" in lines[0]["error"] + "unknown"
    rec = lines[1]
    assert rec["faces"] == 1
    for key in ("box", "ied_px", "yaw", "pitch", "roll", "ear_left", "ear_right", "eyes_closed", "gaze_h", "gaze_v",
                "mouth_gap", "smile", "expression", "exposure", "clipped", "light_balance_ev", "sharpness", "background"):
        assert key in rec["face"]
    assert isinstance(rec["checks"], list) and "prompt" in rec and "prompt_amount" in rec and "ready" in rec
    assert (out_dir / "good.png").stat().st_size > 1000


def test_tracking_keeps_up_with_a_fast_sideways_step():
    """A simulated sitter steps a quarter of the frame width in 0.7 s, seen at the Pi's 15 fps.
    Through an ROI from the previous frame the mesh reports only part of such a move (and a
    turned head); the analyzer looks again on the new ROI, so the eyes stay where they are
    and the head stays frontal (without the second look: 0.054 of the width behind, yaw 17)."""
    from booth.simulate import sim_config
    from booth.camera.sim.sitter import SimulatedSitter

    cfg = sim_config(BoothConfig(), 15.0)
    sitter = SimulatedSitter("enter-off-centre", 0, cfg)
    sitter.start()
    with FaceAnalyzer(cfg) as a:
        errors, yaws = [], []
        for i in range(60):
            if i == 25:
                sitter.body.move("x", 0.25, sitter.t, 0.7)
            frame = sitter.read()
            face = a.analyze(frame).face
            if i >= 20:
                assert face is not None
                errors.append(abs(face.eye_mid[0] / frame.size[0] - sitter.truth()["x"] - sitter.sway["x"]))
                yaws.append(abs(face.yaw))
    sitter.close()
    assert max(errors) < 0.01 and max(yaws) < 6, (max(errors), max(yaws))
