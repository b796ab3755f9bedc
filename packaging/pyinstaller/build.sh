#!/usr/bin/env bash
# Linux check build of the one-dir bundle (the Windows bundle is built on Windows with build.ps1).
#
#   bash packaging/pyinstaller/build.sh [OUT]     # OUT defaults to /tmp/teller-build
#
# Gives OUT/dist/teller-client/{teller-client,teller-client-gui,_internal/}; OUT/work is PyInstaller's cache.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${1:-/tmp/teller-build}
PY=${PYTHON:-$ROOT/.venv/bin/python}

[ -x "$PY" ] || { echo "build.sh: no Python at $PY; run 'bash packaging/dev.sh run' once or set PYTHON" >&2; exit 2; }
"$PY" -c 'import teller_client' 2>/dev/null || "$PY" -m pip install -q "$ROOT"
"$PY" -c 'import PyInstaller' 2>/dev/null || "$PY" -m pip install -q "pyinstaller>=6.22,<7"
"$PY" -m PyInstaller --version

start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$OUT/dist" --workpath "$OUT/work" "$HERE/teller-client.spec"
echo "built $OUT/dist/teller-client in $(( $(date +%s) - start )) s, $(du -sh "$OUT/dist/teller-client" | cut -f1)"
"$OUT/dist/teller-client/teller-client" --version
