"""Whole-or-nothing file writes, for every file the booth keeps: photos, sidecars, models,
counters, upload jobs. A reader, a crash or a power cut sees the old file or the new one.

The new content goes to a hidden ``.<name>.<random>.part`` beside the target, is flushed and
fsync'ed, renamed over the target, and the folder is fsync'ed so the rename itself survives a
power cut. A crash leaves at most a ``.part`` file, which :func:`sweep_parts` removes.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

PART_SUFFIX = ".part"


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (best effort: some filesystems refuse)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_bytes_atomic(path: str | Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` whole or not at all, with permissions ``mode``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PART_SUFFIX, dir=path.parent)
    try:
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:  # os.write may write less than asked (signals, slow media)
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


def write_text_atomic(path: str | Path, text: str, mode: int = 0o600) -> None:
    write_bytes_atomic(path, text.encode("utf-8"), mode)


def write_json_atomic(path: str | Path, obj, mode: int = 0o600) -> None:
    write_bytes_atomic(path, json.dumps(obj, indent=1, sort_keys=True).encode(), mode)


def move_atomic(src: Path, dst_dir: Path) -> Path:
    """Rename ``src`` into ``dst_dir`` (same filesystem) and make both folders durable."""
    dst_dir.mkdir(parents=True, exist_ok=True)
    dst = dst_dir / src.name
    os.replace(src, dst)
    fsync_dir(dst_dir)
    fsync_dir(src.parent)
    return dst


def sweep_parts(directory: Path) -> list[Path]:
    """Remove the ``.part`` files a crash left in ``directory`` (never a finished file)."""
    removed = []
    if directory.is_dir():
        for p in directory.glob(f".*{PART_SUFFIX}"):
            try:
                p.unlink()
                removed.append(p)
            except OSError:
                pass
    return removed
