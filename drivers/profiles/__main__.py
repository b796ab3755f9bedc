"""``python -m drivers.profiles``: branch IT's check of profile files before they reach a counter.

``check FILE_OR_FOLDER...`` reads each profile and prints ``ok`` or the error (file, key, what is wrong);
``list [--extra FOLDER]...`` prints the profiles the client would use, in precedence order, and the library each
resolves to on this machine; ``atr "3B 95 ..." [--extra FOLDER]...`` prints the profiles that match an ATR, best
first. The exit status is 1 when anything failed to load.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from drivers.profiles.atr import AtrPattern, AtrPatternSyntaxError
from drivers.profiles.errors import ProfileError
from drivers.profiles.library import library_candidates, library_path
from drivers.profiles.loader import load_folder, load_profile, load_profiles
from drivers.profiles.matching import atr_matches
from drivers.profiles.model import VendorProfile


def _describe(profile: VendorProfile) -> str:
    flag = "" if profile.verified else "  [EXAMPLE, not verified]"
    return f"{profile.id}: {profile.name.en} / {profile.name.zh}{flag}"


def _check(paths: Sequence[Path]) -> int:
    failed = 0
    for path in paths:
        try:
            profiles = load_folder(path) if path.is_dir() else [load_profile(path)]
        except ProfileError as exc:
            print(f"ERROR [{exc.code}] {exc.message}")
            failed += 1
            continue
        for profile in profiles:
            print(f"ok    {profile.source}: {_describe(profile)}")
    return 1 if failed else 0


def _list(extra: Sequence[Path]) -> int:
    for profile in load_profiles(extra_folders=extra):
        found = library_path(profile)
        looked = ", ".join(map(str, library_candidates(profile))) or "no path listed for this OS"
        where = str(found) if found else f"not installed (looked in: {looked})"
        print(f"{_describe(profile)}\n    from {profile.source}\n    library {where}")
    return 0


def _atr(text: str, extra: Sequence[Path]) -> int:
    try:
        atr = AtrPattern.parse(text)
    except AtrPatternSyntaxError as exc:
        print(f"ERROR not an ATR: {exc}")
        return 1
    if atr.specificity != 8 * len(atr.value):
        print("ERROR give the whole ATR, without wildcards or a mask")
        return 1
    matches = atr_matches(atr.value, load_profiles(extra_folders=extra))
    for match in matches:
        print(f"{_describe(match.profile)}  (pattern {match.pattern.text!r}, {match.pattern.specificity} bits)")
    if not matches:
        print("no profile matches this ATR")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m drivers.profiles", description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check profile files or folders")
    check.add_argument("paths", nargs="+", type=Path)
    for name, help_text in (("list", "list the profiles in use"), ("atr", "which profile matches an ATR")):
        sub = commands.add_parser(name, help=help_text)
        if name == "atr":
            sub.add_argument("atr")
        sub.add_argument("--extra", action="append", type=Path, default=[], help="branch IT's profile folder (repeatable)")
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return _check(args.paths)
        if args.command == "list":
            return _list(args.extra)
        return _atr(args.atr, args.extra)
    except ProfileError as exc:
        print(f"ERROR [{exc.code}] {exc.message}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
