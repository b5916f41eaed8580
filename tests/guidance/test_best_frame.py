"""The best-frame ring holds full-resolution pixels only for its best-scored candidates."""

from __future__ import annotations

import dataclasses

import numpy as np

from booth.config import BoothConfig
from booth.guidance.best_frame import BestFrameBuffer
from booth.guidance.coach import Coach
from booth.types import Candidate, Frame

from .sitter import observation

FPS = 30.0


def test_only_the_best_scored_frames_keep_their_full_pixels():
    cfg = BoothConfig()
    ring = BestFrameBuffer(cfg)
    coach = Coach(cfg)
    image = np.zeros((960, 1280, 3), np.uint8)
    full = np.zeros((1728, 2304, 3), np.uint8)
    scores = [0.2, 0.9, 0.4, 0.95, 0.1, 0.7, 0.85, 0.3, 0.99, 0.6, 0.5, 0.8, 0.92, 0.15, 0.65]
    for i, s in enumerate(scores):
        obs = observation(i / FPS, i)
        a = dataclasses.replace(coach.update(obs), score=s)
        ring.add(Candidate(Frame(image, i / FPS, i, full=full, still_size=(2304, 1728)), obs, a))
    kept = sorted(c.assessment.score for c in ring.candidates() if c.frame.full is not None)
    assert len(ring) == len(scores)  # every candidate stays, most without their full pixels
    assert kept == sorted(scores)[-cfg.best_frame.max_full_frames:]
    stripped = [c for c in ring.candidates() if c.frame.full is None]
    assert all(c.frame.missing_full and c.frame.still_dims == (2304, 1728) for c in stripped)
    # what is offered never comes from a frame whose full pixels were dropped
    assert all(c.frame.full is not None for c in ring.best(3, require_gates=False))


def test_the_review_offers_frames_that_differ_not_neighbours():
    """Scores peak at one moment: the top three by score are adjacent frames (the same
    photo three times); the review gets the peak and the best frames >= review_min_gap_s
    from it and from each other."""
    cfg = BoothConfig()
    ring = BestFrameBuffer(cfg)
    coach = Coach(cfg)
    image = np.zeros((480, 640, 3), np.uint8)
    for i in range(30):
        # sharper around frame 15: sharpness is ranked, so the score peaks there
        obs = observation(i / FPS, i, size=(640, 480), eye=(320.0, 200.0), ied=45.0,
                          sharpness=100.0 - abs(i - 15))
        ring.add(Candidate(Frame(image, i / FPS, i), obs, coach.update(obs)))
    gap = cfg.best_frame.review_min_gap_s
    top = ring.best(3, require_gates=False)
    ts = sorted(c.frame.t for c in top)
    assert top[0].frame.index == 15
    assert all(b - a >= gap - 1e-9 for a, b in zip(ts, ts[1:])), ts
    ring.cfg = dataclasses.replace(cfg, best_frame=dataclasses.replace(cfg.best_frame, review_min_gap_s=0.0))
    ring._judged = None
    assert sorted(c.frame.index for c in ring.best(3, require_gates=False)) == [14, 15, 16]  # what it was
