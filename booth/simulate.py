"""Run the real booth loop against a simulated sitter, headless, as fast as the analysis goes.

Everything that runs on a booth runs here except the screen: the face analyzer on the real
models, the coach, the light controller driving a :class:`~booth.lights.rig.LightRig` on
gpiozero's mock pins, the session state machine and the photo store. The only stand-ins are
the camera (the :class:`SimulatedSitter`, wrapped in the same
:class:`~booth.camera.base.ResilientSource` as a real camera, with backoff sleeps that
advance simulated time) and the review screen's Keep button, which the sitter presses
after ``keep_after_s``.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .types import BoothState, SessionEvent
from .camera.base import CameraFatal, ResilientSource
from .camera.sim.scenarios import Scenario, scenario_named
from .camera.sim.sitter import SimulatedSitter
from .compose import core, sim_rig
from .errors import StorageError

if TYPE_CHECKING:
    from .config import BoothConfig
    from .output.store import SavedCapture

log = logging.getLogger(__name__)


@dataclass
class SimResult:
    scenario: str
    seed: int
    captured: bool = False
    time_to_capture_s: float | None = None  # from the sitter's arrival to the capture (simulated s)
    prompts: list[str] = field(default_factory=list)  # prompts shown, in order (repeats collapsed)
    prompt_amounts: list[float | None] = field(default_factory=list)  # the way to go each showed first (frame widths)
    states: list[str] = field(default_factory=list)  # states entered, in order
    countdown_aborted: int = 0
    camera_events: list[str] = field(default_factory=list)
    max_faces: int = 0
    faces_at_capture: int | None = None
    final_lights: dict[str, float] = field(default_factory=dict)
    final_dev: float | None = None
    saved_files: list[str] = field(default_factory=list)
    photo: dict | None = None  # the saved photo's measures (booth analyze on the saved file)
    photo_ready: bool | None = None
    sim_seconds: float = 0.0
    frames: int = 0
    sitter_log: list[str] = field(default_factory=list)
    error: str | None = None
    series: list[dict] = field(default_factory=list)  # actor profile: each expression's outcome
    series_note: str | None = None  # the series sidecar's path
    series_done_s: float | None = None  # from the sitter's arrival to the series review

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def sim_config(cfg, fps: float | None = None):
    """The config the simulator runs with: the same, except the frame rate if asked."""
    if fps is None:
        return cfg
    return dataclasses.replace(cfg, camera=dataclasses.replace(cfg.camera, fps=float(fps)))


def run_scenario(name: str | Scenario, seed: int, cfg, *, out_dir: str | Path | None = None,
                 max_seconds: float | None = None, analyze_photo: bool = True, photo_set=None,
                 keep_after_s: float = 1.0, show_amount: bool = True,
                 skip_press_s: float | None = 3.0, on_screen=None) -> SimResult:
    """One simulated session. Ends at the first saved photo (the actor profile: when the
    series reaches the thank-you), or after ``max_seconds`` simulated.

    Actor series: the sitter presses Skip ``skip_press_s`` after the booth offers it (None:
    never; the booth then skips by itself after ``expression.actor_skip_after_s``) and Keep
    in the series review after ``keep_after_s``.

    ``on_screen(actions, image)``: called with what the screen would show on every frame
    (``booth simulate --screenshots``).

    ``show_amount=False`` hides the way to go from the sitter (a screen without graded
    prompts: no arrow, the plain words), to compare how people fare with and without it."""
    scenario = scenario_named(name) if isinstance(name, str) else name
    name = scenario.name
    out_dir = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix=f"booth-sim-{name}-"))
    store_cfg = dataclasses.replace(cfg, booth=dataclasses.replace(cfg.booth, output_dir=str(out_dir)))
    result = SimResult(name, seed)
    sitter = SimulatedSitter(scenario, seed, store_cfg, photo_set=photo_set)

    def show(actions):  # what the sitter sees of the screen
        sitter.respond(actions if show_amount else dataclasses.replace(actions, prompt_amount=None))

    events: list[SessionEvent] = []
    camera = ResilientSource(lambda: sitter, store_cfg, on_event=events.append, sleep=sitter.advance)
    middle = core(store_cfg, out_dir=out_dir, lights=True)  # the light controller drives the mock rig
    loop = middle.loop
    rig = sim_rig(store_cfg)
    from .config import Profile

    actor = store_cfg.profile is Profile.ACTOR
    ex = store_cfg.expression
    limit = max_seconds if max_seconds is not None else (
        scenario.max_s if not actor else scenario.max_s + len(ex.actor_series) * (ex.actor_skip_after_s + 15.0))
    offered_at = None
    state = None
    prompt = None
    review_at = None
    locked = False
    try:
        camera.start()
        while sitter.t < limit:
            try:
                frame = camera.read()
            except CameraFatal as err:
                result.error = str(err)
                break
            for ev in events:
                result.camera_events.append(f"{sitter.t:.2f} {ev.value}")
                actions = loop.on_event(ev, sitter.t)
                show(actions)
            events.clear()
            actions = loop.on_frame(frame)
            result.frames += 1
            obs = loop.last_observation
            if obs is not None:
                result.max_faces = max(result.max_faces, obs.faces)
            if actions.lights is not None and rig is not None:
                actions = dataclasses.replace(actions, lights=rig.apply(actions.lights))
            if actions.lock_camera != locked:
                locked = actions.lock_camera
                camera.lock_exposure() if locked else camera.unlock_exposure()
            show(actions)
            if on_screen is not None:
                on_screen(actions, frame.image)
            if actions.state != state:
                if state == BoothState.COUNTDOWN and actions.state == BoothState.GUIDING:
                    result.countdown_aborted += 1
                state = actions.state
                result.states.append(f"{frame.t:.2f} {state.value}")
                if state in (BoothState.CAPTURING, BoothState.REVIEW, BoothState.SAVING) and result.time_to_capture_s is None:
                    result.time_to_capture_s = round(frame.t - sitter.arrived_at, 3)
                    result.faces_at_capture = obs.faces if obs is not None else None
                    result.final_lights = {k: round(v, 3) for k, v in sitter.levels.levels.items()}
                    if obs is not None and obs.face is not None:
                        result.final_dev = round(obs.face.light_balance_ev, 3)
                if state == BoothState.REVIEW:
                    review_at = frame.t
            if actions.prompt is not None and actions.prompt != prompt:
                result.prompts.append(actions.prompt.value)
                amount = actions.prompt_amount
                result.prompt_amounts.append(None if amount is None else round(amount, 3))
            prompt = actions.prompt
            if state == BoothState.SERIES_REVIEW and review_at is None:
                review_at = frame.t
                if result.series_done_s is None:
                    result.series_done_s = round(frame.t - sitter.arrived_at, 3)
            if review_at is not None and state in (BoothState.REVIEW, BoothState.SERIES_REVIEW) \
                    and frame.t - review_at >= keep_after_s:
                review_at = None
                actions = loop.on_event(SessionEvent.KEEP, frame.t)
                show(actions)
                if on_screen is not None:
                    on_screen(actions, frame.image)
                state = actions.state
                result.states.append(f"{frame.t:.2f} {state.value}")
            if actions.skip_offered and skip_press_s is not None:
                if offered_at is None:
                    offered_at = frame.t
                elif frame.t - offered_at >= skip_press_s:
                    offered_at = None
                    sitter.events.append((frame.t, "presses Skip"))
                    show(loop.on_event(SessionEvent.SKIP, frame.t))
            else:
                offered_at = None
            if (loop.saved and not actor) or (actor and state == BoothState.THANK_YOU):
                break
    finally:
        camera.close()
        if rig is not None:
            rig.close()
        middle.close()
    result.sim_seconds = round(sitter.t, 3)
    result.sitter_log = [f"{t:.2f} {what}" for t, what in sitter.events]
    if not result.final_lights:  # no capture: the levels at the end
        result.final_lights = {k: round(v, 3) for k, v in sitter.levels.levels.items()}
        if loop.last_observation is not None and loop.last_observation.face is not None:
            result.final_dev = round(loop.last_observation.face.light_balance_ev, 3)
    if actor:
        result.series = [{"expression": it.expression, "status": it.status, "seconds": it.seconds,
                          "skipped_by": it.skipped_by, "files": list(it.files)} for it in loop.session.series_items]
        result.series_note = str(loop.series_notes[-1]) if loop.series_notes else None
    if loop.saved:
        saved = loop.saved[0]
        result.captured = True
        result.saved_files = [str(p) for p in saved.paths]
        if analyze_photo:
            result.photo, result.photo_ready = analyze_saved(store_cfg, saved)
    return result


def analyze_saved(cfg: BoothConfig, saved: SavedCapture) -> tuple[dict | None, bool | None]:
    """What `booth analyze` says about the saved photo (its first crop): measures and ready."""
    import cv2

    from .vision.analyzer import FaceAnalyzer
    from .vision.report import face_json

    path = next(iter(saved.crops.values()))
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise StorageError(f"{path}: the photo just saved does not decode. Fix: check the disk ({path.parent})")
    with FaceAnalyzer(cfg) as analyzer:
        obs = analyzer.analyze_still(image)
    try:
        from .guidance.checks import assess_still
    except ImportError:
        return face_json(obs.face), None
    assessment = assess_still(obs, cfg, expression=saved.metadata.get("expression_target"))  # actor: its own expression
    photo = face_json(obs.face) or {}
    photo["path"] = str(path)
    photo["failing"] = [c.name for c in assessment.checks if not c.ok]
    return photo, bool(assessment.gates_ok)
