"""The real pygame screen under SDL's dummy driver, fed hand-built Actions.

Each screen is saved to test-artifacts/ui/ for people to look at. Assertions read pixels:
the prompt line is compared with the expected sentence rendered on its own, the guide's
colour is read on the crop outline (on the mirrored side), the QR code is decoded.
"""

from __future__ import annotations

import cv2
import numpy as np
import pygame
import pytest

from booth.config import UiSection
from booth.models import model_path
from booth.types import (
    Actions,
    Assessment,
    BoothState,
    Candidate,
    FaceObservation,
    Frame,
    Prompt,
    SessionEvent,
)
from booth.ui.screen import Screen
from booth.ui.view import ViewBuilder, prompt_text

CROP = (0.08, 0.06, 0.42, 0.84)  # deliberately off-centre: mirroring must move it to the right


def camera_image(w=640, h=480) -> np.ndarray:
    """The simulated sitter's photo placed off-centre (left of the unmirrored frame)."""
    face = cv2.imread(str(model_path("astronaut")))
    img = np.full((h, w, 3), (90, 96, 104), np.uint8)
    side = int(h * 0.84)
    img[int(h * 0.06): int(h * 0.06) + side, 40: 40 + side] = cv2.resize(face, (side, side))
    return img


def candidate(i: int, image: np.ndarray) -> Candidate:
    tinted = image.copy()
    tinted[..., i % 3] = np.clip(tinted[..., i % 3].astype(int) + 30 * i, 0, 255)
    frame = Frame(tinted, t=10.0 + i, index=100 + i)
    obs = FaceObservation(t=frame.t, frame_index=frame.index, image_size=frame.size, faces=1, face_boxes=(), face=None)
    return Candidate(frame, obs, Assessment(t=frame.t, checks=(), prompt=None, ready=True, gates_ok=True, score=0.9 - i / 10))


@pytest.fixture(autouse=True)
def ui_artifacts(artifacts_dir):
    """test-artifacts/ui/ exists for every test here, so each passes alone and in any order."""
    (artifacts_dir / "ui").mkdir(exist_ok=True)
    return artifacts_dir / "ui"


@pytest.fixture(params=["landscape", "portrait"])
def screen(request):
    size = (1280, 720) if request.param == "landscape" else (720, 1280)
    s = Screen(UiSection(fullscreen=False, orientation=request.param), size=size)
    yield s
    s.close()


def draw(screen: Screen, actions: Actions, preview=None, now=0.0):
    view = ViewBuilder().build(actions, preview if preview is not None else camera_image())
    screen.draw(view, now=now)
    return view


def band_pixels(screen: Screen) -> np.ndarray:
    x, y, w, h = screen.layout.band
    return pygame.surfarray.array3d(screen.surface)[x: x + w, y: y + h].transpose(1, 0, 2)


def text_mask(rgb: np.ndarray) -> np.ndarray:
    """Bright, near-white pixels (the prompt text)."""
    return (rgb.min(axis=2) > 180)


def bbox(mask: np.ndarray):
    ys, xs = np.nonzero(mask)
    return xs.min(), ys.min(), xs.max() + 1, ys.max() + 1


def shows_text(screen: Screen, expected: str, skip_left: int = 0) -> float:
    """Similarity (IoU of ink) between the band's text and ``expected`` rendered alone in
    the booth's face (booth/ui/text.py) as the screen set it."""
    mask = text_mask(band_pixels(screen))
    mask[:, :skip_left] = False  # e.g. the countdown number sharing the band
    x0, y0, x1, y1 = bbox(mask)
    shown = mask[y0:y1, x0:x1]
    best = 0.0
    # the size and line breaks the screen chose for this text (shrunk down to the size rule,
    # then wrapped): the same lines rendered alone must match the band's ink
    for block in [d.block for d in screen.drawn if d.text == expected]:
        ref = pygame.surfarray.array3d(_on_black(screen, block)).transpose(1, 0, 2)
        ref_mask = text_mask(ref)
        rx0, ry0, rx1, ry1 = bbox(ref_mask)
        ref_mask = ref_mask[ry0:ry1, rx0:rx1]
        if abs(ref_mask.shape[1] - shown.shape[1]) <= 3 and abs(ref_mask.shape[0] - shown.shape[0]) <= 3:
            h, w = min(ref_mask.shape[0], shown.shape[0]), min(ref_mask.shape[1], shown.shape[1])
            a, b = ref_mask[:h, :w], shown[:h, :w]
            best = max(best, float((a & b).sum() / max(1, (a | b).sum())))
    return best


