"""The live preview with the guide: the mirrored camera picture placed so the output crop is
whole, the outside of the crop dimmed, the crop outlined with a head-and-shoulders silhouette
(coloured by readiness), and for a graded move an arrow as long as the way to go."""

from __future__ import annotations

import math

import pygame

from ..view import View
from .canvas import INK, Canvas
from .geometry import mirror_rect, place_image, readiness_colour

ARROW = (0, 190, 255)  # the way to go: a colour the readiness guide never takes
# Where the silhouette's head sits inside the crop (fractions of the crop), matching the framing
# bands' centres: head height 0.55-0.65 of the crop, eye line 0.33-0.40 from the top.
HEAD_TOP = 0.10
HEAD_HEIGHT = 0.58
HEAD_WIDTH_OF_HEIGHT = 0.74

ScreenRect = tuple[int, int, int, int]


class PreviewWithGuide:
    """Draws ``view.preview`` into the layout's preview area, and the guide on its crop."""

    def __init__(self, canvas: Canvas):
        self.c = canvas

    def geometry(self, view: View) -> tuple[float, int, int, ScreenRect | None]:
        """(scale, x, y, crop rect on screen or None) of the preview as drawn for ``view``."""
        if view.preview is None:
            raise ValueError("the view has no preview picture to place")
        h, w = view.preview.shape[:2]
        crop = view.crop_norm
        shown = mirror_rect(crop) if (crop is not None and self.c.ui.mirror) else crop
        scale, x, y = place_image(w, h, self.c.layout.preview, shown)
        rect = None
        if shown is not None:
            rect = (int(round(x + shown[0] * w * scale)), int(round(y + shown[1] * h * scale)),
                    int(round(shown[2] * w * scale)), int(round(shown[3] * h * scale)))
        return scale, x, y, rect

    def draw(self, view: View, dim_outside_crop: bool = True) -> ScreenRect | None:
        """The picture (dimmed outside the crop); returns the crop's rect on screen."""
        if view.preview is None:
            return None
        h, w = view.preview.shape[:2]
        scale, x, y, rect = self.geometry(view)
        surf = self.c.surface_of(view.preview, self.c.ui.mirror)
        surf = pygame.transform.scale(surf, (max(1, int(round(w * scale))), max(1, int(round(h * scale)))))
        area = pygame.Rect(self.c.layout.preview)
        self.c.surface.set_clip(area)
        self.c.surface.blit(surf, (x, y))
        if dim_outside_crop:
            self.c.dim(area, rect)
        self.c.surface.set_clip(None)
        return rect

    def draw_dimmed(self, view: View) -> None:
        """The live preview, shaded, under a full-screen message (attract, consent, error)."""
        if view.preview is not None:
            self.draw(view, dim_outside_crop=False)
            self.c.dim(self.c.layout.preview)

    def draw_live(self, view: View) -> ScreenRect | None:
        """Guiding: the picture, the guide in the readiness colour, the move arrow."""
        rect = self.draw(view)
        if rect is not None:
            self.guide(rect, readiness_colour(view.readiness))
        arrow = self.move_arrow(view)
        if arrow is not None:
            self.arrow(*arrow)
        return rect

    def guide(self, rect: ScreenRect, colour: tuple[int, int, int]) -> None:
        """The exact output crop (outline with corner brackets) and a head-and-shoulders silhouette."""
        surface = self.c.surface
        x, y, w, h = rect
        line = max(3, self.c.layout.unit // 120)
        pygame.draw.rect(surface, colour, rect, line)
        arm = max(12, int(min(w, h) * 0.14))
        thick = line * 3
        for cx, cy, sx, sy in ((x, y, 1, 1), (x + w, y, -1, 1), (x, y + h, 1, -1), (x + w, y + h, -1, -1)):
            pygame.draw.line(surface, colour, (cx, cy), (cx + sx * arm, cy), thick)
            pygame.draw.line(surface, colour, (cx, cy), (cx, cy + sy * arm), thick)
        head_h = h * HEAD_HEIGHT
        head_w = head_h * HEAD_WIDTH_OF_HEIGHT
        head = pygame.Rect(int(x + w / 2 - head_w / 2), int(y + h * HEAD_TOP), int(head_w), int(head_h))
        pygame.draw.ellipse(surface, colour, head, line)
        # Shoulders: an arc from the neck out to the crop's lower corners.
        neck_y = head.bottom - head_h * 0.04
        sh_w = min(w * 0.96, head_w * 2.6)
        shoulders = pygame.Rect(int(x + w / 2 - sh_w / 2), int(neck_y + h * 0.04), int(sh_w), int(h * 0.5))
        pygame.draw.arc(surface, colour, shoulders, math.radians(18), math.radians(162), line)

    def move_arrow(self, view: View) -> tuple[tuple[int, int], tuple[int, int]] | None:
        """(tail, tip) on screen of the arrow for ``view.move``, or None when there is none.

        The tail sits at the middle of the crop, low across the shoulders (never over the
        face); the arrow is the way to go at the preview's scale, mirrored with the preview:
        a sitter who moves to its tip has moved as far as asked. Never shorter than a
        readable arrow; one that would leave the preview (a zoomed-in portrait preview) is
        eased in before the edge, still longer for a longer way."""
        if view.move is None or view.preview is None or view.crop_norm is None:
            return None
        h, w = view.preview.shape[:2]
        scale, _, _, rect = self.geometry(view)
        if rect is None:
            return None
        cx, cy, cw, ch = rect
        tail = (cx + cw / 2, cy + ch * 0.86)
        dx = view.move[0] * w * scale * (-1.0 if self.c.ui.mirror else 1.0)
        dy = view.move[1] * h * scale
        length = math.hypot(dx, dy)
        if length < 1e-6:
            return None
        shortest = self.head() * 1.6
        if length < shortest:
            dx, dy, length = dx * shortest / length, dy * shortest / length, shortest
        ax, ay, aw, ah = self.c.layout.preview
        pad = self.head() * 0.7
        ux, uy = dx / length, dy / length
        rooms = []
        if abs(ux) > 1e-9:
            rooms.append(((ax + aw - pad - tail[0]) if ux > 0 else (tail[0] - ax - pad)) / abs(ux))
        if abs(uy) > 1e-9:
            rooms.append(((ay + ah - pad - tail[1]) if uy > 0 else (tail[1] - ay - pad)) / abs(uy))
        room = max(shortest, min(rooms))
        knee = 0.8 * room
        if length > knee:  # soft knee: monotone in the way to go, never past the preview's edge
            length = knee + (room - knee) * (1.0 - math.exp(-(length - knee) / (room - knee)))
        tip = (tail[0] + ux * length, tail[1] + uy * length)
        return (int(round(tail[0])), int(round(tail[1]))), (int(round(tip[0])), int(round(tip[1])))

    def head(self) -> int:
        """The arrow head's length in pixels."""
        return max(18, int(self.c.layout.unit * 0.06))

    def arrow(self, tail: tuple[int, int], tip: tuple[int, int]) -> None:
        """A filled arrow with a dark rim (readable over any shirt or wall)."""
        head = self.head()
        half_shaft, half_head = head * 0.28, head * 0.62
        dx, dy = tip[0] - tail[0], tip[1] - tail[1]
        length = math.hypot(dx, dy)
        if length < 1:
            return
        ux, uy = dx / length, dy / length
        nx, ny = -uy, ux
        neck = max(0.0, length - head)

        def at(along: float, across: float) -> tuple[float, float]:
            return (tail[0] + ux * along + nx * across, tail[1] + uy * along + ny * across)

        shape = [at(0, -half_shaft), at(neck, -half_shaft), at(neck, -half_head), at(length, 0.0),
                 at(neck, half_head), at(neck, half_shaft), at(0, half_shaft)]
        self.c.surface.set_clip(pygame.Rect(self.c.layout.preview))
        pygame.draw.polygon(self.c.surface, ARROW, shape)
        pygame.draw.polygon(self.c.surface, INK, shape, max(2, head // 12))
        self.c.surface.set_clip(None)
