"""Finished files: crops in the spec's bands, JPEG properties, sidecar, atomic writes, retention."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from booth.config import BoothConfig
from booth.errors import StorageError
from booth.guidance.coach import Coach
import booth.atomic as atomic_mod
from booth.output import store as store_mod
from booth.output.store import PhotoStore
from booth.types import Candidate, Frame

from .sitter import observation

REPO = Path(__file__).resolve().parents[2]


def candidate(still_size=(2304, 1728), analysis=(1280, 960), **kw):
    """A candidate whose full-resolution still holds a drawn 'sitter' at the face geometry."""
    obs = observation(1.0, 30, size=analysis, **kw)
    sx, sy = still_size[0] / analysis[0], still_size[1] / analysis[1]
    rng = np.random.default_rng(1)
    full = rng.integers(60, 190, size=(still_size[1], still_size[0], 3), dtype=np.uint8)  # hard to compress
    f = obs.face
    cv2.circle(full, (int(f.eye_mid[0] * sx), int(f.eye_mid[1] * sy)), 8, (0, 0, 255), -1)
    img = cv2.resize(full, analysis, interpolation=cv2.INTER_AREA)
    a = Coach(BoothConfig()).update(obs)
    return Candidate(Frame(image=img, t=1.0, index=30, full=full), obs, a)


def test_saved_crops_meet_the_spec_bands_at_full_resolution(tmp_path):
    cfg = BoothConfig()
    c = candidate()
    saved = PhotoStore(cfg, tmp_path).save(c, badge_id="A-17")
    meta = json.loads(saved.sidecar.read_text())
    f = c.observation.face
    sx = 2304 / 1280
    eye_y, chin_y, crown_y = f.eye_mid[1] * sx, f.chin[1] * sx, f.crown[1] * sx
    for name, want in (("1x1", (1200, 1200)), ("4x5", (1200, 1500))):
        path = saved.crops[name]
        with Image.open(path) as im:
            assert im.size == want and im.format == "JPEG" and im.mode == "RGB"
            assert im.info.get("icc_profile"), "tagged sRGB"
            assert im.getexif().get(0x0112) == 1  # upright
        x, y, w, h = meta["crops"][name]["rect_still_px"]
        assert w / h == pytest.approx(int(name[0]) / int(name[2]), rel=1e-3)
        # Bands measured here from the known face geometry, not from the store's own numbers.
        assert 0.55 <= (chin_y - crown_y) / h <= 0.65
        assert 0.33 <= (eye_y - y) / h <= 0.40
        assert 0.45 <= (f.eye_mid[0] * sx - x) / w <= 0.55
        assert (f.eye_mid[0] * sx - f.ied_px * sx / 2 - x) >= 1.1 * f.ied_px * sx
        # The red eye marker lands where the eye line says it should in the finished file.
        img = cv2.imread(str(path))
        ys, xs = np.nonzero((img[:, :, 2] > 200) & (img[:, :, 1] < 60) & (img[:, :, 0] < 60))
        assert abs(np.median(ys) / img.shape[0] - (eye_y - y) / h) < 0.01
        assert oct(path.stat().st_mode & 0o777) == "0o600"
    with Image.open(saved.thumbnail) as im:
        assert im.size == (400, 400)
    assert meta["profile"] == "professional" and meta["config_digest"] == cfg.digest()
    assert meta["badge_id"] == "A-17" and "A-17" in saved.stem
    assert {"yaw", "mouth_gap", "expression", "sharpness"} <= set(meta["measures"])
    assert meta["timings_ms"]["save_total"] > 0 and meta["score"] == pytest.approx(c.assessment.score, abs=1e-4)


def test_jpeg_quality_is_at_least_92(tmp_path):
    cfg = BoothConfig()
    saved = PhotoStore(cfg, tmp_path).save(candidate())
    # Re-encoding the decoded pixels at q=92 must not be much smaller than the file: a
    # low-quality file would shrink little further while a q>=92 file stays about the same.
    with Image.open(saved.crops["1x1"]) as im:
        q = im.quantization  # luminance table: q=95 has entries mostly 1-3; q=75 has 8+
        assert max(q[0][:16]) <= 6


def test_disk_full_is_refused_with_the_fix(tmp_path, monkeypatch):
    from collections import namedtuple

    Usage = namedtuple("Usage", "total used free")
    monkeypatch.setattr(store_mod.shutil, "disk_usage", lambda p: Usage(10**9, 10**9, 50 * 2**20))
    with pytest.raises(StorageError, match="Fix"):
        PhotoStore(BoothConfig(), tmp_path).save(candidate())
    assert not list(tmp_path.glob("*.jpg"))


def test_a_failure_between_write_and_rename_leaves_no_photo(tmp_path, monkeypatch):
    real = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:  # the second file: the first is already in place
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(atomic_mod.os, "replace", failing_replace)
    with pytest.raises(StorageError, match="Fix"):
        PhotoStore(BoothConfig(), tmp_path).save(candidate())
    assert not list(tmp_path.glob(".*.part")) and not list(tmp_path.glob("*.json"))
    for p in tmp_path.glob("*.jpg"):  # whatever made it is whole
        assert Image.open(p).verify() is None


_WRITER = r"""
import os, sys, time
sys.path.insert(0, sys.argv[2])
_write = os.write
def slow_write(fd, data):  # a slow SD card: small writes, so a kill lands mid-file
    time.sleep(0.002)
    return _write(fd, bytes(data[:32768]))
os.write = slow_write
from guidance.test_store import candidate
from booth.config import BoothConfig
from booth.output.store import PhotoStore
store = PhotoStore(BoothConfig(), sys.argv[1])
c = candidate(still_size=(3072, 2304))
print("ready", flush=True)
while True:
    store.save(c)
"""


@pytest.mark.slow
def test_kill_9_during_saving_never_leaves_a_partial_jpeg(tmp_path):
    out = tmp_path / "photos"
    kills = 0
    finished: dict = {}  # whole files are staged in .staging-<stem>/ first, renamed into place sidecar last
    parts = []
    for delay in (0.15, 0.4, 0.75, 1.1, 1.6, 3.0):
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(out), str(REPO / "tests")],
                                stdout=subprocess.PIPE, cwd=REPO)
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        kills += 1
        for p in sorted(out.glob("*.jpg")) + sorted(out.glob(".staging-*/*.jpg")):
            finished[p.name] = p.read_bytes()  # (the next start removes an unfinished staging folder)
        parts += sorted(out.glob(".*.part")) + sorted(out.glob(".staging-*/.*.part"))
    assert finished, "the writer had time to finish some files"
    for name, data in finished.items():
        assert data[:2] == b"\xff\xd8" and data.rstrip(b"\x00")[-2:] == b"\xff\xd9", name
        assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) is not None
    for side in out.glob("*.json"):  # a sidecar means every file of its capture is there
        meta = json.loads(side.read_text())
        assert all((out / c["file"]).exists() for c in meta["crops"].values())
    PhotoStore(BoothConfig(), out)  # a new start sweeps what a kill left half-written
    assert not list(out.glob(".*.part")) and not list(out.glob(".staging-*"))
    for jpg in out.glob("*.jpg"):  # and every photo left under a final name has its sidecar
        assert (out / (jpg.name.rsplit("_", 1)[0] + ".json")).exists(), jpg.name
    print(f"{kills} kills, {len(finished)} whole JPEGs, {len(parts)} .part leftovers swept")
