"""OpenSC's PKCS#11 module over the virtual reader: what "no token" looks like through a real PKCS#11 stack.

Each reader is a PKCS#11 slot. With the reader empty the slot is listed without CKF_TOKEN_PRESENT and every token
call fails with CKR_TOKEN_NOT_PRESENT; with vicc's ISO 7816 card in it (a card no OpenSC driver knows) the slot
has a token present that OpenSC does not recognise, CKR_TOKEN_NOT_RECOGNIZED. The module is driven through
``pkcs11-tool`` and through python-pkcs11, each in a process of its own so that the module's own PC/SC context
does not outlive the test's pcscd inside the test process.

With a card in the reader OpenSC's default configuration tries each of its card drivers on it, about 10 s of
APDUs through vicc (some 44 ms each) per call, to reach the same answer; there the test gives OpenSC a
configuration (``OPENSC_CONF``) that tries one driver (openpgp), which takes 0.4 s.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drivers.pcsc import read_atr
from tests.support.pcsc import PcscRig, VirtualCard

pytestmark = [pytest.mark.device, pytest.mark.timeout(120)]

MODULES = ("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so", "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so", "/usr/lib/opensc-pkcs11.so")
OPENSC = next((m for m in MODULES if Path(m).exists()), None)
PKCS11_TOOL = shutil.which("pkcs11-tool")

needs_opensc = pytest.mark.skipif(OPENSC is None or PKCS11_TOOL is None, reason="OpenSC is not installed (Debian: apt-get install opensc)")

PROBE = """
import json, sys
import pkcs11
from pkcs11 import SlotFlag
lib = pkcs11.lib(sys.argv[1])
out = []
for slot in lib.get_slots(token_present=False):
    entry = {"reader": slot.slot_description.strip(), "token_present": bool(slot.flags & SlotFlag.TOKEN_PRESENT)}
    try:
        slot.get_token()
        entry["get_token"] = "ok"
    except pkcs11.PKCS11Error as exc:
        entry["get_token"] = type(exc).__name__
    out.append(entry)
print(json.dumps(out))
"""


def pkcs11_tool(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    assert PKCS11_TOOL and OPENSC
    done = subprocess.run([PKCS11_TOOL, "--module", OPENSC, *args], capture_output=True, text=True, timeout=60, check=False, env=env)
    return done.returncode, done.stdout + done.stderr


def python_pkcs11_slots(env: dict[str, str] | None = None) -> dict[str, dict[str, object]]:
    assert OPENSC
    done = subprocess.run([sys.executable, "-c", PROBE, OPENSC], capture_output=True, text=True, timeout=60, check=True, env=env)
    return {entry["reader"]: entry for entry in json.loads(done.stdout)}


def one_card_driver(workdir: Path) -> dict[str, str]:
    conf = workdir / "opensc.conf"
    conf.write_text("app default {\n  card_drivers = openpgp;\n}\n", encoding="utf-8")
    return dict(os.environ, OPENSC_CONF=str(conf))


def slot_listing(output: str, reader: str) -> str:
    """The line under ``Slot N (0x..): <reader>`` in ``pkcs11-tool -L`` output."""
    lines = output.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("Slot ") and line.rstrip().endswith(reader))
    return lines[index + 1].strip()


@needs_opensc
def test_opensc_slot_without_and_with_a_card(pcscd: PcscRig, virtual_card: VirtualCard) -> None:
    # No card: the reader's slot is listed, empty; opening a session says CKR_TOKEN_NOT_PRESENT.
    rc, out = pkcs11_tool("--list-slots")
    assert rc == 0 and slot_listing(out, pcscd.reader_name) == "(empty)", out
    rc, out = pkcs11_tool("--slot-index", "0", "--list-objects")
    assert rc != 0 and "CKR_TOKEN_NOT_PRESENT" in out, out
    slots = python_pkcs11_slots()
    assert slots[pcscd.reader_name] == {"reader": pcscd.reader_name, "token_present": False, "get_token": "TokenNotPresent"}

    # vicc's ISO 7816 card: a token is present, but no OpenSC card driver knows it.
    virtual_card.insert()
    read_atr(pcscd.reader_name, 10.0, wait_for_card=True)
    env = one_card_driver(pcscd.workdir)
    rc, out = pkcs11_tool("--list-slots", env=env)
    assert rc == 0 and slot_listing(out, pcscd.reader_name) == "(token not recognized)", out
    rc, out = pkcs11_tool("--slot-index", "0", "--list-objects", env=env)
    assert rc != 0 and "CKR_TOKEN_NOT_RECOGNIZED" in out, out
    slots = python_pkcs11_slots(env)
    assert slots[pcscd.reader_name] == {"reader": pcscd.reader_name, "token_present": True, "get_token": "TokenNotRecognised"}
    assert slots[pcscd.reader_names[1]]["token_present"] is False
