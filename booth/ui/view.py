"""The view model: everything the screen draws, and nothing it must compute about faces.

:class:`ViewBuilder` turns the session's :class:`~booth.types.Actions` plus the newest camera
image into a :class:`View`. It is the only place that looks up prompt texts and crops review
candidates, so :mod:`booth.ui.screen` draws plain values::

    builder = ViewBuilder()
    view = builder.build(actions, preview=frame.image)
    screen.draw(view)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..guidance import prompts
from ..types import MOVE_DIRECTIONS, Actions, BoothState, ConsentScreen, Prompt

Rect = tuple[float, float, float, float]


def prompt_text(prompt: Prompt | None, language: str = "en", amount: float | None = None, *,
                was_big: bool = False) -> str | None:
    """The sitter-facing sentence for ``prompt`` from the guidance catalogue (``amount``:
    how far to go, which grades the words of a move; ``was_big``: see prompts.is_big)."""
    return None if prompt is None else prompts.text(prompt, language, amount, was_big=was_big)


def move_vector(prompt: Prompt | None, amount: float | None) -> tuple[float, float] | None:
    """The way to go as (dx, dy) in fractions of the unmirrored camera image's width and
    height, or None when the prompt is not a graded move or carries no amount."""
    if prompt is None or amount is None or prompt not in MOVE_DIRECTIONS:
        return None
    ux, uy = MOVE_DIRECTIONS[prompt]
    return (ux * float(amount), uy * float(amount))


@dataclass(frozen=True, eq=False)
class View:
    """One screenful. Images are BGR uint8 arrays, unmirrored (the screen mirrors them)."""

    state: BoothState
    preview: np.ndarray | None = None
    prompt: str | None = None
    # a graded move: (dx, dy) in fractions of the preview's width/height in the *unmirrored*
    # image (the screen mirrors it with the preview); drawn as an arrow of that length
    move: tuple[float, float] | None = None
    readiness: float = 0.0
    crop_norm: Rect | None = None
    countdown: int | None = None  # whole seconds left, shown as a big number
    flash: bool = False
    review: tuple[np.ndarray, ...] = ()  # candidates already cut to the output crop, best first
    review_index: int = 0
    photo: np.ndarray | None = None  # the kept photo (thank-you screen)
    message: str | None = None
    download_url: str | None = None
    expression_step: tuple[int, int] | None = None
    status: str | None = None  # a small operator line (fps), None on a sitter's screen
    language: str = "en"  # the sitter's catalogue language: the screen's own words follow it
    consent: ConsentScreen | None = None  # the consent screen's text (state CONSENT)
    headline: str | None = None  # error screen: what the sitter reads in large type (default "Sorry, one moment")
    skip_offered: bool = False  # actor series: show "Skip this one"
    # actor series review: (expression, status, photo cut to its crop or None), one per expression
    series: tuple[tuple[str, str, np.ndarray | None], ...] = ()


def crop_image(image: np.ndarray, crop_norm: Rect | None) -> np.ndarray:
    """``image`` cut to ``crop_norm`` (a view, no copy); the whole image when None."""
    if crop_norm is None:
        return image
    h, w = image.shape[:2]
    x, y, cw, ch = crop_norm
    x0, y0 = max(0, int(round(x * w))), max(0, int(round(y * h)))
    x1, y1 = min(w, int(round((x + cw) * w))), min(h, int(round((y + ch) * h)))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return image
    return image[y0:y1, x0:x1]


class ViewBuilder:
    """Builds Views from Actions; remembers the photo being saved for the thank-you screen."""

    def __init__(self, status: bool = False, language: str = "en"):
        self.language = language
        self._last_saved: np.ndarray | None = None
        self._last_crop: Rect | None = None
        self.show_status = status
        self._cuts: dict[int, tuple] = {}  # id(candidate) -> (candidate, crop, image)
        self._step_wording: Prompt | None = None  # the move the screen words as a step now
        self._series_cuts: dict[int, tuple] = {}  # id(candidate) -> (candidate, image): series review tiles

    def _cut(self, candidate, crop) -> np.ndarray:
        """The candidate cut to the crop, the same array object frame after frame (the screen
        caches its scaled thumbnail by identity; full-resolution pixels are costly to rescale)."""
        hit = self._cuts.get(id(candidate))
        if hit is None or hit[0] is not candidate or hit[1] != crop:
            hit = (candidate, crop, crop_image(candidate.frame.best, crop))
            self._cuts[id(candidate)] = hit
        return hit[2]

    def build(self, actions: Actions, preview: np.ndarray | None, status: str | None = None,
              download_url: str | None = None) -> View:
        """``download_url``: a link the app got from the handoff room for the photo just saved
        (shown on the thank-you screen when the session's Actions carry none)."""
        if actions.crop_norm is not None:
            self._last_crop = actions.crop_norm
        crop = actions.crop_norm or self._last_crop
        if actions.save is not None:
            self._last_saved = crop_image(actions.save.frame.best, crop)
        elif actions.state in (BoothState.ATTRACT, BoothState.GUIDING):
            self._last_saved = None
        review = tuple(self._cut(c, crop) for c in actions.review)
        self._cuts = {k: v for k, v in self._cuts.items() if v[0] in actions.review}
        # a move worded as a step stays one while its way to go shrinks (prompts.is_big)
        was_big = self._step_wording is actions.prompt
        big = actions.prompt is not None and prompts.is_big(actions.prompt, actions.prompt_amount, was_big=was_big)
        self._step_wording = actions.prompt if big else None
        lang = actions.language or self.language
        countdown = None
        if actions.countdown_remaining_s is not None:
            countdown = max(1, math.ceil(actions.countdown_remaining_s - 1e-6))
        return View(
            state=actions.state,
            preview=preview,
            prompt=prompt_text(actions.prompt, lang, actions.prompt_amount, was_big=was_big),
            move=move_vector(actions.prompt, actions.prompt_amount),
            readiness=float(min(1.0, max(0.0, actions.readiness))),
            crop_norm=crop,
            countdown=countdown,
            flash=actions.flash,
            review=review,
            review_index=actions.review_index,
            photo=self._last_saved if actions.state in (BoothState.SAVING, BoothState.THANK_YOU) else None,
            message=actions.message,
            download_url=actions.download_url or (download_url if actions.state is BoothState.THANK_YOU else None),
            expression_step=actions.expression_step,
            status=status if self.show_status else None,
            language=lang,
            consent=actions.consent,
            skip_offered=actions.skip_offered,
            series=self._series(actions) if actions.state is BoothState.SERIES_REVIEW else (),
        )

    def _series(self, actions: Actions) -> tuple:
        tiles, cuts = [], {}
        for item in actions.series:
            image = None
            c = item.candidate
            if c is not None:
                hit = self._series_cuts.get(id(c))
                if hit is None or hit[0] is not c:
                    hit = (c, crop_image(c.frame.best, item.crop_norm))
                cuts[id(c)] = hit
                image = hit[1]
            tiles.append((item.expression, item.status, image))
        self._series_cuts = cuts
        return tuple(tiles)
