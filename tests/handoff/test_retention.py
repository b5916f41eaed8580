"""Retention: photos go once they may, never before the remote has them."""

from __future__ import annotations

import os
import time

import numpy as np

from booth.handoff.outbox import Outbox
from booth.handoff.retention import purge

from .conftest import make_config
from .test_outbox import write_capture

HOUR = 3600.0


def age(paths, hours: float, now: float):
    for p in paths:
        os.utime(p, (now - hours * HOUR, now - hours * HOUR))


class NoRemote:
    """Stands in for a storage server that is unreachable: every request fails."""

    def remote_sha256(self, key):
        raise ConnectionError("network unreachable")

    put = remote_sha256


def test_without_upload_old_photos_go_and_recent_ones_stay(tmp_path):
    now = time.time()
    out = tmp_path / "photos"
    rng = np.random.default_rng(0)
    old, _ = write_capture(out / "2024-05-01", 1, rng)
    new, _ = write_capture(out / "2024-05-03", 2, rng)
    sidecar = out / "2024-05-01" / "old.json"
    sidecar.write_text("{}")
    age(old + [sidecar], 80, now)
    age(new, 10, now)
    keep = tmp_path / "outside.jpg"  # not in the output folder
    keep.write_bytes(b"x")
    age([keep], 500, now)
    link = out / "link.jpg"
    link.symlink_to(keep)
    notes = out / "notes.txt"
    notes.write_text("operator")
    age([notes], 500, now)

    report = purge(out, 72, upload_configured=False, now=now)

    assert sorted(report.deleted) == sorted(old + [sidecar])
    assert not any(p.exists() for p in old) and not (out / "2024-05-01").exists()
    assert all(p.exists() for p in new)
    assert keep.exists() and link.is_symlink() and notes.exists()


def test_with_upload_only_confirmed_captures_are_purged(tmp_path, s3_server, bucket):
    now = time.time()
    out = tmp_path / "photos"
    cfg = make_config(out, s3_bucket=bucket, s3_endpoint=s3_server.endpoint)
    rng = np.random.default_rng(1)
    uploaded, sc1 = write_capture(out, 1, rng)
    waiting, sc2 = write_capture(out, 2, rng)

    Outbox.from_config(cfg, clock=lambda: now - 80 * HOUR).enqueue(uploaded, sc1)
    assert Outbox.from_config(cfg).flush(timeout_s=20) == 0
    offline = Outbox.from_config(cfg, remote=NoRemote(), clock=lambda: now - 80 * HOUR)
    offline.enqueue(waiting, sc2)
    assert offline.flush(timeout_s=0.3) == 1  # the network is down: still pending
    age(uploaded + waiting, 80, now)

    assert purge(out, 100, upload_configured=True, now=now).deleted == []  # not old enough yet
    report = purge(out, 72, upload_configured=True, now=now)
    assert sorted(report.deleted) == sorted(uploaded)
    assert not any(p.exists() for p in uploaded)
    assert all(p.exists() for p in waiting)
    # Even with upload switched off later, a capture still waiting for upload is not deleted.
    report = purge(out, 72, upload_configured=False, now=now)
    assert report.deleted == [] and report.kept_pending == 2


def test_zero_hours_keeps_everything(tmp_path):
    now = time.time()
    paths, _ = write_capture(tmp_path, 1, np.random.default_rng(2))
    age(paths, 10_000, now)
    assert purge(tmp_path, 0, upload_configured=False, now=now).deleted == []
    assert all(p.exists() for p in paths)
