"""The counter's devices from its settings: which UKey profile and library, the letter station, the documents printer;
every missing or wrong setting is refused with a message that names the setting to set."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from drivers.printing import RawSocketPrinter
from drivers.profiles import SHIPPED_FOLDER, VendorProfile, library_candidates, load_profiles
from teller_client.errors import ConfigurationError
from teller_client.flows import counter, media
from teller_client.flows.media import SUBMISSION_KIND, MediaItem, MediaPlan
from teller_client.store.database import open_store
from teller_client.store.journal import Journal

PROFILES = load_profiles()


def installed(*profile_ids: str) -> Callable[[Path], bool]:
    """An existence check under which only these profiles' libraries are installed (whatever this machine has)."""
    paths = {path for profile in PROFILES if profile.id in profile_ids for path in library_candidates(profile)}
    return lambda path: path in paths


def refused(settings: dict[str, Any], key: str, code: str, **kwargs: Any) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as caught:
        counter.ukey_driver(settings, profiles=kwargs.pop("profiles", PROFILES), **kwargs)
    error = caught.value
    assert error.code == code
    assert key in error.message_en and key in error.message_zh, (error.message_en, error.message_zh)
    return error


def profile(profile_id: str) -> VendorProfile:
    return next(p for p in PROFILES if p.id == profile_id)


def test_the_named_profile_and_its_installed_library_are_chosen() -> None:
    driver = counter.ukey_driver({"ukey.profile": "opensc"}, training=False, profiles=PROFILES, exists=installed("opensc", "softhsm2"))
    assert driver.profile.id == "opensc" and driver.library == library_candidates(profile("opensc"))[0]


def test_an_unknown_profile_is_refused_naming_the_setting_and_the_known_ones() -> None:
    error = refused({"ukey.profile": "no-such-vendor"}, "ukey.profile", "ukey_profile_unknown", training=True, exists=installed("opensc"))
    assert "softhsm2" in error.message_en and "opensc" in error.message_en


def test_a_profile_whose_library_is_not_installed_asks_for_the_driver_or_ukey_library() -> None:
    error = refused({"ukey.profile": "feitian-epass2003"}, "ukey.library", "ukey_library_missing", training=False, exists=installed())
    assert "feitian-epass2003" in error.message_en


def test_an_explicit_library_overrides_the_profiles_candidates_and_must_exist(tmp_path: Path) -> None:
    library = tmp_path / "vendor-p11.so"
    refused({"ukey.profile": "opensc", "ukey.library": str(library)}, "ukey.library", "ukey_library_missing", training=False)
    library.write_bytes(b"\x7fELF")
    driver = counter.ukey_driver({"ukey.profile": "opensc", "ukey.library": f" {library} "}, training=False, profiles=PROFILES)
    assert driver.profile.id == "opensc" and driver.library == library


def test_an_explicit_library_without_a_profile_takes_the_profile_that_names_that_file(tmp_path: Path) -> None:
    library = tmp_path / "libsofthsm2.so"
    library.write_bytes(b"\x7fELF")
    driver = counter.ukey_driver({"ukey.library": str(library)}, training=True, profiles=PROFILES)
    assert driver.profile.id == "softhsm2" and driver.library == library
    other = tmp_path / "unknown-p11.so"
    other.write_bytes(b"\x7fELF")
    refused({"ukey.library": str(other)}, "ukey.profile", "ukey_profile_needed", training=True)


def test_by_default_the_first_installed_library_training_preferring_softhsm_production_never_choosing_it() -> None:
    both = installed("opensc", "softhsm2")
    assert counter.ukey_driver({}, training=True, profiles=PROFILES, exists=both).profile.id == "softhsm2"
    assert counter.ukey_driver({}, training=False, profiles=PROFILES, exists=both).profile.id == "opensc"
    assert counter.ukey_driver({"ukey.profile": ""}, training=True, profiles=PROFILES, exists=installed("opensc")).profile.id == "opensc"
    refused({}, "ukey.profile", "ukey_not_installed", training=False, exists=installed("softhsm2"))
    refused({}, "ukey.profile", "ukey_not_installed", training=True, exists=installed())


def test_a_setting_of_the_wrong_type_is_refused_naming_it() -> None:
    refused({"ukey.profile": 5}, "ukey.profile", "setting_invalid", training=True)
    with pytest.raises(ConfigurationError) as caught:
        counter.vendor_profiles({"ukey.profile_folders": [3]})
    assert "ukey.profile_folders" in caught.value.message_en


