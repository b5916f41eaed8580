"""The simulated sitter: simulated time, prompt-following, blinks, light and camera faults in pixels."""

from __future__ import annotations

import time

import numpy as np
import pytest

from booth.camera.base import ResilientSource
from booth.camera.sim import SimulatedSitter, scenario_named
from booth.config import BoothConfig
from booth.types import Actions, BoothState, LightLevels, Prompt, SessionEvent

CFG = BoothConfig()
EVEN = LightLevels.of(key_left=0.6, key_right=0.6, fill=0.5, background=0.3)


def run_for(sitter, seconds, actions=None):
    frame = None
    end = sitter.t + seconds
    while sitter.t < end - 1e-9:
        frame = sitter.read()
        if actions is not None:
            sitter.respond(actions)
    return frame


def test_time_is_simulated_one_frame_period_per_read_and_nothing_sleeps():
    with SimulatedSitter("tilted", seed=1, cfg=CFG) as sitter:
        start = time.perf_counter()
        frames = [sitter.read() for _ in range(30)]
        wall = time.perf_counter() - start
    assert [round(f.t, 4) for f in frames[:3]] == [round(1 / 30, 4), round(2 / 30, 4), round(3 / 30, 4)]
    assert frames[-1].t == pytest.approx(1.0)
    assert wall < 3.0  # rendering only; a real-time source would take a full second
    assert frames[0].image.shape == (480, 640, 3) and frames[0].image.dtype == np.uint8


def test_without_prompts_the_sitter_stays_where_the_scenario_put_it():
    with SimulatedSitter("enter-off-centre", seed=3, cfg=CFG) as sitter:
        run_for(sitter, 2.0)
        seated = sitter.truth()["x"]
        run_for(sitter, 6.0, Actions(state=BoothState.GUIDING, lights=EVEN))
        assert abs(sitter.truth()["x"] - seated) < 1e-9  # no prompt, no move: nothing steers it to the centre
        assert seated < 0.35


def test_move_left_means_the_sitters_left_image_right_after_a_human_delay():
    with SimulatedSitter("enter-off-centre", seed=4, cfg=CFG) as sitter:
        run_for(sitter, 2.0)
        x0 = sitter.truth()["x"]
        ask = Actions(state=BoothState.GUIDING, prompt=Prompt.MOVE_LEFT, lights=EVEN)
        sitter.respond(ask)
        run_for(sitter, 0.35, ask)
        assert sitter.truth()["x"] == pytest.approx(x0)  # nobody reacts within 350 ms
        run_for(sitter, 1.2, ask)
        x1 = sitter.truth()["x"]
        assert 0.03 < x1 - x0 < 0.13  # one step of a typical size toward image right
        # The prompt goes away: the sitter settles (with the overshoot it already made), no further steps.
        done = Actions(state=BoothState.GUIDING, lights=EVEN)
        run_for(sitter, 3.0, done)
        assert sitter.truth()["x"] == pytest.approx(x1, abs=0.09)
        x2 = sitter.truth()["x"]
        run_for(sitter, 2.0, done)
        assert sitter.truth()["x"] == pytest.approx(x2)


