"""The counter's devices for the media and completion steps, built from its settings.

Settings (``teller-client settings set KEY VALUE``; values are JSON or plain text)::

    ukey.profile           the UKey vendor profile's id (``python -m drivers.profiles list`` shows them), e.g.
                           feitian-epass2003. Default: the first profile, in precedence order, whose PKCS#11 library
                           is installed on this computer; in training mode the SoftHSM2 profile first when SoftHSM2
                           is installed, outside training never SoftHSM2 (it is not a UKey) unless named here.
    ukey.library           the vendor's PKCS#11 library file, when it is not where the profile looks
                           (e.g. 'C:\\Vendor\\p11.dll'); overrides the profile's candidates.
    ukey.profile_folders   branch IT's own profile folder(s) (a path, or a JSON list of paths), read after the
                           shipped profiles: a profile there replaces a shipped one with the same id.
    bank.name              the bank's name printed on letters, confirmations and slips (training default 示例银行;
                           required outside training).
    branch.name            the branch's name printed on the same papers (training default 营业部; required outside
                           training).
    printer.letter, printer.documents, printer.letter_layout, printer.timeout_seconds, printer.id
                           see :mod:`teller_client.flows.printers`.

Everything missing or wrong is a :class:`~teller_client.errors.ConfigurationError` whose message names the setting
to set. Building reads files (the vendor profiles) and checks that the library exists: call on a worker. The
:class:`~teller_client.flows.token_gateway.TokenGateway` made here starts its worker process only at its first call;
its owner closes it.

:func:`teller_client.flows.media.submitted_plan` finds a submission's media plan in the journal (after a restart the session no longer holds
it), whether or not its media are all finished.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drivers.printing import Printer
from drivers.profiles import ProfileError, VendorProfile, library_candidates, library_path, load_profiles, profile_by_id
from teller_client.errors import ConfigurationError
from teller_client.flows.letters import LetterStation
from teller_client.flows.printers import letter_layout, print_timeout, printer_for, printer_id
from teller_client.flows.token_gateway import GatewayTimeouts, TokenGateway

log = logging.getLogger(__name__)

TRAINING_PROFILE = "softhsm2"
"""The software token of tests and training: preferred in training mode, never chosen by default outside it."""
TRAINING_BANK_NAME = "示例银行"
TRAINING_BRANCH_NAME = "营业部"


@dataclass(frozen=True)
class UKeyDriver:
    """The vendor profile this counter's UKeys follow and the PKCS#11 library that drives them."""

    profile: VendorProfile
    library: Path


def _text(settings: dict[str, Any], key: str) -> str | None:
    """The setting as stripped text; ``None`` when unset or empty; a non-text value is refused naming the key."""
    value = settings.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigurationError(
            f"The setting {key} must be text; branch IT sets it with `teller-client settings set {key} VALUE`.",
            f"设置项 {key} 须为文本，请网点 IT 执行 `teller-client settings set {key} 值` 重新设置。",
            code="setting_invalid",
        )
    return value.strip() or None


def profile_folders(settings: dict[str, Any]) -> list[Path]:
    """Branch IT's profile folders (setting ``ukey.profile_folders``: one path or a list of paths)."""
    value = settings.get("ukey.profile_folders")
    if value is None or value == "":
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) and item.strip() for item in items):
        raise ConfigurationError(
            "The setting ukey.profile_folders must be a folder path or a JSON list of folder paths.",
            "设置项 ukey.profile_folders 须为一个文件夹路径，或文件夹路径的 JSON 列表。",
            code="setting_invalid",
        )
    return [Path(item.strip()) for item in items]


def vendor_profiles(settings: dict[str, Any]) -> list[VendorProfile]:
    """The shipped profiles and branch IT's (``ukey.profile_folders``); a broken profile file names itself."""
    folders = profile_folders(settings)
    try:
        return load_profiles(extra_folders=folders)
    except ProfileError as exc:
        raise ConfigurationError(
            f"A UKey vendor profile cannot be read: {exc} (setting ukey.profile_folders).",
            f"UKey 厂商配置文件无法读取：{exc}（设置项 ukey.profile_folders）。",
            code="ukey_profile_invalid",
        ) from exc


