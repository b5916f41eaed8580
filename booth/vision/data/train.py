"""Train the vision's small learned models on the development set and report their
cross-validated figures::

    python -m booth.vision.data.train [--data ../shared/data] [--cv-only]

Writes ``smile_model.json``, ``eye_model.json`` and ``pose_model.json`` beside this file
(booth/vision/learned.py evaluates them in numpy at run time). Every figure it prints is
out-of-fold: each sample is predicted by a model that never saw it (5 folds on GENKI-4K;
Yale by subject, 8 folds, so a subject's own other photos never help it). The same
functions are called by tests/vision/test_datasets.py, which recomputes the figures.

The inputs are the analyzer's own outputs on each photo (mesh landmarks, expression
probabilities, eyelid-contour openings), and none of them depends on a learned model, so
the models can be retrained with the current weights loaded.

- smile: logistic regression on the expression model's log-probabilities and mouth/cheek
  geometry (:func:`booth.vision.measures.smile_features`), GENKI-4K smile labels.
- eyes: logistic regression per eye on the contour and mesh openings, both eyes' mean
  contour opening and P(happy) (:func:`booth.vision.measures.eye_features`); Yale
  ``sleepy`` eyes are "closed", every other condition but ``wink`` "open" (which eye of a
  wink is shut is not labelled: winks are reported, not trained on).
- pose: ridge regression per axis of the label minus the base angle (Procrustes yaw and
  pitch, the iris line's roll), on the Procrustes angles, the iris line's roll and the
  face-frame 3D positions of :data:`POSE_KEY_POINTS`, GENKI-4K pose labels (all faces; the
  figures are reported on |angle| <= 30). Yaw and roll read only the combinations of those
  that change sign with a mirrored face and have no intercept (:func:`fit_mirror_ridge`), so
  a mirrored face reads the opposite yaw and roll, exactly.

``appearance_smile_cv`` / ``appearance_pitch_cv`` measure appearance features
(booth/vision/appearance.py: ``block="mouth"`` / ``"face"``; the expression model's own
feature map: ``block="fer"``) as extra inputs by nested CV; they add nothing out of fold
beyond fold noise and are not shipped (booth/vision/README.md "Appearance features").
``pose_label_ceiling`` and ``smile_label_agreement`` put a number on the labels' own noise
(three measurements of each face; pitch is capped near r 0.74 by its labels, the smile is not).
"""

from __future__ import annotations

import argparse
import functools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import measures as M
from ..learned import DATA_DIR, LinearModel, balanced_accuracy, cross_validate, fit_logistic, fit_ridge, kfold

if TYPE_CHECKING:
    from ..evaluate import GenkiResult

SMILE_L2 = 1.0
EYE_L2 = 1.0
POSE_L2 = 3.0
FOLDS = 5
SEED = 0

POSE_KEY_POINTS, POSE_FEATURES, pose_features = M.POSE_KEY_POINTS, M.POSE_FEATURES, M.pose_features


# ------------------------------------------------------------------------------ design matrices


@dataclass
class Samples:
    smile_x: np.ndarray
    smile_y: np.ndarray
    pose_x: np.ndarray
    pose_angles: np.ndarray  # Procrustes (yaw, pitch, roll) with the default pitch offset
    pose_y: np.ndarray  # labels (yaw, pitch, roll) degrees
    genki_missed: int  # GENKI photos with no face (count as wrong in the whole-set smile figure)
    genki_smile_all: np.ndarray  # smile labels of every GENKI photo, found or not
    eye_x: np.ndarray  # (n_images, 2, 4)
    eye_condition: np.ndarray
    eye_subject: np.ndarray
    #: appearance features of each found GENKI face (booth/vision/appearance.py; measured,
    #: not shipped): mouth HOG + LBP for the smile, the aligned face's HOG for pitch
    smile_appearance: np.ndarray | None = None
    pitch_appearance: np.ndarray | None = None
    #: the expression model's last feature map of each found GENKI face, pooled over each
    #: of its 4 rows (512; booth/vision/expression.py ExpressionModel: read free, as a
    #: second model output): measured as an extra input of the smile and of pitch, not shipped
    fer_rows: np.ndarray | None = None


