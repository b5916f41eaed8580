#!/usr/bin/env bash
# Install (or update) the headshot booth on Raspberry Pi OS Bookworm. Idempotent: run it again
# after `git pull` and it only does what is missing.
#
#   sudo ./systemd/install-pi.sh            # install to /opt/booth, enable and start booth.service
#   sudo ./systemd/install-pi.sh --no-start # install and enable, do not (re)start now
#   ./systemd/install-pi.sh --python-only   # only step 3 (venv, pip, models): what scripts/pi-check.sh
#                                           # runs inside an emulated arm64 Bookworm
#   ./systemd/install-pi.sh --resolve-constraints
#                                           # print a fresh constraints file for this system (stdout)
#
# What it does:
#   1. apt: python3-picamera2 python3-libcamera (camera stack; not on PyPI for the Pi), python3-venv,
#      python3-numpy (picamera2 is built against apt's numpy), python3-lgpio, SDL's KMS/DRM libraries.
#   2. a `booth` system user in the video, render, input and gpio groups.
#   3. /opt/booth: a copy of this checkout, a venv with --system-site-packages (picamera2 and numpy
#      come from apt; pip is constrained to the installed numpy so it never replaces it), the package
#      with the `pi` extra pinned by systemd/constraints-bookworm.txt (versions tested on Bookworm
#      arm64 with apt's numpy; without it pip tries and discards opencv 5.0, 4.14, 4.13 and 4.12,
#      ~210 MB, before it finds one that accepts numpy 1.24), and the models (`booth models
#      fetch`, pinned sha256). picamera2 is never installed by pip: apt has it.
#   4. /etc/booth/booth.toml (only if absent) and systemd/booth.service, enabled.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${BOOTH_PREFIX:-/opt/booth}
CONF_DIR=/etc/booth
UNIT=/etc/systemd/system/booth.service
USER_NAME=booth
START=1
MODE=full
case "${1:-}" in
    --no-start) START=0 ;;
    --python-only) MODE=python ;;
    --resolve-constraints) MODE=resolve ;;
    "") ;;
    *) printf 'install-pi: unknown option %s (use --no-start, --python-only or --resolve-constraints)\n' "$1" >&2; exit 2 ;;
esac

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'install-pi: %s\n' "$*" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || die "run as root: sudo $0"
command -v apt-get >/dev/null || die "apt-get not found: this script is for Raspberry Pi OS / Debian Bookworm"
# apt's numpy: picamera2's compiled parts are built against it; pip must never replace it.
NUMPY_VERSION=$(/usr/bin/python3 -c 'import numpy; print(numpy.__version__)' 2>/dev/null) \
    || die "apt's numpy is missing: apt-get install python3-numpy"
TESTED_CONSTRAINTS="$SRC/systemd/constraints-bookworm.txt"

if [ "$MODE" = resolve ]; then
    # A throwaway venv shaped like the booth's, resolved with only the bounds that matter (apt's
    # numpy, opencv < 4.12 which still accepts numpy 1.x); prints the pins for constraints-bookworm.txt.
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    python3 -m venv --system-site-packages "$tmp/venv" >&2
    printf 'numpy==%s\nopencv-python-headless<4.12\n' "$NUMPY_VERSION" > "$tmp/bounds.txt"
    "$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check -c "$tmp/bounds.txt" "$SRC[pi]" >&2
    echo "# Versions tested on Raspberry Pi OS Bookworm arm64 (Python 3.11, numpy $NUMPY_VERSION from apt)."
    echo "# Made by: sudo ./scripts/pi-check.sh --update-constraints (resolves inside an emulated arm64"
    echo "# Bookworm with numpy from apt and opencv-python-headless < 4.12); checked by ./scripts/pi-check.sh."
    echo "# numpy itself is pinned to apt's at install time, not here."
    "$tmp/venv/bin/python" -m pip freeze --local --exclude-editable --disable-pip-version-check \
        | grep -viE '^(booth|numpy|pip|setuptools|wheel)[=@ ]' | sort -f
    exit 0
fi

if [ "$MODE" = full ]; then
say "apt packages"
# OpenCV and pygame-ce come from pip wheels (pygame-ce bundles SDL with KMS/DRM); libdrm/libgbm are
# what its kmsdrm driver loads at run time.
# python3-evdev: the badge scanner's keyboard wedge (apt's build; PyPI's evdev is source-only).
APT_PACKAGES=(python3-picamera2 python3-libcamera python3-venv python3-pip python3-numpy python3-lgpio
              python3-evdev libdrm2 libgbm1 rpicam-apps-lite rsync  # evdev: handoff.badge_device
              espeak-ng)  # spoken prompts ([speech]); synthesised once into [speech] cache_dir on first start
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
    echo "all present"
