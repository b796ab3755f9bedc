"""Read vendor profiles from ``.toml`` files: the ones shipped in this folder, then branch IT's own folders.

A folder's profiles are its ``*.toml`` files (not sub-folders, not names starting with ``.`` or ``_``), read in
file-name order. Two files in one folder with the same ``id`` are an error. A later folder overrides an earlier one
by ``id`` (branch IT replaces a shipped profile by copying it under the same id) and extends it with new ids.
:func:`load_profiles` lists the result in *precedence order*: the last extra folder's profiles first, the shipped
ones last; :mod:`drivers.profiles.matching` breaks ties by that order.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

from drivers.profiles.errors import ProfileError
from drivers.profiles.model import SCHEMA_VERSION, VendorProfile
from drivers.profiles.reader import Table
from drivers.profiles.sections import (
    check_together,
    read_atr_patterns,
    read_device,
    read_keys,
    read_library,
    read_name,
    read_so_pin,
    read_token,
    read_token_matches,
    read_user_pin,
)

log = logging.getLogger(__name__)

SHIPPED_FOLDER = Path(__file__).resolve().parent
"""The profiles that ship with the client (package data; see ``README.md``)."""

_ID = re.compile(r"[a-z0-9]+(?:[_-][a-z0-9]+)*")
MAX_ID_LENGTH = 40


def parse_profile(data: Mapping[str, object], *, source: Path | None = None) -> VendorProfile:
    """Build a profile from parsed TOML ``data``; raises :class:`ProfileError` naming ``source`` and the key."""
    top = Table(data, path=source)
    schema = top.number("schema", minimum=0, maximum=1_000)
    if schema != SCHEMA_VERSION:
        raise top.error("bad_value", "schema", f"this client reads profile format {SCHEMA_VERSION}, the file says {schema}")
    profile_id = top.text("id")
    if len(profile_id) > MAX_ID_LENGTH or not _ID.fullmatch(profile_id):
        raise top.error(
            "bad_value", "id", f"{profile_id!r}: use lower-case letters and digits joined by '-' or '_', at most {MAX_ID_LENGTH}"
        )
    match = top.table("match", required=False)
    atr_patterns = read_atr_patterns(match)
    token_match = read_token_matches(match)
    match.finish()
    user_pin = read_user_pin(top.table("user_pin"))
    so_pin = read_so_pin(top.table("so_pin"))
    token = read_token(top.table("token"))
    check_together(top, token, user_pin, so_pin)
    profile = VendorProfile(
        id=profile_id,
        name=read_name(top.table("name")),
        vendor=top.text("vendor"),
        verified=top.flag("verified", False),
        library=read_library(top.table("library")),
        atr_patterns=atr_patterns,
        token_match=token_match,
        keys=read_keys(top.table("keys")),
        user_pin=user_pin,
        so_pin=so_pin,
        token=token,
        device=read_device(top.table("device")),
        priority=top.number("priority", 0, minimum=-100, maximum=100),
        notes=top.text("notes", "", allow_empty=True).strip(),
        schema=schema,
        source=source,
    )
    top.finish()
    return profile


def load_profile(path: Path) -> VendorProfile:
    """Read one profile file; raises :class:`ProfileError` (``unreadable``, ``bad_toml``, or a schema code)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")  # Notepad on older Windows saves UTF-8 with a BOM
    except OSError as exc:
        raise ProfileError("unreadable", f"cannot read the file ({exc.strerror or exc})", path=path) from exc
    except UnicodeDecodeError as exc:
        raise ProfileError("unreadable", f"the file is not UTF-8 text (byte {exc.start})", path=path) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        hint = " (Windows paths: use 'single quotes', in which a backslash is just a backslash)" if "escape" in str(exc) else ""
        raise ProfileError("bad_toml", f"not valid TOML: {exc}{hint}", path=path) from exc
    return parse_profile(data, source=path)


def profile_files(folder: Path) -> list[Path]:
    """The profile files of one folder, in the order they are read; a folder that does not exist has none."""
    if not folder.exists():
        return []
    if not folder.is_dir():
        raise ProfileError("not_a_folder", "a profile folder must be a directory", path=folder)
    return sorted(p for p in folder.glob("*.toml") if p.is_file() and not p.name.startswith((".", "_")))


def load_folder(folder: Path) -> list[VendorProfile]:
    """Every profile in ``folder``, in file-name order; two files with one id raise ``duplicate_id``."""
    seen: dict[str, Path] = {}
    profiles = []
    for path in profile_files(folder):
        profile = load_profile(path)
        if profile.id in seen:
            raise ProfileError("duplicate_id", f"id {profile.id!r} is already used by {seen[profile.id].name}", path=path, key="id")
        seen[profile.id] = path
        profiles.append(profile)
    return profiles


def load_profiles(folder: Path | None = None, extra_folders: Iterable[Path] = ()) -> list[VendorProfile]:
    """The shipped profiles (or ``folder``'s), overridden and extended by id by each of ``extra_folders`` in turn.

    The result is in precedence order: the last extra folder's profiles first (in file-name order), then the
    previous folder's that were not overridden, and so on down to the shipped ones. An extra folder that does not
    exist is skipped (branch IT has not made one); any error in any file raises :class:`ProfileError`.
    """
    folders = [folder if folder is not None else SHIPPED_FOLDER, *extra_folders]
    chosen: dict[str, VendorProfile] = {}
    for current in reversed(folders):
        for profile in load_folder(current):
            if profile.id in chosen:
                log.info("profile %s from %s overrides the one in %s", profile.id, chosen[profile.id].source, profile.source)
                continue
            chosen[profile.id] = profile
    return list(chosen.values())
