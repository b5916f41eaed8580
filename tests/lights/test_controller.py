"""The light loop against a small optical plant (tests/lights/plant.py): a window on one side,
camera latency and auto-exposure, measurement noise. Checks the issue's promises: dEV from
> 0.8 to <= 0.3 within 2 s of the face appearing and staying there, no hunting, bounded
steps, a settle wait after each change, a lighting prompt when the room wins, and lights
locked from the countdown's start until the capture is done."""

from __future__ import annotations

import csv
import dataclasses
import math

import pytest

from booth.config import BoothConfig
from booth.lights.controller import LightController
from booth.types import BoothState

from .conftest import empty_observation, face_observation
from .plant import Plant, Room, cheeks

FPS = 30.0
WINDOW_LEFT = Room(ambient_left=0.8, ambient_right=0.15)  # a window on the sitter's left
KEYS = ("key_left", "key_right", "fill")


def run(cfg, plant, states, face_from_s=1.0, seconds=10.0, room_at=None):
    """Drive controller + plant frame by frame. ``states(t)`` gives the session state while a
    face is there (ATTRACT before). Returns one row per frame: what was lit, what was measured,
    and the true (noise-free) dEV of the light on the face."""
    ctl = LightController(cfg)
    rows = []
    levels = ctl.update(None, BoothState.ATTRACT, 0.0)
    for i in range(int(seconds * FPS)):
        t = i / FPS
        if room_at is not None:
            plant.room = room_at(t)
        dev, exposure = plant.frame(levels)
        face = t >= face_from_s
        state = states(t) if face else BoothState.ATTRACT
        obs = face_observation(dev, exposure, t, i) if face else empty_observation(t, i)
        applied_before = levels
        levels = ctl.update(obs, state, t)
        left, right = cheeks(applied_before, plant.room, cfg.lights)
        rows.append(dict(t=t, state=state.value, face=face, dev=dev, true_dev=math.log2(left / right), exposure=exposure,
                         exhausted=ctl.exhausted, settled=ctl.settled,
                         **{k: levels.get(k) for k in KEYS + ("background", "status")}))
    return rows, ctl


def guiding(t):
    return BoothState.GUIDING


def settle_time(rows, face_from_s, limit=0.3, key="dev"):
    """Seconds from the face appearing until |dEV| is <= limit and stays there."""
    last_bad = max((r["t"] for r in rows if r["face"] and abs(r[key]) > limit), default=face_from_s)
    return last_bad + 1 / FPS - face_from_s


def reversals(values, eps=1e-9):
    """How often a sequence changes direction (up then down, or down then up)."""
    signs = [1 if b > a + eps else -1 for a, b in zip(values, values[1:]) if abs(b - a) > eps]
    return sum(1 for a, b in zip(signs, signs[1:]) if a != b)


def write_log(rows, path):
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.4f}" if isinstance(v, float) else v) for k, v in r.items()})


def test_window_left_is_evened_out_within_two_seconds_and_stays(artifacts_dir):
    cfg = BoothConfig()
    rows, ctl = run(cfg, Plant(WINDOW_LEFT, cfg.lights), guiding, face_from_s=1.0, seconds=10.0)
    write_log(rows, artifacts_dir / "lights_window_left_plant.csv")
    first = next(r for r in rows if r["face"])
    assert first["dev"] > 0.8  # the window: the left cheek is well over half a stop brighter
    assert settle_time(rows, 1.0) <= 2.0
    after = [r for r in rows if r["t"] >= 3.0]
    assert max(abs(r["true_dev"]) for r in after) <= 0.3
    # the loop moved light to the sitter's right (the side away from the window)
    assert after[-1]["key_right"] > 0.6 > after[-1]["key_left"]
    # no oscillation: each key went one way, and the lights rest once it is even
    guided = [r for r in rows if r["face"]]
    assert reversals([r["key_left"] for r in guided]) == 0
    assert reversals([r["key_right"] for r in guided]) <= 1
    assert len({(r["key_left"], r["key_right"], r["fill"]) for r in rows if r["t"] >= 5.0}) == 1
    assert not ctl.exhausted


