"""The professional profile's turned pose (pose.turn): band, sign and prompts, on a scripted
sitter who follows the prompts and on GENKI-4K faces with labelled yaw."""

from __future__ import annotations

import csv
import dataclasses

import pytest

from booth.config import BoothConfig
from booth.guidance.checks import assess_still, evaluate_checks, turn_check
from booth.guidance.coach import Coach
from booth.guidance.prompts import text
from booth.types import Prompt

from .sitter import observation


def turned(turn: str) -> BoothConfig:
    cfg = BoothConfig()
    return dataclasses.replace(cfg, pose=dataclasses.replace(cfg.pose, turn=turn))


def yaw_check(checks):
    return next(c for c in checks if c.name == "yaw")


@pytest.mark.parametrize("turn,sign", [("left", 1.0), ("right", -1.0)])
def test_the_band_is_on_the_asked_side_and_the_prompts_point_there(turn, sign):
    cfg = turned(turn)
    towards = Prompt.TURN_SHOULDERS_LEFT if turn == "left" else Prompt.TURN_SHOULDERS_RIGHT
    back = Prompt.TURN_RIGHT if turn == "left" else Prompt.TURN_LEFT
    assert turn_check(sign * 15.0, cfg).ok
    frontal, wrong, far = turn_check(0.0, cfg), turn_check(-sign * 15.0, cfg), turn_check(sign * 30.0, cfg)
    assert not frontal.ok and frontal.prompt is towards
    assert not wrong.ok and wrong.prompt is towards
    assert not far.ok and far.prompt is back
    # hysteresis: 8 deg is not enough to become OK, but enough to stay OK
    assert not turn_check(sign * 8.0, cfg, strict=True).ok and turn_check(sign * 8.0, cfg, strict=False).ok
    assert text(towards) == f"Turn your shoulders a little to your {turn}"


def test_frontal_stays_frontal_and_other_profiles_ignore_turn():
    assert yaw_check(evaluate_checks(observation(0.0, yaw=0.0), BoothConfig())).ok
    badge = turned("left").with_profile("badge")
    assert yaw_check(evaluate_checks(observation(0.0, yaw=0.0), badge)).ok
    assert not yaw_check(evaluate_checks(observation(0.0, yaw=15.0), badge)).ok


@pytest.mark.parametrize("turn", ["left", "right"])
def test_a_sitter_who_follows_the_prompts_ends_in_the_band(turn):
    """Starts turned 6 deg the wrong way; turns 0.6 deg a frame the way the prompt says."""
    cfg = turned(turn)
    sign = 1.0 if turn == "left" else -1.0
    coach = Coach(cfg)
    yaw, shown, ready_at = -sign * 6.0, [], None
    for i in range(400):
        t = i / 30.0
        a = coach.update(observation(t, i, yaw=yaw))
        shown.append(a.prompt)
        if a.ready:
            ready_at = yaw
            break
        if a.prompt in (Prompt.TURN_SHOULDERS_LEFT, Prompt.TURN_LEFT):
            yaw += 0.6
        elif a.prompt in (Prompt.TURN_SHOULDERS_RIGHT, Prompt.TURN_RIGHT):
            yaw -= 0.6
    assert ready_at is not None, f"never ready; last prompts {shown[-5:]}"
    lo, hi = cfg.pose.turn_yaw
    assert lo <= sign * ready_at <= hi
    assert (Prompt.TURN_SHOULDERS_LEFT if turn == "left" else Prompt.TURN_SHOULDERS_RIGHT) in shown


@pytest.mark.shared
def test_genki_faces_turned_to_their_left_pass_turn_left_and_fail_turn_right(shared_data):
    """GENKI-4K labels (yaw > 0: toward the subject's left, as the booth measures it): 12
    faces labelled +12..+20 deg, 12 labelled -20..-12 and 12 frontal (|yaw| < 2), judged as
    stills (exit side of the band, 7-25 deg)."""
    from booth.vision.analyzer import FaceAnalyzer
    from booth.vision.images import load_image

    with (shared_data / "labels" / "genki4k.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    groups = {"left": [r for r in rows if 12 <= float(r["yaw_deg"]) <= 20][:12],
              "right": [r for r in rows if -20 <= float(r["yaw_deg"]) <= -12][:12],
              "frontal": [r for r in rows if abs(float(r["yaw_deg"])) < 2][:12]}
    analyzer = FaceAnalyzer(BoothConfig())
    passes = {}
    for group, subset in groups.items():
        for turn in ("left", "right"):
            cfg = turned(turn)
            n = 0
            for r in subset:
                obs = analyzer.analyze_still(load_image(shared_data / r["path"]))
                if obs.face is None:
                    continue
                n += yaw_check(assess_still(obs, cfg).checks).ok
            passes[(group, turn)] = n
    print(passes)
    # the sign is never wrong; the band holds most turned faces (the mesh reads GENKI's turned
    # faces a few degrees short of the label: measured yaw 3-26 deg for labels 12-20)
    assert passes[("left", "left")] >= 8 and passes[("left", "right")] == 0
    assert passes[("right", "right")] >= 8 and passes[("right", "left")] == 0
    assert passes[("frontal", "left")] == 0 and passes[("frontal", "right")] == 0
