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

Text is white on near-black and at least ~1/14 of the short screen side tall, so a 7"
panel is readable from 1.5 m. Touch targets are at least 1/8 of the short side.

>>> screen = Screen(UiSection(fullscreen=False))
>>> screen.draw(View(BoothState.ATTRACT)); screen.present()
>>> events = screen.poll()   # SessionEvents from touches and keys
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..config import UiSection
from ..i18n import LANGUAGES, N_, gettext
from ..types import BoothState, SessionEvent
from .text import HIGH_CONTRAST_SCALE, TextBlock, Typeface, min_px
from .view import Rect, View

# High-contrast palette (RGB).
WHITE = (255, 255, 255)
INK = (14, 16, 20)
BAND = (0, 0, 0, 200)
DIM = (0, 0, 0, 150)
RED = (235, 64, 52)
AMBER = (255, 184, 0)
GREEN = (40, 210, 100)
KEEP_BG = (30, 170, 80)
RETAKE_BG = (70, 76, 88)
HIGHLIGHT = (255, 214, 10)
ERROR_BG = (170, 30, 30)
# Error / out-of-service text sizes, as fractions of the screen's short side (720 px at
# 1280x720): the headline and the sitter's line >= 28 px of ink, the operator's fix >= 20 px.
# (pygame's default bold font: cap height ~0.48 of the size)
ERROR_HEADLINE_UNIT = 0.12
ERROR_SITTER_UNIT = 0.085
ERROR_OPERATOR_UNIT = 0.062
ARROW = (0, 190, 255)  # the way to go: a colour the readiness guide never takes

# Where the silhouette's head sits inside the crop (fractions of the crop), matching the framing
# bands' centres: head height 0.55-0.65 of the crop, eye line 0.33-0.40 from the top.
HEAD_TOP = 0.10
HEAD_HEIGHT = 0.58
HEAD_WIDTH_OF_HEIGHT = 0.74


@dataclass(frozen=True)
class DrawnText:
    """One piece of text as last drawn (tests measure each line against its room)."""

    text: str
    rect: tuple[int, int, int, int]  # where the surface went (x, y, w, h)
    block: TextBlock  # pixel size and lines
    max_width: int | None
    sitter: bool  # sitter text: the size rule applies


def readiness_colour(readiness: float) -> tuple[int, int, int]:
    """Red at 0, amber at 0.5, green at 1 (linear between)."""
    r = min(1.0, max(0.0, float(readiness)))
    a, b, t = (RED, AMBER, r / 0.5) if r < 0.5 else (AMBER, GREEN, (r - 0.5) / 0.5)
    return tuple(int(round(a[i] + (b[i] - a[i]) * t)) for i in range(3))


def mirror_rect(rect: Rect) -> Rect:
    """A normalised (x, y, w, h) rectangle as it appears on a horizontally mirrored image."""
    x, y, w, h = rect
    return (1.0 - x - w, y, w, h)


@dataclass(frozen=True)
class Layout:
    """Screen regions in pixels: the camera area and the prompt band below it."""

    size: tuple[int, int]
    preview: tuple[int, int, int, int]
    band: tuple[int, int, int, int]
    unit: int  # the short side: sizes are fractions of it

    @property
    def portrait(self) -> bool:
        return self.size[1] > self.size[0]

    @staticmethod
    def for_size(width: int, height: int) -> "Layout":
        unit = min(width, height)
        band_h = int(round(height * (0.22 if height > width else 0.2)))
        return Layout((width, height), (0, 0, width, height - band_h), (0, height - band_h, width, band_h), unit)


def place_image(img_w: int, img_h: int, area: tuple[int, int, int, int], focus: Rect | None) -> tuple[float, int, int]:
    """Scale and offset that fill ``area`` with the image while keeping ``focus`` (the crop) whole.

    Returns (scale, x, y) of the scaled image's top-left corner on screen. The image covers the
    area when it can; it is never scaled so far that part of the focus rectangle falls outside.
    """
    ax, ay, aw, ah = area
    fit = min(aw / img_w, ah / img_h)
    scale = max(aw / img_w, ah / img_h)
    if focus is not None:
        fx, fy, fw, fh = focus
        scale = min(scale, aw / max(1e-6, fw * img_w), ah / max(1e-6, fh * img_h))
        cx, cy = (fx + fw / 2) * img_w, (fy + fh / 2) * img_h
    else:
        cx, cy = img_w / 2, img_h / 2
    scale = max(scale, fit)
    sw, sh = img_w * scale, img_h * scale

    def offset(a0, alen, slen, c):
        if slen <= alen:
            return a0 + (alen - slen) / 2
        want = a0 + alen / 2 - c * scale  # centre the focus
        return min(a0, max(a0 + alen - slen, want))

    return scale, int(round(offset(ax, aw, sw, cx))), int(round(offset(ay, ah, sh, cy)))


