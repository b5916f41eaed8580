#!/usr/bin/env bash
# Set up everything (venv, package, models) and run the booth. With no camera attached it
# runs on the built-in simulated sitter; with no display it runs headless (SDL dummy driver).
# Extra arguments go to `booth run`, e.g. ./scripts/run.sh --camera opencv:0
EXTRAS=""
source "$(dirname "$0")/_venv.sh"
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ ! -e /dev/dri/card0 ] && [ ! -e /dev/dri/card1 ]; then
    export SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-dummy}
fi
[ -e /dev/gpiochip0 ] || export GPIOZERO_PIN_FACTORY=${GPIOZERO_PIN_FACTORY:-mock}
exec .venv/bin/booth run "$@"
