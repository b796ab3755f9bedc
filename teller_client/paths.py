"""Per-user folders (platformdirs), overridable for tests and portable installs."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "teller-client"
_dirs = PlatformDirs(APP_NAME, appauthor=False, roaming=False)


def data_dir(training: bool = False) -> Path:
    """Where the local store lives: ``$TELLER_DATA_DIR`` or the per-user data folder; training keeps its own."""
    base = Path(os.environ.get("TELLER_DATA_DIR") or _dirs.user_data_dir)
    return base / "training" if training else base


def log_dir() -> Path:
    override = os.environ.get("TELLER_DATA_DIR")
    return Path(override) / "logs" if override else Path(_dirs.user_log_dir)
