"""Retention: the booth does not keep people's faces longer than it must.

Rules (``booth.retention_hours``; 0 keeps photos forever):

- Upload configured (``handoff.s3_bucket`` set): a capture's local files are deleted once the
  remote has confirmed every one of them (its job is in ``.outbox/done/``) *and* it was saved
  more than ``retention_hours`` ago. A capture still waiting to upload is never deleted, however
  old: the outbox is the only copy.
- No upload: photo files (and their sidecars) older than ``retention_hours`` are deleted.
  Files named by a pending outbox job (upload was on earlier) are still protected.

Only regular files inside the output folder are ever touched (no symlinks followed, nothing
outside), and folders the booth keeps for itself (names starting with ``.``) are skipped.
Expired download grants are swept at the same time, so a link never outlives its photos.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".json", ".tif", ".tiff"}


@dataclass
class PurgeReport:
    deleted: list[Path] = field(default_factory=list)
    kept_pending: int = 0  # files kept because they have not been uploaded yet
    jobs_retired: int = 0

    def summary(self) -> str:
        return (f"deleted {len(self.deleted)} file(s); kept {self.kept_pending} waiting for upload; "
                f"retired {self.jobs_retired} upload record(s)")


def _inside(root: Path, p: Path) -> bool:
    try:
        return p.resolve().is_relative_to(root) and not p.is_symlink() and p.is_file()
    except OSError:
        return False


def _job_files(job: dict) -> list[Path]:
    items = job.get("items", [])
    return [Path(i["path"]) for i in items if isinstance(i, dict) and i.get("kind") == "file"
            and isinstance(i.get("path"), str)] if isinstance(items, list) else []


def _jobs(directory: Path) -> list[tuple[Path, dict]]:
    """The readable job files; a corrupt one is logged and skipped (never stops the sweep)."""
    out = []
    for f in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        try:
            job = json.loads(f.read_text())
            if not isinstance(job, dict):
                raise ValueError(f"a {type(job).__name__}, not a job")
            _job_files(job)
            float(job.get("created_at", 0.0))
        except (OSError, ValueError, TypeError) as exc:
            log.error("retention: skipping the corrupt job file %s (%s). Fix: inspect it, then delete it", f, exc)
            continue
        out.append((f, job))
    return out


def purge(output_dir: str | Path, retention_hours: float, upload_configured: bool, *, now: float | None = None,
          dry_run: bool = False) -> PurgeReport:
    """Delete what retention allows. Returns what was (or, with ``dry_run``, would be) deleted."""
    report = PurgeReport()
    root = Path(output_dir).resolve()
    if retention_hours <= 0 or not root.is_dir():
        return report
    now = time.time() if now is None else now
    cutoff = now - retention_hours * 3600.0
    outbox = root / ".outbox"
    protected = {p.resolve() for _, job in _jobs(outbox / "pending") for p in _job_files(job)}

    def delete(p: Path) -> None:
        if not dry_run:
            p.unlink(missing_ok=True)
        report.deleted.append(p)

    if upload_configured:
        for record, job in _jobs(outbox / "done"):
            if float(job.get("created_at", now)) > cutoff or not job.get("uploaded_at"):
                continue
            for p in _job_files(job):
                if p.resolve() in protected:
                    report.kept_pending += 1
                elif _inside(root, p):
                    delete(p)
            if not dry_run:
                record.unlink(missing_ok=True)
            report.jobs_retired += 1
    else:
        for p in sorted(root.rglob("*")):
            rel = p.relative_to(root)
            if any(part.startswith(".") for part in rel.parts) or p.suffix.lower() not in PHOTO_SUFFIXES:
                continue
            if not _inside(root, p):
                continue
            if p.resolve() in protected:
                report.kept_pending += 1
                continue
            if p.stat().st_mtime < cutoff:
                delete(p)
    if not dry_run:
        _remove_empty_dirs(root, {p.parent for p in report.deleted})
    if report.deleted:
        log.info("retention: %s", report.summary())
    return report


def _remove_empty_dirs(root: Path, dirs: set[Path]) -> None:
    for d in sorted(dirs, key=lambda d: len(d.parts), reverse=True):
        while d != root and d.is_relative_to(root):
            try:
                d.rmdir()  # only succeeds when empty
            except OSError:
                break
            d = d.parent
