"""The actor series as a set: one tile per expression (its photo, or "skipped"), the
highlighted one retaken with "Retake", the whole set kept with "Keep all"."""

from __future__ import annotations

import pygame

from ...i18n import N_
from ...types import SessionEvent
from ..view import View
from .canvas import GREY, HIGHLIGHT, KEEP_BG, RETAKE_BG, WHITE, Canvas

#: the actor series' expressions as the sitter reads them (booth/guidance/actor.py's names)
EXPRESSION_NAMES = {"confident": N_("Confident"), "approachable": N_("Approachable"), "serious": N_("Serious"),
                    "vulnerable": N_("Vulnerable"), "playful": N_("Playful")}


class SeriesReview:
    def __init__(self, canvas: Canvas):
        self.c = canvas

    def expression_name(self, name: str) -> str:
        marked = EXPRESSION_NAMES.get(name)
        return self.c.tr(marked) if marked else name.capitalize()

    def draw(self, view: View) -> None:
        c = self.c
        w, h = c.layout.size
        u = c.layout.unit
        c.blit_text(c.tr(N_("Your series")), int(u * 0.09), (w // 2, int(h * 0.06)), WHITE, max_width=int(w * 0.9))
        tiles = view.series
        n = max(1, len(tiles))
        btn_h = int(u * 0.15)
        top, bottom = int(h * 0.12), h - btn_h - int(u * 0.1)
        gap = int(u * 0.03)
        cols = n if not c.layout.portrait else min(n, 2)
        rows = -(-n // cols)
        tile_w = (w - gap * (cols + 1)) // cols
        tile_h = (bottom - top - gap * (rows - 1)) // rows
        label_px = int(u * 0.045)
        current = view.expression_step[0] if view.expression_step else 0
        for i, (name, status, image) in enumerate(tiles):
            r, col = divmod(i, cols)
            box = pygame.Rect(gap + col * (tile_w + gap), top + r * (tile_h + gap), tile_w, tile_h)
            photo_box = (box.width - 12, box.height - label_px * 2 - 12)
            centre = (box.centerx, box.top + 6 + photo_box[1] // 2)
            if image is not None:
                thumb = c.thumb(image, photo_box)
                rect = thumb.get_rect(center=centre)
                c.surface.blit(thumb, rect)
            else:
                rect = self._empty_card(photo_box, centre, status)
            if i == current:
                pygame.draw.rect(c.surface, HIGHLIGHT, rect.inflate(12, 12), max(4, u // 100), border_radius=6)
            mark = c.tr(N_("kept")) if status == "saved" else c.tr(N_("skipped"))
            c.blit_text(f"{self.expression_name(name)}: {mark}", label_px, (box.centerx, box.bottom - label_px),
                        WHITE if status == "saved" else GREY, max_width=box.width)
            repeat = (i - current) % n
            if repeat:
                c.hit.append((rect, SessionEvent.NEXT, repeat))
        bw = int(min(w * 0.44, u * 0.62))
        by = h - btn_h - int(u * 0.04)
        name = self.expression_name(tiles[current][0]) if tiles else ""
        c.button((w // 2 - bw - gap // 2, by, bw, btn_h), c.tr(N_("Retake {name}")).format(name=name), RETAKE_BG,
                 SessionEvent.RETAKE)
        c.button((w // 2 + gap // 2, by, bw, btn_h), c.tr(N_("Keep all")), KEEP_BG, SessionEvent.KEEP)

    def _empty_card(self, photo_box: tuple[int, int], centre: tuple[int, int], status: str) -> pygame.Rect:
        """A 4:5 card where the photo would be, saying "skipped" (or "-")."""
        c = self.c
        pw_ = min(photo_box[0], int(photo_box[1] * 0.8))
        rect = pygame.Rect(0, 0, pw_, min(photo_box[1], int(pw_ / 0.8)))
        rect.center = centre
        pygame.draw.rect(c.surface, (45, 45, 50), rect, border_radius=8)
        c.blit_text(c.tr(N_("skipped")) if status == "skipped" else "-", int(c.layout.unit * 0.05), rect.center, GREY,
                    max_width=int(rect.width * 0.9))
        return rect
