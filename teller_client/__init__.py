"""teller-client: one-stop corporate e-channel signing at the branch counter."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("teller-client")
except PackageNotFoundError:  # running from a checkout without installing
    __version__ = "0.0.0+checkout"