def genki_samples(rows: list[dict[str, Any]]) -> tuple[np.ndarray, ...]:
    """From evaluate.evaluate_genki's rows (found faces: landmarks, expression, raw_pose)."""
    sx, sy, px, pa, py = [], [], [], [], []
    for r in rows:
        f = M.face_frame(r["landmarks"])
        sx.append(M.smile_features(r["expression_p"], f))
        sy.append(r["label_smile"])
        pa.append(r["raw_pose"])
        px.append(pose_features(r["landmarks"], r["raw_pose"], r["eye_roll"], f))
        py.append((r["label_yaw"], r["label_pitch"], r["label_roll"]))
    return np.array(sx), np.array(sy, float), np.array(px), np.array(pa), np.array(py)


def yale_samples(yale: dict[str, dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """From evaluate.evaluate_yale's result (every image is found)."""
    x, cond, subj = [], [], []
    for name, r in yale.items():
        if not r["found"]:
            continue
        f = M.face_frame(r["landmarks"])
        x.append(M.eye_features(f, (r["ear_right"], r["ear_left"]), r["happy"]))
        cond.append(r["condition"])
        subj.append(name.split("_")[0])
    return np.array(x), np.array(cond), np.array(subj)


# ------------------------------------------------------------------------------ trainers


def fit_smile(x: np.ndarray, y: np.ndarray) -> LinearModel:
    return fit_logistic(x, y, M.SMILE_FEATURES, SMILE_L2)


def eye_training_set(x: np.ndarray, cond: np.ndarray, subj: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    use = cond != "wink"
    xe = x[use].reshape(-1, x.shape[-1])
    ye = np.repeat((cond[use] == "sleepy").astype(float), 2)
    return xe, ye, np.repeat(subj[use], 2), use


def fit_eyes(x: np.ndarray, y: np.ndarray) -> LinearModel:
    return fit_logistic(x, y, M.EYE_FEATURES, EYE_L2)


class PoseModel:
    """Three ridge models (yaw, pitch, roll residuals) sharing the same inputs."""

    def __init__(self, models: tuple[LinearModel, LinearModel, LinearModel]) -> None:
        self.models = models

    def predict(self, x: np.ndarray) -> np.ndarray:
        x = np.atleast_2d(x)
        return np.asarray(M.pose_base(x) + np.stack([m.predict(x) for m in self.models], axis=1))


def fit_mirror_ridge(x: np.ndarray, t: np.ndarray, odd: bool, l2: float = POSE_L2) -> LinearModel:
    """Ridge on the mirror-odd or mirror-even combinations of the pose features
    (:data:`booth.vision.measures.POSE_ODD_BASIS` / ``POSE_EVEN_BASIS``). The odd model has
    no intercept and scales its inputs by their root mean square: the same model as ridge on
    the set plus every face mirrored (odd features and labels negated, so their means are 0
    and their spread is the RMS). Written back over :data:`POSE_FEATURES` (mean 0, scale 1),
    so the run-time path is unchanged and a mirrored face reads the opposite yaw and roll and
    the same pitch, by construction."""
    basis = M.POSE_ODD_BASIS if odd else M.POSE_EVEN_BASIS
    o = np.asarray(x, np.float64) @ basis.T
    t = np.asarray(t, np.float64)
    if odd:
        mean, spread, t_mean = np.zeros(o.shape[1]), np.sqrt((o ** 2).mean(axis=0)), 0.0
    else:
        mean, spread, t_mean = o.mean(axis=0), o.std(axis=0), float(t.mean())
    spread[spread < 1e-9] = 1.0
    z = (o - mean) / spread
    w = np.linalg.solve(z.T @ z + l2 * np.eye(z.shape[1]), z.T @ (t - t_mean))
    n = len(POSE_FEATURES)
    return LinearModel("ridge", POSE_FEATURES, np.zeros(n), np.ones(n), basis.T @ (w / spread),
                       t_mean - float((mean / spread) @ w),
                       {"mirror": "odd" if odd else "even",
                        "mirror_features": list(M.POSE_ODD_FEATURES if odd else M.POSE_EVEN_FEATURES)})


def fit_pose(x: np.ndarray, y: np.ndarray) -> PoseModel:
    """Yaw and roll odd in the mirrored face (:func:`fit_mirror_ridge`); pitch ridge on every
    pose feature. (An even pitch model, ``fit_mirror_ridge(odd=False)``, scores the same out
    of fold, MAE 3.57 vs 3.59, r 0.723 both, but reads the lfi_24 sitter ~0.5 deg more
    chin-up, and that clip's capture sits on the 5-deg gate: booth/vision/README.md.)"""
    base = M.pose_base(x)
    yaw, roll = (fit_mirror_ridge(x, y[:, k] - base[:, k], odd=True) for k in (0, 2))
    pitch = fit_ridge(x, y[:, 1] - base[:, 1], POSE_FEATURES, POSE_L2)
    return PoseModel((yaw, pitch, roll))


# ------------------------------------------------------------------------------ cross-validated figures


def smile_cv(s: Samples) -> dict[str, Any]:
    p = cross_validate(fit_smile, s.smile_x, s.smile_y, kfold(len(s.smile_x), FOLDS, SEED))
    pos = s.genki_smile_all == 1
    # whole set: a photo with no face counts as wrong (as evaluate's smile figure does)
    tp = int(((p >= 0.5) & (s.smile_y == 1)).sum())
    tn = int(((p < 0.5) & (s.smile_y == 0)).sum())
    whole = 0.5 * (tp / pos.sum() + tn / (~pos).sum())
    fer = balanced_accuracy(s.smile_y, np.exp(s.smile_x[:, M.SMILE_FEATURES.index("logp_happy")]))
    return {"cv_balanced_accuracy_found": balanced_accuracy(s.smile_y, p), "cv_balanced_accuracy_whole_set": whole,
            "fer_alone_balanced_accuracy_found": fer, "n_found": len(p), "n_missed": s.genki_missed}


#: the thresholds a smile gate may choose from (P(smile) >= t decides "smiling")
GATE_GRID = tuple(round(0.05 * k, 2) for k in range(1, 20))


def best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The threshold of :data:`GATE_GRID` with the highest balanced accuracy (ties: the
    one nearest 0.5)."""
    scores = [(balanced_accuracy(y, p, t), -abs(t - 0.5), t) for t in GATE_GRID]
    return max(scores)[2]


def smile_gate_cv(s: Samples) -> dict[str, float]:
    """The "smiling" gate's threshold chosen by nested cross-validation: in each outer fold
    the threshold is picked on the training folds' own out-of-fold predictions (an inner
    5-fold CV), then applied to the held-out fold, so neither the model nor the threshold
    has seen the photos it is scored on. Also the expression model alone at the gate's
    former threshold (``expression.happy_professional`` 0.40) and the threshold chosen on
    the whole set's out-of-fold predictions (the one to ship)."""
    x, y = s.smile_x, s.smile_y
    outer = kfold(len(x), FOLDS, SEED)
    decided = np.zeros(len(x), bool)
    chosen = []
    for test in outer:
        train = np.setdiff1d(np.arange(len(x)), test)
        inner = cross_validate(fit_smile, x[train], y[train], kfold(len(train), FOLDS, SEED + 1))
        t = best_threshold(y[train], inner)
        chosen.append(t)
        decided[test] = fit_smile(x[train], y[train]).predict(x[test]) >= t
    oof = cross_validate(fit_smile, x, y, outer)
    fer = np.exp(x[:, M.SMILE_FEATURES.index("logp_happy")])
    return {"nested_cv_balanced_accuracy": balanced_accuracy(y, decided.astype(float)),
            "fold_thresholds_min": float(min(chosen)), "fold_thresholds_max": float(max(chosen)),
            "threshold": best_threshold(y, oof), "fer_at_0.40": balanced_accuracy(y, fer, 0.40),
            "learned_at_0.40": balanced_accuracy(y, oof, 0.40)}


def eye_cv(s: Samples) -> dict[str, Any]:
    xe, ye, ge, use = eye_training_set(s.eye_x, s.eye_condition, s.eye_subject)
    p = cross_validate(fit_eyes, xe, ye, kfold(len(xe), 8, SEED, groups=ge)).reshape(-1, 2)
    cond = s.eye_condition[use]
    closed = p.max(axis=1) >= 0.5
    sleepy = cond == "sleepy"
    # winks, by a model trained on every subject but the wink's own
    wink = s.eye_condition == "wink"
    pw = np.full((wink.sum(), 2), np.nan)
    wsub = s.eye_subject[wink]
    for subj in np.unique(wsub):
        train = ge != subj
        m = fit_eyes(xe[train], ye[train])
        pw[wsub == subj] = m.predict(s.eye_x[wink][wsub == subj].reshape(-1, 4)).reshape(-1, 2)
    return {"cv_sleepy_flagged": int(closed[sleepy].sum()), "n_sleepy": int(sleepy.sum()),
            "cv_open_flagged": int(closed[~sleepy].sum()), "n_open": int((~sleepy).sum()),
            "cv_max_p_open": float(p[~sleepy].max()), "cv_min_p_sleepy": float(p[sleepy].max(axis=1).min()),
            "cv_wink_flagged": int((pw.max(axis=1) >= 0.5).sum()), "n_wink": int(wink.sum())}


def pose_cv(s: Samples, limit: float = 30.0) -> dict[str, Any]:
    folds = kfold(len(s.pose_x), FOLDS, SEED)
    pred = np.full((len(s.pose_x), 3), np.nan)
    for test in folds:
        train = np.setdiff1d(np.arange(len(s.pose_x)), test)
        pred[test] = fit_pose(s.pose_x[train], s.pose_y[train]).predict(s.pose_x[test])
    sel = np.abs(s.pose_y).max(axis=1) <= limit
    out: dict[str, float] = {"n": int(sel.sum())}
    for k, axis in enumerate(("yaw", "pitch", "roll")):
        for name, est in (("cv", pred), ("procrustes", s.pose_angles)):
            err = est[sel, k] - s.pose_y[sel, k]
            out[f"{name}_{axis}_mae"] = float(np.abs(err).mean())
            out[f"{name}_{axis}_r"] = float(np.corrcoef(est[sel, k], s.pose_y[sel, k])[0, 1])
            out[f"{name}_{axis}_p95"] = float(np.percentile(np.abs(err), 95))
    # how well each pitch estimate separates level faces from pitched ones, at a gate
    lab = s.pose_y[sel, 1]
    for name, est in (("cv", pred[sel, 1]), ("procrustes", s.pose_angles[sel, 1])):
        for gate in (5.0, 8.0):
            out[f"{name}_level_refused_at_{gate:g}"] = float((np.abs(est[np.abs(lab) <= 3]) > gate).mean())
            out[f"{name}_pitched_refused_at_{gate:g}"] = float((np.abs(est[np.abs(lab) >= 15]) > gate).mean())
    return out


# ------------------------------------------------------------------------------ appearance (measured, not shipped)

#: penalties tried on the appearance block (the landmark/expression inputs keep the shipped
#: model's own); each outer fold picks one by an inner 3-fold CV on its training faces only
APPEARANCE_SMILE_L2 = (300.0, 1000.0, 3000.0)
APPEARANCE_PITCH_L2 = (300.0, 1000.0, 3000.0, 10000.0)
APPEARANCE_SEEDS = (0, 1, 2)
INNER_FOLDS = 3


def _with_block(x: np.ndarray, extra: np.ndarray, l2_base: float, l2_extra: float) -> tuple[np.ndarray, np.ndarray]:
    return np.hstack([x, extra]), np.r_[np.full(x.shape[1], l2_base), np.full(extra.shape[1], l2_extra)]


def _smile_fit(x: np.ndarray, y: np.ndarray, l2: float | np.ndarray) -> LinearModel:
    return fit_logistic(x, y, tuple(f"x{i}" for i in range(x.shape[1])), l2)


def _pitch_fit(x: np.ndarray, t: np.ndarray, l2: float | np.ndarray) -> LinearModel:
    return fit_ridge(x, t, tuple(f"x{i}" for i in range(x.shape[1])), l2)


def _inner_smile_l2(x: np.ndarray, a: np.ndarray, y: np.ndarray, seed: int) -> float:
    """The appearance penalty with the best inner-CV balanced accuracy on one outer
    training set (the outer fold's own faces never take part)."""
    xa = np.hstack([x, a])
    names = tuple(f"x{i}" for i in range(xa.shape[1]))
    predicted = np.full((len(APPEARANCE_SMILE_L2), len(x)), np.nan)
    for test in kfold(len(x), INNER_FOLDS, seed):
        train = np.setdiff1d(np.arange(len(x)), test)
        previous = None
        for k, l2a in enumerate(APPEARANCE_SMILE_L2):
            # each penalty's fit starts from the last one's on the same faces: the same
            # fits as from zero, in about half the Newton steps
            pen = _with_block(x, a, SMILE_L2, l2a)[1]
            previous = fit_logistic(xa[train], y[train], names, pen, start=previous)
            predicted[k, test] = previous.predict(xa[test])
    scores = [balanced_accuracy(y, p) for p in predicted]
    return APPEARANCE_SMILE_L2[int(np.argmax(scores))]


def _inner_pitch_l2(x: np.ndarray, a: np.ndarray, t: np.ndarray, seed: int) -> float:
    """The appearance penalty with the lowest inner-CV mean absolute pitch error."""
    inner = kfold(len(x), INNER_FOLDS, seed)
    errors = []
    for l2a in APPEARANCE_PITCH_L2:
        xa, pen = _with_block(x, a, POSE_L2, l2a)
        errors.append(float(np.abs(cross_validate(functools.partial(_pitch_fit, l2=pen), xa, t, inner) - t).mean()))
    return APPEARANCE_PITCH_L2[int(np.argmin(errors))]


def _block(s: Samples, block: str) -> np.ndarray:
    """The extra inputs ``block`` names: "mouth" (HOG + LBP of the mouth), "face" (HOG of
    the aligned face), "fer" (the expression model's row-pooled feature map)."""
    a = {"mouth": s.smile_appearance, "face": s.pitch_appearance, "fer": s.fer_rows}[block]
    if a is None:
        raise ValueError(f"no {block!r} features: build the samples from evaluate_genki's rows")
    return a


def appearance_smile_cv(s: Samples, seed: int = SEED, block: str = "mouth") -> dict[str, Any]:
    """Balanced accuracy (P >= 0.5) out of fold of the smile model with the ``block``
    inputs added (:func:`_block`: by default the mouth's HOG + LBP), the block's penalty
    chosen by nested CV (:data:`INNER_FOLDS` inner folds), against the shipped model's
    inputs alone on the same folds; per outer fold too."""
    x, a, y = s.smile_x, _block(s, block), s.smile_y
    out = np.full(len(x), np.nan)
    base = cross_validate(fit_smile, x, y, kfold(len(x), FOLDS, seed))
    chosen, per_fold, per_fold_base = [], [], []
    for test in kfold(len(x), FOLDS, seed):
        train = np.setdiff1d(np.arange(len(x)), test)
        best = _inner_smile_l2(x[train], a[train], y[train], seed + 1)
        chosen.append(best)
        xa, pen = _with_block(x, a, SMILE_L2, best)
        out[test] = _smile_fit(xa[train], y[train], pen).predict(xa[test])
        per_fold.append(balanced_accuracy(y[test], out[test]))
        per_fold_base.append(balanced_accuracy(y[test], base[test]))
    return {"seed": seed, "with_appearance": balanced_accuracy(y, out), "shipped_inputs": balanced_accuracy(y, base),
            "folds_with_appearance": per_fold, "folds_shipped_inputs": per_fold_base, "chosen_l2": chosen,
            "n_appearance": a.shape[1]}


def _pitch_figures(est: np.ndarray, label: np.ndarray) -> tuple[float, float, float]:
    err = np.abs(est - label)
    return float(np.corrcoef(est, label)[0, 1]), float(err.mean()), float(np.percentile(err, 95))


def appearance_pitch_cv(s: Samples, seed: int = SEED, limit: float = 30.0, block: str = "face") -> dict[str, Any]:
    """Pitch r, MAE and p95 (|angle| <= ``limit``) out of fold of the pitch ridge with the
    ``block`` inputs added (:func:`_block`: by default the aligned face's HOG; penalty by
    nested CV on the inner folds' mean absolute error), against the shipped pitch model's
    inputs alone on the same folds."""
    x, a = s.pose_x, _block(s, block)
    base_angle = M.pose_base(x)[:, 1]
    t = s.pose_y[:, 1] - base_angle
    sel = np.abs(s.pose_y).max(axis=1) <= limit
    out = np.full(len(x), np.nan)
    shipped = np.full(len(x), np.nan)
    chosen = []
    folds = kfold(len(x), FOLDS, seed)
    for test in folds:
        train = np.setdiff1d(np.arange(len(x)), test)
        best = _inner_pitch_l2(x[train], a[train], t[train], seed + 1)
        chosen.append(best)
        xa, pen = _with_block(x, a, POSE_L2, best)
        out[test] = _pitch_fit(xa[train], t[train], pen).predict(xa[test])
        shipped[test] = _pitch_fit(x[train], t[train], POSE_L2).predict(x[test])
    label = s.pose_y[:, 1]
    r, mae, p95 = _pitch_figures((base_angle + out)[sel], label[sel])
    r0, mae0, p950 = _pitch_figures((base_angle + shipped)[sel], label[sel])
    fold_r = [_pitch_figures((base_angle + out)[f][sel[f]], label[f][sel[f]])[0] for f in folds]
    fold_r0 = [_pitch_figures((base_angle + shipped)[f][sel[f]], label[f][sel[f]])[0] for f in folds]
    return {"seed": seed, "r": r, "mae": mae, "p95": p95, "shipped_r": r0, "shipped_mae": mae0, "shipped_p95": p950,
            "folds_r": fold_r, "folds_shipped_r": fold_r0, "chosen_l2": chosen, "n_appearance": a.shape[1]}


#: the ridge penalty of the pixel-only pose estimator of :func:`pose_label_ceiling` (its
#: figure moves by at most 0.02 in r over 100-10000 and the two pixel blocks: README)
CEILING_PIXEL_L2 = 1000.0


def pose_label_ceiling(s: Samples, block: str = "fer", seed: int = SEED, limit: float = 30.0) -> dict[str, Any]:
    """How well *any* estimator could correlate with GENKI's pose labels, from three
    measurements of each face's angle (the "triad" method of reliability): the label L,
    the booth's learned estimate A (out of fold) and an estimate B from pixels only (ridge
    on the ``block`` features, out of fold, no landmark input). If A = a T + e_A,
    B = b T + e_B and L = T + e_L with the three errors independent of each other and of
    the true angle T, then var T = cov(A, L) cov(B, L) / cov(A, B), so the labels' own
    noise is sd(e_L) = sqrt(var L - var T) and the best correlation any estimator with
    errors independent of the labels' can reach is r_max = sqrt(var T / var L). Scale
    factors a, b (a regression's shrinkage) cancel. Errors A and B share (the same face
    misread by both) inflate cov(A, B) and *lower* r_max, so it is conservative in that
    direction; label errors that follow the face's looks (a labeller misled as the mesh is)
    would raise it. Per axis, |angle| <= ``limit``; also with the untrained Procrustes
    angle as A."""
    x = s.pose_x
    folds = kfold(len(x), FOLDS, seed)
    learned = np.full((len(x), 3), np.nan)
    for test in folds:
        train = np.setdiff1d(np.arange(len(x)), test)
        learned[test] = fit_pose(x[train], s.pose_y[train]).predict(x[test])
    pixels = _block(s, block)
    sel = np.abs(s.pose_y).max(axis=1) <= limit
    out: dict[str, Any] = {"n": int(sel.sum()), "block": block}
    for k, axis in enumerate(("yaw", "pitch", "roll")):
        label = s.pose_y[:, k]
        b = cross_validate(functools.partial(_pitch_fit, l2=CEILING_PIXEL_L2), pixels, label, folds)
        for name, a in (("learned", learned[:, k]), ("procrustes", s.pose_angles[:, k])):
            c = np.cov(np.vstack([a[sel], b[sel], label[sel]]))
            var_true = float(c[0, 2] * c[1, 2] / c[0, 1])
            out[f"{axis}_{name}_ceiling_r"] = float(np.sqrt(max(var_true, 0.0) / c[2, 2]))
            out[f"{axis}_{name}_label_noise_sd"] = float(np.sqrt(max(c[2, 2] - var_true, 0.0)))
            out[f"{axis}_{name}_r"] = float(np.corrcoef(a[sel], label[sel])[0, 1])
        out[f"{axis}_pixels_r"] = float(np.corrcoef(b[sel], label[sel])[0, 1])
    return out


def smile_label_agreement(s: Samples, seed: int = SEED, iterations: int = 2000) -> dict[str, float]:
    """How often GENKI's smile labels are right, from three binary judges of each face: the
    label, a logistic model on the mesh's mouth/cheek geometry alone (out of fold) and the
    expression model's P(happy) >= 0.5 (never trained here). A latent-class model (Dawid and
    Skene's: each judge has its own sensitivity and specificity against an unseen true
    class, the judges independent given it; three binary judges identify its 7 parameters)
    fitted by EM gives the labels' balanced accuracy against that truth: about the best a
    perfect classifier could score against these labels. Errors the two face judges share
    (an ambiguous half smile misread by both) count as label errors here, so the figure
    errs low."""
    x, label = s.smile_x, s.smile_y.astype(int)
    n_expr = sum(1 for name in M.SMILE_FEATURES if name.startswith("logp_"))
    geometry = x[:, n_expr:]
    names = tuple(M.SMILE_FEATURES[n_expr:])
    geo = cross_validate(lambda a, b: fit_logistic(a, b, names, SMILE_L2), geometry, label, kfold(len(x), FOLDS, seed))
    fer = np.exp(x[:, M.SMILE_FEATURES.index("logp_happy")])
    judges = np.stack([label, geo >= 0.5, fer >= 0.5], axis=1).astype(float)
    prior, sens, spec = 0.5, np.full(3, 0.9), np.full(3, 0.9)
    for _ in range(iterations):
        on = prior * np.prod(np.where(judges == 1, sens, 1 - sens), axis=1)
        off = (1 - prior) * np.prod(np.where(judges == 0, spec, 1 - spec), axis=1)
        q = on / (on + off)  # P(truly smiling | the three judgements)
        prior = float(q.mean())
        sens = (q[:, None] * judges).sum(axis=0) / q.sum()
        spec = ((1 - q)[:, None] * (1 - judges)).sum(axis=0) / (1 - q).sum()
    return {"label_balanced_accuracy": float(0.5 * (sens[0] + spec[0])), "label_sensitivity": float(sens[0]),
            "label_specificity": float(spec[0]), "smiling_share": prior,
            "geometry_vs_labels": balanced_accuracy(label, geo), "fer_vs_labels": balanced_accuracy(label, fer),
            "geometry_vs_truth": float(0.5 * (sens[1] + spec[1])), "fer_vs_truth": float(0.5 * (sens[2] + spec[2]))}


def smile_seed_spread(s: Samples, seeds: tuple[int, ...] = APPEARANCE_SEEDS) -> dict[int, dict[str, Any]]:
    """The shipped smile model's 5-fold CV figure under other fold shuffles, with its
    per-fold spread."""
    out = {}
    for seed in seeds:
        folds = kfold(len(s.smile_x), FOLDS, seed)
        p = cross_validate(fit_smile, s.smile_x, s.smile_y, folds)
        out[seed] = {"pooled": balanced_accuracy(s.smile_y, p),
                     "folds": [balanced_accuracy(s.smile_y[f], p[f]) for f in folds]}
    return out


# ------------------------------------------------------------------------------ CLI


def collect(data: Path) -> Samples:
    from ...config import BoothConfig
    from ..analyzer import FaceAnalyzer
    from ..evaluate import evaluate_genki, evaluate_yale

    from dataclasses import replace

    cfg = BoothConfig()
    # the models' inputs do not depend on the learned models: train without them
    cfg = replace(cfg, vision=replace(cfg.vision, learned_smile=False, learned_eyes=False, learned_pose=False))
    with FaceAnalyzer(cfg) as analyzer:
        g = evaluate_genki(data, analyzer)
        y = evaluate_yale(data, analyzer)
    return samples_from(g, y)


def samples_from(g: GenkiResult, y: dict[str, dict[str, Any]]) -> Samples:
    sx, sy, px, pa, py = genki_samples(g.rows)
    ex, ec, es = yale_samples(y)
    sa = pa_ = fr = None
    if g.rows and all("aligned" in r for r in g.rows):
        from .. import appearance as A

        sa = np.array([A.mouth_features(r["aligned"]) for r in g.rows])
        pa_ = np.array([A.face_hog(r["aligned"]) for r in g.rows])
    if g.rows and all("fer_map" in r for r in g.rows):
        from ..expression import pool_rows

        fr = np.array([pool_rows(r["fer_map"]) for r in g.rows])
    return Samples(sx, sy, px, pa, py, len(g.missed), np.array([r["label_smile"] for r in g.all_rows]), ex, ec, es,
                   sa, pa_, fr)


def train_all(s: Samples) -> dict[str, LinearModel]:
    meta = {"trained_on": "../shared/data development set", "script": "python -m booth.vision.data.train"}
    smile = fit_smile(s.smile_x, s.smile_y)
    xe, ye, _, _ = eye_training_set(s.eye_x, s.eye_condition, s.eye_subject)
    eyes = fit_eyes(xe, ye)
    pose = fit_pose(s.pose_x, s.pose_y)
    out = {"smile_model": LinearModel(smile.kind, smile.features, smile.mean, smile.scale, smile.coef,
                                      smile.intercept, {**meta, "l2": SMILE_L2, "labels": "GENKI-4K smile"}),
           "eye_model": LinearModel(eyes.kind, eyes.features, eyes.mean, eyes.scale, eyes.coef, eyes.intercept,
                                    {**meta, "l2": EYE_L2, "labels": "Yale sleepy = closed, other non-wink = open",
                                     "output": "P(eye closed), per eye"})}
    for axis, m in zip(("yaw", "pitch", "roll"), pose.models):
        out[f"pose_model_{axis}"] = LinearModel(m.kind, m.features, m.mean, m.scale, m.coef, m.intercept,
                                                {**m.meta, **meta, "l2": POSE_L2, "labels": f"GENKI-4K {axis} (deg)",
                                                 "output": f"{axis} label minus the " + ("iris-line roll" if axis == "roll" else f"Procrustes {axis}") + " (deg)"})
    return out


def main(argv: list[str] | None = None) -> int:
    from ..evaluate import DEFAULT_DATA

    ap = argparse.ArgumentParser(prog="python -m booth.vision.data.train", description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--cv-only", action="store_true", help="print the cross-validated figures, write nothing")
    args = ap.parse_args(argv)
    if not (args.data / "README.md").exists():
        print(f"no shared data at {args.data}: pass --data PATH", file=sys.stderr)
        return 2
    s = collect(args.data)
    for name, figures in (("smile", smile_cv(s)), ("eyes", eye_cv(s)), ("pose", pose_cv(s))):
        print(name + ": " + ", ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items()))
    if not args.cv_only:
        for name, model in train_all(s).items():
            model.save(DATA_DIR / f"{name}.json")
            print(f"wrote {DATA_DIR / (name + '.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
