"""The booth session: a declarative state machine from observations and events to Actions.

The whole behaviour is the table :data:`TRANSITIONS` (below the class): (state, trigger) ->
target state and an optional effect, a :class:`Session` method referenced directly. Triggers
are either :class:`~booth.types.SessionEvent` s from outside (shutter, keep, retake, saved ...)
or :class:`Trigger` s the session derives from the frame stream (a face appeared, the sitter
is ready, a gate failed, a timer ran out)::

    attract --face--> guiding --ready--> countdown --done--> capturing --captured--> review
       ^                 ^  |               |  (gate failed > 200 ms: back to guiding)   |
       |                 |  +--shutter------+--shutter--> capturing            keep/timeout
       |                 +------------------------- retake ------------------------------+
       +-- thank-you <--saved-- saving <----------------------------------------------- +

With ``consent.enabled`` a new face goes to ``consent`` first (attract --face--> consent
--agree--> guiding; decline, no answer or walking away --> attract, nothing held); a language
chosen on the attract screen lasts until the session is back in attract. Plus ``error`` (camera lost, a photo that could not be saved) from anywhere. A face that
vanishes for longer than ``booth.face_lost_grace_s`` ends the session; a second person in
frame pauses it ("Only one person, please"); the manual shutter works whenever a sitter is
there. In the actor profile each expression of ``expression.actor_series`` is its own
capture: saving one moves on to guiding the next. An expression the sitter cannot reach
within ``expression.actor_skip_offer_s`` is offered a skip (``Actions.skip_offered``; the
SKIP event from touch or the keep button), and skipped by itself after
``expression.actor_skip_after_s``; after the last expression (saved or skipped) the series
review shows the set, one photo per expression, with keep/retake per expression, and the
series sidecar (``Actions.series_note``) records what was saved and what was skipped::

    guiding(expr i) --saved/skip--> guiding(expr i+1) ... --last--> series_review
    series_review --retake(expr j)--> guiding(expr j) --saved/skip--> series_review
    series_review --keep/timeout--> thank-you

The session never touches hardware: :meth:`Session.step` and :meth:`Session.handle` return
:class:`~booth.types.Actions`, which the app, ``booth replay`` or the simulator carry out.
Time comes from the frames (``Frame.t``) and the events' ``t``: no clock is read.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import Any, Callable, Mapping

from . import consent
from .config import BoothConfig, Profile
from .i18n import LANGUAGES, N_
from .guidance.best_frame import BestFrameBuffer
from .guidance.checks import ACTOR_EXPRESSIONS, gating, hard_gates_ok
from .output.crops import plan_for_face
from .types import (Actions, Assessment, BoothState, Candidate, Check, ConsentRecord, ConsentScreen, FaceObservation,
                    Frame, LightLevels, Prompt, SeriesItem, SessionEvent)


class Trigger(Enum):
    """What the session notices in the frame stream (as opposed to outside events)."""

    FACE_APPEARED = "face_appeared"
    FACE_LOST = "face_lost"  # gone longer than the grace period
    READY = "ready"
    GATE_FAILED = "gate_failed"  # during the countdown, longer than countdown_abort_s
    COUNTDOWN_DONE = "countdown_done"
    CAPTURED = "captured"  # enough good candidates: go to review
    NOTHING_TO_CAPTURE = "nothing_to_capture"
    TIMEOUT = "timeout"  # review, thank-you or error screen ran its time
    NEXT_EXPRESSION = "next_expression"  # actor series: saved one, more to come
    ASK_CONSENT = "ask_consent"  # a face appeared and consent.enabled: ask before guiding
    SKIP_EXPRESSION = "skip_expression"  # actor series: not reached within actor_skip_after_s (or SKIP pressed)
    SERIES_DONE = "series_done"  # actor series: the last expression saved or skipped


Effect = Callable[["Session", float], None]  # a Session method: (session, t)


@dataclass(frozen=True)
class Transition:
    target: BoothState
    effect: Effect | None = None  # a Session method run on the transition (the method itself)


S, E, T = BoothState, SessionEvent, Trigger

#: what the attract screen says while handoff.badge_required waits for a scan
BADGE_FIRST = N_("Scan your badge to start")

#: the states in which a sitter is being photographed
SITTER_STATES = frozenset({S.GUIDING, S.COUNTDOWN, S.CAPTURING})


class Session:
    """One booth's session state (see the module doc). Not thread-safe: one caller."""

    def __init__(self, cfg: BoothConfig):
        self.cfg = cfg
        self.state = BoothState.ATTRACT
        self.buffer = BestFrameBuffer(cfg)
        self.series: tuple[str, ...] = tuple(cfg.expression.actor_series) if cfg.profile is Profile.ACTOR else ()
        self.series_index = 0
        self.saved_files: tuple[str, ...] = ()
        self.badge_id: str | None = None
        self.message: str | None = None
        self._last_face_t: float | None = None
        self._linger_until: float | None = None  # after a thank-you: the same sitter is still there
        self._entered_t = 0.0
        self._countdown_end = 0.0
        self._gate_fail_since: float | None = None
        self._capture_start = 0.0
        self._manual = False
        self._review: tuple[Candidate, ...] = ()
        self._review_index = 0
        self._pending_save: Candidate | None = None
        self._flash = False
        self._timeout_s: float | None = None
        self._last: Actions = Actions(state=self.state)
        self._payload: dict[str, Any] = {}
        self.language = cfg.ui.language  # the sitter's language (attract: their choice, for them only)
        self.consent: ConsentRecord | None = None  # this sitter's agreement, when consent was asked
        self._consent_screen: ConsentScreen | None = None
        # Set by the app: why no new session may start now (the output cannot take a photo);
        # None = open. A session under way is not interrupted.
        self.blocked: str | None = None
        self.series_items: list[SeriesItem] = []
        self._series_pos = 0  # highlighted expression in the series review
        self._expr_start: float | None = None  # when the current expression was first asked for
        self._retaking = False  # guiding an expression again from the series review
        self._series_t0 = 0.0
        self._note: dict[str, Any] | None = None
        self._reset_series()
        self._sync_expression()

    # -- the actor series ------------------------------------------------------------

    @property
    def expression_target(self) -> str | None:
        """The expression being asked for (actor profile), else None."""
        return self.series[self.series_index] if self.series else None

    def _sync_expression(self) -> None:
        self.buffer.expression = self.expression_target

    def _reset_series(self) -> None:
        self.series_items = [SeriesItem(name) for name in self.series]
        self._series_pos = 0
        self._expr_start = None
        self._retaking = False

    def _series_end_trigger(self) -> bool:
        """Is the expression being finished the series' last (or a retake from the review)?"""
        return self._retaking or self.series_index + 1 >= len(self.series)

    def skip_offered(self, t: float) -> bool:
        return (bool(self.series) and self.state is S.GUIDING and self._expr_start is not None
                and t - self._expr_start >= self.cfg.expression.actor_skip_offer_s)

    # -- inputs ----------------------------------------------------------------------

    def step(self, frame: Frame, obs: FaceObservation, assessment: Assessment,
             lights: LightLevels | None = None) -> Actions:
        """Advance on one analysed frame."""
        t = frame.t
        self._flash = False
        if obs.face is not None:
            self._last_face_t = t
        if self.state in SITTER_STATES and obs.face is not None:
            self.buffer.add(Candidate(frame, obs, assessment))
        for _ in range(4):  # a frame may chain a few transitions (countdown done -> capture -> review)
            trigger = self._derive(t, obs, assessment)
            if trigger is None or not self._fire(trigger, t):
                break
        return self._actions(t, obs, assessment, lights)

    def handle(self, event: SessionEvent, t: float, **payload: Any) -> Actions:
        """Apply an outside event (button, touch, store, camera). Unknown in this state: ignored.

        Payload: ``files`` (SAVED), ``message`` (SAVE_FAILED, CAMERA_LOST), ``badge_id``.
        """
        self._flash = False
        self._payload = dict(payload)
        if event is SessionEvent.CAMERA_LOST:
            self._payload.setdefault("camera", True)
        if event is SessionEvent.SHUTTER and self.state in (S.GUIDING, S.COUNTDOWN) and not self._sitter_here(t):
            return self._last  # "always works while someone is there"
        if self.state is S.CONSENT and event in (SessionEvent.SHUTTER, SessionEvent.BADGE_SCANNED, SessionEvent.AGREE):
            method = {SessionEvent.SHUTTER: "button", SessionEvent.BADGE_SCANNED: "scan"}.get(event, "touch")
            if event is SessionEvent.BADGE_SCANNED:
                self._remember_badge(t)
            if consent.allows(self.cfg, method):
                self._payload["method"] = method
                event = SessionEvent.AGREE
            elif event is not SessionEvent.BADGE_SCANNED:
                self._payload = {}
                return self._actions(t, None, None, None)  # not a way to agree here
        trigger: Trigger | SessionEvent = event
        if event is SessionEvent.SAVED and self.state is S.SAVING:
            files = tuple(str(f) for f in payload.get("files", ()))
            if self.series:
                self._finish_expression(t, "saved", files=files)
                trigger = T.SERIES_DONE if self._series_end_trigger() else T.NEXT_EXPRESSION
            else:
                self.saved_files = self.saved_files + files
        if event is SessionEvent.KEEP and self.skip_offered(t):
            event = trigger = SessionEvent.SKIP  # the keep button means "skip this one" while a skip is offered
        if event is SessionEvent.SKIP:
            if not self.skip_offered(t):
                return self._last  # not offered yet (or nothing to skip)
            self._payload["skipped_by"] = "button"
            trigger = T.SERIES_DONE if self._series_end_trigger() else T.SKIP_EXPRESSION
        self._fire(trigger, t)
        self._payload = {}
        return self._actions(t, None, None, None)

    # -- the machine -----------------------------------------------------------------

    def _fire(self, trigger: Trigger | SessionEvent, t: float) -> bool:
        tr = TRANSITIONS.get((self.state, trigger))
        if tr is None:
            return False
        if tr.effect is not None:
            tr.effect(self, t)
        if tr.target is not self.state:
            self.state = tr.target
            self._entered_t = t
            ON_ENTER[tr.target](self, t)
        return True

    def _sitter_here(self, t: float) -> bool:
        return self._last_face_t is not None and t - self._last_face_t <= self.cfg.booth.face_lost_grace_s

    def _derive(self, t: float, obs: FaceObservation, a: Assessment) -> Trigger | None:
        st = self.state
        if st is S.ATTRACT:
            # The sitter who was just thanked is not a new sitter: wait until the frame has
            # been empty for a moment (someone new stepped in) or the linger time ran out.
            if self._linger_until is not None:
                gone = self._last_face_t is None or t - self._last_face_t >= self.cfg.booth.new_sitter_gap_s
                if gone or t >= self._linger_until:
                    self._linger_until = None
            if obs.face is None or self._linger_until is not None:
                return None
            if self.blocked or (self.cfg.handoff.badge_required and not self.badge_id):
                return None  # out of service, or handoff.badge_required and no badge scanned yet
            return T.ASK_CONSENT if self.cfg.consent.enabled else T.FACE_APPEARED
        if st is S.CONSENT and not self._sitter_here(t):
            return T.FACE_LOST
        if st in (S.GUIDING, S.COUNTDOWN) and not self._sitter_here(t):
            return T.FACE_LOST
        if st is S.GUIDING:
            # not on the frame that opened guiding: that assessment belongs to before (the
            # loop restarts the coach's readiness for the new attempt)
            if self.series and self._expr_start is not None \
                    and t - self._expr_start >= self.cfg.expression.actor_skip_after_s:
                self._payload = {"skipped_by": "auto"}
                return T.SERIES_DONE if self._series_end_trigger() else T.SKIP_EXPRESSION
            return T.READY if (a.ready and obs.faces <= 1 and t > self._entered_t) else None
        if st is S.COUNTDOWN:
            # Only a hard gate aborts: a smile that fades for a moment is the best-frame
            # ranking's business, not a reason to start over. Nor is a blink (a dip of a
            # few hundred ms that the best-frame ring steps around): eyes that stay shut
            # longer are no blink any more (booth/vision) and do abort.
            if obs.faces <= 1 and obs.face is not None and hard_gates_ok(_except_blink(a.checks)):
                self._gate_fail_since = None
            elif self._gate_fail_since is None:
                self._gate_fail_since = t
            if self._gate_fail_since is not None and t - self._gate_fail_since > self.cfg.guidance.countdown_abort_s:
                return T.GATE_FAILED
            return T.COUNTDOWN_DONE if t >= self._countdown_end else None
        if st is S.CAPTURING:
            return self._try_capture(t)
        if self._timeout_s is not None and t - self._entered_t >= self._timeout_s:
            return T.TIMEOUT
        return None

    def _try_capture(self, t: float) -> Trigger | None:
        bf = self.cfg.best_frame
        enough = len(self.buffer.gated()) >= bf.min_candidates
        if not enough and t - self._capture_start < bf.capture_window_s:
            return None  # keep collecting: a short burst after the countdown
        review = self.buffer.best(bf.review_count)
        if not review and self._manual:
            review = self.buffer.best(bf.review_count, require_gates=False)
        if not review:
            return T.NOTHING_TO_CAPTURE
        self._review = review
        return T.CAPTURED

    # -- effects and entry actions ---------------------------------------------------

    def _expect_departure(self, t: float) -> None:
        self._linger_until = t + self.cfg.booth.linger_s

    def _mark_manual(self, t: float) -> None:
        self._manual = True

    def _remember_badge(self, t: float) -> None:
        self.badge_id = self._payload.get("badge_id") or self.badge_id

    def _next_candidate(self, t: float) -> None:
        if self._review:
            self._review_index = (self._review_index + 1) % len(self._review)

    def _next_expression(self, t: float) -> None:
        self.series_index += 1
        self._expr_start = None  # set when guiding it starts
        self._sync_expression()

    def _finish_expression(self, t: float, status: str, *, files: tuple[str, ...] = ()) -> None:
        i = self.series_index
        old = self.series_items[i]
        seconds = round(t - self._expr_start, 2) if self._expr_start is not None else None
        if status == "saved":
            chosen = self._review[self._review_index] if self._review else None
            crop = None
            if chosen is not None and chosen.observation.face is not None:
                obs = chosen.observation
                crop = plan_for_face(chosen.observation.face, obs.image_size, self.cfg).widest.norm(obs.image_size)
            self.series_items[i] = SeriesItem(old.expression, "saved", files, seconds, None, chosen,
                                              crop, old.retakes + (1 if self._retaking else 0))
        elif old.status != "saved":  # skipping a retake keeps the photo already taken
            self.series_items[i] = SeriesItem(old.expression, "skipped", (), seconds,
                                              self._payload.get("skipped_by", "auto"), None, None, old.retakes)
        self.saved_files = tuple(f for item in self.series_items for f in item.files)

    def _skip_expression(self, t: float) -> None:
        self._finish_expression(t, "skipped")
        if not self._series_end_trigger():
            self._next_expression(t)
            self._enter_guiding(t)  # a fresh attempt at the next expression
            self.buffer.clear()

    def _next_in_series(self, t: float) -> None:
        if self.series_items:
            self._series_pos = (self._series_pos + 1) % len(self.series_items)

    def _retake_in_series(self, t: float) -> None:
        pos = self._payload.get("expression_index", self._series_pos)
        self.series_index = max(0, min(len(self.series) - 1, int(pos)))
        self._retaking = True
        self._expr_start = None
        self.buffer.clear()
        self._sync_expression()

    def series_note(self, t: float, final: bool) -> dict[str, Any]:
        """The series sidecar: every expression, saved (files, seconds) or skipped (by whom, after how long)."""
        return {
            "kind": "actor_series", "final": final, "t": round(self._series_t0, 3), "badge_id": self.badge_id,
            "expressions": [{"expression": it.expression, "status": it.status, "files": list(it.files),
                             "seconds": it.seconds, "skipped_by": it.skipped_by, "retakes": it.retakes}
                            for it in self.series_items],
            "skip_offer_s": self.cfg.expression.actor_skip_offer_s,
            "skip_after_s": self.cfg.expression.actor_skip_after_s,
        }

    def _record_error(self, t: float) -> None:
        self.message = self._payload.get("message") or N_("Something went wrong")  # the screen translates it

    def _next_language(self, t: float) -> None:
        order = list(LANGUAGES)
        self.language = order[(order.index(self.language) + 1) % len(order)] if self.language in order else order[0]
        if self.state is S.CONSENT:
            self._consent_screen = consent.screen_for(self.cfg, self.language)

    def _record_consent(self, t: float) -> None:
        screen = self._consent_screen or consent.screen_for(self.cfg, self.language)
        self.consent = consent.record(self.cfg, screen, self.language, self._payload.get("method", "touch"), t,
                                      wall=self._payload.get("wall"))

    def _enter_consent(self, t: float) -> None:
        self.consent = None
        self._consent_screen = consent.screen_for(self.cfg, self.language)
        self._timeout_s = self.cfg.consent.timeout_s

    def _enter_attract(self, t: float) -> None:
        self.language = self.cfg.ui.language  # a language choice lasts for one sitter
        self.consent = None
        self._consent_screen = None
        self.buffer.clear()
        self.series_index = 0
        self._reset_series()
        self._sync_expression()
        self.saved_files = ()
        self.badge_id = None  # a badge belongs to one sitter's session
        self.message = None
        self._timeout_s = None
        self._review, self._review_index = (), 0

    def _enter_guiding(self, t: float) -> None:
        if self.series and self._expr_start is None:
            self._expr_start = t
            if self.series_index == 0 and not self._retaking:
                self._series_t0 = t
        self._manual = False
        self._timeout_s = None
        self._review, self._review_index = (), 0
        self._gate_fail_since = None

    def _enter_countdown(self, t: float) -> None:
        self._countdown_end = t + self.cfg.booth.countdown_s
        self._gate_fail_since = None

    def _enter_capturing(self, t: float) -> None:
        self._capture_start = t
        self._flash = True

    def _enter_review(self, t: float) -> None:
        self._review_index = 0
        self._timeout_s = self.cfg.booth.review_s
        # The review holds its own candidates. The ring's other frames are not needed again (a
        # retake collects afresh), and their full-resolution pixels stayed resident until the
        # next sitter (one simulated session: 345 -> 293 MiB after the save with this).
        self.buffer.clear()

    def _enter_saving(self, t: float) -> None:
        self._timeout_s = None
        chosen = self._review[self._review_index] if self._review else None
        if chosen is not None:  # into the sidecar: the sitter's consent and language
            chosen = dataclasses.replace(chosen, consent=self.consent, language=self.language)
        self._pending_save = chosen

    def _enter_timed(self, t: float) -> None:
        self._timeout_s = self.cfg.booth.thank_you_s
        if self.series:
            self._note = self.series_note(t, final=True)

    def _enter_series_review(self, t: float) -> None:
        self._retaking = False
        self._review, self._review_index = (), 0
        saved = [i for i, it in enumerate(self.series_items) if it.status == "saved"]
        self._series_pos = saved[0] if saved else 0
        self._timeout_s = 2.0 * self.cfg.booth.review_s
        self._note = self.series_note(t, final=False)

    def _enter_paused(self, t: float) -> None:
        self._enter_attract(t)  # whoever was there is no longer photographed
        self._linger_until = None

    def _enter_error(self, t: float) -> None:
        # A camera comes back by itself (CAMERA_BACK); other errors clear after a while.
        camera = bool(self._payload.get("camera", False))
        self._timeout_s = None if camera else self.cfg.booth.thank_you_s

    # -- output ----------------------------------------------------------------------

    def _actions(self, t: float, obs: FaceObservation | None, a: Assessment | None,
                 lights: LightLevels | None) -> Actions:
        st = self.state
        prompt = None
        amount = None
        readiness = 0.0
        crop = None
        if obs is not None and obs.face is not None and st in SITTER_STATES:
            plan = plan_for_face(obs.face, obs.image_size, self.cfg)
            crop = plan.widest.norm(obs.image_size)
        if st in (S.GUIDING, S.COUNTDOWN) and a is not None:
            gates = [c for c in a.checks if gating(c)]
            readiness = 1.0 if a.ready else (sum(c.ok for c in gates) / len(gates) if gates else 0.0)
            prompt, amount = a.prompt, a.prompt_amount
            if obs is not None and obs.faces > 1:
                prompt, readiness = Prompt.ONE_PERSON, 0.0  # pause at once: nobody else in the photo
                amount = None
            elif st is S.GUIDING and prompt is None and self.series:
                prompt = ACTOR_EXPRESSIONS[self.series[self.series_index]]  # keep the asked expression on screen
        elif st is S.GUIDING and a is None:
            prompt, amount = self._last.prompt, self._last.prompt_amount
        save, self._pending_save = self._pending_save, None
        note, self._note = self._note, None
        actions = Actions(
            state=st,
            prompt=prompt,
            prompt_amount=amount,
            readiness=readiness,
            countdown_remaining_s=max(0.0, self._countdown_end - t) if st is S.COUNTDOWN else None,
            lock_camera=st in (S.COUNTDOWN, S.CAPTURING),
            flash=self._flash,
            review=self._review if st in (S.REVIEW, S.SAVING) else (),
            review_index=self._review_index,
            save=save,
            lights=lights,
            message=self.message if st is S.ERROR else (
                BADGE_FIRST if st is S.ATTRACT and self.cfg.handoff.badge_required and not self.badge_id else None),
            expression_step=(self._series_pos if st is S.SERIES_REVIEW else self.series_index, len(self.series))
            if self.series else None,
            badge_id=self.badge_id,
            saved_files=self.saved_files if st is S.THANK_YOU else (),
            crop_norm=crop if crop is not None else (self._last.crop_norm if st in SITTER_STATES else None),
            language=self.language,
            consent=self._consent_screen if st is S.CONSENT else None,
            skip_offered=self.skip_offered(t),
            series=tuple(self.series_items) if self.series else (),
            series_note=note,
        )
        self._last = actions
        return actions


