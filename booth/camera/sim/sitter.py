"""A simulated person in front of a simulated camera, who follows the booth's prompts.

The sitter is a :class:`~booth.camera.base.FrameSource` with one extra method,
:meth:`SimulatedSitter.respond`, through which the loop shows it what the booth shows a real
person (the prompt, the state, the light levels). It runs on a simulated clock: each
:meth:`read` advances time by one frame period and never sleeps, so a session of a minute
renders as fast as the analysis can go.

How the person behaves (and nothing else: the sitter knows of the target only what the
screen shows a person):

- **Reaction**: a new prompt is acted on after a human delay (0.4-0.8 s). A move is one
  smooth step of a typical size (e.g. "move left": 5-9 % of the frame, "move closer": 12-20 %
  larger), not a jump to the right answer; if the prompt is still shown after the step, the
  sitter steps again after a pause. Steps that come after the prompt has already changed
  still complete, so the sitter overshoots like people do.
- **Graded moves**: what the sitter reads from the screen is only what ``Actions`` carry:
  the prompt and, for "move left/right", the way to go (``Actions.prompt_amount``, the
  length of the on-screen arrow, a fraction of the frame width), read when it starts the
  step (the latest screen showing that prompt; again before each re-step). The step is
  then ``amount x gain + noise``: ``gain`` is drawn per step, uniform 0.6-1.15 (people
  misjudge a distance they are shown and fall short more often than they overshoot: 73 %
  of draws are below 1; an assumption of the model, not a measurement of people in this
  booth), noise is N(0, 0.01) of the frame width, and a step never goes
  the wrong way (at least 0.015). A longer step takes longer (+1.5 s per frame width
  beyond the usual 0.07). With no amount on screen (a stale prompt whose check already
  passes, or other moves) the sitter falls back to the typical step above. So a sitter
  told "take a step to your left" usually arrives in one step, and still sometimes lands
  short or long and needs another.
- **Noise**: slow sway of position and roll (an Ornstein-Uhlenbeck drift), smaller after
  "hold still"; random blinks (Poisson, ~14/min, the scenario may say more).
- **Eyes and face**: "look at the camera" brings the gaze back near zero; "open your eyes"
  lowers the blink rate; "smile" swaps to the smiling photo when the set has one.
- **Acting** (the actor series): told an expression ("Vulnerable: think of someone you
  miss"), the sitter switches, after the reaction delay, to the photo of the set that acts
  it (``Expression.photo_roles`` in booth/guidance/actor.py: a Yale subject's ``sad`` for
  "vulnerable", ``happy`` for "approachable" and "playful", ``normal`` for "serious"). With
  no such photo the sitter tries what it has (another of its photos, at random, each time
  the prompt is still up after a pause) and never gets there: the booth must skip it. The
  sitter knows only the prompt, never the rule.
- **Scenario events**: a second person enters and leaves when asked; the sitter walks out
  during the countdown; the camera delivers nothing for a while.

Pixels come from :mod:`booth.camera.sim.render` (real photo, relit in linear light from
the current light levels, centre-weighted auto-exposure that settles in 2-3 frames). Stills
are composed no finer than the photo holds and scaled up to the still size
(:meth:`SimulatedSitter._still_render_size`).
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import cv2
import numpy as np

from ...types import MOVE_DIRECTIONS, Actions, BoothState, CameraMeta, Frame, LightLevels, Prompt
from ..base import CameraDisconnected, CameraOpenError, CameraTimeout, FrameSource
from .photos import PhotoSet, photos_for
from .render import AutoExposure, Lighting, Placement, compose, expose
from .scenarios import Scenario, scenario_named

AXES = ("x", "y", "distance", "roll", "yaw", "pitch", "gaze_h", "gaze_v")


def _smooth(u: float) -> float:
    """Minimum-jerk profile 0..1 (how a reaching movement unfolds)."""
    u = min(max(u, 0.0), 1.0)
    return u * u * u * (10 - 15 * u + 6 * u * u)


@dataclass
class Move:
    axis: str
    delta: float
    t0: float
    duration: float

    def value(self, t: float) -> float:
        return self.delta * _smooth((t - self.t0) / self.duration)

    def done(self, t: float) -> bool:
        return t >= self.t0 + self.duration


@dataclass
class Body:
    """The person's pose: settled values plus moves in progress."""

    base: dict[str, float]
    moves: list[Move] = field(default_factory=list)

    def get(self, axis: str, t: float) -> float:
        return self.base[axis] + sum(m.value(t) for m in self.moves if m.axis == axis)

    def move(self, axis: str, delta: float, t0: float, duration: float) -> None:
        self.moves.append(Move(axis, delta, t0, duration))

    def settle(self, t: float) -> None:
        for m in [m for m in self.moves if m.done(t)]:
            self.base[m.axis] += m.delta
            self.moves.remove(m)

    def moving(self, t: float, axes=AXES) -> bool:
        return any(m.axis in axes and not m.done(t) for m in self.moves)


