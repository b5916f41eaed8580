"""The composition root: the one place a booth is put together from config and chosen parts.

::

    core(cfg, analyzer=, store=, out_dir=, lights=, saver=)   the pure middle, composed:
        analyzer -> coach -> light controller -> session -> store   (a BoothLoop)
    booth_parts(cfg, camera_spec, inbox, ...)   the running booth's parts: camera (a simulated
        sitter paced like a camera), the core, the light rig, the background saver, handoff
    assemble(cfg, camera_spec, screen=, ...)   a Booth ready to run: parts + screen (or none),
        GPIO buttons, badge keys, systemd watchdog, counters
    sim_rig(cfg)   a LightRig on gpiozero's mock pins (the simulator's lights)

``booth run`` and ``booth demo`` call :func:`assemble`; ``booth replay`` and the scenario
runner (:mod:`booth.simulate`) call :func:`core` and step it themselves, on the video's or the
simulated sitter's clock; the tests call the same functions with fakes for the parts they
choose. No other module constructs a BoothLoop (tests/house/test_import_graph.py checks).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .config import BoothConfig
from .loop import Analyzer, BoothLoop, LightController, Saver
from .types import SessionEvent

if TYPE_CHECKING:
    from .app import Booth, BoothParts, Inbox

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- the middle


@dataclass
class Core:
    """The composed middle of the booth and what it owns (closed by :meth:`close`)."""

    loop: BoothLoop
    analyzer: Analyzer
    store: Any  # booth.output.store.PhotoStore
    controller: LightController | None
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for fn in self.closers:
            fn()
        self.closers.clear()


def core(cfg: BoothConfig, *, analyzer: Analyzer | None = None, store: Any = None,
         out_dir: str | Path | None = None, lights: bool | LightController | None = None,
         saver: Saver | None = None) -> Core:
    """Analyzer, coach, light controller, session and store as one :class:`BoothLoop`.

    ``analyzer``: given, or the real FaceAnalyzer on the real models (then owned and closed
    by :meth:`Core.close`). ``store``: given, or a PhotoStore writing to ``out_dir`` (default
    ``[booth] output_dir``). ``lights``: None follows ``[lights] enabled``; True always steers
    the light (the simulator's mock rig), False never (``booth replay``: a video's light cannot
    be changed); or a controller to use. ``saver``: save on another thread (the app)."""
    closers: list[Callable[[], None]] = []
    if analyzer is None:
        from .vision.analyzer import FaceAnalyzer

        face_analyzer = FaceAnalyzer(cfg)
        closers.append(face_analyzer.close)
        analyzer = face_analyzer
    if store is None:
        from .output.store import PhotoStore

        store = PhotoStore(cfg, out_dir)
    controller: LightController | None
    if lights is None or isinstance(lights, bool):
        wanted = cfg.lights.enabled if lights is None else lights
        controller = None
        if wanted:
            from .lights.controller import LightController as Controller

            controller = Controller(cfg)
    else:
        controller = lights
    loop = BoothLoop(cfg, analyzer, store, light_controller=controller, saver=saver)
    return Core(loop=loop, analyzer=analyzer, store=store, controller=controller, closers=closers)


# --------------------------------------------------------------------------- lights


def sim_rig(cfg: BoothConfig) -> Any:
    """A LightRig on gpiozero mock pins (hardware-PWM channels become mock PWM pins), or None
    when gpiozero is not installed."""
    try:
        from gpiozero.pins.mock import MockFactory, MockPWMPin

        from .lights.rig import LightRig
    except ImportError as exc:
        log.warning("no light rig in the simulator (%s)", exc)
        return None
    lights = cfg.lights
    channels = tuple(dataclasses.replace(c, kind="pwm") if c.kind == "hwpwm" else c for c in lights.channels)
    return LightRig(dataclasses.replace(lights, channels=channels), pin_factory=MockFactory(pin_class=MockPWMPin))


def rig(cfg: BoothConfig, *, required: bool = True) -> Any:
    """The real LightRig for ``[lights]``, None when lights are off; when the rig cannot be
    opened and ``required`` is False (the demo), a warning and no lights."""
    if not cfg.lights.enabled:
        return None
    from .errors import BoothError
    from .lights.rig import LightRig

    try:
        return LightRig(cfg.lights)
    except BoothError as err:
        if required:
            raise
        log.warning("running without lights: %s", err)
        return None


# --------------------------------------------------------------------------- the running booth


class SimCamera:
    """The simulated sitter as the app's camera: frames at a camera's rate (a real camera paces
    itself; the simulator renders as fast as asked) and one lock, because the camera thread
    reads while the analysis worker shows the sitter each step (``respond``)."""

    def __init__(self, sitter: Any, fps: float | None):
        self.sitter = sitter
        self.period = 1.0 / fps if fps else 0.0
        self.name = getattr(sitter, "name", "sim")
        self._lock = threading.Lock()
        self._next = 0.0

    def start(self) -> None:
        with self._lock:
            self.sitter.start()
        # The frame clock's first tick is now: the first frame is there to read at once (the
        # sensor was exposing while the booth started), the next one a period later.
        self._next = time.monotonic() - self.period

    def read(self, timeout: float | None = None) -> Any:
        if self.period:
            # A sensor keeps its own frame clock: a frame read late is already waiting, and the
            # next one still comes on the clock's next tick (resetting the clock at each late
            # read would lose that slack every time). Only a reader more than a frame behind
            # skips ticks (the camera dropped frames).
            self._next += self.period
            now = time.monotonic()
            delay = self._next - now
            if delay > 0:
                time.sleep(delay)  # the camera thread's pacing: a real camera blocks the same way
            elif delay < -self.period:
                self._next = now
        with self._lock:
            return self.sitter.read(timeout)

    def respond(self, actions: Any) -> None:
        with self._lock:
            self.sitter.respond(actions)

    def __getattr__(self, name: str) -> Any:  # capture_still, lock/unlock_exposure, close
        attr = getattr(self.sitter, name)
        if not callable(attr):
            return attr

        def locked(*a: Any, **kw: Any) -> Any:
            with self._lock:
                return attr(*a, **kw)

        return locked


def booth_parts(cfg: BoothConfig, camera_spec: str, inbox: Inbox, *, seed: int = 0, paced: bool = True,
                lights_required: bool = True) -> BoothParts:
    """The real parts for ``camera_spec``: camera, analyzer, light controller and rig, photo
    store behind a background saver, handoff (always: it does retention; the QR page and fleet
    upload when configured) and the booth loop."""
    from .app import BackgroundSaver, BoothParts
    from .camera.select import open_source
    from .handoff import Handoff

    source: Any = open_source(camera_spec, cfg, on_event=inbox.post, seed=seed)
    sitter = None
    if hasattr(source, "respond"):
        if paced and hasattr(source, "follow_wall_clock"):
            source.follow_wall_clock()  # a 3 s countdown takes 3 s, even when a frame is late
        source = sitter = SimCamera(source, cfg.camera.fps if paced else None)

    def badge_read(result: Any) -> None:  # a USB scanner on evdev (scanner thread)
        if result.ok:
            inbox.post(SessionEvent.BADGE_SCANNED, badge_id=result.badge_id)
        else:
            log.info("badge scan refused: %s", result.message)

    from .output.store import PhotoStore

    light_rig = rig(cfg, required=lights_required)
    handoff = Handoff(cfg, on_badge=badge_read).start()
    store = PhotoStore(cfg, lock=True)  # a second booth on this folder stops here (exit 2)

    def after(saved: Any, badge_id: str | None) -> str | None:
        return handoff.on_saved(list(saved.paths), dict(saved.metadata), badge_id)

    def save(candidate: Any, badge_id: str | None, expression: str | None) -> Any:
        return store.save(candidate, badge_id=badge_id, expression=expression)

    saver = BackgroundSaver(save, inbox, after=after)
    middle = core(cfg, store=store, saver=saver.submit)
    return BoothParts(source=source, loop=middle.loop, saver=saver, rig=light_rig, sitter=sitter,
                      close=[middle.close, handoff.close, store.unlock], handoff=handoff, storage=store.readiness)


def badge_keys(handoff: Any, screen: Any, inbox: Inbox) -> Callable[[str], bool]:
    """Keystrokes from a keyboard-wedge badge scanner (or typed on a keyboard) -> badge IDs.

    Characters go to the handoff's scan buffer; Enter ends a scan. An accepted ID reaches the
    session (BADGE_SCANNED: it names the files and goes into the sidecar); a refused one shows
    "please scan again" on screen. Enter with no scan pending stays the shutter/keep key."""

    def on_char(ch: str) -> bool:
        if ch == "\n" and not handoff.scan_buffer.pending:
            return False
        result = handoff.scan_buffer.feed(ch, time.monotonic())
        if result is not None:
            if result.ok:
                inbox.post(SessionEvent.BADGE_SCANNED, badge_id=result.badge_id)
            screen.notice(result.message)
        return True

    return on_char


def assemble(cfg: BoothConfig, camera_spec: str, *, screen: Any = True, seed: int = 0, paced: bool = True,
             lights_required: bool = True, notifier: Any = None, show_status: bool = False,
             buttons: bool = True) -> Booth:
    """A Booth ready to ``run()``: :func:`booth_parts` for ``camera_spec`` plus the screen
    (True: the pygame screen for ``[ui]``; None: no screen; or a screen object), GPIO buttons,
    badge keys on the screen's keyboard, the watchdog ``notifier`` and the durable counters."""
    from .app import Booth, Inbox
    from .stats import SessionStats

    inbox = Inbox()
    parts = booth_parts(cfg, camera_spec, inbox, seed=seed, paced=paced, lights_required=lights_required)
    if screen is True:
        from .ui.screen import Screen

        screen = Screen(cfg.ui)
    if screen is not None:
        screen.review_s = cfg.booth.review_s
        screen.on_char = badge_keys(parts.handoff, screen, inbox)
        if cfg.speech.enabled:  # spoken prompts: cached per language, synthesised on first start
            from .ui.speech import Speaker

            screen.speaker = Speaker(cfg).start()
            parts.close.append(screen.speaker.close)
    if buttons:
        from .ui.buttons import GpioButtons

        parts.buttons = GpioButtons(cfg.buttons, inbox.post)
    return Booth(cfg, parts, screen=screen, notifier=notifier, stats=SessionStats(cfg.service.stats_file),
                 show_status=show_status, inbox=inbox)
