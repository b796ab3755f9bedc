"""What is plugged into this counter: card readers and their cards, PKCS#11 modules and their tokens.

:func:`take_inventory` asks PC/SC for the readers (each card's ATR picks its vendor profile) and every
vendor library that the profiles name and that is installed for its tokens. Each library is asked in a
worker process of its own (:class:`~drivers.host.DeviceProcess`), all at once, each bounded by the same
timeout: a vendor library that hangs or crashes is reported as such and does not stop the others.
``teller-client devices`` prints the result for branch IT; the client's device panel will show it too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from drivers.host import DeviceHostError, DeviceProcess
from drivers.pcsc import PcscError, ReaderInfo, list_readers
from drivers.pkcs11 import Pkcs11Error, model
from drivers.pkcs11.model import TokenInfo
from drivers.profiles import VendorProfile, library_candidates, library_path, profile_for_atr, profile_for_token

log = logging.getLogger(__name__)

PKCS11_SERVICE = "drivers.pkcs11.service:Pkcs11Service"
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class ReaderReport:
    name: str
    card_present: bool
    atr: str | None
    profile: str | None
    """The id of the vendor profile the card's ATR matches."""


@dataclass(frozen=True)
class TokenReport:
    label: str
    serial: str
    manufacturer: str
    model: str
    slot: str
    profile: str | None
    initialised: bool
    user_pin_initialised: bool
    pin_state: str
    """``ok``, ``count_low``, ``final_try``, ``locked`` or ``to_be_changed``."""
    free_private_memory: int | None
    total_private_memory: int | None


@dataclass(frozen=True)
class ModuleReport:
    library: str | None
    """The library file found for these profiles; ``None`` when none of their candidates is installed."""
    profiles: tuple[str, ...]
    state: str
    """``ok``, ``not_installed``, ``timeout``, ``crashed`` or ``error``."""
    error_code: str | None = None
    message: str = ""
    tokens: tuple[TokenReport, ...] = ()
    looked_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class Inventory:
    readers: tuple[ReaderReport, ...]
    reader_error: tuple[str, str] | None
    """``(code, message)`` when PC/SC could not be asked (service not running, ...)."""
    modules: tuple[ModuleReport, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.reader_error is None and all(m.state in ("ok", "not_installed") for m in self.modules)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def pin_state(token: TokenInfo) -> str:
    for flag, state in (
        (model.CKF_USER_PIN_LOCKED, "locked"),
        (model.CKF_USER_PIN_FINAL_TRY, "final_try"),
        (model.CKF_USER_PIN_COUNT_LOW, "count_low"),
        (model.CKF_USER_PIN_TO_BE_CHANGED, "to_be_changed"),
    ):
        if token.flags & flag:
            return state
    return "ok"


def _token_report(token: TokenInfo, profiles: Sequence[VendorProfile], by_reader: dict[str, str | None]) -> TokenReport:
    matched = profile_for_token(token.manufacturer, token.model, profiles)
    profile = matched.id if matched is not None else by_reader.get(token.slot_description.strip())
    return TokenReport(
        token.label, token.serial, token.manufacturer, token.model, token.slot_description.strip(), profile,
        token.initialised, token.user_pin_initialised, pin_state(token), token.free_private_memory, token.total_private_memory,
    )  # fmt: skip


HostFactory = Callable[[str], DeviceProcess]


def _host(path: str) -> DeviceProcess:
    return DeviceProcess(PKCS11_SERVICE, path, name=f"pkcs11 {Path(path).name}")


def _ask_module(
    path: str, ids: tuple[str, ...], profiles: Sequence[VendorProfile], by_reader: dict[str, str | None], timeout: float, host: HostFactory
) -> ModuleReport:
    process = host(path)
    try:
        tokens = process.call("tokens", timeout=timeout)
    except DeviceHostError as exc:
        state = {"timeout": "timeout", "crashed": "crashed"}.get(exc.code, "error")
        return ModuleReport(path, ids, state, exc.code, str(exc))
    except Pkcs11Error as exc:
        return ModuleReport(path, ids, "error", exc.code, exc.message)
    finally:
        process.close()
    return ModuleReport(path, ids, "ok", tokens=tuple(_token_report(t, profiles, by_reader) for t in tokens))


def take_inventory(
    profiles: Sequence[VendorProfile],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    readers: Callable[..., list[ReaderInfo]] = list_readers,
    host: HostFactory = _host,
) -> Inventory:
    """Readers and tokens now; never raises for a device that misbehaves (it is reported instead)."""
    reader_error: tuple[str, str] | None = None
    try:
        found = readers(timeout=timeout)
    except PcscError as exc:
        found, reader_error = [], (exc.code, str(exc))
    reports = []
    for r in found:
        profile = profile_for_atr(r.atr, profiles) if r.atr else None
        reports.append(ReaderReport(r.name, r.card_present, r.atr_hex, profile.id if profile else None))
    by_reader = {r.name: r.profile for r in reports}

    libraries: dict[str, list[str]] = {}
    missing: list[ModuleReport] = []
    for profile in profiles:
        path = library_path(profile)
        if path is None:
            looked = tuple(str(p) for p in library_candidates(profile))
            missing.append(ModuleReport(None, (profile.id,), "not_installed", looked_in=looked))
        else:
            libraries.setdefault(str(path), []).append(profile.id)
    with ThreadPoolExecutor(max_workers=max(1, len(libraries))) as pool:
        futures = [pool.submit(_ask_module, path, tuple(ids), profiles, by_reader, timeout, host) for path, ids in libraries.items()]
        modules = [f.result() for f in futures]
    for m in modules:
        log.info("pkcs11 %s: %s, %d token(s)", m.library, m.state, len(m.tokens))
    return Inventory(tuple(reports), reader_error, tuple(modules + missing))
