"""Where the shipped resources (catalogue, fonts, translations, keys, ...) are found."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resource_root() -> Path:
    """The ``resources/`` folder: ``$TELLER_RESOURCES``, the frozen bundle's copy, or the checkout's."""
    override = os.environ.get("TELLER_RESOURCES")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:  # PyInstaller one-dir bundle
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    return resource_root().joinpath(*parts)
