"""The numpy learners behind the vision's small models (booth/vision/learned.py) and the
shipped weights' agreement with the code's features. No shared data needed."""

from __future__ import annotations

import numpy as np
import pytest

from booth.vision import measures as M
from booth.vision.learned import (LinearModel, balanced_accuracy, cross_validate, fit_logistic, fit_ridge, kfold,
                                  load_model)


def test_logistic_regression_finds_the_boundary_of_a_noisy_two_class_problem():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(600, 3)) * [1.0, 5.0, 0.1]
    y = (x[:, 0] + 0.2 * x[:, 1] + rng.normal(scale=0.3, size=600) > 0.5).astype(float)
    m = fit_logistic(x, y, ("a", "b", "c"), l2=0.1)
    p = m.predict(x)
    assert balanced_accuracy(y, p) > 0.9
    # the learned direction is the true one (weights on the standardised scale)
    w = m.coef * np.array([1.0, 1.0, 1.0]) / m.scale
    assert w[0] > 0 and w[1] > 0 and abs(w[1] / w[0] - 0.2) < 0.08


def test_ridge_recovers_a_linear_relation_and_round_trips_through_json(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(400, 4))
    y = 3.0 * x[:, 0] - 2.0 * x[:, 2] + 7.0 + rng.normal(scale=0.01, size=400)
    m = fit_ridge(x, y, tuple("abcd"), l2=1e-6)
    assert np.abs(m.predict(x) - y).max() < 0.1
    m.save(tmp_path / "m.json")
    again = LinearModel.from_json(__import__("json").loads((tmp_path / "m.json").read_text()))
    assert np.allclose(again.predict(x[:5]), m.predict(x[:5]), atol=1e-6)


def test_folds_cover_every_sample_once_and_keep_groups_together():
    folds = kfold(103, 5, seed=0)
    assert sorted(np.concatenate(folds).tolist()) == list(range(103))
    groups = np.repeat(np.arange(8), 11)
    gf = kfold(len(groups), 8, seed=0, groups=groups)
    assert sorted(np.concatenate(gf).tolist()) == list(range(len(groups)))
    assert all(len(np.unique(groups[f])) == 1 for f in gf)


def test_cross_validation_predicts_each_sample_with_a_model_that_never_saw_it():
    # memorising labels cannot help out of fold: random labels score near chance
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 40))
    y = rng.integers(0, 2, 300).astype(float)
    p = cross_validate(lambda a, b: fit_logistic(a, b, tuple(map(str, range(40))), 0.01), x, y, kfold(300, 5))
    assert abs(balanced_accuracy(y, p) - 0.5) < 0.12


def test_the_shipped_weights_match_the_features_the_code_computes():
    assert load_model("smile_model").features == M.SMILE_FEATURES
    assert load_model("eye_model").features == M.EYE_FEATURES
    for axis in ("yaw", "pitch", "roll"):
        assert load_model(f"pose_model_{axis}").features == M.POSE_FEATURES
    M.learned_models()  # loads and checks without raising


def test_the_per_frame_path_gives_the_reference_features_figures():
    # LearnedModels.measure folds the features and weights for speed; it must agree with
    # the feature functions the training script uses
    rng = np.random.default_rng(4)
    models = M.learned_models()
    for _ in range(5):
        lm = rng.normal(size=(468, 3)) * 40 + [320, 240, 0]
        lm[[33, 133]] = [[280, 230, 0], [300, 231, 1]]
        lm[[362, 263]] = [[340, 229, 1], [360, 228, 0]]
        expr = rng.dirichlet(np.ones(7))
        openings, happy, angles, eye_roll = (0.31, 0.27), 0.4, (3.0, -2.0, 1.5), 1.2
        smile, closed, pose = models.measure(lm.astype(np.float32), expr, openings, happy, angles, eye_roll)
        f = M.face_frame(lm.astype(np.float32))
        assert smile == pytest.approx(models.smile_score(expr, f), abs=1e-9)
        assert closed == pytest.approx(models.eyes_closed_p(f, openings, happy), abs=1e-9)
        assert pose == pytest.approx(models.head_pose(lm.astype(np.float32), f, angles, eye_roll), abs=1e-6)


def test_the_mirror_map_is_the_canonical_face_s_own_symmetry():
    mirror = M.MESH_MIRROR
    assert sorted(mirror.tolist()) == list(range(468)) and (mirror[mirror] == np.arange(468)).all()
    # a few pairs anyone can check on the mesh chart: eye corners, mouth corners, nose tip
    assert (mirror[33], mirror[133], mirror[61], mirror[1]) == (263, 362, 291, 1)
    # the Procrustes basis is its own mirror image (same weights, x negated), so the fit's
    # yaw and roll change sign with a mirrored mesh and its pitch does not
    ids = M.POSE_IDS.tolist()
    for k, i in enumerate(ids):
        j = ids.index(int(mirror[i]))
        assert M.POSE_WEIGHTS[j] == M.POSE_WEIGHTS[k]
        assert M.POSE_POINTS[j] == pytest.approx(M.POSE_POINTS[k] * [-1, 1, 1])


