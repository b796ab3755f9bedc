"""``teller-client devices``: the inventory branch IT reads, against real SoftHSM tokens in worker processes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from drivers.host import DeviceProcess
from drivers.pcsc import read_atr
from drivers.profiles import load_profiles
from teller_client.flows.devices import take_inventory
from tests.support.entry_point import ENTRY_POINT
from tests.support.pcsc import PcscRig, VirtualCard
from tests.support.softhsm import SoftHsm

pytestmark = [pytest.mark.device, pytest.mark.timeout(180)]


def devices(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ENTRY_POINT), "devices", *args], capture_output=True, text=True, env=env, timeout=120, check=False)


def test_devices_json_lists_the_softhsm_tokens_with_their_state(softhsm: SoftHsm) -> None:
    ready = softhsm.create_token("UK-READY", user_pin="246810")
    blank = softhsm.create_blank_token("UK-BLANK")
    result = devices(softhsm.env, "--json", "--timeout", "20")
    assert result.returncode in (0, 1), result.stderr  # 1 when no PC/SC service runs on this machine
    report = json.loads(result.stdout)
    module = next(m for m in report["modules"] if "softhsm2" in m["profiles"])
    assert module["state"] == "ok" and module["library"].endswith("libsofthsm2.so")
    tokens = {t["serial"]: t for t in module["tokens"]}
    assert tokens[ready.serial]["label"] == "UK-READY" and tokens[ready.serial]["user_pin_initialised"]
    assert tokens[ready.serial]["profile"] == "softhsm2" and tokens[ready.serial]["pin_state"] == "ok"
    assert tokens[blank.serial]["label"] == "UK-BLANK" and not tokens[blank.serial]["user_pin_initialised"]
    assert "246810" not in result.stdout + result.stderr

    text = devices(softhsm.env)
    assert "label 'UK-BLANK'" in text.stdout and "blank (no user PIN)" in text.stdout


def test_a_hanging_vendor_module_is_reported_as_timed_out_and_the_others_still_answer(softhsm: SoftHsm, tmp_path: Path) -> None:
    softhsm.create_token("UK-1")
    profiles = load_profiles()
    softhsm_only = [p for p in profiles if p.id == "softhsm2"]

    def hanging_host(path: str) -> DeviceProcess:
        return DeviceProcess("tests.support.host_services:HangingPkcs11", path, name="hanging")

    hung = take_inventory(softhsm_only, timeout=1.5, readers=lambda **_: [], host=hanging_host)
    assert [m.state for m in hung.modules] == ["timeout"] and not hung.ok
    fine = take_inventory(softhsm_only, timeout=20, readers=lambda **_: [])
    assert fine.ok and [t.label for t in fine.modules[0].tokens if t.initialised] == ["UK-1"]


def test_devices_shows_the_virtual_reader_and_its_cards_profile(pcscd: PcscRig, virtual_card: VirtualCard, tmp_path: Path) -> None:
    conf = tmp_path / "opensc.conf"  # one card driver: OpenSC's default list takes 10 s per call through vicc
    conf.write_text("app default {\n  card_drivers = openpgp;\n}\n", encoding="utf-8")
    env = {**os.environ, "OPENSC_CONF": str(conf)}
    empty = json.loads(devices(env, "--json", "--timeout", "30").stdout)
    readers = {r["name"]: r for r in empty["readers"]}
    assert empty["reader_error"] is None and readers[pcscd.reader_name]["card_present"] is False

    virtual_card.insert()
    read_atr(pcscd.reader_name, 10.0, wait_for_card=True)
    result = devices(env, "--json", "--timeout", "30")
    report = json.loads(result.stdout)
    reader = next(r for r in report["readers"] if r["name"] == pcscd.reader_name)
    assert reader["card_present"] and bytes.fromhex(reader["atr"]) == virtual_card.expected_atr
    assert reader["profile"] == "opensc"
    opensc = next(m for m in report["modules"] if "opensc" in m["profiles"])
    assert opensc["state"] == "ok"  # the module answered (the virtual card holds no PKCS#15 token)
    text = devices(env, "--timeout", "30").stdout
    assert f"{pcscd.reader_name}: card ATR {reader['atr']}, profile opensc" in text
