"""Derive booth/vision/data/pose_reference.json from MediaPipe's face-geometry data.

Run once (the JSON is committed; the sources are not)::

    python -m booth.vision.data.derive_pose_reference ../shared/data/models

Reads ``canonical_face_model.obj`` (468 vertices in mesh index order, cm) and
``geometry_pipeline_metadata_landmarks.pbtxt`` (the weighted landmark basis MediaPipe's
Procrustes pose fit uses) and keeps only the numbers the pose solver needs: the basis
indices, their weights and their 3D points, plus the few reference points the measures use.
Both sources are Apache-2.0 (google-ai-edge/mediapipe, mediapipe/modules/face_geometry/data/);
see NOTICE.md beside the output.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).with_name("pose_reference.json")


def derive(models_dir: Path) -> dict:
    vertices = []
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
    }


if __name__ == "__main__":
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/models")
    OUT.write_text(json.dumps(derive(src), indent=1) + "\n")
    print(f"wrote {OUT}")
