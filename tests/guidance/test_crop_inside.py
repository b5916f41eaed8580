"""No pad by guidance: while the profile's crop would reach past the camera image (more than
framing.inside_tolerance), the sitter is asked to step back or to centre, the capture waits,
and the saved crop has no pad. The pad fill stays only as the fallback of a tight camera,
where a step back would leave the face too small (distance_far wins: the two never fight).
"""

from __future__ import annotations

import json

import pytest

from booth.config import BoothConfig
from booth.guidance.checks import evaluate_checks, top_prompt
from booth.output.crops import plan_for_face
from booth.simulate import run_scenario, sim_config
from booth.types import Prompt

from .sitter import observation

CFG = BoothConfig()


def checks_of(obs, strict=True):
    return {c.name: c for c in evaluate_checks(obs, CFG, strict=strict)}


def test_a_face_too_large_for_a_crop_inside_the_frame_is_asked_to_step_back_though_the_pad_would_allow_it():
    # head (3.5 IED) 0.66 of a 960 px frame: the 1:1 crop at head 0.65 is taller than the frame
    obs = observation(0.0, size=(1280, 960), eye=(640.0, 400.0), ied=181.0)
    cs = checks_of(obs)
    assert cs["distance_close"].ok, "within framing.max_pad: the old checks let it through"
    assert not cs["crop_inside"].ok and cs["crop_inside"].prompt is Prompt.MOVE_BACK
    assert top_prompt(cs.values()) is Prompt.MOVE_BACK


def test_off_to_one_side_with_a_crop_that_fits_when_centred_the_sitter_is_asked_toward_the_centre():
    # a square camera; eyes 0.10 left of the centre line (inside centre_axis' tolerance), the
    # crop spills off image-left: the sitter moves to their left (image right), by a measured amount
    obs = observation(0.0, size=(960, 960), eye=(384.0, 400.0), ied=170.0)
    cs = checks_of(obs)
    assert cs["centre_axis"].ok and cs["centre_h"].ok
    c = cs["crop_inside"]
    assert not c.ok and c.prompt is Prompt.MOVE_LEFT
    assert 0.02 < c.amount < 0.10  # frame widths: the overflow plus the margin, not the whole way to the centre
    moved = observation(0.0, size=(960, 960), eye=(384.0 + c.amount * 960, 400.0), ied=170.0)
    assert checks_of(moved)["crop_inside"].ok  # one step of that size brings the crop in
    assert all(v <= 0 for v in plan_for_face(moved.face, moved.image_size, CFG).crops[0].pad((960, 960)).values())


def test_a_tight_camera_yields_to_distance_far_instead_of_fighting_it():
    # 640x480 frame, IED 95 px (the still minimum is 90): the crop does not fit, but a step back
    # (with a sitter's usual overshoot) would make the face too small, so the booth does not ask
    obs = observation(0.0, size=(640, 480), eye=(320.0, 190.0), ied=95.0)
    plan = plan_for_face(obs.face, obs.image_size, CFG)
    assert not plan.fits_inside and plan.fits
    cs = checks_of(obs)
    assert cs["distance_far"].ok
    assert cs["crop_inside"].ok and "yields" in cs["crop_inside"].target
    assert top_prompt(cs.values()) is not Prompt.MOVE_BACK
    # what is saved: the largest crop of each aspect inside the frame, the head a little
    # bigger than the band (within framing.tight_head_professional), no pad
    assert plan.fit == "tightened"
    top = CFG.framing.head_height[1]
    for crop in plan.crops:
        assert all(v <= 0 for v in crop.pad(obs.image_size).values()), crop
        share = plan_head(obs) / crop.h
        assert top < share <= top + CFG.framing.tight_head_professional + 1e-6, share


def plan_head(obs):
    from booth.output.crops import FaceGeometry

    return FaceGeometry.of(obs.face).head_height


