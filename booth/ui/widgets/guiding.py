"""The guiding / countdown / capturing screen: the preview with its guide, the prompt bar,
the countdown next to the lens, the manual shutter and (actor series) "Skip this one"."""

from __future__ import annotations

import pygame

from ...i18n import N_
from ...types import BoothState, SessionEvent
from ..view import View
from .canvas import RETAKE_BG, WHITE, Canvas
from .countdown import Countdown
from .preview import PreviewWithGuide
from .prompt_bar import PromptBar


class Guiding:
    def __init__(self, canvas: Canvas, preview: PreviewWithGuide, bar: PromptBar, countdown: Countdown):
        self.c, self.preview, self.bar, self.countdown = canvas, preview, bar, countdown

    def draw(self, view: View) -> None:
        c = self.c
        rect = self.preview.draw_live(view)
        step = None
        if view.expression_step is not None:
            step = c.tr(N_("Expression {n} of {count}")).format(n=view.expression_step[0] + 1,
                                                                  count=view.expression_step[1])
        text = view.prompt
        if view.state is BoothState.COUNTDOWN and not text:
            text = c.tr(N_("Hold still"))
        elif view.state is BoothState.CAPTURING and not text:
            text = c.tr(N_("Got it!"))
        counting = view.countdown is not None and view.state in (BoothState.COUNTDOWN, BoothState.GUIDING)
        reserve = 0
        if counting:
            (cx, cy), px = self.countdown.centre(rect)
            if cy >= c.layout.band[1]:
                reserve = int(c.layout.band[3] * 1.2)
        self.bar.draw(text, subtitle=step, reserve_left=reserve)
        if counting:
            self.countdown.draw(str(view.countdown), rect)
        if counting or view.state is BoothState.CAPTURING:
            self.countdown.draw_look_here(rect)
        if view.state is BoothState.GUIDING:
            self.shutter_button()
            if view.skip_offered:
                self.skip_button()

    def skip_button(self) -> None:
        """Actor series: the expression that will not come may be skipped (the keep button too)."""
        u = self.c.layout.unit
        px, py, pw, ph = self.c.layout.preview
        bw, bh = int(u * 0.42), int(u * 0.11)
        self.c.button((px + u // 30, py + ph - bh - u // 30, bw, bh), self.c.tr(N_("Skip this one")), RETAKE_BG,
                      SessionEvent.SKIP)

    def shutter_button(self) -> None:
        """A manual shutter: always offered while someone is there (HEADSHOT_SPEC, guidance)."""
        u = self.c.layout.unit
        r = int(u * 0.075)
        px, py, pw, ph = self.c.layout.preview
        centre = (px + pw - r - u // 30, py + ph - r - u // 30)
        pygame.draw.circle(self.c.surface, (0, 0, 0), centre, r + 4)
        pygame.draw.circle(self.c.surface, WHITE, centre, r, max(3, r // 8))
        pygame.draw.circle(self.c.surface, WHITE, centre, int(r * 0.72))
        self.c.hit.append((pygame.Rect(centre[0] - r, centre[1] - r, 2 * r, 2 * r), SessionEvent.SHUTTER, 1))
