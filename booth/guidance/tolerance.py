"""How far a measure may differ between platforms, and which one-shot decisions sit that close.

The same photo measured on x86 and on a Pi's aarch64 (same library versions) gives slightly
different numbers: XNNPACK picks other kernels, float sums run in another order. Measured with
``scripts/pi-check.sh`` (30 GENKI and 21 Yale photos, emulated Cortex-A76, the same library
versions): pose within 0.08 deg, eye opening within 0.0023, gaze within 0.0098, FER probabilities
within 0.0162, IED within 0.17 px. ``PLATFORM_TOLERANCE`` states bounds over those figures; the
pi-check fails when a measure exceeds its bound.

Live, the coach's hysteresis absorbs such differences: a check must clear its band by a margin
and hold. A one-shot decision (``booth analyze``'s ``ready``) has no hysteresis, so
:func:`checks_near_threshold` says which checks would flip if any measure moved by its platform
tolerance: those verdicts are knife-edge and are reported as such, not silently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from ..types import Assessment, FaceObservation

# Measure (FaceMeasures field) -> largest difference accepted between two platforms, in the
# field's own unit. ``expression.<class>`` entries are FER probabilities.
PLATFORM_TOLERANCE: Mapping[str, float] = {
    "yaw": 0.25, "pitch": 0.25, "roll": 0.25,  # degrees
    "ear_left": 0.005, "ear_right": 0.005,  # eye opening (contour height / width)
    "gaze_h": 0.01, "gaze_v": 0.01,  # fraction of eye width / height
    "mouth_gap": 0.005, "mouth_width": 0.01,  # / T, / IED
    "smile": 0.02,
    "expression.happy": 0.02, "expression.neutral": 0.02, "expression.sad": 0.02,
    "expression.surprise": 0.02, "expression.angry": 0.02, "expression.fear": 0.02,
    "expression.disgust": 0.02,
    "exposure": 0.002, "clipped": 0.002,  # linear Y 0..1, fraction of face pixels
    "light_balance_ev": 0.03,  # EV
    "cast_a": 0.3, "cast_b": 0.3,  # CIELAB
    "ied_px": 0.2,  # analysis pixels
}
# Measures whose difference is judged relative to their size (a Laplacian variance or a mean
# gradient scales with the image's contrast): accepted within this fraction.
PLATFORM_RELATIVE_TOLERANCE: Mapping[str, float] = {"sharpness": 0.03, "background": 0.03}

# The scalar measures a check reads, perturbed by their tolerance to find knife-edge verdicts.
_PERTURBED = ("yaw", "pitch", "roll", "ear_left", "ear_right", "gaze_h", "gaze_v", "mouth_gap",
              "mouth_width", "smile", "exposure", "clipped", "light_balance_ev", "cast_a", "cast_b")


def checks_near_threshold(obs: FaceObservation, assess: Callable[[FaceObservation], Assessment],
                          base: Assessment | None = None) -> list[str]:
    """Names of checks whose verdict flips when one measure moves by its platform tolerance.

    ``assess`` judges one observation (e.g. ``lambda o: assess_still(o, cfg)``). Each measure in
    ``_PERTURBED`` (and P(happy) with the smile) is moved up and down by its tolerance, one at a
    time; any check whose ``ok`` differs from the unperturbed verdict is named. An empty list means
    the verdict holds on any platform within the stated tolerances.
    """
    face = obs.face
    if face is None:
        return []
    base = base if base is not None else assess(obs)
    verdict = {c.name: c.ok for c in base.checks}
    near: set[str] = set()
    for name in _PERTURBED:
        tol = PLATFORM_TOLERANCE.get(name)
        value = getattr(face, name, None)
        if tol is None or value is None:
            continue
        for sign in (-1.0, 1.0):
            changes: dict[str, object] = {name: value + sign * tol}
            if name == "smile":
                expr = dict(face.expression)
                if "happy" in expr:
                    expr["happy"] = min(1.0, max(0.0, expr["happy"] + sign * PLATFORM_TOLERANCE["expression.happy"]))
                changes["expression"] = expr
            moved = dataclasses.replace(obs, face=dataclasses.replace(face, **changes))  # type: ignore[arg-type]
            for check in assess(moved).checks:
                if check.name in verdict and check.ok != verdict[check.name]:
                    near.add(check.name)
    return sorted(near)
