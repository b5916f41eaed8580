"""Download grants: which files one link may serve, and until when (see :mod:`.server`).

A link's token is ``secrets.token_urlsafe`` (>= 16 bytes = 128 bits); only its sha256 is stored
(as the grant's file name), so the grants folder does not leak working links, and a separate
``booth handoff serve`` process sees grants the booth issued. This module is apart from the
page's HTTP server because the booth keeps grants whether or not the page runs, and the
stdlib's HTTP and TLS modules cost 60 ms of start-up that a booth without the page never needs.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..atomic import sweep_parts, write_json_atomic
from ..errors import BoothError

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{22,128}")
NAME_RE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}")


class HandoffServerError(BoothError):
    """The download page cannot start (port taken, certificate missing or invalid)."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def download_name(path: Path, taken: set[str]) -> str:
    """A URL-safe, unique (within one grant) name for ``path``."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.name).lstrip(".-") or "file"
    name, i = stem[:200], 2
    while name in taken or not NAME_RE.fullmatch(name) or ".." in name:
        name = f"{i}-{stem.replace('..', '.')}"[:200]
        i += 1
    return name


@dataclass(frozen=True)
class Grant:
    """What one link may serve: download name -> absolute file path, until ``expires_at`` (epoch s)."""

    files: tuple[tuple[str, str], ...]
    expires_at: float
    badge_id: str | None = None
    language: str = "en"  # the sitter's: the download page speaks it

    def path_of(self, name: str) -> Path | None:
        for n, p in self.files:
            if n == name:
                return Path(p)
        return None


class GrantStore:
    """Grants on disk: ``<dir>/<sha256(token)>.json``, written atomically."""

    def __init__(self, directory: str | Path, token_bytes: int = 24, clock: Callable[[], float] = time.time):
        if token_bytes < 16:
            raise ValueError("tokens need >= 16 random bytes (128 bits)")
        self.dir = Path(directory)
        self.token_bytes = int(token_bytes)
        self.clock = clock

    def issue(self, paths: list[Path], ttl_s: float, badge_id: str | None = None, language: str = "en") -> str:
        """Register ``paths`` under a new token valid for ``ttl_s`` seconds; returns the token."""
        taken: set[str] = set()
        files = []
        for p in paths:
            p = Path(p).resolve()
            if not p.is_file():
                raise FileNotFoundError(f"cannot offer {p} for download: not a file")
            name = download_name(p, taken)
            taken.add(name)
            files.append((name, str(p)))
        token = secrets.token_urlsafe(self.token_bytes)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            write_json_atomic(self.dir / f"{token_digest(token)}.json",
                              {"files": files, "expires_at": self.clock() + float(ttl_s), "badge_id": badge_id,
                               "language": language})
        except OSError as exc:
            raise HandoffServerError(f"cannot record a download link in {self.dir} ({exc.strerror or exc}). "
                                     "Fix: free space on the photo disk or make booth.output_dir writable") from None
        return token

    def lookup(self, token: str) -> Grant | None:
        """The live grant for ``token``, or None (unknown, malformed or expired)."""
        if not TOKEN_RE.fullmatch(token or ""):
            return None
        try:
            data = json.loads((self.dir / f"{token_digest(token)}.json").read_text())
            grant = Grant(tuple((str(n), str(p)) for n, p in data["files"]), float(data["expires_at"]),
                          data.get("badge_id"), str(data.get("language") or "en"))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return grant if self.clock() < grant.expires_at else None

    def purge_expired(self) -> int:
        """Delete expired (or unreadable) grant files, and what torn writes left; returns
        how many grants."""
        n = 0
        if not self.dir.is_dir():
            return 0
        sweep_parts(self.dir)
        now = self.clock()
        for f in self.dir.glob("*.json"):
            try:
                expired = float(json.loads(f.read_text())["expires_at"]) <= now
            except (OSError, ValueError, KeyError, TypeError):
                expired = True
            if expired:
                f.unlink(missing_ok=True)
                n += 1
        return n