fi

say "user $USER_NAME"
if ! id "$USER_NAME" >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/booth --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
fi
for group in video render input gpio; do
    if getent group "$group" >/dev/null; then
        usermod -aG "$group" "$USER_NAME"
    else
        echo "group $group does not exist on this system; skipped (not a Raspberry Pi OS image?)"
    fi
done
fi  # MODE=full

say "code in $PREFIX"
mkdir -p "$PREFIX"
if [ "$SRC" != "$PREFIX" ]; then
    # rsync keeps the venv and fetched models across updates.
    if command -v rsync >/dev/null; then
        rsync -a --delete --exclude .venv --exclude models/*.tflite --exclude models/*.png --exclude models/.cache \
              --exclude .git --exclude out --exclude test-artifacts "$SRC/" "$PREFIX/"
    else
        cp -a "$SRC/." "$PREFIX/"
    fi
fi

say "venv (--system-site-packages: picamera2 and numpy come from apt)"
if [ ! -x "$PREFIX/.venv/bin/python" ]; then
    python3 -m venv --system-site-packages "$PREFIX/.venv"
fi
PY="$PREFIX/.venv/bin/python"
CONSTRAINTS="$PREFIX/.venv/constraints.txt"
{ echo "numpy==$NUMPY_VERSION"; cat "$TESTED_CONSTRAINTS"; } > "$CONSTRAINTS.new"
# Reinstall only when the package, its pins or apt's numpy changed: a second run downloads nothing.
want=$(cat "$CONSTRAINTS.new" "$PREFIX/pyproject.toml" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$PREFIX/.venv/.booth-installed" 2>/dev/null)" != "$want" ]; then
    mv "$CONSTRAINTS.new" "$CONSTRAINTS"
    "$PY" -m pip install --disable-pip-version-check --progress-bar off --constraint "$CONSTRAINTS" -e "$PREFIX[pi]"
    "$PY" -c 'import numpy, sys; sys.exit(0 if numpy.__file__.startswith("/usr/") else "pip replaced apt numpy: " + numpy.__file__)'
    "$PY" -m pip check
    echo "$want" > "$PREFIX/.venv/.booth-installed"
else
    rm -f "$CONSTRAINTS.new"
    echo "venv up to date (pyproject.toml, constraints and apt's numpy $NUMPY_VERSION unchanged)"
fi

say "models"
"$PREFIX/.venv/bin/booth" models fetch
# byte-compiled once here: the service starts without compiling (and may run on a read-only root)
"$PREFIX/.venv/bin/python" -m compileall -q "$PREFIX/booth" >/dev/null
# The service runs as $USER_NAME: the code and models must be readable (not writable) by it.
chmod -R a+rX "$PREFIX"
if [ "$MODE" = python ]; then
    echo "done (--python-only: apt, user, config and service left alone)"
    exit 0
fi

say "config and service"
mkdir -p "$CONF_DIR"
[ -f "$CONF_DIR/booth.toml" ] || install -m 0644 "$PREFIX/booth.toml" "$CONF_DIR/booth.toml"
"$PREFIX/.venv/bin/booth" --config "$CONF_DIR/booth.toml" config --digest >/dev/null \
    || die "$CONF_DIR/booth.toml is not valid (see the message above)"
install -d -o "$USER_NAME" -g "$USER_NAME" -m 0750 /var/lib/booth
sed "s#/opt/booth#$PREFIX#g" "$PREFIX/systemd/booth.service" > "$UNIT.new"
if ! cmp -s "$UNIT.new" "$UNIT" 2>/dev/null; then
    mv "$UNIT.new" "$UNIT"
    systemctl daemon-reload
else
    rm -f "$UNIT.new"
fi
if command -v systemd-analyze >/dev/null; then
    systemd-analyze verify "$UNIT"
fi
systemctl enable booth.service
if [ "$START" = 1 ]; then
    systemctl restart booth.service
    echo "started: journalctl -u booth -f"
fi
echo "done. Self-test as the booth user: sudo -u $USER_NAME -- $PREFIX/.venv/bin/booth --config $CONF_DIR/booth.toml check"
