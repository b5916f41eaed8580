#!/usr/bin/env bash
# The Pi's own platform, checked on an x86 Debian/Ubuntu machine (run as root).
#
#   sudo ./scripts/pi-check.sh                      # build (or reuse) the arm64 root fs, install, compare, test
#   sudo ./scripts/pi-check.sh --update-constraints # re-resolve systemd/constraints-bookworm.txt inside it
#   sudo ./scripts/pi-check.sh --rebuild            # throw the cached root fs away first
#
# Steps (each timed; a summary table at the end):
#   host      qemu-user-static, binfmt-support, debootstrap on the host (apt), aarch64 binfmt enabled
#   rootfs    an arm64 Debian Bookworm root file system with the packages Raspberry Pi OS Bookworm
#             ships from apt (Python 3.11.2, numpy 1.24.2, evdev), cached in $PI_CHECK_CACHE
#   install   the Python part of systemd/install-pi.sh inside it, the way the Pi runs it (venv with
#             --system-site-packages, apt's numpy, systemd/constraints-bookworm.txt), twice: the second
#             run must change nothing and download nothing
#   models    `booth models fetch` and `booth models verify` inside it (pinned wheels, sha256)
#   parity    `booth analyze --json` on a fixed set of real photos in the emulated system and on this
#             machine (an x86 venv with the same versions), compared within stated tolerances
#   tests     a fast subset of the tests inside the emulated system (foundation, vision units,
#             config, session)
#
# What emulation needs that a real Pi does not (neither changes the booth):
#   - QEMU_CPU=cortex-a76 (the Pi 5's core): with QEMU's default CPU model the expression model's
#     output was wrong by up to 0.42.
#   - a Cortex-A76 /proc/cpuinfo bind-mounted over the host's: XNNPACK reads it to pick kernels
#     and crashed in allocate_tensors() on the x86 host's.
# What cannot be checked here (reported as SKIPPED, never as passed): packages only in Raspberry
# Pi's own archive (python3-picamera2, python3-libcamera, python3-lgpio, rpicam-apps-lite), the
# camera, GPIO, KMS/DRM and the systemd unit at run time.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${PI_CHECK_CACHE:-/var/cache/booth-pi-check}
ROOTFS=$CACHE/bookworm-arm64
OUT=${PI_CHECK_OUT:-$SRC/test-artifacts/pi-check}
DATA=${PI_CHECK_DATA:-$SRC/../shared/data}
SUITE=bookworm
# Raspberry Pi OS Bookworm's apt packages that Debian has too (install-pi.sh's list, less the
# Raspberry Pi archive's own): the booth's Python needs exactly these from apt.
ROOTFS_PACKAGES=python3,python3-venv,python3-pip,python3-numpy,python3-evdev,libdrm2,libgbm1,rsync,ca-certificates
RPI_ONLY_PACKAGES="python3-picamera2 python3-libcamera python3-lgpio rpicam-apps-lite"
# Measures compared x86 vs aarch64, with the tolerance each must stay within (booth analyze units).
MODE=check
case "${1:-}" in
    --update-constraints) MODE=update ;;
    --rebuild) MODE=rebuild ;;
    "") ;;
    *) echo "pi-check: unknown option ${1}; use --update-constraints or --rebuild" >&2; exit 2 ;;
esac

die() { printf 'pi-check: %s\n' "$*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "run as root (it uses debootstrap, chroot and mounts): sudo $0"
command -v apt-get >/dev/null || die "apt-get not found: this script needs a Debian or Ubuntu host"
case "$(uname -m)" in x86_64|amd64) ;; *) die "run this on an x86_64 host; on a Pi use systemd/install-pi.sh" ;; esac

mkdir -p "$CACHE" "$OUT"
TIMES=$OUT/steps.tsv
: > "$TIMES"
step_start=0
begin() { step_name=$1; step_start=$(date +%s); printf '\033[1m==> %s\033[0m\n' "$*"; }
end() { local s=$(( $(date +%s) - step_start )); printf '%s\t%s\t%s\n' "$step_name" "$s" "${1:-ok}" >> "$TIMES"; echo "    ($step_name: ${s} s)"; }

