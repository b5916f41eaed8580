"""The attract screen (the dimmed preview, an invitation to step in) and the language row it
shares with the consent screen."""

from __future__ import annotations

from ...i18n import LANGUAGES, N_
from ...types import SessionEvent
from ..view import View
from .canvas import HIGHLIGHT, INK, RETAKE_BG, WHITE, Canvas
from .preview import PreviewWithGuide
from .prompt_bar import PromptBar


class LanguageButtons:
    """One button per catalogue language, each in its own name, along the top; the sitter's
    current one outlined. A touch sends LANGUAGE as many times as it takes the session's cycle
    (booth.i18n.LANGUAGES order) to reach that language."""

    def __init__(self, canvas: Canvas):
        self.c = canvas

    def height(self) -> int:
        return max(int(self.c.layout.unit * 0.125), self.c.min_text_px * 2)

    def draw(self) -> None:
        c = self.c
        w, _ = c.layout.size
        u = c.layout.unit
        codes = list(LANGUAGES)
        n = len(codes)
        gap = int(u * 0.02)
        bw = min(int(u * 0.3), (int(w * 0.96) - gap * (n - 1)) // n)
        x0 = (w - (bw * n + gap * (n - 1))) // 2
        here = codes.index(c.language) if c.language in codes else 0
        for i, code in enumerate(codes):
            rect = (x0 + i * (bw + gap), int(u * 0.03), bw, self.height())
            current = i == here
            c.button(rect, LANGUAGES[code], (20, 60, 120) if current else RETAKE_BG, SessionEvent.LANGUAGE,
                     repeat=(i - here) % n, outline=HIGHLIGHT if current else None)
        c.hit = [h for h in c.hit if h[2] > 0]  # the current language's button does nothing


class Attract:
    def __init__(self, canvas: Canvas, preview: PreviewWithGuide, bar: PromptBar, languages: LanguageButtons):
        self.c, self.preview, self.bar, self.languages = canvas, preview, bar, languages

    def draw(self, view: View) -> None:
        c = self.c
        self.preview.draw_dimmed(view)
        u = c.layout.unit
        px, py, pw, ph = c.layout.preview
        self.languages.draw()
        c.blit_text(c.tr(N_("Free headshot")), int(u * 0.16), (px + pw // 2, py + int(ph * 0.42)), WHITE,
                    max_width=int(pw * 0.92), shadow=True, max_lines=2)
        c.blit_text(c.tr(N_("Step in and look at the screen")), int(u * 0.075), (px + pw // 2, py + int(ph * 0.68)),
                    HIGHLIGHT, max_width=int(pw * 0.92), shadow=True, max_lines=2)
        text = c.tr(view.message) if view.message else view.prompt or c.tr(N_("Step in"))
        self.bar.draw(text, colour=WHITE, bg=INK if c.ui.high_contrast else (20, 60, 120))
