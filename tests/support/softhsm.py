"""SoftHSM2 for device tests: a fresh token directory per test, tokens made with the real tools, the module loaded.

Facts this rests on (docs/test-rig.md, checked again with SoftHSM 2.6): SoftHSM reads ``SOFTHSM2_CONF`` at every
``C_Initialize``, so a test's own ``softhsm2.conf`` is seen by the next library load, or by a re-initialisation;
tokens made by another process (``softhsm2-util``, ``pkcs11-tool``) appear in a loaded library only after
``C_Finalize``/``C_Initialize``. The rig therefore sets ``SOFTHSM2_CONF`` before loading, loads the module through
:class:`drivers.pkcs11.Pkcs11Library` at most once per test, re-initialises it after making a token (so make tokens
before opening connections), and closes it (``C_Finalize``) when the test ends.

Fixtures: ``softhsm_module`` (path of ``libsofthsm2.so``; the test is skipped without it), ``softhsm`` (the rig),
``softhsm_token(label, so_pin=..., user_pin=...)`` (an initialised token with a user PIN, by ``softhsm2-util``),
``softhsm_blank_token(label, so_pin=...)`` (SO PIN only, no user PIN: a blank UKey from the vault, by OpenSC's
``pkcs11-tool``), ``pkcs11_library`` (the loaded :class:`~drivers.pkcs11.Pkcs11Library`), ``opensc_module``.
Register with ``pytest_plugins = ["tests.support.softhsm"]`` or import the fixtures into a test module. The
installation itself (its configuration, the module lookup, pulling a token out) is the training bench's
(:mod:`teller_client.training.bench`); the tokens here are made with SoftHSM's and OpenSC's own tools, independent
of the driver under test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from drivers.pkcs11 import Pkcs11Library
from teller_client.training import bench
from teller_client.training.bench import SoftHsmInstallation

OPENSC_MODULE_PATHS = (
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib64/opensc-pkcs11.so",
    "/usr/lib/opensc-pkcs11.so",
    r"C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll",
    r"C:\Windows\System32\opensc-pkcs11.dll",
)
DEFAULT_SO_PIN = "12345678"
DEFAULT_USER_PIN = "123456"
TOOL_TIMEOUT = 30.0


def find_module(env_name: str, candidates: tuple[str, ...]) -> Path | None:
    """The module named by ``$env_name``, else the first candidate that exists."""
    named = os.environ.get(env_name)
    for path in ((named,) if named else ()) + candidates:
        if Path(path).is_file():
            return Path(path)
    return None


def find_softhsm_module() -> Path | None:
    """``$SOFTHSM2_MODULE``, else the SoftHSM2 vendor profile's library for this OS (the training bench's lookup)."""
    return bench.find_softhsm_module()


def find_opensc_module() -> Path | None:
    return find_module("OPENSC_MODULE", OPENSC_MODULE_PATHS)


@dataclass(frozen=True)
class SoftHsmToken:
    """A token the rig made. ``user_pin`` is ``None`` for a blank token (SO PIN only)."""

    label: str
    serial: str
    so_pin: str
    user_pin: str | None


@dataclass(frozen=True)
class SlotListing:
    """One slot of ``softhsm2-util --show-slots``."""

    slot_id: int
    serial: str
    label: str
    initialised: bool
    user_pin_initialised: bool


class SoftHsm(SoftHsmInstallation):
    """A SoftHSM2 installation of one test: its own ``softhsm2.conf`` and token directory (the training bench's
    :class:`~teller_client.training.bench.SoftHsmInstallation`), tokens made with the real tools."""

    def __init__(self, module: Path, root: Path) -> None:
        super().__init__(module, root)
        self._library: Pkcs11Library | None = None

    def run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=check)

    def pkcs11_tool(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """OpenSC's ``pkcs11-tool`` on this installation's module (``--token-label`` matches by prefix)."""
        tool = shutil.which("pkcs11-tool")
        if tool is None:
            pytest.skip("pkcs11-tool (Debian package opensc) is not installed")
        return self.run(tool, "--module", str(self.module), *args, check=check)

    def slots(self) -> list[SlotListing]:
        """The slots as ``softhsm2-util --show-slots`` lists them (independent of the driver under test)."""
        out = self.run("softhsm2-util", "--show-slots").stdout
        found = []
        for block in re.split(r"^Slot (?=\d)", out, flags=re.M)[1:]:
            field = dict(re.findall(r"^\s+([A-Za-z .]+?):\s*(.*?)\s*$", block, flags=re.M))
            found.append(
                SlotListing(
                    slot_id=int(block.split()[0]),
                    serial=field.get("Serial number", ""),
                    label=field.get("Label", ""),
                    initialised=field.get("Initialized") == "yes",
                    user_pin_initialised=field.get("User PIN init.") == "yes",
                )
            )
        return found

    def create_token(self, label: str, so_pin: str = DEFAULT_SO_PIN, user_pin: str = DEFAULT_USER_PIN) -> SoftHsmToken:
        """An initialised token with a user PIN, made by ``softhsm2-util --init-token --free``."""
        before = {slot.serial for slot in self.slots()}
        self.run("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", so_pin, "--pin", user_pin)
        return self._made(before, label, so_pin, user_pin)

    def create_blank_token(self, label: str, so_pin: str = DEFAULT_SO_PIN) -> SoftHsmToken:
        """A token initialised with an SO PIN and no user PIN, by ``pkcs11-tool --init-token`` on the free slot."""
        slots = self.slots()
        free = [slot for slot in slots if not slot.initialised]
        assert free, "SoftHSM always offers one free slot"
        self.pkcs11_tool("--slot", str(free[0].slot_id), "--init-token", "--label", label, "--so-pin", so_pin)
        return self._made({slot.serial for slot in slots}, label, so_pin, None)

    def library(self) -> Pkcs11Library:
        """The module, loaded through the driver (once per test; closed when the test ends)."""
        if self._library is None or self._library.closed:
            self._library = Pkcs11Library(self.module)
        return self._library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()
            self._library = None

    def _made(self, serials_before: set[str], label: str, so_pin: str, user_pin: str | None) -> SoftHsmToken:
        matches = [slot for slot in self.slots() if slot.serial not in serials_before and slot.initialised]
        assert len(matches) == 1 and matches[0].label == label, f"expected one new token labelled {label!r}, found {matches}"
        if self._library is not None and not self._library.closed:
            self._library.reinitialize()  # tokens made by another process appear only after C_Initialize
        return SoftHsmToken(label=label, serial=matches[0].serial, so_pin=so_pin, user_pin=user_pin)


@pytest.fixture(scope="session")
def softhsm_module() -> Path:
    module = find_softhsm_module()
    if module is None:
        pytest.skip("libsofthsm2.so not found (Debian: apt-get install softhsm2; or set SOFTHSM2_MODULE)")
    if shutil.which("softhsm2-util") is None:
        pytest.skip("softhsm2-util not found (Debian package softhsm2)")
    return module


@pytest.fixture
def softhsm(softhsm_module: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SoftHsm]:
    rig = SoftHsm(softhsm_module, tmp_path / "softhsm")
    monkeypatch.setenv("SOFTHSM2_CONF", str(rig.conf))  # before the module is loaded: SoftHSM reads it at C_Initialize
    yield rig
    rig.close()


@pytest.fixture
def softhsm_token(softhsm: SoftHsm) -> Callable[..., SoftHsmToken]:
    return softhsm.create_token


@pytest.fixture
def softhsm_blank_token(softhsm: SoftHsm) -> Callable[..., SoftHsmToken]:
    return softhsm.create_blank_token


@pytest.fixture
def pkcs11_library(softhsm: SoftHsm) -> Pkcs11Library:
    return softhsm.library()


@pytest.fixture(scope="session")
def opensc_module() -> Path:
    """OpenSC's PKCS#11 module (a second vendor library; over a PC/SC reader, real "token not present" errors)."""
    module = find_opensc_module()
    if module is None:
        pytest.skip("opensc-pkcs11.so not found (Debian: apt-get install opensc; or set OPENSC_MODULE)")
    return module
