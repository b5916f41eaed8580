"""The session over scripted sitters, through the real coach, session and store (BoothLoop)."""

from __future__ import annotations

from booth.config import BoothConfig, load_config
from booth.compose import core
from booth.session import TRANSITIONS
from booth.types import BoothState, Prompt, SessionEvent

from .sitter import frame, observation

FPS = 30.0


class ScriptedAnalyzer:
    """Stands in for FaceAnalyzer: returns the scripted observation for each frame."""

    def __init__(self):
        self.next = None

    def analyze(self, fr):
        return self.next


class EconomicalAnalyzer(ScriptedAnalyzer):
    """The scripted analyzer with FaceAnalyzer's switch for its economies across frames
    (read_every_frame), recorded as the loop left it at every frame."""

    def __init__(self):
        super().__init__()
        self.read_every_frame = False
        self.flags = []

    def analyze(self, fr):
        self.flags.append(self.read_every_frame)
        return self.next


class Booth:
    def __init__(self, tmp_path, cfg=None, analyzer=None):
        self.cfg = cfg or BoothConfig()
        self.analyzer = analyzer or ScriptedAnalyzer()
        self.loop = core(self.cfg, analyzer=self.analyzer, out_dir=tmp_path, lights=False).loop
        self.t = 0.0
        self.i = 0
        self.log = []

    def run(self, duration, **kw):
        n = int(round(duration * FPS))
        for _ in range(n):
            args = {k: (v(self.t) if callable(v) else v) for k, v in kw.items()}
            self.analyzer.next = observation(self.t, self.i, jitter=0.05, **args)
            a = self.loop.on_frame(frame(self.t, self.i))
            self.log.append((self.t, a))
            self.t += 1 / FPS
            self.i += 1
        return self.log[-1][1]

    def event(self, ev, **payload):
        a = self.loop.on_event(ev, self.t, **payload)
        self.log.append((self.t, a))
        return a

    def states(self, since=0.0):
        out = []
        for t, a in self.log:
            if t >= since and (not out or out[-1] != a.state):
                out.append(a.state)
        return out


def test_the_table_is_declarative_and_covers_the_flow():
    for (state, _), tr in TRANSITIONS.items():
        assert isinstance(state, BoothState) and isinstance(tr.target, BoothState)
    assert (BoothState.ATTRACT, SessionEvent.SHUTTER) not in TRANSITIONS  # nobody there: nothing to shoot


def test_a_good_sitter_goes_all_the_way_and_the_photo_is_saved(tmp_path):
    b = Booth(tmp_path)
    b.run(0.5, present=False)
    assert b.states() == [BoothState.ATTRACT]
    a = b.run(4.5)
    assert a.state is BoothState.REVIEW and a.review and len(a.review) <= b.cfg.best_frame.review_count
    countdown = [(t, a) for t, a in b.log if a.state is BoothState.COUNTDOWN]
    assert countdown and all(a.lock_camera for _, a in countdown)
    assert abs(countdown[-1][0] - countdown[0][0] - b.cfg.booth.countdown_s) < 2 / FPS
    assert any(a.flash for _, a in b.log)
    a = b.event(SessionEvent.KEEP)
    assert a.state is BoothState.THANK_YOU and len(a.saved_files) == 4  # 1x1, 4x5, thumbnail, sidecar
    chosen = b.loop.saved[0].metadata["frame"]["t"]
    assert countdown[0][0] - b.cfg.best_frame.ring_s <= chosen <= countdown[-1][0] + 0.1  # the ring, not the last frame
    b.run(b.cfg.booth.thank_you_s + 0.2, present=False)
    assert b.loop.state is BoothState.ATTRACT


def test_the_frames_the_photo_is_picked_from_are_each_read_afresh(tmp_path):
    """While the session counts down and captures (the best-frame ring's frames), the loop
    has the analyzer read every frame (no carried mesh reading: each candidate is ranked on
    its own smile and eyes); while guiding, the economy is on."""
    b = Booth(tmp_path, analyzer=EconomicalAnalyzer())
    b.run(0.5, present=False)
    b.run(4.5)
    states = [a.state for _, a in b.log]
    flags = b.analyzer.flags
    assert BoothState.COUNTDOWN in states and BoothState.GUIDING in states
    # each frame is analysed under the state the session was in before it
    assert flags[1:] == [s in (BoothState.COUNTDOWN, BoothState.CAPTURING) for s in states[:-1]]
    assert any(flags) and not all(flags)


