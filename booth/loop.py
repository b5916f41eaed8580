"""The booth loop: one frame in, one :class:`~booth.types.Actions` out.

It only composes the stages, in the house plan's one direction::

    frame -> analyzer.analyze -> coach.update -> light_controller.update -> session.step -> Actions

and carries out the one action that is not the screen's or the lights': saving. By default
it saves synchronously (``booth replay``, the simulator, tests); the app passes ``saver`` to
do it on a worker thread and reports back with ``on_event(SessionEvent.SAVED, t, files=...)``.

The analyzer is anything with ``.analyze(frame) -> FaceObservation``; the light controller
anything with ``.update(obs, state, t) -> LightLevels`` and a bool ``.exhausted``. With no
light controller nothing can even out the light, so a face lit unevenly is told to turn
toward the light at once.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Mapping, Protocol, runtime_checkable

from .config import BoothConfig
from .errors import BoothError
from .guidance.coach import Coach
from .output.preview import BackgroundWatch
from .session import SITTER_STATES, Session
from .types import Actions, Assessment, BoothState, Candidate, FaceObservation, Frame, LightLevels, SessionEvent

log = logging.getLogger(__name__)


class Analyzer(Protocol):
    def analyze(self, frame: Frame) -> FaceObservation: ...


#: the session states whose frames are the candidates for the photo (the best-frame ring)
PICK_STATES = frozenset({BoothState.COUNTDOWN, BoothState.CAPTURING})


@runtime_checkable
class Economical(Protocol):
    """An analyzer with economies across frames that the loop may suspend
    (:attr:`booth.vision.analyzer.FaceAnalyzer.read_every_frame`)."""

    read_every_frame: bool


class LightController(Protocol):
    @property
    def exhausted(self) -> bool: ...

    @property
    def settled(self) -> bool: ...

    def update(self, obs: FaceObservation, state: BoothState, t: float) -> LightLevels: ...


Saver = Callable[[Candidate, "str | None", "str | None"], None]  # (candidate, badge_id, expression)


class BoothLoop:
    """Analyzer + coach + lights + session + store, composed (see the module doc)."""

    def __init__(self, cfg: BoothConfig, analyzer: Analyzer, store: Any, light_controller: LightController | None = None,
                 *, saver: Saver | None = None):
        self.cfg = cfg
        self.analyzer = analyzer
        # the analyzer's switch for its economies (FaceAnalyzer has one; most of the tests' fakes not)
        self._economy: Economical | None = analyzer if isinstance(analyzer, Economical) else None
        self.store = store
        self.light_controller = light_controller
        self.saver = saver
        self.coach = Coach(cfg)
        self.session = Session(cfg)
        self.background = BackgroundWatch(cfg)  # the busy-background hint's reading, at a low rate
        self.last_observation: FaceObservation | None = None
        self.last_assessment: Assessment | None = None
        self.saved: list[Any] = []  # SavedCapture of synchronous saves, in order
        self.series_notes: list[Any] = []  # paths of the actor series sidecars written
        self._expression = self.session.expression_target

    def reconfigure(self, cfg: BoothConfig) -> None:
        """A new config for the middle (the operator's reload or profile switch): a fresh coach
        and session on it; the analyzer, store and lights stay (they belong to running parts)."""
        self.cfg = cfg
        self.coach = Coach(cfg)
        self.session = Session(cfg)
        self.background.cfg = cfg
        self.background.reset()
        self._expression = self.session.expression_target

    @property
    def state(self) -> BoothState:
        return self.session.state

    def on_frame(self, frame: Frame) -> Actions:
        if self._economy is not None:
            # the countdown and its burst are the frames the photo is picked from: each is
            # read afresh, so every candidate is ranked on its own smile and eyes, not on a
            # reading carried from the frame before
            self._economy.read_every_frame = self.session.state in PICK_STATES
        obs = self.analyzer.analyze(frame)
        self.coach.expression = self.session.expression_target
        lc = self.light_controller
        exhausted = bool(lc.exhausted) if lc is not None else True
        settled = bool(getattr(lc, "settled", True)) if lc is not None else True
        still = frame.still_dims
        wanted = self.session.state is BoothState.GUIDING and not self.coach.background_hint_given
        clutter = self.background.update(frame, obs, wanted=wanted)
        assessment = self.coach.update(obs, lights_exhausted=exhausted, lights_settled=settled, still_size=still,
                                       background_clutter=clutter)
        self.session.buffer.neutral_open_eye = self.coach.baseline.open_eye  # engaged eyes: the sitter's own
        lights = lc.update(obs, self.session.state, frame.t) if lc is not None else None
        self.last_observation, self.last_assessment = obs, assessment
        before = self.session.state
        actions = self.session.step(frame, obs, assessment, lights)
        return self._follow(before, actions, frame.t)

    def on_event(self, event: SessionEvent, t: float, **payload: Any) -> Actions:
        before = self.session.state
        return self._follow(before, self.session.handle(event, t, **payload), t)

    def _follow(self, before: BoothState, actions: Actions, t: float) -> Actions:
        if actions.series_note is not None:
            self._write_series_note(actions.series_note)
        expression = self.session.expression_target
        if actions.state is BoothState.GUIDING and before is BoothState.GUIDING and expression != self._expression:
            self.coach.restart(t)  # a skipped expression: the next one is a fresh attempt
        self._expression = expression
        if actions.state is BoothState.GUIDING and before not in SITTER_STATES:
            # A new attempt: fresh readiness and relax clock. From ATTRACT it is a new sitter
            # (the session decides who is new: new_sitter_gap_s), whose eyes and mouth must
            # not be judged against the last sitter's baselines; a retake or the next
            # expression keeps them.
            self.coach.restart(None if before is BoothState.ATTRACT else t)
            if before is BoothState.ATTRACT:
                self.background.reset()  # a new sitter: the room is read afresh
        if actions.save is not None:
            if self.saver is not None:  # the app saves elsewhere and reports back with on_event(SAVED)
                self.saver(actions.save, actions.badge_id, self.session.expression_target)
                return actions
            return self._save(actions.save, actions.badge_id, t)
        return actions

    def _write_series_note(self, note: Mapping[str, object]) -> None:
        """The actor series sidecar (small JSON, atomic): saved and skipped expressions."""
        writer = getattr(self.store, "save_series_note", None)
        if writer is None:
            return
        try:
            self.series_notes.append(writer(note))
        except BoothError as err:  # the photos themselves are saved; the note is a record
            log.error("could not write the series sidecar: %s", err)

    def _save(self, candidate: Candidate, badge_id: str | None, t: float) -> Actions:
        expression = self.session.expression_target
        try:
            saved = self.store.save(candidate, badge_id=badge_id, expression=expression)
        except BoothError as err:
            log.error("saving failed: %s", err)
            return self.on_event(SessionEvent.SAVE_FAILED, t, message=str(err))
        self.saved.append(saved)
        return self.on_event(SessionEvent.SAVED, t, files=[str(p) for p in saved.paths])
