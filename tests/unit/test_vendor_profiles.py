"""Vendor profiles (drivers/profiles): the shipped files, ATR and token matching, library paths, PIN and label rules,
loading errors that name the file and the key, and branch IT's folders overriding by id."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from drivers.profiles import (
    KEY_TYPES,
    PIN_PROBLEMS,
    PROFILE_ERROR_CODES,
    SHIPPED_FOLDER,
    AtrPattern,
    AtrPatternSyntaxError,
    LabelError,
    ProfileError,
    VendorProfile,
    atr_matches,
    generate_pin,
    is_trivial,
    library_candidates,
    library_path,
    load_folder,
    load_profile,
    load_profiles,
    os_name,
    profile_by_id,
    profile_for_atr,
    profile_for_token,
    token_label,
    token_matches,
    validate_pin,
)
from drivers.profiles.__main__ import main as profiles_cli
from drivers.profiles.pins import GENERATION_ALPHABETS

VICC_ATR = bytes.fromhex("3B 95 13 81 01 80 73 FF 01 00 0B")
EPASS2003_ATR_2022 = bytes.fromhex("3b 9f 95 81 31 fe 9f 00 66 46 53 05 23 00 25 71 df 00 00 00 00 00 05")
SHIPPED_IDS = {"softhsm2", "opensc", "feitian-epass2003", "watchdata-ukey"}


# ---- writing profile files ---------------------------------------------------------------------------------------


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def dump_toml(data: dict[str, Any]) -> str:
    """Enough TOML for these tests: scalars, lists, inline tables in lists, and nested tables."""

    def section(prefix: str, table: dict[str, Any]) -> list[str]:
        lines = [f"{k} = {_value(v)}" for k, v in table.items() if not isinstance(v, dict)]
        for k, v in table.items():
            if isinstance(v, dict):
                name = f"{prefix}.{k}" if prefix else k
                lines += ["", f"[{name}]", *section(name, v)]
        return lines

    return "\n".join(section("", data)) + "\n"


def base_profile(profile_id: str = "test-vendor", **top: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema": 1,
        "id": profile_id,
        "vendor": "Test Vendor",
        "verified": True,
        "name": {"zh": "测试厂商", "en": "Test vendor"},
        "library": {"windows": ["%SystemRoot%\\System32\\testp11.dll"], "linux": ["/usr/lib/testp11.so"]},
        "match": {"atr": ["3B 95 13 81 01 80 73 FF 01 00 0B"], "tokens": []},
        "keys": {"types": ["rsa2048", "ec_p256"], "default": "rsa2048", "on_token_keygen": True},
        "user_pin": {"min_length": 6, "max_length": 12, "charset": "digits", "generated_length": 8},
        "so_pin": {"source": "ask_supervisor"},
        "token": {"initialisation": "at_counter", "label_format": "{customer_no}-{user_no}"},
        "device": {"kind": "usb_token"},
    }
    data.update(top)
    return data


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    def _write(data: dict[str, Any] | str, name: str = "vendor.toml", folder: Path | None = None) -> Path:
        target = (folder or tmp_path) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(data if isinstance(data, str) else dump_toml(data), encoding="utf-8")
        return target

    return _write


def profile_from(data: dict[str, Any], tmp_path: Path, name: str = "p.toml") -> VendorProfile:
    path = tmp_path / name
    path.write_text(dump_toml(data), encoding="utf-8")
    return load_profile(path)


def with_change(change: Callable[[dict[str, Any]], object], profile_id: str = "test-vendor") -> dict[str, Any]:
    data = copy.deepcopy(base_profile(profile_id))
    change(data)
    return data


# ---- the shipped profiles ----------------------------------------------------------------------------------------


def shipped_files() -> Iterator[Path]:
    yield from sorted(SHIPPED_FOLDER.glob("*.toml"))


@pytest.mark.parametrize("path", list(shipped_files()), ids=lambda p: p.name)
def test_every_shipped_file_loads(path: Path) -> None:
    profile = load_profile(path)
    assert profile.source == path
    assert profile.name.zh and profile.name.en
    assert profile.keys.default_type in profile.keys.types
    assert set(profile.keys.types) <= set(KEY_TYPES)
    assert profile.library.windows, "every profile ships a Windows path: the client is installed on Windows"
    assert "slot" not in profile.token.select_by
    assert not validate_pin(profile, generate_pin(profile))
    assert token_label(profile, customer_no="1234567890", user_no="001")


def test_shipped_folder_has_the_four_profiles_and_examples_are_marked() -> None:
    profiles = {p.id: p for p in load_profiles()}
    assert set(profiles) == SHIPPED_IDS
    assert profiles["softhsm2"].verified and profiles["opensc"].verified
    assert not profiles["feitian-epass2003"].verified and not profiles["watchdata-ukey"].verified
    assert "EXAMPLE" in profiles["feitian-epass2003"].notes and "EXAMPLE" in profiles["watchdata-ukey"].notes
    assert profiles["watchdata-ukey"].atr_patterns == ()  # no sourced ATR: left empty, with a note


def test_softhsm_profile_matches_the_test_rig_facts() -> None:
    softhsm = profile_by_id("softhsm2", load_profiles())
    assert softhsm is not None
    assert softhsm.atr_patterns == ()
    assert "/usr/lib/softhsm/libsofthsm2.so" in softhsm.library.linux
    assert "C:\\SoftHSM2\\lib\\softhsm2-x64.dll" in softhsm.library.windows
    assert not softhsm.keys.supports("sm2")
    assert "not supported by this module" in (softhsm.keys.unsupported_reason("sm2") or "")
    assert softhsm.user_pin.max_attempts == 0  # no PIN lockout
    assert softhsm.device.kind == "software"


def test_opensc_profile_matches_the_virtual_card() -> None:
    assert profile_for_atr(VICC_ATR, load_profiles()) == profile_by_id("opensc", load_profiles())


def test_the_example_epass2003_pattern_matches_atrs_opensc_lists() -> None:
    profiles = load_profiles()
    for atr in (EPASS2003_ATR_2022, bytes.fromhex("3b9f958131fe9f006646530501001171df0000039000" + "80")):
        found = profile_for_atr(atr, profiles)
        assert found is not None and found.id == "feitian-epass2003"


@pytest.mark.skipif(not Path("/usr/lib/softhsm/libsofthsm2.so").is_file(), reason="SoftHSM2 not installed (Debian path)")
def test_the_debian_softhsm_library_resolves_on_this_machine() -> None:
    softhsm = profile_by_id("softhsm2", load_profiles())
    assert softhsm is not None
    assert library_path(softhsm, "linux") == Path("/usr/lib/softhsm/libsofthsm2.so")


def test_a_logged_profile_never_shows_a_pin(tmp_path: Path) -> None:
    data = base_profile()
    data["so_pin"] = {"source": "default", "value": "SO-SECRET-1"}
    data["token"]["initialisation"] = "either"
    data["user_pin"].update(transport="default", transport_value="TRANSPORT-9", forbidden=["24682468"])
    text = repr(profile_from(data, tmp_path))
    assert "SO-SECRET-1" not in text and "TRANSPORT-9" not in text and "24682468" not in text


# ---- ATR patterns and matching -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "atr", "expected"),
    [
        ("3B 95 13 81 01 80 73 FF 01 00 0B", VICC_ATR, True),
        ("3b:95:13:81:01:80:73:ff:01:00:0b", VICC_ATR, True),
        ("3B 95 13 81 01 80 73 FF 01 00 0C", VICC_ATR, False),
        ("3B 95 13 81 01 80 73 FF 01 00", VICC_ATR, False),  # shorter: the length must be equal
        ("3B 95 13 81 01 80 73 FF 01 00 0B 00", VICC_ATR, False),
        ("3B 95 .. 81 01 80 73 FF .. .. ..", VICC_ATR, True),
        ("3B 9. 13 81 01 80 73 FF 01 00 0B", VICC_ATR, True),  # nibble wildcard
        ("3B 8. 13 81 01 80 73 FF 01 00 0B", VICC_ATR, False),
        ("3B 95 00 81 01 80 73 FF 01 00 0B / FF FF 00 FF FF FF FF FF FF FF FF", VICC_ATR, True),
        ("3B 95 00 81 01 80 73 FF 01 00 0B / FF FF 0F FF FF FF FF FF FF FF FF", VICC_ATR, False),
    ],
)
def test_atr_pattern_matching(pattern: str, atr: bytes, expected: bool) -> None:
    assert AtrPattern.parse(pattern).matches(atr) is expected


def test_specificity_counts_compared_bits() -> None:
    assert AtrPattern.parse("3B 95 13").specificity == 24
    assert AtrPattern.parse("3B .. 13").specificity == 16
    assert AtrPattern.parse("3B 9. 13").specificity == 20
    assert AtrPattern.parse("3B 95 13 / FF 00 F0").specificity == 12


@pytest.mark.parametrize(
    "text",
    ["", "3B 9", "3B ZZ", "3B 95 / FF", "3B 95 / FF GG", "3B 95 /", "00 95", "3B " + "00 " * 33, "3B-95"],
)
def test_bad_atr_patterns_are_refused(text: str) -> None:
    with pytest.raises(AtrPatternSyntaxError):
        AtrPattern.parse(text)


def _profile_with_atrs(tmp_path: Path, profile_id: str, atrs: list[str], priority: int = 0) -> VendorProfile:
    data = base_profile(profile_id, priority=priority)
    data["match"]["atr"] = atrs
    return profile_from(data, tmp_path, f"{profile_id}.toml")


def test_no_profile_for_an_unknown_atr(tmp_path: Path) -> None:
    profiles = [_profile_with_atrs(tmp_path, "a", ["3B 95 13 81 01 80 73 FF 01 00 0B"])]
    assert profile_for_atr(bytes.fromhex("3B 02 14 50"), profiles) is None
    assert profile_for_atr(b"", profiles) is None
    assert atr_matches(bytes.fromhex("3B 02 14 50"), profiles) == []


def test_the_more_specific_pattern_wins_whatever_the_order(tmp_path: Path) -> None:
    generic = _profile_with_atrs(tmp_path, "generic", ["3B 95 .. .. .. .. .. .. .. .. .."])
    exact = _profile_with_atrs(tmp_path, "exact", ["3B 95 13 81 01 80 73 FF 01 00 0B"])
    nibble = _profile_with_atrs(tmp_path, "nibble", ["3B 95 13 81 01 80 73 FF 01 00 0."])
    for order in ([generic, exact, nibble], [nibble, exact, generic], [exact, generic, nibble]):
        found = atr_matches(VICC_ATR, order)
        assert [m.profile.id for m in found] == ["exact", "nibble", "generic"]
        assert profile_for_atr(VICC_ATR, order) == exact


def test_a_tie_goes_to_priority_then_to_list_order(tmp_path: Path) -> None:
    first = _profile_with_atrs(tmp_path, "first", ["3B 95 .. 81 01 80 73 FF 01 00 0B"])
    second = _profile_with_atrs(tmp_path, "second", ["3B 95 13 81 01 80 73 FF 01 00 .."])
    assert profile_for_atr(VICC_ATR, [first, second]) == first
    assert profile_for_atr(VICC_ATR, [second, first]) == second
    preferred = _profile_with_atrs(tmp_path, "preferred", ["3B 95 13 81 01 80 73 FF 01 00 .."], priority=5)
    assert profile_for_atr(VICC_ATR, [first, second, preferred]) == preferred


def test_a_profile_is_listed_once_with_its_best_pattern(tmp_path: Path) -> None:
    both = _profile_with_atrs(tmp_path, "both", ["3B 95 .. .. .. .. .. .. .. .. ..", "3B 95 13 81 01 80 73 FF 01 00 0B"])
    [match] = atr_matches(VICC_ATR, [both])
    assert match.pattern.specificity == 88


# ---- tokens that are not cards -----------------------------------------------------------------------------------


def test_softhsm_token_is_matched_by_manufacturer_and_model() -> None:
    profiles = load_profiles()
    # CK_TOKEN_INFO fields are blank padded to 32 and 16 characters.
    found = profile_for_token("SoftHSM project".ljust(32), "SoftHSM v2".ljust(16), profiles)
    assert found is not None and found.id == "softhsm2"
    assert profile_for_token("softhsm PROJECT", "softhsm v2\x00", profiles) == found
    assert profile_for_token("SoftHSM project", "SoftHSM v3", profiles) is None
    assert profile_for_token("OpenSC Project", "PKCS#15", profiles) is None


def test_a_token_entry_naming_the_model_beats_one_naming_only_the_maker(tmp_path: Path) -> None:
    maker_only = base_profile("maker-only")
    maker_only["match"]["tokens"] = [{"manufacturer": "ACME"}]
    with_model = base_profile("with-model")
    with_model["match"]["tokens"] = [{"manufacturer": "ACME", "model": "K2"}]
    profiles = [profile_from(maker_only, tmp_path, "a.toml"), profile_from(with_model, tmp_path, "b.toml")]
    assert [m.profile.id for m in token_matches("ACME", "K2", profiles)] == ["with-model", "maker-only"]
    found = profile_for_token("ACME", "K1", profiles)
    assert found is not None and found.id == "maker-only"


# ---- library paths -----------------------------------------------------------------------------------------------


def _library_profile(tmp_path: Path, **library: list[str]) -> VendorProfile:
    data = base_profile()
    data["library"] = library
    return profile_from(data, tmp_path)


@pytest.mark.parametrize(
    ("platform", "expected"), [("win32", "windows"), ("cygwin", "windows"), ("linux", "linux"), ("darwin", "macos"), ("freebsd14", None)]
)
def test_platform_names(platform: str, expected: str | None) -> None:
    assert os_name(platform) == expected


def test_windows_candidates_expand_variables_and_the_first_existing_wins(tmp_path: Path) -> None:
    profile = _library_profile(
        tmp_path,
        windows=["%VendorHome%\\p11.dll", "%SystemRoot%\\System32\\vendorp11.dll", "%ProgramFiles%\\Vendor\\vendorp11.dll"],
        linux=["/usr/lib/vendorp11.so"],
    )
    env = {"SYSTEMROOT": "C:\\Windows", "ProgramFiles": "C:\\Program Files"}  # Windows names ignore case
    assert library_candidates(profile, "win32", env=env) == [
        Path("C:\\Windows\\System32\\vendorp11.dll"),
        Path("C:\\Program Files\\Vendor\\vendorp11.dll"),
    ]  # %VendorHome% is not set: skipped, never guessed
    present = {Path("C:\\Program Files\\Vendor\\vendorp11.dll")}
    assert library_path(profile, "win32", env=env, exists=present.__contains__) == Path("C:\\Program Files\\Vendor\\vendorp11.dll")
    present.add(Path("C:\\Windows\\System32\\vendorp11.dll"))
    assert library_path(profile, "win32", env=env, exists=present.__contains__) == Path("C:\\Windows\\System32\\vendorp11.dll")
    assert library_path(profile, "win32", env=env, exists=lambda _p: False) is None


def test_linux_candidates_resolve_against_real_files(tmp_path: Path) -> None:
    lib_dir = tmp_path / "lib"
    lib_dir.mkdir()
    second = lib_dir / "second.so"
    second.write_bytes(b"\x7fELF")
    profile = _library_profile(tmp_path, linux=["${VENDOR_ROOT}/first.so", "$VENDOR_ROOT/second.so"], windows=["C:\\v.dll"])
    env = {"VENDOR_ROOT": str(lib_dir)}
    assert library_path(profile, "linux", env=env) == second
    (lib_dir / "first.so").write_bytes(b"\x7fELF")
    assert library_path(profile, "linux", env=env) == lib_dir / "first.so"
    assert library_path(profile, "linux", env={}) is None  # variable unset: nothing to try
    assert library_path(profile, "linux", env={"vendor_root": str(lib_dir)}) is None  # POSIX names are case-sensitive
    (lib_dir / "dir.so").mkdir()
    directory_only = _library_profile(tmp_path, linux=[str(lib_dir / "dir.so")])
    assert library_path(directory_only, "linux", env={}) is None  # a folder is not a library


def test_no_candidates_for_an_os_the_profile_does_not_list(tmp_path: Path) -> None:
    profile = _library_profile(tmp_path, windows=["C:\\v.dll"])
    assert library_candidates(profile, "darwin", env={}) == []
    assert library_path(profile, "darwin", env={}, exists=lambda _p: True) is None
    assert library_path(profile, "freebsd14", env={}, exists=lambda _p: True) is None


# ---- PIN rules ---------------------------------------------------------------------------------------------------


@pytest.fixture
def pin_profile(tmp_path: Path) -> VendorProfile:
    data = base_profile()
    data["user_pin"].update(min_length=6, max_length=8, charset="digits", forbidden=["24682468"])
    return profile_from(data, tmp_path)


@pytest.mark.parametrize(
    ("pin", "problems"),
    [
        ("739164", []),
        ("73916482", []),
        ("", ["empty"]),
        ("73916", ["too_short"]),
        ("739164825", ["too_long"]),
        ("73916a", ["invalid_chars"]),
        ("７３９１６４", ["invalid_chars"]),  # full-width digits from an input method
        ("739 164", ["invalid_chars"]),
        ("000000", ["trivial"]),
        ("123456", ["trivial"]),
        ("87654321", ["trivial"]),
        ("121212", ["trivial"]),
        ("24682468", ["forbidden"]),
        ("11111", ["too_short", "trivial"]),
    ],
)
def test_validate_pin(pin_profile: VendorProfile, pin: str, problems: list[str]) -> None:
    assert validate_pin(pin_profile, pin) == problems
    assert set(problems) <= set(PIN_PROBLEMS)


def test_trivial_pins_are_allowed_when_the_profile_says_so(tmp_path: Path) -> None:
    data = base_profile()
    data["user_pin"].update(reject_trivial=False, charset="alphanumeric")
    profile = profile_from(data, tmp_path)
    assert validate_pin(profile, "123456") == []
    assert validate_pin(profile, "abc123") == []
    assert validate_pin(profile, "abc-123") == ["invalid_chars"]


@pytest.mark.parametrize(("pin", "trivial"), [("abcdef", True), ("fedcba", True), ("112233", False), ("135790", False), ("7", False)])
def test_is_trivial(pin: str, trivial: bool) -> None:
    assert is_trivial(pin) is trivial


def test_generated_pins_follow_the_rules(pin_profile: VendorProfile, tmp_path: Path) -> None:
    for _ in range(50):
        pin = generate_pin(pin_profile)
        assert len(pin) == pin_profile.user_pin.generated_length and validate_pin(pin_profile, pin) == []
    data = base_profile()
    data["user_pin"].update(charset="alphanumeric", generated_length=10, max_length=12)
    alnum = profile_from(data, tmp_path, "alnum.toml")
    pin = generate_pin(alnum)
    assert len(pin) == 10 and not set(pin) & set("0O1lI")  # nothing a customer misreads on the letter
    assert set(GENERATION_ALPHABETS["digits"]) == set("0123456789")


def test_a_generated_trivial_pin_is_drawn_again(pin_profile: VendorProfile) -> None:
    draws = iter("11111111" + "73916482")
    assert generate_pin(pin_profile, choice=lambda _alphabet: next(draws)) == "73916482"


# ---- labels ------------------------------------------------------------------------------------------------------


def _label_profile(tmp_path: Path, **token: Any) -> VendorProfile:
    data = base_profile()
    data["token"].update(token)
    return profile_from(data, tmp_path)


def test_label_is_formatted(tmp_path: Path) -> None:
    profile = _label_profile(tmp_path)
    assert token_label(profile, customer_no="3100012345", user_no="002", unused="x") == "3100012345-002"
    padded = _label_profile(tmp_path, label_format="{branch_no}.{user_no:0>3}")
    assert token_label(padded, branch_no=310, user_no="7") == "310.007"


def test_label_too_long_is_refused_not_cut(tmp_path: Path) -> None:
    profile = _label_profile(tmp_path, label_max_bytes=16)
    with pytest.raises(LabelError) as raised:
        token_label(profile, customer_no="31000123456789", user_no="002")
    assert raised.value.code == "too_long" and "16" in raised.value.message


def test_label_length_counts_utf8_bytes(tmp_path: Path) -> None:
    profile = _label_profile(tmp_path, label_charset="utf8", label_format="{customer_no}")
    assert token_label(profile, customer_no="中" * 10) == "中" * 10  # 30 bytes
    with pytest.raises(LabelError) as raised:
        token_label(profile, customer_no="中" * 11)  # 33 bytes
    assert raised.value.code == "too_long"


@pytest.mark.parametrize("customer_no", ["3100 0123", "客户01", "31/00"])
def test_label_with_invalid_chars_is_refused(tmp_path: Path, customer_no: str) -> None:
    with pytest.raises(LabelError) as raised:
        token_label(_label_profile(tmp_path), customer_no=customer_no, user_no="1")
    assert raised.value.code == "invalid_chars"


def test_label_needs_every_field(tmp_path: Path) -> None:
    with pytest.raises(LabelError) as raised:
        token_label(_label_profile(tmp_path), customer_no="310001")
    assert raised.value.code == "missing_field" and "user_no" in raised.value.message
    with pytest.raises(LabelError) as raised:
        token_label(_label_profile(tmp_path, label_format="{customer_no}"), customer_no="  ")
    assert raised.value.code == "empty"


# ---- loading errors name the file and the key --------------------------------------------------------------------


def _error(path: Path) -> ProfileError:
    with pytest.raises(ProfileError) as raised:
        load_profile(path)
    error = raised.value
    assert str(path) in error.message
    if error.key:
        assert f"'{error.key}'" in error.message
    return error


def test_bad_toml_names_the_file(write: Callable[..., Path]) -> None:
    path = write('schema = 1\nid = "x\n')
    error = _error(path)
    assert (error.code, error.key, error.path) == ("bad_toml", None, path)
    assert "line" in error.message


def test_backslash_in_double_quotes_gets_a_hint(write: Callable[..., Path]) -> None:
    text = dump_toml(base_profile()).replace('"%SystemRoot%\\\\System32\\\\testp11.dll"', '"C:\\Vendor\\p11.dll"')
    error = _error(write(text))
    assert error.code == "bad_toml" and "single quotes" in error.message


def test_unreadable_file(write: Callable[..., Path], tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('vendor = "Sm\xe5"\n'.encode("latin-1"))
    assert _error(path).code == "unreadable"
    assert _error(tmp_path / "absent.toml").code == "unreadable"


def test_a_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + dump_toml(base_profile()).encode("utf-8"))
    assert load_profile(path).id == "test-vendor"


@pytest.mark.parametrize(
    ("change", "code", "key"),
    [
        (lambda d: d.pop("vendor"), "missing_key", "vendor"),
        (lambda d: d["user_pin"].pop("min_length"), "missing_key", "user_pin.min_length"),
        (lambda d: d.pop("keys"), "missing_key", "keys"),
        (lambda d: d["keys"].update(types=["rsa2048", "sm3"]), "unknown_key_type", "keys.types[1]"),
        (lambda d: d["keys"].update(default="ed25519"), "unknown_key_type", "keys.default"),
        (lambda d: d["keys"].update(unsupported={"dsa": "no"}), "unknown_key_type", "keys.unsupported.dsa"),
        (lambda d: d["match"].update(atr=["3B 95 13 81 01 80 73 FF 01 00 0B", "3B 9X"]), "bad_atr_pattern", "match.atr[1]"),
        (lambda d: d["match"].update(atr=["3B 95 / FF"]), "bad_atr_pattern", "match.atr[0]"),
        (lambda d: d["user_pin"].update(min_lenght=6), "unknown_key", "user_pin.min_lenght"),
        (lambda d: d.update(colour="red"), "unknown_key", "colour"),
        (lambda d: d["match"]["tokens"].append({"manufacturer": "X", "modle": "Y"}), "unknown_key", "match.tokens[0].modle"),
        (lambda d: d["user_pin"].update(min_length="6"), "wrong_type", "user_pin.min_length"),
        (lambda d: d["user_pin"].update(max_length=True), "wrong_type", "user_pin.max_length"),
        (lambda d: d["keys"].update(on_token_keygen="yes"), "wrong_type", "keys.on_token_keygen"),
        (lambda d: d["match"].update(atr="3B 95"), "wrong_type", "match.atr"),
        (lambda d: d.update(schema=2), "bad_value", "schema"),
        (lambda d: d.update(id="Feitian ePass"), "bad_value", "id"),
        (lambda d: d["user_pin"].update(charset="hex"), "bad_value", "user_pin.charset"),
        (lambda d: d["token"].update(select_by=["slot"]), "bad_value", "token.select_by[0]"),
        (lambda d: d["token"].update(label_max_bytes=40), "bad_value", "token.label_max_bytes"),
        (lambda d: d["name"].update(zh=" "), "bad_value", "name.zh"),
        (lambda d: d["library"].update(windows=["vendorp11.dll"]), "bad_library_path", "library.windows[0]"),
        (lambda d: d["library"].update(linux=["lib/vendorp11.so"]), "bad_library_path", "library.linux[0]"),
        (lambda d: d.update(library={}), "missing_key", "library"),
        (lambda d: d["token"].update(label_format="{customer}-{user_no}"), "bad_label_format", "token.label_format"),
        (lambda d: d["token"].update(label_format="{customer_no!r}"), "bad_label_format", "token.label_format"),
        (lambda d: d["token"].update(label_format="{customer_no"), "bad_label_format", "token.label_format"),
        (lambda d: d["token"].update(label_format="{customer_no:d}"), "bad_label_format", "token.label_format"),
        (lambda d: d["token"].update(label_format="{customer_no} {user_no}"), "inconsistent", "token.label_format"),
        (lambda d: d["keys"].update(default="sm2"), "inconsistent", "keys.default"),
        (lambda d: d["keys"].update(unsupported={"rsa2048": "no"}), "inconsistent", "keys.unsupported.rsa2048"),
        (lambda d: d["user_pin"].update(max_length=4), "inconsistent", "user_pin.max_length"),
        (lambda d: d["user_pin"].update(generated_length=16), "inconsistent", "user_pin.generated_length"),
        (lambda d: d["so_pin"].update(source="not_needed"), "inconsistent", "so_pin.source"),
        (lambda d: d["so_pin"].update(value="1234"), "inconsistent", "so_pin.value"),
        (lambda d: d["so_pin"].update(source="default"), "missing_key", "so_pin.value"),
        (lambda d: d["so_pin"].update(source="derived"), "missing_key", "so_pin.derivation"),
        (lambda d: d["token"].update(initialisation="pre_initialised"), "inconsistent", "user_pin.transport"),
        (lambda d: d["user_pin"].update(transport="stock_record"), "inconsistent", "user_pin.transport"),
        (lambda d: d["device"].update(confirm_timeout_seconds=30), "inconsistent", "device.confirm_timeout_seconds"),
    ],
)
def test_loading_errors_name_the_file_and_the_key(
    write: Callable[..., Path], change: Callable[[dict[str, Any]], object], code: str, key: str
) -> None:
    error = _error(write(with_change(change)))
    assert (error.code, error.key) == (code, key), error.message


def test_error_codes_are_documented_for_branch_it() -> None:
    readme = (SHIPPED_FOLDER / "README.md").read_text(encoding="utf-8")
    for code in PROFILE_ERROR_CODES:
        assert f"`{code}`" in readme


def test_the_optional_fields_take_their_defaults(tmp_path: Path) -> None:
    profile = profile_from(base_profile(), tmp_path)
    assert profile.priority == 0 and profile.notes == "" and profile.token.label_max_bytes == 32
    assert profile.token.select_by == ("serial", "label") and profile.token.label_charset == "alphanumeric_dash"
    assert profile.user_pin.initial == "random_by_client" and profile.user_pin.reject_trivial
    assert profile.keys.max_key_pairs is None and profile.user_pin.max_attempts is None
    assert profile.device.button_to_sign is False and profile.device.confirm_timeout_seconds is None


def test_a_button_ukey_profile(tmp_path: Path) -> None:
    data = base_profile()
    data["device"] = {"kind": "usb_token", "button_to_sign": True, "display": True, "confirm_timeout_seconds": 60}
    caps = profile_from(data, tmp_path).device
    assert caps.button_to_sign and caps.display and caps.confirm_timeout_seconds == 60


# ---- folders: shipped, then branch IT's ----------------------------------------------------------------------------


def test_branch_folder_overrides_and_extends_by_id(write: Callable[..., Path], tmp_path: Path) -> None:
    shipped, branch = tmp_path / "shipped", tmp_path / "branch"
    write(base_profile("alpha", vendor="Shipped Alpha"), "alpha.toml", shipped)
    write(base_profile("beta"), "beta.toml", shipped)
    write(base_profile("alpha", vendor="Branch Alpha"), "zz-my-alpha.toml", branch)
    write(base_profile("gamma"), "gamma.toml", branch)
    profiles = load_profiles(shipped, [branch])
    assert [(p.id, p.vendor) for p in profiles] == [  # branch IT's folder first, each folder in file-name order
        ("gamma", "Test Vendor"),
        ("alpha", "Branch Alpha"),
        ("beta", "Test Vendor"),
    ]
    assert profiles[1].source == branch / "zz-my-alpha.toml"


def test_later_extra_folders_win_and_a_missing_one_is_skipped(write: Callable[..., Path], tmp_path: Path) -> None:
    shipped, first, second = tmp_path / "shipped", tmp_path / "first", tmp_path / "second"
    write(base_profile("alpha", vendor="shipped"), "a.toml", shipped)
    write(base_profile("alpha", vendor="first"), "a.toml", first)
    write(base_profile("alpha", vendor="second"), "a.toml", second)
    [profile] = load_profiles(shipped, [first, tmp_path / "not-made-yet", second])
    assert profile.vendor == "second"


def test_branch_profile_wins_an_atr_tie_over_a_shipped_one(write: Callable[..., Path], tmp_path: Path) -> None:
    shipped, branch = tmp_path / "shipped", tmp_path / "branch"
    write(base_profile("shipped-one"), "a.toml", shipped)
    write(base_profile("branch-one"), "b.toml", branch)
    found = profile_for_atr(VICC_ATR, load_profiles(shipped, [branch]))
    assert found is not None and found.id == "branch-one"


def test_with_no_extra_folder_the_shipped_profiles_are_used() -> None:
    assert {p.id for p in load_profiles(extra_folders=[])} == SHIPPED_IDS


def test_duplicate_id_in_one_folder(write: Callable[..., Path], tmp_path: Path) -> None:
    write(base_profile("alpha"), "a.toml")
    second = write(base_profile("alpha"), "b.toml")
    with pytest.raises(ProfileError) as raised:
        load_folder(tmp_path)
    assert (raised.value.code, raised.value.path, raised.value.key) == ("duplicate_id", second, "id")
    assert "a.toml" in raised.value.message


def test_hidden_and_underscore_files_are_skipped(write: Callable[..., Path], tmp_path: Path) -> None:
    write(base_profile("alpha"), "alpha.toml")
    write("not toml at all", "_disabled.toml")
    write("not toml at all", ".editor-backup.toml")
    write("# a note", "README.md")
    assert [p.id for p in load_folder(tmp_path)] == ["alpha"]


def test_a_broken_branch_file_stops_loading(write: Callable[..., Path], tmp_path: Path) -> None:
    branch = tmp_path / "branch"
    bad = write(with_change(lambda d: d["keys"].update(types=["sm9"])), "bad.toml", branch)
    with pytest.raises(ProfileError) as raised:
        load_profiles(extra_folders=[branch])
    assert raised.value.path == bad and raised.value.code == "unknown_key_type"


def test_a_file_given_as_a_folder(write: Callable[..., Path]) -> None:
    path = write(base_profile())
    with pytest.raises(ProfileError) as raised:
        load_profiles(extra_folders=[path])
    assert raised.value.code == "not_a_folder" and raised.value.path == path


# ---- the check command for branch IT -----------------------------------------------------------------------------


def test_check_command(write: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(base_profile("alpha"), "good.toml")
    assert profiles_cli(["check", str(good), str(SHIPPED_FOLDER)]) == 0
    out = capsys.readouterr().out
    assert "ok" in out and "alpha" in out and "EXAMPLE, not verified" in out
    bad = write(with_change(lambda d: d["user_pin"].pop("charset")), "bad.toml", tmp_path / "other")
    assert profiles_cli(["check", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "ERROR [missing_key]" in out and "user_pin.charset" in out and str(bad) in out


def test_atr_and_list_commands(write: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert profiles_cli(["atr", "3B 95 13 81 01 80 73 FF 01 00 0B"]) == 0
    assert "opensc" in capsys.readouterr().out
    assert profiles_cli(["atr", "3B 02 14 50"]) == 0
    assert "no profile matches" in capsys.readouterr().out
    assert profiles_cli(["atr", "3B .. 14 50"]) == 1
    branch = tmp_path / "branch"
    write(base_profile("alpha"), "a.toml", branch)
    assert profiles_cli(["list", "--extra", str(branch)]) == 0
    out = capsys.readouterr().out
    assert out.index("alpha") < out.index("softhsm2")
