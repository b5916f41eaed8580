"""The vision building blocks against values worked out by hand (not by the code)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from booth.vision import measures as M
from booth.vision.detector import FULL_RANGE, SHORT_RANGE, decode, letterbox, weighted_nms
from booth.vision.landmarks import Roi, project, roi_from_landmarks, warp


# ------------------------------------------------------------------ anchors and decoding

def test_short_range_anchor_layout_is_896_with_the_stride16_layers_merged():
    a = SHORT_RANGE.anchors()
    assert a.shape == (896, 2)
    # stride 8: 16x16 cells, 2 anchors each, row-major, centres at (i + 0.5) / 16
    assert a[0] == pytest.approx([0.03125, 0.03125]) and a[1] == pytest.approx([0.03125, 0.03125])
    assert a[2] == pytest.approx([0.09375, 0.03125])
    assert a[32] == pytest.approx([0.03125, 0.09375])  # second row
    # stride 16 (three layers merged): 8x8 cells, 6 anchors each, starting at 512
    assert np.allclose(a[512:518], [0.0625, 0.0625])
    assert a[518] == pytest.approx([0.1875, 0.0625])
    assert a[-1] == pytest.approx([0.9375, 0.9375])


def test_full_range_anchor_layout_is_48x48():
    a = FULL_RANGE.anchors()
    assert a.shape == (2304, 2)
    assert a[0] == pytest.approx([1 / 96, 1 / 96]) and a[1] == pytest.approx([3 / 96, 1 / 96])


def test_decode_offsets_are_relative_to_the_anchor_in_input_pixels():
    anchors = np.array([[0.5, 0.5], [0.25, 0.75]], np.float32)
    raw = np.zeros((2, 16), np.float32)
    # anchor 0: centre moved +12.8 px, -6.4 px of a 128 input; box 25.6 x 51.2 px; right eye at -12.8, 0
    raw[0, :4] = [12.8, -6.4, 25.6, 51.2]
    raw[0, 4:6] = [-12.8, 0.0]
    scores = np.array([[2.0], [-3.0]], np.float32)  # sigmoid 0.881, 0.047
    boxes, kps, sc = decode(raw, scores, anchors, 128, min_score=0.5)
    assert len(sc) == 1 and sc[0] == pytest.approx(1 / (1 + math.exp(-2.0)))
    # centre (0.6, 0.45), size (0.2, 0.4) -> x0 0.5, y0 0.25, x1 0.7, y1 0.65
    assert boxes[0] == pytest.approx([0.5, 0.25, 0.7, 0.65], abs=1e-6)
    assert kps[0, 0] == pytest.approx([0.4, 0.5], abs=1e-6)


def test_weighted_nms_averages_overlapping_boxes_by_score_and_keeps_the_top_score():
    boxes = np.array([[0.0, 0.0, 1.0, 1.0], [0.1, 0.0, 1.1, 1.0], [5.0, 5.0, 6.0, 6.0]])
    kps = np.zeros((3, 6, 2))
    kps[1] += 1.0
    out = weighted_nms(boxes, kps, np.array([0.9, 0.6, 0.7]), iou_threshold=0.3)
    assert len(out) == 2
    box, kp, score = out[0]
    assert score == 0.9
    # x0 = (0.9*0 + 0.6*0.1) / 1.5 = 0.04; x1 = (0.9*1 + 0.6*1.1) / 1.5 = 1.04
    assert box == pytest.approx([0.04, 0.0, 1.04, 1.0])
    assert kp[0] == pytest.approx([0.4, 0.4])  # 0.6 / 1.5
    assert out[1][2] == 0.7


def test_letterbox_keeps_the_aspect_and_maps_points_back():
    img = np.zeros((480, 640, 3), np.uint8)
    img[200:280, 300:340] = 255
    canvas, lb = letterbox(img, 128)
    assert canvas.shape == (128, 128, 3)
    assert lb.scale == pytest.approx(0.2) and lb.offset_y == 16 and lb.offset_x == 0
    # the image centre (320, 240) lands on the input centre, and back
    assert lb.to_image(np.array([[0.5, 0.5]]), 128)[0] == pytest.approx([320, 240])
    assert canvas[:16].max() == 0 and canvas[112:].max() == 0  # padding, not stretched content
    assert canvas[56:72, 60:68].min() == 255


def test_letterbox_margin_shrinks_the_image_inside_a_replicated_border():
    img = np.full((100, 100, 3), 77, np.uint8)
    canvas, lb = letterbox(img, 128, margin=0.25)
    assert lb.scale == pytest.approx(128 / 150, abs=0.01)
    assert canvas.min() == 77  # replicated, not black


# ------------------------------------------------------------------ ROI rotation

def test_roi_matrix_turns_the_crop_axes_by_the_angle():
    roi = Roi(100.0, 50.0, 20.0, math.pi / 2)  # crop x axis points down the image
    m = roi.matrix(10)
    centre = project(np.array([[5.0, 5.0]]), m)[0]
    right_mid = project(np.array([[10.0, 5.0]]), m)[0]
    bottom_mid = project(np.array([[5.0, 10.0]]), m)[0]
    assert centre == pytest.approx([100, 50], abs=1e-5)
    assert right_mid == pytest.approx([100, 60], abs=1e-5)  # +x of the crop = +y of the image
    assert bottom_mid == pytest.approx([90, 50], abs=1e-5)  # +y of the crop = -x of the image
    flipped = project(np.array([[10.0, 5.0]]), roi.matrix(10, flip=True))[0]
    assert flipped == pytest.approx([100, 40], abs=1e-5)


def test_warp_samples_the_rotated_square_where_the_matrix_says():
    img = np.zeros((200, 200, 3), np.uint8)
    img[118:123, 98:103] = 255  # a dot at (100.5, 120.5): 20 px below the ROI centre
    roi = Roi(100.5, 100.5, 64.0, math.pi / 2)
    crop = warp(img, roi.matrix(64), 64)
    ys, xs = np.nonzero(crop[:, :, 0] > 128)
    # image +y is the crop's +x: the dot sits 20 px right of the crop centre (32 + 20)
    assert xs.mean() == pytest.approx(52, abs=1) and ys.mean() == pytest.approx(32, abs=1)


def test_roi_from_landmarks_follows_the_eye_line():
    lm = np.zeros((468, 3), np.float32)
    # a face-sized cloud, turned 30 degrees clockwise on screen
    rng = np.random.default_rng(0)
    pts = rng.uniform(-50, 50, size=(468, 2))
    pts[33] = [-40, 0]
    pts[263] = [40, 0]
    a = math.radians(30)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    lm[:, :2] = pts @ rot.T + [300, 200]
    roi = roi_from_landmarks(lm)
    assert roi.angle == pytest.approx(a, abs=1e-6)
    assert roi.size == pytest.approx(1.5 * (pts[:, 0].max() - pts[:, 0].min()), rel=0.05)


# ------------------------------------------------------------------ pose signs

def _rot(axis: str, deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return {"x": np.array([[1, 0, 0], [0, c, -s], [0, s, c]]),
            "y": np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]),
            "z": np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])}[axis]


def _mesh_of(rotation: np.ndarray) -> np.ndarray:
    """Image-space mesh (x right, y down, z away) of the canonical face turned by ``rotation``
    (camera axes: x image right, y up, z toward the camera)."""
    cam = M.POSE_POINTS @ rotation.T * 10.0
    lm = np.zeros((468, 3), np.float32)
    lm[M.POSE_IDS] = np.stack([320 + cam[:, 0], 240 - cam[:, 1], -cam[:, 2]], axis=1)
    return lm


NOSE = list(M.POSE_IDS).index(4)
LEFT_EYE_OUTER = list(M.POSE_IDS).index(263)
RIGHT_EYE_OUTER = list(M.POSE_IDS).index(33)


def test_yaw_is_positive_when_the_nose_points_to_image_right():
    lm = _mesh_of(_rot("y", 20))
    assert lm[M.POSE_IDS[NOSE], 0] > 320  # the construction: nose moved to image right
    yaw, pitch, roll = M.head_pose(lm)
    assert (yaw, pitch, roll) == pytest.approx((20, 0, 0), abs=0.5)


def test_pitch_is_positive_chin_up():
    lm = _mesh_of(_rot("x", -15))  # rotating about +x by -15: the face's forward axis tips up
    assert lm[M.POSE_IDS[NOSE], 1] < _mesh_of(np.eye(3))[M.POSE_IDS[NOSE], 1]  # nose higher on screen
    yaw, pitch, roll = M.head_pose(lm)
    assert (yaw, pitch, roll) == pytest.approx((0, 15, 0), abs=0.5)
    assert M.head_pose(lm, pitch_offset_deg=7.0)[1] == pytest.approx(22, abs=0.5)


def test_roll_is_positive_when_the_subjects_left_eye_is_lower():
    lm = _mesh_of(_rot("z", -10))  # clockwise on screen
    left, right = lm[M.POSE_IDS[LEFT_EYE_OUTER]], lm[M.POSE_IDS[RIGHT_EYE_OUTER]]
    assert left[0] > right[0] and left[1] > right[1]  # subject's left eye: image right, lower
    yaw, pitch, roll = M.head_pose(lm)
    assert (yaw, pitch, roll) == pytest.approx((0, 0, 10), abs=0.5)


# ------------------------------------------------------------------ linear light

def test_srgb_linearisation_known_values():
    assert M.srgb_to_linear(0.5) == pytest.approx(0.21404, abs=1e-5)
    assert M.srgb_to_linear(0.04) == pytest.approx(0.04 / 12.92)
    assert M.LINEAR_LUT[0] == 0.0 and M.LINEAR_LUT[255] == pytest.approx(1.0)


def test_luminance_is_rec709_in_linear_light():
    green = np.zeros((4, 4, 3), np.uint8)
    green[..., 1] = 255  # BGR
    assert M.mean_linear_luminance(green) == pytest.approx(0.7152, abs=1e-4)
    red = np.zeros((1, 1, 3), np.uint8)
    red[..., 2] = 255
    assert M.linear_luminance(red)[0, 0] == pytest.approx(0.2126, abs=1e-4)
    grey = np.full((2, 2, 3), 128, np.uint8)
    assert M.mean_linear_luminance(grey) == pytest.approx(0.21586, abs=1e-4)


def test_light_balance_is_log2_of_linear_light():
    white = np.full((5, 5, 3), 255, np.uint8)  # linear 1.0
    half = np.full((5, 5, 3), 188, np.uint8)  # sRGB 188 is linear 0.5029
    assert M.light_balance_ev(white, half) == pytest.approx(math.log2(1 / 0.50289), abs=1e-3)
    assert M.light_balance_ev(half, white) == pytest.approx(-0.9917, abs=1e-3)


# ------------------------------------------------------------------ eyes

def test_cheek_cast_is_cielab_of_the_patches_mean_colour():
    """Known CIE values (sRGB, D65): white and grey have no cast, pure red is a* 80.1 b* 67.2;
    and on any colour the plain arithmetic stays within 0.4 of OpenCV's float BGR2Lab, which
    quantises a* and b* to 1/64 (the arithmetic replaced it: booth/vision/measures.py)."""
    import cv2

    def cast(bgr):
        return M.lab_cast([np.full((4, 4, 3), bgr, np.uint8)])

    assert cast((255, 255, 255)) == pytest.approx((0.0, 0.0), abs=0.01)
    assert cast((128, 128, 128)) == pytest.approx((0.0, 0.0), abs=0.01)
    assert cast((0, 0, 255)) == pytest.approx((80.1, 67.2), abs=0.1)
    # two patches: the mean colour weighted by pixel count
    half = M.lab_cast([np.full((4, 4, 3), (0, 0, 255), np.uint8), np.full((4, 4, 3), (255, 0, 0), np.uint8)])
    assert half == pytest.approx(cast((128, 0, 128)), abs=0.5)
    rng = np.random.default_rng(7)
    for bgr in rng.integers(0, 256, (500, 3)):
        ref = cv2.cvtColor((bgr / 255.0).astype(np.float32).reshape(1, 1, 3), cv2.COLOR_BGR2Lab)[0, 0]
        assert cast(tuple(int(c) for c in bgr)) == pytest.approx((ref[1], ref[2]), abs=0.4)


def test_eye_aspect_ratio_of_a_known_eye():
    # corners 4 px apart, lids 2 px apart at both inner points: EAR = (2 + 2) / (2 * 4)
    pts = [(0, 0), (1, -1), (3, -1), (4, 0), (3, 1), (1, 1)]
    assert M.eye_aspect_ratio(pts) == pytest.approx(0.5)
    closed = [(0, 0), (1, -0.1), (3, -0.1), (4, 0), (3, 0.1), (1, 0.1)]
    assert M.eye_aspect_ratio(closed) == pytest.approx(0.05)


def test_contour_opening_is_measured_along_the_eye_line():
    t = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    ellipse = np.stack([10 * np.cos(t), 3 * np.sin(t)], axis=1)
    a = math.radians(25)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    turned = ellipse @ rot.T
    assert M.contour_opening(turned, a) == pytest.approx(0.3, abs=0.01)


def test_gaze_is_zero_at_the_corner_midpoint_and_signed_toward_the_subjects_left():
    a, b = np.array([100.0, 100.0]), np.array([130.0, 100.0])
    assert M.gaze(np.array([115.0, 100.0]), a, b, 10.0, 0.0, 0.0) == pytest.approx((0.0, 0.0))
    h, v = M.gaze(np.array([118.0, 98.0]), a, b, 10.0, 0.0, 0.0)
    assert h == pytest.approx(0.1) and v == pytest.approx(0.2)  # image right and up
    # head turned 30 deg toward the subject's left, eyes back on the lens: the iris sits
    # EYE_DEPTH_RATIO * sin(30) of the eye width toward image left, which compensation cancels
    shift = M.EYE_DEPTH_RATIO * 30 * 0.5
    assert M.gaze(np.array([115.0 - shift, 100.0]), a, b, 10.0, 30.0, 0.0)[0] == pytest.approx(0.0, abs=1e-9)
