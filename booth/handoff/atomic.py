"""Whole-or-nothing file writes: a reader (or a reboot) sees the old file or the new one."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def fsync_dir(directory: Path) -> None:
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


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, fsync it, rename over ``path``, fsync the folder."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


def write_json_atomic(path: str | Path, obj) -> None:
    write_bytes_atomic(path, json.dumps(obj, indent=1, sort_keys=True).encode())


def move_atomic(src: Path, dst_dir: Path) -> Path:
    """Rename ``src`` into ``dst_dir`` (same filesystem) and make both folders durable."""
    dst_dir.mkdir(parents=True, exist_ok=True)
    dst = dst_dir / src.name
    os.replace(src, dst)
    fsync_dir(dst_dir)
    fsync_dir(src.parent)
    return dst
