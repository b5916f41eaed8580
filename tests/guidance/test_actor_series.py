"""The actor series through the real coach, session and store: skips, the series review, the note."""

from __future__ import annotations

import json

from booth.config import load_config
from booth.types import BoothState, Prompt, SessionEvent

from .test_session import Booth

NEUTRAL = dict(happy=0.05, mouth_gap=0.01, mouth_width=0.85)
CONFIDENT = dict(happy=0.5, mouth_gap=0.02, mouth_width=0.95)
TOOTHY = dict(happy=0.99, mouth_gap=0.09, mouth_width=1.1)  # the astronaut: one broad, toothy smile


def actor(tmp_path, series, **expr):
    cfg = load_config(overrides={"booth": {"profile": "actor"},
                                 "expression": {"actor_series": series, "actor_skip_offer_s": 4.0,
                                                "actor_skip_after_s": 8.0, **expr}})
    return Booth(tmp_path, cfg)


def test_an_unreachable_expression_is_offered_a_skip_then_skipped_by_itself(tmp_path):
    b = actor(tmp_path, ["confident", "playful"])
    b.run(0.5, **NEUTRAL)
    a = b.run(3.0, **TOOTHY)  # told "confident: lips closed", keeps grinning
    assert a.state is BoothState.GUIDING and a.expression_step == (0, 2) and not a.skip_offered
    assert a.prompt in (Prompt.CLOSE_MOUTH, Prompt.EXPRESS_CONFIDENT)
    assert b.event(SessionEvent.SKIP).expression_step == (0, 2)  # not offered yet: ignored
    a = b.run(1.5, **TOOTHY)
    assert a.skip_offered and a.state is BoothState.GUIDING
    a = b.run(4.0, **TOOTHY)  # nobody presses it: skipped at 8 s, on to "playful"
    assert a.expression_step == (1, 2) and not a.skip_offered
    assert [it.status for it in a.series] == ["skipped", "pending"]
    assert a.series[0].skipped_by == "auto" and 7.9 <= a.series[0].seconds <= 8.1
    a = b.run(5.0, **TOOTHY)  # playful is what this face can do
    assert a.state is BoothState.REVIEW
    a = b.event(SessionEvent.KEEP)
    assert a.state is BoothState.SERIES_REVIEW
    assert [it.status for it in a.series] == ["skipped", "saved"] and a.series[1].candidate is not None
    a = b.event(SessionEvent.KEEP)
    assert a.state is BoothState.THANK_YOU and len(a.saved_files) == 3  # 4x5, thumbnail, sidecar
    note = json.loads(b.loop.series_notes[-1].read_text())
    assert note["final"] and [e["status"] for e in note["expressions"]] == ["skipped", "saved"]
    assert note["expressions"][0]["skipped_by"] == "auto" and note["expressions"][1]["files"]


def test_the_skip_button_skips_once_offered_and_the_last_skip_ends_in_the_series_review(tmp_path):
    b = actor(tmp_path, ["serious", "confident"])
    b.run(0.5, **NEUTRAL)
    a = b.run(5.0, **NEUTRAL)
    assert a.state is BoothState.REVIEW
    b.event(SessionEvent.KEEP)
    a = b.run(4.5, **TOOTHY)
    assert a.skip_offered and a.expression_step == (1, 2)
    a = b.event(SessionEvent.SKIP)
    assert a.state is BoothState.SERIES_REVIEW
    assert [(it.status, it.skipped_by) for it in a.series] == [("saved", None), ("skipped", "button")]
    assert json.loads(b.loop.series_notes[-1].read_text())["final"] is False  # written on entering the review
    b.run(2 * b.cfg.booth.review_s + 0.2, **NEUTRAL)  # nobody decides: the review times out
    assert b.loop.state in (BoothState.THANK_YOU, BoothState.ATTRACT)


def test_retake_from_the_series_review_replaces_that_expression_only(tmp_path):
    b = actor(tmp_path, ["serious", "confident"])
    b.run(0.5, **NEUTRAL)
    b.run(5.0, **NEUTRAL)
    b.event(SessionEvent.KEEP)
    b.run(1.0, **NEUTRAL)
    a = b.run(5.0, **CONFIDENT)
    assert a.state is BoothState.REVIEW
    a = b.event(SessionEvent.KEEP)
    assert a.state is BoothState.SERIES_REVIEW
    first = a.series[0].files
    a = b.event(SessionEvent.RETAKE, expression_index=0)  # retake "serious"
    assert a.state is BoothState.GUIDING and a.expression_step == (0, 2)
    a = b.run(5.0, **NEUTRAL)
    assert a.state is BoothState.REVIEW
    a = b.event(SessionEvent.KEEP)
    assert a.state is BoothState.SERIES_REVIEW  # back to the set, not on to "confident"
    assert a.series[0].files != first and a.series[0].retakes == 1 and a.series[1].status == "saved"
    a = b.event(SessionEvent.KEEP)
    assert a.state is BoothState.THANK_YOU and len(a.saved_files) == 6