# --------------------------------------------------------------------------- the table
# Below the class so that every effect is the method itself: a misspelt one fails at import
# (AttributeError) and in mypy, not when the transition first fires.

TRANSITIONS: Mapping[tuple[BoothState, Trigger | SessionEvent], Transition] = MappingProxyType({
    (S.ATTRACT, T.FACE_APPEARED): Transition(S.GUIDING),
    (S.ATTRACT, E.BADGE_SCANNED): Transition(S.ATTRACT, Session._remember_badge),

    (S.GUIDING, T.READY): Transition(S.COUNTDOWN),
    (S.GUIDING, E.SHUTTER): Transition(S.CAPTURING, Session._mark_manual),
    (S.GUIDING, T.FACE_LOST): Transition(S.ATTRACT),
    (S.GUIDING, E.BADGE_SCANNED): Transition(S.GUIDING, Session._remember_badge),

    (S.COUNTDOWN, T.COUNTDOWN_DONE): Transition(S.CAPTURING),
    (S.COUNTDOWN, T.GATE_FAILED): Transition(S.GUIDING),
    (S.COUNTDOWN, E.SHUTTER): Transition(S.CAPTURING, Session._mark_manual),
    (S.COUNTDOWN, T.FACE_LOST): Transition(S.ATTRACT),

    (S.CAPTURING, T.CAPTURED): Transition(S.REVIEW),
    (S.CAPTURING, T.NOTHING_TO_CAPTURE): Transition(S.GUIDING),

    (S.REVIEW, E.KEEP): Transition(S.SAVING),
    (S.REVIEW, E.SHUTTER): Transition(S.SAVING),  # the button in review means "this one"
    (S.REVIEW, T.TIMEOUT): Transition(S.SAVING),
    (S.REVIEW, E.NEXT): Transition(S.REVIEW, Session._next_candidate),
    (S.REVIEW, E.RETAKE): Transition(S.GUIDING),

    (S.SAVING, E.SAVED): Transition(S.THANK_YOU),
    (S.SAVING, T.NEXT_EXPRESSION): Transition(S.GUIDING, Session._next_expression),
    (S.SAVING, E.SAVE_FAILED): Transition(S.ERROR, Session._record_error),

    (S.THANK_YOU, T.TIMEOUT): Transition(S.ATTRACT, Session._expect_departure),

    # the actor series (the session turns SKIP and SAVED into these when a series runs)
    (S.GUIDING, T.SKIP_EXPRESSION): Transition(S.GUIDING, Session._skip_expression),
    (S.GUIDING, T.SERIES_DONE): Transition(S.SERIES_REVIEW, Session._skip_expression),
    (S.SAVING, T.SERIES_DONE): Transition(S.SERIES_REVIEW),
    (S.SERIES_REVIEW, E.KEEP): Transition(S.THANK_YOU),
    (S.SERIES_REVIEW, E.SHUTTER): Transition(S.THANK_YOU),
    (S.SERIES_REVIEW, T.TIMEOUT): Transition(S.THANK_YOU),
    (S.SERIES_REVIEW, E.NEXT): Transition(S.SERIES_REVIEW, Session._next_in_series),
    (S.SERIES_REVIEW, E.RETAKE): Transition(S.GUIDING, Session._retake_in_series),

    # consent (booth/consent.py): asked before guiding when consent.enabled
    (S.ATTRACT, T.ASK_CONSENT): Transition(S.CONSENT),
    (S.ATTRACT, E.LANGUAGE): Transition(S.ATTRACT, Session._next_language),
    (S.CONSENT, E.AGREE): Transition(S.GUIDING, Session._record_consent),
    (S.CONSENT, E.DECLINE): Transition(S.ATTRACT, Session._expect_departure),
    (S.CONSENT, E.RETAKE): Transition(S.ATTRACT, Session._expect_departure),  # the "no" button
    (S.CONSENT, T.TIMEOUT): Transition(S.ATTRACT, Session._expect_departure),
    (S.CONSENT, T.FACE_LOST): Transition(S.ATTRACT),
    (S.CONSENT, E.BADGE_SCANNED): Transition(S.CONSENT, Session._remember_badge),
    (S.CONSENT, E.LANGUAGE): Transition(S.CONSENT, Session._next_language),

    (S.ERROR, E.CAMERA_BACK): Transition(S.ATTRACT),
    (S.ERROR, T.TIMEOUT): Transition(S.ATTRACT),
    **{(s, E.CAMERA_LOST): Transition(S.ERROR, Session._record_error) for s in S if s not in (S.ERROR, S.PAUSED)},

    # The operator's pause (console): out of service from anywhere but mid-save (the photo
    # being written still reaches its thank-you); resume starts over at attract.
    **{(s, E.PAUSE): Transition(S.PAUSED) for s in S if s not in (S.SAVING, S.PAUSED)},
    (S.PAUSED, E.RESUME): Transition(S.ATTRACT),
    # the app's wall-clock bound on every state (booth/app.py): a stuck state ends on a screen
    **{(s, E.STATE_TIMEOUT): Transition(S.ATTRACT) for s in S if s not in (S.ATTRACT, S.SAVING, S.PAUSED)},
})

