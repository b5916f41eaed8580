"""The thank-you (and saving) screen: the kept photo and, with a download link, a QR code."""

from __future__ import annotations

import numpy as np
import pygame

from ...i18n import N_
from ...types import BoothState
from ..view import View
from .canvas import HIGHLIGHT, WHITE, Canvas


class ThankYou:
    def __init__(self, canvas: Canvas):
        self.c = canvas
        self._qr_cache: tuple[tuple[str, int], pygame.Surface] | None = None

    def qr_surface(self, url: str, side: int) -> pygame.Surface:
        if self._qr_cache is None or self._qr_cache[0] != (url, side):
            from ...handoff.qr import qr_rgb_fit

            img = qr_rgb_fit(url, side)
            surf = pygame.image.frombuffer(np.ascontiguousarray(img).data, (img.shape[1], img.shape[0]), "RGB").copy()
            self._qr_cache = ((url, side), surf)
        return self._qr_cache[1]

    def draw(self, view: View) -> None:
        c = self.c
        w, h = c.layout.size
        u = c.layout.unit
        saving = view.state is BoothState.SAVING
        title = c.tr(N_("Saving your photo...")) if saving else c.tr(N_("Thank you!"))
        c.blit_text(title, int(u * 0.13), (w // 2, int(h * 0.1)), WHITE, max_width=int(w * 0.9))
        url = view.download_url if not saving else None
        top, bottom = int(h * 0.2), int(h * 0.86)
        if c.layout.portrait:
            photo_box = (int(w * 0.8), int((bottom - top) * (0.55 if url else 0.95)))
            photo_centre = (w // 2, top + photo_box[1] // 2)
            qr_side = int(min(w * 0.5, (bottom - top) * 0.38))
            qr_centre = (w // 2, bottom - qr_side // 2)
        else:
            photo_box = (int(w * (0.45 if url else 0.8)), bottom - top)
            photo_centre = (int(w * (0.3 if url else 0.5)), (top + bottom) // 2)
            qr_side = int(min(w * 0.3, (bottom - top) * 0.8))
            qr_centre = (int(w * 0.73), (top + bottom) // 2 - int(u * 0.03))
        if view.photo is not None:
            thumb = c.thumb(view.photo, photo_box)
            r = thumb.get_rect(center=photo_centre)
            c.surface.blit(thumb, r)
            pygame.draw.rect(c.surface, WHITE, r.inflate(8, 8), 4)
        if url:
            qr = self.qr_surface(url, qr_side)
            r = qr.get_rect(center=qr_centre)
            c.surface.blit(qr, r)
            c.blit_text(c.tr(N_("Scan to download")), int(u * 0.06), (r.centerx, r.bottom + int(u * 0.05)), WHITE,
                        max_width=int(w * 0.45))
        footer = view.message or (c.tr(N_("One moment...")) if saving else c.tr(N_("Your headshot is saved")))
        c.blit_text(footer, int(u * 0.07), (w // 2, int(h * 0.94)), HIGHLIGHT, max_width=int(w * 0.92))
