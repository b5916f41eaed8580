"""From a source spec string to a running frame source.

Specs (``[camera] source`` or ``--source``)::

    auto            picamera2 if a Pi camera is listed, else the first USB webcam
    picamera2[:N]   Pi camera N through picamera2
    opencv:N        USB webcam /dev/videoN
    file:PATH       a video file or a folder of images (loops per [camera] loop)
    sim[:SCENARIO]  the simulated sitter (booth/camera/sim), default scenario enter-off-centre

Real cameras come wrapped in :class:`~booth.camera.base.ResilientSource`, so every caller
gets retries, lost/back events and the fatal exit for systemd without asking for them.
"""

from __future__ import annotations

import importlib
from typing import Callable

from ..errors import ConfigError
from ..types import SessionEvent
from .base import FrameSource, ResilientSource


def _picamera2_listed() -> bool:
    try:
        mod = importlib.import_module("picamera2")
    except ImportError:
        return False
    try:
        return bool(mod.Picamera2.global_camera_info() if hasattr(mod.Picamera2, "global_camera_info")
                    else mod.global_camera_info())
    except Exception:  # noqa: BLE001 - any failure of the probe means: no Pi camera here
        return False


def source_factory(spec: str, cfg, seed: int = 0) -> Callable[[], FrameSource]:
    """A function that builds a fresh, unstarted source for ``spec`` (ConfigError if malformed)."""
    kind, _, arg = spec.strip().partition(":")
    kind = kind.lower()
    if kind == "auto":
        kind, arg = ("picamera2", "0") if _picamera2_listed() else ("opencv", "0")
    if kind == "picamera2":
        from .picam import PiCamera2Source

        num = _int(arg or "0", spec)
        return lambda: PiCamera2Source(cfg, num)
    if kind == "opencv":
        from .opencv import OpenCVSource

        num = _int(arg or "0", spec)
        return lambda: OpenCVSource(cfg, num)
    if kind == "file":
        if not arg:
            raise ConfigError(f"camera source {spec!r} needs a path: file:PATH")
        from .files import FileSource

        return lambda: FileSource(cfg, arg)
    if kind == "sim":
        from .sim import SimulatedSitter, scenario_named

        scenario = scenario_named(arg or "enter-off-centre")
        return lambda: SimulatedSitter(scenario, seed, cfg)
    raise ConfigError(
        f"camera.source = {spec!r} is not a source; allowed: auto | picamera2[:N] | opencv:N | file:PATH | sim[:SCENARIO]"
    )


def _int(text: str, spec: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"camera source {spec!r}: {text!r} is not a device number") from None


def open_source(spec: str | None, cfg, on_event: Callable[[SessionEvent], None] | None = None, seed: int = 0,
                resilient: bool = True, sleep=None) -> FrameSource:
    """An unstarted source for ``spec`` (default: ``cfg.camera.source``); use it with ``with``.

    Simulated sitters are returned bare (their faults are scripted by the scenario itself and
    they need :meth:`respond`); everything else is wrapped for retries unless ``resilient``
    is False."""
    spec = spec or cfg.camera.source
    factory = source_factory(spec, cfg, seed)
    if spec.strip().lower().startswith("sim") or not resilient:
        return factory()
    kwargs = {} if sleep is None else {"sleep": sleep}
    return ResilientSource(factory, cfg, on_event=on_event, **kwargs)
