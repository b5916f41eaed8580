"""Derive booth/vision/data/pose_reference.json from MediaPipe's face-geometry data.

Run once (the JSON is committed; the sources are not)::

    python -m booth.vision.data.derive_pose_reference ../shared/data/models

Reads ``canonical_face_model.obj`` (468 vertices in mesh index order, cm) and
``geometry_pipeline_metadata_landmarks.pbtxt`` (the weighted landmark basis MediaPipe's
Procrustes pose fit uses) and keeps only the numbers the pose solver needs: the basis
indices, their weights and their 3D points, plus the few reference points the measures use,
and ``mirror``: for each mesh index the index of its mirror image (the canonical face is
exactly left-right symmetric: vertex ``mirror[i]`` is vertex ``i`` with x negated), which
makes the learned yaw and roll odd and the pitch even by construction
(booth/vision/measures.py ``POSE_ODD_BASIS``).
Both sources are Apache-2.0 (google-ai-edge/mediapipe, mediapipe/modules/face_geometry/data/);
see NOTICE.md beside the output.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).with_name("pose_reference.json")


def mirror_indices(vertices: list[list[float]]) -> list[int]:
    """For each vertex the index of the vertex at its mirror position (x negated); raises
    when the model is not exactly symmetric."""
    out = []
    for x, y, z in vertices:
        d = [(vx + x) ** 2 + (vy - y) ** 2 + (vz - z) ** 2 for vx, vy, vz in vertices]
        j = min(range(len(d)), key=d.__getitem__)
        if d[j] > 1e-10:
            raise SystemExit(f"canonical face not symmetric at ({x}, {y}, {z}): nearest mirror {d[j] ** 0.5:.2g} cm")
        out.append(j)
    if any(out[j] != i for i, j in enumerate(out)):
        raise SystemExit("canonical face mirror map is not an involution")
    return out


def derive(models_dir: Path) -> dict[str, Any]:
    vertices: list[list[float]] = []
    for line in (models_dir / "canonical_face_model.obj").read_text().splitlines():
        if line.startswith("v "):
            vertices.append([float(v) for v in line.split()[1:4]])
    if len(vertices) != 468:
        raise SystemExit(f"expected 468 vertices, found {len(vertices)}")
    basis = re.findall(r"landmark_id:\s*(\d+)\s+weight:\s*([0-9.eE+-]+)",
                       (models_dir / "geometry_pipeline_metadata_landmarks.pbtxt").read_text())
    ids = [int(i) for i, _ in basis]
    weights = [float(w) for _, w in basis]
    return {
        "source": "google-ai-edge/mediapipe@85c0cdc mediapipe/modules/face_geometry/data/ (Apache-2.0)",
        "units": "cm; x toward the subject's left (image right), y up, z toward the camera",
        "basis_ids": ids,
        "basis_weights": weights,
        "basis_points": [[round(c, 6) for c in vertices[i]] for i in ids],
        "mirror": mirror_indices(vertices),
    }


if __name__ == "__main__":
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/models")
    OUT.write_text(json.dumps(derive(src), indent=1) + "\n")
    print(f"wrote {OUT}")
