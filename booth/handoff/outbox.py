"""A durable outbox: every finished capture is uploaded to S3-compatible storage, eventually.

The outbox is nothing but files under ``<output_dir>/.outbox/``::

    pending/<job>.json   waiting (or retrying) to upload; what is left after a power cut
    done/<job>.json      the remote confirmed every object; retention may now purge the photos
    failed/<job>.json    cannot ever succeed as is (a local file vanished or changed, the key
                         holds different content); an operator looks at `booth handoff outbox status`

A job lists the capture's files with their sha256 and the object key each goes to
(``<prefix><job>/<file name>``; the job name is the capture's stem plus a hash of its
contents, so the same capture always maps to the same keys). A job file is written twice:
atomically when the capture is queued, and into ``done/`` when every object is confirmed. A
power cut in between loses only the knowledge of which objects already arrived; on resume a
HEAD request before each PUT finds such an object with the same sha256 (kept in its metadata)
and skips it. That is what makes an upload idempotent: re-running never creates a second copy
and never overwrites different content. Nothing local is deleted here at all;
retention (``retention.py``) deletes photos only for jobs in ``done/``.

One worker thread uploads jobs in the order they were saved. When a request fails for a
network reason the whole outbox backs off (doubling from ``retry_initial_s`` to
``retry_max_s``, with jitter) instead of hammering a dead link with every job; every wait
is bounded and :meth:`Outbox.close` returns promptly.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import logging
import os
import random
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable

from ..errors import BoothError
from ..atomic import fsync_dir, move_atomic, sweep_parts, write_json_atomic

log = logging.getLogger(__name__)

JOB_VERSION = 1
CONTENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
                 ".json": "application/json"}


class OutboxError(BoothError):
    """The outbox cannot work (folder not writable, another process holds it, storage misconfigured)."""


class PermanentUploadError(Exception):
    """This job can never succeed as it is; it moves to failed/."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sidecar_bytes(sidecar: dict) -> bytes:
    """The sidecar as uploaded: deterministic JSON, so its hash is stable across restarts."""
    return json.dumps(sidecar, indent=1, sort_keys=True, default=str).encode()


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    done: int
    failed: int
    oldest_pending_age_s: float | None
    next_try_in_s: float | None
    last_error: str | None

    def lines(self) -> list[str]:
        out = [f"pending {self.pending}, uploaded {self.done}, failed {self.failed}"]
        if self.oldest_pending_age_s is not None:
            out.append(f"oldest pending capture saved {self.oldest_pending_age_s:.0f} s ago")
        if self.next_try_in_s is not None and self.next_try_in_s > 0:
            out.append(f"next attempt in {self.next_try_in_s:.0f} s")
        if self.last_error:
            out.append(f"last error: {self.last_error}")
        return out


class S3Remote:
    """The remote side: HEAD and PUT of one object with boto3 (any S3-compatible server)."""

    def __init__(self, bucket: str, endpoint: str = "", region: str = "us-east-1", *, access_key: str | None = None,
                 secret_key: str | None = None, addressing: str = "path", timeout_s: float = 10.0):
        try:
            import boto3
            from botocore.config import Config
        except ImportError:
            raise OutboxError("uploading needs boto3: `pip install boto3` (or `pip install booth[upload]`), "
                              "or set handoff.s3_bucket = \"\" to turn upload off") from None
        self.bucket = bucket
        kwargs = {"region_name": region or None,
                  "config": Config(connect_timeout=timeout_s, read_timeout=timeout_s,
                                   retries={"max_attempts": 1, "mode": "standard"},
                                   s3={"addressing_style": addressing})}
        if endpoint:
            kwargs["endpoint_url"] = endpoint
        if access_key and secret_key:
            kwargs["aws_access_key_id"], kwargs["aws_secret_access_key"] = access_key, secret_key
        self.client = boto3.session.Session().client("s3", **kwargs)

    @classmethod
    def from_config(cls, section) -> "S3Remote":
        return cls(section.s3_bucket, section.s3_endpoint, section.s3_region,
                   access_key=os.environ.get(section.s3_access_key_env) or None,
                   secret_key=os.environ.get(section.s3_secret_key_env) or None,
                   addressing=section.s3_addressing, timeout_s=section.request_timeout_s)

    def remote_sha256(self, key: str) -> str | None:
        """The sha256 recorded on ``key`` ("" when it exists without one), or None when absent."""
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return head.get("Metadata", {}).get("sha256", "")

    def put(self, key: str, data: bytes, sha256: str, content_type: str) -> None:
        md5 = base64.b64encode(hashlib.md5(data).digest()).decode()  # the server checks what it got
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentMD5=md5, ContentType=content_type,
                               Metadata={"sha256": sha256})


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if type(exc).__name__ in ("NoCredentialsError", "PartialCredentialsError"):
        text += " (set the environment variables named by handoff.s3_access_key_env / s3_secret_key_env)"
    return f"{type(exc).__name__}: {text}"[:300]