def mirrored_pose(models, lm, width, iris_r, iris_l):
    """The learned (yaw, pitch, roll) of a mesh and of its mirror image."""
    out = []
    for mesh, (r, l_) in ((lm, (iris_r, iris_l)), (M.mirror_landmarks(lm, width),
                                                   ((width - iris_l[0], iris_l[1]), (width - iris_r[0], iris_r[1])))):
        angles = M.head_pose(mesh)
        out.append(models.measure(mesh, np.full(7, 1 / 7), (0.3, 0.3), 0.1, angles, M.eye_line_roll(r, l_))[2])
    return out


def test_the_learned_pose_of_a_mirrored_face_is_the_mirrored_pose():
    # by construction (odd features, no intercept: booth/vision/data/train.py
    # fit_mirror_ridge), not by approximation; pitch is a plain ridge and may move a little
    rng = np.random.default_rng(5)
    models = M.learned_models()
    for _ in range(5):
        lm = rng.normal(size=(468, 3)) * [30, 40, 20] + [320, 240, 0]
        lm[[33, 133, 362, 263]] = [[280, 230, 0], [300, 231, 1], [340, 229, 1], [360, 228, 0]]
        (yaw, pitch, roll), (m_yaw, m_pitch, m_roll) = mirrored_pose(models, lm, 640.0, (290, 230), (350, 229))
        assert abs(yaw) > 1.0  # a face that reads some yaw at all
        assert m_yaw == pytest.approx(-yaw, abs=1e-6)
        assert m_roll == pytest.approx(-roll, abs=1e-6)


def test_the_learned_pose_of_a_real_face_s_mirrored_mesh_is_exactly_mirrored():
    import cv2

    from booth.config import BoothConfig
    from booth.models import model_path
    from booth.vision.analyzer import FaceAnalyzer

    photo = cv2.imread(str(model_path("astronaut")))
    with FaceAnalyzer(BoothConfig()) as analyzer:
        f = analyzer.analyze_still(photo).face
    assert f is not None
    (yaw, _, roll), (m_yaw, _, m_roll) = mirrored_pose(M.learned_models(), f.landmarks.astype(np.float64),
                                                       float(photo.shape[1]), f.iris_right, f.iris_left)
    assert (m_yaw, m_roll) == pytest.approx((-yaw, -roll), abs=1e-6)


def test_a_per_feature_penalty_shrinks_only_the_features_it_names():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(500, 3))
    y = x[:, 0] + x[:, 1] + rng.normal(scale=0.1, size=500)
    m = fit_ridge(x, y, tuple("abc"), l2=np.array([1e-6, 1e6, 1e-6]))
    assert m.coef[0] == pytest.approx(1.0, abs=0.05) and abs(m.coef[1]) < 0.01
    yb = (y > 0).astype(float)
    lg = fit_logistic(x, yb, tuple("abc"), l2=np.array([0.1, 1e6, 0.1]))
    assert lg.coef[0] > 1.0 and abs(lg.coef[1]) < 0.01


def test_hog_puts_a_horizontal_edge_in_the_vertical_gradient_bin_and_lbp_sums_to_one_per_cell():
    from booth.vision import appearance as A

    img = np.zeros((24, 48), np.uint8)
    img[12:] = 200  # one horizontal edge: gradients point straight down (90 degrees)
    h = A.hog(img).reshape(-1, 4, 9)  # blocks, cells, bins
    assert h.shape == (2 * 5, 4, 9)
    mass = h.sum(axis=(0, 1))
    assert mass.argmax() == 4 and mass[4] > 0.99 * mass.sum()
    rng = np.random.default_rng(7)
    lbp = A.lbp_histograms(rng.integers(0, 255, (40, 72)).astype(np.uint8), (1, 2)).reshape(2, 59)
    assert np.allclose(lbp.sum(axis=1), 1.0)
    flat = A.lbp_histograms(np.full((40, 72), 90, np.uint8), (1, 2)).reshape(2, 59)
    assert (flat.max(axis=1) == 1.0).all()  # every pixel the same pattern (all neighbours >= centre)


def test_the_aligned_face_is_the_same_crop_when_the_photo_is_rotated(artifacts_dir):
    import cv2

    from booth.config import BoothConfig
    from booth.models import model_path
    from booth.vision import appearance as A
    from booth.vision.analyzer import FaceAnalyzer

    photo = cv2.imread(str(model_path("astronaut")))
    h, w = photo.shape[:2]
    turned = cv2.warpAffine(photo, cv2.getRotationMatrix2D((w / 2, h / 2), 20.0, 1.0), (w, h),
                            borderMode=cv2.BORDER_REPLICATE)
    crops = []
    with FaceAnalyzer(BoothConfig()) as analyzer:
        for image in (photo, turned):
            f = analyzer.analyze_still(image).face
            assert f is not None
            crops.append(A.aligned_grey(image, f.landmarks).astype(np.float64))
    cv2.imwrite(str(artifacts_dir / "vision_aligned_astronaut_upright_vs_turned.png"), np.hstack(crops).astype(np.uint8))
    a, b = (c[20:120, 20:108].ravel() - c[20:120, 20:108].mean() for c in crops)
    assert float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)) > 0.95
    assert A.mouth_features(crops[0].astype(np.uint8)).shape == (360 + 2 * 59,)
    assert A.face_hog(crops[0].astype(np.uint8)).shape == (324,)



