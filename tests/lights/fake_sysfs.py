"""A fake /sys/class/pwm: the files the kernel's PWM sysfs interface has, plus a tiny
"kernel" thread that creates pwmN/ when N is written to export (as the real one does,
asynchronously). Used by the rig tests and by the exit-safety subprocesses."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path


def make_chip(root: Path, chip: int = 0, npwm: int = 4, exported: tuple[int, ...] = ()) -> Path:
    chip_dir = root / f"pwmchip{chip}"
    chip_dir.mkdir(parents=True, exist_ok=True)
    (chip_dir / "npwm").write_text(f"{npwm}\n")
    (chip_dir / "export").write_text("")
    (chip_dir / "unexport").write_text("")
    for ch in exported:
        export_channel(chip_dir, ch)
    return chip_dir


def export_channel(chip_dir: Path, ch: int) -> None:
    d = chip_dir / f"pwm{ch}"
    d.mkdir(exist_ok=True)
    for name in ("period", "duty_cycle", "enable"):
        (d / name).write_text("0\n")
    (d / "polarity").write_text("normal\n")


class FakeKernel:
    """Watches each chip's export file and creates the channel directory a little later."""

    def __init__(self, root: Path, delay_s: float = 0.05):
        self.root, self.delay_s = root, delay_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(2)

    def _run(self):
        while not self._stop.is_set():
            for export in self.root.glob("pwmchip*/export"):
                text = export.read_text().strip()
                if text:
                    time.sleep(self.delay_s)
                    export_channel(export.parent, int(text))
                    export.write_text("")
            time.sleep(0.005)


def read_channel(root: Path, chip: int, ch: int) -> dict[str, str]:
    d = root / f"pwmchip{chip}" / f"pwm{ch}"
    return {name: (d / name).read_text().strip() for name in ("period", "duty_cycle", "enable")}


if __name__ == "__main__":  # python fake_sysfs.py ROOT: lay out a Pi-5-like tree with channels 0 and 1 exported
    make_chip(Path(sys.argv[1]), 0, 4, exported=(0, 1))