def _on_black(screen: Screen, block):
    text = screen.typeface.render(block, (255, 255, 255))
    out = pygame.Surface(text.get_size())
    out.fill((0, 0, 0))
    out.blit(text, (0, 0))
    return out


def crop_on_screen(screen: Screen, preview: np.ndarray, crop=CROP, full=False):
    from booth.ui.view import View

    geometry = screen.preview_geometry(View(BoothState.GUIDING, preview=preview, crop_norm=crop))
    return geometry if full else geometry[3]


def test_guiding_shows_the_prompt_and_a_red_guide_on_the_mirrored_crop(screen, artifacts_dir):
    preview = camera_image()
    actions = Actions(BoothState.GUIDING, prompt=Prompt.MOVE_CLOSER, readiness=0.05, crop_norm=CROP)
    draw(screen, actions, preview)
    (artifacts_dir / "ui").mkdir(exist_ok=True)
    screen.screenshot(artifacts_dir / "ui" / f"guiding_{screen.layout.size[0]}x{screen.layout.size[1]}.png")

    expected = prompt_text(Prompt.MOVE_CLOSER)
    assert shows_text(screen, expected) > 0.8
    assert shows_text(screen, prompt_text(Prompt.MOVE_BACK)) < 0.6

    scale, img_x, _, (x, y, w, h) = crop_on_screen(screen, preview, full=True)
    # Mirrored: the crop sits left in the camera frame, so right of the image's centre on screen.
    assert (x + w / 2 - img_x) / (preview.shape[1] * scale) == pytest.approx(1 - (CROP[0] + CROP[2] / 2), abs=0.01)
    r, g, b = screen.pixel((x + w // 2, y + 1))  # middle of the crop's top edge
    assert r > 200 and g < 120 and b < 100, (r, g, b)
    r, g, b = screen.pixel((x + 1, y + h // 2))  # middle of its left edge
    assert r > 200 and g < 120 and b < 100, (r, g, b)
    # Outside the crop the preview is dimmed; inside it is shown at full brightness.
    inside = pygame.surfarray.array3d(screen.surface)[x + w // 3: x + 2 * w // 3, y + h // 3: y + h // 2].mean()
    assert inside > 40


def test_the_guide_turns_green_when_ready_and_the_countdown_is_large(screen, artifacts_dir):
    preview = camera_image()
    draw(screen, Actions(BoothState.COUNTDOWN, prompt=Prompt.HOLD_STILL, readiness=1.0, crop_norm=CROP,
                         countdown_remaining_s=2.4, lock_camera=True), preview)
    screen.screenshot(artifacts_dir / "ui" / f"countdown_{screen.layout.size[0]}x{screen.layout.size[1]}.png")
    x, y, w, h = crop_on_screen(screen, preview)
    r, g, b = screen.pixel((x + w // 2, y + h - 2))  # the guide's bottom edge (the countdown is at the top lens)
    assert g > 180 and r < 120, (r, g, b)
    in_band = screen.countdown_centre((x, y, w, h))[0][1] >= screen.layout.band[1]
    skip = int(screen.layout.band[3] * 1.2) if in_band else 0
    assert shows_text(screen, prompt_text(Prompt.HOLD_STILL), skip_left=skip) > 0.8
    # The digit "3" (ceil of 2.4 s) is large, white, and beside the crop: never over the face.
    (dx, dy), px = screen.countdown_centre((x, y, w, h))
    digit = pygame.font.Font(None, px)
    digit.set_bold(True)
    dw, dh = digit.size("3")
    box = pygame.Rect(0, 0, dw, int(dh * 0.6))
    box.center = (dx, dy)
    face = pygame.Rect(Screen.face_rect((x, y, w, h)))
    assert not box.colliderect(face)
    region = pygame.surfarray.array3d(screen.surface)[box.left: box.right, box.top: box.bottom]
    assert (region.min(axis=2) > 235).mean() > 0.2
    alone = pygame.surfarray.array3d(digit.render("3", True, (255, 255, 255), (0, 0, 0)))
    assert abs((region.min(axis=2) > 235).mean() - (alone.min(axis=2) > 235)[:, dh // 5: dh // 5 + box.height].mean()) < 0.15
    assert dh > screen.layout.unit * 0.1 or box.top >= screen.layout.band[1]  # big, or filling the band


def test_capture_flash_whitens_the_screen_briefly(screen):
    draw(screen, Actions(BoothState.CAPTURING, flash=True, readiness=1.0, crop_norm=CROP), now=100.0)
    assert pygame.surfarray.array3d(screen.surface).min() == 255
    draw(screen, Actions(BoothState.CAPTURING, flash=False, readiness=1.0, crop_norm=CROP), now=100.05)
    assert pygame.surfarray.array3d(screen.surface).min() == 255  # still within the flash
    draw(screen, Actions(BoothState.CAPTURING, flash=False, readiness=1.0, crop_norm=CROP), now=101.0)
    assert pygame.surfarray.array3d(screen.surface).min() < 255


def test_review_offers_candidates_with_keep_and_retake_by_touch_and_keys(screen, artifacts_dir):
    image = camera_image()
    cands = tuple(candidate(i, image) for i in range(3))
    draw(screen, Actions(BoothState.REVIEW, review=cands, review_index=0, crop_norm=CROP))
    screen.screenshot(artifacts_dir / "ui" / f"review_{screen.layout.size[0]}x{screen.layout.size[1]}.png")
    keep, retake = screen.hit_rect(SessionEvent.KEEP), screen.hit_rect(SessionEvent.RETAKE)
    assert keep is not None and retake is not None
    assert min(keep.height, retake.height) >= screen.layout.unit * 0.12  # finger-sized
    assert screen.tap(keep.center) == [SessionEvent.KEEP]
    assert screen.tap(retake.center) == [SessionEvent.RETAKE]
    r, g, b = screen.pixel((keep.centerx, keep.top + 3))
    assert g > r and g > b  # Keep is green
    # Tapping the third photo highlights it (two NEXT steps from the first).
    tiles = [rect for rect, ev, n in screen.canvas.hit if ev is SessionEvent.NEXT]
    assert sorted(n for _, ev, n in screen.canvas.hit if ev is SessionEvent.NEXT) == [1, 2]
    third = next(rect for rect, ev, n in screen.canvas.hit if ev is SessionEvent.NEXT and n == 2)
    assert screen.tap(third.center) == [SessionEvent.NEXT, SessionEvent.NEXT]
    assert len(tiles) == 2
    # Keys on a desk: Enter keeps, R retakes, Right moves the highlight.
    assert screen.key_event(pygame.K_RETURN) == [SessionEvent.KEEP]
    assert screen.key_event(pygame.K_r) == [SessionEvent.RETAKE]
    assert screen.key_event(pygame.K_RIGHT) == [SessionEvent.NEXT]
    # Each tile shows its candidate cut to the crop: the crop's aspect, not the camera's.
    cw, ch = CROP[2] * image.shape[1], CROP[3] * image.shape[0]
    assert abs(third.width / third.height - cw / ch) < 0.05


def test_thank_you_shows_a_scannable_qr_of_the_download_link(screen, artifacts_dir):
    image = camera_image()
    url = "http://booth.local:8080/p/3f9c2a"
    builder = ViewBuilder()
    saved = candidate(0, image)
    builder.build(Actions(BoothState.SAVING, save=saved, crop_norm=CROP), image)
    view = builder.build(Actions(BoothState.THANK_YOU, saved_files=("a.jpg",), download_url=url), image)
    assert view.photo is not None
    screen.draw(view, now=0.0)
    path = artifacts_dir / "ui" / f"thank_you_{screen.layout.size[0]}x{screen.layout.size[1]}.png"
    screen.screenshot(path)
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(cv2.imread(str(path)))
    assert decoded == url


def test_attract_and_error_screens(screen, artifacts_dir):
    tag = f"{screen.layout.size[0]}x{screen.layout.size[1]}"
    draw(screen, Actions(BoothState.ATTRACT, prompt=Prompt.STEP_IN))
    screen.screenshot(artifacts_dir / "ui" / f"attract_{tag}.png")
    assert shows_text(screen, prompt_text(Prompt.STEP_IN)) > 0.8
    message = "Camera lost: reconnecting"
    draw(screen, Actions(BoothState.ERROR, message=message))
    screen.screenshot(artifacts_dir / "ui" / f"error_{tag}.png")
    assert shows_text(screen, message) > 0.8
    x, y, w, h = screen.layout.band
    r, g, b = screen.pixel((x + 4, y + 4))
    assert r > 140 and g < 60  # a red band


def test_shutter_touch_and_keys_while_guiding(screen):
    draw(screen, Actions(BoothState.GUIDING, prompt=Prompt.SMILE, readiness=0.5, crop_norm=CROP))
    shutter = screen.hit_rect(SessionEvent.SHUTTER)
    assert shutter is not None and screen.tap(shutter.center) == [SessionEvent.SHUTTER]
    assert screen.key_event(pygame.K_SPACE) == [SessionEvent.SHUTTER]
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=shutter.center, button=1))
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE))
    assert screen.poll() == [SessionEvent.SHUTTER]
    assert screen.quit_requested


def test_prompt_text_reads_the_guidance_catalogue():
    from booth.guidance.prompts import text

    assert prompt_text(Prompt.LOOK_AT_CAMERA) == text(Prompt.LOOK_AT_CAMERA) == "Look at the camera"
    assert prompt_text(None) is None


def test_review_thumbnails_are_scaled_once_not_every_frame():
    image = camera_image()
    cands = tuple(candidate(i, image) for i in range(3))
    builder = ViewBuilder()
    first = builder.build(Actions(BoothState.REVIEW, review=cands, crop_norm=CROP), None)
    again = builder.build(Actions(BoothState.REVIEW, review=cands, review_index=1, crop_norm=CROP), None)
    assert all(a is b for a, b in zip(first.review, again.review))


def arrow_mask(screen: Screen) -> np.ndarray:
    """Pixels of the move arrow's colour in the preview area, (rows, cols) in screen pixels."""
    from booth.ui.screen import ARROW

    x, y, w, h = screen.layout.preview
    rgb = pygame.surfarray.array3d(screen.surface)[x: x + w, y: y + h].transpose(1, 0, 2).astype(int)
    return (np.abs(rgb - np.array(ARROW)).max(axis=2) <= 30)


def arrow_span(screen: Screen) -> tuple[int, int]:
    """(leftmost, rightmost) screen x of the arrow's pixels."""
    ys, xs = np.nonzero(arrow_mask(screen))
    assert xs.size > 0, "no arrow drawn"
    return int(xs.min()) + screen.layout.preview[0], int(xs.max()) + screen.layout.preview[0]


def test_a_graded_move_reads_as_a_step_with_an_arrow_toward_the_sitters_left(screen, artifacts_dir):
    # CROP is the face left of centre in the camera image: the sitter stands off to their
    # right and must move to their left, which on the mirrored preview is the screen's left.
    preview = camera_image()
    draw(screen, Actions(BoothState.GUIDING, prompt=Prompt.MOVE_LEFT, readiness=0.3, crop_norm=CROP))
    assert not arrow_mask(screen).any()  # no amount, no arrow (and nothing in the photo is arrow-coloured)
    draw(screen, Actions(BoothState.GUIDING, prompt=Prompt.MOVE_LEFT, prompt_amount=0.24, readiness=0.3,
                         crop_norm=CROP), preview)
    screen.screenshot(artifacts_dir / "ui" / f"graded_move_{screen.layout.size[0]}x{screen.layout.size[1]}.png")
    assert shows_text(screen, "Take a step to your left") > 0.8
    assert shows_text(screen, "Move a little to your left") < 0.6
    scale, _, _, (x, y, w, h) = crop_on_screen(screen, preview, full=True)
    centre = x + w / 2
    left, right = arrow_span(screen)
    assert right <= centre + w * 0.06 and left < centre - w * 0.2  # it points to the screen's left
    ys = np.nonzero(arrow_mask(screen))[0] + screen.layout.preview[1]
    assert ys.min() > y + h * 0.6  # across the shoulders, never over the face
    long = centre - left
    if screen.layout.size[0] > screen.layout.size[1]:  # room for all of it: the way to go at the preview's scale
        assert long == pytest.approx(0.24 * preview.shape[1] * scale, rel=0.08)
    # a sitter nearer the axis: the plain words and a shorter arrow
    draw(screen, Actions(BoothState.GUIDING, prompt=Prompt.MOVE_LEFT, prompt_amount=0.13, readiness=0.3,
                         crop_norm=CROP), preview)
    assert shows_text(screen, "Move a little to your left") > 0.8
    left_near, _ = arrow_span(screen)
    assert centre - left_near < 0.75 * long


def test_the_step_wording_does_not_flicker_for_a_sitter_swaying_near_the_threshold():
    from booth.guidance.prompts import BIG_MOVE, BIG_MOVE_EXIT

    builder = ViewBuilder()
    step, little = "Take a step to your left", "Move a little to your left"

    def words(amount):
        return builder.build(Actions(BoothState.GUIDING, prompt=Prompt.MOVE_LEFT, prompt_amount=amount), None).prompt

    # a sitter near the axis sways across BIG_MOVE from below: it reads as a step only once over it
    assert [words(a) for a in (0.14, 0.149)] == [little, little]
    # far off, then swaying around BIG_MOVE: a step until the way to go is under BIG_MOVE_EXIT
    sway = (0.2, BIG_MOVE + 0.004, BIG_MOVE - 0.004, BIG_MOVE + 0.003, BIG_MOVE - 0.01, BIG_MOVE_EXIT - 0.005)
    assert [words(a) for a in sway] == [step] * 5 + [little]
    # the arrow still shows the true way to go
    view = builder.build(Actions(BoothState.GUIDING, prompt=Prompt.MOVE_LEFT, prompt_amount=0.141), None)
    assert view.move == pytest.approx((0.141, 0.0))


def test_without_a_mirror_the_arrow_points_to_the_image_right_for_the_sitters_left():
    s = Screen(UiSection(fullscreen=False, mirror=False), size=(1280, 720))
    try:
        preview = camera_image()
        draw(s, Actions(BoothState.GUIDING, prompt=Prompt.MOVE_LEFT, prompt_amount=0.24, readiness=0.3,
                        crop_norm=CROP), preview)
        x, y, w, h = crop_on_screen(s, preview)
        left, right = arrow_span(s)
        assert left >= x + w / 2 - w * 0.06 and right > x + w / 2 + w * 0.2
        draw(s, Actions(BoothState.GUIDING, prompt=Prompt.MOVE_RIGHT, prompt_amount=0.24, readiness=0.3,
                        crop_norm=CROP), preview)
        left, right = arrow_span(s)
        assert right <= x + w / 2 + w * 0.06 and left < x + w / 2 - w * 0.2
    finally:
        s.close()


@pytest.mark.parametrize("lens", ["top", "bottom", "left", "right"])
@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_the_countdown_and_a_look_here_cue_sit_next_to_the_lens(lens, orientation, artifacts_dir):
    size = (1280, 720) if orientation == "landscape" else (720, 1280)
    screen = Screen(UiSection(fullscreen=False, orientation=orientation, lens=lens), size=size)
    try:
        preview = camera_image()
        draw(screen, Actions(BoothState.COUNTDOWN, prompt=Prompt.HOLD_STILL, readiness=1.0, crop_norm=CROP,
                             countdown_remaining_s=2.4, lock_camera=True), preview)
        screen.screenshot(artifacts_dir / "ui" / f"countdown_lens_{lens}_{size[0]}x{size[1]}.png")
        x, y, w, h = crop_on_screen(screen, preview)
        (dx, dy), px = screen.countdown_centre((x, y, w, h))
        W, H = screen.layout.size
        preview_h = screen.layout.preview[3]
        # next to the lens: within a fifth of the screen from that edge, centred along it
        near = {"top": dy < 0.2 * H, "bottom": dy > preview_h - 0.2 * H, "left": dx < 0.2 * W, "right": dx > 0.8 * W}
        assert near[lens], (lens, dx, dy)
        if lens in ("top", "bottom"):
            assert abs(dx - W / 2) < 0.02 * W
        # the number is drawn there and stays off the face
        digit = pygame.font.Font(None, px)
        digit.set_bold(True)
        dw, dh = digit.size("3")
        box = pygame.Rect(0, 0, dw, int(dh * 0.6))
        box.center = (dx, dy)
        region = pygame.surfarray.array3d(screen.surface)[box.left: box.right, box.top: box.bottom]
        assert (region.min(axis=2) > 235).mean() > 0.15
        face = pygame.Rect(Screen.face_rect((x, y, w, h)))
        assert not box.colliderect(face)
        # the cue: yellow words beside the number and an arrow whose tip touches the lens edge
        words, tip = screen.look_here_anchor((x, y, w, h))
        u = screen.layout.unit
        pix = pygame.surfarray.array3d(screen.surface).astype(int)
        wx0, wy0 = max(0, words[0] - int(u * 0.15)), max(0, words[1] - int(u * 0.03))
        patch = pix[wx0: words[0] + int(u * 0.15), wy0: words[1] + int(u * 0.03)]
        yellow = (patch[..., 0] > 200) & (patch[..., 1] > 170) & (patch[..., 2] < 80)
        assert yellow.mean() > 0.05, "the 'Look here' words are drawn"
        tx, ty = tip
        r, g, b = screen.pixel((min(W - 1, max(0, tx + {"left": 3, "right": -3}.get(lens, 0))),
                                min(H - 1, max(0, ty + {"top": 3, "bottom": -3}.get(lens, 0)))))
        assert r > 200 and g > 170 and b < 80, (r, g, b)
    finally:
        screen.close()


def test_review_says_how_to_choose_and_that_the_booth_keeps_the_best(screen, artifacts_dir):
    screen.review_s = 15.0
    image = camera_image()
    cands = tuple(candidate(i, image) for i in range(3))
    draw(screen, Actions(BoothState.REVIEW, review=cands, review_index=0, crop_norm=CROP))
    screen.screenshot(artifacts_dir / "ui" / f"review_hint_{screen.layout.size[0]}x{screen.layout.size[1]}.png")
    hint = screen.review_hint()
    assert hint == "Tap a photo, then Keep. We keep the best one in 15 s"
    # the line is on screen: its rendered width of light-grey pixels under the title
    u = screen.layout.unit
    W, H = screen.layout.size
    y = int(H * 0.06) + int(u * 0.085)
    band = pygame.surfarray.array3d(screen.surface)[:, y - int(u * 0.02): y + int(u * 0.02)].astype(int)
    grey = (np.abs(band - 210).max(axis=2) < 30)
    cols = np.nonzero(grey.any(axis=1))[0]
    expect = screen.text_surface(hint, int(u * 0.045), max_width=int(W * 0.92)).get_width()
    assert cols.size and abs((cols.max() - cols.min()) - expect) < 0.1 * expect
def test_actor_series_skip_offer_and_series_review(screen, artifacts_dir):
    """Guiding an expression that will not come: "Skip this one" by touch; the series review:
    one tile per expression (photo or "skipped"), retake the highlighted one, keep all."""
    from booth.types import SeriesItem

    img = camera_image()
    draw(screen, Actions(state=BoothState.GUIDING, prompt=Prompt.EXPRESS_VULNERABLE, crop_norm=CROP,
                         skip_offered=True), img)
    assert shows_text(screen, prompt_text(Prompt.EXPRESS_VULNERABLE)) > 0.8  # the words, not only the name
    a = Actions(state=BoothState.GUIDING, prompt=Prompt.EXPRESS_VULNERABLE, expression_step=(3, 5),
                crop_norm=CROP, skip_offered=True)
    draw(screen, a, img)
    screen.screenshot(artifacts_dir / "ui" / f"actor_skip_offered_{screen.layout.size[0]}x{screen.layout.size[1]}.png")
    assert screen.tap(screen.hit_rect(SessionEvent.SKIP).center) == [SessionEvent.SKIP]
    draw(screen, Actions(state=BoothState.GUIDING, prompt=Prompt.EXPRESS_VULNERABLE, expression_step=(3, 5),
                         crop_norm=CROP))
    assert screen.hit_rect(SessionEvent.SKIP) is None  # not offered: no button

    names = ["confident", "approachable", "serious", "vulnerable", "playful"]
    items = tuple(SeriesItem(n, "saved", (f"{n}.jpg",), 9.0, None, candidate(i, img), CROP)
                  if n in ("approachable", "serious", "playful") else SeriesItem(n, "skipped", (), 18.0, "button")
                  for i, n in enumerate(names))
    review = Actions(state=BoothState.SERIES_REVIEW, series=items, expression_step=(1, 5))
    draw(screen, review, img)
    screen.screenshot(artifacts_dir / "ui" / f"actor_series_review_{screen.layout.size[0]}x{screen.layout.size[1]}.png")
    assert screen.tap(screen.hit_rect(SessionEvent.KEEP).center) == [SessionEvent.KEEP]
    assert screen.tap(screen.hit_rect(SessionEvent.RETAKE).center) == [SessionEvent.RETAKE]
    # tapping the "serious" tile highlights it (one NEXT from "approachable")
    nexts = [ev for rect, ev, n in screen.canvas.hit if ev is SessionEvent.NEXT for _ in range(n)]
    assert len(nexts) == sum(range(1, 5))  # every other tile moves the highlight there
    assert screen.key_event(pygame.K_r) == [SessionEvent.RETAKE]