def test_countdown_aborts_after_a_gate_fails_for_more_than_200ms(tmp_path):
    b = Booth(tmp_path)
    b.run(1.5)
    assert b.loop.state is BoothState.COUNTDOWN
    b.run(0.15, yaw=15.0)  # a 150 ms turn: tolerated
    assert b.loop.state is BoothState.COUNTDOWN
    b.run(0.4, yaw=15.0)
    assert b.loop.state is BoothState.GUIDING
    # A smile fading during the countdown is not a gate: the best frame handles it.
    b2 = Booth(tmp_path / "b2")
    b2.run(1.5)
    b2.run(0.5, happy=0.1)
    assert b2.loop.state is BoothState.COUNTDOWN


def test_a_second_person_pauses_at_once(tmp_path):
    b = Booth(tmp_path)
    b.run(1.5)
    assert b.loop.state is BoothState.COUNTDOWN
    a = b.run(1 / FPS, faces=2)
    assert a.prompt is Prompt.ONE_PERSON and a.readiness == 0.0
    b.run(0.5, faces=2)
    assert b.loop.state is BoothState.GUIDING
    a = b.run(3.0, faces=2)
    assert a.state is BoothState.GUIDING and a.prompt is Prompt.ONE_PERSON  # never counts down with two people
    b.run(1.5)
    assert b.loop.state is BoothState.COUNTDOWN


def test_face_lost_resets_to_attract_after_the_grace_period(tmp_path):
    b = Booth(tmp_path)
    b.run(0.5)
    b.run(b.cfg.booth.face_lost_grace_s - 0.5, present=False)
    assert b.loop.state is BoothState.GUIDING
    b.run(0.7, present=False)
    assert b.loop.state is BoothState.ATTRACT


def test_retake_goes_back_to_guiding_and_captures_again(tmp_path):
    b = Booth(tmp_path)
    a = b.run(4.5)
    assert a.state is BoothState.REVIEW
    first = a.review[0]
    a = b.event(SessionEvent.NEXT)
    assert a.review_index == 1 % len(a.review)
    a = b.event(SessionEvent.RETAKE)
    assert a.state is BoothState.GUIDING and not b.loop.saved
    a = b.run(4.5)
    assert a.state is BoothState.REVIEW and a.review[0].frame.t > first.frame.t
    assert b.event(SessionEvent.KEEP).state is BoothState.THANK_YOU


def test_review_keeps_the_best_by_itself_when_nobody_answers(tmp_path):
    b = Booth(tmp_path)
    b.run(4.5)
    b.run(b.cfg.booth.review_s + 0.1)
    assert len(b.loop.saved) == 1 and b.loop.state is BoothState.THANK_YOU


def test_the_thanked_sitter_who_stays_does_not_start_a_new_session(tmp_path):
    b = Booth(tmp_path)
    b.run(4.5)
    b.event(SessionEvent.KEEP)
    b.run(b.cfg.booth.thank_you_s + 0.2)  # still standing there after the thank-you
    assert b.loop.state is BoothState.ATTRACT
    b.run(5.0)  # lingering: no second session (and no second photo)
    assert b.loop.state is BoothState.ATTRACT and len(b.loop.saved) == 1
    b.run(b.cfg.booth.new_sitter_gap_s + 0.1, present=False)  # they leave; someone steps in
    b.run(0.2)
    assert b.loop.state is BoothState.GUIDING
    # and a sitter who just stays long enough gets another go after linger_s
    b2 = Booth(tmp_path / "b2")
    b2.run(4.5)
    kept_at = b2.event(SessionEvent.KEEP) and b2.t
    b2.run(b2.cfg.booth.thank_you_s + b2.cfg.booth.linger_s + 0.5)
    again = next(t for t, a in b2.log if t > kept_at and a.state is BoothState.GUIDING)
    assert again >= kept_at + b2.cfg.booth.thank_you_s + b2.cfg.booth.linger_s


def test_manual_shutter_always_works_while_someone_is_there(tmp_path):
    b = Booth(tmp_path)
    assert b.event(SessionEvent.SHUTTER).state is BoothState.ATTRACT  # nobody there
    a = b.run(1.0, yaw=20.0, happy=0.0)  # never ready by itself
    assert a.state is BoothState.GUIDING
    b.event(SessionEvent.SHUTTER)
    a = b.run(1.2, yaw=20.0, happy=0.0)
    assert a.state is BoothState.REVIEW and a.review
    assert b.event(SessionEvent.KEEP).state is BoothState.THANK_YOU


