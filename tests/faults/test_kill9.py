"""``kill -9`` at random moments while captures are being saved: after the next start (the
store's repair), every capture is complete (all crops, thumbnail and sidecar) or absent, no
orphan file, no partial file under a final name.

The default run kills 5 times; the full check is 100:

    BOOTH_KILL9_RUNS=100 ./scripts/test.sh tests/faults/test_kill9.py -q -s
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from PIL import Image

from booth.config import load_config
from booth.output.store import PhotoStore

TESTS = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BOOTH_KILL9_RUNS", "5"))

CHILD = textwrap.dedent('''
    import sys
    sys.path.insert(0, sys.argv[2])
    import cv2, numpy as np
    from booth.config import load_config
    from booth.guidance.coach import Coach
    from booth.output.store import PhotoStore
    from booth.types import Candidate, Frame
    from guidance.sitter import observation

    cfg = load_config(None, {"booth": {"output_dir": sys.argv[1], "min_free_mb": 1.0}})
    store = PhotoStore(cfg)
    full = np.random.default_rng(1).integers(60, 190, size=(1728, 2304, 3), dtype=np.uint8)
    obs = observation(1.0, 30, size=(1280, 960))
    img = cv2.resize(full, (1280, 960), interpolation=cv2.INTER_AREA)
    a = Coach(cfg).update(obs)
    print("READY", flush=True)
    i = 0
    while True:
        i += 1
        store.save(Candidate(Frame(image=img, t=i * 0.01, index=i, full=full), obs, a))
''')


def check(out: Path) -> dict:
    """Restart (repair) and audit the folder. Returns counts."""
    store = PhotoStore(load_config(None, {"booth": {"output_dir": str(out)}}))
    repaired = list(store.repaired)
    jpgs = {p.name for p in out.glob("*.jpg")}
    complete = 0
    for sc in out.glob("*.json"):
        meta = json.loads(sc.read_text())  # a sidecar is whole JSON
        names = [c["file"] for c in meta["crops"].values()] + [meta["thumbnail"]["file"]]
        missing = [n for n in names if n not in jpgs]
        assert not missing, f"{sc.name}: missing {missing}"
        jpgs -= set(names)
        complete += 1
    for p in out.glob("*.jpg"):
        with Image.open(p) as im:
            im.load()  # a truncated JPEG under a final name fails here
    leftovers = [p.name for p in out.iterdir() if p.name.startswith((".staging-", ".")) and p.name != ".quarantine"]
    quarantined = list((out / ".quarantine").glob("*")) if (out / ".quarantine").exists() else []
    return {"complete": complete, "orphans": sorted(jpgs), "leftovers": leftovers, "quarantined": len(quarantined),
            "repairs": repaired}


def test_kill_9_while_saving_leaves_every_capture_complete_or_absent(tmp_path):
    rng = random.Random(int(os.environ.get("BOOTH_KILL9_SEED", "12")))
    out = tmp_path / "out"
    totals = {"kills": 0, "complete": 0, "orphans": 0, "partial": 0, "repairs": 0, "quarantined": 0}
    for _ in range(RUNS):
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(out), str(TESTS)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        line = proc.stdout.readline()
        assert line.startswith("READY"), proc.stderr.read()
        time.sleep(rng.uniform(0.05, 2.5))  # somewhere inside one of the saves
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        totals["kills"] += 1
        got = check(out)
        assert not got["orphans"], got
        assert not got["leftovers"], got
        assert got["quarantined"] == 0, got
        totals["complete"] = got["complete"]
        totals["repairs"] += len(got["repairs"])
    print(f"kill -9 x{totals['kills']}: {totals['complete']} complete captures, 0 orphans, 0 partial files, "
          f"{totals['repairs']} start-up repairs (unfinished captures removed or completed)")
