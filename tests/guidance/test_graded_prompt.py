"""Graded movement prompts: how far the sitter must go travels from the checks through the
coach and the session to the words (the arrow is tests/ui's, the sitter's reaction tests/camera's)."""

from __future__ import annotations

import pytest

from booth.config import BoothConfig
from booth.guidance.checks import evaluate_checks
from booth.guidance.coach import Coach
from booth.guidance.prompts import BIG_MOVE, text
from booth.types import Prompt

from .sitter import observation, stream
from .test_session import Booth

FPS = 30.0
W = 1280  # the scripted sitters' frame width


def at(x_frac: float) -> tuple[float, float]:
    """An eye midpoint at ``x_frac`` of the frame width (eye height where the framing fits)."""
    return (x_frac * W, 380.0)


def check(checks, name):
    return next(c for c in checks if c.name == name)


def settle(coach: Coach, seconds: float, start: float = 0.0, index0: int = 0, **kw):
    return [coach.update(o) for o in stream(seconds, FPS, start, index0, **kw)]


def test_a_sitter_far_off_the_axis_is_asked_for_a_step_and_told_how_far():
    cfg = BoothConfig()
    far = settle(Coach(cfg), 1.5, eye=at(0.30))[-1]
    near = settle(Coach(cfg), 1.5, eye=at(0.37))[-1]
    assert far.prompt is near.prompt is Prompt.MOVE_LEFT  # image left is the sitter's right
    # the way to the centre line, in frame widths
    assert far.prompt_amount == pytest.approx(0.20, abs=0.005)
    assert near.prompt_amount == pytest.approx(0.13, abs=0.005)
    assert text(far.prompt, amount=far.prompt_amount) == "Take a step to your left"
    assert text(near.prompt, amount=near.prompt_amount) == "Move a little to your left"
    right = settle(Coach(cfg), 1.5, eye=at(0.75))[-1]
    assert right.prompt is Prompt.MOVE_RIGHT and right.prompt_amount == pytest.approx(0.25, abs=0.005)
    assert text(right.prompt, amount=right.prompt_amount) == "Take a step to your right"


def test_the_wording_turns_at_the_documented_threshold_and_only_for_sideways_moves():
    assert text(Prompt.MOVE_LEFT, amount=BIG_MOVE) == "Take a step to your left"
    assert text(Prompt.MOVE_LEFT, amount=BIG_MOVE - 0.001) == "Move a little to your left"
    assert text(Prompt.MOVE_LEFT) == text(Prompt.MOVE_LEFT, amount=None) == "Move a little to your left"
    assert text(Prompt.MOVE_CLOSER, amount=0.5) == text(Prompt.MOVE_CLOSER)  # no graded words for distance
    assert text(Prompt.MOVE_RIGHT, lang="xx", amount=0.4) == "Take a step to your right"  # English fallback


def test_no_amount_when_the_check_passes():
    cfg = BoothConfig()
    centred = evaluate_checks(observation(0.0, eye=at(0.52)), cfg)
    assert check(centred, "centre_axis").ok and check(centred, "centre_axis").amount is None
    assert check(centred, "centre_h").ok and check(centred, "centre_h").amount is None
    assert all(c.amount is None for c in centred)


def test_a_met_move_prompt_still_on_screen_carries_no_amount():
    # Asked to move left, the sitter arrives: for the moment the prompt stays up (dwell), it
    # must not keep showing a way to go.
    cfg = BoothConfig()
    coach = Coach(cfg)
    before = settle(coach, 1.5, eye=at(0.30))
    assert before[-1].prompt is Prompt.MOVE_LEFT and before[-1].prompt_amount > BIG_MOVE
    after = settle(coach, 1.5, start=1.5, index0=45, eye=at(0.50))
    arrived = [a for a in after if check(a.checks, "centre_axis").ok]
    stale = [a for a in arrived if a.prompt is Prompt.MOVE_LEFT]
    assert stale, "the dwell keeps a met prompt up for a moment"
    assert all(a.prompt_amount is None for a in arrived)
    assert after[-1].prompt is not Prompt.MOVE_LEFT  # withdrawn (the jump itself may now ask to hold still)
    # while still on the way the amount shrinks with the distance left
    moving = [a for a in after if a.prompt_amount is not None]
    assert all(b.prompt_amount <= a.prompt_amount + 1e-9 for a, b in zip(moving, moving[1:]))


def test_the_crop_overflow_amount_is_the_way_back_inside_in_frame_widths():
    # Near the image's left edge the crop spills out of the frame; moving by centre_h's
    # amount brings it back inside with the margin to spare, a little less does not.
    cfg = BoothConfig()
    eye = at(0.10)
    c = check(evaluate_checks(observation(0.0, eye=eye), cfg), "centre_h")
    assert not c.ok and c.prompt is Prompt.MOVE_LEFT and c.amount > 0
    moved = (eye[0] + c.amount * W + 1.0, eye[1])
    assert check(evaluate_checks(observation(0.0, eye=moved), cfg), "centre_h").ok
    short = (eye[0] + c.amount * W - 3.0, eye[1])
    assert not check(evaluate_checks(observation(0.0, eye=short), cfg), "centre_h").ok
    # the prompt's amount is the larger of the two "move left" checks: the centre line is further
    a = settle(Coach(cfg), 1.5, eye=eye)[-1]
    assert a.prompt is Prompt.MOVE_LEFT
    assert a.prompt_amount == pytest.approx(check(a.checks, "centre_axis").amount)
    assert a.prompt_amount > check(a.checks, "centre_h").amount


def test_the_session_passes_the_amount_to_the_screen_and_drops_it_for_other_prompts(tmp_path):
    booth = Booth(tmp_path)
    a = booth.run(2.0, eye=at(0.28))
    assert a.prompt is Prompt.MOVE_LEFT and a.prompt_amount == pytest.approx(0.22, abs=0.01)
    a = booth.run(0.2, eye=at(0.28), faces=2)
    assert a.prompt is Prompt.ONE_PERSON and a.prompt_amount is None
