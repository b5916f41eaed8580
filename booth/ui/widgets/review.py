"""The review screen: the best 2-3 frames cut to the output crop, the highlighted one kept
with "Keep", "Retake" for another go; the booth keeps the best by itself after review_s."""

from __future__ import annotations

import pygame

from ...i18n import N_
from ...types import SessionEvent
from ..view import View
from .canvas import HIGHLIGHT, KEEP_BG, RETAKE_BG, WHITE, Canvas


class Review:
    def __init__(self, canvas: Canvas):
        self.c = canvas
        #: booth.review_s: the review screen says when the booth keeps the best by itself (the app sets it)
        self.review_s = 15.0

    def hint(self) -> str:
        """The review screen's one line: how to choose, and that the booth chooses by itself."""
        return self.c.tr(N_("Tap a photo, then Keep. We keep the best one in {seconds:g} s")).format(
            seconds=self.review_s)

    def draw(self, view: View) -> None:
        c = self.c
        w, h = c.layout.size
        u = c.layout.unit
        title = c.blit_text(c.tr(N_("Pick your photo")), int(u * 0.09), (w // 2, int(h * 0.06)), WHITE,
                            max_width=int(w * 0.9))
        # The hint sits under the title's own line box (it wraps to two lines on a portrait screen).
        hint_px = int(u * 0.045)
        hint_h = c.typeface.block_height(c.text_block(self.hint(), hint_px, int(w * 0.92), max_lines=2))
        hint = c.blit_text(self.hint(), hint_px, (w // 2, title.bottom + hint_h // 2), (210, 210, 210),
                           max_width=int(w * 0.92), max_lines=2)
        n = len(view.review)
        btn_h = int(u * 0.15)
        top, bottom = max(int(h * 0.06) + int(u * 0.14), hint.bottom + int(u * 0.02)), h - btn_h - int(u * 0.08)
        gap = int(u * 0.04)
        for i, box in self._slots(view, top, bottom, gap):
            thumb = c.thumb(view.review[i], (box.width - 16, box.height - 16))
            r = thumb.get_rect(center=box.center)
            c.surface.blit(thumb, r)
            if i == view.review_index:
                pygame.draw.rect(c.surface, HIGHLIGHT, r.inflate(14, 14), max(5, u // 90), border_radius=6)
            repeat = (i - view.review_index) % n
            if repeat:
                c.hit.append((r, SessionEvent.NEXT, repeat))
        bw = int(min(w * 0.4, u * 0.55))
        by = h - btn_h - int(u * 0.04)
        c.button((w // 2 - bw - gap // 2, by, bw, btn_h), c.tr(N_("Retake")), RETAKE_BG, SessionEvent.RETAKE)
        c.button((w // 2 + gap // 2, by, bw, btn_h), c.tr(N_("Keep")), KEEP_BG, SessionEvent.KEEP)

    def _slots(self, view: View, top: int, bottom: int, gap: int) -> list[tuple[int, pygame.Rect]]:
        """(candidate index, box) per photo: side by side; on a portrait screen one large
        highlighted photo with the others small below it."""
        w = self.c.layout.size[0]
        n = len(view.review)
        if self.c.layout.portrait and n > 1:
            big_box = (int(w * 0.86), int((bottom - top) * 0.68))
            small_box = (int((w - gap * (n)) / (n - 1)) if n > 1 else 0, int((bottom - top) * 0.26))
            order = [view.review_index] + [i for i in range(n) if i != view.review_index]
            boxes = [pygame.Rect((w - big_box[0]) // 2, top, *big_box)]
            sx = gap
            for _ in order[1:]:
                boxes.append(pygame.Rect(sx, bottom - small_box[1], small_box[0], small_box[1]))
                sx += small_box[0] + gap
            return list(zip(order, boxes))
        slot_w = (w - gap * (n + 1)) // max(1, n)
        return [(i, pygame.Rect(gap + i * (slot_w + gap), top, slot_w, bottom - top)) for i in range(n)]
