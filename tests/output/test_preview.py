"""The busy-background hint reads the saved photo's clutter measure on the preview: the same
ranking of rooms as the sidecar and `booth check`, at a low rate, never per frame."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import numpy as np
import pytest

from booth.config import BoothConfig
from booth.output.preview import BackgroundWatch
from booth.types import CameraMeta, Frame

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from guidance.sitter import observation  # noqa: E402  (the scripted sitters)

CFG = BoothConfig()


class CountingSegmenter:
    """The segmenter's interface: a person blob in the middle; counts its calls."""

    def __init__(self):
        self.calls = 0

    def probability(self, image):
        self.calls += 1
        prob = np.zeros((256, 256), np.float32)
        prob[60:256, 90:166] = 1.0
        return prob


def frames(seconds, fps=30.0, size=(640, 480), t0=0.0):
    rng = np.random.default_rng(1)
    busy = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)  # every pixel an edge
    for i in range(int(seconds * fps)):
        t = t0 + i / fps
        yield Frame(image=busy, t=t, index=i, meta=CameraMeta()), observation(t, i, size=size, eye=(320.0, 170.0),
                                                                              ied=60.0)


def test_the_reading_is_taken_once_per_interval_while_wanted_and_kept_between():
    seg = CountingSegmenter()
    watch = BackgroundWatch(CFG, segmenter=lambda cfg: seg)
    values = [watch.update(f, o) for f, o in frames(5.0)]
    assert seg.calls == 5  # guidance.background_every_s = 1: 5 readings in 150 frames
    assert values[0] is not None and values[0] > CFG.guidance.background_hint  # random pixels: very busy
    assert len(set(values[:30])) == 1  # the reading stands until the next one
    print(f"one reading: {watch.ms:.1f} ms, {watch.ms / 30:.2f} ms per frame at 30 fps")
    for f, o in frames(3.0, t0=5.0):
        watch.update(f, o, wanted=False)  # the hint was given, or not guiding: nothing is read
    assert seg.calls == 5
    watch.reset()
    assert watch.value is None


def test_without_the_model_there_is_no_reading_and_one_line_says_why(caplog):
    def broken(cfg):
        raise FileNotFoundError("models/selfie_segmentation.tflite")

    watch = BackgroundWatch(CFG, segmenter=broken)
    with caplog.at_level(logging.WARNING):
        values = [watch.update(f, o) for f, o in frames(3.0)]
    assert values == [None] * len(values)
    lines = [r.getMessage() for r in caplog.records if "background hint" in r.getMessage()]
    assert len(lines) == 1 and "Fix: run `booth models fetch`" in lines[0]


@pytest.mark.shared
def test_on_the_gesture_photos_and_the_simulator_the_hint_goes_by_the_sidecars_measure(shared_data):
    """Every room the sidecar calls busy is hinted, no other is (the old per-frame gradient
    hinted two plain rooms and missed the curtain), and the preview reads within 25 % of
    the still. Table: ``python -m booth.output.evaluate --hint``."""
    from booth.output.evaluate import hint_table

    rows = hint_table(shared_data)
    limit = CFG.guidance.background_hint
    busy = [r for r in rows if r.level == "busy"]
    assert len(busy) >= 4 and {"sim-busiest", "sim-curtain"} <= {r.name for r in busy}
    for r in rows:
        assert r.preview_clutter is not None and r.still_clutter is not None, r
        assert (r.preview_clutter > limit) == (r.level == "busy"), r
        assert abs(r.preview_clutter - r.still_clutter) <= 0.25 * r.still_clutter, r
    worst = max(abs(r.preview_clutter - r.still_clutter) / r.still_clutter for r in rows)
    print(f"preview vs still: worst {worst:.0%}; " + json.dumps([r.__dict__ for r in rows]))
