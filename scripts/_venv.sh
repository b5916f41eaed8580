# Sourced by run.sh and test.sh: make .venv (once), install the package with EXTRAS, fetch models.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "booth needs Python 3.11 or newer (found: $("$PY" --version 2>&1)). Set PYTHON=/path/to/python3.11" >&2
    exit 2
fi
if [ ! -x .venv/bin/python ]; then
    # On a Raspberry Pi use systemd/install-pi.sh instead: it needs --system-site-packages for picamera2.
    "$PY" -m venv .venv
fi
# pip's --quiet still prints index-location and build-backend warnings; keep errors.
_quiet_pip() { awk '/^ *!! *$/ {skip = !skip; next} !skip && !/WARNING: Location|BuildBackendWarning|WheelFile\(|corresp\(dist/' >&2; }
stamp=.venv/.booth-installed-${EXTRAS:-base}
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "booth: installing into .venv (first run takes a minute) ..." >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | _quiet_pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${EXTRAS:+[$EXTRAS]}" 2>&1 | _quiet_pip
    touch "$stamp"
fi
.venv/bin/booth models fetch >/dev/null
# Byte-compile the package: a process that may not write __pycache__ (PYTHONDONTWRITEBYTECODE,
# a read-only root) otherwise compiles every module at each start (~0.4 s of the start-up).
# compileall writes regardless and skips files that are up to date.
.venv/bin/python -m compileall -q booth >/dev/null
