"""The light rig: named light channels on GPIO pins, driven by perceptual levels 0..1.

A channel turns a *level* (what the controller thinks in: 0 = off, 1 = full, steps look
even to the eye) into a *duty cycle* (what the driver gets)::

    level 0            -> off (duty 0), whatever min_level says
    level > 0          -> clamped to [min_level, max_level], then duty = level ** gamma

Three kinds of channel, picked by ``kind`` in the config:

``pwm``
    gpiozero's :class:`~gpiozero.PWMOutputDevice`. On a Pi 5 (lgpio) this is software-timed
    PWM: fine for a background or a status LED, but it bands against the camera's rolling
    shutter at low frequencies, so the config refuses it on a key light below
    ``lights.min_soft_pwm_key_hz``.
``hwpwm``
    the kernel's PWM block through sysfs (``/sys/class/pwm/pwmchipN``): jitter-free at
    >= 20 kHz, which is what a key light wants. Needs ``dtoverlay=pwm-2chan`` (see
    hardware/README.md). The sysfs root is a parameter so tests drive a fake tree.
``onoff``
    gpiozero's :class:`~gpiozero.DigitalOutputDevice`: a relay or an undimmable lamp; on for
    any level above 0.

Every live rig is switched off when the process ends: on :meth:`LightRig.close`, at
interpreter exit (atexit) and on SIGTERM (systemd's stop). Kernel PWM keeps running after a
process dies, so this matters more for ``hwpwm`` than for gpiozero pins; for a hard crash
(SIGKILL, power) the hardware's gate pull-downs and ``booth lights off`` in the service's
``ExecStopPost`` are the backstop.

Example, on a desk (mock pins)::

    >>> from booth.config import BoothConfig
    >>> from booth.types import LightLevels
    >>> with LightRig(BoothConfig().lights, sysfs_root="/tmp/fake-pwm") as rig:   # doctest: +SKIP
    ...     rig.apply(LightLevels.of(key_left=0.6, key_right=0.6))
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import threading
import time
import weakref
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

from ..config import LightChannel, LightsSection
from ..errors import BoothError
from ..types import LightLevels

log = logging.getLogger(__name__)

PI5_OVERLAY_HINT = (
    "enable the kernel PWM: add 'dtoverlay=pwm-2chan,pin=12,func=4,pin2=13,func2=4' to "
    "/boot/firmware/config.txt and reboot (see hardware/README.md)"
)


class LightRigError(BoothError):
    """A light channel cannot be driven (no PWM chip, no permission, pin in use ...)."""


def duty_for(level: float, channel: LightChannel) -> tuple[float, float]:
    """(applied level, duty cycle) for a requested perceptual ``level`` on ``channel``.

    Level 0 (or below) is off. Anything above is held inside the channel's
    [min_level, max_level] (an LED driver below its minimum dims unevenly or flickers), then
    raised to ``gamma``: light output is roughly proportional to duty, the eye is not.
    """
    if not level > 0.0:  # also catches NaN
        return 0.0, 0.0
    applied = min(max(level, channel.min_level), channel.max_level)
    if applied <= 0.0:
        return 0.0, 0.0
    return applied, min(1.0, applied ** channel.gamma)


# ------------------------------------------------------------------------------ outputs


class Output(Protocol):
    """One physical output: takes a duty cycle 0..1."""

    def write(self, duty: float) -> None: ...

    def close(self) -> None: ...


class GpioPwmOutput:
    """A gpiozero PWMOutputDevice (software PWM on lgpio; PWM-capable mock pins in tests)."""

    def __init__(self, channel: LightChannel, pin_factory=None):
        from gpiozero import PWMOutputDevice
        from gpiozero.exc import GPIOZeroError

        try:
            self.device = PWMOutputDevice(channel.pin, frequency=channel.frequency_hz, initial_value=0,
                                          pin_factory=pin_factory)
        except GPIOZeroError as exc:
            raise LightRigError(
                f"light {channel.name!r}: GPIO{channel.pin} cannot do PWM ({type(exc).__name__}: {exc}). "
                "Fix: check lights.channels pin numbers (another device may hold the pin); with "
                "GPIOZERO_PIN_FACTORY=mock set GPIOZERO_MOCK_PIN_CLASS=mockpwmpin"
            ) from None

    def write(self, duty: float) -> None:
        self.device.value = duty

    def close(self) -> None:
        self.device.close()


class GpioOnOffOutput:
    """A gpiozero DigitalOutputDevice: on for any duty above zero."""

    def __init__(self, channel: LightChannel, pin_factory=None):
        from gpiozero import DigitalOutputDevice
        from gpiozero.exc import GPIOZeroError

        try:
            self.device = DigitalOutputDevice(channel.pin, initial_value=False, pin_factory=pin_factory)
        except GPIOZeroError as exc:
            raise LightRigError(f"light {channel.name!r}: GPIO{channel.pin} is not usable ({exc}). "
                                "Fix: check lights.channels pin numbers") from None

    def write(self, duty: float) -> None:
        self.device.value = duty > 0.0

    def close(self) -> None:
        self.device.close()


class SysfsPwmOutput:
    """One channel of a kernel PWM chip, through ``<root>/pwmchipN/pwmM/{period,duty_cycle,enable}``.

    The kernel wants times in nanoseconds and a duty no longer than the period, so the
    period is written first on a freshly exported channel (whose duty is 0). Export is
    asynchronous on a real system (udev fixes the permissions a moment later), hence the
    short wait for the channel's files to become writable.
    """

    def __init__(self, channel: LightChannel, root: str | os.PathLike = "/sys/class/pwm",
                 export_timeout_s: float = 2.0):
        self.name = channel.name
        self.chip_dir = Path(root) / f"pwmchip{channel.pwm_chip}"
        self.index = channel.pwm_channel
        self.dir = self.chip_dir / f"pwm{self.index}"
        self.period_ns = max(1, round(1e9 / channel.frequency_hz))
        if not self.chip_dir.is_dir():
            present = sorted(p.name for p in Path(root).glob("pwmchip*")) if Path(root).is_dir() else []
            raise LightRigError(
                f"light {channel.name!r}: no PWM chip at {self.chip_dir} (present: {', '.join(present) or 'none'}). "
                f"Fix: {PI5_OVERLAY_HINT}, or set lights.channels pwm_chip to one of the present chips"
            )
        npwm = self._read_int(self.chip_dir / "npwm")
        if npwm is not None and self.index >= npwm:
            raise LightRigError(f"light {channel.name!r}: {self.chip_dir} has {npwm} channels, "
                                f"pwm_channel = {self.index} does not exist. Fix: lights.channels pwm_channel")
        if not (self.dir / "enable").exists():
            self._write(self.chip_dir / "export", self.index)
            self._wait_writable(export_timeout_s)
        # Duty first when shrinking the period: the kernel refuses duty > period.
        self._write(self.dir / "duty_cycle", 0)
        try:
            self._write(self.dir / "period", self.period_ns)
        except LightRigError as exc:
            raise LightRigError(f"{exc}; the chip may not reach {channel.frequency_hz:g} Hz: "
                                "lower lights.channels frequency_hz (>= 20000 for a key light)") from None
        self._write(self.dir / "enable", 1)

    def write(self, duty: float) -> None:
        self._write(self.dir / "duty_cycle", round(min(max(duty, 0.0), 1.0) * self.period_ns))

    def close(self) -> None:
        # Off and disabled before giving the channel back: kernel PWM outlives this process.
        self._write(self.dir / "duty_cycle", 0)
        self._write(self.dir / "enable", 0)
        try:
            self._write(self.chip_dir / "unexport", self.index)
        except LightRigError as exc:
            log.debug("unexport of %s failed (already off): %s", self.dir, exc)

    def _wait_writable(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            if all(os.access(self.dir / f, os.W_OK) for f in ("period", "duty_cycle", "enable")):
                return
            if time.monotonic() >= deadline:
                raise LightRigError(
                    f"light {self.name!r}: exported {self.dir} but its files did not become writable in "
                    f"{timeout_s:g} s. Fix: add the booth user to the 'gpio' group (Raspberry Pi OS's udev "
                    "rule opens /sys/class/pwm to it) or run the service with access to sysfs PWM"
                )
            time.sleep(0.02)  # start-up only, never in the frame loop

    def _write(self, path: Path, value: int) -> None:
        try:
            with open(path, "w") as fh:
                fh.write(f"{value}\n")
        except PermissionError:
            raise LightRigError(f"light {self.name!r}: no permission to write {path}. Fix: add the booth user to "
                                "the 'gpio' group, or run the service with access to sysfs PWM") from None
        except OSError as exc:
            raise LightRigError(f"light {self.name!r}: writing {value} to {path} failed ({exc.strerror or exc})") from None

    @staticmethod
    def _read_int(path: Path) -> int | None:
        try:
            return int(path.read_text().strip())
        except (OSError, ValueError):
            return None


# ------------------------------------------------------------------------------ the rig


def default_pin_factory():
    """The pin factory for gpiozero devices: None lets gpiozero choose (lgpio on a Pi 5).

    gpiozero's plain mock pins cannot do PWM; when GPIOZERO_PIN_FACTORY=mock asks for mock
    pins without naming a pin class, the rig uses PWM-capable mock pins so that the app and
    the simulator run on a desk with the same config as the Pi.
    """
    if os.environ.get("GPIOZERO_PIN_FACTORY", "").lower() == "mock" and not os.environ.get("GPIOZERO_MOCK_PIN_CLASS"):
        from gpiozero.pins.mock import MockFactory, MockPWMPin

        return MockFactory(pin_class=MockPWMPin)
    return None


def _is_mock(factory) -> bool:
    from gpiozero.pins.mock import MockFactory

    return isinstance(factory, MockFactory)


class LightRig:
    """All of the booth's lights, by name. ``apply`` sets levels, ``levels`` says what is lit.

    Channels not named in an :class:`~booth.types.LightLevels` keep their level; names the
    rig does not have are ignored (logged once), so a rig with fewer lights than the
    controller knows about still works. With ``lights.enabled = false`` no pin is touched
    and ``levels`` still records what would be lit.
    """

    def __init__(self, cfg: LightsSection, pin_factory=None, sysfs_root: str | os.PathLike = "/sys/class/pwm"):
        self.cfg = cfg
        self._lock = threading.RLock()  # RLock: the SIGTERM handler may interrupt apply() on the same thread
        self._specs: dict[str, LightChannel] = {ch.name: ch for ch in cfg.channels}
        self._outputs: dict[str, Output] = {}
        self._levels: dict[str, float] = {name: 0.0 for name in self._specs}
        self._unknown_warned: set[str] = set()
        self._applied_once: set[str] = set()  # written to the output at least once
        self._closed = False
        if cfg.enabled:
            factory = pin_factory if pin_factory is not None else default_pin_factory()
            try:
                for ch in cfg.channels:
                    self._outputs[ch.name] = self._open(ch, factory, sysfs_root)
            except BaseException:
                self._close_outputs()
                raise
        _register(self)

    @staticmethod
    def _open(ch: LightChannel, factory, sysfs_root) -> Output:
        if ch.kind == "hwpwm":
            if _is_mock(factory) and not (Path(sysfs_root) / f"pwmchip{ch.pwm_chip}").is_dir():
                # On a desk (mock pins, no kernel PWM) the key lights become mock PWM pins, so
                # `booth run`/`demo` exercise the same rig; on a Pi a missing chip is an error.
                log.warning("light %r: no %s/pwmchip%d on mock pins; using a mock PWM pin instead",
                            ch.name, sysfs_root, ch.pwm_chip)
                return GpioPwmOutput(ch, factory)
            return SysfsPwmOutput(ch, sysfs_root)
        if ch.kind == "onoff":
            return GpioOnOffOutput(ch, factory)
        return GpioPwmOutput(ch, factory)

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(self._specs)

    @property
    def levels(self) -> LightLevels:
        """The levels that are lit now (after min/max clamping; before gamma)."""
        with self._lock:
            return LightLevels(MappingProxyType(dict(self._levels)))

    def apply(self, levels: LightLevels) -> LightLevels:
        """Set the named channels; returns what is lit afterwards. After :meth:`close` (for
        example from the SIGTERM handler while a frame is still being processed) it does
        nothing and reports everything off."""
        with self._lock:
            if self._closed:
                # A frame still in flight when SIGTERM closed the rig: never light up again.
                log.debug("light rig closed; ignoring %s", levels)
                return self.levels
            for name, level in levels.levels.items():
                spec = self._specs.get(name)
                if spec is None:
                    if name not in self._unknown_warned:
                        self._unknown_warned.add(name)
                        log.warning("no light channel %r in lights.channels; ignoring its level", name)
                    continue
                applied, duty = duty_for(level, spec)
                if applied == self._levels[name] and name in self._applied_once:
                    continue
                out = self._outputs.get(name)
                if out is not None:
                    out.write(duty)
                self._levels[name] = applied
                self._applied_once.add(name)
            return self.levels

    def off(self) -> None:
        """Every channel dark now (safe to call any number of times, also after close)."""
        with self._lock:
            for name, out in self._outputs.items():
                try:
                    out.write(0.0)
                except Exception as exc:  # noqa: BLE001 - keep switching the others off
                    log.error("could not switch light %r off: %s", name, exc)
            for name in self._levels:
                self._levels[name] = 0.0

    def close(self) -> None:
        """Off, then release the pins and PWM channels. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self.off()
            self._close_outputs()
            self._closed = True
        _unregister(self)

    def _close_outputs(self) -> None:
        for name, out in list(self._outputs.items()):
            try:
                out.close()
            except Exception as exc:  # noqa: BLE001 - close the others all the same
                log.error("closing light %r failed: %s", name, exc)
        self._outputs.clear()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> "LightRig":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        lit = ", ".join(f"{k}={v:.2f}" for k, v in self._levels.items())
        return f"<LightRig {'closed' if self._closed else lit}>"


