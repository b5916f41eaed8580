"""What the console reads and changes on disk: captures (gallery, CSV lead list, privacy
deletes) and today's sessions (the Today page's figures and plots).

Captures are what the photo store wrote: ``<stem>.json`` sidecars beside their JPEGs in
``booth.output_dir``. Upload state comes from the outbox's own folders (``.outbox/pending``,
``done``, ``failed``): a job whose sidecar names the stem.

A privacy delete removes the capture's local files (crops, thumbnail, sidecar) and any
download link to them, and when upload is configured writes a deletion request to
``.outbox/delete/<stem>.json`` listing the object keys; :class:`RemoteDeleter` carries those
out (after any upload of that capture has finished or failed, so an upload in flight cannot
bring a deleted photo back).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from ..atomic import write_json_atomic
from ..types import Actions, BoothState

log = logging.getLogger(__name__)

STEM_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,150}")


@dataclass(frozen=True)
class CaptureRecord:
    stem: str
    saved_at: str
    badge_id: str | None
    profile: str
    files: tuple[str, ...]  # file names in the output folder
    thumbnail: str | None
    upload: str  # "off" | "pending" | "uploaded" | "failed" | "deleting" | "deleted"


def _upload_states(output_dir: Path) -> dict[str, tuple[str, dict]]:
    states: dict[str, tuple[str, dict]] = {}
    for folder, name in (("done", "uploaded"), ("failed", "failed"), ("pending", "pending")):
        for p in sorted((output_dir / ".outbox" / folder).glob("*.json")):
            try:
                job = json.loads(p.read_text())
            except (OSError, ValueError):
                continue
            stem = (job.get("sidecar") or {}).get("stem") or job.get("job_id", "").rsplit("-", 1)[0]
            states[stem] = (name, job)  # pending wins: it is read last
    return states


def list_captures(output_dir: str | Path, upload_configured: bool, limit: int | None = None) -> list[CaptureRecord]:
    """Captures on disk, newest first."""
    out_dir = Path(output_dir)
    if not out_dir.is_dir():
        return []
    states = _upload_states(out_dir) if upload_configured else {}
    sidecars = sorted(out_dir.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    records: list[Any] = []
    for sc in sidecars:
        if limit is not None and len(records) >= limit:
            break
        try:
            meta = json.loads(sc.read_text())
        except (OSError, ValueError):
            continue
        stem = meta.get("stem") or sc.stem
        crops = [c.get("file") for c in (meta.get("crops") or {}).values() if c.get("file")]
        thumb = (meta.get("thumbnail") or {}).get("file")
        files = tuple(f for f in crops + ([thumb] if thumb else []) + [sc.name] if (out_dir / f).exists())
        upload = states.get(stem, ("pending" if upload_configured else "off", {}))[0] if upload_configured else "off"
        records.append(CaptureRecord(stem=stem, saved_at=meta.get("saved_at", ""), badge_id=meta.get("badge_id"),
                                     profile=meta.get("profile", ""), files=files, thumbnail=thumb, upload=upload))
    return records


def leads_csv(records: Iterable[CaptureRecord]) -> str:
    """The organiser's lead list: badge ID, time, files, upload state (one row per capture)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["badge_id", "saved_at", "files", "upload"])
    for r in sorted(records, key=lambda r: r.saved_at):
        w.writerow([_cell(r.badge_id or ""), r.saved_at, " ".join(r.files), r.upload])
    return buf.getvalue()


