"""Small stand-ins for the app's parts: a paced camera, a scripted session, a light rig.

The scripted session walks through every screen the way the real one does (attract,
guiding with prompts, countdown, capture flash, review, saving, thank-you), driven by frame
counts and by the SessionEvents the app delivers (KEEP, RETAKE, SAVED).
"""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np

from booth.errors import CameraError, StorageError
from booth.models import model_path
from booth.types import (
    Actions,
    Assessment,
    BoothState,
    Candidate,
    FaceObservation,
    Frame,
    LightLevels,
    Prompt,
    SessionEvent,
)

CROP = (0.25, 0.06, 0.5, 0.88)


def sitter_image(w=640, h=480) -> np.ndarray:
    face = cv2.imread(str(model_path("astronaut")))
    img = np.full((h, w, 3), (96, 100, 108), np.uint8)
    side = int(h * 0.84)
    x = (w - side) // 2
    img[int(h * 0.08): int(h * 0.08) + side, x: x + side] = cv2.resize(face, (side, side))
    return img


class PacedCamera:
    """Frames of a fixed picture at ``fps`` (0 = as fast as asked), like a camera's own pacing."""

    name = "paced"

    def __init__(self, fps: float = 30.0, image: np.ndarray | None = None, fail_after: int | None = None,
                 fail_for: int | None = None):
        self.fps = fps
        self.image = image if image is not None else sitter_image()
        self.index = 0
        self.started = self.closed = False
        self.locks: list[bool] = []
        self.fail_after = fail_after
        self.fail_for = fail_for  # failing reads before it comes back (None: never)
        self.failed = 0
        self._next = None

    def start(self):
        self.started = True
        self._next = time.monotonic()

    def read(self, timeout=None) -> Frame:
        if self.closed:
            raise CameraError("closed")
        if self.fail_after is not None and self.index >= self.fail_after:
            if self.fail_for is None or self.failed < self.fail_for:
                self.failed += 1
                raise CameraError("simulated: camera unplugged")
        if self.fps:
            self._next += 1.0 / self.fps
            delay = self._next - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        self.index += 1
        return Frame(self.image, t=self.index / (self.fps or 1000.0), index=self.index)

    def lock_exposure(self):
        self.locks.append(True)

    def unlock_exposure(self):
        self.locks.append(False)

    def close(self):
        self.closed = True


