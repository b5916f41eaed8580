"""Spoken prompts (booth/ui/speech.py): espeak-ng files per language and phrase, their
durations (the countdown's numbers fit their second), and playback through pygame.mixer that
speaks only when something changed. espeak-ng and sox come from scripts/apt.d/speech.txt."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess

import pygame
import pytest

from booth.config import BoothConfig
from booth.i18n import LANGUAGES
from booth.types import BoothState, Prompt
from booth.ui import speech
from booth.ui.view import View


@pytest.fixture(scope="module")
def cfg(tmp_path_factory):
    if speech.espeak() is None:
        pytest.fail("espeak-ng is missing: scripts/test.sh installs it (scripts/apt.d/speech.txt)")
    base = BoothConfig()
    c = dataclasses.replace(base, speech=dataclasses.replace(base.speech, enabled=True,
                                                             cache_dir=str(tmp_path_factory.mktemp("speech"))))
    made = speech.synthesise(c)
    assert all(n == len(speech.phrases(lang, c.booth.countdown_s)) for lang, n in made.items())
    assert speech.synthesise(c) == {lang: 0 for lang in LANGUAGES}  # cached: a second start makes nothing
    return c


def test_a_file_per_language_and_phrase_and_the_countdown_fits_its_seconds(cfg):
    soxi = shutil.which("soxi")
    assert soxi, "sox is missing: scripts/test.sh installs it (scripts/apt.d/speech.txt)"
    lines = []
    for lang in LANGUAGES:
        d = speech.durations(cfg, lang)
        assert set(d) == set(speech.phrases(lang, cfg.booth.countdown_s))  # every prompt, both gradings, 1..3
        assert len(d) >= len(Prompt) + 3
        for phrase, seconds in d.items():
            assert 0.2 < seconds < 6.0, (lang, phrase, seconds)
        numbers = {n: d[str(n)] for n in range(1, 4)}
        # each number is said when it appears and must be over before the next one: < 1 s
        assert all(s < 1.0 for s in numbers.values()), (lang, numbers)
        f = speech.file_for(cfg.speech.cache_dir, lang, "3", cfg.speech.rate_wpm)
        by_sox = float(subprocess.run([soxi, "-D", str(f)], capture_output=True, text=True, check=True).stdout)
        assert abs(by_sox - numbers[3]) < 0.01  # two readers agree on the length
        assert 0.1 < speech.spoken_seconds(f) < numbers[3]
        longest = max(d.items(), key=lambda kv: kv[1])
        lines.append(f"{lang}: {len(d)} files, countdown " + ", ".join(f"{n}: {s:.2f} s" for n, s in numbers.items())
                     + f"; longest {longest[1]:.2f} s {longest[0]!r}")
    print("\n".join(lines))


def test_the_speaker_says_each_change_once_and_never_waits_for_the_sound(cfg):
    pygame.init()
    sp = speech.Speaker(cfg)
    try:
        closer = View(BoothState.GUIDING, prompt="Move a little closer", language="en")
        assert sp.on_view(closer) == "Move a little closer"
        assert sp.channel.get_busy()  # playing on SDL's audio thread: on_view did not wait for its end
        assert sp.on_view(closer) is None  # the same prompt next frame: silence
        assert sp.on_view(View(BoothState.COUNTDOWN, prompt="Hold still", countdown=3, language="de")) == "3"
        assert sp.on_view(View(BoothState.COUNTDOWN, prompt="Hold still", countdown=3, language="de")) is None
        assert sp.on_view(View(BoothState.COUNTDOWN, countdown=2, language="de")) == "2"
        assert sp.on_view(View(BoothState.REVIEW, language="de")) is None  # nothing to say in review
        assert sp.on_view(View(BoothState.GUIDING, prompt="Kommen Sie etwas näher", language="de")) == "Kommen Sie etwas näher"
        # a phrase with no file yet is skipped, never synthesised on the render thread
        assert sp.on_view(View(BoothState.GUIDING, prompt="Not in any catalogue", language="fr")) is None
        assert sp.said == ["Move a little closer", "3", "2", "Kommen Sie etwas näher"]
    finally:
        sp.close()
        pygame.mixer.quit()


def test_first_start_synthesises_what_is_missing_in_the_speakers_own_thread(cfg, tmp_path):
    fresh = dataclasses.replace(cfg, speech=dataclasses.replace(cfg.speech, cache_dir=str(tmp_path / "cache")))
    for lang in ("en", "de", "es"):  # installed earlier; French is missing (and takes the thread a few s)
        shutil.copytree(f"{cfg.speech.cache_dir}/{lang}", tmp_path / "cache" / lang)
    assert speech.durations(fresh, "fr") == {}
    pygame.init()
    sp = speech.Speaker(fresh).start()
    try:
        sp._thread.join(120)
        assert sp.alive and not sp._thread.is_alive()
        assert all(len(speech.durations(fresh, lang)) == len(speech.phrases(lang, 3.0)) for lang in LANGUAGES)
    finally:
        sp.close()
        pygame.mixer.quit()