def test_only_a_face_too_large_even_for_the_tightened_crop_is_padded_and_the_plan_says_so():
    # the same tight camera, the head 5 % larger: no crop within the tolerance fits,
    # the fallback pads (within max_pad) and the plan records it
    obs = observation(0.0, size=(640, 480), eye=(320.0, 190.0), ied=100.0)
    plan = plan_for_face(obs.face, obs.image_size, CFG)
    assert plan.fit == "padded"
    pad = plan.crops[0].pad(obs.image_size)
    assert 0 < max(pad.values()) <= CFG.framing.max_pad * plan.crops[0].h


def test_the_exit_side_keeps_a_fitting_crop_ok_while_the_enter_side_wants_room_to_spare():
    # just inside: fits (exit side), but without fit_margin_ied to spare (enter side)
    for ied in (176.0, 177.0, 178.0, 179.0):
        obs = observation(0.0, size=(1280, 960), eye=(640.0, 400.0), ied=ied)
        enter, exit_ = checks_of(obs, True)["crop_inside"], checks_of(obs, False)["crop_inside"]
        assert exit_.ok or not enter.ok  # never OK to enter and failed to stay
    assert any(checks_of(observation(0.0, size=(1280, 960), eye=(640.0, 400.0), ied=i), False)["crop_inside"].ok
               and not checks_of(observation(0.0, size=(1280, 960), eye=(640.0, 400.0), ied=i), True)["crop_inside"].ok
               for i in (176.0, 177.0, 178.0, 179.0, 180.0))


def test_a_plan_prefers_a_crop_inside_the_frame_over_the_band_middle_with_a_pad():
    # head 0.6 of the frame: the band middle (0.60) would need a pad; head 0.65 fits inside
    obs = observation(0.0, size=(1280, 960), eye=(640.0, 380.0), ied=0.6 * 960 / 3.5)
    plan = plan_for_face(obs.face, obs.image_size, CFG)
    assert plan.fits_inside
    for crop in plan.crops:
        assert max(crop.pad(obs.image_size).values()) <= CFG.framing.inside_tolerance * crop.h + 1e-6


SIM = sim_config(BoothConfig(), 15.0)


@pytest.mark.slow
@pytest.mark.parametrize("name, prompt", [("close-low", "move_back"), ("close-off-centre", "move_left")])
def test_a_simulated_sitter_too_close_or_off_to_one_side_is_told_moves_and_the_saved_crop_has_no_pad(
        name, prompt, tmp_path):
    r = run_scenario(name, seed=0, cfg=SIM, out_dir=tmp_path, analyze_photo=False)
    assert r.captured, (r.prompts, r.sitter_log)
    assert prompt in r.prompts, r.prompts
    assert "move_closer" not in r.prompts, r.prompts  # stepping back never overshoots into "closer"
    sidecar = next(p for p in map(str, r.saved_files) if p.endswith(".json"))
    with open(sidecar) as fh:
        side = json.load(fh)
    assert side["finish"]["padded"] is False
    for crop in side["crops"].values():
        assert all(v == 0 for v in crop["pad_px"].values()), crop["pad_px"]
        assert crop["pad_fill"] is None
    print(name, "prompts", r.prompts, "captured after", r.time_to_capture_s, "s; pads",
          {k: c["pad_px"] for k, c in side["crops"].items()})


def test_a_tightened_crop_judged_on_its_own_passes_framing_but_a_live_frame_of_that_shape_is_still_guided():
    # the tight camera's saved 1:1 crop, re-measured as a 1200 px photo of its own
    obs = observation(0.0, size=(640, 480), eye=(320.0, 190.0), ied=95.0)
    crop = plan_for_face(obs.face, obs.image_size, CFG).crops[0]
    s = 1200.0 / crop.w
    photo = observation(0.0, size=(1200, 1200), eye=((320.0 - crop.x) * s, (190.0 - crop.y) * s), ied=95.0 * s)
    assert plan_for_face(photo.face, photo.image_size, CFG, as_output=True).fits_inside
    live = plan_for_face(photo.face, photo.image_size, CFG)  # a square camera showing the same: step back first
    assert not live.fits_inside
    from booth.guidance.checks import assess_still

    judged = {c.name: c for c in assess_still(photo, CFG).checks}
    assert judged["crop_inside"].ok and judged["distance_close"].ok