ON_ENTER: Mapping[BoothState, Effect] = MappingProxyType({
    S.ATTRACT: Session._enter_attract,
    S.GUIDING: Session._enter_guiding,
    S.COUNTDOWN: Session._enter_countdown,
    S.CAPTURING: Session._enter_capturing,
    S.REVIEW: Session._enter_review,
    S.SAVING: Session._enter_saving,
    S.THANK_YOU: Session._enter_timed,
    S.ERROR: Session._enter_error,
    S.PAUSED: Session._enter_paused,
    S.CONSENT: Session._enter_consent,
    S.SERIES_REVIEW: Session._enter_series_review,
})


def _except_blink(checks: tuple[Check, ...]) -> tuple[Check, ...]:
    """The checks without the blink gate, and without 'eyes open' while a blink is what
    closed them."""
    blinking = any(c.name == "blink" and not c.ok for c in checks)
    return tuple(c for c in checks if c.name != "blink" and not (blinking and c.name == "eyes_open"))


def describe() -> str:
    """The transition table as text (for docs and `booth replay -v`)."""
    rows = [f"{s.value:>10} --{getattr(trg, 'value', trg)}--> {tr.target.value}"
            + (f"  [{tr.effect.__name__.strip('_')}]" if tr.effect is not None else "")
            for (s, trg), tr in TRANSITIONS.items()]
    return "\n".join(rows)
