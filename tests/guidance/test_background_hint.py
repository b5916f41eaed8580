"""The busy-background hint: a clearly busy wall gets one soft line for the sitter, once per
sitter, only while no other prompt is up; it is no check (never gates capture), and the
countdown waits for it at most guidance.background_hint_s. It goes by the saved photo's
clutter measure read on the preview (booth.output.preview), not the per-frame gradient."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from booth.config import BoothConfig
from booth.guidance.coach import Coach
from booth.guidance.prompts import text
from booth.types import Prompt

from .sitter import stream

FPS = 30.0
CFG = BoothConfig()
HINT = Prompt.BUSY_BACKGROUND
ROOM = "none__0a4a8907"  # the gesture set's patterned curtain


BUSY, PLAIN, LITTLE = 18.0, 2.0, 9.0  # preview clutter readings: a busy room, a plain wall, an 'advise' one


def session(coach, clutter, start=0.0, index0=0, turned_s=1.0, seconds=5.0):
    """A sitter turned away for ``turned_s`` (a real prompt first), then facing the lens, in
    front of a wall whose preview clutter reads ``clutter``; the per-frame gradient reads the
    opposite (high on the plain wall, low on the busy one): the hint must not go by it."""
    gradient = 90.0 if clutter <= CFG.guidance.background_hint else 10.0
    return [coach.update(o, background_clutter=clutter)
            for o in stream(seconds, FPS, start, index0, background=gradient,
                            yaw=lambda t: 12.0 if t - start < turned_s else 0.0)]


def runs_of(prompts, p):
    return sum(1 for i, q in enumerate(prompts) if q is p and (i == 0 or prompts[i - 1] is not p))


def first_ready(assessments):
    return next(a.t for a in assessments if a.ready)


def test_a_clearly_busy_wall_gets_one_hint_after_the_real_prompt_and_the_countdown_waits_at_most_its_time():
    plain, busy = session(Coach(CFG), PLAIN), session(Coach(CFG), BUSY)
    pp, bp = [a.prompt for a in plain], [a.prompt for a in busy]
    assert HINT not in pp
    assert runs_of(bp, HINT) == 1
    shown = [a.t for a in busy if a.prompt is HINT]
    assert shown[-1] - shown[0] <= CFG.guidance.background_hint_s
    # the real prompt came first and the hint never stood in for it
    assert bp.index(Prompt.TURN_RIGHT) < bp.index(HINT)
    assert all(a.prompt is not HINT or a.prompt is None or not any(
        not c.ok and c.prompt is not None for c in a.checks) for a in busy)
    # never gating: frame for frame the same gates as on the plain wall
    assert [a.gates_ok for a in plain] == [a.gates_ok for a in busy]
    assert not any(a.ready for a in busy if a.prompt is HINT)
    delay = first_ready(busy) - first_ready(plain)
    assert 0.0 <= delay <= CFG.guidance.background_hint_s
    print(f"hint shown {shown[-1] - shown[0] + 1 / FPS:.2f} s; ready {first_ready(plain):.2f} s plain, "
          f"{first_ready(busy):.2f} s busy (+{delay:.2f} s)")


def test_once_per_sitter_a_retake_does_not_repeat_it_a_new_sitter_gets_it():
    coach = Coach(CFG)
    assert HINT in [a.prompt for a in session(coach, BUSY)]
    coach.restart(5.0)  # a retake: the same sitter
    assert HINT not in [a.prompt for a in session(coach, BUSY, start=5.0, index0=150)]
    coach.restart(None)  # the sitter left: someone new
    assert HINT in [a.prompt for a in session(coach, BUSY, start=10.0, index0=300)]


def test_a_wall_that_is_only_a_little_busy_gets_no_hint_and_zero_seconds_turns_it_off():
    import dataclasses

    assert HINT not in [a.prompt for a in session(Coach(CFG), LITTLE)]
    off = dataclasses.replace(CFG, guidance=dataclasses.replace(CFG.guidance, background_hint_s=0.0))
    assert HINT not in [a.prompt for a in session(Coach(off), BUSY)]
    # no reading (the segmentation model is missing, or not read yet): no hint
    assert HINT not in [a.prompt for a in (Coach(CFG).update(o) for o in stream(5.0, FPS, background=90.0))]


def test_the_hint_is_translated():
    for lang in ("de", "fr", "es"):
        assert text(HINT, lang) != text(HINT, "en")
    assert "\u00a0:" in text(HINT, "fr")


# ------------------------------------------------------------------ the simulator, a real busy room


def _busy_room(shared_data):
    """A clearly busy wall from a real room: the person-free left of the gesture set's
    patterned-curtain photo (clutter 17.1 with the person), mirrored side by side and in six
    rows to fill the frame; linear BGR like the simulator's own wall."""
    from booth.vision.measures import LINEAR_LUT

    room = cv2.imread(str(next((shared_data / "images/mediapipe_gesture_people").glob(ROOM + "*.jpg"))))
    h, w = room.shape[:2]
    part = room[: int(0.38 * h), : int(0.35 * w)]  # curtain only: above the arm, left of the person
    row = np.hstack([part, part[:, ::-1]] * 6)
    wall = np.vstack([row, row[::-1]] * 3)  # the curtain seen from farther: its pattern about a third the size
    return LINEAR_LUT[wall].astype(np.float32)


@pytest.mark.shared
@pytest.mark.slow
def test_a_simulated_sitter_in_front_of_a_busy_room_reads_the_hint_once_and_is_photographed(
        shared_data, tmp_path, monkeypatch):
    from booth.camera.sim import render
    from booth.simulate import run_scenario, sim_config

    room = _busy_room(shared_data)

    def busy_wall(width, height, seed=7):
        return cv2.resize(room, (width, height), interpolation=cv2.INTER_AREA)

    monkeypatch.setattr(render, "wall", busy_wall)
    r = run_scenario("tilted", seed=0, cfg=sim_config(BoothConfig(), 15.0), out_dir=tmp_path, analyze_photo=False)
    assert r.captured, (r.prompts, r.sitter_log)
    assert r.prompts.count(HINT.value) == 1, r.prompts
    assert r.prompts[0] != HINT.value or len(r.prompts) == 1  # never ahead of a prompt the sitter must act on
    with open(next(p for p in map(str, r.saved_files) if p.endswith(".json"))) as fh:
        side = json.load(fh)
    assert side["background"]["level"] == "busy", side["background"]
    print("prompts", r.prompts, "captured after", r.time_to_capture_s, "s; background", side["background"])