def test_never_a_blinking_frame(tmp_path):
    cfg = BoothConfig()
    b = Booth(tmp_path, cfg)
    # A 4-frame blink every second; the sharpest frames sit right next to each blink, where a
    # live frame cannot yet know that the lids are about to close.
    blink = lambda t: (round(t * FPS) % 30) < 4
    sharp = lambda t: 500.0 if (round(t * FPS) % 30) in (4, 5, 28, 29) else 100.0
    b.run(6.0, blink=blink, sharpness=sharp)
    assert BoothState.REVIEW in b.states()
    review = next(a for _, a in b.log if a.state is BoothState.REVIEW).review
    guard = cfg.eyes.blink_guard_frames
    assert review
    for c in review:
        k = c.frame.index % 30
        assert k > 3 + guard and 30 - k > guard, k  # clear of the blink and its guard window


def test_actor_series_saves_one_headshot_per_expression(tmp_path):
    cfg = load_config(overrides={"booth": {"profile": "actor"},
                                 "expression": {"actor_series": ["confident", "serious", "playful"]}})
    b = Booth(tmp_path, cfg)
    wanted = {"confident": dict(happy=0.5, mouth_gap=0.02, mouth_width=0.95),
              "serious": dict(happy=0.05, mouth_gap=0.01, mouth_width=0.85),
              "playful": dict(happy=0.9, mouth_gap=0.2, mouth_width=1.2)}
    b.run(0.5, happy=0.05, mouth_gap=0.01, mouth_width=0.85)  # neutral baseline
    for step, name in enumerate(["confident", "serious", "playful"]):
        a = b.run(1.0, **wanted["confident" if name == "serious" else "serious"])  # the wrong face first
        assert a.expression_step == (step, 3) and a.state is BoothState.GUIDING
        assert a.prompt.value == f"express_{name}"
        a = b.run(4.0, **wanted[name])
        assert a.state is BoothState.REVIEW, name
        a = b.event(SessionEvent.KEEP)
    assert a.state is BoothState.SERIES_REVIEW  # the set, one photo per expression
    assert [it.status for it in a.series] == ["saved"] * 3
    a = b.event(SessionEvent.KEEP)
    assert a.state is BoothState.THANK_YOU
    assert [s.metadata["expression_target"] for s in b.loop.saved] == ["confident", "serious", "playful"]
    assert all(list(s.crops) == ["4x5"] for s in b.loop.saved)


def test_save_failure_shows_an_error_then_returns_to_attract(tmp_path, monkeypatch):
    import shutil
    from collections import namedtuple

    b = Booth(tmp_path)
    b.run(4.5)
    Usage = namedtuple("Usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: Usage(10**9, 10**9 - 10**6, 10**6))
    a = b.event(SessionEvent.KEEP)
    assert a.state is BoothState.ERROR and "Fix" in a.message
    b.run(b.cfg.booth.thank_you_s + 0.1)
    assert b.loop.state is not BoothState.ERROR  # back to attract, and the sitter is still there


def test_the_next_sitter_is_not_judged_by_the_last_ones_eyes(tmp_path):
    """Sitter A (wide eyes, 0.40) is photographed and leaves; sitter B (narrower eyes, 0.26,
    still open) steps in after the session's new-sitter gap but within the coach's face-lost
    grace. B must be judged on B's own eyes, not asked to open them against A's median.
    (Both neutral: a smile would ease the eye limits and hide the difference.)"""
    b = Booth(tmp_path)
    b.run(4.5, ear=0.40)
    b.event(SessionEvent.KEEP)
    b.run(b.cfg.booth.thank_you_s + 0.2, ear=0.40, happy=0.1)
    gap = b.cfg.booth.new_sitter_gap_s + 0.5
    assert gap < b.cfg.booth.face_lost_grace_s
    b.run(gap, present=False)
    start = b.t
    b.run(2.0, ear=0.26, happy=0.1)
    assert b.loop.state in (BoothState.GUIDING, BoothState.COUNTDOWN)
    assert not any(a.prompt is Prompt.OPEN_EYES for t, a in b.log if t >= start)
    assert len(b.loop.saved) == 1
