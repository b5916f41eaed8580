"""Attendee IDs from a badge scanner: a keyboard that types very fast and presses Enter.

A USB barcode/QR scanner in "keyboard wedge" mode types the code it read as keystrokes and
ends with Enter. The booth sees those keys either as pygame key events (the screen window has
the keyboard focus) or, on a Pi where the scanner should not fight the UI for focus, straight
from the input device with evdev. Both feed the same pure :class:`BadgeScanBuffer`::

    buffer = BadgeScanBuffer(pattern=r"[A-Z]{2}\\d{6}", max_gap_s=0.3)
    for ch, t in (("A", 0.00), ("B", 0.01), ...("\\n", 0.08)):
        result = buffer.feed(ch, t)          # None until Enter
    result.ok, result.badge_id, result.message

A scan is only accepted when the *whole* text matches the configured pattern
(``re.fullmatch``), so a half-read code or two codes run together are refused with a clear
"scan again" instead of naming somebody's photos wrongly. Keys arriving after a pause longer
than ``max_gap_s`` start a new scan: a human poking at a keyboard, or the tail of a scan that
was interrupted, never merges with the next real scan.

:func:`badge_safe_name` turns an accepted ID into the piece of a file name the store and the
outbox use, so an ID can never reach the filesystem or an object key unescaped.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Protocol

from ..errors import BoothError

log = logging.getLogger(__name__)

ENTER = "\n"
MAX_SCAN_CHARS = 256
SAFE_NAME_MAX = 64


class BadgeError(BoothError):
    """The badge scanner cannot be used (no evdev, no device, no permission)."""


@dataclass(frozen=True)
class ScanResult:
    """One finished scan: accepted (``badge_id`` set) or refused (``reason`` set)."""

    raw: str
    badge_id: str | None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.badge_id is not None

    @property
    def message(self) -> str:
        """What the screen says to the sitter."""
        if self.ok:
            return f"Welcome! Badge {self.badge_id} recorded."
        return "Badge not recognised - please scan again."


class BadgeValidator:
    """Checks whole IDs (from a scanner or typed on the touch screen) against one pattern."""

    def __init__(self, pattern: str):
        try:
            self.regex = re.compile(pattern)
        except re.error as exc:
            raise BadgeError(f"badge pattern {pattern!r} is not a valid regex ({exc}); fix handoff.badge_pattern") from None

    def check(self, raw: str) -> ScanResult:
        text = raw.strip()
        if not text:
            return ScanResult(raw, None, "empty scan")
        if len(text) > MAX_SCAN_CHARS:
            return ScanResult(raw[:MAX_SCAN_CHARS], None, "scan too long")
        if any(unicodedata.category(c).startswith("C") for c in text):
            return ScanResult(raw, None, "control characters in scan")
        if not self.regex.fullmatch(text):
            return ScanResult(raw, None, "does not match the badge pattern")
        return ScanResult(raw, text)


class BadgeScanBuffer:
    """Collects typed characters into scans. Pure: time is passed in, nothing blocks.

    ``feed(ch, t)`` takes one character (``"\\n"`` or ``"\\r"`` for Enter) and the time it
    arrived in seconds on any monotonic clock; it returns a :class:`ScanResult` when Enter
    ends a scan, else None. An Enter with nothing typed is ignored (scanners sometimes send a
    stray one).
    """

    def __init__(self, pattern: str, max_gap_s: float = 0.3):
        self.validator = BadgeValidator(pattern)
        self.max_gap_s = float(max_gap_s)
        self._chars: list[str] = []
        self._last_t: float | None = None
        self._overflow = False

    def reset(self) -> None:
        self._chars.clear()
        self._last_t = None
        self._overflow = False

    @property
    def pending(self) -> str:
        """The characters of the scan in progress (for a live echo on screen)."""
        return "".join(self._chars)

    def feed(self, ch: str, t: float) -> ScanResult | None:
        if self._last_t is not None and t - self._last_t > self.max_gap_s:
            if self._chars:
                log.debug("badge: dropped a partial scan after a %.2f s pause", t - self._last_t)
            self._chars.clear()
            self._overflow = False
        self._last_t = t
        if ch in ("\n", "\r"):
            if not self._chars and not self._overflow:
                return None
            raw, overflow = "".join(self._chars), self._overflow
            self.reset()
            if overflow:
                return ScanResult(raw, None, "scan too long")
            return self.validator.check(raw)
        if not ch:
            return None
        if len(self._chars) >= MAX_SCAN_CHARS:
            self._overflow = True
            return None
        self._chars.append(ch)
        return None

    def feed_text(self, text: str, t0: float = 0.0, dt: float = 0.01) -> list[ScanResult]:
        """Feed a whole string as if typed ``dt`` apart (handy for replays and tests)."""
        out = []
        for i, ch in enumerate(text):
            res = self.feed(ch, t0 + i * dt)
            if res is not None:
                out.append(res)
        return out


def badge_safe_name(badge_id: str) -> str:
    """The part of a file name / object key that stands for ``badge_id``.

    Keeps ASCII letters, digits, ``-`` and ``_``; every other run of characters becomes one
    ``-``; at most 64 characters; never empty, never starts with ``.`` (no hidden files, no
    ``..``). Two different IDs can map to the same name only if they differ in characters the
    badge pattern should not allow in the first place; the sidecar keeps the exact ID.
    """
    if not isinstance(badge_id, str):
        raise TypeError("badge_id must be a str")
    ascii_text = unicodedata.normalize("NFKD", badge_id).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_text).strip("-")[:SAFE_NAME_MAX].strip("-")
    return name or "badge"


def capture_stem(when_utc: str, badge_id: str | None = None, seq: int | None = None) -> str:
    """A capture's file-name stem: ``<when>[_<badge>][_<seq>]`` (``when`` like ``20240501T120301Z``)."""
    parts = [re.sub(r"[^0-9A-Za-z]", "", when_utc) or "capture"]
    if badge_id:
        parts.append(badge_safe_name(badge_id))
    if seq is not None:
        parts.append(f"{int(seq):03d}")
    return "_".join(parts)