def ukey_driver(
    settings: dict[str, Any],
    *,
    training: bool,
    profiles: Sequence[VendorProfile] | None = None,
    exists: Callable[[Path], bool] = Path.is_file,
) -> UKeyDriver:
    """The profile (``ukey.profile`` or the default) and its library (``ukey.library`` or the profile's candidates)."""
    known = list(profiles) if profiles is not None else vendor_profiles(settings)
    chosen_id = _text(settings, "ukey.profile")
    explicit = _text(settings, "ukey.library")
    if explicit is not None and not exists(Path(explicit)):
        raise ConfigurationError(
            f"The setting ukey.library names {explicit}, which is not a file here; branch IT installs the vendor's "
            "driver or corrects the path (`teller-client settings set ukey.library PATH`).",
            f"设置项 ukey.library 指向的 {explicit} 在本机不存在；请网点 IT 安装厂商驱动或更正路径"
            "（`teller-client settings set ukey.library 路径`）。",
            code="ukey_library_missing",
        )
    if chosen_id is not None:
        profile = profile_by_id(chosen_id, known)
        if profile is None:
            names = ", ".join(p.id for p in known) or "-"
            raise ConfigurationError(
                f"The setting ukey.profile names {chosen_id!r}, which is not a known UKey vendor profile (known: {names}); "
                "branch IT sets it with `teller-client settings set ukey.profile ID`.",
                f"设置项 ukey.profile 指定的 {chosen_id!r} 不是已知的 UKey 厂商配置（已知：{names}）；"
                "请网点 IT 执行 `teller-client settings set ukey.profile 配置ID` 重新设置。",
                code="ukey_profile_unknown",
            )
        if explicit is not None:
            return UKeyDriver(profile, Path(explicit))
        found = library_path(profile, exists=exists)
        if found is None:
            looked = ", ".join(str(p) for p in library_candidates(profile)) or "-"
            raise ConfigurationError(
                f"The PKCS#11 library of the UKey profile {profile.id} is not installed here (looked for: {looked}); "
                "branch IT installs the vendor's driver, or sets its path with `teller-client settings set ukey.library PATH`.",
                f"本机未安装 UKey 厂商配置 {profile.id} 的 PKCS#11 驱动库（查找位置：{looked}）；"
                "请网点 IT 安装厂商驱动，或执行 `teller-client settings set ukey.library 路径` 指定其位置。",
                code="ukey_library_missing",
            )
        return UKeyDriver(profile, found)
    others = [p for p in known if p.id != TRAINING_PROFILE]
    candidates = [p for p in known if p.id == TRAINING_PROFILE] + others if training else others
    if explicit is not None:  # which profile's rules go with this library: the one that names a file of that name
        name = Path(explicit).name.casefold()
        matching = [p for p in candidates if any(c.name.casefold() == name for c in library_candidates(p))]
        if not matching:
            raise ConfigurationError(
                f"No UKey vendor profile is known for the library {explicit}; branch IT names the profile with "
                "`teller-client settings set ukey.profile ID`.",
                f"无法确定驱动库 {explicit} 对应的 UKey 厂商配置；请网点 IT 执行 `teller-client settings set ukey.profile 配置ID` 指定。",
                code="ukey_profile_needed",
            )
        return UKeyDriver(matching[0], Path(explicit))
    for profile in candidates:
        found = library_path(profile, exists=exists)
        if found is not None:
            log.info("UKey profile %s (library %s) chosen by default", profile.id, found)
            return UKeyDriver(profile, found)
    raise ConfigurationError(
        "No UKey vendor library is installed on this computer; branch IT installs the vendor's driver and names it with "
        "`teller-client settings set ukey.profile ID` (and ukey.library when it is elsewhere).",
        "本机未安装任何 UKey 厂商驱动库；请网点 IT 安装厂商驱动，并执行 `teller-client settings set ukey.profile 配置ID` 指定"
        "（驱动库不在默认位置时另设 ukey.library）。",
        code="ukey_not_installed",
    )


def token_gateway(
    settings: dict[str, Any],
    *,
    training: bool,
    profiles: Sequence[VendorProfile] | None = None,
    timeouts: GatewayTimeouts | None = None,
) -> TokenGateway:
    """The UKeys of this counter's vendor, through a worker process started at the first call (close it after)."""
    driver = ukey_driver(settings, training=training, profiles=profiles)
    return TokenGateway(driver.profile, str(driver.library), timeouts=timeouts)


def bank_names(settings: dict[str, Any], *, training: bool) -> tuple[str, str]:
    """(bank name, branch name) for the papers: ``bank.name``, ``branch.name``; training has defaults."""
    names = []
    for key, default, zh in (("bank.name", TRAINING_BANK_NAME, "银行名称"), ("branch.name", TRAINING_BRANCH_NAME, "网点名称")):
        value = _text(settings, key)
        if value is None:
            if not training:
                raise ConfigurationError(
                    f"The setting {key} is not set: it is printed on every letter and confirmation. Branch IT sets it with "
                    f"`teller-client settings set {key} NAME`.",
                    f"未设置 {key}（{zh}），信函和确认书上须打印该名称；请网点 IT 执行 `teller-client settings set {key} 名称`。",
                    code="setting_missing",
                )
            value = default
        names.append(value)
    return names[0], names[1]


def letter_station(settings: dict[str, Any], *, training: bool) -> LetterStation:
    """Where this counter prints password and PIN letters (``printer.letter`` and its layout, id and time limit)."""
    bank, branch = bank_names(settings, training=training)
    return LetterStation(
        printer=printer_for(settings, "letter"),
        printer_id=printer_id(settings),
        layout=letter_layout(settings),
        bank_name=bank,
        branch_name=branch,
        training=training,
        timeout=print_timeout(settings),
    )


def documents_printer(settings: dict[str, Any]) -> Printer:
    """The A4 printer for confirmations and handover slips (``printer.documents``, default ``printer.letter``)."""
    return printer_for(settings, "documents")
