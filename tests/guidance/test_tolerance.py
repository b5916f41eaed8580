"""A one-shot verdict that another platform could flip is reported, not silent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from booth.config import load_config
from booth.guidance.checks import assess_still
from booth.guidance.tolerance import PLATFORM_TOLERANCE, checks_near_threshold

from .sitter import observation

REPO = Path(__file__).resolve().parents[2]


def _near(**kw) -> list[str]:
    cfg = load_config(None)
    return checks_near_threshold(observation(0.0, **kw), lambda o: assess_still(o, cfg))


def test_a_yaw_within_platform_tolerance_of_its_limit_is_named():
    cfg = load_config(None)
    limit = cfg.pose.yaw_exit  # assess_still judges on the exit side of the band
    assert "yaw" in _near(yaw=limit - PLATFORM_TOLERANCE["yaw"] / 2)
    assert "yaw" in _near(yaw=limit + PLATFORM_TOLERANCE["yaw"] / 2)


def test_a_frontal_sitter_has_no_knife_edge_verdict():
    assert _near(yaw=0.0, pitch=0.0, roll=0.0, gaze_h=0.0, gaze_v=0.0) == []


def _jsonl(path: Path, ok: bool, near: list[str]) -> None:
    rec = {"path": "genki4k/file0001.jpg", "face": {"yaw": 7.9, "pitch": 1.0, "expression": {"happy": 0.9}},
           "checks": [{"name": "yaw", "ok": ok}], "ready": ok, "near_threshold": near}
    path.write_text(json.dumps(rec) + "\n")


def _parity(a: Path, b: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "scripts" / "pi_parity.py"), str(a), str(b)],
                          capture_output=True, text=True, cwd=REPO, timeout=60)


def test_parity_accepts_a_flip_that_was_reported_and_fails_a_silent_one(tmp_path):
    x86, arm = tmp_path / "x86.jsonl", tmp_path / "arm.jsonl"
    _jsonl(x86, True, ["yaw"])
    _jsonl(arm, False, ["yaw"])
    said = _parity(x86, arm)
    assert said.returncode == 0, said.stdout
    assert "reported near its threshold" in said.stdout
    _jsonl(x86, True, [])
    _jsonl(arm, False, [])
    silent = _parity(x86, arm)
    assert silent.returncode == 1
    assert "flips without being reported" in silent.stdout
