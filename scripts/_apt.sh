# Sourced by test.sh: install the Debian packages the tests need (one list per room in
# scripts/apt.d/*.txt, one package per line, '#' comments). Only as root with apt-get; elsewhere
# the tests that need a package skip with a line naming it. Installed once: a stamp records the lists.
_apt_lists=(scripts/apt.d/*.txt)
if [ -e "${_apt_lists[0]}" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    _apt_want=$(sed -e 's/#.*//' "${_apt_lists[@]}" | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
    _apt_missing=()
    for _p in $_apt_want; do
        dpkg-query -W -f='${Status}' "$_p" 2>/dev/null | grep -q "install ok installed" || _apt_missing+=("$_p")
    done
    if [ "${#_apt_missing[@]}" -gt 0 ]; then
        echo "booth: installing Debian packages for the tests: ${_apt_missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null 2>&1 || true
        apt-get install -y -qq --no-install-recommends "${_apt_missing[@]}" >/dev/null 2>&1 \
            || echo "booth: could not install ${_apt_missing[*]}; tests that need them will skip" >&2
    fi
fi
