"""The prompt catalogue: what the booth says, in short human sentences.

Code never spells a sentence; it names a :class:`~booth.types.Prompt` and the screen asks
:func:`text` for the words. Directions are the sitter's own (see ``Prompt``): the words
therefore read right whether the preview is mirrored or not. A new language is one more
dictionary in ``CATALOGUE``; a missing entry falls back to English.

>>> text(Prompt.MOVE_CLOSER)
'Move a little closer'

Graded prompts: a move that has a measured way to go (``Actions.prompt_amount``) is worded
by its size. From :data:`BIG_MOVE` (0.15 of the frame width, about 20 cm at a 1.3 m wide
field: more than the ~7 % a sitter shuffles when told "a little") the sentence asks for a
real step, so that the sitter takes one step instead of three small ones; the screen's
arrow shows how far. Below it, or with no amount, the plain sentence stays.

>>> text(Prompt.MOVE_LEFT, amount=0.23)
'Take a step to your left'
>>> text(Prompt.MOVE_LEFT, amount=0.08)
'Move a little to your left'
"""

from __future__ import annotations

from types import MappingProxyType

from ..types import MOVE_DIRECTIONS, Prompt

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
    # the actor series: what to do, in a few words (the rules: booth/guidance/actor.py)
    Prompt.EXPRESS_CONFIDENT: "Confident: think of good news you can't share yet",
    Prompt.EXPRESS_APPROACHABLE: "Approachable: smile at a friend walking in",
    Prompt.EXPRESS_SERIOUS: "Intense: no smile, look right through the lens",
    Prompt.EXPRESS_VULNERABLE: "Vulnerable: think of someone you miss",
    Prompt.EXPRESS_PLAYFUL: "Playful: grin at a joke only you get",
}

# The same prompts when the way to go is at least BIG_MOVE (the arrow carries the distance).
_EN_BIG = {
    Prompt.MOVE_LEFT: "Take a step to your left",
    Prompt.MOVE_RIGHT: "Take a step to your right",
}

BIG_MOVE = 0.15  # fraction of the frame width from which a sideways move is a step, not "a little"
#: once a move reads as a step, it keeps that wording until the way to go is under this: a
#: sitter swaying at 0.15 must not see the sentence flicker (``was_big`` below; the screen
#: remembers what it showed)
BIG_MOVE_EXIT = 0.13

CATALOGUE = MappingProxyType({"en": MappingProxyType(_EN)})
CATALOGUE_BIG = MappingProxyType({"en": MappingProxyType(_EN_BIG)})


def is_big(prompt: Prompt, amount: float | None, *, was_big: bool = False) -> bool:
    """Does ``amount`` make ``prompt`` a big move (one with a graded sentence)? ``was_big``:
    the same prompt already reads as a step on screen, which it keeps down to
    :data:`BIG_MOVE_EXIT`."""
    return (prompt in MOVE_DIRECTIONS and amount is not None
            and amount >= (BIG_MOVE_EXIT if was_big else BIG_MOVE))


def text(prompt: Prompt, lang: str = "en", amount: float | None = None, *, was_big: bool = False) -> str:
    """The sentence for ``prompt`` in ``lang`` (English when that language lacks it).
    ``amount``: how far the sitter must go (``Actions.prompt_amount``); a big one reads as
    a step (see the module doc and :func:`is_big`)."""
    if is_big(prompt, amount, was_big=was_big):
        table = CATALOGUE_BIG.get(lang, CATALOGUE_BIG["en"])
        return table.get(prompt) or CATALOGUE_BIG["en"][prompt]
    table = CATALOGUE.get(lang, CATALOGUE["en"])
    return table.get(prompt) or CATALOGUE["en"][prompt]


def languages() -> tuple[str, ...]:
    return tuple(CATALOGUE)
