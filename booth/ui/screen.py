"""The sitter's screen, drawn with pygame-ce from a :class:`~booth.ui.view.View`.

pygame-ce picks its video driver from ``SDL_VIDEODRIVER``: ``kmsdrm`` fullscreen on a Pi
without a desktop, a window at a desk, ``dummy`` in tests and headless runs. Everything is
drawn into ``self.surface``; :meth:`Screen.present` puts it on the display.

What the sitter sees, by state:

- attract: the dimmed live preview and an invitation to step in;
- guiding / countdown: the mirrored live preview, a head-and-shoulders guide drawn exactly
  on the output crop (coloured red -> amber -> green by readiness), one large prompt line,
  a big countdown number, a white capture flash; for a graded move ("take a step to your
  left") an arrow across the sitter's shoulders, as long on screen as the way to go in the
  preview, so its tip lands about where the face should be;
- review: the best 2-3 frames cut to the output crop, Keep / Retake buttons;
- thank-you: the kept photo and, with a download link, a QR code;
- error: the message on a red band (camera lost, disk full ...).

Each of these is a widget in :mod:`booth.ui.widgets`; the screen keeps the window, the
event polling and the choice of widget for the view's state.

Text is white on near-black and at least ~1/14 of the short screen side tall, so a 7"
panel is readable from 1.5 m. Touch targets are at least 1/8 of the short side.

>>> screen = Screen(UiSection(fullscreen=False))
>>> screen.draw(View(BoothState.ATTRACT)); screen.present()
>>> events = screen.poll()   # SessionEvents from touches and keys
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Callable, Protocol

import pygame

from ..config import UiSection
from ..i18n import LANGUAGES
from ..types import BoothState, SessionEvent
from .keys import events_for_key
from .text import HIGH_CONTRAST_SCALE, TextBlock, Typeface
from .view import View
from .widgets.attract import Attract, LanguageButtons
from .widgets.canvas import INK, WHITE, Canvas, Colour, DrawnText
from .widgets.consent import Consent
from .widgets.countdown import Centre, Countdown, ScreenRect
from .widgets.geometry import Layout, mirror_rect, place_image, readiness_colour
from .widgets.guiding import Guiding
from .widgets.out_of_service import (ERROR_HEADLINE_UNIT, ERROR_OPERATOR_UNIT, ERROR_SITTER_UNIT, ErrorScreen,
                                     OutOfService)
from .widgets.preview import ARROW, PreviewWithGuide
from .widgets.prompt_bar import PromptBar
from .widgets.review import Review
from .widgets.series_review import SeriesReview
from .widgets.thank_you import ThankYou

if TYPE_CHECKING:
    from .speech import Speaker

# Names other rooms and the tests reach through this module (the widgets own them now).
__all__ = ["ARROW", "ERROR_HEADLINE_UNIT", "ERROR_OPERATOR_UNIT", "ERROR_SITTER_UNIT", "DrawnText", "Layout",
           "Screen", "mirror_rect", "place_image", "readiness_colour"]


class Widget(Protocol):
    def draw(self, view: View) -> None: ...


class Screen:
    """A pygame-ce display that draws Views and reports touches and keys as SessionEvents.

    ``size`` overrides the configured size (tests draw both orientations); with
    ``fullscreen`` the display's own size is used.
    """

    FLASH_S = 0.18
    face_rect = Countdown.face_rect

    def __init__(self, ui: UiSection, size: tuple[int, int] | None = None, title: str = "booth"):
        self.pg = pygame
        self.ui = ui
        # Typed characters go here first (a USB badge scanner is a keyboard): it returns
        # True when it took the key, which then is not a command. Set by the app.
        self.on_char: Callable[[str], bool] | None = None
        # Spoken prompts (booth/ui/speech.py): told each drawn View, says what changed. Set by the app.
        self.speaker: Speaker | None = None
        self._notice: tuple[str, float] | None = None  # (text, until): a short message over any screen
        pygame.display.init()
        pygame.font.init()
        driver = pygame.display.get_driver()
        w, h = size or (ui.width, ui.height)
        if size is None and (ui.orientation == "portrait") != (h > w):
            w, h = h, w
        flags = 0
        if ui.fullscreen and driver not in ("dummy", "offscreen") and size is None:
            flags |= pygame.FULLSCREEN
            info = pygame.display.Info()
            if info.current_w > 0 and info.current_h > 0:
                w, h = info.current_w, info.current_h
        pygame.display.set_caption(title)
        self.display = pygame.display.set_mode((w, h), flags)
        if driver not in ("dummy", "offscreen") and ui.fullscreen:
            pygame.mouse.set_visible(False)
        self.driver = driver
        typeface = Typeface(pygame, ui.text_scale * (HIGH_CONTRAST_SCALE if ui.high_contrast else 1.0))
        self.canvas = c = Canvas(self.display, ui, typeface)
        self.preview = PreviewWithGuide(c)
        self.prompt_bar = PromptBar(c)
        self.countdown = Countdown(c)
        languages = LanguageButtons(c)
        self.review = Review(c)
        self.series_review = SeriesReview(c)
        self.error = ErrorScreen(c, self.preview)
        guiding = Guiding(c, self.preview, self.prompt_bar, self.countdown)
        #: the widget that draws each state (the rest: the live guiding screen)
        self.widgets: dict[BoothState, Widget] = {
            BoothState.ATTRACT: Attract(c, self.preview, self.prompt_bar, languages),
            BoothState.CONSENT: Consent(c, self.preview, languages),
            BoothState.REVIEW: self.review,
            BoothState.SERIES_REVIEW: self.series_review,
            BoothState.SAVING: (thanks := ThankYou(c)),
            BoothState.THANK_YOU: thanks,
            BoothState.ERROR: self.error,
            BoothState.PAUSED: OutOfService(c, self.prompt_bar),
        }
        self._guiding = guiding
        self._flash_until = 0.0
        self.quit_requested = False
        self.last_state: BoothState | None = None
        self.last_review_count = 0

    # ------------------------------------------------------------------ the canvas, as tests and the app see it

    @property
    def surface(self) -> pygame.Surface:
        return self.canvas.surface

    @property
    def layout(self) -> Layout:
        return self.canvas.layout

    @property
    def typeface(self) -> Typeface:
        return self.canvas.typeface

    @property
    def min_text_px(self) -> int:
        """The size rule for sitter text (booth/ui/text.py)."""
        return self.canvas.min_text_px

    @property
    def drawn(self) -> list[DrawnText]:
        """The text of the last draw()."""
        return self.canvas.drawn

    @property
    def review_s(self) -> float:
        """booth.review_s: the review screen says when the booth keeps the best by itself (the app sets it)."""
        return self.review.review_s

    @review_s.setter
    def review_s(self, seconds: float) -> None:
        self.review.review_s = seconds

    @property
    def error_text_rects(self) -> list[tuple[str, str, pygame.Rect]]:
        return self.error.text_rects

    def font(self, px: int, bold: bool = True) -> pygame.font.Font:
        return self.canvas.font(px, bold)

    def text_block(self, text: str, px: int, max_width: int | None = None, bold: bool = True, *,
                   max_height: int | None = None, max_lines: int = 3, sitter: bool = True,
                   wrap_first: bool = False) -> TextBlock:
        return self.canvas.text_block(text, px, max_width, bold, max_height=max_height, max_lines=max_lines,
                                      sitter=sitter, wrap_first=wrap_first)

    def text_surface(self, text: str, px: int, colour: Colour = WHITE, max_width: int | None = None,
                     bold: bool = True, *, max_height: int | None = None, max_lines: int = 3,
                     sitter: bool = True) -> pygame.Surface:
        """Rendered text that fits ``max_width``: shrunk down to the size rule, then wrapped."""
        return self.canvas.text(text, px, colour, max_width, bold, max_height=max_height, max_lines=max_lines,
                                sitter=sitter)[0]

    def preview_geometry(self, view: View) -> tuple[float, int, int, ScreenRect | None]:
        return self.preview.geometry(view)

    def countdown_centre(self, crop_rect: ScreenRect | None) -> Centre:
        return self.countdown.centre(crop_rect)

    def look_here_anchor(self, crop_rect: ScreenRect | None) -> tuple[tuple[int, int], tuple[int, int]]:
        return self.countdown.look_here_anchor(crop_rect)

    def review_hint(self) -> str:
        return self.review.hint()

    # ------------------------------------------------------------------ drawing

    def draw(self, view: View, now: float | None = None) -> None:
        """Draw one screenful of ``view`` into ``self.surface`` (call :meth:`present` to show it)."""
        now = time.monotonic() if now is None else now
        c = self.canvas
        c.begin(view.language if view.language in LANGUAGES else "en")
        if view.flash:
            self._flash_until = now + self.FLASH_S
        c.surface.fill(INK)
        state = view.state
        widget = self.widgets.get(state, self._guiding)
        if state is BoothState.REVIEW and not view.review:
            widget = self._guiding  # no candidates (yet): the live screen stays up
        widget.draw(view)
        if state not in (BoothState.GUIDING, BoothState.COUNTDOWN, BoothState.CAPTURING):
            self._flash_until = 0.0  # the review screen appears at once, not under the flash
        if now < self._flash_until:
            c.surface.fill(WHITE)
        if view.status:
            s = self.text_surface(view.status, self.layout.unit // 30, (200, 200, 200), bold=False, sitter=False)
            c.surface.blit(s, (8, 6))
        if self._notice is not None and now < self._notice[1]:
            w, _ = self.layout.size
            c.blit_text(self._notice[0], int(self.layout.unit * 0.06), (w // 2, int(self.layout.unit * 0.08)),
                        WHITE, max_width=int(w * 0.9), shadow=True)
        self.last_state = state
        self.last_review_count = len(view.series) if state is BoothState.SERIES_REVIEW else len(view.review)
        if self.speaker is not None:
            self.speaker.on_view(view)  # never waits: the mixer plays on SDL's audio thread

    # ------------------------------------------------------------------ output and input

    def present(self) -> None:
        self.pg.display.flip()

    def screenshot(self, path: str | os.PathLike) -> None:
        self.pg.image.save(self.surface, os.fspath(path))

    def pixel(self, xy: tuple[int, int]) -> tuple[int, int, int]:
        c = self.surface.get_at((int(xy[0]), int(xy[1])))
        return (c.r, c.g, c.b)

    def tap(self, pos: tuple[int, int]) -> list[SessionEvent]:
        """The events a touch at ``pos`` means on the last drawn screen."""
        for rect, event, repeat in self.canvas.hit:
            if rect.collidepoint(pos):
                return [event] * repeat
        return []

    def hit_rect(self, event: SessionEvent) -> pygame.Rect | None:
        """The on-screen rectangle of the first control sending ``event`` (for tests/self-check)."""
        for rect, ev, _ in self.canvas.hit:
            if ev is event:
                return rect
        return None

    def key_event(self, key: int) -> list[SessionEvent]:
        """The events a key means on the last drawn screen (booth/ui/keys.py); Escape / q quits."""
        if key in (pygame.K_ESCAPE, pygame.K_q):
            self.quit_requested = True
            return []
        return events_for_key(key, self.last_state, self.last_review_count)

    def notice(self, text: str, seconds: float = 3.0) -> None:
        """Show ``text`` over whatever screen is up for ``seconds`` (render thread only)."""
        self._notice = (text, time.monotonic() + seconds)

    def _typed(self, ev: pygame.event.Event) -> bool:
        """Offer a key's character to ``on_char`` (Enter as a newline); True if it took it."""
        if self.on_char is None:
            return False
        from ..handoff.badge import char_from_pygame_event

        ch = char_from_pygame_event(ev)
        # a space is the shutter key, never part of a badge
        if ch is None or (ch != "\n" and ch.isspace()):
            return False
        return bool(self.on_char(ch))

    def poll(self) -> list[SessionEvent]:
        """Drain pygame's queue; returns the SessionEvents asked for by touch and keys."""
        pg = self.pg
        out: list[SessionEvent] = []
        w, h = self.layout.size
        for ev in pg.event.get():
            if ev.type == pg.QUIT:
                self.quit_requested = True
            elif ev.type == pg.KEYDOWN:
                if not self._typed(ev):
                    out += self.key_event(ev.key)
            elif ev.type == pg.MOUSEBUTTONDOWN and ev.button == 1 and not getattr(ev, "touch", False):
                out += self.tap(ev.pos)
            elif ev.type == pg.FINGERDOWN:
                out += self.tap((int(ev.x * w), int(ev.y * h)))
        return out

    def close(self) -> None:
        self.pg.display.quit()
