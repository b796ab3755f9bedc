"""Fixtures shared across the test tiers."""

from __future__ import annotations

pytest_plugins = [
    "tests.support.central",
    "tests.support.ui",
    "tests.support.softhsm",
    "tests.support.pcsc",
    "tests.support.issuance",
    "tests.support.printer",
]
