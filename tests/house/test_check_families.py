"""evaluate_checks is the check families run in the one priority order of CHECK_FAMILIES."""

from __future__ import annotations

from guidance.sitter import observation

from booth.config import BoothConfig
from booth.guidance.checks import CHECK_FAMILIES, evaluate_checks, top_prompt
from booth.types import Prompt

FAMILY_NAMES = [f.__name__ for f in CHECK_FAMILIES]


def test_the_priority_order_is_the_spec_s():
    assert FAMILY_NAMES == ["_presence", "_distance", "_centring", "_pose", "_gaze", "_eyes",
                            "_mouth_and_expression", "_light", "_stillness", "_advisory"]


def test_checks_come_out_family_by_family_in_that_order():
    checks = evaluate_checks(observation(0.0, faces=2, roll=12.0, gaze_h=0.4, mouth_gap=0.5, balance=2.0),
                             BoothConfig(), motion=0.5)
    assert [c.name for c in checks] == [
        "face", "one_person", "distance_far", "distance_close", "centre_h", "centre_axis", "centre_v",
        "crop_inside", "roll", "yaw", "pitch", "gaze_h", "gaze_v", "eyes_open", "blink", "mouth", "expression",
        "light_balance", "clipping", "hold_still", "exposure", "background", "colour_cast"]
    # the first failing family with a prompt speaks: a second person before a tilted head
    assert top_prompt(checks) is Prompt.ONE_PERSON


def test_no_face_is_one_check_asking_to_step_in():
    (only,) = evaluate_checks(observation(0.0, present=False), BoothConfig())
    assert (only.name, only.ok, only.prompt) == ("face", False, Prompt.STEP_IN)
