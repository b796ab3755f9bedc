"""Which printer prints what at this counter, from the settings, and the letter layout's calibration.

Settings (``teller-client settings set KEY VALUE``; the values are the printer specs of
:func:`drivers.printing.printer_from_spec`)::

    printer.letter         raw:10.8.1.20:9100 | cups:LETTERS | qt:Letter printer | windows:Letter printer | escp+raw:HOST:PORT
                           | escp+file:/dev/usb/lp0   (qt: any printer of the system's spooler, through its driver)
    printer.documents      the A4 printer for confirmations, handover slips and reports (default: printer.letter)
    printer.letter_layout  {"page_width_mm": 241, "page_height_mm": 140, "offset_x_mm": 1.5, "offset_y_mm": -2, ...}
    printer.timeout_seconds  how long a job may take to reach the printer (default 60)
    printer.id             the letter printer's name in the central record (default: workstation id + "-LETTER")

A missing or unusable setting is a :class:`~teller_client.errors.ConfigurationError` that says which key to set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from drivers.printing import Printer, PrintError, printer_from_spec
from teller_client.documents.letters import LetterLayout
from teller_client.errors import ConfigurationError
from teller_client.flows.device_errors import device_error

DocumentKind = Literal["letter", "documents"]
DEFAULT_TIMEOUT = 60.0


def printer_spec(settings: dict[str, Any], kind: DocumentKind) -> str:
    spec = settings.get(f"printer.{kind}") or (settings.get("printer.letter") if kind == "documents" else None)
    if not isinstance(spec, str) or not spec.strip():
        command = f"teller-client settings set printer.{kind} raw:HOST:9100"
        raise ConfigurationError(
            f"No printer is set for {kind}: branch IT sets it with `{command}` (or cups:QUEUE).",
            f"未设置{'信函' if kind == 'letter' else '单据'}打印机：请网点 IT 执行 `{command}`（或 cups:队列名）。",
            code="printer_not_configured",
        )
    return spec.strip()


_BACKENDS: dict[str, Callable[[str], Printer]] = {}
"""Printer kinds the drivers cannot make (they need Qt): ``qt`` is registered by the GUI, see ``ui/spooler_printer``."""


def register_backend(prefix: str, factory: Callable[[str], Printer]) -> None:
    """Make ``PREFIX:REST`` specs build ``factory(REST)``."""
    _BACKENDS[prefix] = factory


def printer_for(settings: dict[str, Any], kind: DocumentKind, spec: str | None = None) -> Printer:
    """The printer for ``kind`` (or the given ``spec``), or a :class:`ConfigurationError` naming the setting."""
    text = spec or printer_spec(settings, kind)
    prefix, _, rest = text.partition(":")
    try:
        if prefix in _BACKENDS:
            return _BACKENDS[prefix](rest)
        if prefix == "qt":
            raise PrintError("invalid_settings", "qt: printers print from the desktop program (or print-test)", printer=text)
        return printer_from_spec(text)
    except PrintError as exc:
        error = device_error(exc)
        raise ConfigurationError(f"{error.message_en} ({text})", f"{error.message_zh}（{text}）", code="printer_invalid") from exc


def letter_layout(settings: dict[str, Any]) -> LetterLayout:
    values = settings.get("printer.letter_layout") or {}
    if not isinstance(values, dict):
        raise ConfigurationError(
            "printer.letter_layout must be a JSON object of millimetre values.", "printer.letter_layout 须为以毫米为单位的 JSON 对象。"
        )
    try:
        return LetterLayout.from_settings(values)
    except ValueError as exc:
        raise ConfigurationError(
            f"printer.letter_layout: {exc}", f"printer.letter_layout 设置有误：{exc}", code="letter_layout_invalid"
        ) from exc


def print_timeout(settings: dict[str, Any]) -> float:
    value = settings.get("printer.timeout_seconds", DEFAULT_TIMEOUT)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= 600:
        raise ConfigurationError(
            "printer.timeout_seconds must be a number of seconds from 1 to 600.", "printer.timeout_seconds 须为 1 至 600 之间的秒数。"
        )
    return float(value)


def printer_id(settings: dict[str, Any]) -> str:
    explicit = settings.get("printer.id")
    if isinstance(explicit, str) and explicit.strip():
        return explicit.strip()
    return f"{settings.get('workstation.id') or 'COUNTER'}-LETTER"
