"""A privacy delete: the capture's local files and links go at once, and its uploaded copy is
deleted from the bucket (a real S3-compatible server: moto's, on loopback), also when the
upload was still under way. Uploads sit under the booth's ID in the bucket."""

from __future__ import annotations

import dataclasses
import socket
import time

import pytest

from booth.config import HandoffSection
from booth.console.records import CaptureRecord, RemoteDeleter, delete_capture, leads_csv, list_captures
from booth.handoff.outbox import Outbox
from booth.output.store import PhotoStore
from booth.types import Assessment, Candidate, Frame

from .conftest import make_config


@pytest.fixture(scope="module")
def s3():
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    srv.start()
    yield f"http://127.0.0.1:{port}"
    srv.stop()


@pytest.fixture
def upload_cfg(tmp_path, s3, monkeypatch):
    import boto3

    monkeypatch.setenv("BOOTH_S3_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("BOOTH_S3_SECRET_ACCESS_KEY", "testing")
    bucket = f"leads-{tmp_path.name[-12:].lower().replace('_', '-')}"
    client = boto3.client("s3", endpoint_url=s3, region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
    client.create_bucket(Bucket=bucket)
    cfg = make_config(tmp_path)
    cfg = dataclasses.replace(cfg, handoff=HandoffSection(s3_bucket=bucket, s3_endpoint=s3,
                                                          s3_prefix="expo-2026/{booth_id}/", retry_initial_s=0.05,
                                                          retry_max_s=0.1))
    return cfg, client, bucket


def keys(client, bucket):
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", []))


def save(cfg, analysed_sitter, badge):
    image, obs = analysed_sitter
    cand = Candidate(Frame(image, t=time.monotonic(), index=1), obs, Assessment(0.0, (), None, True, True, 0.9))
    return PhotoStore(cfg).save(cand, badge_id=badge)


def test_uploaded_then_deleted_everywhere(upload_cfg, analysed_sitter):
    cfg, client, bucket = upload_cfg
    outbox = Outbox.from_config(cfg)
    saved = save(cfg, analysed_sitter, "A1001")
    outbox.enqueue(list(saved.paths), dict(saved.metadata), "A1001")
    outbox.start()
    try:
        assert outbox.flush(timeout_s=30) == 0
    finally:
        outbox.close()
    uploaded = keys(client, bucket)
    assert uploaded and all(k.startswith("expo-2026/hall-a-03/") for k in uploaded)  # keyed by booth ID
    (rec,) = list_captures(cfg.booth.output_dir, upload_configured=True)
    assert rec.upload == "uploaded" and rec.badge_id == "A1001"

    removed = delete_capture(cfg.booth.output_dir, saved.stem, upload_configured=True)
    assert {p.name for p in removed} == {p.name for p in saved.paths}
    assert not any(p.exists() for p in saved.paths)
    assert list_captures(cfg.booth.output_dir, upload_configured=True) == []
    deleter = RemoteDeleter(cfg.booth.output_dir, outbox.remote)
    assert deleter.step() == 1
    assert keys(client, bucket) == []  # the remote copy is gone too
    assert not list(deleter.dir.glob("*.json"))


def test_a_delete_during_the_upload_waits_for_it_then_deletes(upload_cfg, analysed_sitter):
    cfg, client, bucket = upload_cfg
    outbox = Outbox.from_config(cfg)
    saved = save(cfg, analysed_sitter, "B2002")
    outbox.enqueue(list(saved.paths), dict(saved.metadata), "B2002")  # queued, not sent yet
    delete_capture(cfg.booth.output_dir, saved.stem, upload_configured=True)
    deleter = RemoteDeleter(cfg.booth.output_dir, outbox.remote)
    assert deleter.step() == 0  # the upload job is still pending: wait for it
    outbox.start()
    try:
        end = time.monotonic() + 20
        while time.monotonic() < end and outbox.pending_count():
            time.sleep(0.05)
    finally:
        outbox.close()
    assert deleter.step() == 1
    assert keys(client, bucket) == []  # whatever arrived is deleted; the local files were gone already


def test_delete_refuses_names_that_are_not_captures(tmp_path):
    (tmp_path / "photos").mkdir()
    for bad in ("../stats", "a/b", "", ".outbox", "nonexistent"):
        with pytest.raises(ValueError):
            delete_capture(tmp_path / "photos", bad)


def test_the_lead_list_never_carries_a_spreadsheet_formula():
    rows = leads_csv([CaptureRecord("s", "2026-01-01T10:00:00", "=HYPERLINK(\"x\")", "badge", ("s_1x1.jpg",), None,
                                    "off")])
    assert "'=HYPERLINK" in rows
