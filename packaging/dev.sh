#!/usr/bin/env bash
# One command to run the program, one to run the tests, on a fresh Debian machine.
#
#   bash packaging/dev.sh run [teller-client options]   # training mode, embedded defaults, no bank needed
#   bash packaging/dev.sh test [pytest options]         # lint, types and the whole test suite
#
# Installs what it needs: Debian packages (with apt-get, as root or through
# sudo) and the Python packages (in .venv beside this checkout). Running it
# again installs nothing new and starts at once.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
MODE=${1:-}
[ $# -gt 0 ] && shift

# Debian packages each mode needs (see shared/docs/test-rig.md).
QT_LIBS="libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3"
X_LIBS="libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-cursor0 libxcb-xinerama0 libxcb-randr0 libxcb-shape0"
FONTS="fonts-wqy-zenhei"
DOCS="poppler-utils"
# UKeys and readers (test-rig.md): SoftHSM2 and OpenSC tokens, pcscd with the vsmartcard virtual reader; pyscard builds with swig.
DEVICES="softhsm2 opensc pcscd libpcsclite-dev swig gcc python3-dev vsmartcard-vpcd vsmartcard-vpicc python3-virtualsmartcard python3-pycryptodome"
# Printers (test-rig.md): lp/lpstat for cups: printers (run); the CUPS daemon and its socket backend for the device tests.
PRINTERS="cups cups-client"
case "$MODE" in
  run)  DEB="$QT_LIBS $X_LIBS $FONTS $DEVICES cups-client" ;;
  test) DEB="$QT_LIBS $FONTS $DOCS $DEVICES $PRINTERS" ;;
  *) echo "usage: bash packaging/dev.sh run|test [options]" >&2; exit 2 ;;
esac

say() { printf '[dev.sh] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else say "need root to run: $*"; exit 1
  fi
}

python_ok() {
  command -v python3 >/dev/null 2>&1 &&
    python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1
}

install_debian() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  python_ok || missing+=(python3 python3-venv python3-pip)
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    say "not a Debian system; install these yourself: ${missing[*]}"
    return 0
  fi
  say "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

install_python() {
  local extra=$1 stamp want
  [ -x "$VENV/bin/python" ] || { say "creating $VENV"; python3 -m venv "$VENV"; }
  stamp="$VENV/.installed-$extra"
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing Python packages ($extra)"
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
    if [ "$extra" = test ]; then
      "$VENV/bin/python" -m pip install -q -e ".[test]"
    else
      "$VENV/bin/python" -m pip install -q -e .
    fi
    echo "$want" >"$stamp"
  fi
}

install_debian $DEB

case "$MODE" in
  run)
    install_python run
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
      say "no display found: starting the program on a virtual screen (Xvfb); set DISPLAY to use a real one"
      install_debian xvfb xauth
      exec xvfb-run -a -s "-screen 0 1280x800x24" "$VENV/bin/teller-client" run --training "$@"
    fi
    exec "$VENV/bin/teller-client" run --training "$@"
    ;;
  test)
    install_python test
    export QT_QPA_PLATFORM=offscreen
    say "ruff"
    "$VENV/bin/ruff" check teller_client drivers migrations tests packaging
    say "mypy"
    "$VENV/bin/mypy" teller_client drivers
    say "pytest"
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
esac