# Prompt -> (axis, typical step, spread). Directions are the sitter's own (MOVE_LEFT: image right).
# The typical step is what "a little" means to a person who is shown no distance.
STEPS: dict[Prompt, tuple[str, float, float]] = {
    Prompt.MOVE_LEFT: ("x", +0.07, 0.02),
    Prompt.MOVE_RIGHT: ("x", -0.07, 0.02),
    Prompt.MOVE_UP: ("y", -0.05, 0.015),
    Prompt.MOVE_DOWN: ("y", +0.05, 0.015),
    Prompt.TURN_LEFT: ("yaw", +6.0, 2.0),
    Prompt.TURN_RIGHT: ("yaw", -6.0, 2.0),
    Prompt.CHIN_UP: ("pitch", +5.0, 1.5),
    Prompt.CHIN_DOWN: ("pitch", -5.0, 1.5),
}

# Moves whose distance the screen shows (Actions.prompt_amount, frame widths): how people
# carry out a distance they are shown (see the module doc).
GRADED = frozenset(MOVE_DIRECTIONS)
GAIN = (0.6, 1.15)  # perceived / shown distance, uniform per step: short more often than long
GAIN_NOISE = 0.01  # frame widths, on top of the gain
MIN_STEP = 0.015  # the smallest deliberate shuffle; never the wrong way
STEP_S_PER_WIDTH = 1.5  # extra seconds per frame width beyond the typical step


def _acting_table() -> dict:
    from ...guidance.actor import EXPRESSIONS

    return {e.prompt: e for e in EXPRESSIONS.values()}


_ACTING = _acting_table()  # expression prompt -> Expression (what to act)
_TRIES = ("neutral", "smile", "sad")  # the faces a sitter tries for an expression it has no photo of


@dataclass
class Reaction:
    prompt: Prompt | None
    at: float


class _Still:
    """One instant's full-resolution still, composed on first call and then kept.

    Composing a 4 MP scene costs more than a frame period on this machine (49 ms against
    33), so a simulator that made every burst frame's still could not keep 30 fps; a capture
    uses a few of them. Thread-safe: the screen (review) and the saver may both ask."""

    def __init__(self, scene: np.ndarray | None, people: list, light: Lighting, size: tuple[int, int],
                 full_size: tuple[int, int], gain: float, seed: int):
        self._recipe: tuple | None = (scene, people, light, size, full_size, gain, seed)
        self._image: np.ndarray | None = None
        self._lock = threading.Lock()

    def __call__(self) -> np.ndarray:
        with self._lock:
            if self._image is None:
                assert self._recipe is not None
                scene, people, light, size, full_size, gain, seed = self._recipe
                if scene is None:
                    scene = compose(people, light, size)
                big = expose(scene, gain, np.random.default_rng(seed))
                if size != full_size:
                    big = cv2.resize(big, full_size, interpolation=cv2.INTER_CUBIC)
                self._image, self._recipe = big, None
            return self._image