# ------------------------------------------------------------------------------ safety net

_live: "weakref.WeakSet[LightRig]" = weakref.WeakSet()
_installed = False
_previous_handlers: dict[int, object] = {}
_SIGNALS = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None)


def _register(rig: LightRig) -> None:
    global _installed
    _live.add(rig)
    if _installed:
        return
    _installed = True
    # Registered after gpiozero's own atexit hook (imported above), so it runs before gpiozero
    # closes the pins: the lights go dark by our hand, not by a floating pin.
    atexit.register(all_off)
    if threading.current_thread() is threading.main_thread():
        for sig in _SIGNALS:
            try:
                _previous_handlers[sig] = signal.signal(sig, _on_signal)
            except (ValueError, OSError):  # not allowed here (embedded interpreter)
                pass
    else:
        log.warning("light rig created off the main thread: no SIGTERM handler; lights go off at exit only")


def _unregister(rig: LightRig) -> None:
    _live.discard(rig)


def all_off() -> None:
    """Switch every live rig off and release it (atexit / signal path; never raises)."""
    for rig in list(_live):
        try:
            rig.close()
        except Exception as exc:  # noqa: BLE001  # pragma: no cover - last-ditch path
            log.error("lights off at exit failed: %s", exc)


def _on_signal(signum, frame) -> None:
    all_off()
    previous = _previous_handlers.get(signum)
    if callable(previous):
        previous(signum, frame)
    elif previous == signal.SIG_IGN:
        return
    else:
        # The default action would kill the process without atexit; exit "normally" instead so
        # that finally blocks and the other atexit hooks (gpiozero's pin release) still run.
        raise SystemExit(128 + signum)