def test_the_lights_say_when_they_have_settled_so_the_countdown_can_lock_them():
    cfg = BoothConfig()
    rows, _ = run(cfg, Plant(WINDOW_LEFT, cfg.lights), guiding, face_from_s=1.0, seconds=6.0)
    faced = [r for r in rows if r["face"]]
    busy = [i for i, r in enumerate(faced) if not r["settled"]]
    assert busy and busy[0] < 10  # correcting the window from the first looks
    settled_at = faced[busy[-1] + 1]["t"]
    assert all(abs(r["true_dev"]) <= 0.3 for r in rows if r["t"] >= settled_at)  # settled means even
    assert all(r["settled"] for r in rows if r["t"] >= settled_at)
    # a correction that cannot finish does not hold the countdown forever
    stuck = dataclasses.replace(cfg, lights=dataclasses.replace(cfg.lights, max_settle_s=0.5))
    rows, _ = run(stuck, Plant(WINDOW_LEFT, stuck.lights), guiding, face_from_s=1.0, seconds=3.0)
    assert all(r["settled"] for r in rows if r["t"] >= 1.0 + 0.2 + 0.5)  # run starts within 0.2 s


def test_window_right_mirrors_window_left():
    cfg = BoothConfig()
    room = dataclasses.replace(WINDOW_LEFT, ambient_left=WINDOW_LEFT.ambient_right, ambient_right=WINDOW_LEFT.ambient_left)
    rows, _ = run(cfg, Plant(room, cfg.lights), guiding, seconds=6.0)
    assert next(r for r in rows if r["face"])["dev"] < -0.8
    assert settle_time(rows, 1.0) <= 2.0
    assert rows[-1]["key_left"] > 0.6 > rows[-1]["key_right"]


def test_noisy_measurements_do_not_make_the_lights_hunt():
    cfg = BoothConfig()
    plant = Plant(WINDOW_LEFT, cfg.lights, noise_ev=0.06, seed=3)
    rows, _ = run(cfg, plant, guiding, seconds=12.0)
    assert settle_time(rows, 1.0, key="true_dev") <= 2.0
    late = [r for r in rows if r["t"] >= 4.0]
    assert max(abs(r["true_dev"]) for r in late) <= 0.3
    changes = sum(1 for a, b in zip(late, late[1:]) if any(a[k] != b[k] for k in KEYS))
    assert changes <= 3  # 240 frames of noise: the lights (almost) rest


def test_every_step_is_bounded_and_followed_by_the_settle_wait():
    cfg = BoothConfig()
    rows, _ = run(cfg, Plant(WINDOW_LEFT, cfg.lights), guiding, seconds=5.0)
    guided = [r for r in rows if r["face"]]
    change_frames = []
    for i, (a, b) in enumerate(zip(guided, guided[1:]), start=1):
        steps = [abs(b[k] - a[k]) for k in KEYS]
        assert max(steps) <= cfg.lights.max_step + 1e-9
        if max(steps) > 0:
            change_frames.append(i)
    assert len(change_frames) >= 3
    gaps = [b - a for a, b in zip(change_frames, change_frames[1:])]
    assert min(gaps) >= cfg.lights.settle_frames + 1  # a change, then settle_frames untouched


def test_a_room_the_lights_cannot_beat_asks_the_sitter_to_turn():
    cfg = BoothConfig()
    sun = dataclasses.replace(WINDOW_LEFT, ambient_left=3.0)  # sunlight on one side
    rows, ctl = run(cfg, Plant(sun, cfg.lights), guiding, seconds=8.0)
    assert ctl.exhausted
    last = rows[-1]
    lights = {c.name: c for c in cfg.lights.channels}
    assert last["key_left"] == lights["key_left"].min_level
    assert last["key_right"] == lights["key_right"].max_level
    assert last["fill"] == lights["fill"].max_level
    assert abs(last["true_dev"]) > cfg.light.balance_fail_ev
    # not at once: only after the limits were reached and stayed useless a few measurements
    first_exhausted = next(r["t"] for r in rows if r["exhausted"])
    assert first_exhausted > 1.5
    # the sitter turns toward the light (the window now lights both sides): the prompt goes away
    turned = dataclasses.replace(sun, ambient_left=0.5, ambient_right=0.5)
    rows2, ctl2 = run(cfg, Plant(sun, cfg.lights), guiding, seconds=12.0, room_at=lambda t: sun if t < 8.0 else turned)
    assert any(r["exhausted"] for r in rows2 if r["t"] < 8.0)
    assert not ctl2.exhausted and abs(rows2[-1]["true_dev"]) <= 0.3


def test_reachable_scenes_never_raise_the_lighting_prompt():
    cfg = BoothConfig()
    for amb in (0.1, 0.4, 0.8, 1.0):
        rows, _ = run(cfg, Plant(dataclasses.replace(WINDOW_LEFT, ambient_left=amb), cfg.lights), guiding, seconds=6.0)
        assert not any(r["exhausted"] for r in rows), amb
        assert abs(rows[-1]["true_dev"]) <= 0.3, amb