class Screen:
    """A pygame-ce display that draws Views and reports touches and keys as SessionEvents.

    ``size`` overrides the configured size (tests draw both orientations); with
    ``fullscreen`` the display's own size is used.
    """

    FLASH_S = 0.18

    def __init__(self, ui: UiSection, size: tuple[int, int] | None = None, title: str = "booth"):
        import pygame

        self.pg = pygame
        self.ui = ui
        # Typed characters go here first (a USB badge scanner is a keyboard): it returns
        # True when it took the key, which then is not a command. Set by the app.
        self.on_char: Callable[[str], bool] | None = None
        # Spoken prompts (booth/ui/speech.py): told each drawn View, says what changed. Set by the app.
        self.speaker = None
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
        self.surface = self.display
        self.layout = Layout.for_size(*self.surface.get_size())
        self.driver = driver
        self.typeface = Typeface(pygame, ui.text_scale * (HIGH_CONTRAST_SCALE if ui.high_contrast else 1.0))
        self.min_text_px = min_px(self.layout.unit)  # the size rule for sitter text (booth/ui/text.py)
        self.drawn: list[DrawnText] = []  # the text of the last draw()
        self.language = "en"  # of the screen being drawn (View.language)
        self._text_cache: dict[tuple, tuple] = {}
        self._thumbs: dict[int, tuple[np.ndarray, object]] = {}
        self._shade_cache: dict[tuple[int, int], object] = {}  # area size -> dimming layer
        self._qr_cache: tuple[str, object] | None = None
        self._flash_until = 0.0
        self._hit: list[tuple[object, SessionEvent, int]] = []  # (rect, event, repeat)
        self.quit_requested = False
        self.last_state: BoothState | None = None
        self.last_review_count = 0
        #: booth.review_s: the review screen says when the booth keeps the best by itself (the app sets it)
        self.review_s = 15.0

    # ------------------------------------------------------------------ text

    def font(self, px: int, bold: bool = True):
        """The booth's face (booth/ui/text.py) at ``px`` times the text scale; bold is the
        font's own Bold weight."""
        return self.typeface.font(int(px * self.typeface.scale), bold)

    def tr(self, message: str) -> str:
        """``message`` (a marked English msgid) in the language of the screen being drawn."""
        return gettext(message, self.language)

    def text_block(self, text: str, px: int, max_width: int | None = None, bold: bool = True, *,
                   max_height: int | None = None, max_lines: int = 3, sitter: bool = True,
                   wrap_first: bool = False) -> TextBlock:
        """How ``text`` is set: sitter text never under the size rule (wrapped instead);
        ``wrap_first``: a paragraph, wrapped at its size before it is shrunk."""
        floor = self.min_text_px if sitter else 8
        return self.typeface.layout(text, px, max_width, floor, bold, max_lines=max_lines, max_height=max_height,
                                    wrap_first=wrap_first)

    def text_surface(self, text: str, px: int, colour=WHITE, max_width: int | None = None, bold: bool = True, *,
                     max_height: int | None = None, max_lines: int = 3, sitter: bool = True):
        """Rendered text that fits ``max_width``: shrunk down to the size rule, then wrapped
        (cached: prompts repeat every frame)."""
        return self._text(text, px, colour, max_width, bold, max_height, max_lines, sitter)[0]

    def _text(self, text, px, colour, max_width, bold, max_height, max_lines, sitter, wrap_first=False):
        key = (text, px, colour, max_width, bold, max_height, max_lines, sitter, wrap_first)
        hit = self._text_cache.get(key)
        if hit is None:
            block = self.text_block(text, px, max_width, bold, max_height=max_height, max_lines=max_lines, sitter=sitter,
                                    wrap_first=wrap_first)
            hit = (self.typeface.render(block, colour, bold), block)
            if len(self._text_cache) > 256:
                self._text_cache.clear()
            self._text_cache[key] = hit
        return hit

    def blit_text(self, text: str, px: int, centre: tuple[int, int], colour=WHITE, max_width=None, shadow=False, *,
                  max_height: int | None = None, max_lines: int = 3, sitter: bool = True, wrap_first: bool = False):
        surf, block = self._text(text, px, colour, max_width, True, max_height, max_lines, sitter, wrap_first)
        rect = surf.get_rect(center=centre)
        if shadow:
            dark = self._text(text, px, INK, max_width, True, max_height, max_lines, sitter, wrap_first)[0]
            d = max(2, block.px // 24)
            for dx, dy in ((-d, 0), (d, 0), (0, -d), (0, d), (d, d)):
                self.surface.blit(dark, rect.move(dx, dy))
        self.surface.blit(surf, rect)
        self.drawn.append(DrawnText(text, tuple(rect), block, max_width, sitter))
        return rect

    # ------------------------------------------------------------------ images

    def _surface_of(self, image: np.ndarray, mirror: bool):
        h, w = image.shape[:2]
        if not image.flags.c_contiguous:
            image = np.ascontiguousarray(image)
        surf = self.pg.image.frombuffer(image.data, (w, h), "BGR")
        return self.pg.transform.flip(surf, True, False) if mirror else surf

    def _thumb(self, image: np.ndarray, box: tuple[int, int]):
        """A review/photo image scaled to fit ``box``; cached per array (the same candidate
        stays on screen for many frames and its full-resolution pixels are large)."""
        key = id(image)
        hit = self._thumbs.get(key)
        if hit is not None and hit[0] is image and hit[1].get_size()[0] <= box[0] and hit[1].get_size()[1] <= box[1]:
            if max(hit[1].get_size()[0] / box[0], hit[1].get_size()[1] / box[1]) > 0.98:
                return hit[1]
        h, w = image.shape[:2]
        scale = min(box[0] / w, box[1] / h)
        # Shrink with numpy striding first so smoothscale never touches 3 MP every frame.
        step = max(1, int(1 / scale) // 2)
        small = image[::step, ::step]
        surf = self._surface_of(small, mirror=False)
        size = (max(1, int(w * scale)), max(1, int(h * scale)))
        surf = self.pg.transform.smoothscale(surf.convert() if self.pg.display.get_surface() else surf, size)
        if len(self._thumbs) > 12:
            self._thumbs.clear()
        self._thumbs[key] = (image, surf)
        return surf

    def _dim(self, area, hole=None) -> None:
        """Darken ``area`` of the screen, except a clear window at ``hole``.

        One translucent layer per area size, blitted as up to four bands around the hole:
        the hole follows the face every frame, and a new layer per hole cost a full-preview
        allocation at 30 fps."""
        pg = self.pg
        area = pg.Rect(area)
        layer = self._shade_cache.get(area.size)
        if layer is None:
            layer = pg.Surface(area.size, pg.SRCALPHA)
            layer.fill(DIM)
            self._shade_cache[area.size] = layer
        window = pg.Rect(hole).clip(area) if hole is not None else pg.Rect(0, 0, 0, 0)
        if not window.width or not window.height:
            bands = [area]
        else:
            bands = [pg.Rect(area.left, area.top, area.width, window.top - area.top),
                     pg.Rect(area.left, window.bottom, area.width, area.bottom - window.bottom),
                     pg.Rect(area.left, window.top, window.left - area.left, window.height),
                     pg.Rect(window.right, window.top, area.right - window.right, window.height)]
        for band in bands:
            if band.width > 0 and band.height > 0:
                self.surface.blit(layer, band.topleft, area=pg.Rect((0, 0), band.size))

    # ------------------------------------------------------------------ drawing

    def draw(self, view: View, now: float | None = None) -> None:
        """Draw one screenful of ``view`` into ``self.surface`` (call :meth:`present` to show it)."""
        now = time.monotonic() if now is None else now
        self._hit = []
        self.drawn = []
        self.language = view.language if view.language in LANGUAGES else "en"
        if view.flash:
            self._flash_until = now + self.FLASH_S
        self.surface.fill(INK)
        state = view.state
        if state is BoothState.REVIEW and view.review:
            self._draw_review(view)
        elif state is BoothState.SERIES_REVIEW:
            self._draw_series_review(view)
        elif state in (BoothState.THANK_YOU, BoothState.SAVING):
            self._draw_thank_you(view)
        elif state is BoothState.ATTRACT:
            self._draw_attract(view)
        elif state is BoothState.ERROR:
            self._draw_error(view)
        elif state is BoothState.PAUSED:
            self._draw_paused(view)
        elif state is BoothState.CONSENT:
            self._draw_consent(view)
        else:
            self._draw_live(view)
        if state not in (BoothState.GUIDING, BoothState.COUNTDOWN, BoothState.CAPTURING):
            self._flash_until = 0.0  # the review screen appears at once, not under the flash
        if now < self._flash_until:
            self.surface.fill(WHITE)
        if view.status:
            s = self.text_surface(view.status, self.layout.unit // 30, (200, 200, 200), bold=False, sitter=False)
            self.surface.blit(s, (8, 6))
        if self._notice is not None and now < self._notice[1]:
            w, _ = self.layout.size
            self.blit_text(self._notice[0], int(self.layout.unit * 0.06), (w // 2, int(self.layout.unit * 0.08)),
                           WHITE, max_width=int(w * 0.9), shadow=True)
        self.last_state = state
        self.last_review_count = len(view.series) if state is BoothState.SERIES_REVIEW else len(view.review)
        if self.speaker is not None:
            self.speaker.on_view(view)  # never waits: the mixer plays on SDL's audio thread

    def preview_geometry(self, view: View):
        """(scale, x, y, crop rect on screen or None) of the preview as drawn for ``view``."""
        h, w = view.preview.shape[:2]
        crop = view.crop_norm
        shown = mirror_rect(crop) if (crop is not None and self.ui.mirror) else crop
        scale, x, y = place_image(w, h, self.layout.preview, shown)
        rect = None
        if shown is not None:
            rect = (int(round(x + shown[0] * w * scale)), int(round(y + shown[1] * h * scale)),
                    int(round(shown[2] * w * scale)), int(round(shown[3] * h * scale)))
        return scale, x, y, rect

    def _draw_preview(self, view: View, dim_outside_crop: bool = True):
        if view.preview is None:
            return None
        pg = self.pg
        h, w = view.preview.shape[:2]
        scale, x, y, rect = self.preview_geometry(view)
        surf = self._surface_of(view.preview, self.ui.mirror)
        surf = pg.transform.scale(surf, (max(1, int(round(w * scale))), max(1, int(round(h * scale)))))
        area = pg.Rect(self.layout.preview)
        self.surface.set_clip(area)
        self.surface.blit(surf, (x, y))
        if dim_outside_crop:
            self._dim(area, rect)
        self.surface.set_clip(None)
        return rect

    def _draw_guide(self, rect, colour):
        """The exact output crop (outline with corner brackets) and a head-and-shoulders silhouette."""
        pg = self.pg
        x, y, w, h = rect
        u = self.layout.unit
        line = max(3, u // 120)
        pg.draw.rect(self.surface, colour, rect, line)
        arm = max(12, int(min(w, h) * 0.14))
        thick = line * 3
        for cx, cy, sx, sy in ((x, y, 1, 1), (x + w, y, -1, 1), (x, y + h, 1, -1), (x + w, y + h, -1, -1)):
            pg.draw.line(self.surface, colour, (cx, cy), (cx + sx * arm, cy), thick)
            pg.draw.line(self.surface, colour, (cx, cy), (cx, cy + sy * arm), thick)
        head_h = h * HEAD_HEIGHT
        head_w = head_h * HEAD_WIDTH_OF_HEIGHT
        head = pg.Rect(int(x + w / 2 - head_w / 2), int(y + h * HEAD_TOP), int(head_w), int(head_h))
        pg.draw.ellipse(self.surface, colour, head, line)
        # Shoulders: an arc from the neck out to the crop's lower corners.
        neck_y = head.bottom - head_h * 0.04
        sh_w = min(w * 0.96, head_w * 2.6)
        shoulders = pg.Rect(int(x + w / 2 - sh_w / 2), int(neck_y + h * 0.04), int(sh_w), int(h * 0.5))
        pg.draw.arc(self.surface, colour, shoulders, math.radians(18), math.radians(162), line)

    def _draw_band(self, text: str | None, colour=WHITE, bg=INK, subtitle: str | None = None, reserve_left: int = 0):
        bx, by, bw, bh = self.layout.band
        self.surface.fill(bg, (bx, by, bw, bh))
        top = by  # a subtitle takes a line at the top; the prompt is centred in what is left
        if subtitle:
            sub_px = int(self.layout.unit * 0.05)
            sub_h = self.typeface.block_height(self.text_block(subtitle, sub_px, int(bw * 0.9), max_lines=1))
            pad = max(2, int(bh * 0.04))
            self.blit_text(subtitle, sub_px, (bx + bw // 2, by + pad + sub_h // 2), (200, 200, 200),
                           max_width=int(bw * 0.9), max_lines=1)
            top = by + pad + sub_h
        if text:
            px = int(self.layout.unit * 0.11)
            room = bw - reserve_left
            high = by + bh - top
            cy = top + high // 2
            self.blit_text(text, px, (bx + reserve_left + room // 2, cy), colour, max_width=int(room * 0.94),
                           max_height=int(high * 0.94), max_lines=2)

    def _draw_live(self, view: View):
        colour = readiness_colour(view.readiness)
        rect = self._draw_preview(view)
        if rect is not None:
            self._draw_guide(rect, colour)
        arrow = self.move_arrow(view)
        if arrow is not None:
            self._draw_arrow(*arrow)
        step = None
        if view.expression_step is not None:
            step = self.tr(N_("Expression {n} of {count}")).format(n=view.expression_step[0] + 1,
                                                                      count=view.expression_step[1])
        text = view.prompt
        if view.state is BoothState.COUNTDOWN and not text:
            text = self.tr(N_("Hold still"))
        elif view.state is BoothState.CAPTURING and not text:
            text = self.tr(N_("Got it!"))
        counting = view.countdown is not None and view.state in (BoothState.COUNTDOWN, BoothState.GUIDING)
        reserve = 0
        if counting:
            (cx, cy), px = self.countdown_centre(rect)
            if cy >= self.layout.band[1]:
                reserve = int(self.layout.band[3] * 1.2)
        self._draw_band(text, subtitle=step, reserve_left=reserve)
        if counting:
            self._draw_countdown(str(view.countdown), rect)
        if counting or view.state is BoothState.CAPTURING:
            self._draw_look_here(rect)
        if view.state is BoothState.GUIDING:
            self._shutter_button()
            if view.skip_offered:
                self._skip_button()

    def _skip_button(self):
        """Actor series: the expression that will not come may be skipped (the keep button too)."""
        u = self.layout.unit
        px, py, pw, ph = self.layout.preview
        bw, bh = int(u * 0.42), int(u * 0.11)
        self._button((px + u // 30, py + ph - bh - u // 30, bw, bh), self.tr(N_("Skip this one")), RETAKE_BG, SessionEvent.SKIP)

    def move_arrow(self, view: View) -> tuple[tuple[int, int], tuple[int, int]] | None:
        """(tail, tip) on screen of the arrow for ``view.move``, or None when there is none.

        The tail sits at the middle of the crop, low across the shoulders (never over the
        face); the arrow is the way to go at the preview's scale, mirrored with the preview:
        a sitter who moves to its tip has moved as far as asked. Never shorter than a
        readable arrow; one that would leave the preview (a zoomed-in portrait preview) is
        eased in before the edge, still longer for a longer way."""
        if view.move is None or view.preview is None or view.crop_norm is None:
            return None
        h, w = view.preview.shape[:2]
        scale, _, _, rect = self.preview_geometry(view)
        if rect is None:
            return None
        cx, cy, cw, ch = rect
        tail = (cx + cw / 2, cy + ch * 0.86)
        dx = view.move[0] * w * scale * (-1.0 if self.ui.mirror else 1.0)
        dy = view.move[1] * h * scale
        length = math.hypot(dx, dy)
        if length < 1e-6:
            return None
        shortest = self._arrow_head() * 1.6
        if length < shortest:
            dx, dy, length = dx * shortest / length, dy * shortest / length, shortest
        ax, ay, aw, ah = self.layout.preview
        pad = self._arrow_head() * 0.7
        ux, uy = dx / length, dy / length
        rooms = []
        if abs(ux) > 1e-9:
            rooms.append(((ax + aw - pad - tail[0]) if ux > 0 else (tail[0] - ax - pad)) / abs(ux))
        if abs(uy) > 1e-9:
            rooms.append(((ay + ah - pad - tail[1]) if uy > 0 else (tail[1] - ay - pad)) / abs(uy))
        room = max(shortest, min(rooms))
        knee = 0.8 * room
        if length > knee:  # soft knee: monotone in the way to go, never past the preview's edge
            length = knee + (room - knee) * (1.0 - math.exp(-(length - knee) / (room - knee)))
        tip = (tail[0] + ux * length, tail[1] + uy * length)
        return (int(round(tail[0])), int(round(tail[1]))), (int(round(tip[0])), int(round(tip[1])))

    def _arrow_head(self) -> int:
        return max(18, int(self.layout.unit * 0.06))

    def _draw_arrow(self, tail: tuple[int, int], tip: tuple[int, int]) -> None:
        """A filled arrow with a dark rim (readable over any shirt or wall)."""
        pg = self.pg
        head = self._arrow_head()
        half_shaft, half_head = head * 0.28, head * 0.62
        dx, dy = tip[0] - tail[0], tip[1] - tail[1]
        length = math.hypot(dx, dy)
        if length < 1:
            return
        ux, uy = dx / length, dy / length
        nx, ny = -uy, ux
        neck = max(0.0, length - head)

        def at(along: float, across: float) -> tuple[float, float]:
            return (tail[0] + ux * along + nx * across, tail[1] + uy * along + ny * across)

        shape = [at(0, -half_shaft), at(neck, -half_shaft), at(neck, -half_head), at(length, 0.0),
                 at(neck, half_head), at(neck, half_shaft), at(0, half_shaft)]
        self.surface.set_clip(pg.Rect(self.layout.preview))
        pg.draw.polygon(self.surface, ARROW, shape)
        pg.draw.polygon(self.surface, INK, shape, max(2, head // 12))
        self.surface.set_clip(None)

    #: the face inside the crop on screen, as fractions of the crop height: brows to chin
    #: (eye line 0.365, head 0.6 of the crop: the crown at ~0.08, the top of the forehead at
    #: ~0.2, the chin at ~0.68). The countdown may cover hair, never the face.
    FACE_TOP, FACE_BOTTOM = 0.2, 0.70
    FACE_HALF_WIDTH = 0.25  # of the crop width either side of its centre (ears at ~1.1 IED)

    @classmethod
    def face_rect(cls, crop_rect) -> tuple[int, int, int, int]:
        """Where the face is inside a crop on screen (x, y, w, h): what the countdown must not cover."""
        x, y, w, h = crop_rect
        return (int(x + (0.5 - cls.FACE_HALF_WIDTH) * w), int(y + cls.FACE_TOP * h),
                int(2 * cls.FACE_HALF_WIDTH * w), int((cls.FACE_BOTTOM - cls.FACE_TOP) * h))

    def countdown_centre(self, crop_rect) -> tuple[tuple[int, int], int]:
        """Where the countdown number goes and its size: next to the lens (``[ui] lens``: the
        camera above, below, left or right of the screen), so that the sitter's eyes are on
        the lens at the moment of capture, and never over the face (the sitter must see their
        own expression)."""
        u = self.layout.unit
        px = int(u * 0.5)
        ax, ay, aw, ah = self.layout.preview
        lens = getattr(self.ui, "lens", "top")
        # The number's whole line box (the font's height, not just its digits) stays on screen.
        line = self.typeface.font(100).get_height() / 100.0
        if lens == "top":
            # at the top edge, above the crown: as big as the room above the face allows
            room = (crop_rect[1] + self.FACE_TOP * crop_rect[3] - ay) if crop_rect is not None else ah * 0.3
            px = int(max(u * 0.14, min(u * 0.3, room * 1.6 / (line / 0.8))))
            return (ax + aw // 2, ay + int(math.ceil(px * line / 2))), px
        if lens == "bottom":
            # at the bottom of the preview, over the shoulders, just above the prompt band
            room = (ay + ah - (crop_rect[1] + self.FACE_BOTTOM * crop_rect[3])) if crop_rect is not None else ah * 0.3
            px = int(max(u * 0.14, min(u * 0.3, room * 1.6 / (line / 0.8))))
            return (ax + aw // 2, ay + ah - int(math.ceil(px * line / 2))), px
        if lens in ("left", "right"):
            if crop_rect is not None:
                cx, cy, cw, ch = crop_rect
                side = (cx - ax) if lens == "left" else (ax + aw - (cx + cw))
                px = int(max(u * 0.14, min(u * 0.4, side / 0.7)))
            else:
                px = int(u * 0.3)
            inset = self._arrow_len() + int(px * 0.35)  # the cue's arrow sits between the edge and the number
            x = ax + inset if lens == "left" else ax + aw - inset
            return (x, ay + ah // 2), px
        return self._countdown_beside_crop(crop_rect)

    def look_here_anchor(self, crop_rect) -> tuple[tuple[int, int], tuple[int, int]]:
        """(centre of the 'look here' words, tip of the arrow at the screen edge toward the lens)."""
        (cx, cy), px = self.countdown_centre(crop_rect)
        w, h = self.layout.size
        lens = getattr(self.ui, "lens", "top")
        u = self.layout.unit
        # top / bottom: the words left of the number, the arrow right of it, both at the edge
        words_x = cx - int(px * 0.35) - self.text_surface(self._look_here_words(), self._look_here_px()).get_width() // 2 - 8
        arrow_x = cx + int(px * 0.35) + int(u * 0.05)
        if lens == "top":
            return (words_x, cy), (arrow_x, 2)
        if lens == "bottom":
            return (words_x, cy), (arrow_x, self.layout.preview[3] - 2)
        # left / right: the words under the number (kept on screen), the arrow at the edge
        half = self.text_surface(self._look_here_words(), self._look_here_px()).get_width() // 2 + 4
        wx = min(w - half, max(half, cx))
        if lens == "left":
            return (wx, cy + int(px * 0.45)), (2, cy)
        return (wx, cy + int(px * 0.45)), (w - 2, cy)

    def _arrow_len(self) -> int:
        return 2 * max(8, int(self.layout.unit * 0.035)) + 6

    def _look_here_px(self) -> int:
        return int(self.layout.unit * 0.055)

    def _look_here_words(self) -> str:
        from ..guidance.prompts import text as prompt_text
        from ..types import Prompt

        return prompt_text(Prompt.LOOK_HERE, self.ui.language)

    def _draw_look_here(self, crop_rect) -> None:
        """A short 'look here' cue and a small arrow pointing at the lens."""
        pg = self.pg
        u = self.layout.unit
        words, tip = self.look_here_anchor(crop_rect)
        lens = getattr(self.ui, "lens", "top")
        size = max(8, int(u * 0.035))
        tx, ty = tip
        dx, dy = {"top": (0, 1), "bottom": (0, -1), "left": (1, 0), "right": (-1, 0)}.get(lens, (0, 1))
        base = (tx + dx * size * 2, ty + dy * size * 2)
        pts = [tip, (base[0] + dy * size, base[1] + dx * size), (base[0] - dy * size, base[1] - dx * size)]
        pg.draw.polygon(self.surface, HIGHLIGHT, pts)
        self.blit_text(self._look_here_words(), self._look_here_px(), words, HIGHLIGHT, shadow=True)

    def _countdown_beside_crop(self, crop_rect) -> tuple[tuple[int, int], int]:
        """Beside the crop (no lens given): the side with the most room, else the prompt band."""
        u = self.layout.unit
        px = int(u * 0.5)
        digit_w = int(px * 0.6)
        ax, ay, aw, ah = self.layout.preview
        if crop_rect is None:
            return (ax + aw // 2, ay + ah // 2), px
        cx, cy, cw, ch = crop_rect
        left, right = cx - ax, ax + aw - (cx + cw)
        mid_y = min(ay + ah - px // 2, max(ay + px // 2, cy + ch // 2))
        if max(left, right) >= digit_w * 1.3:
            if right >= left:
                return (cx + cw + right // 2, mid_y), px
            return (ax + left // 2, mid_y), px
        bx, by, bw, bh = self.layout.band
        line = self.typeface.font(100).get_height() / 100.0  # the number's line box must fit the band
        return (bx + int(bh * 0.6), by + bh // 2), int(bh * 0.95 / max(1.0, line))

    def _draw_countdown(self, text: str, crop_rect) -> None:
        centre, px = self.countdown_centre(crop_rect)
        self.blit_text(text, px, centre, WHITE, shadow=True)

    def _shutter_button(self):
        """A manual shutter: always offered while someone is there (HEADSHOT_SPEC, guidance)."""
        pg = self.pg
        u = self.layout.unit
        r = int(u * 0.075)
        px, py, pw, ph = self.layout.preview
        centre = (px + pw - r - u // 30, py + ph - r - u // 30)
        pg.draw.circle(self.surface, (0, 0, 0), centre, r + 4)
        pg.draw.circle(self.surface, WHITE, centre, r, max(3, r // 8))
        pg.draw.circle(self.surface, WHITE, centre, int(r * 0.72))
        self._hit.append((pg.Rect(centre[0] - r, centre[1] - r, 2 * r, 2 * r), SessionEvent.SHUTTER, 1))

    def _draw_dimmed_preview(self, view: View):
        """The live preview, shaded, under a full-screen message (attract, error)."""
        if view.preview is not None:
            self._draw_preview(view, dim_outside_crop=False)
            self._dim(self.layout.preview)

    def _draw_attract(self, view: View):
        self._draw_dimmed_preview(view)
        u = self.layout.unit
        px, py, pw, ph = self.layout.preview
        self._language_buttons(view)
        self.blit_text(self.tr(N_("Free headshot")), int(u * 0.16), (px + pw // 2, py + int(ph * 0.42)), WHITE,
                       max_width=int(pw * 0.92), shadow=True, max_lines=2)
        self.blit_text(self.tr(N_("Step in and look at the screen")), int(u * 0.075), (px + pw // 2, py + int(ph * 0.68)),
                       HIGHLIGHT, max_width=int(pw * 0.92), shadow=True, max_lines=2)
        self._draw_band(self.tr(view.message) if view.message else view.prompt or self.tr(N_("Step in")), colour=WHITE, bg=INK if self.ui.high_contrast else (20, 60, 120))

    def wrap_text(self, text: str, px: int, max_width: int, bold: bool = True) -> list[str]:
        """``text`` broken into lines that fit ``max_width`` at ``px`` (a long path is cut)."""
        font = self.font(px, bold)

        def fits(t: str) -> bool:
            return font.size(t)[0] <= max_width

        lines: list[str] = []
        for para in text.split("\n"):
            line = ""
            for word in para.split():
                trial = f"{line} {word}" if line else word
                if fits(trial):
                    line = trial
                    continue
                if line:
                    lines.append(line)
                while not fits(word) and len(word) > 1:
                    cut = len(word) - 1
                    while cut > 1 and not fits(word[:cut]):
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                line = word
            if line:
                lines.append(line)
        return lines

    def _draw_error(self, view: View):
        """The error / out-of-service screen: a headline for the sitter (>= 28 px at 1280x720)
        and the operator's fix wrapped in lines that stay readable (>= 20 px), never shrunk."""
        self._draw_dimmed_preview(view)
        u = self.layout.unit
        w, h = self.layout.size
        px, py, pw, ph = self.layout.preview
        self.error_text_rects = []
        headline = self.tr(view.headline or N_("Sorry, one moment"))
        sitter = self.tr(N_("Please come back later") if view.headline else N_("Back in a moment"))
        for text, unit, colour, cy in ((headline, ERROR_HEADLINE_UNIT, WHITE, 0.34),
                                       (sitter, ERROR_SITTER_UNIT, HIGHLIGHT, 0.6)):
            size = int(u * unit)
            lines = self.wrap_text(text, size, int(pw * 0.92))
            step = self.font(size, True).get_linesize()
            y = py + int(ph * cy) - step * (len(lines) - 1) // 2
            for line in lines:  # wrapped, never shrunk
                r = self.blit_text(line, size, (px + pw // 2, y), colour, shadow=True)
                self.error_text_rects.append(("sitter", line, r))
                y += step
        message = self.tr(view.message or N_("The booth is restarting"))
        op_px = max(1, int(u * ERROR_OPERATOR_UNIT))
        lines = self.wrap_text(message, op_px, int(w * 0.92))
        line_h = self.font(op_px, True).get_linesize()
        bx, by, bw, bh = self.layout.band
        need = line_h * len(lines) + line_h // 2
        if need > bh:  # a long fix grows the band upwards rather than shrinking the text
            by, bh = h - need, need
        self.surface.fill(ERROR_BG, (bx, by, bw, bh))
        y = by + (bh - line_h * len(lines)) // 2 + line_h // 2
        for line in lines:
            r = self.blit_text(line, op_px, (bx + bw // 2, y), WHITE, sitter=False)  # the operator's line (>= 20 px)
            self.error_text_rects.append(("operator", line, r))
            y += line_h

    def _draw_paused(self, view: View):
        """Out of service (the operator paused the booth): no camera picture, a plain notice."""
        u = self.layout.unit
        px, py, pw, ph = self.layout.preview
        self.blit_text(self.tr(N_("Out of service")), int(u * 0.12), (px + pw // 2, py + ph // 2), WHITE,
                       max_width=int(pw * 0.9), shadow=True, max_lines=2)
        self._draw_band(self.tr(N_("Back soon. Please ask a member of staff")), bg=(60, 60, 70))

    def _button(self, rect, label: str, bg, event: SessionEvent, repeat: int = 1, outline=None):
        pg = self.pg
        rect = pg.Rect(rect)
        pg.draw.rect(self.surface, bg, rect, border_radius=rect.height // 4)
        if outline is not None:
            pg.draw.rect(self.surface, outline, rect, max(3, self.layout.unit // 120), border_radius=rect.height // 4)
        self.blit_text(label, int(rect.height * 0.5), rect.center, WHITE, max_width=int(rect.width * 0.9),
                       max_height=int(rect.height * 0.92), max_lines=2)
        self._hit.append((rect, event, repeat))

    def _draw_review(self, view: View):
        pg = self.pg
        w, h = self.layout.size
        u = self.layout.unit
        title = self.blit_text(self.tr(N_("Pick your photo")), int(u * 0.09), (w // 2, int(h * 0.06)), WHITE,
                               max_width=int(w * 0.9))
        # The hint sits under the title's own line box (it wraps to two lines on a portrait screen).
        hint_px = int(u * 0.045)
        hint_h = self.typeface.block_height(self.text_block(self.review_hint(), hint_px, int(w * 0.92), max_lines=2))
        hint = self.blit_text(self.review_hint(), hint_px, (w // 2, title.bottom + hint_h // 2), (210, 210, 210),
                              max_width=int(w * 0.92), max_lines=2)
        n = len(view.review)
        btn_h = int(u * 0.15)
        top, bottom = max(int(h * 0.06) + int(u * 0.14), hint.bottom + int(u * 0.02)), h - btn_h - int(u * 0.08)
        gap = int(u * 0.04)
        if self.layout.portrait and n > 1:
            # One large highlighted photo, the others small below it.
            big_box = (int(w * 0.86), int((bottom - top) * 0.68))
            small_box = (int((w - gap * (n)) / (n - 1)) if n > 1 else 0, int((bottom - top) * 0.26))
            order = [view.review_index] + [i for i in range(n) if i != view.review_index]
            boxes = []
            boxes.append(pg.Rect((w - big_box[0]) // 2, top, *big_box))
            sx = gap
            for _ in order[1:]:
                boxes.append(pg.Rect(sx, bottom - small_box[1], small_box[0], small_box[1]))
                sx += small_box[0] + gap
            slots = list(zip(order, boxes))
        else:
            slot_w = (w - gap * (n + 1)) // max(1, n)
            slots = [(i, pg.Rect(gap + i * (slot_w + gap), top, slot_w, bottom - top)) for i in range(n)]
        for i, box in slots:
            thumb = self._thumb(view.review[i], (box.width - 16, box.height - 16))
            r = thumb.get_rect(center=box.center)
            self.surface.blit(thumb, r)
            if i == view.review_index:
                pg.draw.rect(self.surface, HIGHLIGHT, r.inflate(14, 14), max(5, u // 90), border_radius=6)
            repeat = (i - view.review_index) % n
            if repeat:
                self._hit.append((r, SessionEvent.NEXT, repeat))
        bw = int(min(w * 0.4, u * 0.55))
        by = h - btn_h - int(u * 0.04)
        self._button((w // 2 - bw - gap // 2, by, bw, btn_h), self.tr(N_("Retake")), RETAKE_BG, SessionEvent.RETAKE)
        self._button((w // 2 + gap // 2, by, bw, btn_h), self.tr(N_("Keep")), KEEP_BG, SessionEvent.KEEP)

    def _language_buttons(self, view: View) -> None:
        """One button per catalogue language, each in its own name, along the top; the
        sitter's current one outlined. A touch sends LANGUAGE as many times as it takes the
        session's cycle (booth.i18n.LANGUAGES order) to reach that language."""
        w, _ = self.layout.size
        u = self.layout.unit
        codes = list(LANGUAGES)
        n = len(codes)
        gap = int(u * 0.02)
        bw = min(int(u * 0.3), (int(w * 0.96) - gap * (n - 1)) // n)
        bh = max(int(u * 0.125), self.min_text_px * 2)
        x0 = (w - (bw * n + gap * (n - 1))) // 2
        here = codes.index(self.language) if self.language in codes else 0
        for i, code in enumerate(codes):
            rect = (x0 + i * (bw + gap), int(u * 0.03), bw, bh)
            current = i == here
            self._button(rect, LANGUAGES[code], (20, 60, 120) if current else RETAKE_BG, SessionEvent.LANGUAGE,
                         repeat=(i - here) % n, outline=HIGHLIGHT if current else None)
        self._hit = [h for h in self._hit if h[2] > 0]  # the current language's button does nothing

    def _draw_consent(self, view: View) -> None:
        """Before guiding: the organiser's text (what is kept, where it goes, for how long),
        how to agree, "No, thanks" and (touch allowed) "I agree"."""
        c = view.consent
        if c is None:
            return
        self._draw_dimmed_preview(view)
        self._dim(self.layout.preview)
        w, h = self.layout.size
        u = self.layout.unit
        self._language_buttons(view)
        top = int(u * 0.03) + max(int(u * 0.125), self.min_text_px * 2) + int(u * 0.05)
        btn_h = int(u * 0.15)
        by = h - btn_h - int(u * 0.05)
        self.blit_text(c.title, int(u * 0.085), (w // 2, top + int(u * 0.05)), WHITE, max_width=int(w * 0.9),
                       max_lines=2, shadow=True)
        body_px, hint_px = int(u * 0.052), int(u * 0.055)
        hint_h = self.typeface.block_height(self.text_block(c.hint, hint_px, int(w * 0.9), max_lines=2))
        hint_y = by - int(u * 0.03) - hint_h // 2
        gap_p = int(u * 0.025)
        room_top, room_bottom = top + int(u * 0.11), hint_y - hint_h // 2 - gap_p
        wrap_first = True  # paragraphs wrapped at their size; shrunk (to the rule at most) only when they do not fit
        for wrap_first in (True, False):
            blocks = [self.text_block(p, body_px, int(w * 0.86), max_lines=4, wrap_first=wrap_first) for p in c.body]
            heights = [self.typeface.block_height(b) for b in blocks]
            total = sum(heights) + gap_p * (len(heights) - 1)
            if total <= room_bottom - room_top:
                break
        y = max(room_top, (room_top + room_bottom - total) // 2)
        for para, bh in zip(c.body, heights):  # centred in the room between the title and the hint
            rect = self.blit_text(para, body_px, (w // 2, y + bh // 2), WHITE, max_width=int(w * 0.86), max_lines=4,
                                  shadow=True, wrap_first=wrap_first)
            y = rect.bottom + gap_p
        self.blit_text(c.hint, hint_px, (w // 2, hint_y), HIGHLIGHT, max_width=int(w * 0.9), max_lines=2, shadow=True)
        gap = int(u * 0.04)
        bw = int(min(w * 0.44, u * 0.62))
        if c.touch:
            self._button((w // 2 - bw - gap // 2, by, bw, btn_h), c.decline, RETAKE_BG, SessionEvent.DECLINE)
            self._button((w // 2 + gap // 2, by, bw, btn_h), c.agree, KEEP_BG, SessionEvent.AGREE)
        else:
            self._button((w // 2 - bw // 2, by, bw, btn_h), c.decline, RETAKE_BG, SessionEvent.DECLINE)

    def review_hint(self) -> str:
        """The review screen's one line: how to choose, and that the booth chooses by itself."""
        return self.tr(N_("Tap a photo, then Keep. We keep the best one in {seconds:g} s")).format(seconds=self.review_s)

    def _draw_series_review(self, view: View):
        """The actor series as a set: one tile per expression (its photo, or "skipped"), the
        highlighted one retaken with "Retake", the whole set kept with "Keep all"."""
        pg = self.pg
        w, h = self.layout.size
        u = self.layout.unit
        self.blit_text(self.tr(N_("Your series")), int(u * 0.09), (w // 2, int(h * 0.06)), WHITE, max_width=int(w * 0.9))
        tiles = view.series
        n = max(1, len(tiles))
        btn_h = int(u * 0.15)
        top, bottom = int(h * 0.12), h - btn_h - int(u * 0.1)
        gap = int(u * 0.03)
        cols = n if not self.layout.portrait else min(n, 2)
        rows = -(-n // cols)
        tile_w = (w - gap * (cols + 1)) // cols
        tile_h = (bottom - top - gap * (rows - 1)) // rows
        label_px = int(u * 0.045)
        current = view.expression_step[0] if view.expression_step else 0
        for i, (name, status, image) in enumerate(tiles):
            r, c = divmod(i, cols)
            box = pg.Rect(gap + c * (tile_w + gap), top + r * (tile_h + gap), tile_w, tile_h)
            photo_box = (box.width - 12, box.height - label_px * 2 - 12)
            if image is not None:
                thumb = self._thumb(image, photo_box)
                rect = thumb.get_rect(center=(box.centerx, box.top + 6 + photo_box[1] // 2))
                self.surface.blit(thumb, rect)
            else:
                pw_ = min(photo_box[0], int(photo_box[1] * 0.8))  # a 4:5 card where the photo would be
                rect = pg.Rect(0, 0, pw_, min(photo_box[1], int(pw_ / 0.8)))
                rect.center = (box.centerx, box.top + 6 + photo_box[1] // 2)
                pg.draw.rect(self.surface, (45, 45, 50), rect, border_radius=8)
                self.blit_text(self.tr(N_("skipped")) if status == "skipped" else "-", int(u * 0.05), rect.center, (170, 170, 170),
                               max_width=int(rect.width * 0.9))
            if i == current:
                pg.draw.rect(self.surface, HIGHLIGHT, rect.inflate(12, 12), max(4, u // 100), border_radius=6)
            mark = self.tr(N_("kept")) if status == "saved" else self.tr(N_("skipped"))
            self.blit_text(f"{self.expression_name(name)}: {mark}", label_px, (box.centerx, box.bottom - label_px),
                           WHITE if status == "saved" else (170, 170, 170), max_width=box.width)
            repeat = (i - current) % n
            if repeat:
                self._hit.append((rect, SessionEvent.NEXT, repeat))
        bw = int(min(w * 0.44, u * 0.62))
        by = h - btn_h - int(u * 0.04)
        name = self.expression_name(tiles[current][0]) if tiles else ""
        self._button((w // 2 - bw - gap // 2, by, bw, btn_h), self.tr(N_("Retake {name}")).format(name=name), RETAKE_BG,
                     SessionEvent.RETAKE)
        self._button((w // 2 + gap // 2, by, bw, btn_h), self.tr(N_("Keep all")), KEEP_BG, SessionEvent.KEEP)

    #: the actor series' expressions as the sitter reads them (booth/guidance/actor.py's names)
    EXPRESSION_NAMES = {"confident": N_("Confident"), "approachable": N_("Approachable"), "serious": N_("Serious"),
                        "vulnerable": N_("Vulnerable"), "playful": N_("Playful")}

    def expression_name(self, name: str) -> str:
        marked = self.EXPRESSION_NAMES.get(name)
        return self.tr(marked) if marked else name.capitalize()

    def _qr_surface(self, url: str, side: int):
        if self._qr_cache is None or self._qr_cache[0] != (url, side):
            from ..handoff.qr import qr_rgb_fit

            img = qr_rgb_fit(url, side)
            surf = self.pg.image.frombuffer(np.ascontiguousarray(img).data, (img.shape[1], img.shape[0]), "RGB").copy()
            self._qr_cache = ((url, side), surf)
        return self._qr_cache[1]

    def _draw_thank_you(self, view: View):
        w, h = self.layout.size
        u = self.layout.unit
        saving = view.state is BoothState.SAVING
        title = self.tr(N_("Saving your photo...")) if saving else self.tr(N_("Thank you!"))
        self.blit_text(title, int(u * 0.13), (w // 2, int(h * 0.1)), WHITE, max_width=int(w * 0.9))
        has_qr = bool(view.download_url) and not saving
        top, bottom = int(h * 0.2), int(h * 0.86)
        if self.layout.portrait:
            photo_box = (int(w * 0.8), int((bottom - top) * (0.55 if has_qr else 0.95)))
            photo_centre = (w // 2, top + photo_box[1] // 2)
            qr_side = int(min(w * 0.5, (bottom - top) * 0.38))
            qr_centre = (w // 2, bottom - qr_side // 2)
        else:
            photo_box = (int(w * (0.45 if has_qr else 0.8)), bottom - top)
            photo_centre = (int(w * (0.3 if has_qr else 0.5)), (top + bottom) // 2)
            qr_side = int(min(w * 0.3, (bottom - top) * 0.8))
            qr_centre = (int(w * 0.73), (top + bottom) // 2 - int(u * 0.03))
        if view.photo is not None:
            thumb = self._thumb(view.photo, photo_box)
            r = thumb.get_rect(center=photo_centre)
            self.surface.blit(thumb, r)
            self.pg.draw.rect(self.surface, WHITE, r.inflate(8, 8), 4)
        if has_qr:
            qr = self._qr_surface(view.download_url, qr_side)
            r = qr.get_rect(center=qr_centre)
            self.surface.blit(qr, r)
            self.blit_text(self.tr(N_("Scan to download")), int(u * 0.06), (r.centerx, r.bottom + int(u * 0.05)), WHITE,
                           max_width=int(w * 0.45))
        footer = view.message or (self.tr(N_("One moment...")) if saving else self.tr(N_("Your headshot is saved")))
        self.blit_text(footer, int(u * 0.07), (w // 2, int(h * 0.94)), HIGHLIGHT, max_width=int(w * 0.92))

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
        for rect, event, repeat in self._hit:
            if rect.collidepoint(pos):
                return [event] * repeat
        return []

    def hit_rect(self, event: SessionEvent):
        """The on-screen rectangle of the first control sending ``event`` (for tests/self-check)."""
        for rect, ev, _ in self._hit:
            if ev is event:
                return rect
        return None

    def key_event(self, key: int) -> list[SessionEvent]:
        pg = self.pg
        state = self.last_state
        if key in (pg.K_ESCAPE, pg.K_q):
            self.quit_requested = True
            return []
        if state is BoothState.CONSENT:
            if key in (pg.K_n, pg.K_BACKSPACE, pg.K_DELETE):
                return [SessionEvent.DECLINE]
            if key == pg.K_l:
                return [SessionEvent.LANGUAGE]
        if state is BoothState.ATTRACT and key == pg.K_l:
            return [SessionEvent.LANGUAGE]
        if state in (BoothState.REVIEW, BoothState.SERIES_REVIEW):
            if key in (pg.K_RETURN, pg.K_KP_ENTER, pg.K_k, pg.K_SPACE):
                return [SessionEvent.KEEP]
            if key in (pg.K_r, pg.K_BACKSPACE):
                return [SessionEvent.RETAKE]
            if key in (pg.K_RIGHT, pg.K_n, pg.K_TAB, pg.K_DOWN):
                return [SessionEvent.NEXT]
            if key in (pg.K_LEFT, pg.K_UP) and self.last_review_count > 1:
                return [SessionEvent.NEXT] * (self.last_review_count - 1)
            return []
        if key in (pg.K_SPACE, pg.K_RETURN, pg.K_KP_ENTER):
            return [SessionEvent.SHUTTER]
        return []

    def notice(self, text: str, seconds: float = 3.0) -> None:
        """Show ``text`` over whatever screen is up for ``seconds`` (render thread only)."""
        self._notice = (text, time.monotonic() + seconds)

    def _typed(self, ev) -> bool:
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
