"""Spoken prompts: each prompt and the countdown's numbers, said in the sitter's language.

For a sitter who looks at the lens (and so cannot read) and for poor sight. Off by default
(``[speech] enabled``: an office booth stays quiet).

- Ahead of time: :func:`synthesise` runs espeak-ng (Debian package ``espeak-ng``) once per
  phrase and language into ``[speech] cache_dir/<lang>/<sha1>.wav`` (written whole: a temp file
  renamed into place). It runs at install (``python -m booth.ui.speech build``) or on first
  start in the speaker's own thread; nothing is synthesised while a sitter waits for it.
- At run time: :class:`Speaker` plays the cached files through ``pygame.mixer`` on one channel,
  at prompt changes only (the screen calls :meth:`Speaker.on_view` each frame; a repeated view
  says nothing). ``Channel.play`` returns at once: the loop never waits on audio. A new prompt
  cuts the old one off; a phrase whose file is not there yet is skipped, never synthesised on
  the render thread.
- The countdown: each number is said when it appears (``View.countdown`` changes), so it must
  last less than a second (measured by :func:`durations`; tests/ui/test_speech.py).

>>> sorted(VOICES)
['de', 'en', 'es', 'fr']
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import shutil
import subprocess
import sys
import threading
import wave
from pathlib import Path

from ..config import BoothConfig, SpeechSection
from ..i18n import LANGUAGES
from ..types import BoothState, Prompt

log = logging.getLogger(__name__)

VOICES = {"en": "en-gb", "de": "de", "fr": "fr-fr", "es": "es"}  # espeak-ng voice per catalogue language
SYNTH_TIMEOUT_S = 20.0  # one phrase; espeak-ng takes ~0.1 s


def phrases(lang: str, countdown_s: float = 3.0) -> list[str]:
    """Everything the booth may say in ``lang``: every prompt (plain and graded), the
    countdown's numbers and the screen's own "Hold still"."""
    from ..guidance import prompts

    out: list[str] = []
    for p in Prompt:
        out.append(prompts.text(p, lang))
        if p in prompts.CATALOGUE_BIG["en"]:
            out.append(prompts.text(p, lang, amount=1.0))
    out += [str(n) for n in range(1, int(math.ceil(countdown_s)) + 1)]
    return list(dict.fromkeys(out))


def file_for(cache_dir: Path, lang: str, phrase: str, rate_wpm: int) -> Path:
    key = hashlib.sha1(f"{VOICES[lang]}|{rate_wpm}|{phrase}".encode()).hexdigest()[:20]
    return Path(cache_dir) / lang / f"{key}.wav"


def espeak() -> str | None:
    return shutil.which("espeak-ng")


def synthesise(cfg: BoothConfig, langs=None, *, stop: threading.Event | None = None) -> dict[str, int]:
    """Make the missing files of ``langs`` (default: every catalogue language); returns
    {lang: files made}. Raises a clear error when espeak-ng is missing."""
    sp = cfg.speech
    exe = espeak()
    if exe is None:
        from ..errors import ConfigError

        raise ConfigError("speech.enabled needs espeak-ng. Fix: sudo apt-get install espeak-ng "
                          "(systemd/install-pi.sh installs it), or set [speech] enabled = false")
    made: dict[str, int] = {}
    for lang in langs or LANGUAGES:
        made[lang] = 0
        for phrase in phrases(lang, cfg.booth.countdown_s):
            if stop is not None and stop.is_set():
                return made
            out = file_for(Path(sp.cache_dir), lang, phrase, sp.rate_wpm)
            if out.exists():
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_suffix(".part")
            subprocess.run([exe, "-v", VOICES[lang], "-s", str(sp.rate_wpm), "-w", str(tmp), "--", phrase],
                           check=True, timeout=SYNTH_TIMEOUT_S, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            os.replace(tmp, out)
            made[lang] += 1
    return made


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / float(w.getframerate())


def spoken_seconds(path: Path, threshold: int = 300) -> float:
    """Seconds from the first to the last audible sample (espeak-ng pads with silence)."""
    import numpy as np

    with wave.open(str(path), "rb") as w:
        a = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        rate = w.getframerate()
    loud = np.nonzero(np.abs(a.astype(np.int32)) > threshold)[0]
    return 0.0 if len(loud) == 0 else (loud[-1] - loud[0]) / rate


def durations(cfg: BoothConfig, lang: str) -> dict[str, float]:
    """{phrase: seconds of its file} for the files that exist."""
    out = {}
    for phrase in phrases(lang, cfg.booth.countdown_s):
        f = file_for(Path(cfg.speech.cache_dir), lang, phrase, cfg.speech.rate_wpm)
        if f.exists():
            out[phrase] = wav_seconds(f)
    return out


class Speaker:
    """Plays the cached phrases through pygame.mixer (see the module doc). Owned by the
    render thread (``on_view``); its one helper thread only synthesises missing files, and its
    death is visible (``error``, ``alive``) and logged."""

    def __init__(self, cfg: BoothConfig):
        import pygame

        self.cfg = cfg
        self.sp: SpeechSection = cfg.speech
        self.pg = pygame
        if not pygame.mixer.get_init():
            pygame.mixer.init(frequency=22050, size=-16, channels=1, buffer=1024)  # espeak-ng's own format
        self.channel = pygame.mixer.Channel(0)
        self._sounds: dict[Path, object] = {}
        self._last: tuple | None = None
        self.said: list[str] = []  # what was started, newest last (bounded; tests and the log)
        self.spoken = 0  # phrases started since the start
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "Speaker":
        """Synthesise what is missing in the background (first start); returns self."""
        self._thread = threading.Thread(target=self._build, name="speech-synth", daemon=True)
        self._thread.start()
        return self

    def _build(self) -> None:
        try:
            made = synthesise(self.cfg, stop=self._stop)
            if any(made.values()):
                log.info("speech: synthesised %s", made)
        except BaseException as exc:  # noqa: BLE001 - seen by alive/error, logged once
            self.error = exc
            log.error("speech synthesis failed: %s", exc)

    @property
    def alive(self) -> bool:
        return self.error is None

    def _sound(self, lang: str, phrase: str):
        path = file_for(Path(self.sp.cache_dir), lang, phrase, self.sp.rate_wpm)
        snd = self._sounds.get(path)
        if snd is None:
            if not path.exists():
                return None
            snd = self.pg.mixer.Sound(str(path))
            snd.set_volume(self.sp.volume)
            self._sounds[path] = snd
        return snd

    def on_view(self, view) -> str | None:
        """Say what changed on screen: the prompt while guiding, the number in the countdown.
        Returns the phrase started (None when nothing changed or its file is not there)."""
        lang = view.language if view.language in VOICES else "en"
        phrase = None
        if view.state is BoothState.COUNTDOWN and view.countdown is not None:
            phrase, key = str(view.countdown), ("n", view.countdown, lang)
        elif view.state is BoothState.GUIDING and view.prompt:
            phrase, key = view.prompt, ("p", view.prompt, lang)
        else:
            key = ("s", view.state, "")
        if key == self._last:
            return None
        self._last = key
        if phrase is None:
            return None
        snd = self._sound(lang, phrase)
        if snd is None:
            return None
        self.channel.stop()
        self.channel.play(snd)  # returns at once: SDL mixes on its own audio thread
        self.said.append(phrase)
        del self.said[:-64]
        self.spoken += 1
        return phrase

    def close(self) -> None:
        log.info("speech: %d phrases said", self.spoken)
        self._stop.set()
        if self._thread is not None:
            self._thread.join(SYNTH_TIMEOUT_S)
        self.channel.stop()


def bench(cfg: BoothConfig, frames: int = 600, rounds: int = 3) -> list[str]:
    """The render thread's cost of speaking: Screen.draw over ``frames`` guiding frames (a
    prompt change every 30 frames, as when a sitter is coached) without and with a Speaker, in
    turn; process CPU seconds (robust on a busy machine) and wall-clock fps."""
    import dataclasses
    import time

    import numpy as np

    from ..types import Actions
    from .screen import Screen
    from .view import ViewBuilder

    synthesise(cfg)
    screen = Screen(dataclasses.replace(cfg.ui, fullscreen=False), size=(cfg.ui.width, cfg.ui.height))
    img = np.full((cfg.camera.analysis_height, cfg.camera.analysis_width, 3), 90, np.uint8)
    asked = list(Prompt)[:20]

    def run(speaker):
        screen.speaker = speaker
        builder = ViewBuilder(language=cfg.ui.language)
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(frames):
            a = Actions(BoothState.GUIDING, prompt=asked[(i // 30) % len(asked)], crop_norm=(0.3, 0.1, 0.4, 0.8))
            screen.draw(builder.build(a, img), now=i / 30)
        return frames / (time.perf_counter() - t0), time.process_time() - c0

    out = []
    try:
        for r in range(rounds):
            off = run(None)
            sp = Speaker(cfg)
            on = run(sp)
            sp.close()
            out.append(f"round {r}: speech off {off[0]:.0f} fps, {off[1] * 1000 / frames:.2f} ms CPU/frame; "
                       f"on {on[0]:.0f} fps, {on[1] * 1000 / frames:.2f} ms CPU/frame ({sp.spoken} phrases said)")
    finally:
        screen.close()
    return out


def main(argv: list[str]) -> int:
    """``python -m booth.ui.speech build|durations|bench [--config FILE]``: synthesise every
    language now; print the files' durations; the render thread's cost of speaking."""
    import argparse

    from ..config import load_config
    from ..errors import BoothError

    ap = argparse.ArgumentParser(prog="python -m booth.ui.speech")
    ap.add_argument("command", choices=["build", "durations", "bench"])
    ap.add_argument("--config", default=os.environ.get("BOOTH_CONFIG"))
    args = ap.parse_args(argv)
    try:
        cfg = load_config(args.config)
        if args.command == "bench":
            print("\n".join(bench(cfg)))
            return 0
        if args.command == "build":
            print(synthesise(cfg))
        for lang in LANGUAGES:
            d = durations(cfg, lang)
            nums = {k: round(v, 2) for k, v in d.items() if k.isdigit()}
            longest = max(d.items(), key=lambda kv: kv[1]) if d else ("-", 0.0)
            print(f"{lang}: {len(d)} files; countdown {nums}; longest {longest[1]:.2f} s ({longest[0]!r})")
    except BoothError as err:
        print(f"booth: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
