"""The countdown: a big number next to the lens (``[ui] lens``), never over the face, and a
short "look here" cue with a small arrow pointing at the lens."""

from __future__ import annotations

import math

import pygame

from ...guidance.prompts import text as prompt_text
from ...types import Prompt
from .canvas import HIGHLIGHT, WHITE, Canvas

ScreenRect = tuple[int, int, int, int]
Centre = tuple[tuple[int, int], int]  # (centre of the number, its pixel size)


class Countdown:
    #: the face inside the crop on screen, as fractions of the crop height: brows to chin
    #: (eye line 0.365, head 0.6 of the crop: the crown at ~0.08, the top of the forehead at
    #: ~0.2, the chin at ~0.68). The countdown may cover hair, never the face.
    FACE_TOP, FACE_BOTTOM = 0.2, 0.70
    FACE_HALF_WIDTH = 0.25  # of the crop width either side of its centre (ears at ~1.1 IED)

    def __init__(self, canvas: Canvas):
        self.c = canvas

    @classmethod
    def face_rect(cls, crop_rect: ScreenRect) -> ScreenRect:
        """Where the face is inside a crop on screen (x, y, w, h): what the countdown must not cover."""
        x, y, w, h = crop_rect
        return (int(x + (0.5 - cls.FACE_HALF_WIDTH) * w), int(y + cls.FACE_TOP * h),
                int(2 * cls.FACE_HALF_WIDTH * w), int((cls.FACE_BOTTOM - cls.FACE_TOP) * h))

    def draw(self, text: str, crop_rect: ScreenRect | None) -> None:
        centre, px = self.centre(crop_rect)
        self.c.blit_text(text, px, centre, WHITE, shadow=True)

    def centre(self, crop_rect: ScreenRect | None) -> Centre:
        """Where the countdown number goes and its size: next to the lens (``[ui] lens``: the
        camera above, below, left or right of the screen), so that the sitter's eyes are on
        the lens at the moment of capture, and never over the face (the sitter must see their
        own expression)."""
        u = self.c.layout.unit
        ax, ay, aw, ah = self.c.layout.preview
        lens = getattr(self.c.ui, "lens", "top")
        # The number's whole line box (the font's height, not just its digits) stays on screen.
        line = self.c.typeface.font(100).get_height() / 100.0
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
        return self._beside_crop(crop_rect)

    def _beside_crop(self, crop_rect: ScreenRect | None) -> Centre:
        """Beside the crop (no lens given): the side with the most room, else the prompt band."""
        u = self.c.layout.unit
        px = int(u * 0.5)
        digit_w = int(px * 0.6)
        ax, ay, aw, ah = self.c.layout.preview
        if crop_rect is None:
            return (ax + aw // 2, ay + ah // 2), px
        cx, cy, cw, ch = crop_rect
        left, right = cx - ax, ax + aw - (cx + cw)
        mid_y = min(ay + ah - px // 2, max(ay + px // 2, cy + ch // 2))
        if max(left, right) >= digit_w * 1.3:
            if right >= left:
                return (cx + cw + right // 2, mid_y), px
            return (ax + left // 2, mid_y), px
        bx, by, bw, bh = self.c.layout.band
        line = self.c.typeface.font(100).get_height() / 100.0  # the number's line box must fit the band
        return (bx + int(bh * 0.6), by + bh // 2), int(bh * 0.95 / max(1.0, line))

    def look_here_anchor(self, crop_rect: ScreenRect | None) -> tuple[tuple[int, int], tuple[int, int]]:
        """(centre of the 'look here' words, tip of the arrow at the screen edge toward the lens)."""
        (cx, cy), px = self.centre(crop_rect)
        w, h = self.c.layout.size
        lens = getattr(self.c.ui, "lens", "top")
        u = self.c.layout.unit
        words_w = self.c.text(self._words(), self._words_px())[0].get_width()
        # top / bottom: the words left of the number, the arrow right of it, both at the edge
        words_x = cx - int(px * 0.35) - words_w // 2 - 8
        arrow_x = cx + int(px * 0.35) + int(u * 0.05)
        if lens == "top":
            return (words_x, cy), (arrow_x, 2)
        if lens == "bottom":
            return (words_x, cy), (arrow_x, self.c.layout.preview[3] - 2)
        # left / right: the words under the number (kept on screen), the arrow at the edge
        half = words_w // 2 + 4
        wx = min(w - half, max(half, cx))
        if lens == "left":
            return (wx, cy + int(px * 0.45)), (2, cy)
        return (wx, cy + int(px * 0.45)), (w - 2, cy)

    def draw_look_here(self, crop_rect: ScreenRect | None) -> None:
        """A short 'look here' cue and a small arrow pointing at the lens."""
        words, tip = self.look_here_anchor(crop_rect)
        lens = getattr(self.c.ui, "lens", "top")
        size = max(8, int(self.c.layout.unit * 0.035))
        tx, ty = tip
        dx, dy = {"top": (0, 1), "bottom": (0, -1), "left": (1, 0), "right": (-1, 0)}.get(lens, (0, 1))
        base = (tx + dx * size * 2, ty + dy * size * 2)
        pts = [tip, (base[0] + dy * size, base[1] + dx * size), (base[0] - dy * size, base[1] - dx * size)]
        pygame.draw.polygon(self.c.surface, HIGHLIGHT, pts)
        self.c.blit_text(self._words(), self._words_px(), words, HIGHLIGHT, shadow=True)

    def _arrow_len(self) -> int:
        return 2 * max(8, int(self.c.layout.unit * 0.035)) + 6

    def _words_px(self) -> int:
        return int(self.c.layout.unit * 0.055)

    def _words(self) -> str:
        return prompt_text(Prompt.LOOK_HERE, self.c.ui.language)
