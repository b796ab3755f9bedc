"""Find a profile's PKCS#11 library on this machine: the first candidate for this OS that exists.

Candidates may use environment variables: ``%SystemRoot%`` / ``%ProgramFiles%`` on Windows (names compared
without regard to case, as Windows does), ``$HOME`` / ``${HOME}`` on Linux and macOS. A candidate that names a
variable the environment lacks is skipped, never guessed. The platform, the environment and the existence check
are parameters, so tests resolve Windows paths on Linux and nothing depends on the machine running them.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from drivers.profiles.model import OsName, VendorProfile

_WINDOWS_VAR = re.compile(r"%([^%]+)%")
_POSIX_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def os_name(platform: str) -> OsName | None:
    """``sys.platform`` to the profile's OS key: ``win32``/``cygwin`` → windows, ``linux*`` → linux, ``darwin`` → macos."""
    if platform in ("win32", "cygwin"):
        return "windows"
    if platform.startswith("linux"):
        return "linux"
    if platform == "darwin":
        return "macos"
    return None


def expand(candidate: str, os_key: OsName, env: Mapping[str, str]) -> str | None:
    """``candidate`` with its variables replaced from ``env``; ``None`` when one of them is not set (or empty)."""
    missing = False
    if os_key == "windows":
        folded = {name.casefold(): value for name, value in env.items()}

        def windows(match: re.Match[str]) -> str:
            nonlocal missing
            value = folded.get(match.group(1).casefold(), "")
            missing = missing or not value
            return value

        result = _WINDOWS_VAR.sub(windows, candidate)
    else:

        def posix(match: re.Match[str]) -> str:
            nonlocal missing
            value = env.get(match.group(1) or match.group(2), "")
            missing = missing or not value
            return value

        result = _POSIX_VAR.sub(posix, candidate)
    return None if missing else result


def library_candidates(profile: VendorProfile, platform: str = sys.platform, *, env: Mapping[str, str] | None = None) -> list[Path]:
    """The expanded candidates for ``platform``, in the profile's order (what diagnostics say was looked at)."""
    os_key = os_name(platform)
    if os_key is None:
        return []
    environment = os.environ if env is None else env
    out = []
    for candidate in profile.library.for_os(os_key):
        expanded = expand(candidate, os_key, environment)
        if expanded is not None:
            out.append(Path(expanded))
    return out


def library_path(
    profile: VendorProfile,
    platform: str = sys.platform,
    *,
    env: Mapping[str, str] | None = None,
    exists: Callable[[Path], bool] = Path.is_file,
) -> Path | None:
    """The first candidate library for ``platform`` that ``exists``, or ``None`` when the vendor's library is not installed."""
    return next((path for path in library_candidates(profile, platform, env=env) if exists(path)), None)
