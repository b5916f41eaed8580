#!/usr/bin/env bash
# Set up what the tests need (venv, package with test extras, models) and run them.
# Tests that use ../shared/data skip cleanly when it is absent. Extra arguments go to pytest.
EXTRAS="test"
source "$(dirname "$0")/_venv.sh"
source scripts/_apt.sh
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy GPIOZERO_PIN_FACTORY=mock
exec .venv/bin/python -m pytest "$@"