# --------------------------------------------------------------------------- key sources


def char_from_pygame_event(event) -> str | None:
    """The character a pygame KEYDOWN event types (``"\\n"`` for Enter), else None."""
    import pygame

    if getattr(event, "type", None) != pygame.KEYDOWN:
        return None
    if event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
        return ENTER
    ch = getattr(event, "unicode", "") or ""
    return ch if len(ch) == 1 and ch.isprintable() else None


# evdev key names -> (plain, shifted) characters for a US layout, which is what scanners
# emulate by default. Letters are handled separately.
_EVDEV_KEYS = {
    **{f"KEY_{d}": (d, s) for d, s in zip("1234567890", "!@#$%^&*()")},
    "KEY_MINUS": ("-", "_"), "KEY_EQUAL": ("=", "+"), "KEY_SPACE": (" ", " "),
    "KEY_DOT": (".", ">"), "KEY_COMMA": (",", "<"), "KEY_SLASH": ("/", "?"),
    "KEY_SEMICOLON": (";", ":"), "KEY_APOSTROPHE": ("'", '"'), "KEY_LEFTBRACE": ("[", "{"),
    "KEY_RIGHTBRACE": ("]", "}"), "KEY_BACKSLASH": ("\\", "|"), "KEY_GRAVE": ("`", "~"),
    **{f"KEY_KP{d}": (d, d) for d in "0123456789"},
    "KEY_KPMINUS": ("-", "-"), "KEY_KPDOT": (".", "."),
}
_SHIFT_KEYS = {"KEY_LEFTSHIFT", "KEY_RIGHTSHIFT"}


class EvdevKeyMapper:
    """Turns evdev key events (name, value) into characters, tracking Shift and Caps Lock.

    ``value`` is evdev's: 1 = down, 0 = up, 2 = autorepeat. Pure; used by
    :class:`EvdevBadgeReader` on the Pi and directly by tests here.
    """

    def __init__(self):
        self.shift = False
        self.caps = False

    def key(self, name: str, value: int) -> str | None:
        if name in _SHIFT_KEYS:
            self.shift = value != 0
            return None
        if value != 1:
            return None
        if name == "KEY_CAPSLOCK":
            self.caps = not self.caps
            return None
        if name in ("KEY_ENTER", "KEY_KPENTER"):
            return ENTER
        if len(name) == 5 and name.startswith("KEY_") and name[4].isalpha():
            return name[4] if self.shift != self.caps else name[4].lower()
        pair = _EVDEV_KEYS.get(name)
        if pair is None:
            return None
        return pair[1] if self.shift else pair[0]


class _InputDevice(Protocol):
    """The part of ``evdev.InputDevice`` the reader uses (python-evdev ships no type hints)."""

    fd: int

    def grab(self) -> None: ...
    def ungrab(self) -> None: ...
    def close(self) -> None: ...
    def read(self) -> Iterable[Any]: ...


class EvdevBadgeReader:
    """Reads a scanner's input device on the Pi (grabbed, so its keys never reach the UI).

    Runs a thread that waits on the device with a bounded ``select`` so :meth:`close` returns
    promptly; each accepted or refused scan goes to ``on_scan`` (called on that thread).
    """

    def __init__(self, device_path: str, buffer: BadgeScanBuffer, on_scan: Callable[[ScanResult], None],
                 clock: Callable[[], float] | None = None):
        try:
            import evdev  # noqa: F401  (Pi only)
        except ImportError:
            raise BadgeError("reading a badge scanner device needs python-evdev: `pip install evdev` "
                             "(or set handoff.badge_device = \"\" to read the scanner through the screen window)") from None
        import time

        self.device_path = device_path
        self.buffer = buffer
        self.on_scan = on_scan
        self.clock = clock or time.monotonic
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._device: _InputDevice | None = None

    def start(self) -> None:
        import evdev

        try:
            device: _InputDevice = evdev.InputDevice(self.device_path)
            device.grab()
            self._device = device
        except (OSError, PermissionError) as exc:
            raise BadgeError(f"cannot open badge scanner {self.device_path}: {exc}. Fix: check the path "
                             "(ls /dev/input/by-id/) and add the booth user to the 'input' group") from None
        self._thread = threading.Thread(target=self._run, name="badge-scanner", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import select

        import evdev

        device = self._device
        if device is None:  # start() sets it before the thread exists
            raise BadgeError("badge scanner thread started without an open device")
        mapper = EvdevKeyMapper()
        while not self._stop.is_set():
            ready, _, _ = select.select([device.fd], [], [], 0.25)
            if not ready:
                continue
            try:
                events = list(device.read())
            except (BlockingIOError, OSError) as exc:
                if isinstance(exc, BlockingIOError):
                    continue
                log.error("badge scanner %s went away: %s", self.device_path, exc)
                return
            for ev in events:
                if ev.type != evdev.ecodes.EV_KEY:
                    continue
                name = evdev.ecodes.KEY.get(ev.code)
                if isinstance(name, list):
                    name = name[0]
                ch = mapper.key(name or "", ev.value)
                if ch is None:
                    continue
                result = self.buffer.feed(ch, self.clock())
                if result is not None:
                    self.on_scan(result)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        if self._device is not None:
            try:
                self._device.ungrab()
                self._device.close()
            except OSError:
                pass