def test_lights_are_locked_from_countdown_start_until_the_capture_is_done():
    cfg = BoothConfig()

    def states(t):
        if t < 4.0:
            return BoothState.GUIDING
        if t < 7.0:
            return BoothState.COUNTDOWN
        if t < 8.0:
            return BoothState.CAPTURING
        if t < 9.0:
            return BoothState.REVIEW
        return BoothState.GUIDING  # retake

    # the sitter leans into the window during the countdown: the loop would want to act
    leaning = dataclasses.replace(WINDOW_LEFT, ambient_left=1.1)
    rows, _ = run(cfg, Plant(WINDOW_LEFT, cfg.lights), states, seconds=12.0,
                  room_at=lambda t: WINDOW_LEFT if t < 4.5 else leaning)
    locked = [r for r in rows if r["state"] in ("countdown", "capturing")]
    assert len(locked) == 4 * FPS
    at_start = [r for r in rows if r["t"] < 4.0][-1]
    assert {tuple(r[k] for k in KEYS + ("background", "status")) for r in locked} == {
        tuple(at_start[k] for k in KEYS + ("background", "status"))}
    assert max(abs(r["dev"]) for r in locked) > cfg.light.balance_target_ev  # the loop would act; nothing moved
    # review holds too; the retake resumes the loop and evens the new scene out
    assert all(r["key_right"] == at_start["key_right"] for r in rows if r["state"] == "review")
    retake = [r for r in rows if r["t"] >= 9.0]
    assert retake[-1]["key_right"] > at_start["key_right"] and abs(retake[-1]["true_dev"]) <= 0.3


def test_exposure_is_steered_into_the_band_when_the_camera_holds_exposure():
    cfg = BoothConfig()
    even = Room(ambient_left=0.05, ambient_right=0.05)
    plant = Plant(even, cfg.lights, ae_rate=0.0)
    plant.gain = 0.8  # a fixed camera exposure that leaves the face at ~0.2 at the start levels
    rows, _ = run(cfg, plant, guiding, seconds=8.0)
    lo, hi = cfg.light.exposure
    assert rows[int(1.2 * FPS)]["exposure"] < lo
    assert lo <= rows[-1]["exposure"] <= hi
    assert abs(rows[-1]["true_dev"]) <= 0.3  # raising exposure kept the balance


def test_attract_is_dim_and_breathing_standby_after_idle_minutes_guiding_is_on():
    cfg = BoothConfig()
    ctl = LightController(cfg)
    attract = [ctl.update(None, BoothState.ATTRACT, i / 10.0) for i in range(int(cfg.lights.breathing_period_s * 10) + 1)]
    assert all(lv.get("key_left") == cfg.lights.attract_level for lv in attract)
    status = [lv.get("status") for lv in attract]
    assert min(status) < 0.05 and max(status) > 0.95  # one full breath
    idle = cfg.booth.idle_standby_min * 60.0
    assert ctl.update(None, BoothState.ATTRACT, idle - 1.0).get("key_left") == cfg.lights.attract_level
    standby = ctl.update(None, BoothState.ATTRACT, idle + 1.0)
    assert standby.get("key_left") == cfg.lights.standby_level == 0.0 and standby.get("fill") == 0.0
    on = ctl.update(face_observation(0.0, 0.5, idle + 2.0), BoothState.GUIDING, idle + 2.0)
    assert on.get("key_left") == cfg.lights.guiding_level and on.get("status") == 1.0
    # somebody was just there: attract again, not standby, and the idle clock restarts
    assert ctl.update(None, BoothState.ATTRACT, idle + 3.0).get("key_left") == cfg.lights.attract_level


def test_no_face_in_guiding_holds_the_lights():
    cfg = BoothConfig()
    ctl = LightController(cfg)
    ctl.update(None, BoothState.ATTRACT, 0.0)
    for i in range(10):
        ctl.update(face_observation(1.2, 0.5, i / FPS, i), BoothState.GUIDING, i / FPS)
    held = dict(ctl.levels.levels)
    assert held["key_right"] > held["key_left"]  # the loop had started to act
    for i in range(10, 40):
        assert dict(ctl.update(empty_observation(i / FPS, i), BoothState.GUIDING, i / FPS).levels) == held


@pytest.mark.parametrize("gain", [0.3, 1.0])
def test_convergence_holds_across_the_gain_range(gain):
    cfg = BoothConfig()
    cfg = dataclasses.replace(cfg, lights=dataclasses.replace(cfg.lights, gain=gain))
    rows, _ = run(cfg, Plant(WINDOW_LEFT, cfg.lights), guiding, seconds=8.0)
    guided = [r for r in rows if r["face"]]
    assert abs(rows[-1]["true_dev"]) <= 0.3
    assert reversals([r["key_left"] for r in guided]) == 0  # never overshoots, even at gain 1