class SimulatedSitter(FrameSource):
    """``SimulatedSitter(scenario, seed, cfg, photo_set=None)``: a FrameSource with a person in it."""

    def __init__(self, scenario: Scenario | str = "enter-off-centre", seed: int = 0, cfg=None,
                 photo_set: PhotoSet | None = None):
        from ...config import BoothConfig

        self.scenario = scenario_named(scenario) if isinstance(scenario, str) else scenario
        self.cfg = cfg or BoothConfig()
        self.name = f"sim:{self.scenario.name}"
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.photos = photo_set or photos_for(self.cfg)
        cam = self.cfg.camera
        self.size = (int(cam.analysis_width), int(cam.analysis_height))
        # The still has the preview's field of view: the analysis aspect at the still's width.
        fw = int(cam.still_width) & ~1
        self.full_size = (fw, int(round(fw * self.size[1] / self.size[0])) & ~1)
        self.dt = 1.0 / cam.fps
        self.t = 0.0
        self._clock: Callable[[], float] | None = None  # follow_wall_clock(): the world's time is this clock's (demo, run)
        self._clock_zero = 0.0
        self.index = 0
        self.open = False
        self.ae = AutoExposure()
        self.events: list[tuple[float, str]] = []  # what the person did, for summaries and debugging

        sc = self.scenario
        sprite = self.photos.neutral
        # The sitter's natural size: head about target_head_fraction of the frame height.
        self.nominal_ied = self.cfg.framing.target_head_fraction * self.size[1] * sprite.ied / sprite.head_height
        j = sc.jitter
        start = dict(x=sc.x + self.rng.uniform(-j, j), y=sc.y + self.rng.uniform(-j, j) * 0.5,
                     distance=sc.distance * (1 + self.rng.uniform(-j, j)), roll=sc.roll, yaw=sc.yaw,
                     pitch=sc.pitch, gaze_h=sc.gaze_h, gaze_v=sc.gaze_v)
        self.seat_x = start["x"]
        if sc.enter_from:
            start["x"] = (-0.45 if sc.enter_from < 0 else 1.45)
            self.body = Body(start)
            self.body.move("x", self.seat_x - start["x"], sc.enter_at_s, sc.walk_in_s)
            self.arrived_at = sc.enter_at_s
        else:
            self.body = Body(start)
            self.arrived_at = 0.0
        self.sway = {"x": 0.0, "y": 0.0, "roll": 0.0}
        self.sway_scale = 1.0
        self.calm_until = -1.0
        self.blink_rate = sc.blink_per_min
        self.blink_at = self._next_blink(0.0)
        self.blink_len = sc.blink_s
        self.face_role = "neutral"  # which photo of the set the face is now
        self.levels = LightLevels.of(key_left=self.cfg.lights.attract_level, key_right=self.cfg.lights.attract_level,
                                     fill=self.cfg.lights.attract_level, background=0.0)
        self.state = BoothState.ATTRACT
        self.prompt: Prompt | None = None
        # the way to go the screen last showed with each prompt (None: shown without one)
        self.seen_amount: dict[Prompt, float | None] = {}
        self.pending: list[Reaction] = []
        self.next_retry = math.inf
        # scenario events
        self.second: Body | None = None
        self.second_leaving = False
        self.walked_away = False
        self.dropped = False

    # ------------------------------------------------------------------ FrameSource
    def start(self) -> None:
        if self._camera_dead():
            self.advance(0.1)  # an open attempt takes a moment even when it fails
            raise CameraOpenError("simulated camera unplugged (camera-drop scenario)")
        self.open = True
        self.ae.locked = False
        if self._clock is not None:
            self._clock_zero = self._clock() - self.t  # the world starts when the camera does

    def close(self) -> None:
        self.open = False

    def read(self, timeout: float | None = None) -> Frame:
        if not self.open:
            raise CameraDisconnected("simulated camera is closed")
        timeout = self.cfg.camera.timeout_s if timeout is None else timeout
        if self._camera_dead():
            if self._clock is not None:
                time.sleep(timeout)  # a real camera's read waits that long, and so does this one
                self._catch_up()
            else:
                self.advance(timeout)  # the read waited that long, in simulated time
            raise CameraTimeout(f"simulated camera delivered no frame within {timeout:g} s")
        self._tick()
        # like picamera2: full-resolution pixels only during the capture burst (exposure locked)
        return self._frame(full=self.ae.locked)

    def capture_still(self) -> Frame:
        if not self.open:
            raise CameraDisconnected("simulated camera is closed")
        self._tick()
        frame = self._frame(full=True)
        return dataclasses.replace(frame, full=frame.best, develop=None)  # a still asked for: made now

    def follow_wall_clock(self, clock=time.monotonic) -> None:
        """Make the world's time ``clock``'s (``booth demo``/``booth run``): each frame is
        stamped with the time it is taken, and the sitter moves by the time that really
        passed, so a 3 s countdown lasts 3 s of wall time even when frames come late.
        Without it (``booth simulate``, tests, the soak) each frame is one frame period
        later than the last, however long it took to render."""
        self._clock = clock
        self._clock_zero = clock() - self.t

    def _tick(self) -> None:
        if self._clock is None:
            self.advance(self.dt)
        else:
            self._catch_up()

    def _catch_up(self) -> None:
        """Advance the world to the wall clock (at least 1 ms: frame times strictly increase)."""
        assert self._clock is not None  # called only while following the wall clock
        self.advance(max((self._clock() - self._clock_zero) - self.t, 1e-3))

    def lock_exposure(self) -> None:
        self.ae.locked = True

    def unlock_exposure(self) -> None:
        self.ae.locked = False

    def advance(self, seconds: float) -> None:
        """Move the world on by ``seconds`` of simulated time (also the backoff 'sleep')."""
        steps = max(1, int(round(seconds / self.dt)))
        for _ in range(steps):
            self._step(seconds / steps)

    # ------------------------------------------------------------------ the booth talks to the person
    def respond(self, actions: Actions) -> None:
        """What the booth shows now: the sitter reads the screen and feels the light."""
        if actions.lights is not None:
            self.levels = actions.lights
        if actions.state != self.state:
            self._state_changed(actions.state)
        self.state = actions.state
        if actions.prompt is not None:
            self.seen_amount[actions.prompt] = actions.prompt_amount
        if actions.prompt != self.prompt:
            self.prompt = actions.prompt
            if actions.prompt is not None:
                self.pending.append(Reaction(actions.prompt, self.t + self.rng.uniform(0.4, 0.8)))
            self.next_retry = math.inf

    def _state_changed(self, new: BoothState) -> None:
        sc = self.scenario
        if new == BoothState.COUNTDOWN and sc.walk_away_in_countdown and not self.walked_away:
            self.walked_away = True
            t0 = self.t + self.rng.uniform(0.3, 0.6)
            away = 1.6 - self.body.get("x", self.t)
            self.body.move("x", away, t0, 0.8)
            self.body.move("x", -away, t0 + 0.8 + sc.walk_away_back_after_s, 1.0)
            self.events.append((t0, "walks out of frame during the countdown"))

    # ------------------------------------------------------------------ world simulation
    def _camera_dead(self) -> bool:
        sc = self.scenario
        return sc.camera_drop_at_s is not None and sc.camera_drop_at_s <= self.t < sc.camera_drop_at_s + sc.camera_drop_s

    def _next_blink(self, t: float) -> float:
        return t + self.rng.exponential(60.0 / max(self.blink_rate, 1e-3))

    def _step(self, dt: float) -> None:
        self.t += dt
        t = self.t
        # reactions due now
        for r in [r for r in self.pending if r.at <= t]:
            self.pending.remove(r)
            self._act(r.prompt)
        # still shown after the sitter's step finished: step again after a pause
        if self.prompt is not None and not self.pending and not self.body.moving(t):
            if self.next_retry == math.inf:
                self.next_retry = t + self.rng.uniform(0.5, 0.9)
            elif t >= self.next_retry:
                self.next_retry = math.inf
                self._act(self.prompt, repeat=True)
        self.body.settle(t)
        if self.second is not None:
            self.second.settle(t)
        # sway: Ornstein-Uhlenbeck, time constant 1.5 s
        k = dt / 1.5
        amp = self.sway_scale * (0.4 if t < self.calm_until else 1.0)
        for axis, sigma in (("x", 0.0015), ("y", 0.0012), ("roll", 0.4)):
            self.sway[axis] += -k * self.sway[axis] + sigma * amp * math.sqrt(2 * k) * self.rng.standard_normal()
        # blinks
        if t >= self.blink_at + self.blink_len:
            self.blink_at = self._next_blink(t)
        # second person
        sc = self.scenario
        if sc.second_person_at_s is not None and self.second is None and t >= sc.second_person_at_s:
            sx = self.seat_x + (0.3 if self.seat_x < 0.5 else -0.3)
            self.second = Body(dict(x=1.5 if sx > 0.5 else -0.5, y=self.body.base["y"] - 0.03, distance=0.85,
                                    roll=-4.0, yaw=0.0, pitch=0.0, gaze_h=0.0, gaze_v=0.0))
            self.second.move("x", sx - self.second.base["x"], t, 0.7)
            self.events.append((t, "a second person leans in"))

    def _act(self, prompt: Prompt | None, repeat: bool = False) -> None:
        t, rng, b = self.t, self.rng, self.body
        if prompt is None:
            return
        self.events.append((t, f"{'again: ' if repeat else ''}{prompt.value}"))
        amount = self.seen_amount.get(prompt) if prompt in GRADED else None
        if amount is not None:
            axis, typical, _ = STEPS[prompt]
            size = max(MIN_STEP, amount * rng.uniform(*GAIN) + rng.normal(0.0, GAIN_NOISE))
            self.events[-1] = (t, f"{self.events[-1][1]} (shown {amount:.2f}, steps {size:.2f})")
            b.move(axis, math.copysign(size, typical), t,
                   rng.uniform(0.45, 0.7) + STEP_S_PER_WIDTH * max(0.0, size - abs(typical)))
        elif prompt in STEPS:
            axis, step, spread = STEPS[prompt]
            b.move(axis, step + rng.normal(0.0, spread), t, rng.uniform(0.45, 0.7))
        elif prompt in (Prompt.MOVE_CLOSER, Prompt.MOVE_BACK):
            factor = rng.uniform(1.12, 1.22)
            cur = b.get("distance", t)
            target = cur * factor if prompt == Prompt.MOVE_CLOSER else cur / factor
            b.move("distance", target - cur, t, rng.uniform(0.5, 0.8))
        elif prompt == Prompt.STRAIGHTEN_HEAD:
            cur = b.get("roll", t)
            # People know where upright is, roughly: they land within a few degrees, sometimes past it.
            b.move("roll", -cur + rng.normal(0.0, 1.5) - 0.15 * cur * rng.uniform(-1, 1), t, rng.uniform(0.3, 0.5))
        elif prompt == Prompt.LOOK_AT_CAMERA:
            for axis in ("gaze_h", "gaze_v"):
                cur = b.get(axis, t)
                b.move(axis, -cur + rng.normal(0.0, 0.02), t, 0.12)  # a saccade
            if abs(b.get("yaw", t)) > 3:
                b.move("yaw", -0.7 * b.get("yaw", t), t, 0.5)
        elif prompt == Prompt.OPEN_EYES:
            self.blink_rate = self.scenario.blink_rate_after_prompt_per_min
            self.blink_len = min(self.blink_len, 0.25)
            if self.blink_at > t:
                self.blink_at = self._next_blink(t)
        elif prompt in _ACTING:
            self._act_expression(_ACTING[prompt], repeat)
        elif prompt == Prompt.SMILE:
            self.face_role = "smile" if self.photos.can_smile else self.face_role
        elif prompt in (Prompt.SOFTEN_SMILE, Prompt.CLOSE_MOUTH):
            self.face_role = "neutral"
        elif prompt == Prompt.HOLD_STILL:
            self.calm_until = t + 3.0
        elif prompt == Prompt.ONE_PERSON and self.second is not None and not self.second_leaving:
            self.second_leaving = True
            t0 = t + self.scenario.second_person_leaves_after_s
            x = self.second.get("x", t)
            self.second.move("x", (1.6 if x > 0.5 else -0.6) - x, t0, 0.8)
            self.events.append((t0, "the second person leaves"))

    def _act_expression(self, expression, repeat: bool) -> None:
        """Make the prompted expression: its photo when the set has one, else a try."""
        role = next((r for r in expression.photo_roles if self.photos.role(r) is not None), None)
        if role is not None:
            self.face_role = role
            self.events[-1] = (self.t, f"{self.events[-1][1]} (acts it: {role} photo)")
            return
        # what a person falls back on: their smile, their straight face, a sad look; not a wink
        tries = [r for r in self.photos.roles if r in _TRIES]
        others = [r for r in tries if r != self.face_role] or tries or ["neutral"]
        self.face_role = others[int(self.rng.integers(len(others)))]
        self.events[-1] = (self.t, f"{self.events[-1][1]} (has no {expression.name} face; tries {self.face_role})")

    @property
    def smiling(self) -> bool:
        return self.face_role == "smile"

    # ------------------------------------------------------------------ pixels
    def _lid(self, t: float) -> float:
        u = (t - self.blink_at) / self.blink_len
        if u < 0 or u > 1:
            return 0.0
        if u < 0.35:
            return u / 0.35
        if u < 0.55:
            return 1.0
        return 1.0 - (u - 0.55) / 0.45

    def _light(self) -> Lighting:
        def out(name: str) -> float:
            ch = next((c for c in self.cfg.lights.channels if c.name == name), None)
            gamma = ch.gamma if ch is not None else 2.2
            return max(0.0, min(1.0, self.levels.get(name))) ** gamma

        sc = self.scenario
        return Lighting(key_left=out("key_left"), key_right=out("key_right"), fill=out("fill"),
                        background=out("background"), ambient=sc.ambient, window=sc.window, wall=sc.wall_lux)

    def placements(self, size: tuple[int, int]):
        """Who is in the frame, where (frame px), back to front."""
        t, w, h = self.t, size[0], size[1]
        scale = w / self.size[0]
        out = []
        if self.second is not None:
            s = self.second
            out.append((self.photos.neutral, Placement(
                eye_x=s.get("x", t) * w, eye_y=s.get("y", t) * h, ied_px=self.nominal_ied * s.get("distance", t) * scale,
                roll=s.get("roll", t), mirror=True)))
        b = self.body
        lid = self._lid(t)
        sprite = self.photos.role(self.face_role) or self.photos.neutral
        if lid > 0.8 and self.photos.eyes_closed is not None:
            sprite, lid = self.photos.eyes_closed, 0.0
        out.append((sprite, Placement(
            eye_x=(b.get("x", t) + self.sway["x"]) * w, eye_y=(b.get("y", t) + self.sway["y"]) * h,
            ied_px=self.nominal_ied * b.get("distance", t) * scale, roll=b.get("roll", t) + self.sway["roll"],
            yaw=b.get("yaw", t), pitch=b.get("pitch", t), gaze_h=b.get("gaze_h", t), gaze_v=b.get("gaze_v", t),
            lid=lid)))
        return [(sp, p) for sp, p in out if -0.5 * w < p.eye_x < 1.5 * w]

    def _frame(self, full: bool) -> Frame:
        light = self._light()
        scene = compose(self.placements(self.size), light, self.size)
        gain = self.ae.update(scene)
        image = expose(scene, gain, self.rng)
        develop = None
        if full:
            size = self._still_render_size()
            # a far sitter's still holds no more than the analysis image: the same scene. What
            # the still shows is fixed now (who is where, the light, the gain, its noise); it is
            # composed only if a still of this instant is wanted (types.Frame.develop)
            develop = _Still(scene if size == self.size else None, self.placements(size), light, size,
                             self.full_size, gain, int(self.rng.integers(2 ** 63)))
        meta = CameraMeta(exposure_us=round(10000.0 * gain, 1), analogue_gain=1.0,
                          lux=round(400.0 * (light.ambient + light.window + light.key_left + light.key_right), 1),
                          colour_temperature_k=5000.0, ae_locked=self.ae.locked, awb_locked=self.ae.locked)
        self.index += 1
        return Frame(image=image, t=round(self.t, 6), index=self.index - 1, meta=meta, develop=develop,
                     still_size=self.full_size)

    def _still_render_size(self) -> tuple[int, int]:
        """The size the still is composed at before it is scaled to ``full_size``.

        The photo has only so many pixels: composing a face larger than the photo holds it
        adds no detail, only cost (a 2304x1728 still took 225 ms a frame, so the countdown
        and capture burst of the demo ran at 4 fps). So the still is composed where the
        sitter's eyes are at most as far apart as in the photo, and scaled up from there
        (never below the analysis size)."""
        fw, fh = self.full_size
        ied_still = self.nominal_ied * max(self.body.get("distance", self.t), 1e-3) * fw / self.size[0]
        factor = min(1.0, max(self.size[0] / fw, self.photos.neutral.ied / ied_still))
        return (int(round(fw * factor)) & ~1, int(round(fh * factor)) & ~1)

    # ------------------------------------------------------------------ truth, for tests and summaries
    def truth(self) -> dict:
        """The world's actual state now (never shown to the booth)."""
        t = self.t
        return {axis: self.body.get(axis, t) for axis in AXES} | {
            "ied_px": self.nominal_ied * self.body.get("distance", t), "lid": self._lid(t),
            "second_person": self.second is not None and any(p.mirror for _, p in self.placements(self.size))}
