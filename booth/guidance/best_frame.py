"""The best frame: the photo is the best of the last seconds, not the frame the countdown
ended on (zero shutter lag, after Google's Top Shot).

A ring of recent :class:`~booth.types.Candidate` s (``best_frame.ring_s``, about 2 s, and at
most ``best_frame.max_frames``) is ranked on demand::

    ring = BestFrameBuffer(cfg)
    ring.add(Candidate(frame, obs, assessment))      # every frame while a sitter is there
    ring.best(3)                                     # top 3, best first, for the review

Ranking: the spec's hard gates, judged on each frame's own raw measures (not the smoothed
ones: a blink is a few frames long), then the soft score, with sharpness ranked among the
buffer's frames and eye opening relative to the buffer's own median. A frame is never
chosen when it, or a frame within ``eyes.blink_guard_frames`` of it on either side, shows a
blink: the buffer can see the dip that follows a frame, which a live frame cannot.
"""

from __future__ import annotations

import dataclasses
from collections import deque

import numpy as np

from ..config import BoothConfig
from ..types import Candidate
from .checks import Baseline, engaged_eyes, evaluate_checks, hard_gates_ok, soft_score

#: the ring's judgement: (open-eye median, blink mask, hard gates)
_Judgement = tuple[float | None, list[bool], list[bool]]
#: one ranked frame: (tier, -score, t, candidate, score)
_Scored = tuple[int, float, float, Candidate, float]


def _sharpness(c: Candidate) -> float:
    face = c.observation.face
    return face.sharpness if face is not None else 0.0


