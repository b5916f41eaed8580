"""The upload outbox against a real S3-compatible server (moto) on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import cv2
import numpy as np

from booth.handoff import Handoff, capture_stem
from booth.handoff.outbox import Outbox

from .conftest import list_objects, make_config

N_CAPTURES = 200


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_capture(folder: Path, i: int, rng: np.random.Generator) -> tuple[list[Path], dict]:
    """A capture as the store leaves it: a crop and a thumbnail (real JPEGs) plus its sidecar dict."""
    stem = capture_stem(f"20240501T{i // 60:02d}{i % 60:02d}00Z", None, i)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for suffix, side in (("", 96), ("_thumb", 32)):
        img = rng.integers(0, 256, (side, side, 3), dtype=np.uint8)
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 92])
        assert ok
        p = folder / f"{stem}{suffix}.jpg"
        p.write_bytes(buf.tobytes())
        paths.append(p)
    return paths, {"capture": i, "profile": "professional", "score": round(float(rng.random()), 4)}


def wait_until(pred, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.02)


def test_200_captures_arrive_exactly_once_through_an_outage_and_a_power_cut(tmp_path, s3_server, bucket):
    out = tmp_path / "photos"
    cfg = make_config(out, s3_bucket=bucket, s3_endpoint=s3_server.endpoint, s3_prefix="booth-7/",
                      retry_initial_s=0.05, retry_max_s=0.4, request_timeout_s=1.0)
    rng = np.random.default_rng(8)
    captures = [write_capture(out / "2024-05-01", i, rng) for i in range(N_CAPTURES)]
    local_before = {p: sha(p.read_bytes()) for paths, _ in captures for p in paths}
    t0 = time.monotonic()

    # Phase 1: the booth saves captures while the server is up ...
    first = Handoff(cfg).start()
    for paths, sidecar in captures[:120]:
        assert first.on_saved(paths, sidecar, None) is None  # no download page configured
    wait_until(lambda: first.outbox.status().done >= 40, 30, "40 uploads")

    # ... the network goes away in the middle of the batch; saving goes on ...
    s3_server.stop()
    for paths, sidecar in captures[120:]:
        first.on_saved(paths, sidecar, None)
    wait_until(lambda: first.outbox.last_error is not None and first.outbox._attempts >= 2, 20,
               "failed attempts while the server is down")
    pending_during_outage = first.outbox.status().pending
    assert pending_during_outage > 0
    # ... and the power goes: the worker stops; only the files on disk remain. A write torn by
    # the power cut leaves a temporary file behind.
    first.close()
    torn = out / ".outbox" / "pending" / ".torn.json.k3j9x2.part"  # as booth.atomic names it
    torn.write_bytes(b'{"job_id": "half')

    # Phase 2: the booth boots again (a new process would see exactly these files) and the
    # network comes back.
    s3_server.start()
    second = Handoff(cfg).start()
    assert second.outbox.pending_count() == pending_during_outage
    assert second.outbox.flush(timeout_s=40) == 0
    second.close()
    elapsed = time.monotonic() - t0

    # Every object arrived exactly once, with the right bytes.
    client = s3_server.client()
    objects = list_objects(client, bucket)
    keys = [o["Key"] for o in objects]
    assert len(objects) == N_CAPTURES * 3, f"{len(objects)} objects for {N_CAPTURES} captures x (2 crops + sidecar)"
    assert len(set(keys)) == len(keys)
    assert all(k.startswith("booth-7/") for k in keys)
    remote = {k: client.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}
    remote_hashes = [sha(b) for b in remote.values()]
    assert len(set(remote_hashes)) == len(remote_hashes), "the same content was stored under two keys"
    by_name = {k.rsplit("/", 1)[1]: b for k, b in remote.items()}
    for p, digest in local_before.items():
        assert sha(by_name[p.name]) == digest, f"{p.name} differs on the server"
    sidecars = [json.loads(b) for k, b in remote.items() if k.endswith(".json")]
    assert sorted(s["capture"] for s in sidecars) == list(range(N_CAPTURES))

    # Nothing was lost (or touched) locally; the outbox says everything is done.
    assert {p: sha(p.read_bytes()) for p in local_before} == local_before
    status = Outbox.from_config(cfg, remote=object()).status()
    assert (status.pending, status.done, status.failed) == (0, N_CAPTURES, 0)
    assert not torn.exists() and not list((out / ".outbox").rglob("*.part"))
    print(f"\n{N_CAPTURES} captures ({len(objects)} objects): {pending_during_outage} pending at the power cut, "
          f"PUTs {first.outbox.uploaded_objects} + {second.outbox.uploaded_objects}, {elapsed:.1f} s")


def _one_queued_capture(tmp_path, s3_server, bucket, seed: int):
    """An outbox with one capture queued and not yet flushed: (outbox, paths, sidecar, job id, job)."""
    out = tmp_path / "photos"
    cfg = make_config(out, s3_bucket=bucket, s3_endpoint=s3_server.endpoint, retry_initial_s=0.05, retry_max_s=0.2)
    paths, sidecar = write_capture(out, seed, np.random.default_rng(seed))
    box = Outbox.from_config(cfg)
    job_id = box.enqueue(paths, sidecar)
    job = json.loads((out / ".outbox" / "pending" / f"{job_id}.json").read_text())
    return box, paths, sidecar, job_id, job


def test_a_put_that_landed_before_the_power_cut_is_not_sent_again(tmp_path, s3_server, bucket):
    box, paths, sidecar, job_id, job = _one_queued_capture(tmp_path, s3_server, bucket, 1)
    # The crop's PUT reached the server, but the job file was never updated (power cut).
    first = job["items"][0]
    client = s3_server.client()
    client.put_object(Bucket=bucket, Key=first["key"], Body=paths[0].read_bytes(), Metadata={"sha256": first["sha256"]})

    assert box.flush(timeout_s=20) == 0
    assert box.uploaded_objects == 2  # the thumbnail and the sidecar; the crop was found by HEAD
    assert len(list_objects(client, bucket)) == 3
    # Enqueuing the same capture again (a retried save) does not make a second job.
    assert box.enqueue(paths, sidecar) == job_id
    assert box.pending_count() == 0


def test_different_content_under_the_same_key_is_never_overwritten(tmp_path, s3_server, bucket):
    box, paths, sidecar, job_id, job = _one_queued_capture(tmp_path, s3_server, bucket, 2)
    key = job["items"][0]["key"]
    client = s3_server.client()
    client.put_object(Bucket=bucket, Key=key, Body=b"somebody else's photo", Metadata={"sha256": sha(b"other")})

    assert box.flush(timeout_s=20) == 0
    assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == b"somebody else's photo"
    st = box.status()
    assert (st.pending, st.done, st.failed) == (0, 0, 1)
    assert "different content" in st.last_error
    assert all(p.exists() for p in paths)


def test_a_photo_changed_after_saving_is_not_uploaded_as_if_it_were_the_original(tmp_path, s3_server, bucket):
    out = tmp_path / "photos"
    cfg = make_config(out, s3_bucket=bucket, s3_endpoint=s3_server.endpoint)
    paths, sidecar = write_capture(out, 3, np.random.default_rng(3))
    box = Outbox.from_config(cfg)
    box.enqueue(paths, sidecar)
    paths[1].write_bytes(b"truncated")
    assert box.flush(timeout_s=20) == 0
    assert box.status().failed == 1
    assert "changed after it was saved" in box.last_error


def test_wrong_credentials_are_retried_with_backoff_not_dropped(tmp_path, s3_server, bucket, monkeypatch):
    out = tmp_path / "photos"
    cfg = make_config(out, s3_bucket="no-such-bucket-here", s3_endpoint=s3_server.endpoint,
                      retry_initial_s=0.05, retry_max_s=0.1)
    paths, sidecar = write_capture(out, 4, np.random.default_rng(4))
    box = Outbox.from_config(cfg)
    box.enqueue(paths, sidecar)
    assert box.flush(timeout_s=1.0) == 1  # still pending, not failed: the operator can fix the bucket
    st = box.status()
    assert (st.pending, st.failed) == (1, 0)
    assert st.last_error and "NoSuchBucket" in st.last_error
    assert os.path.exists(paths[0])


def test_a_capture_as_the_photo_store_writes_it(tmp_path, s3_server, bucket):
    """booth.output.store leaves <stem>_<crop>.jpg, <stem>_thumb.jpg and <stem>.json (with "stem")."""
    out = tmp_path / "photos"
    out.mkdir()
    stem = "20240517-103102_04211_KX-1234"
    files = {name: (out / name) for name in (f"{stem}_square.jpg", f"{stem}_portrait.jpg", f"{stem}_thumb.jpg")}
    for i, p in enumerate(files.values()):
        p.write_bytes(bytes([i]) * 1000)
    meta = {"stem": stem, "badge_id": "KX-1234", "profile": "badge"}
    sidecar = out / f"{stem}.json"
    sidecar.write_text(json.dumps(meta, indent=1) + "\n")
    cfg = make_config(out, s3_bucket=bucket, s3_endpoint=s3_server.endpoint, server_enabled=True,
                      server_host="127.0.0.1", server_port=0)
    with Handoff(cfg) as handoff:
        url = handoff.on_saved([*files.values(), sidecar], meta, "KX-1234")
        assert handoff.outbox.flush(timeout_s=20) == 0
        grant = handoff.grants.lookup(url.rstrip("/").rsplit("/", 1)[1])
    assert sorted(n for n, _ in grant.files) == sorted([f"{stem}_square.jpg", f"{stem}_portrait.jpg"])
    client = s3_server.client()
    keys = sorted(o["Key"] for o in list_objects(client, bucket))
    assert len(keys) == 4 and all(k.startswith(f"booth/{stem}-") for k in keys)
    uploaded_sidecar = next(k for k in keys if k.endswith(".json"))
    assert client.get_object(Bucket=bucket, Key=uploaded_sidecar)["Body"].read() == sidecar.read_bytes()


def test_a_power_cut_between_done_and_pending_keeps_the_done_record(tmp_path, s3_server, bucket):
    out = tmp_path / "photos"
    cfg = make_config(out, s3_bucket=bucket, s3_endpoint=s3_server.endpoint)
    paths, sidecar = write_capture(out, 5, np.random.default_rng(5))
    box = Outbox.from_config(cfg)
    job_id = box.enqueue(paths, sidecar)
    pending = out / ".outbox" / "pending" / f"{job_id}.json"
    saved = pending.read_bytes()
    assert box.flush(timeout_s=20) == 0
    pending.write_bytes(saved)  # as if the unlink never reached the disk
    again = Outbox.from_config(cfg)
    assert again.pending_count() == 0
    assert again.flush(timeout_s=5) == 0 and again.uploaded_objects == 0
    assert not pending.exists()