# ---------------------------------------------------------------------------------------- host
begin host "host tools: qemu-user-static, binfmt-support, debootstrap, rsync"
need=()
for pkg in qemu-user-static binfmt-support debootstrap rsync; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64
grep -q '^flags:.*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 \
    || die "the qemu-aarch64 binfmt entry lacks the F flag; chroot needs it (reinstall qemu-user-static)"
end

# -------------------------------------------------------------------------------------- rootfs
# The mirror is the host's own Debian mirror (its apt sources), so the script works wherever apt does.
mirror() {
    local uri
    uri=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
          | grep -v security | head -1 | awk '{print ($1 == "deb") ? $2 : $2}') || true
    [ -n "$uri" ] || die "no Debian mirror found in /etc/apt/sources*; set PI_CHECK_MIRROR"
    echo "${PI_CHECK_MIRROR:-$uri}"
}
stamp_want="$SUITE $ROOTFS_PACKAGES"
[ "$MODE" = rebuild ] && rm -rf "$ROOTFS"
begin rootfs "arm64 $SUITE root file system in $ROOTFS"
if [ -f "$ROOTFS/.pi-check-stamp" ] && [ "$(cat "$ROOTFS/.pi-check-stamp")" = "$stamp_want" ]; then
    echo "    cached"
    end cached
else
    rm -rf "$ROOTFS.part"
    QEMU_CPU=cortex-a76 debootstrap --arch=arm64 --variant=minbase --include="$ROOTFS_PACKAGES" \
        "$SUITE" "$ROOTFS.part" "$(mirror)" > "$OUT/debootstrap.log" 2>&1 \
        || { tail -20 "$OUT/debootstrap.log" >&2; die "debootstrap failed (log: $OUT/debootstrap.log)"; }
    echo "$stamp_want" > "$ROOTFS.part/.pi-check-stamp"
    rm -rf "$ROOTFS"
    mv "$ROOTFS.part" "$ROOTFS"
    end built
fi

# ----------------------------------------------------------------------------- emulated system
# A Cortex-A76 (Pi 5) cpuinfo for XNNPACK; the rest of /proc is the kernel's.
CPUINFO=$CACHE/cpuinfo-cortex-a76
if [ ! -f "$CPUINFO" ]; then
    for i in 0 1 2 3; do
        printf 'processor\t: %d\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x4\nCPU part\t: 0xd0b\nCPU revision\t: 1\n\n' "$i"
    done > "$CPUINFO"
fi
mounted=()
mount_in() { [ -e "$ROOTFS$2" ] || mkdir -p "$ROOTFS$2"; mount "${@:3}" "$1" "$ROOTFS$2"; mounted=("$ROOTFS$2" "${mounted[@]}"); }
cleanup() { for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done; }
trap cleanup EXIT
mount_in proc /proc -t proc
mount_in "$CPUINFO" /proc/cpuinfo --bind
mount_in /dev /dev --bind
mount_in /sys /sys --bind
if [ -d "$DATA" ]; then mount_in "$DATA" /mnt/data --bind -o ro; fi
cp -L /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
# The host's CA bundle (it may hold a local egress CA that pip's TLS needs here; a Pi has its own).
mount_in /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt --bind -o ro
# The Pi's view: no TTY games, QEMU pinned to the Pi 5's core, the booth's usual test environment.
inside() {
    chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
        QEMU_CPU=cortex-a76 SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy GPIOZERO_PIN_FACTORY=mock \
        PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180 PIP_CERT=/etc/ssl/certs/ca-certificates.crt "$@"
}
echo "    emulated: $(inside uname -m), $(inside python3 --version), numpy $(inside python3 -c 'import numpy; print(numpy.__version__)')"

