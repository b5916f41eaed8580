"""Compare `booth analyze --json` from two platforms (x86 and aarch64) photo by photo.

    python scripts/pi_parity.py analyze-x86.jsonl analyze-aarch64.jsonl

Prints a Markdown parity table (max and median absolute difference per measure, against the
tolerance in booth.guidance.tolerance) and the checks whose verdict differs. Exit status 1 when a
measure exceeds its tolerance, a face is found on one platform only, or a verdict flips that
neither side reported as near its threshold (a knife-edge decision must be said, not silent).
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

from booth.guidance.tolerance import PLATFORM_RELATIVE_TOLERANCE, PLATFORM_TOLERANCE


def load(path: str) -> dict[str, dict]:
    out = {}
    for line in Path(path).read_text().splitlines():
        if line.strip():
            rec = json.loads(line)
            out["/".join(Path(rec["path"]).parts[-2:])] = rec
    return out


def measures(face: dict) -> dict[str, float]:
    vals = {k: float(v) for k, v in face.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    vals.update({f"expression.{k}": float(v) for k, v in face.get("expression", {}).items()})
    return vals


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    a, b = load(argv[0]), load(argv[1])
    common = sorted(set(a) & set(b))
    problems: list[str] = []
    if not common:
        problems.append("no photo measured on both platforms")
    if set(a) != set(b):
        problems.append(f"photos on one side only: {sorted(set(a) ^ set(b))}")
    diffs: dict[str, list[float]] = {}
    flips: list[str] = []
    faces_both = 0
    for key in common:
        fa, fb = a[key].get("face"), b[key].get("face")
        if (fa is None) != (fb is None):
            problems.append(f"{key}: a face on one platform only")
            continue
        if fa is None:
            continue
        faces_both += 1
        ma, mb = measures(fa), measures(fb)
        for name in ma.keys() & mb.keys():
            if name in PLATFORM_RELATIVE_TOLERANCE:
                scale = max(abs(ma[name]), abs(mb[name]), 1e-9)
                diffs.setdefault(name, []).append(abs(ma[name] - mb[name]) / scale)
            elif name in PLATFORM_TOLERANCE:
                diffs.setdefault(name, []).append(abs(ma[name] - mb[name]))
        near = set(a[key].get("near_threshold", [])) | set(b[key].get("near_threshold", []))
        ca = {c["name"]: c["ok"] for c in a[key].get("checks", [])}
        cb = {c["name"]: c["ok"] for c in b[key].get("checks", [])}
        for name in sorted(ca.keys() & cb.keys()):
            if ca[name] != cb[name]:
                said = name in near
                flips.append(f"{key}: {name} {ca[name]} vs {cb[name]} ({'reported near its threshold' if said else 'NOT reported'})")
                if not said:
                    problems.append(f"{key}: check {name} flips without being reported near its threshold")
        if a[key].get("ready") != b[key].get("ready") and not near:
            problems.append(f"{key}: ready {a[key].get('ready')} vs {b[key].get('ready')} with no check near its threshold")
    print(f"### Parity: {len(common)} photos, {faces_both} faces found on both platforms\n")
    print("| measure | max abs diff | median | tolerance | within |")
    print("|---|---|---|---|---|")
    for name in sorted(diffs):
        d = diffs[name]
        rel = name in PLATFORM_RELATIVE_TOLERANCE
        tol = PLATFORM_RELATIVE_TOLERANCE[name] if rel else PLATFORM_TOLERANCE[name]
        ok = max(d) <= tol
        if not ok:
            problems.append(f"{name}: max difference {max(d):.4g} over its tolerance {tol:g}")
        unit = " (relative)" if rel else ""
        print(f"| {name}{unit} | {max(d):.4g} | {statistics.median(d):.4g} | {tol:g} | {'yes' if ok else 'NO'} |")
    n_near = sum(1 for k in common if a[k].get("near_threshold") or b[k].get("near_threshold"))
    print(f"\nVerdicts: {len(flips)} check(s) differ between platforms; {n_near} photo(s) have a check "
          "within platform tolerance of its threshold (reported by `booth analyze` as near_threshold).")
    for f in flips:
        print(f"- {f}")
    for p in problems:
        print(f"- PROBLEM: {p}")
    print(f"\nParity: {'ok' if not problems else 'FAILED'}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