def test_the_expression_model_reads_its_feature_map_as_a_second_output_without_changing_its_probabilities():
    # the pinned model file with one more subgraph output, patched in memory: the same
    # operators run, so the 7 probabilities are bit for bit those of the file as it is, and
    # the second output is the 4x4x128 tensor before the class layer
    import cv2

    from booth.models import model_path
    from booth.runtime import runtime
    from booth.vision.expression import FEATURE_TENSOR, ExpressionModel, pool_rows

    patched, plain = ExpressionModel(), ExpressionModel(1, feature_map=False)
    # the reference kernels with every tensor kept (the slow way the map was read before)
    interpreter_class = runtime().interpreter_class
    try:
        from ai_edge_litert.interpreter import OpResolverType

        reference = interpreter_class(model_path=str(model_path("emotion")), num_threads=1,
                                      experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
                                      experimental_preserve_all_tensors=True)
    except ImportError:  # tflite_runtime: XNNPACK stays on, intermediate tensors may not be kept
        reference = None
    if reference is not None:
        reference.allocate_tensors()
    photo = cv2.cvtColor(cv2.imread(str(model_path("astronaut"))), cv2.COLOR_BGR2GRAY)
    rng = np.random.default_rng(3)
    crops = [cv2.resize(photo, (64, 64), interpolation=cv2.INTER_AREA)]
    for _ in range(30):  # random squares of the photo, some small, some flipped, plus noise
        side = int(rng.integers(48, min(photo.shape)))
        y0, x0 = (int(rng.integers(0, d - side + 1)) for d in photo.shape)
        crop = cv2.resize(photo[y0:y0 + side, x0:x0 + side], (64, 64), interpolation=cv2.INTER_AREA)
        crops.append(crop[:, ::-1].copy() if rng.random() < 0.5 else crop)
    crops.append(rng.integers(0, 256, (64, 64)).astype(np.uint8))
    spread, worst = [], []
    for crop in crops:
        p = patched.classify_crop(crop)
        assert np.array_equal(p, plain.classify_crop(crop))
        fmap = patched.feature_map()
        assert fmap.shape == (4, 4, 128) and fmap.dtype == np.float32
        assert np.array_equal(patched.feature_rows(), pool_rows(fmap))
        assert np.allclose(pool_rows(fmap).reshape(4, 128), fmap.astype(np.float64).mean(axis=1))  # row by row
        spread.append(fmap.std())
        if reference is not None:
            reference.set_tensor(reference.get_input_details()[0]["index"], plain._input)
            reference.invoke()
            ref = reference.get_tensor(FEATURE_TENSOR)[0]
            # the reference kernels quantise activations against the int8 weights (XNNPACK
            # dequantises the weights): the same tensor up to that rounding
            rms = float(np.sqrt(((fmap - ref) ** 2).mean() / (ref ** 2).mean()))
            worst.append(rms)
            assert np.corrcoef(fmap.ravel(), ref.ravel())[0, 1] > 0.99 and rms < 0.1, "not the pre-classifier map"
    assert min(spread) > 0.0  # a real map on every crop, not a zero tensor
    print(f"feature map vs the reference kernels: relative RMS difference at most {max(worst, default=0.0):.4f}")


def test_a_tflite_model_gains_one_output_and_nothing_else_moves():
    import struct

    from booth.models import model_path
    from booth.vision.expression import with_extra_output

    raw = model_path("emotion").read_bytes()
    patched = with_extra_output(raw, 74)
    # only one 4-byte offset in the original bytes differs; the new vector is appended
    assert len(patched) == len(raw) + (-len(raw) % 4) + 4 + 2 * 4
    diff = [i for i in range(len(raw)) if raw[i] != patched[i]]
    assert len(diff) <= 4 and max(diff) - min(diff) < 4
    assert struct.unpack_from("<I2i", patched, len(patched) - 12) == (2, 77, 74)
    assert with_extra_output(patched, 5)[-16:] == struct.pack("<I3i", 3, 77, 74, 5)
    with pytest.raises(ValueError, match="not a TFLite model"):
        with_extra_output(b"\0" * 64, 1)


def test_a_logistic_fit_started_from_another_penalty_s_fit_is_the_same_fit():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(400, 30))
    y = (x[:, 0] - 0.5 * x[:, 1] + rng.normal(scale=1.0, size=400) > 0).astype(float)
    names = tuple(f"x{i}" for i in range(30))
    weak = fit_logistic(x, y, names, l2=0.3)
    cold, warm = fit_logistic(x, y, names, l2=30.0), fit_logistic(x, y, names, l2=30.0, start=weak)
    assert np.allclose(warm.coef, cold.coef, atol=1e-7) and warm.intercept == pytest.approx(cold.intercept, abs=1e-7)
    assert not np.allclose(weak.coef, cold.coef, atol=1e-3)  # the start was somewhere else
