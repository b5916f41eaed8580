"""The actor expressions' acceptance matrix on the development set (../shared/data).

    python -m booth.guidance.actor_eval [--data ../shared/data] [--genki N] [--json]

Yale: every photo of every subject, judged by every rule of :mod:`booth.guidance.actor`,
with the subject's own ``normal`` photo as the sitter's baseline (the neutral mouth width and
the open-eye median the coach learns from unsmiling frames). Rows: rules, columns: Yale
conditions, cells: passing subjects / subjects. GENKI-4K: the share of smiles with lips
apart ("teeth", inner-lip gap >= OPEN_GAP), smiles with lips closed and non-smiles that
pass each rule (no baseline: GENKI has one photo per person). ``--genki N``: only the first
N GENKI photos in label order (0: none; default all).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import BoothConfig, Profile
from ..vision.evaluate import DEFAULT_DATA, read_labels
from ..vision.images import load_image
from ..types import FaceMeasures
from .actor import EXPRESSIONS, OPEN_GAP, CLOSED_GAP, judge

if TYPE_CHECKING:
    from ..vision.analyzer import FaceAnalyzer

Matrix = dict[str, dict[str, tuple[int, int]]]

YALE_COLUMNS = ("normal", "noglasses", "glasses", "centerlight", "happy", "sad", "surprised", "wink", "sleepy")
GENKI_COLUMNS = ("smile, lips apart", "smile, lips closed", "no smile")

#: which Yale condition each rule should accept, and which it must reject (README: why)
MATCHING = {"confident": (), "approachable": ("happy",), "serious": ("normal", "noglasses"),
            "vulnerable": ("sad",), "playful": ("happy",)}
CLEARLY_DIFFERENT = {"confident": ("happy", "surprised", "sleepy", "wink"),
                     "approachable": ("normal", "sad", "sleepy", "surprised"),
                     "serious": ("happy", "surprised", "sleepy", "wink"),
                     "vulnerable": ("happy", "surprised", "sleepy", "wink"),
                     "playful": ("normal", "sad", "sleepy")}


def actor_config() -> BoothConfig:
    import dataclasses

    cfg = BoothConfig()
    return dataclasses.replace(cfg, booth=dataclasses.replace(cfg.booth, profile=Profile.ACTOR))


def yale_faces(data: Path, analyzer: FaceAnalyzer) -> dict[tuple[str, str], FaceMeasures | None]:
    """(subject, condition) -> FaceMeasures (or None when no face was found)."""
    out: dict[tuple[str, str], FaceMeasures | None] = {}
    for lab in read_labels(data, "yalefaces"):
        out[(lab["subject"], lab["condition"])] = analyzer.analyze_still(load_image(data / lab["path"])).face
    return out


def yale_matrix(faces: Mapping[tuple[str, str], FaceMeasures | None], cfg: BoothConfig) -> Matrix:
    """rule -> condition -> (passing subjects, subjects with that photo)."""
    matrix: dict[str, dict[str, list[int]]] = {n: defaultdict(lambda: [0, 0]) for n in EXPRESSIONS}
    for (subject, cond), face in faces.items():
        if cond not in YALE_COLUMNS:
            continue
        base = faces.get((subject, "normal"))
        width = base.mouth_width if base is not None else None
        open_eye = 0.5 * (base.ear_left + base.ear_right) if base is not None else None
        for name in EXPRESSIONS:
            cell = matrix[name][cond]
            cell[1] += 1
            if face is not None and judge(name, face, cfg, neutral_width=width, open_eye=open_eye).ok:
                cell[0] += 1
    return {n: {c: (v[0], v[1]) for c, v in row.items()} for n, row in matrix.items()}


def genki_matrix(data: Path, analyzer: FaceAnalyzer, cfg: BoothConfig, limit: int | None = None,
                 step: int = 1) -> Matrix:
    """``step``: every step-th photo in label order (GENKI lists its smiles first)."""
    labels = read_labels(data, "genki4k")[::max(1, step)]
    if limit is not None:
        labels = labels[:limit]
    matrix = {n: {c: [0, 0] for c in GENKI_COLUMNS} for n in EXPRESSIONS}
    for lab in labels:
        face = analyzer.analyze_still(load_image(data / lab["path"])).face
        if face is None:
            continue  # the vision figures count the misses; a rule needs a face
        if lab["smile"] == "1":
            col = GENKI_COLUMNS[0] if face.mouth_gap >= OPEN_GAP else (
                GENKI_COLUMNS[1] if face.mouth_gap <= CLOSED_GAP else None)
        else:
            col = GENKI_COLUMNS[2]
        if col is None:
            continue  # a smile with the lips just parted: neither group
        for name in EXPRESSIONS:
            cell = matrix[name][col]
            cell[1] += 1
            cell[0] += judge(name, face, cfg).ok
    return {n: {c: (v[0], v[1]) for c, v in row.items()} for n, row in matrix.items()}


def table(matrix: Matrix, columns: Sequence[str]) -> str:
    head = "| rule | " + " | ".join(columns) + " |"
    lines = [head, "|---" * (len(columns) + 1) + "|"]
    for name, row in matrix.items():
        cells = []
        for c in columns:
            k, n = row.get(c, (0, 0))
            mark = "**" if c in MATCHING.get(name, ()) else ""
            cells.append(f"{mark}{k}/{n}{mark}" if n else "-")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    from ..vision.analyzer import FaceAnalyzer

    ap = argparse.ArgumentParser(prog="python -m booth.guidance.actor_eval")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--genki", type=int, default=None, metavar="N")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not (args.data / "labels").is_dir():
        print(f"no evaluation data at {args.data}. Fix: pass --data PATH to ../shared/data")
        return 2
    cfg = actor_config()
    with FaceAnalyzer(cfg) as analyzer:
        yale = yale_matrix(yale_faces(args.data, analyzer), cfg)
        genki = genki_matrix(args.data, analyzer, cfg, args.genki) if args.genki != 0 else None
    if args.json:
        print(json.dumps({"yale": yale, "genki": genki}, indent=1))
        return 0
    print("Yale: passing subjects / subjects per condition (bold: the matching condition)")
    print(table(yale, YALE_COLUMNS))
    if genki is not None:
        print("\nGENKI-4K: passing photos / photos (no baseline)")
        print(table(genki, GENKI_COLUMNS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
