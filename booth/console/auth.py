"""Operator login: a scrypt password hash in the config, cookie sessions, CSRF tokens, a login limiter.

The config holds only ``[console] password_hash``, made by ``booth console hash-password``::

    scrypt$n=16384,r=8,p=1$<salt b64>$<key b64>

(hashlib.scrypt from the standard library: memory-hard, no extra dependency on the Pi; the
parameters travel with the hash, so they can be raised later without breaking old hashes).

A session is a random 32-byte cookie value (``HttpOnly; SameSite=Strict; Path=/``, plus
``Secure`` behind HTTPS); only its sha256 is kept in memory, with an idle and an absolute
expiry. Each session has its own CSRF token that every POST must echo (form field or
``X-CSRF-Token`` header), compared in constant time. Wrong passwords are limited per client
address: after ``max_failures`` a lockout that doubles with every further failure.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Callable

from ..errors import ConfigError

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
KEY_LEN = 32


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii").rstrip("=")


def _unb64(s: str) -> bytes:
    return base64.b64decode(s + "=" * (-len(s) % 4))


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P,
                  salt: bytes | None = None) -> str:
    """The config line for ``password`` (``scrypt$n=..,r=..,p=..$salt$key``)."""
    if not password:
        raise ConfigError("an empty password cannot protect the console. Fix: choose a password")
    salt = salt or secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=2**26, dklen=KEY_LEN)
    return f"scrypt$n={n},r={r},p={p}${_b64(salt)}${_b64(key)}"


def parse_hash(encoded: str) -> tuple[dict[str, int], bytes, bytes]:
    """(params, salt, key) of an encoded hash; ConfigError naming the fix when it is not one."""
    try:
        scheme, params, salt, key = encoded.split("$")
        if scheme != "scrypt":
            raise ValueError(scheme)
        kv = {k: int(v) for k, v in (item.split("=") for item in params.split(","))}
        if set(kv) != {"n", "r", "p"} or kv["n"] < 2**10 or kv["n"] & (kv["n"] - 1):
            raise ValueError(params)
        return kv, _unb64(salt), _unb64(key)
    except (ValueError, TypeError):
        raise ConfigError("console.password_hash is not a scrypt hash. Fix: run `booth console hash-password` "
                          "and paste its output into [console] password_hash") from None


def verify_password(password: str, encoded: str) -> bool:
    params, salt, key = parse_hash(encoded)
    got = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=params["n"], r=params["r"], p=params["p"],
                         maxmem=2**26, dklen=len(key))
    return hmac.compare_digest(got, key)


@dataclass
class _Session:
    csrf: str
    created: float
    seen: float


class Sessions:
    """Logged-in operator sessions (in memory: a booth restart logs everybody out)."""

    def __init__(self, idle_s: float = 1800.0, max_age_s: float = 12 * 3600.0,
                 clock: Callable[[], float] = time.monotonic, limit: int = 64):
        self.idle_s, self.max_age_s, self.clock, self.limit = idle_s, max_age_s, clock, limit
        self._lock = threading.Lock()
        self._by_digest: dict[str, _Session] = {}

    @staticmethod
    def _digest(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()

    def create(self) -> tuple[str, str]:
        """A new session: (cookie value, CSRF token)."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            self._expire(now)
            if len(self._by_digest) >= self.limit:  # the oldest goes: memory stays bounded
                oldest = min(self._by_digest, key=lambda d: self._by_digest[d].created)
                del self._by_digest[oldest]
            self._by_digest[self._digest(token)] = _Session(csrf, now, now)
        return token, csrf

    def lookup(self, token: str | None) -> str | None:
        """The session's CSRF token when ``token`` is a live session, else None."""
        if not token:
            return None
        now = self.clock()
        with self._lock:
            self._expire(now)
            s = self._by_digest.get(self._digest(token))
            if s is None:
                return None
            s.seen = now
            return s.csrf

    def end(self, token: str | None) -> None:
        if token:
            with self._lock:
                self._by_digest.pop(self._digest(token), None)

    def _expire(self, now: float) -> None:
        dead = [d for d, s in self._by_digest.items() if now - s.seen > self.idle_s or now - s.created > self.max_age_s]
        for d in dead:
            del self._by_digest[d]


def csrf_ok(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


class LoginLimiter:
    """Wrong passwords per client address: ``max_failures`` free, then a lockout of
    ``lockout_s`` that doubles with each further failure (capped at 15 minutes). A right
    password clears the address's record."""

    def __init__(self, max_failures: int = 5, lockout_s: float = 30.0, clock: Callable[[], float] = time.monotonic):
        self.max_failures, self.lockout_s, self.clock = max_failures, lockout_s, clock
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, float]] = {}  # ip -> (count, locked until)

    def retry_after(self, ip: str) -> float:
        """Seconds until ``ip`` may try again (0: now)."""
        with self._lock:
            _, until = self._failures.get(ip, (0, 0.0))
            return max(0.0, until - self.clock())

    def failed(self, ip: str) -> None:
        with self._lock:
            count, _ = self._failures.get(ip, (0, 0.0))
            count += 1
            until = 0.0
            if count >= self.max_failures:
                until = self.clock() + min(900.0, self.lockout_s * 2 ** (count - self.max_failures))
            self._failures[ip] = (count, until)
            if len(self._failures) > 4096:  # a flood of addresses must not grow memory forever
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, ip: str) -> None:
        with self._lock:
            self._failures.pop(ip, None)
