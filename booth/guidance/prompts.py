"""The prompt catalogue: what the booth says, in short human sentences.

Code never spells a sentence; it names a :class:`~booth.types.Prompt` and the screen asks
:func:`text` for the words. Directions are the sitter's own (see ``Prompt``): the words
therefore read right whether the preview is mirrored or not. A new language is one more
dictionary in ``CATALOGUE``; a missing entry falls back to English.

>>> text(Prompt.MOVE_CLOSER)
'Move a little closer'
"""

from __future__ import annotations

from types import MappingProxyType

from ..types import Prompt

_EN = {
    Prompt.STEP_IN: "Step in front of the camera",
    Prompt.ONE_PERSON: "Only one person, please",
    Prompt.MOVE_CLOSER: "Move a little closer",
    Prompt.MOVE_BACK: "Move back a little",
    Prompt.MOVE_LEFT: "Move a little to your left",
    Prompt.MOVE_RIGHT: "Move a little to your right",
    Prompt.MOVE_UP: "Sit up a little taller",
    Prompt.MOVE_DOWN: "Lower yourself a little",
    Prompt.STRAIGHTEN_HEAD: "Straighten your head",
    Prompt.TURN_LEFT: "Turn your face a little to your left",
    Prompt.TURN_RIGHT: "Turn your face a little to your right",
    Prompt.CHIN_UP: "Lift your chin a little",
    Prompt.CHIN_DOWN: "Lower your chin a little",
    Prompt.LOOK_AT_CAMERA: "Look at the camera",
    Prompt.OPEN_EYES: "Eyes open, please",
    Prompt.SMILE: "A relaxed smile",
    Prompt.SOFTEN_SMILE: "Soften your smile a little",
    Prompt.CLOSE_MOUTH: "Close your mouth gently",
    Prompt.HOLD_STILL: "Hold still",
    Prompt.TURN_TO_LIGHT: "Turn a little toward the light",
    Prompt.EXPRESS_CONFIDENT: "Look confident: a slight smile, lips closed",
    Prompt.EXPRESS_APPROACHABLE: "Approachable: a warm, open smile",
    Prompt.EXPRESS_SERIOUS: "Serious now: no smile",
    Prompt.EXPRESS_PLAYFUL: "Playful: a big smile",
}

CATALOGUE = MappingProxyType({"en": MappingProxyType(_EN)})


def text(prompt: Prompt, lang: str = "en") -> str:
    """The sentence for ``prompt`` in ``lang`` (English when that language lacks it)."""
    table = CATALOGUE.get(lang, CATALOGUE["en"])
    return table.get(prompt) or CATALOGUE["en"][prompt]


def languages() -> tuple[str, ...]:
    return tuple(CATALOGUE)
