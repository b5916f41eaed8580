"""Before guiding: the organiser's text (what is kept, where it goes, for how long), how to
agree, "No, thanks" and (touch allowed) "I agree"."""

from __future__ import annotations

from ...types import SessionEvent
from ..view import View
from .attract import LanguageButtons
from .canvas import HIGHLIGHT, KEEP_BG, RETAKE_BG, WHITE, Canvas
from .preview import PreviewWithGuide


class Consent:
    def __init__(self, canvas: Canvas, preview: PreviewWithGuide, languages: LanguageButtons):
        self.c, self.preview, self.languages = canvas, preview, languages

    def draw(self, view: View) -> None:
        cs = view.consent
        if cs is None:
            return
        c = self.c
        self.preview.draw_dimmed(view)
        c.dim(c.layout.preview)  # a second shade: the organiser's text is read over the picture
        w, h = c.layout.size
        u = c.layout.unit
        self.languages.draw()
        top = int(u * 0.03) + self.languages.height() + int(u * 0.05)
        btn_h = int(u * 0.15)
        by = h - btn_h - int(u * 0.05)
        c.blit_text(cs.title, int(u * 0.085), (w // 2, top + int(u * 0.05)), WHITE, max_width=int(w * 0.9),
                    max_lines=2, shadow=True)
        body_px, hint_px = int(u * 0.052), int(u * 0.055)
        hint_h = c.typeface.block_height(c.text_block(cs.hint, hint_px, int(w * 0.9), max_lines=2))
        hint_y = by - int(u * 0.03) - hint_h // 2
        gap_p = int(u * 0.025)
        room_top, room_bottom = top + int(u * 0.11), hint_y - hint_h // 2 - gap_p
        wrap_first = True  # paragraphs wrapped at their size; shrunk (to the rule at most) only when they do not fit
        for wrap_first in (True, False):
            blocks = [c.text_block(p, body_px, int(w * 0.86), max_lines=4, wrap_first=wrap_first) for p in cs.body]
            heights = [c.typeface.block_height(b) for b in blocks]
            total = sum(heights) + gap_p * (len(heights) - 1)
            if total <= room_bottom - room_top:
                break
        y = max(room_top, (room_top + room_bottom - total) // 2)
        for para, bh in zip(cs.body, heights):  # centred in the room between the title and the hint
            rect = c.blit_text(para, body_px, (w // 2, y + bh // 2), WHITE, max_width=int(w * 0.86), max_lines=4,
                               shadow=True, wrap_first=wrap_first)
            y = rect.bottom + gap_p
        c.blit_text(cs.hint, hint_px, (w // 2, hint_y), HIGHLIGHT, max_width=int(w * 0.9), max_lines=2, shadow=True)
        gap = int(u * 0.04)
        bw = int(min(w * 0.44, u * 0.62))
        if cs.touch:
            c.button((w // 2 - bw - gap // 2, by, bw, btn_h), cs.decline, RETAKE_BG, SessionEvent.DECLINE)
            c.button((w // 2 + gap // 2, by, bw, btn_h), cs.agree, KEEP_BG, SessionEvent.AGREE)
        else:
            c.button((w // 2 - bw // 2, by, bw, btn_h), cs.decline, RETAKE_BG, SessionEvent.DECLINE)
