# Windows build of the one-dir bundle (branch IT). Run from any folder, in Windows PowerShell 5.1 or PowerShell 7:
#
#   powershell -ExecutionPolicy Bypass -File packaging\pyinstaller\build.ps1 [-Out C:\teller-build] [-Python C:\Python311\python.exe]
#
# Needs 64-bit Python 3.11+ (by default the "py -3.11" launcher) and the package index.
# Gives OUT\dist\teller-client\{teller-client.exe, teller-client-gui.exe, _internal\}; OUT\venv and OUT\work can be deleted.
param(
    [string]$Out = (Join-Path $env:TEMP "teller-build"),
    [string]$Python = ""
)
# Not "Stop": Windows PowerShell 5.1 turns a native program's stderr (PyInstaller logs there) into errors
# when output is captured; each native step is checked by its exit code instead.
$Root = (Resolve-Path (Join-Path $PSScriptRoot "..\..") -ErrorAction Stop).Path
$Venv = Join-Path $Out "venv"
$Py = Join-Path $Venv "Scripts\python.exe"

function Check([string]$What) { if ($LASTEXITCODE -ne 0) { throw "$What failed (exit $LASTEXITCODE)" } }

if (-not (Test-Path $Py)) {
    if ($Python) { & $Python -m venv $Venv } else { & py -3.11 -m venv $Venv }
    if (-not (Test-Path $Py)) { throw "could not create the venv $Venv (is Python 3.11+ installed?)" }
}
& $Py -m pip install --upgrade pip; Check "pip upgrade"
# Compiled dependencies from wheels only (all have win_amd64 wheels): should pip find none for this Python, it stops
# here with "no matching distribution" instead of trying a C++/PDFium build from source.
& $Py -m pip install $Root "pyinstaller>=6.22,<7" --only-binary "zxing-cpp,pypdfium2,pillow"; Check "pip install"
& $Py -m PyInstaller --noconfirm --clean --log-level WARN `
    --distpath (Join-Path $Out "dist") --workpath (Join-Path $Out "work") (Join-Path $PSScriptRoot "teller-client.spec")
Check "PyInstaller"

$Exe = Join-Path $Out "dist\teller-client\teller-client.exe"
& $Exe --version; Check "teller-client --version"
Write-Host "built $(Split-Path $Exe)"
