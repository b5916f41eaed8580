"""A small optical plant for testing the light loop without a camera.

``cheeks`` is the pure part: light levels + the room -> linear luminance on the subject's
left and right cheek. ``Plant`` adds what a real camera adds between a light change and a
measurement: pipeline latency (a change shows up a few frames later), auto-exposure that
normalises the face's brightness gradually, and measurement noise.

The geometry is a typical booth: a key light 45 degrees to each side (full on its own
cheek, ``spill`` on the far cheek), a frontal fill on both cheeks equally, and ambient light
(a window) that can favour one side. Numbers are relative units of illuminance.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from booth.config import LightsSection
from booth.types import LightLevels


@dataclass(frozen=True)
class Room:
    ambient_left: float = 0.1  # illuminance the room puts on the subject's left cheek
    ambient_right: float = 0.1
    ambient_background: float = 0.2
    key_output: float = 1.0  # a key at full duty on its own cheek
    spill: float = 0.25  # fraction of a key's light on the far cheek
    fill_output: float = 0.5  # the fill at full duty, on both cheeks
    background_output: float = 0.4
    albedo: float = 0.5  # skin reflectance: cheek luminance per unit illuminance


def output(levels: LightLevels, lights: LightsSection, name: str) -> float:
    """Light output (proportional to duty) of one channel: level ** gamma, as the rig drives it."""
    spec = {c.name: c for c in lights.channels}[name]
    level = levels.get(name)
    return level ** spec.gamma if level > 0 else 0.0


def cheeks(levels: LightLevels, room: Room, lights: LightsSection) -> tuple[float, float]:
    """(left, right) cheek luminance in linear light, before the camera's exposure."""
    kl, kr = output(levels, lights, "key_left"), output(levels, lights, "key_right")
    fill = output(levels, lights, "fill") * room.fill_output
    left = room.ambient_left + room.key_output * (kl + room.spill * kr) + fill
    right = room.ambient_right + room.key_output * (kr + room.spill * kl) + fill
    return room.albedo * left, room.albedo * right


class Plant:
    """A camera watching the face: latency, auto-exposure, noise. One ``frame`` call per frame."""

    def __init__(self, room: Room, lights: LightsSection, latency_frames: int = 2, ae_rate: float = 0.4,
                 ae_target: float = 0.45, face_weight: float = 0.6, noise_ev: float = 0.0, seed: int = 0):
        self.room, self.lights = room, lights
        self.ae_rate, self.ae_target, self.face_weight = ae_rate, ae_target, face_weight
        self.noise_ev = noise_ev
        self.rng = np.random.default_rng(seed)
        self.pipeline: deque[LightLevels] = deque(maxlen=latency_frames + 1)
        self.gain = 1.0  # the camera's exposure x analogue gain, relative
        self.ae_locked = False

    def frame(self, levels: LightLevels) -> tuple[float, float]:
        """Light ``levels`` now; returns (light_balance_ev, face exposure) the analyzer would
        measure on the frame that comes out of the sensor now (lit ``latency`` frames ago)."""
        self.pipeline.append(levels)
        seen = self.pipeline[0]
        left, right = cheeks(seen, self.room, self.lights)
        face = (left + right) / 2.0
        background = self.room.albedo * (self.room.ambient_background
                                         + self.room.background_output * output(seen, self.lights, "background"))
        metered = self.face_weight * face + (1 - self.face_weight) * background
        exposure = min(1.0, face * self.gain)
        if not self.ae_locked and metered > 0:
            # AE moves part of the way (in EV) toward its target every frame.
            self.gain *= (self.ae_target / (metered * self.gain)) ** self.ae_rate
        dev = math.log2(left / right) + (self.rng.normal(0.0, self.noise_ev) if self.noise_ev else 0.0)
        return dev, exposure
