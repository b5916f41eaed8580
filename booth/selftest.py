"""`booth check`: the installer's self-test, one PASS/FAIL/SKIP line per part, each with the fix.

Every check is a small function returning :class:`CheckLine` values; nothing is reported as
passing that was not exercised (a light driven on mock pins says so; buttons that are not
configured are SKIPped, not passed). ``booth check`` exits 1 when any line FAILs.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from .config import BoothConfig
from .errors import BoothError
from .output.store import free_mb as store_free_mb


@dataclass(frozen=True)
class CheckLine:
    status: str  # PASS | FAIL | SKIP
    part: str
    detail: str

    def __str__(self) -> str:
        return f"{self.status:4s}  {self.part:14s} {self.detail}"


def PASS(part, detail):  # noqa: N802 - reads like the output line
    return CheckLine("PASS", part, detail)


def FAIL(part, detail):  # noqa: N802
    return CheckLine("FAIL", part, detail)


def SKIP(part, detail):  # noqa: N802
    return CheckLine("SKIP", part, detail)


def check_runtime() -> Iterator[CheckLine]:
    import numpy
    import pygame

    from . import __version__
    from .runtime import runtime

    try:
        rt = runtime().describe()
    except BoothError as err:
        yield FAIL("runtime", str(err))
        return
    try:
        import cv2

        cv = cv2.__version__
    except ImportError:
        yield FAIL("runtime", "OpenCV is missing. Fix: pip install opencv-python-headless (or apt python3-opencv)")
        return
    yield PASS("runtime", f"booth {__version__}, Python {sys.version.split()[0]}, {rt}, numpy {numpy.__version__}, "
                          f"OpenCV {cv}, pygame-ce {pygame.version.ver}")


def check_models() -> Iterator[CheckLine]:
    from .models import verify

    problems = verify(log=lambda *_: None)
    if problems:
        for err in problems:
            yield FAIL("models", str(err))
    else:
        from .models import load_manifest

        yield PASS("models", f"{len(load_manifest())} model files present and matching their sha256")


def check_storage(cfg: BoothConfig) -> Iterator[CheckLine]:
    for part, directory in (("disk", Path(cfg.booth.output_dir)), ("stats", Path(cfg.service.stats_file).parent)):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".booth-check-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(b"x" * 4096)
                fh.flush()
                os.fsync(fh.fileno())
            os.unlink(tmp)
        except OSError as exc:
            yield FAIL(part, f"cannot write to {directory.resolve()} ({exc.strerror}). Fix: create it and give the "
                             "booth user write access (systemd: StateDirectory=booth), or change the path in the config")
            continue
        if part == "disk":
            free_mb = store_free_mb(directory)  # the store's own measure: PASS here means it will save
            if free_mb < cfg.booth.min_free_mb:
                yield FAIL(part, f"{directory.resolve()}: only {free_mb:.0f} MB free, the booth needs "
                                 f"{cfg.booth.min_free_mb:.0f} MB. Fix: free space or lower [booth] retention_hours")
                continue
            yield PASS(part, f"{directory.resolve()} writable, {free_mb:.0f} MB free (needs {cfg.booth.min_free_mb:.0f})")
        else:
            yield PASS(part, f"{directory.resolve()} writable")


def check_display(cfg: BoothConfig) -> Iterator[CheckLine]:
    import pygame

    try:
        pygame.display.init()
    except pygame.error as exc:
        yield FAIL("display", f"SDL could not open a display ({exc}). Fix: on a Pi without a desktop use "
                              "SDL_VIDEODRIVER=kmsdrm and add the booth user to the video and render groups")
        return
    driver = pygame.display.get_driver()
    try:
        if driver in ("dummy", "offscreen"):
            yield SKIP("display", f"SDL_VIDEODRIVER={driver}: no screen to test (headless). Fix: unset it on the booth")
            return
        from .ui.screen import Screen
        from .ui.view import View
        from .types import BoothState

        screen = Screen(cfg.ui)
        screen.draw(View(BoothState.ATTRACT))
        screen.present()
        w, h = screen.layout.size
        screen.close()
        yield PASS("display", f"{driver} {w}x{h} ({'fullscreen' if cfg.ui.fullscreen else 'window'})")
    except pygame.error as exc:
        yield FAIL("display", f"{driver}: {exc}. Fix: check the HDMI/DSI cable and /dev/dri permissions (video, render groups)")
    finally:
        pygame.display.quit()


def check_camera(cfg: BoothConfig, spec: str | None) -> Iterator[CheckLine]:
    from .camera.select import open_source

    spec = spec or cfg.camera.source
    try:
        source = open_source(spec, cfg, resilient=False)
    except BoothError as err:
        yield FAIL("camera", str(err))
        return
    try:
        source.start()
        t0 = time.monotonic()
        frame = source.read(cfg.camera.timeout_s)
        first_ms = (time.monotonic() - t0) * 1000
        n, t1 = 0, time.monotonic()
        while n < 10 and time.monotonic() - t1 < 2.0:
            source.read(cfg.camera.timeout_s)
            n += 1
        rate = n / max(1e-6, time.monotonic() - t1)
        yield PASS("camera", f"{spec} -> {getattr(source, 'name', type(source).__name__)}: preview "
                             f"{frame.size[0]}x{frame.size[1]} at {rate:.0f} fps (first frame {first_ms:.0f} ms)")
        still = source.capture_still()
        h, w = still.best.shape[:2]
        if still.full is None:
            yield PASS("camera still", f"{w}x{h} (this source has no separate still stream)")
        else:
            yield PASS("camera still", f"{w}x{h}, same field of view as the preview")
        yield from check_background(cfg, still.best)
    except BoothError as err:
        yield FAIL("camera", f"{spec}: {err}")
    finally:
        try:
            source.close()
        except Exception:  # noqa: BLE001 - closing a failed camera must not hide the result
            pass


def check_lights(cfg: BoothConfig, hold_s: float = 0.6) -> Iterator[CheckLine]:
    if not cfg.lights.enabled:
        yield SKIP("lights", "[lights] enabled = false")
        return
    from .lights.rig import LightRig
    from .types import LightLevels

    factory = os.environ.get("GPIOZERO_PIN_FACTORY", "")
    try:
        rig = LightRig(cfg.lights)
    except BoothError as err:
        yield FAIL("lights", str(err))
        return
    except Exception as exc:  # noqa: BLE001 - gpiozero raises its own hierarchy
        yield FAIL("lights", f"{type(exc).__name__}: {exc}. Fix: add the booth user to the gpio group and check "
                             "the pins in [[lights.channels]]")
        return
    try:
        for ch in cfg.lights.channels:
            try:
                rig.apply(LightLevels.of(**{ch.name: 1.0}))
                time.sleep(hold_s)
                rig.apply(LightLevels.of(**{ch.name: 0.0}))
            except Exception as exc:  # noqa: BLE001
                yield FAIL(f"light {ch.name}", f"GPIO{ch.pin} ({ch.kind}): {exc}")
                continue
            if factory == "mock":
                # The driver path ran, but no lamp was lit: not a pass for an installer.
                yield SKIP(f"light {ch.name}", f"GPIO{ch.pin} {ch.kind}: GPIOZERO_PIN_FACTORY=mock, nothing physical "
                                               "to light (driver path ran). Fix: unset it on the booth")
            else:
                yield PASS(f"light {ch.name}", f"GPIO{ch.pin} {ch.kind} {ch.frequency_hz:g} Hz driven to full and back: "
                                               "check that it lit")
    finally:
        try:
            rig.off()
            rig.close()
        except Exception:  # noqa: BLE001
            pass


def check_buttons(cfg: BoothConfig, timeout_s: float = 10.0, say: Callable[[str], None] = print,
                  sink_hook: Callable[[Callable], None] | None = None) -> Iterator[CheckLine]:
    from .ui.buttons import GpioButtons, configured

    wanted = configured(cfg.buttons)
    if not wanted:
        yield SKIP("buttons", "none configured ([buttons] *_pin = -1); the touch screen is the only input")
        return
    pressed: dict = {}
    got = threading.Event()

    def sink(event):
        pressed[event] = time.monotonic()
        got.set()

    try:
        buttons = GpioButtons(cfg.buttons, sink)
    except Exception as exc:  # noqa: BLE001
        yield FAIL("buttons", f"{exc}. Fix: check [buttons] pins and the gpio group")
        return
    try:
        if sink_hook is not None:
            sink_hook(sink)
        for name, (pin, event) in wanted.items():
            got.clear()
            say(f"       press the {name.upper()} button (GPIO{pin}) within {timeout_s:.0f} s ...")
            end = time.monotonic() + timeout_s
            while event not in pressed and time.monotonic() < end:
                got.wait(0.05)
                got.clear()
            if event in pressed:
                yield PASS(f"button {name}", f"GPIO{pin} press seen")
            else:
                yield FAIL(f"button {name}", f"GPIO{pin}: no press within {timeout_s:.0f} s. Fix: wire the button "
                                             "between the pin and GND (internal pull-up) or correct [buttons] "
                                             f"{name}_pin")
    finally:
        buttons.close()


def check_background(cfg: BoothConfig, image) -> Iterator[CheckLine]:
    """The wall behind the seat: the clutter measure of the finished photos
    (:func:`booth.output.finish.clutter`) on what the camera sees, person left out; advice,
    never a failure (the booth works in front of any wall)."""
    from .output import finish
    from .vision.expression import Segmenter

    try:
        prob = Segmenter(cfg.vision.threads).probability(image)
    except Exception as exc:  # noqa: BLE001 - no model: say so, the models line fails already
        yield SKIP("background", f"segmentation unavailable ({exc})")
        return
    alpha = finish.upsample_mask(prob, (image.shape[1], image.shape[0]))
    value = finish.clutter(image, alpha < 0.5)
    o = cfg.output
    level = finish.clutter_level(value, o.clutter_advise, o.clutter_busy)
    if value is None:
        yield SKIP("background", "nothing of the background is visible (someone fills the frame)")
        return
    advice = finish.clutter_advice(level, o.background)
    yield PASS("background", f"clutter {value:.1f} ({level}; advise above {o.clutter_advise:g}, busy above "
                             f"{o.clutter_busy:g})" + (f": {advice}" if advice else ""))


def run_checks(cfg: BoothConfig, camera: str | None = None, button_timeout_s: float = 10.0,
               out: Callable[[str], None] = print) -> list[CheckLine]:
    lines: list[CheckLine] = []
    groups = (check_runtime(), check_models(), check_storage(cfg), check_display(cfg), check_camera(cfg, camera),
              check_lights(cfg), check_buttons(cfg, button_timeout_s, say=out))
    for group in groups:
        try:
            for line in group:
                out(str(line))
                lines.append(line)
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others
            line = FAIL("self-test", f"{type(exc).__name__}: {exc}")
            out(str(line))
            lines.append(line)
    fails = sum(1 for line in lines if line.status == "FAIL")
    skips = sum(1 for line in lines if line.status == "SKIP")
    out(f"{len(lines) - fails - skips} passed, {fails} failed, {skips} skipped")
    return lines
