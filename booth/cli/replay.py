"""``booth replay VIDEO``: the whole booth over a recorded video.

Analysis, guidance, the session and capture run exactly as on the Pi, frame by frame on the
video's own clock (media time), as fast as possible or ``--realtime``. Nobody presses Keep
in a replay, so the review keeps the best frame at once, as a sitter pressing Keep would.

    booth replay ../shared/data/videos/lfi_24/sample_vid.mp4 --json --out /tmp/photos

``--json`` prints one line per frame (t, state, faces, prompt, ready, score; for a graded
move also ``prompt_amount``, the way to go in frame widths) and a final summary line
(captured files, the chosen frame's time and measures).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("replay", help="run the whole booth loop over a video file",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("video", help="a video file OpenCV can read (mp4, mov, ...)")
    p.add_argument("--json", action="store_true", help="one JSON line per frame, then a summary line")
    p.add_argument("--profile", choices=("badge", "professional", "actor"), help="override booth.profile")
    p.add_argument("--out", metavar="DIR", help="write photos here (default: booth.output_dir)")
    p.add_argument("--realtime", action="store_true", help="pace frames at the video's own speed")
    p.set_defaults(handler=run_replay)


def run_replay(args) -> int:
    from . import load_config_from_args

    cfg = load_config_from_args(args)
    if args.profile:
        cfg = cfg.with_profile(args.profile)
    summary = replay(Path(args.video), cfg, out=args.out, realtime=args.realtime,
                     emit=(lambda line: print(json.dumps(line), flush=True)) if args.json else None)
    if args.json:
        print(json.dumps(summary), flush=True)
    else:
        caps = summary["captures"]
        print(f"{summary['frames']} frames, {summary['duration_s']:.1f} s of video in {summary['wall_s']:.1f} s; "
              f"{len(caps)} capture(s)")
        for c in caps:
            print(f"  frame t={c['frame_t']:.2f} s score={c['score']:.3f}: " + ", ".join(c["files"]))
    return 0


def _frames(path: Path):
    import cv2

    from ..errors import CameraError
    from ..types import Frame

    if not path.is_file():
        raise CameraError(f"video {path} does not exist. Fix: pass the path of a video file")
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise CameraError(f"cannot open video {path} (not a video OpenCV can decode). Fix: convert it to mp4 (H.264)")
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    if not (1.0 <= fps <= 240.0):
        fps = 30.0
    count = cap.get(cv2.CAP_PROP_FRAME_COUNT)
    declared = int(count) if count and 0 < count < 1e9 else 0  # what the container says it holds
    index = 0
    try:
        while True:
            ok, image = cap.read()
            if not ok:
                break
            # Media time from the frame number: container timestamps of some files start late.
            yield Frame(image=image, t=index / fps, index=index)
            index += 1
    finally:
        cap.release()
    if index == 0:
        raise CameraError(f"video {path} has no readable frames. Fix: check the file (ffprobe) or re-encode it")
    # Containers often declare a few frames more than they hold (edit lists, B-frames: no_face.mp4
    # declares 98 and holds 95); a truncated copy misses far more.
    if declared and index < declared - max(5, int(declared * 0.05)):
        raise CameraError(
            f"video {path} is truncated or corrupt: decoded {index} of the {declared} frames its container declares "
            f"({index / fps:.1f} of {declared / fps:.1f} s); photos saved before the break are kept. "
            "Fix: copy the video again or re-encode it (ffmpeg -i in.mp4 -c:v libx264 out.mp4)")


def replay(path: Path, cfg, *, out=None, realtime: bool = False, emit=None, analyzer=None) -> dict:
    """Run the booth over ``path``; returns the summary dict (see the module doc)."""
    from ..compose import core
    from ..types import BoothState, SessionEvent

    # No light controller: nothing can change a video's light (a face lit unevenly is told
    # at once to turn toward the light).
    middle = core(cfg, analyzer=analyzer, out_dir=out, lights=False)
    loop = middle.loop
    states: dict[str, int] = {}
    n = 0
    t_media = 0.0
    wall0 = time.perf_counter()
    try:
        for frame in _frames(path):
            if realtime:
                lag = frame.t - (time.perf_counter() - wall0)
                if lag > 0:
                    time.sleep(lag)  # pacing the replay itself, not the booth loop
            actions = loop.on_frame(frame)
            if actions.state is BoothState.REVIEW:
                actions = loop.on_event(SessionEvent.KEEP, frame.t)
            n += 1
            t_media = frame.t
            states[actions.state.value] = states.get(actions.state.value, 0) + 1
            if emit:
                obs, a = loop.last_observation, loop.last_assessment
                assert obs is not None and a is not None  # on_frame has just set both
                emit({"t": round(frame.t, 3), "state": actions.state.value, "faces": obs.faces,
                      "prompt": actions.prompt.value if actions.prompt else None,
                      **({"prompt_amount": round(actions.prompt_amount, 3)} if actions.prompt_amount is not None else {}),
                      "ready": bool(a.ready), "score": round(a.score, 4),
                      **({"saved": list(actions.saved_files)} if actions.saved_files and actions.flash is False
                         and actions.state is BoothState.THANK_YOU and states[actions.state.value] == 1 else {})})
    finally:
        middle.close()  # the analyzer, when this replay made it
    captures = []
    for saved in loop.saved:
        m = saved.metadata
        captures.append({"files": [str(p) for p in saved.paths], "frame_t": m["frame"]["t"],
                         "frame_index": m["frame"]["index"], "score": m["score"], "profile": m["profile"],
                         "measures": m["measures"], "crops": m["crops"], "eyes": m.get("eyes"),
                         "legibility_80px": m.get("legibility_80px"), "background": m.get("background")})
    return {"summary": True, "video": str(path), "frames": n, "duration_s": round(t_media, 3),
            "wall_s": round(time.perf_counter() - wall0, 2), "states": states, "final_state": loop.state.value,
            "captures": captures}


if __name__ == "__main__":  # pragma: no cover
    from . import main

    sys.exit(main(["replay", *sys.argv[1:]]))
