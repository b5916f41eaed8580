"""A real S3-compatible server (moto's server mode) on loopback, and configs that point at it."""

from __future__ import annotations

import socket
import time
import uuid
from pathlib import Path

import pytest

from booth.config import load_config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3Server:
    """moto's ThreadedMotoServer that a test can stop and start again on the same port.

    moto keeps its buckets in the process, so objects survive a stop/start, like a real
    server coming back after an outage.
    """

    def __init__(self):
        from moto.server import ThreadedMotoServer

        self._cls = ThreadedMotoServer
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._srv = None

    def start(self):
        # moto's start() waits forever if its thread cannot bind, so check the port first.
        for _ in range(50):
            try:
                with socket.socket() as probe:
                    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    probe.bind(("127.0.0.1", self.port))
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"moto server could not bind 127.0.0.1:{self.port}")
        self._srv = self._cls(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._srv.start()

    def stop(self):
        if self._srv is not None:
            self._srv.stop()
            self._srv = None

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(scope="module")
def s3_server():
    import moto.server  # noqa: F401 - a test dependency (pyproject [test]): missing is a failure, not a skip

    srv = S3Server()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture()
def bucket(s3_server, monkeypatch) -> str:
    monkeypatch.setenv("BOOTH_S3_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("BOOTH_S3_SECRET_ACCESS_KEY", "testing")
    name = f"booth-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=name)
    return name


def make_config(output_dir: Path, **handoff):
    return load_config(overrides={"booth": {"output_dir": str(output_dir)}, "handoff": handoff})


def list_objects(client, bucket: str) -> list[dict]:
    out = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        out.extend(page.get("Contents", []))
    return out