class BestFrameBuffer:
    """A ring of recent candidates that ranks them by the spec's gates and soft score."""

    def __init__(self, cfg: BoothConfig):
        self.cfg = cfg
        self.expression: str | None = None  # actor series step (the session sets it)
        #: the sitter's neutral eye opening (the coach's baseline; the loop sets it): engaged
        #: eyes are judged against it (``best_frame.engaged_eye_ratio``)
        self.neutral_open_eye: float | None = None
        self._ring: deque[Candidate] = deque(maxlen=cfg.best_frame.max_frames)
        # the ring's judgement (open-eye median, blink mask, gates) for one ring state: the
        # session asks for it on every capture frame, and best() again on the last
        self._version = 0
        self._judged: tuple[tuple[int, str | None], _Judgement] | None = None

    def __len__(self) -> int:
        return len(self._ring)

    def clear(self) -> None:
        self._ring.clear()
        self._version += 1

    def add(self, candidate: Candidate) -> None:
        """Keep ``candidate``; drop those older than ``ring_s`` before it."""
        self._ring.append(candidate)
        horizon = candidate.frame.t - self.cfg.best_frame.ring_s
        while self._ring and self._ring[0].frame.t < horizon:
            self._ring.popleft()
        self._bound_full_frames()
        self._version += 1

    def _bound_full_frames(self) -> None:
        """Full-resolution pixels (~9-12 MB a frame) are kept for the ``max_full_frames``
        candidates the coach scored best; the others keep only their analysis image (and
        rank after every frame that has its full pixels)."""
        with_full = [i for i, c in enumerate(self._ring) if c.frame.has_full]
        excess = len(with_full) - self.cfg.best_frame.max_full_frames
        if excess <= 0:
            return
        # lowest live score first; among equals the oldest goes first
        for i in sorted(with_full, key=lambda i: (self._ring[i].assessment.score, i))[:excess]:
            c = self._ring[i]
            self._ring[i] = dataclasses.replace(c, frame=c.frame.without_full())

    def candidates(self) -> tuple[Candidate, ...]:
        return tuple(self._ring)

    def gated(self) -> tuple[Candidate, ...]:
        """The candidates that pass every hard gate and are clear of blinks."""
        return tuple(c for c, ok in zip(self._ring, self._judge()[2]) if ok)

    def best(self, n: int = 1, *, require_gates: bool = True) -> tuple[Candidate, ...]:
        """The ``n`` best candidates, best first, each carrying its best-frame score in
        ``assessment.score``. With ``require_gates=False`` (manual shutter) frames failing a
        gate follow the passing ones, still ranked, and blinking frames come last."""
        ring = list(self._ring)
        if not ring or n <= 0:
            return ()
        open_eye, blinks, gates = self._judge()
        pool = [i for i, ok in enumerate(gates) if ok] if require_gates else list(range(len(ring)))
        if not pool:
            return ()
        sharp = np.array([_sharpness(ring[i]) for i in pool])
        order = np.argsort(np.argsort(sharp))  # 0 = least sharp
        ranks = order / max(len(pool) - 1, 1)
        scored: list[_Scored] = []
        for i, rank in zip(pool, ranks):
            c = ring[i]
            face = c.observation.face
            s = 0.0 if face is None else soft_score(face, self.cfg, expression=self.expression,
                                                    open_eye=open_eye, sharpness_rank=float(rank),
                                                    neutral_open_eye=self.neutral_open_eye)
            # a frame whose full-resolution pixels were not delivered (before the burst) can
            # only be saved upscaled: it comes after every frame that has them; a frame whose
            # eyes a laugh narrowed below the sitter's own (engaged_eye_ratio) comes after
            # every frame that keeps them open
            narrowed = face is not None and not engaged_eyes(face, self.cfg, self.neutral_open_eye)
            tier = 2 * ((0 if gates[i] else 1) + (2 if blinks[i] else 0) + (4 if c.frame.missing_full else 0)) \
                + (1 if narrowed else 0)
            scored.append((tier, -s, c.frame.t, c, s))
        scored.sort(key=lambda e: e[:3])
        return tuple(
            dataclasses.replace(c, assessment=dataclasses.replace(c.assessment, score=s),
                                neutral_open_eye=self.neutral_open_eye)
            for _, _, _, c, s in self._diverse(scored, n)
        )

    def _diverse(self, scored: list[_Scored], n: int) -> list[_Scored]:
        """The first ``n`` of ``scored`` (best first), but frames offered together lie at least
        ``best_frame.review_min_gap_s`` apart: the best frame, then the best of those far
        enough from every one chosen, within the best frame's own class (gates, blink,
        full pixels); short of that, the next best as they come."""
        gap = self.cfg.best_frame.review_min_gap_s
        if n <= 1 or gap <= 0 or not scored:
            return scored[:n]
        head = scored[0][0] // 2
        chosen = [scored[0]]
        for e in scored[1:]:
            if len(chosen) == n:
                break
            if e[0] // 2 == head and all(abs(e[2] - p[2]) >= gap for p in chosen):
                chosen.append(e)
        for e in scored:
            if len(chosen) == n:
                break
            if not any(e is p for p in chosen):
                chosen.append(e)
        return chosen

    # -- parts -----------------------------------------------------------------------

    def _judge(self) -> tuple[float | None, list[bool], list[bool]]:
        """(open-eye median, blink mask, hard gates) of the ring as it is now."""
        key = (self._version, self.expression)
        if self._judged is None or self._judged[0] != key:
            open_eye, blinks = self._open_eye(), self._blink_mask()
            self._judged = (key, (open_eye, blinks, self._gates(open_eye, blinks)))
        return self._judged[1]

    def _open_eye(self) -> float | None:
        ears = [0.5 * (c.observation.face.ear_left + c.observation.face.ear_right)
                for c in self._ring if c.observation.face is not None and not c.observation.face.blink]
        return float(np.median(ears)) if ears else None

    def _blink_mask(self) -> list[bool]:
        guard = self.cfg.eyes.blink_guard_frames
        blink_idx = [c.frame.index for c in self._ring
                     if c.observation.face is not None and (c.observation.face.blink or c.observation.face.eyes_closed)]
        return [any(abs(c.frame.index - b) <= guard for b in blink_idx) for c in self._ring]

    def _gates(self, open_eye: float | None, blinks: list[bool]) -> list[bool]:
        baseline = Baseline(open_eye=open_eye)
        out = []
        for c, blinking in zip(self._ring, blinks):
            obs = c.observation
            if obs.face is None or blinking:
                out.append(False)
                continue
            size = c.frame.still_dims
            checks = evaluate_checks(obs, self.cfg, strict=False, baseline=baseline, expression=self.expression,
                                     relax_level=c.assessment.relax_level, still_size=size)
            out.append(hard_gates_ok(checks))
        return out