class ScriptedSession:
    """A session that walks every screen; ``work_s`` is the pretend analysis cost per frame."""

    PROMPTS = (Prompt.MOVE_CLOSER, Prompt.LOOK_AT_CAMERA, Prompt.SMILE)

    def __init__(self, attract=10, guiding=30, countdown=30, capture=3, thank_you=20, work_s=0.0,
                 auto_keep=False, saver=None):
        self.saver = saver  # like BoothLoop: called with the chosen candidate, reports back via SAVED
        self.n = dict(attract=attract, guiding=guiding, countdown=countdown, capture=capture, thank_you=thank_you)
        self.work_s = work_s
        self.auto_keep = auto_keep
        self.state = BoothState.ATTRACT
        self.count = 0
        self.ring: list[Candidate] = []
        self.review: tuple[Candidate, ...] = ()
        self.review_index = 0
        self.events: list[SessionEvent] = []
        self.payloads: list[dict] = []
        self.frames_seen = 0
        self.thread_ids: set[int] = set()

    def _go(self, state):
        self.state, self.count = state, 0

    def on_frame(self, frame: Frame) -> Actions:
        self.thread_ids.add(threading.get_ident())
        self.frames_seen += 1
        if self.work_s:
            time.sleep(self.work_s)
        self.count += 1
        s, c, n = self.state, self.count, self.n
        if s is BoothState.ATTRACT:
            if c >= n["attract"]:
                self._go(BoothState.GUIDING)
            return Actions(BoothState.ATTRACT, prompt=Prompt.STEP_IN, lights=LightLevels.of(key_left=0.15))
        if s is BoothState.GUIDING:
            if c >= n["guiding"]:
                self._go(BoothState.COUNTDOWN)
            i = min(len(self.PROMPTS) - 1, c * len(self.PROMPTS) // n["guiding"])
            return Actions(BoothState.GUIDING, prompt=self.PROMPTS[i], readiness=c / n["guiding"], crop_norm=CROP,
                           lights=LightLevels.of(key_left=0.6, key_right=0.55))
        if s is BoothState.COUNTDOWN:
            self.ring = (self.ring + [self._candidate(frame, 0.5 + 0.4 * np.sin(c))])[-8:]
            if c >= n["countdown"]:
                self._go(BoothState.CAPTURING)
                return Actions(BoothState.CAPTURING, flash=True, readiness=1.0, crop_norm=CROP, lock_camera=True)
            left = 3.0 * (1 - c / n["countdown"])
            return Actions(BoothState.COUNTDOWN, prompt=Prompt.HOLD_STILL, readiness=1.0, crop_norm=CROP,
                           countdown_remaining_s=left, lock_camera=True)
        if s is BoothState.CAPTURING:
            if c >= n["capture"]:
                self.review = tuple(sorted(self.ring, key=lambda k: -k.score)[:3])
                self._go(BoothState.REVIEW)
            return Actions(BoothState.CAPTURING, readiness=1.0, crop_norm=CROP, lock_camera=True)
        if s is BoothState.REVIEW:
            if self.auto_keep and c > 3:
                return self.on_event(SessionEvent.KEEP, frame.t)
            return self._review()
        if s is BoothState.SAVING:
            return Actions(BoothState.SAVING, crop_norm=CROP)
        if s is BoothState.THANK_YOU:
            if c >= n["thank_you"]:
                self._go(BoothState.ATTRACT)
            return Actions(BoothState.THANK_YOU, download_url="http://booth.local/p/abc123", saved_files=("x.jpg",))
        return Actions(self.state)

    def _review(self):
        return Actions(BoothState.REVIEW, review=self.review, review_index=self.review_index, crop_norm=CROP)

    def on_event(self, event: SessionEvent, t: float, **payload) -> Actions:
        self.thread_ids.add(threading.get_ident())
        self.events.append(event)
        self.payloads.append(payload)
        if self.state is BoothState.REVIEW and event is SessionEvent.KEEP:
            self._go(BoothState.SAVING)
            chosen = self.review[self.review_index]
            if self.saver is not None:
                self.saver(chosen, None, None)
            return Actions(BoothState.SAVING, save=chosen, crop_norm=CROP)
        if self.state is BoothState.REVIEW and event is SessionEvent.RETAKE:
            self._go(BoothState.GUIDING)
            return Actions(BoothState.GUIDING, crop_norm=CROP)
        if self.state is BoothState.REVIEW and event is SessionEvent.NEXT:
            self.review_index = (self.review_index + 1) % len(self.review)
            return self._review()
        if self.state is BoothState.SAVING and event is SessionEvent.SAVED:
            self._go(BoothState.THANK_YOU)
            return Actions(BoothState.THANK_YOU, download_url="http://booth.local/p/abc123", saved_files=("x.jpg",))
        return Actions(self.state, crop_norm=CROP)

    @staticmethod
    def _candidate(frame: Frame, score: float) -> Candidate:
        obs = FaceObservation(t=frame.t, frame_index=frame.index, image_size=frame.size, faces=1, face_boxes=(), face=None)
        return Candidate(frame, obs, Assessment(frame.t, (), None, True, True, float(score)))


class RecordingRig:
    def __init__(self):
        self.applied: list[LightLevels] = []
        self.off_called = self.closed = False

    def apply(self, levels):
        self.applied.append(levels)

    def off(self):
        self.off_called = True

    def close(self):
        self.closed = True


class SlowSaver:
    """Writes the candidate's pixels to a file slowly (tmp then rename), like a real store."""

    def __init__(self, directory, delay_s=0.3, fail=False):
        self.directory = directory
        self.delay_s = delay_s
        self.fail = fail
        self.written: list = []

    def __call__(self, candidate: Candidate, badge_id=None, expression=None):
        if self.fail:
            raise StorageError("disk full (simulated). Fix: free space")
        path = self.directory / f"photo_{candidate.frame.index}.png"
        tmp = path.with_suffix(".part")
        time.sleep(self.delay_s)
        ok, buf = cv2.imencode(".png", candidate.frame.best)
        tmp.write_bytes(buf.tobytes())
        tmp.rename(path)
        self.written.append(path)
        return (str(path),)


# ------------------------------------------------------------------ the real screen, recorded

import pygame  # noqa: E402

from booth.ui.screen import Screen  # noqa: E402


def text_mask(rgb: np.ndarray) -> np.ndarray:
    return rgb.min(axis=2) > 180


def _bbox(mask):
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    return xs.min(), ys.min(), xs.max() + 1, ys.max() + 1


def band_shows(screen: Screen, expected: str) -> float:
    """IoU between the prompt band's white text and ``expected`` rendered alone in the booth's
    face at the size and line breaks the screen chose (booth/ui/text.py)."""
    x, y, w, h = screen.layout.band
    band = pygame.surfarray.array3d(screen.surface)[x: x + w, y: y + h].transpose(1, 0, 2)
    mask = text_mask(band)
    box = _bbox(mask)
    if box is None:
        return 0.0
    shown = mask[box[1]:box[3], box[0]:box[2]]
    best = 0.0
    for block in [d.block for d in screen.drawn if d.text == expected]:
        alone = screen.typeface.render(block, (255, 255, 255))
        black = pygame.Surface(alone.get_size())
        black.fill((0, 0, 0))
        black.blit(alone, (0, 0))
        ref = text_mask(pygame.surfarray.array3d(black).transpose(1, 0, 2))
        rb = _bbox(ref)
        ref = ref[rb[1]:rb[3], rb[0]:rb[2]]
        if abs(ref.shape[0] - shown.shape[0]) <= 3 and abs(ref.shape[1] - shown.shape[1]) <= 3:
            hh, ww = min(ref.shape[0], shown.shape[0]), min(ref.shape[1], shown.shape[1])
            a, b = ref[:hh, :ww], shown[:hh, :ww]
            best = max(best, float((a & b).sum() / max(1, (a | b).sum())))
    return best


class ScreenshotScreen(Screen):
    """The real screen, saving a screenshot of each state (at its 4th frame, once the preview
    and prompt have settled) and pressing Right then Enter on the review screen like a sitter."""

    def __init__(self, *a, shots_dir=None, prefix="session", guiding_frame=6, **kw):
        super().__init__(*a, **kw)
        self.guiding_frame = guiding_frame
        self.shots_dir = shots_dir
        self.prefix = prefix
        self.saved: dict[str, str] = {}
        self.presented: dict[str, int] = {}
        self.review_presented = 0
        self.last_view = None
        self.prompt_scores: list[tuple[str, float]] = []  # (prompt text, band match) at screenshots
        self._guiding_stash = None  # (surface, prompt, band match) of a recent guiding frame

    def draw(self, view, now=None):
        self.last_view = view
        super().draw(view, now)

    def present(self):
        super().present()
        state = self.last_state.value
        if state != "guiding" and self._guiding_stash is not None and "guiding" not in self.saved:
            # guiding ended before its settled frame (a loaded machine draws fewer frames per
            # state): the last stashed guiding frame with a prompt is its screenshot
            surface, prompt, score = self._guiding_stash
            path = self.shots_dir / f"{self.prefix}_{len(self.saved) + 1}_guiding.png"
            pygame.image.save(surface, str(path))
            self.saved["guiding"] = str(path)
            self.prompt_scores.append((prompt, score))
        self._guiding_stash = None if state != "guiding" else self._guiding_stash
        self.presented[state] = self.presented.get(state, 0) + 1
        if (state == "guiding" and self.shots_dir is not None and "guiding" not in self.saved
                and self.last_view.prompt is not None and self.presented[state] >= 6 and self.presented[state] % 10 == 6):
            self._guiding_stash = (self.surface.copy(), self.last_view.prompt, band_shows(self, self.last_view.prompt))
        # Guiding: a settled moment with a prompt (the sitter has walked in); others: the 6th frame.
        want = self.presented[state] >= (self.guiding_frame if state == "guiding" else 6) and state not in self.saved
        if state == "guiding":
            want = want and self.last_view.prompt is not None
        if self.shots_dir is not None and want:
            path = self.shots_dir / f"{self.prefix}_{len(self.saved) + 1}_{state}.png"
            self.screenshot(path)
            self.saved[state] = str(path)
            if self.last_view.prompt and state in ("guiding", "countdown", "attract"):
                self.prompt_scores.append((self.last_view.prompt, band_shows(self, self.last_view.prompt)))
        if self.last_state is BoothState.REVIEW:
            self.review_presented += 1
            if self.review_presented == 5:
                pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RIGHT))
            if self.review_presented == 10:
                pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN))