def test_branch_it_profile_folders_add_profiles_and_a_broken_one_names_the_setting(tmp_path: Path) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir()
    text = (SHIPPED_FOLDER / "softhsm.toml").read_text(encoding="utf-8").replace('id = "softhsm2"', 'id = "branch-token"')
    (folder / "branch.toml").write_text(text, encoding="utf-8")
    known = counter.vendor_profiles({"ukey.profile_folders": str(folder)})
    assert known[0].id == "branch-token" and {p.id for p in PROFILES} <= {p.id for p in known}
    driver = counter.ukey_driver(
        {"ukey.profile_folders": [str(folder)], "ukey.profile": "branch-token"}, training=False, exists=installed("softhsm2")
    )
    assert driver.profile.id == "branch-token"
    (folder / "broken.toml").write_text("schema = 1\nid = [", encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        counter.vendor_profiles({"ukey.profile_folders": str(folder)})
    assert caught.value.code == "ukey_profile_invalid" and "ukey.profile_folders" in caught.value.message_zh


def test_the_token_gateway_uses_the_chosen_profile_and_library_and_starts_nothing_until_used() -> None:
    path = shutil.which("true") or "/bin/true"
    gateway = counter.token_gateway({"ukey.profile": "softhsm2", "ukey.library": path}, training=True)
    try:
        assert gateway.profile.id == "softhsm2" and gateway.library == path
    finally:
        gateway.close()


def test_the_letter_station_comes_from_the_printer_settings_and_the_bank_names() -> None:
    settings: dict[str, Any] = {
        "printer.letter": "raw:10.8.1.20:9100",
        "printer.letter_layout": {"offset_x_mm": 1.5},
        "printer.timeout_seconds": 30,
        "workstation.id": "XM-01",
    }
    station = counter.letter_station(settings, training=True)
    assert isinstance(station.printer, RawSocketPrinter) and station.printer.host == "10.8.1.20"
    assert station.printer_id == "XM-01-LETTER" and station.timeout == 30.0 and station.layout.offset_x_mm == 1.5
    assert (station.bank_name, station.branch_name, station.training) == ("示例银行", "营业部", True)

    with pytest.raises(ConfigurationError) as caught:  # outside training the names printed for customers must be set
        counter.letter_station(settings, training=False)
    assert caught.value.code == "setting_missing" and "bank.name" in caught.value.message_en and "bank.name" in caught.value.message_zh
    named = {**settings, "bank.name": "厦门银行", "branch.name": "思明支行", "printer.id": "PRN-7"}
    station = counter.letter_station(named, training=False)
    assert (station.bank_name, station.branch_name, station.printer_id, station.training) == ("厦门银行", "思明支行", "PRN-7", False)
    with pytest.raises(ConfigurationError) as caught:
        counter.letter_station({**named, "branch.name": " "}, training=False)
    assert "branch.name" in caught.value.message_en


def test_printer_settings_missing_or_wrong_name_the_key() -> None:
    with pytest.raises(ConfigurationError) as caught:
        counter.letter_station({}, training=True)
    assert caught.value.code == "printer_not_configured" and "printer.letter" in caught.value.message_en
    with pytest.raises(ConfigurationError) as caught:
        counter.letter_station({"printer.letter": "raw:h:9100", "printer.timeout_seconds": 0}, training=True)
    assert "printer.timeout_seconds" in caught.value.message_en
    with pytest.raises(ConfigurationError) as caught:
        counter.letter_station({"printer.letter": "raw:h:9100", "printer.letter_layout": {"offset_q_mm": 1}}, training=True)
    assert "printer.letter_layout" in caught.value.message_en
    with pytest.raises(ConfigurationError) as caught:
        counter.documents_printer({})
    assert "printer.documents" in caught.value.message_en


def test_the_documents_printer_defaults_to_the_letter_printer() -> None:
    printer = counter.documents_printer({"printer.letter": "raw:10.8.1.20:9100"})
    assert isinstance(printer, RawSocketPrinter) and printer.host == "10.8.1.20"
    printer = counter.documents_printer({"printer.letter": "raw:10.8.1.20:9100", "printer.documents": "raw:10.8.1.21:9100"})
    assert isinstance(printer, RawSocketPrinter) and printer.host == "10.8.1.21"


def test_the_submitted_plan_is_found_in_the_journal_for_its_application_only(tmp_path: Path) -> None:
    journal = Journal(open_store(tmp_path / "teller.sqlite"))
    items = (MediaItem("certificate", "CO1", "U1", "王五", "wangwu"), MediaItem("letter", "LO1", "U2", "钱七", "qianqi"))
    for application_id in ("APP-1", "APP-2"):
        plan = MediaPlan(application_id, f"AG-{application_id}", "C1", "厦门示例贸易有限公司", items)
        entry = journal.begin(SUBMISSION_KIND, subject=application_id, actor="T0001", request={"certificate_mode": "counter"})
        journal.complete(entry.idempotency_key, plan.to_record())
    pending = journal.begin(SUBMISSION_KIND, subject="APP-3", actor="T0001", request={"certificate_mode": "counter"})
    assert pending.state != "done"
    found = media.submitted_plan(journal, "APP-2")
    assert found is not None and found.agreement_no == "AG-APP-2" and found.items == items and found.codes == {}
    assert media.submitted_plan(journal, "APP-3") is None  # never answered: no plan
    assert media.submitted_plan(journal, str(uuid.uuid4())) is None
