"""GPIO push buttons (shutter, keep, retake) as SessionEvents, via gpiozero.

Each configured pin (``[buttons] *_pin``, -1 = none) becomes a :class:`gpiozero.Button`
(pull-up, to ground, 50 ms debounce). Presses arrive on gpiozero's own thread; the callback
only hands a :class:`~booth.types.SessionEvent` (a small immutable value) to ``sink``.
Under ``GPIOZERO_PIN_FACTORY=mock`` the pins can be driven from tests.

>>> buttons = GpioButtons(cfg.buttons, sink=events.put)
>>> buttons.close()
"""

from __future__ import annotations

import logging
from typing import Callable

from ..config import ButtonsSection
from ..types import SessionEvent

log = logging.getLogger(__name__)


def configured(cfg: ButtonsSection) -> dict[str, tuple[int, SessionEvent]]:
    """name -> (pin, event) for every configured button."""
    out = {}
    for name, event in (("shutter", SessionEvent.SHUTTER), ("keep", SessionEvent.KEEP), ("retake", SessionEvent.RETAKE)):
        pin = getattr(cfg, f"{name}_pin")
        if pin >= 0:
            out[name] = (pin, event)
    return out


class GpioButtons:
    """The booth's physical buttons; ``buttons[name]`` is the gpiozero Button."""

    def __init__(self, cfg: ButtonsSection, sink: Callable[[SessionEvent], None]):
        self.buttons = {}
        wanted = configured(cfg)
        if not wanted:
            return
        from gpiozero import Button

        try:
            for name, (pin, event) in wanted.items():
                button = Button(pin, pull_up=True, bounce_time=0.05)
                button.when_pressed = lambda _=None, ev=event: sink(ev)
                self.buttons[name] = button
        except Exception:
            self.close()
            raise
        log.info("buttons: %s", ", ".join(f"{n}=GPIO{p}" for n, (p, _) in wanted.items()))

    def close(self) -> None:
        for button in self.buttons.values():
            button.close()
        self.buttons = {}
