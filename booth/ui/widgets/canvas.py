"""What every widget draws with: the surface, its layout, the booth's type and palette.

A :class:`Canvas` is one per :class:`~booth.ui.screen.Screen`. It sets text through the one
text/layout helper (:meth:`booth.ui.text.Typeface.layout`), records every piece of text it
drew (:attr:`Canvas.drawn`, for the tests' size rule) and every touch target
(:attr:`Canvas.hit`), and caches what repeats frame after frame (text, scaled photos, the
dimming layer).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pygame

from ...config import UiSection
from ...i18n import gettext
from ...types import SessionEvent
from ..text import TextBlock, Typeface, min_px
from .geometry import Layout

Colour = tuple[int, int, int]
RectLike = pygame.Rect | tuple[int, int, int, int]

# High-contrast palette (RGB).
WHITE = (255, 255, 255)
INK = (14, 16, 20)
DIM = (0, 0, 0, 150)
KEEP_BG = (30, 170, 80)
RETAKE_BG = (70, 76, 88)
HIGHLIGHT = (255, 214, 10)
ERROR_BG = (170, 30, 30)
GREY = (170, 170, 170)


@dataclass(frozen=True)
class DrawnText:
    """One piece of text as last drawn (tests measure each line against its room)."""

    text: str
    rect: tuple[int, int, int, int]  # where the surface went (x, y, w, h)
    block: TextBlock  # pixel size and lines
    max_width: int | None
    sitter: bool  # sitter text: the size rule applies


class Canvas:
    """The screen's surface with the drawing helpers the widgets share."""

    def __init__(self, surface: pygame.Surface, ui: UiSection, typeface: Typeface):
        self.surface = surface
        self.ui = ui
        self.layout = Layout.for_size(*surface.get_size())
        self.typeface = typeface
        self.min_text_px = min_px(self.layout.unit)  # the size rule for sitter text (booth/ui/text.py)
        self.language = "en"  # of the screen being drawn (View.language)
        self.drawn: list[DrawnText] = []  # the text of the last draw
        self.hit: list[tuple[pygame.Rect, SessionEvent, int]] = []  # touch targets: (rect, event, repeat)
        self._text_cache: dict[tuple[object, ...], tuple[pygame.Surface, TextBlock]] = {}
        self._thumbs: dict[int, tuple[np.ndarray, pygame.Surface]] = {}
        self._shade_cache: dict[tuple[int, int], pygame.Surface] = {}  # area size -> dimming layer

    def begin(self, language: str) -> None:
        """A new screenful: no text or touch targets yet."""
        self.hit = []
        self.drawn = []
        self.language = language

    def tr(self, message: str) -> str:
        """``message`` (a marked English msgid) in the language of the screen being drawn."""
        return gettext(message, self.language)

    def font(self, px: int, bold: bool = True) -> pygame.font.Font:
        """The booth's face at ``px`` times the text scale; bold is the font's own Bold weight."""
        return self.typeface.font(int(px * self.typeface.scale), bold)

    def text_block(self, text: str, px: int, max_width: int | None = None, bold: bool = True, *,
                   max_height: int | None = None, max_lines: int = 3, sitter: bool = True,
                   wrap_first: bool = False, shrink: bool = True) -> TextBlock:
        """How ``text`` is set: sitter text never under the size rule (wrapped instead);
        ``wrap_first``: a paragraph, wrapped at its size before it is shrunk; ``shrink=False``:
        never shrunk, as many lines as it takes (:meth:`Typeface.layout`)."""
        floor = self.min_text_px if sitter else 8
        return self.typeface.layout(text, px, max_width, floor, bold, max_lines=max_lines, max_height=max_height,
                                    wrap_first=wrap_first, shrink=shrink)

    def text(self, text: str, px: int, colour: Colour = WHITE, max_width: int | None = None, bold: bool = True, *,
             max_height: int | None = None, max_lines: int = 3, sitter: bool = True,
             wrap_first: bool = False) -> tuple[pygame.Surface, TextBlock]:
        """Rendered text and its layout (cached: prompts repeat every frame)."""
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

    def blit_text(self, text: str, px: int, centre: tuple[int, int], colour: Colour = WHITE,
                  max_width: int | None = None, shadow: bool = False, *, max_height: int | None = None,
                  max_lines: int = 3, sitter: bool = True, wrap_first: bool = False) -> pygame.Rect:
        """Text centred on ``centre`` (with a dark rim when ``shadow``); returns where it went."""
        surf, block = self.text(text, px, colour, max_width, True, max_height=max_height, max_lines=max_lines,
                                sitter=sitter, wrap_first=wrap_first)
        rect = surf.get_rect(center=centre)
        if shadow:
            dark = self.text(text, px, INK, max_width, True, max_height=max_height, max_lines=max_lines,
                             sitter=sitter, wrap_first=wrap_first)[0]
            d = max(2, block.px // 24)
            for dx, dy in ((-d, 0), (d, 0), (0, -d), (0, d), (d, d)):
                self.surface.blit(dark, rect.move(dx, dy))
        self.surface.blit(surf, rect)
        self.drawn.append(DrawnText(text, (rect.x, rect.y, rect.w, rect.h), block, max_width, sitter))
        return rect

    def button(self, rect: RectLike, label: str, bg: Colour, event: SessionEvent, repeat: int = 1,
               outline: Colour | None = None) -> None:
        """A rounded touch target with its label; a touch sends ``event`` ``repeat`` times."""
        r = pygame.Rect(rect)
        pygame.draw.rect(self.surface, bg, r, border_radius=r.height // 4)
        if outline is not None:
            pygame.draw.rect(self.surface, outline, r, max(3, self.layout.unit // 120), border_radius=r.height // 4)
        self.blit_text(label, int(r.height * 0.5), r.center, WHITE, max_width=int(r.width * 0.9),
                       max_height=int(r.height * 0.92), max_lines=2)
        self.hit.append((r, event, repeat))

    def surface_of(self, image: np.ndarray, mirror: bool) -> pygame.Surface:
        """A BGR image as a surface (mirrored left to right when asked)."""
        h, w = image.shape[:2]
        if not image.flags.c_contiguous:
            image = np.ascontiguousarray(image)
        surf = pygame.image.frombuffer(image.data, (w, h), "BGR")
        return pygame.transform.flip(surf, True, False) if mirror else surf

    def thumb(self, image: np.ndarray, box: tuple[int, int]) -> pygame.Surface:
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
        surf = self.surface_of(image[::step, ::step], mirror=False)
        size = (max(1, int(w * scale)), max(1, int(h * scale)))
        surf = pygame.transform.smoothscale(surf.convert() if pygame.display.get_surface() else surf, size)
        if len(self._thumbs) > 12:
            self._thumbs.clear()
        self._thumbs[key] = (image, surf)
        return surf

    def dim(self, area: RectLike, hole: RectLike | None = None) -> None:
        """Darken ``area`` of the screen, except a clear window at ``hole``.

        One translucent layer per area size, blitted as up to four bands around the hole:
        the hole follows the face every frame, and a new layer per hole cost a full-preview
        allocation at 30 fps."""
        a = pygame.Rect(area)
        layer = self._shade_cache.get(a.size)
        if layer is None:
            layer = pygame.Surface(a.size, pygame.SRCALPHA)
            layer.fill(DIM)
            self._shade_cache[a.size] = layer
        window = pygame.Rect(hole).clip(a) if hole is not None else pygame.Rect(0, 0, 0, 0)
        if not window.width or not window.height:
            bands = [a]
        else:
            bands = [pygame.Rect(a.left, a.top, a.width, window.top - a.top),
                     pygame.Rect(a.left, window.bottom, a.width, a.bottom - window.bottom),
                     pygame.Rect(a.left, window.top, window.left - a.left, window.height),
                     pygame.Rect(window.right, window.top, a.right - window.right, window.height)]
        for band in bands:
            if band.width > 0 and band.height > 0:
                self.surface.blit(layer, band.topleft, area=pygame.Rect((0, 0), band.size))
