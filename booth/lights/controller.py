"""The closed light loop: even light on both cheeks, the face exposed within its band.

One call per analysed frame: ``update(observation, state, t) -> LightLevels``. Pure logic:
no pins, no clock of its own (``t`` is the frame's time), so the Pi, the simulator and the
tests run the very same steps.

How it steers
-------------
The analyzer measures ``light_balance_ev`` = log2(left cheek / right cheek), subject's sides,
and ``key_left`` is the light on the subject's left. A positive dEV (left cheek brighter) is
corrected by dimming ``key_left`` and raising ``key_right``.

Corrections are made in *EV of light output*, not in raw levels: a key's output is
``level ** gamma``, so scaling the dim key's output by 2^(+s/2) and the bright key's by
2^(-s/2) changes the cheek ratio by at most ``s`` EV (exactly ``s`` only if each cheek saw
nothing but its own key; ambient light and spill make it less). With ``s = gain * dEV`` and
``gain <= 1`` a step can therefore never overshoot a steady scene: the loop converges from
one side, whatever the room adds. Steps are also capped at ``lights.max_step`` of level per
channel so a bad measurement cannot swing the lights.

Against noise and against the camera:

- after every change the loop waits ``lights.settle_frames`` frames: the sensor pipeline and
  the camera's auto-exposure take that long to show the new light;
- a deadband with hysteresis: correcting starts above ``light.balance_target_ev`` and stops
  below ``lights.balance_aim_ev``, so noise around the target does not make the lights hunt;
- damping: if the imbalance changes sign between two corrections (overshoot after all:
  the scene moved, the sitter turned), the gain halves (down to a quarter) and recovers
  while the sign stays put.

When the dim side's key is at its maximum, the bright side's at its minimum and the fill
(which lifts both cheeks, shrinking a ratio set by ambient light) at its maximum, the lights
have nothing left. If dEV then stays above ``light.balance_fail_ev`` for
``lights.exhausted_after`` settled measurements, :attr:`exhausted` turns true and the
guidance asks the sitter to turn toward the light (Prompt.TURN_TO_LIGHT).

By state
--------
ATTRACT dim (``attract_level``; the status light breathes), standby (``standby_level``)
after ``booth.idle_standby_min`` minutes without anybody; GUIDING starts at
``guiding_level`` and runs the loop; COUNTDOWN and CAPTURING are *locked*: the levels are
exactly those at the countdown's start until the capture is done (AE/AWB are locked too; a
light change mid-burst would make the frames differ). REVIEW, SAVING and THANK_YOU hold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType

from ..config import BoothConfig, LightChannel
from ..types import BoothState, FaceObservation, LightLevels

KEY_LEFT, KEY_RIGHT, FILL, BACKGROUND, STATUS = "key_left", "key_right", "fill", "background", "status"
_FRONT = (KEY_LEFT, KEY_RIGHT, FILL)

_LOCKED = frozenset({BoothState.COUNTDOWN, BoothState.CAPTURING})
_HOLD = frozenset({BoothState.REVIEW, BoothState.SAVING, BoothState.THANK_YOU})
_EPS = 1e-6


@dataclass(frozen=True)
class LoopStep:
    """What the loop did on one frame (for logs, plots and tests)."""

    t: float
    state: BoothState
    measured: bool  # a settled measurement was used on this frame
    dev: float | None
    exposure: float | None
    levels: LightLevels
    changed: bool
    limited: bool  # a balance correction was wanted but the lights were at their limits


class LightController:
    """Per-frame light levels from what the camera sees. See the module doc for the method."""

    def __init__(self, cfg: BoothConfig):
        self.cfg = cfg
        self.lights = cfg.lights
        self._specs: dict[str, LightChannel] = {ch.name: ch for ch in cfg.lights.channels}
        self._levels: dict[str, float] = {}
        self._guiding = False  # the loop's per-sitter state is live
        self._settle = 0
        self._correcting = False
        self._damping = 1.0
        self._last_sign = 0
        self._limited_count = 0
        self._exhausted = False
        self._exposure_run: list | None = None  # [error EV at the run's start, steps taken]
        self._rest: tuple[float, float] | None = None  # smoothed (dEV, exposure) while the lights rest
        self._last_seen: float | None = None  # last time somebody was there (face, or a non-idle state)
        self._correct_since: float | None = None  # when the current correction run began
        self._now = 0.0
        self.last_step: LoopStep | None = None

    # ------------------------------------------------------------------ public

    @property
    def exhausted(self) -> bool:
        """The lights are at their limits and the face is still unevenly lit (dEV > fail)."""
        return self._exhausted

    @property
    def settled(self) -> bool:
        """The lights are not in the middle of evening out the face (at rest, or out of
        range, or correcting for longer than ``lights.max_settle_s``): the countdown may
        lock them now."""
        if not self._correcting or self._exhausted:
            return True
        return self._correct_since is not None and self._now - self._correct_since >= self.lights.max_settle_s

    @property
    def levels(self) -> LightLevels:
        return self._frozen()

    def update(self, obs: FaceObservation | None, state: BoothState, t: float) -> LightLevels:
        """The levels to light for this frame."""
        face = obs.face if obs is not None else None
        present = face is not None
        self._now = t
        if self._last_seen is None or present or state not in (BoothState.ATTRACT, BoothState.ERROR):
            self._last_seen = t  # somebody is there, or the booth is busy: not idle
        measured = changed = limited = False
        dev: float | None = None
        exposure: float | None = None

        if state in _LOCKED and self._levels:
            pass  # locked: the exact levels of the countdown's start, until the capture is done
        elif state in _HOLD and self._levels:
            pass
        elif state is BoothState.GUIDING:
            if not self._guiding:
                self._start_guiding()
                changed = True
            if present and self._settle > 0:
                self._settle -= 1
            elif face is not None:
                dev, exposure = face.light_balance_ev, face.exposure
                if math.isfinite(face.light_balance_ev) and math.isfinite(face.exposure):
                    measured = True
                    changed, limited = self._correct(face.light_balance_ev, face.exposure)
                    if changed:
                        self._settle = self.lights.settle_frames
            self._levels[STATUS] = self._clamp(STATUS, 1.0)
        else:  # ATTRACT, ERROR, or a held state with nothing lit yet
            self._idle(t)
            changed = True
        self.last_step = LoopStep(t, state, measured, dev, exposure, self._frozen(), changed, limited)
        return self.last_step.levels

    # ------------------------------------------------------------------ states

    def _idle(self, t: float) -> None:
        self._guiding = False
        self._exhausted = False
        self._limited_count = 0
        standby = (t - (self._last_seen if self._last_seen is not None else t)) > self.cfg.booth.idle_standby_min * 60.0
        base = self.lights.standby_level if standby else self.lights.attract_level
        for name in self._specs:
            self._levels[name] = self._clamp(name, base)
        if STATUS in self._specs:
            if self.lights.breathing:
                phase = 2.0 * math.pi * t / self.lights.breathing_period_s
                depth = 0.5 if standby else 1.0  # a slower-looking, dimmer breath in standby
                self._levels[STATUS] = self._clamp(STATUS, depth * (0.5 - 0.5 * math.cos(phase)))
            else:
                self._levels[STATUS] = self._clamp(STATUS, base)

    def _start_guiding(self) -> None:
        self._guiding = True
        self._correcting = False
        self._damping = 1.0
        self._last_sign = 0
        self._limited_count = 0
        self._exhausted = False
        self._exposure_run = None
        self._rest = None
        for name in self._specs:
            level = self.lights.fill_level if name == FILL else self.lights.guiding_level
            self._levels[name] = self._clamp(name, level)
        self._settle = self.lights.settle_frames  # the jump from attract must show first

    # ------------------------------------------------------------------ the loop

    def _correct(self, dev: float, exposure: float) -> tuple[bool, bool]:
        before = dict(self._levels)
        limited = False
        target = self.cfg.light.balance_target_ev
        aim = min(self.lights.balance_aim_ev, target)
        if not self._correcting:
            # At rest, decide on a smoothed value (the guidance's EMA alpha): one noisy frame
            # must not restart the lights. The first look at a sitter acts at once.
            if self._rest is None:
                self._rest = (dev, exposure)
            else:
                a = self.cfg.guidance.ema_alpha
                self._rest = (self._rest[0] + a * (dev - self._rest[0]), self._rest[1] + a * (exposure - self._rest[1]))
            dev, exposure = self._rest
        if abs(dev) > target:
            if not self._correcting:
                self._correct_since = self._now
            self._correcting = True
        elif abs(dev) <= aim and self._correcting:
            self._correcting = False
            self._rest = (dev, exposure)  # rest starts from the measurement that ended the run
        if self._correcting:
            sign = 1 if dev > 0 else -1
            if self._last_sign and sign != self._last_sign:
                self._damping = max(0.25, self._damping * 0.5)
            else:
                self._damping = min(1.0, self._damping * 1.25)
            self._last_sign = sign
            limited = not self._balance(self.lights.gain * self._damping * dev)
        else:
            self._last_sign = 0
            # Exposure only once the balance rests: both move the keys, and a camera with
            # auto-exposure answers a common change only partly, so the two must not fight.
            self._expose(exposure, dev)
        # One bounded step per channel per frame, whatever balance and exposure asked for together.
        for name, old in before.items():
            if abs(self._levels[name] - old) > self.lights.max_step:
                self._levels[name] = self._clamp(name, old + math.copysign(self.lights.max_step, self._levels[name] - old))
        if limited and abs(dev) > self.cfg.light.balance_fail_ev:
            self._limited_count += 1
        else:
            self._limited_count = 0
        self._exhausted = self._limited_count >= self.lights.exhausted_after
        changed = any(abs(self._levels[k] - v) > _EPS for k, v in before.items())
        return changed, limited

    def _balance(self, step_ev: float) -> bool:
        """Move ``step_ev`` EV of output from the bright side's key to the dim side's.

        Half each; what one key cannot take (at its limit) the other takes; what neither can,
        the fill takes. Returns False when nothing could move: the lights are out of range.
        """
        dim, bright = (KEY_RIGHT, KEY_LEFT) if step_ev > 0 else (KEY_LEFT, KEY_RIGHT)
        s = abs(step_ev)
        up = self._headroom(dim, +1)
        down = self._headroom(bright, -1)
        give_up = min(s / 2.0, up)
        give_down = min(s / 2.0, down)
        # A key at its limit hands its share to the other one.
        give_up = min(up, give_up + (s / 2.0 - give_down))
        give_down = min(down, give_down + (s / 2.0 - give_up))
        moved = False
        if give_up > _EPS:
            moved |= self._scale(dim, give_up) > _EPS
        if give_down > _EPS:
            moved |= self._scale(bright, -give_down) < -_EPS
        rest = s - give_up - give_down
        if rest > _EPS and FILL in self._specs and self._headroom(FILL, +1) > _EPS:
            # Keys out of range: the fill lifts both cheeks, which shrinks a ratio the room set.
            moved |= self._scale(FILL, rest) > _EPS
        return moved

    def _expose(self, exposure: float, dev: float) -> None:
        lo, hi = self.cfg.light.exposure
        if lo <= exposure <= hi or self.lights.exposure_gain <= 0.0 or exposure <= 0.0:
            self._exposure_run = None
            return
        # Aim just inside the nearer edge of the band, not its middle.
        margin = 0.1 * (hi - lo)
        aim = hi - margin if exposure > hi else lo + margin
        error = math.log2(aim / exposure)
        # The camera's auto-exposure answers a light change by re-normalising the frame, so the
        # lights may have little say over the face's exposure. If a run of steps has not even
        # halved the error, stop pushing (the lights would only walk to their limits) and leave
        # exposure to the camera until the error changes side or the sitter changes.
        run = self._exposure_run
        if run is None or (run[0] > 0) != (error > 0):
            run = self._exposure_run = [error, 0]
        if run[1] >= self.lights.exposure_patience:
            if abs(error) > abs(run[0]) / 2.0:
                return
            run[0], run[1] = error, 0
        run[1] += 1
        step = self.lights.exposure_gain * error
        direction = 1 if step > 0 else -1
        keys = [k for k in (KEY_LEFT, KEY_RIGHT) if k in self._specs]
        # Scaling both keys by one factor keeps their ratio but not the cheeks' when the room
        # adds light to one side. So darken through the brighter side's key and brighten through
        # the dimmer side's: exposure steps then never undo the balance.
        if abs(dev) > min(self.lights.balance_aim_ev, self.cfg.light.balance_target_ev) / 2.0:
            bright, dim = (KEY_LEFT, KEY_RIGHT) if dev > 0 else (KEY_RIGHT, KEY_LEFT)
            side = bright if direction < 0 else dim
            if side in self._specs and self._headroom(side, direction) > _EPS:
                keys = [side]
        common = min([abs(step)] + [self._headroom(k, direction) for k in keys])
        for k in keys:
            self._scale(k, direction * common)
        if FILL in self._specs and (direction > 0 or len(keys) == 2):
            self._scale(FILL, step)

    def _headroom(self, name: str, direction: int) -> float:
        """EV of output a channel can still move up (+1) or down (-1) before its limit."""
        spec = self._specs.get(name)
        level = self._levels.get(name, 0.0)
        if spec is None or level <= 0.0:
            return 0.0 if spec is None or direction < 0 else float("inf")
        limit = spec.max_level if direction > 0 else max(spec.min_level, _EPS)
        return max(0.0, direction * spec.gamma * math.log2(limit / level))

    def _scale(self, name: str, ev: float) -> float:
        """Scale a channel's light output by 2**ev through its gamma, within its limits.
        Returns the EV of output actually changed."""
        spec = self._specs[name]
        old = self._levels.get(name, 0.0)
        base = old if old > 0.0 else max(spec.min_level, 0.01)
        new = self._clamp(name, base * 2.0 ** (ev / spec.gamma))
        self._levels[name] = new
        if old <= 0.0:
            return ev if new > 0.0 else 0.0
        return spec.gamma * math.log2(new / old)

    # ------------------------------------------------------------------ helpers

    def _clamp(self, name: str, level: float) -> float:
        spec = self._specs.get(name)
        if spec is None:
            return 0.0
        if level <= 0.0:
            return 0.0
        for limit in (spec.min_level, spec.max_level):
            if abs(level - limit) < 1e-9:  # land exactly on a limit (log/exp arithmetic rounds)
                return limit
        return min(max(level, spec.min_level), spec.max_level)

    def _frozen(self) -> LightLevels:
        return LightLevels(MappingProxyType({k: float(v) for k, v in self._levels.items()}))