def test_a_blink_closes_the_eyelids_in_the_pixels():
    with SimulatedSitter("tilted", seed=2, cfg=CFG) as sitter:
        sitter.respond(Actions(state=BoothState.GUIDING, lights=EVEN))
        sitter.blink_at = 1e9
        open_frame = run_for(sitter, 1.0)
        placements = sitter.placements(sitter.size)
        sprite, p = placements[-1]
        sitter.blink_at, sitter.blink_len = sitter.t + 0.01, 0.4
        closed_frame = run_for(sitter, 0.2)
        assert sitter.truth()["lid"] == pytest.approx(1.0)
    # The eye region turns from dark iris/lashes to skin: its darkest pixels get much brighter.
    r = int(0.35 * p.ied_px)
    for dx in (-0.5, 0.5):
        ex, ey = int(p.eye_x + dx * p.ied_px), int(p.eye_y)
        before = open_frame.image[ey - r // 2:ey + r // 2, ex - r:ex + r].mean(axis=2)
        after = closed_frame.image[ey - r // 2:ey + r // 2, ex - r:ex + r].mean(axis=2)
        assert np.percentile(after, 10) > np.percentile(before, 10) + 25


def cheek_means(frame, sitter):
    _, p = sitter.placements(sitter.size)[-1]
    half = int(0.15 * p.ied_px)
    y = int(p.eye_y + 0.5 * p.ied_px)
    out = []
    for dx in (-0.5, 0.5):  # image left (sitter's right cheek), image right (sitter's left cheek)
        x = int(p.eye_x + dx * p.ied_px)
        patch = frame.image[y - half:y + half, x - half:x + half].astype(np.float32) / 255.0
        out.append(float(np.mean(np.where(patch <= 0.04045, patch / 12.92, ((patch + 0.055) / 1.055) ** 2.4))))
    return out


def test_key_lights_and_the_window_change_the_pixels_and_auto_exposure_settles_in_three_frames():
    with SimulatedSitter("window-left", seed=5, cfg=CFG) as sitter:
        sitter.respond(Actions(state=BoothState.GUIDING, lights=EVEN))
        sitter.blink_at = 1e9
        f = run_for(sitter, 1.0)
        right_cheek, left_cheek = cheek_means(f, sitter)
        window_ev = np.log2(left_cheek / right_cheek)
        assert window_ev > 0.3  # daylight from the sitter's left brightens the left cheek
        # The light controller's move: key_right up, key_left down.
        fixed = LightLevels.of(key_left=0.05, key_right=1.0, fill=0.5, background=0.3)
        sitter.respond(Actions(state=BoothState.GUIDING, lights=fixed))
        gains = [sitter.read().meta.exposure_us for _ in range(8)]
        f = sitter.read()
        right_cheek, left_cheek = cheek_means(f, sitter)
        assert abs(np.log2(left_cheek / right_cheek)) < window_ev - 0.3
        # AE: most of the change happens in the first frames, then holds.
        assert abs(gains[2] - gains[-1]) < 0.1 * abs(gains[0] - gains[-1]) + 0.02 * gains[-1]
        sitter.lock_exposure()
        held = {sitter.read().meta.exposure_us for _ in range(3)}
        sitter.respond(Actions(state=BoothState.GUIDING, lights=EVEN))
        held |= {sitter.read().meta.exposure_us for _ in range(3)}
        assert len(held) == 1  # locked: light changes no longer move the exposure


def test_camera_drop_is_survived_by_the_resilient_wrapper_in_simulated_time():
    sitter = SimulatedSitter("camera-drop", seed=0, cfg=CFG)
    events = []
    cam = ResilientSource(lambda: sitter, CFG, on_event=events.append, sleep=sitter.advance)
    start = time.perf_counter()
    with cam:
        frames = [cam.read() for _ in range(150)]
    assert events == [SessionEvent.CAMERA_LOST, SessionEvent.CAMERA_BACK]
    gap = max(b.t - a.t for a, b in zip(frames, frames[1:]))
    assert gap >= scenario_named("camera-drop").camera_drop_s - 0.1  # the outage really happened
    assert time.perf_counter() - start < 20  # the backoff cost simulated, not wall, time


def test_two_people_second_person_is_rendered_and_leaves_when_asked():
    with SimulatedSitter("two-people", seed=0, cfg=CFG) as sitter:
        run_for(sitter, 1.5, Actions(state=BoothState.GUIDING, lights=EVEN))
        assert sitter.truth()["second_person"]
        ask = Actions(state=BoothState.GUIDING, prompt=Prompt.ONE_PERSON, lights=EVEN)
        run_for(sitter, 1.0, ask)
        assert sitter.truth()["second_person"]  # reaction time plus a moment to go
        run_for(sitter, 2.5, ask)
        assert not sitter.truth()["second_person"]


def test_yale_photo_set_smiles_when_asked(shared_data):
    from booth.camera.sim import photo_folder

    photos = photo_folder(str(shared_data / "images" / "yalefaces"), "subject02_")
    assert photos.can_smile and photos.eyes_closed is not None
    with SimulatedSitter("tilted", seed=0, cfg=CFG, photo_set=photos) as sitter:
        run_for(sitter, 0.5, Actions(state=BoothState.GUIDING, lights=EVEN))
        smile = Actions(state=BoothState.GUIDING, prompt=Prompt.SMILE, lights=EVEN)
        sitter.respond(smile)
        run_for(sitter, 1.0, smile)
        assert sitter.smiling
        assert sitter.placements(sitter.size)[-1][0] is photos.smile


def walk_to_the_axis(seed: int, show_amount: bool, start_x: float = 0.15, seconds: float = 12.0):
    """A far-off sitter and a stand-in booth that sees the sitter's true position: it shows
    "move left" (with the way to the centre line when ``show_amount``) until the eyes are
    within the centring tolerance. Pixels are not rendered (``advance``): only behaviour."""
    tol = CFG.framing.centre_tolerance
    far = scenario_named("enter-off-centre").replace(x=start_x, jitter=0.0, enter_from=0)
    sitter = SimulatedSitter(far, seed=seed, cfg=CFG)
    sitter.start()
    while sitter.t < seconds:
        off = sitter.truth()["x"] - 0.5
        asked = abs(off) > tol
        sitter.respond(Actions(state=BoothState.GUIDING, lights=EVEN,
                               prompt=(Prompt.MOVE_LEFT if off < 0 else Prompt.MOVE_RIGHT) if asked else None,
                               prompt_amount=abs(off) if (asked and show_amount) else None))
        sitter.advance(sitter.dt)
    steps = [what for _, what in sitter.events if "move_" in what]
    return steps, sitter.truth()["x"] - 0.5


def test_shown_how_far_the_sitter_takes_one_step_of_about_that_size_and_sometimes_another():
    import re

    tol = CFG.framing.centre_tolerance
    ratios, counts, plain = [], [], []
    for seed in range(40):
        steps, off = walk_to_the_axis(seed, show_amount=True)
        assert abs(off) <= tol, (seed, steps)
        counts.append(len(steps))
        shown, size = map(float, re.search(r"shown ([\d.]+), steps ([\d.]+)", steps[0]).groups())
        ratios.append(size / shown)
    for seed in range(10):
        steps, off = walk_to_the_axis(seed, show_amount=False)
        assert abs(off) <= tol, (seed, steps)
        plain.append(len(steps))
    ratios = np.array(ratios)
    # Human, not scripted: short more often than long, but both happen, and never wildly off.
    assert (ratios < 1).mean() > 0.6 and (ratios > 1).any()
    assert 0.5 < ratios.min() and ratios.max() < 1.3
    # Most arrive in one step; a few fall short of the tolerance and step again.
    counts = np.array(counts)
    assert (counts == 1).mean() >= 0.6 and (counts >= 2).any()
    # Shown only "a little", the same sitters shuffle in three or more small steps.
    assert np.mean(plain) >= 3 and np.mean(plain) > counts.mean() + 1.5


def test_a_yale_sitter_acts_the_prompted_expression_after_a_human_delay(shared_data):
    from booth.camera.sim import photo_folder

    photos = photo_folder(str(shared_data / "images" / "yalefaces"), "subject03_")
    assert {"sad", "surprised", "wink"} <= set(photos.extra)
    with SimulatedSitter("tilted", seed=1, cfg=CFG, photo_set=photos) as sitter:
        run_for(sitter, 0.3, Actions(state=BoothState.GUIDING, lights=EVEN))
        ask = Actions(state=BoothState.GUIDING, prompt=Prompt.EXPRESS_VULNERABLE, lights=EVEN)
        sitter.respond(ask)
        sitter.advance(0.35)
        assert sitter.placements(sitter.size)[-1][0] is photos.neutral  # not yet: a person reacts in 0.4-0.8 s
        run_for(sitter, 0.6, ask)
        assert sitter.placements(sitter.size)[-1][0] is photos.extra["sad"]
        ask = Actions(state=BoothState.GUIDING, prompt=Prompt.EXPRESS_PLAYFUL, lights=EVEN)
        sitter.respond(ask)
        run_for(sitter, 1.0, ask)
        assert sitter.placements(sitter.size)[-1][0] is photos.smile


def test_a_sitter_without_the_face_tries_what_it_has_and_never_gets_there(shared_data):
    from booth.camera.sim import photo_folder

    photos = photo_folder(str(shared_data / "images" / "yalefaces"), "subject03_")
    with SimulatedSitter("tilted", seed=2, cfg=CFG, photo_set=photos) as sitter:
        ask = Actions(state=BoothState.GUIDING, prompt=Prompt.EXPRESS_CONFIDENT, lights=EVEN)  # no closed-lip smile
        sitter.respond(ask)
        tried = set()
        for _ in range(12):  # the prompt stays up: the sitter tries again after each pause
            sitter.advance(0.5)
            tried.add(sitter.face_role)
        assert len(tried) >= 2 and tried <= {"neutral", "smile", "sad"}
        assert any("has no confident face" in what for _, what in sitter.events)


def test_a_photo_is_located_once_and_then_read_from_the_cache_even_when_the_cache_cannot_be_written(tmp_path, monkeypatch):
    """The sprite's mesh points and person mask come from two models (~0.15 s of every start):
    the second start reads them from $XDG_CACHE_HOME/booth/sim; a cache that cannot be written
    costs only the time, and a stale or broken cache file is made again."""
    import cv2

    from booth.camera.sim import photos
    from booth.models import model_path

    bgr = cv2.imread(str(model_path("astronaut")))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = photos.make_sprite(bgr, photos._ASTRONAUT_BOX)
    files = list((tmp_path / "booth" / "sim").glob("*.npz"))
    assert len(files) == 1
    calls = []
    monkeypatch.setattr(photos, "_mesh", lambda *a: calls.append(a) or pytest.fail("the cache was not read"))
    again = photos.make_sprite(bgr, photos._ASTRONAUT_BOX)
    assert again.eye_left == first.eye_left and np.array_equal(again.alpha, first.alpha)
    monkeypatch.undo()
    files[0].write_bytes(b"not an npz")  # broken: made again, and rewritten whole
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert photos.make_sprite(bgr, photos._ASTRONAUT_BOX).eye_left == first.eye_left
    assert np.load(files[0])["pts"].shape == (468, 2)
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert photos.make_sprite(bgr, photos._ASTRONAUT_BOX).eye_left == first.eye_left
