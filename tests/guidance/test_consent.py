"""Consent before guiding: agree by touch, button or badge; declining stores nothing; the
sidecar keeps the record (booth/consent.py, booth/session.py)."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest

from booth import consent
from booth.config import BoothConfig, load_config
from booth.errors import ConfigError
from booth.handoff.service import Handoff
from booth.types import BoothState, SessionEvent

from .test_session import Booth


def consent_cfg(**kw) -> BoothConfig:
    cfg = BoothConfig()
    return dataclasses.replace(cfg, consent=dataclasses.replace(cfg.consent, enabled=True, **kw))


def asked(tmp_path, **kw) -> Booth:
    b = Booth(tmp_path, consent_cfg(**kw))
    a = b.run(1.0)  # a sitter steps in and stands well: ready, were it not for consent
    assert a.state is BoothState.CONSENT and a.consent is not None
    assert not b.loop.session.buffer.gated() and len(b.loop.session.buffer) == 0  # nothing of them is held
    return b


def photographed(b: Booth) -> dict:
    a = b.run(4.5)
    assert a.state is BoothState.REVIEW
    assert b.event(SessionEvent.KEEP).state is BoothState.THANK_YOU
    sidecar = next(p for p in b.loop.saved[0].paths if p.suffix == ".json")
    return json.loads(sidecar.read_text())


@pytest.mark.parametrize("event, payload, method", [
    (SessionEvent.AGREE, {}, "touch"),
    (SessionEvent.SHUTTER, {}, "button"),
    (SessionEvent.BADGE_SCANNED, {"badge_id": "ATT-1234"}, "scan"),
])
def test_agreeing_starts_guiding_and_the_sidecar_keeps_the_record(tmp_path, event, payload, method):
    b = asked(tmp_path)
    shown = b.log[-1][1].consent
    a = b.event(event, wall=1_780_000_000.0, **payload)
    assert a.state is BoothState.GUIDING and a.consent is None
    meta = photographed(b)
    rec = meta["consent"]
    assert rec["method"] == method and rec["language"] == "en"
    assert rec["text_sha256"] == shown.text_sha256
    # the hash is of the very words the screen showed
    words = "\n".join((shown.title, *shown.body, shown.hint, shown.agree, shown.decline))
    assert rec["text_sha256"] == hashlib.sha256(words.encode()).hexdigest()
    assert rec["agreed_at"].startswith("2026-05-28")  # the wall-clock time the event carried
    assert 0.0 < rec["seconds_before_frame"] < 6.0
    assert rec["retention_hours"] == 72.0 and rec["upload"] is False  # what the text said: no bucket here
    if method == "scan":
        assert meta["badge_id"] == "ATT-1234"


@pytest.mark.parametrize("decline", [SessionEvent.DECLINE, SessionEvent.RETAKE])
def test_declining_returns_to_attract_and_nothing_is_saved(tmp_path, decline):
    b = asked(tmp_path)
    assert b.event(decline).state is BoothState.ATTRACT
    a = b.run(10.0)  # they stay in front of the camera, looking perfect
    assert a.state is BoothState.ATTRACT  # not asked again at once, never photographed
    assert all(x.state in (BoothState.ATTRACT,) for _, x in b.log[-300:])
    assert b.loop.saved == [] and not any(tmp_path.iterdir())
    assert len(b.loop.session.buffer) == 0


def test_no_answer_or_walking_away_is_a_no(tmp_path):
    b = asked(tmp_path)
    b.run(b.cfg.consent.timeout_s + 0.2)
    assert b.loop.state is BoothState.ATTRACT and b.loop.saved == []
    b2 = asked(tmp_path / "b2")
    b2.run(b2.cfg.booth.face_lost_grace_s + 0.2, present=False)
    assert b2.loop.state is BoothState.ATTRACT and b2.loop.saved == []


def test_only_the_configured_ways_agree(tmp_path):
    b = asked(tmp_path, agree_by=("scan",))
    assert b.event(SessionEvent.SHUTTER).state is BoothState.CONSENT  # the button does not agree here
    assert b.event(SessionEvent.AGREE).state is BoothState.CONSENT  # nor a touch
    assert not b.log[-1][1].consent.touch  # and the screen offers no "I agree" button
    assert b.event(SessionEvent.BADGE_SCANNED, badge_id="ATT-9").state is BoothState.GUIDING
    with pytest.raises(ConfigError, match="consent.agree_by"):
        load_config(overrides={"consent": {"agree_by": ["wink"]}})


def test_consent_in_the_sitters_language_and_the_organisers_own_text(tmp_path):
    b = asked(tmp_path)
    a = b.event(SessionEvent.LANGUAGE)  # the sitter picks Deutsch on the consent screen
    assert a.language == "de" and a.consent.title == "Bevor wir Ihr Foto machen"
    b.event(SessionEvent.AGREE)
    assert photographed(b)["consent"]["language"] == "de"
    b.run(b.cfg.booth.thank_you_s + 0.2, present=False)
    assert b.loop.session.language == "en"  # the choice lasted for that sitter only
    cfg = consent_cfg(text="Kept {hours} h by ACME.\n\nAsk staff to delete it.", text_fr="Gardée {hours} h.")
    assert consent.screen_for(cfg, "en").body == ("Kept 72 h by ACME.", "Ask staff to delete it.")
    assert consent.screen_for(cfg, "fr").body == ("Gardée 72 h.",)
    assert consent.screen_for(cfg, "es").body[0].startswith("Este fotomatón guarda su foto durante 72 horas")


class _Outbox:
    def __init__(self):
        self.jobs = []

    def enqueue(self, paths, sidecar, badge_id):
        self.jobs.append(sidecar)


def test_upload_follows_the_consent(tmp_path):
    cfg = consent_cfg()
    cfg = dataclasses.replace(cfg, handoff=dataclasses.replace(cfg.handoff, s3_bucket="photos"))
    assert consent.screen_for(cfg, "en").body[1] == "A copy goes to the organiser's photo storage."
    h = Handoff(cfg, remote=object())
    h.outbox = _Outbox()
    said_upload = {"consent": {"upload": True}}
    said_local = {"consent": {"upload": False}}
    h.on_saved([tmp_path / "a_1x1.jpg"], said_upload, None)
    h.on_saved([tmp_path / "b_1x1.jpg"], said_local, None)
    h.on_saved([tmp_path / "c_1x1.jpg"], {}, None)  # no record at all while consent is asked: no upload
    assert h.outbox.jobs == [said_upload]


def test_a_language_chosen_on_the_attract_screen_lasts_for_one_sitter(tmp_path):
    b = Booth(tmp_path)  # no consent asked
    b.run(0.3, present=False)
    for _ in range(2):
        a = b.event(SessionEvent.LANGUAGE)
    assert a.state is BoothState.ATTRACT and a.language == "fr"
    a = b.run(0.5, yaw=20.0)  # turned away: guided, in French
    assert a.state is BoothState.GUIDING and a.language == "fr"
    from booth.ui.view import ViewBuilder

    view = ViewBuilder(language="en").build(a, None)
    assert view.language == "fr" and view.prompt == "Tournez un peu le visage vers votre droite"
    b.run(b.cfg.booth.face_lost_grace_s + 0.3, present=False)  # they leave
    assert b.loop.state is BoothState.ATTRACT and b.loop.session.language == "en"