# The checkout goes in as install-pi.sh would find it on a Pi (a copy, no .git, no venv, no models).
sync_checkout() {
    mkdir -p "$ROOTFS/opt/booth-src"
    rsync -a --delete --exclude .venv --exclude '/models/*.tflite' --exclude '/models/*.png' --exclude /models/.cache \
          --exclude .git --exclude /out --exclude /test-artifacts "$SRC/" "$ROOTFS/opt/booth-src/"
}
sync_checkout

if [ "$MODE" = update ]; then
    begin update "re-resolve systemd/constraints-bookworm.txt (numpy from apt, opencv-python-headless < 4.12)"
    inside /bin/bash /opt/booth-src/systemd/install-pi.sh --resolve-constraints > "$OUT/constraints.new"
    cp "$OUT/constraints.new" "$SRC/systemd/constraints-bookworm.txt"
    end
    echo "written: systemd/constraints-bookworm.txt (review the diff, then run $0 to check it)"
    exit 0
fi

# ------------------------------------------------------------------------------------- install
begin install "install-pi.sh --python-only inside the emulated system (first run)"
echo "    SKIPPED (Raspberry Pi archive only, not in Debian): $RPI_ONLY_PACKAGES"
inside /bin/bash -c 'BOOTH_PREFIX=/opt/booth /opt/booth-src/systemd/install-pi.sh --python-only' > "$OUT/install-1.log" 2>&1 \
    || { tail -30 "$OUT/install-1.log" >&2; die "install-pi.sh --python-only failed (log: $OUT/install-1.log)"; }
grep -E '^(Collecting|Downloading|Using cached)' "$OUT/install-1.log" > "$OUT/install-1.downloads" || true
end
begin install-again "install-pi.sh --python-only again (idempotent: nothing downloaded, nothing changed)"
inside /opt/booth/.venv/bin/python -m pip freeze --all > "$OUT/freeze-1.txt"
inside /bin/bash -c 'BOOTH_PREFIX=/opt/booth /opt/booth-src/systemd/install-pi.sh --python-only' > "$OUT/install-2.log" 2>&1 \
    || { tail -30 "$OUT/install-2.log" >&2; die "second install-pi.sh --python-only failed (log: $OUT/install-2.log)"; }
inside /opt/booth/.venv/bin/python -m pip freeze --all > "$OUT/freeze-2.txt"
again=ok
if grep -qE '^Downloading' "$OUT/install-2.log"; then again="downloaded on the second run"; fi
if ! cmp -s "$OUT/freeze-1.txt" "$OUT/freeze-2.txt"; then again="versions changed on the second run"; fi
[ "$again" = ok ] || { diff "$OUT/freeze-1.txt" "$OUT/freeze-2.txt" >&2 || true; die "install-pi.sh is not idempotent: $again"; }
end
opencv_downloads=$(grep -cE 'Downloading opencv' "$OUT/install-1.log" || true)

# -------------------------------------------------------------------------------------- models
begin models "booth models fetch + verify inside the emulated system"
inside /opt/booth/.venv/bin/booth models verify > "$OUT/models.txt" 2>&1 \
    || { cat "$OUT/models.txt" >&2; die "models do not verify inside the emulated system"; }
end

# -------------------------------------------------------------------------------------- parity
begin parity "booth analyze --json: aarch64 (emulated) vs x86 (same versions)"
if [ ! -d "$DATA/images" ]; then
    echo "    SKIPPED: no real photos at $DATA (../shared/data)"
    end skipped
    parity=skipped
