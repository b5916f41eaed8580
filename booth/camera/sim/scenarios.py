"""Named situations for the simulated sitter, each a small parameterised dataclass.

A scenario says where the sitter starts and what the world does (blinks, window light, a
second person, a walk-out, a camera fault). It never says what the booth should do: the
sitter only moves when the booth prompts it (see :mod:`booth.camera.sim.sitter`).

Positions are fractions of the frame: ``x`` of the width and ``y`` of the height, for the
sitter's eye midpoint. ``distance`` is the face size relative to the sitter's "natural"
seated size (1.0: head about ``framing.target_head_fraction`` of the frame height; 2.0:
twice as large, i.e. too close). Angles are degrees in :class:`~booth.types.FaceMeasures`'
sign conventions. ``window`` is one-sided ambient light on the sitter's left (image right)
in units of the key lights' full power.

=========================== ===================================================================
name                        what happens
=========================== ===================================================================
enter-off-centre            walks in from image left and stops well off-centre, head a little low
too-close                   sits down with the face about 1.8x the comfortable size
too-far                     stands far back: face about 0.55x
tilted                      head rolled 14 deg
looking-away                eyes look off to the side (gaze 0.35 of eye width)
blinker                     blinks about once a second, long blinks, until asked to open the eyes
window-left                 strong daylight from the sitter's left: 1.4 EV across the face unlit
two-people                  a second person leans in beside the sitter, leaves when asked
walk-away-during-countdown  walks out of frame shortly after the countdown starts, returns later
camera-drop                 the camera stops delivering frames for 3 s mid-session (a loose cable)
close-low                   sits close, face about 2.4x: the crop would reach past the bottom (pad)
close-off-centre            sits close (2.3x) and a little off to one side: the crop would leave the frame's side
=========================== ===================================================================
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ...errors import ConfigError


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    # Where the sitter ends up after walking in (eye midpoint, frame fractions) and how.
    x: float = 0.5
    y: float = 0.42
    distance: float = 1.0
    roll: float = 0.0
    yaw: float = 0.0
    pitch: float = 0.0
    gaze_h: float = 0.0
    gaze_v: float = 0.0
    jitter: float = 0.03  # seed-dependent spread of the start position (frame fraction)
    enter_at_s: float = 0.3
    enter_from: int = -1  # -1: from image left, +1: from image right, 0: already seated at t=0
    walk_in_s: float = 0.8
    # The person
    blink_per_min: float = 14.0
    blink_s: float = 0.25
    blink_rate_after_prompt_per_min: float = 8.0  # after "open your eyes"
    # Light (in key-light full-power units)
    ambient: float = 0.35  # uniform room light
    window: float = 0.0  # one-sided ambient on the sitter's left (image right)
    wall_lux: float = 0.5  # wall brightness from the room
    # Events
    second_person_at_s: float | None = None
    second_person_leaves_after_s: float = 1.0  # after the booth asks for one person (plus reaction)
    walk_away_in_countdown: bool = False
    walk_away_back_after_s: float = 4.0
    camera_drop_at_s: float | None = None
    camera_drop_s: float = 3.0
    max_s: float = 40.0

    def replace(self, **changes) -> "Scenario":
        return dataclasses.replace(self, **changes)


SCENARIOS: dict[str, Scenario] = {s.name: s for s in (
    Scenario("enter-off-centre", "walks in from image left and stops well off-centre, head a little low",
             x=0.27, y=0.50, distance=0.95),
    Scenario("too-close", "sits with the face about 1.8x the comfortable size", x=0.5, y=0.45, distance=1.8,
             enter_from=0),
    Scenario("too-far", "stands far back: face about 0.55x", x=0.52, y=0.40, distance=0.55, enter_from=0),
    Scenario("tilted", "head rolled 14 degrees toward the left shoulder", roll=14.0, enter_from=0),
    Scenario("looking-away", "eyes look off to the side", gaze_h=0.35, enter_from=0),
    Scenario("blinker", "blinks about once a second with long blinks until asked to open the eyes",
             blink_per_min=60.0, blink_s=0.4, enter_from=0),
    Scenario("window-left", "strong daylight from the sitter's left (image right)", window=1.5, ambient=0.1,
             enter_from=0),
    Scenario("two-people", "a second person leans in beside the sitter and leaves when asked",
             enter_from=0, second_person_at_s=0.2),
    Scenario("walk-away-during-countdown", "walks out of frame soon after the countdown starts, back later",
             enter_from=0, walk_away_in_countdown=True),
    Scenario("camera-drop", "the camera delivers nothing for 3 s mid-session", enter_from=0,
             camera_drop_at_s=2.0, camera_drop_s=3.0),
    Scenario("close-low", "sits close, face about 2.4x: the crop would reach past the bottom of the frame",
             x=0.5, y=0.42, distance=2.4, enter_from=0),
    Scenario("close-off-centre", "sits close (2.3x) and a little off to one side: the crop would leave the side",
             x=0.33, y=0.42, distance=2.3, enter_from=0),
)}


def scenario_named(name: str) -> Scenario:
    try:
        return SCENARIOS[name]
    except KeyError:
        raise ConfigError(f"no simulator scenario {name!r}; choose one of: {', '.join(SCENARIOS)}") from None