class Outbox:
    """Durable upload queue for one output folder. See the module docstring."""

    def __init__(self, output_dir: str | Path, remote, *, prefix: str = "booth/", retry_initial_s: float = 2.0,
                 retry_max_s: float = 300.0, clock: Callable[[], float] = time.time, idle_poll_s: float = 30.0):
        self.root = Path(output_dir) / ".outbox"
        self.pending_dir, self.done_dir, self.failed_dir = (self.root / n for n in ("pending", "done", "failed"))
        self.remote = remote
        self.prefix = prefix if (not prefix or prefix.endswith("/")) else prefix + "/"
        self.retry_initial_s, self.retry_max_s = float(retry_initial_s), float(retry_max_s)
        self.clock = clock
        self.idle_poll_s = idle_poll_s
        self._queue: deque[str] = deque()  # job ids, oldest first
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock_fh: IO[str] | None = None
        self._attempts = 0  # consecutive failed attempts (the outbox-wide backoff)
        self._next_try_at = 0.0
        self.last_error: str | None = None
        self.uploaded_objects = 0  # PUTs this process made (HEAD hits are not counted)
        try:
            for d in (self.pending_dir, self.done_dir, self.failed_dir):
                d.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutboxError(f"cannot create the outbox in {self.root} ({exc.strerror}). "
                              "Fix: make booth.output_dir writable") from None
        self._recover()

    @classmethod
    def from_config(cls, cfg, remote=None, **kw) -> "Outbox":
        h = cfg.handoff
        prefix = h.s3_prefix
        if "{booth_id}" in prefix:  # a fleet: each booth's uploads under its own name ([metrics] booth_id)
            import socket

            prefix = prefix.replace("{booth_id}", getattr(getattr(cfg, "metrics", None), "booth_id", "") or socket.gethostname())
        return cls(cfg.booth.output_dir, remote if remote is not None else S3Remote.from_config(h), prefix=prefix,
                   retry_initial_s=h.retry_initial_s, retry_max_s=h.retry_max_s, **kw)

    # ------------------------------------------------------------------ jobs on disk

    def _recover(self) -> None:
        """Load pending jobs (after a restart or power cut), oldest first. Reads only."""
        jobs = []
        for f in self.pending_dir.glob("*.json"):
            if (self.done_dir / f.name).exists():
                continue  # finished just before a power cut; _clean_up() drops the pending copy
            try:
                job = json.loads(f.read_text())
                jobs.append((float(job["created_at"]), job["job_id"]))
            except (OSError, ValueError, KeyError, TypeError):
                continue  # _clean_up() moves it aside once this process owns the outbox
        self._queue.extend(job_id for _, job_id in sorted(jobs))
        if jobs:
            log.info("outbox: %d capture(s) waiting to upload", len(jobs))

    def _clean_up(self) -> None:
        """With the lock held: drop torn temporary files, move unreadable job files aside."""
        for d in (self.root, self.pending_dir, self.done_dir, self.failed_dir):
            sweep_parts(d)  # what a write cut short by a crash leaves (booth.atomic)
        for f in self.pending_dir.glob("*.json"):
            if (self.done_dir / f.name).exists():
                f.unlink(missing_ok=True)
                continue
            try:
                json.loads(f.read_text())["job_id"]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.error("outbox: %s is unreadable (%s); moved to failed/", f.name, exc)
                move_atomic(f, self.failed_dir)

    def _job_path(self, job_id: str) -> Path:
        return self.pending_dir / f"{job_id}.json"

    def _read(self, job_id: str) -> dict | None:
        try:
            return json.loads(self._job_path(job_id).read_text())
        except FileNotFoundError:
            return None

    def enqueue(self, paths: list[Path], sidecar: dict | None = None, badge_id: str | None = None,
                stem: str | None = None) -> str:
        """Record a finished capture for upload (durably, before returning); returns the job id.

        The files must already be complete on disk. ``stem`` names the job and its key folder
        (default: ``sidecar["stem"]`` as booth.output.store writes it, else the first file's stem). The same capture enqueued twice maps to
        the same job (and object keys), so a retried save does not upload twice.
        """
        paths = [Path(p).resolve() for p in paths]
        if not paths:
            raise ValueError("nothing to upload")
        stem = stem or (sidecar or {}).get("stem") or paths[0].stem
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", str(stem)).strip("-")[:80] or "capture"
        items: list[dict[str, object]] = []
        hashes: list[str] = []
        names = set()
        for p in paths:
            try:
                data = p.read_bytes()
            except OSError as exc:
                raise OutboxError(f"cannot queue {p} for upload: {exc.strerror}") from None
            if p.name in names:
                raise ValueError(f"two files named {p.name} in one capture")
            names.add(p.name)
            hashes.append(sha256_hex(data))
            items.append({"kind": "file", "path": str(p), "name": p.name, "sha256": hashes[-1],
                          "size": len(data), "done": False})
        # A sidecar file the store wrote is uploaded as it is on disk; the dict only when there is none.
        if sidecar is not None and not any(n.endswith(".json") for n in names):
            blob = sidecar_bytes(sidecar)
            hashes.append(sha256_hex(blob))
            items.append({"kind": "sidecar", "name": f"{stem}.json", "sha256": hashes[-1], "size": len(blob),
                          "done": False})
        content = sha256_hex("".join(hashes).encode())
        job_id = f"{stem}-{content[:12]}"
        for it in items:
            it["key"] = f"{self.prefix}{job_id}/{it['name']}"
        job = {"version": JOB_VERSION, "job_id": job_id, "created_at": self.clock(), "badge_id": badge_id,
               "sidecar": sidecar, "items": items, "uploaded_at": None}
        with self._cond:
            if self._job_path(job_id).exists() or (self.done_dir / f"{job_id}.json").exists():
                return job_id
            try:
                write_json_atomic(self._job_path(job_id), job)
            except OSError as exc:
                raise OutboxError(f"cannot record capture {job_id} for upload in {self.pending_dir} "
                                  f"({exc.strerror or exc}). Fix: free space on the photo disk") from None
            self._queue.append(job_id)
            self._cond.notify_all()
        return job_id

    # ------------------------------------------------------------------ uploading

    def _item_bytes(self, job: dict, item: dict) -> bytes:
        if item["kind"] == "sidecar":
            data = sidecar_bytes(job["sidecar"])
        else:
            try:
                data = Path(item["path"]).read_bytes()
            except FileNotFoundError:
                raise PermanentUploadError(f"{item['path']} vanished before it was uploaded") from None
        if sha256_hex(data) != item["sha256"]:
            raise PermanentUploadError(f"{item.get('path', item['name'])} changed after it was saved")
        return data

    def _upload_job(self, job_id: str) -> None:
        """Upload what is left of one job; raises on the first failure (job file stays consistent)."""
        job = self._read(job_id)
        if job is None:
            return
        for item in job["items"]:
            if item["done"]:
                continue
            data = self._item_bytes(job, item)
            there = self.remote.remote_sha256(item["key"])
            if there is None:
                ctype = CONTENT_TYPES.get(Path(item["name"]).suffix.lower(), "application/octet-stream")
                self.remote.put(item["key"], data, item["sha256"], ctype)
                self.uploaded_objects += 1
            elif there != item["sha256"]:
                raise PermanentUploadError(f"s3 key {item['key']} already holds different content; not overwriting")
            item["done"] = True  # in memory only: on a resume the HEAD check finds what arrived
        job["uploaded_at"] = self.clock()
        # done/ first, then drop pending/: a power cut in between leaves both, and the
        # recovery keeps the done one. Two writes per capture spare the SD card.
        write_json_atomic(self.done_dir / f"{job_id}.json", job)
        self._job_path(job_id).unlink()
        fsync_dir(self.pending_dir)

    def _backoff_s(self) -> float:
        base = min(self.retry_max_s, self.retry_initial_s * 2 ** max(0, self._attempts - 1))
        return base * random.uniform(0.5, 1.0)

    def step(self) -> bool:
        """Try the oldest due job once. Returns True when it did work (success or failure)."""
        with self._cond:
            if not self._queue or self.clock() < self._next_try_at:
                return False
            job_id = self._queue[0]
        try:
            self._upload_job(job_id)
        except PermanentUploadError as exc:
            log.error("outbox: capture %s cannot be uploaded: %s (moved to failed/)", job_id, exc)
            self.last_error = str(exc)
            with self._cond:
                self._queue.popleft()
                if self._job_path(job_id).exists():
                    move_atomic(self._job_path(job_id), self.failed_dir)
                self._cond.notify_all()
            return True
        except Exception as exc:  # noqa: BLE001 - network, server, credentials: all worth retrying later
            with self._cond:
                self._attempts += 1
                delay = self._backoff_s()
                self._next_try_at = self.clock() + delay
                self.last_error = _describe(exc)
                self._cond.notify_all()
            log.warning("outbox: upload failed (%s); retrying in %.1f s", self.last_error, delay)
            return True
        with self._cond:
            self._queue.popleft()
            self._attempts = 0
            self._next_try_at = 0.0
            self._cond.notify_all()
        return True

    def _wait_s(self) -> float:
        if not self._queue:
            return self.idle_poll_s
        return max(0.0, min(self.idle_poll_s, self._next_try_at - self.clock()))

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.step():
                    continue
            except Exception as exc:  # noqa: BLE001 - a broken job or folder must not end the worker
                log.exception("outbox: step failed; retrying later")
                with self._cond:
                    self._attempts += 1
                    self._next_try_at = self.clock() + self._backoff_s()
                    self.last_error = _describe(exc)
            with self._cond:
                if self._stop.is_set():
                    break
                self._cond.wait(timeout=self._wait_s())

    # ------------------------------------------------------------------ lifecycle

    def _acquire(self) -> None:
        fh = open(self.root / "lock", "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise OutboxError(f"another booth process is already uploading from {self.root}; "
                              "stop it first (or let it finish: `booth handoff outbox status`)") from None
        self._lock_fh = fh
        self._clean_up()

    def start(self) -> "Outbox":
        if self._thread is not None:
            return self
        self._acquire()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="handoff-outbox", daemon=True)
        self._thread.start()
        return self

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop the worker (an upload in flight finishes or times out; its job stays pending)."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=timeout_s)
            self._thread = None
        self._release()

    def _release(self) -> None:
        if self._lock_fh is not None:
            self._lock_fh.close()
            self._lock_fh = None

    def restart(self) -> None:
        """A new worker thread after the old one died (the supervisor calls this)."""
        with self._cond:
            self._thread = threading.Thread(target=self._run, name="handoff-outbox", daemon=True)
            self._stop.clear()
        self._thread.start()

    def retry_now(self) -> None:
        with self._cond:
            self._next_try_at = 0.0
            self._cond.notify_all()

    def flush(self, timeout_s: float = 30.0) -> int:
        """Upload until nothing is pending or ``timeout_s`` passes; returns how many captures remain.

        With the worker running this waits for it; without (the CLI) it uploads on this thread.
        """
        deadline = time.monotonic() + timeout_s
        self.retry_now()
        if self._thread is None:
            self._acquire()
            try:
                while self._queue and time.monotonic() < deadline:
                    if not self.step():
                        wait = min(self._wait_s(), deadline - time.monotonic())
                        if wait > 0:
                            self._stop.wait(wait)
            finally:
                self._release()
            return len(self._queue)
        with self._cond:
            while self._queue and time.monotonic() < deadline:
                self._cond.wait(timeout=min(0.5, max(0.0, deadline - time.monotonic())))
            return len(self._queue)

    def pending_count(self) -> int:
        with self._cond:
            return len(self._queue)

    def status(self) -> OutboxStatus:
        now = self.clock()
        ages = []
        for f in self.pending_dir.glob("*.json"):
            try:
                ages.append(now - float(json.loads(f.read_text())["created_at"]))
            except (OSError, ValueError, KeyError, TypeError):
                pass
        return OutboxStatus(
            pending=len(ages), done=sum(1 for _ in self.done_dir.glob("*.json")),
            failed=sum(1 for _ in self.failed_dir.glob("*.json")),
            oldest_pending_age_s=max(ages) if ages else None,
            next_try_in_s=(self._next_try_at - now) if self._next_try_at else None, last_error=self.last_error)