else
    # A fixed set: 30 GENKI photos (every 50th) and every Yale condition of two subjects.
    (cd "$DATA/images" && { ls genki4k/*.jpg | sort | awk 'NR % 50 == 1' | head -30
                             ls yalefaces/subject01_* yalefaces/subject05_* 2>/dev/null | sort; }) > "$OUT/photos.txt"
    sed 's#^#/mnt/data/images/#' "$OUT/photos.txt" > "$OUT/photos-aarch64.txt"
    sed "s#^#$DATA/images/#" "$OUT/photos.txt" > "$OUT/photos-x86.txt"
    # x86 side: a venv with the aarch64 side's exact versions (apt's numpy, the constraints).
    X86=$CACHE/x86-venv
    if [ ! -x "$X86/bin/python" ] || ! cmp -s "$OUT/freeze-2.txt" "$X86/.freeze-aarch64" 2>/dev/null; then
        rm -rf "$X86"
        python3 -m venv "$X86"
        numpy_v=$(inside python3 -c 'import numpy; print(numpy.__version__)')
        grep -vE '^(-e |#)' "$OUT/freeze-2.txt" | grep -vE '^(booth|pip|setuptools|wheel|evdev|lgpio)( |=|@)' \
            | grep -v ' @ ' > "$X86/.versions.txt" || true
        "$X86/bin/python" -m pip install --quiet --disable-pip-version-check "numpy==$numpy_v" -r "$X86/.versions.txt" >/dev/null
        "$X86/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$SRC" >/dev/null
        cp "$OUT/freeze-2.txt" "$X86/.freeze-aarch64"
    fi
    BOOTH_MODELS_DIR="$ROOTFS/opt/booth/models" "$X86/bin/booth" analyze --json $(cat "$OUT/photos-x86.txt") \
        > "$OUT/analyze-x86.jsonl" 2> "$OUT/analyze-x86.log"
    inside /opt/booth/.venv/bin/booth analyze --json $(cat "$OUT/photos-aarch64.txt") \
        > "$OUT/analyze-aarch64.jsonl" 2> "$OUT/analyze-aarch64.log"
    if "$X86/bin/python" "$SRC/scripts/pi_parity.py" "$OUT/analyze-x86.jsonl" "$OUT/analyze-aarch64.jsonl" \
            > "$OUT/parity.md"; then parity=ok; else parity=FAILED; fi
    cat "$OUT/parity.md"
    end "$parity"
fi

# --------------------------------------------------------------------------------------- tests
begin tests "fast test subset inside the emulated system"
inside /opt/booth/.venv/bin/python -m pip install --quiet "pytest>=7.4" > "$OUT/pytest-install.log" 2>&1
rsync -a --delete "$SRC/tests/" "$ROOTFS/opt/booth/tests/"
set +e
inside /bin/bash -c 'cd /opt/booth && mkdir -p /opt/shared && ln -sfn /mnt/data /opt/shared/data &&
    .venv/bin/python -m pytest -q -p no:cacheprovider tests/foundation tests/vision/test_units.py tests/guidance/test_session.py' \
    > "$OUT/tests.log" 2>&1
tests_rc=$?
set -e
summary=$(grep -E '[0-9]+ (passed|failed)' "$OUT/tests.log" | tail -1)
echo "    $summary"
end "$([ $tests_rc -eq 0 ] && echo ok || echo FAILED)"

# -------------------------------------------------------------------------------------- report
{
    echo "## pi-check $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "| step | wall s | result |"
    echo "|---|---|---|"
    awk -F'\t' '{printf "| %s | %s | %s |\n", $1, $2, $3}' "$TIMES"
    echo
    echo "Skipped (Raspberry Pi archive only): $RPI_ONLY_PACKAGES; camera, GPIO, KMS/DRM, systemd at run time."
    echo
    echo "Versions chosen on aarch64 (pip freeze in the emulated venv; numpy from apt):"
    echo
    grep -iE '^(numpy|opencv-python-headless|ai-edge-litert|pygame-ce|gpiozero|pillow|segno|evdev|colorzero)[= ]' "$OUT/freeze-2.txt" | sed 's/^/    /'
    echo
    echo "opencv wheels downloaded by the first install: $opencv_downloads"
    echo
    [ -f "$OUT/parity.md" ] && cat "$OUT/parity.md"
    echo
    echo "Emulated tests: $summary"
} > "$OUT/report.md"
echo
cat "$OUT/report.md"
[ "${parity:-ok}" != FAILED ] && [ $tests_rc -eq 0 ] || exit 1
