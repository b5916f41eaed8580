"""The error screen (camera lost, disk full ...: the message on a red band) and the
out-of-service screen (the operator paused the booth)."""

from __future__ import annotations

import pygame

from ...i18n import N_
from ..view import View
from .canvas import ERROR_BG, HIGHLIGHT, WHITE, Canvas
from .preview import PreviewWithGuide
from .prompt_bar import PromptBar

# Error / out-of-service text sizes, as fractions of the screen's short side (720 px at
# 1280x720): the headline and the sitter's line >= 28 px of ink, the operator's fix >= 20 px.
# (pygame's default bold font: cap height ~0.48 of the size)
ERROR_HEADLINE_UNIT = 0.12
ERROR_SITTER_UNIT = 0.085
ERROR_OPERATOR_UNIT = 0.062


class ErrorScreen:
    """A headline for the sitter (>= 28 px at 1280x720) and the operator's fix wrapped in
    lines that stay readable (>= 20 px), never shrunk."""

    def __init__(self, canvas: Canvas, preview: PreviewWithGuide):
        self.c, self.preview = canvas, preview
        #: ("sitter" | "operator", line, rect) of each line last drawn (tests measure them)
        self.text_rects: list[tuple[str, str, pygame.Rect]] = []

    def draw(self, view: View) -> None:
        c = self.c
        self.preview.draw_dimmed(view)
        u = c.layout.unit
        w, h = c.layout.size
        px, py, pw, ph = c.layout.preview
        self.text_rects = []
        headline = c.tr(view.headline or N_("Sorry, one moment"))
        sitter = c.tr(N_("Please come back later") if view.headline else N_("Back in a moment"))
        for text, unit, colour, cy in ((headline, ERROR_HEADLINE_UNIT, WHITE, 0.34),
                                       (sitter, ERROR_SITTER_UNIT, HIGHLIGHT, 0.6)):
            block = c.text_block(text, int(u * unit), int(pw * 0.92), shrink=False)
            step = c.typeface.font(block.px).get_linesize()
            y = py + int(ph * cy) - step * (len(block.lines) - 1) // 2
            for line in block.lines:  # wrapped, never shrunk
                r = c.blit_text(line, int(u * unit), (px + pw // 2, y), colour, shadow=True)
                self.text_rects.append(("sitter", line, r))
                y += step
        message = c.tr(view.message or N_("The booth is restarting"))
        op_px = max(1, int(u * ERROR_OPERATOR_UNIT))
        block = c.text_block(message, op_px, int(w * 0.92), sitter=False, shrink=False)
        line_h = c.typeface.font(block.px).get_linesize()
        bx, by, bw, bh = c.layout.band
        need = line_h * len(block.lines) + line_h // 2
        if need > bh:  # a long fix grows the band upwards rather than shrinking the text
            by, bh = h - need, need
        c.surface.fill(ERROR_BG, (bx, by, bw, bh))
        y = by + (bh - line_h * len(block.lines)) // 2 + line_h // 2
        for line in block.lines:
            r = c.blit_text(line, op_px, (bx + bw // 2, y), WHITE, sitter=False)  # the operator's line (>= 20 px)
            self.text_rects.append(("operator", line, r))
            y += line_h


class OutOfService:
    """The operator paused the booth: no camera picture, a plain notice."""

    def __init__(self, canvas: Canvas, bar: PromptBar):
        self.c, self.bar = canvas, bar

    def draw(self, view: View) -> None:
        c = self.c
        u = c.layout.unit
        px, py, pw, ph = c.layout.preview
        c.blit_text(c.tr(N_("Out of service")), int(u * 0.12), (px + pw // 2, py + ph // 2), WHITE,
                    max_width=int(pw * 0.9), shadow=True, max_lines=2)
        self.bar.draw(c.tr(N_("Back soon. Please ask a member of staff")), bg=(60, 60, 70))