def _cell(text: str) -> str:
    """No spreadsheet formulas from a scanned badge (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def delete_capture(output_dir: str | Path, stem: str, *, grants=None, upload_configured: bool = False,
                   clock: Callable[[], float] = time.time) -> list[Path]:
    """Remove one capture's local files (and links to them); queue the remote copy's deletion.
    Returns the local files removed. ValueError for a stem that is not a capture."""
    out_dir = Path(output_dir).resolve()
    if not STEM_RE.fullmatch(stem) or ".." in stem:
        raise ValueError(f"not a capture name: {stem!r}")
    sidecar = out_dir / f"{stem}.json"
    if not sidecar.is_file():
        raise ValueError(f"no capture named {stem}")
    meta = json.loads(sidecar.read_text())
    names = [c.get("file") for c in (meta.get("crops") or {}).values()] + [(meta.get("thumbnail") or {}).get("file")]
    victims = [out_dir / n for n in names if n and "/" not in n and (out_dir / n).is_file()]
    victims += [p for p in out_dir.glob(f"{stem}_*.jpg") if p not in victims]
    if upload_configured:
        state, job = _upload_states(out_dir).get(stem, ("pending", {}))
        keys = [it["key"] for it in job.get("items", []) if it.get("key")]
        (out_dir / ".outbox" / "delete").mkdir(parents=True, exist_ok=True)
        write_json_atomic(out_dir / ".outbox" / "delete" / f"{stem}.json",
                          {"stem": stem, "job_id": job.get("job_id"), "keys": keys, "requested_at": clock()})
    removed = []
    for p in victims + [sidecar]:  # the sidecar last: while it exists the capture is listed
        try:
            p.unlink()
            removed.append(p)
        except FileNotFoundError:
            pass
    if grants is not None:
        _revoke_links(grants, {str(p) for p in removed})
    log.info("console: deleted capture %s (%d files)%s", stem, len(removed),
             "; remote copy queued for deletion" if upload_configured else "")
    return removed


def _revoke_links(grants, paths: set[str]) -> None:
    directory = Path(grants.directory)
    for g in directory.glob("*.json"):
        try:
            data = json.loads(g.read_text())
        except (OSError, ValueError):
            continue
        if any(str(v) in paths for _, v in data.get("files", [])):
            g.unlink(missing_ok=True)


class RemoteDeleter:
    """Carries out ``.outbox/delete/*.json`` with the outbox's remote (S3 DeleteObject), one
    request at a time, on its own thread; a request whose upload is still pending waits."""

    def __init__(self, output_dir: str | Path, remote, interval_s: float = 5.0):
        self.dir = Path(output_dir) / ".outbox" / "delete"
        self.pending_dir = Path(output_dir) / ".outbox" / "pending"
        self.remote = remote
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    def step(self) -> int:
        """One pass; returns how many requests finished."""
        finished = 0
        for req_path in sorted(self.dir.glob("*.json")):
            try:
                req = json.loads(req_path.read_text())
            except (OSError, ValueError):
                continue
            if req.get("job_id") and (self.pending_dir / f"{req['job_id']}.json").exists():
                continue  # an upload in flight: delete after it
            try:
                for key in req.get("keys", []):
                    self.remote.client.delete_object(Bucket=self.remote.bucket, Key=key)
            except Exception as exc:  # noqa: BLE001 - the network: try again next pass
                self.last_error = f"remote delete of {req.get('stem')} failed: {exc}"
                log.warning("console: %s", self.last_error)
                continue
            req_path.unlink(missing_ok=True)
            finished += 1
        return finished

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.step()

    def start(self) -> "RemoteDeleter":
        self.dir.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="console-remote-delete", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval_s + 2.0)


# --------------------------------------------------------------------------- today's sessions


@dataclass
class SessionRecord:
    start: float  # epoch seconds
    capture_s: float | None = None  # seconds from the start to the first review screen
    captures: int = 0
    retakes: int = 0
    kept: int = 0
    abandoned: bool = False
    ended: bool = False


class DayLog:
    """Each session of the running day, from the Actions the booth carries out (the same
    definitions as booth.stats: a session starts on leaving attract; abandoned when it returns
    to attract before a review screen). Ended sessions are appended to
    ``<dir>/sessions-YYYYMMDD.jsonl`` so the Today page survives a restart."""

    def __init__(self, directory: str | Path | None, clock: Callable[[], float] = time.time,
                 on_capture: Callable[[float], None] | None = None):
        self.dir = Path(directory) if directory else None
        self.clock = clock
        self.on_capture = on_capture
        self._lock = threading.Lock()
        self._state = BoothState.ATTRACT
        self._current: SessionRecord | None = None
        self._day = time.strftime("%Y%m%d", time.localtime(clock()))
        self.records: list[SessionRecord] = self._load()

    def _file(self) -> Path | None:
        return self.dir / f"sessions-{self._day}.jsonl" if self.dir else None

    def _load(self) -> list[SessionRecord]:
        f = self._file()
        if f is None or not f.exists():
            return []
        out = []
        for line in f.read_text().splitlines():
            try:
                out.append(SessionRecord(**json.loads(line)))
            except (ValueError, TypeError):
                continue
        return out

    def observe(self, actions: Actions) -> None:
        now = self.clock()
        with self._lock:
            day = time.strftime("%Y%m%d", time.localtime(now))
            if day != self._day:
                self._day, self.records = day, []
            state, prev = actions.state, self._state
            if state is prev:
                return
            self._state = state
            cur = self._current
            if prev is BoothState.ATTRACT and state not in (BoothState.ERROR, BoothState.PAUSED):
                self._current = cur = SessionRecord(start=now)
                self.records.append(cur)
            if cur is None:
                return
            if state is BoothState.REVIEW:
                cur.captures += 1
                if cur.capture_s is None:
                    cur.capture_s = round(now - cur.start, 3)
                    if self.on_capture is not None:
                        self.on_capture(cur.capture_s)
            elif state is BoothState.THANK_YOU:
                cur.kept += 1
            elif state in (BoothState.ATTRACT, BoothState.PAUSED):
                cur.abandoned = cur.captures == 0
                cur.ended = True
                self._current = None
                self._append(cur)

    def retake(self) -> None:
        with self._lock:
            if self._current is not None and self._state is BoothState.REVIEW:
                self._current.retakes += 1

    def _append(self, rec: SessionRecord) -> None:
        f = self._file()
        if f is None:
            return
        try:
            f.parent.mkdir(parents=True, exist_ok=True)
            with f.open("a") as fh:
                fh.write(json.dumps(rec.__dict__) + "\n")
        except OSError as exc:
            log.warning("console: could not record the session in %s: %s", f, exc)

    def summary(self) -> dict:
        with self._lock:
            recs = list(self.records)
        times = [r.capture_s for r in recs if r.capture_s is not None]
        ended = [r for r in recs if r.ended]
        per_hour = [0] * 24
        for r in recs:
            if r.capture_s is not None:
                per_hour[time.localtime(r.start + r.capture_s).tm_hour] += r.captures
        edges = [0, 5, 10, 15, 20, 30, 45, 60, 90, 120]
        hist = [0] * len(edges)
        for t in times:
            i = max(i for i, e in enumerate(edges) if t >= e)
            hist[i] += 1
        return {
            "day": self._day,
            "sessions": len(recs),
            "captures": sum(r.captures for r in recs),
            "kept": sum(r.kept for r in recs),
            "retakes": sum(r.retakes for r in recs),
            "abandoned": sum(r.abandoned for r in ended),
            "abandon_rate": (sum(r.abandoned for r in ended) / len(ended)) if ended else None,
            "median_time_to_capture_s": statistics.median(times) if times else None,
            "captures_per_hour": per_hour,
            "time_to_capture_hist": {"edges_s": edges, "counts": hist},
        }
