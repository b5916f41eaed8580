"""Keys as SessionEvents: what a key means on the screen that is up (a pure mapping).

Escape / q quits (the screen handles that before asking here). Space or Enter is the
shutter while guiding; on the review screens Enter / k / Space keeps, r / Backspace
retakes, the arrows, n and Tab move the highlight; l changes the language on the attract
and consent screens, n / Backspace / Delete declines consent.
"""

from __future__ import annotations

import pygame

from ..types import BoothState, SessionEvent

ENTER = (pygame.K_RETURN, pygame.K_KP_ENTER)


def events_for_key(key: int, state: BoothState | None, review_count: int) -> list[SessionEvent]:
    """The events ``key`` sends on the screen for ``state`` (``review_count``: photos or
    tiles on a review screen, so "back" is that many NEXTs less one)."""
    if state is BoothState.CONSENT:
        if key in (pygame.K_n, pygame.K_BACKSPACE, pygame.K_DELETE):
            return [SessionEvent.DECLINE]
        if key == pygame.K_l:
            return [SessionEvent.LANGUAGE]
    if state is BoothState.ATTRACT and key == pygame.K_l:
        return [SessionEvent.LANGUAGE]
    if state in (BoothState.REVIEW, BoothState.SERIES_REVIEW):
        if key in (*ENTER, pygame.K_k, pygame.K_SPACE):
            return [SessionEvent.KEEP]
        if key in (pygame.K_r, pygame.K_BACKSPACE):
            return [SessionEvent.RETAKE]
        if key in (pygame.K_RIGHT, pygame.K_n, pygame.K_TAB, pygame.K_DOWN):
            return [SessionEvent.NEXT]
        if key in (pygame.K_LEFT, pygame.K_UP) and review_count > 1:
            return [SessionEvent.NEXT] * (review_count - 1)
        return []
    if key in (pygame.K_SPACE, *ENTER):
        return [SessionEvent.SHUTTER]
    return []
