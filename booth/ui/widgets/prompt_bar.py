"""The prompt bar: the band under the preview with one large prompt line (and a small
subtitle, e.g. "Expression 2 of 5"), room kept on the left for a countdown in the band."""

from __future__ import annotations

from .canvas import INK, WHITE, Canvas, Colour


class PromptBar:
    def __init__(self, canvas: Canvas):
        self.c = canvas

    def draw(self, text: str | None, colour: Colour = WHITE, bg: Colour = INK, subtitle: str | None = None,
             reserve_left: int = 0) -> None:
        c = self.c
        bx, by, bw, bh = c.layout.band
        c.surface.fill(bg, (bx, by, bw, bh))
        top = by  # a subtitle takes a line at the top; the prompt is centred in what is left
        if subtitle:
            sub_px = int(c.layout.unit * 0.05)
            sub_h = c.typeface.block_height(c.text_block(subtitle, sub_px, int(bw * 0.9), max_lines=1))
            pad = max(2, int(bh * 0.04))
            c.blit_text(subtitle, sub_px, (bx + bw // 2, by + pad + sub_h // 2), (200, 200, 200),
                        max_width=int(bw * 0.9), max_lines=1)
            top = by + pad + sub_h
        if text:
            px = int(c.layout.unit * 0.11)
            room = bw - reserve_left
            high = by + bh - top
            cy = top + high // 2
            c.blit_text(text, px, (bx + reserve_left + room // 2, cy), colour, max_width=int(room * 0.94),
                        max_height=int(high * 0.94), max_lines=2)
