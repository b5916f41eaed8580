#!/usr/bin/env bash
# Install (or update) the headshot booth on Raspberry Pi OS Bookworm. Idempotent: run it again
# after `git pull` and it only does what is missing.
#
#   sudo ./systemd/install-pi.sh            # install to /opt/booth, enable and start booth.service
#   sudo ./systemd/install-pi.sh --no-start # install and enable, do not (re)start now
#
# What it does:
#   1. apt: python3-picamera2 python3-libcamera (camera stack; not on PyPI for the Pi), python3-venv,
#      python3-numpy (picamera2 is built against apt's numpy), python3-lgpio, SDL's KMS/DRM libraries.
#   2. a `booth` system user in the video, render, input and gpio groups.
#   3. /opt/booth: a copy of this checkout, a venv with --system-site-packages (picamera2 and numpy
#      come from apt; pip is constrained to the installed numpy so it never replaces it), the package
#      with the `pi` extra, and the models (`booth models fetch`, pinned sha256).
#   4. /etc/booth/booth.toml (only if absent) and systemd/booth.service, enabled.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${BOOTH_PREFIX:-/opt/booth}
CONF_DIR=/etc/booth
UNIT=/etc/systemd/system/booth.service
USER_NAME=booth
START=1
[ "${1:-}" = "--no-start" ] && START=0

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'install-pi: %s\n' "$*" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || die "run as root: sudo $0"
command -v apt-get >/dev/null || die "apt-get not found: this script is for Raspberry Pi OS / Debian Bookworm"

say "apt packages"
# OpenCV and pygame-ce come from pip wheels (pygame-ce bundles SDL with KMS/DRM); libdrm/libgbm are
# what its kmsdrm driver loads at run time.
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
# Pin pip to the numpy that apt installed: replacing it breaks picamera2's compiled parts.
NUMPY_VERSION=$(/usr/bin/python3 -c 'import numpy; print(numpy.__version__)')
CONSTRAINTS="$PREFIX/.venv/constraints.txt"
echo "numpy==$NUMPY_VERSION" > "$CONSTRAINTS"
"$PY" -m pip install --quiet --disable-pip-version-check --constraint "$CONSTRAINTS" -e "$PREFIX[pi]"
"$PY" -c 'import numpy, sys; sys.exit(0 if numpy.__file__.startswith("/usr/") else "pip replaced apt numpy: " + numpy.__file__)'

say "models"
"$PREFIX/.venv/bin/booth" models fetch
# The service runs as $USER_NAME: the code and models must be readable (not writable) by it.
chmod -R a+rX "$PREFIX"

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
