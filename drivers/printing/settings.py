"""Printer settings strings: one line names a printer and how to reach it.

=================================  ============================================================================
``raw:HOST[:PORT]``                raw TCP ("9100") printer that prints PDF directly; port 9100 by default;
                                   an IPv6 address in brackets: ``raw:[fd00::12]:9100``
``cups:QUEUE[@SERVER]``            CUPS queue (Linux), on the default server or on ``SERVER``
                                   (``host``, ``host:port`` or a socket path)
``windows:NAME``                   Windows printer, by the name Windows shows (``windows:\\\\srv\\letters``)
``escp+raw:HOST[:PORT]``           ESC/P dot-matrix printer over raw TCP (a print server's port)
``escp+file:PATH``                 ESC/P dot-matrix printer on a device (``/dev/usb/lp0``, ``LPT1``)
=================================  ============================================================================

Each printer's ``name`` is its settings string in this form, so ``printer_from_spec(p.name).name == p.name``.
"""

from __future__ import annotations

import re

from drivers.printing.cups import CupsPrinter
from drivers.printing.device_file import DeviceFilePrinter
from drivers.printing.errors import PrintError
from drivers.printing.escp import EscpPrinter
from drivers.printing.model import Printer
from drivers.printing.raw_socket import DEFAULT_PORT, RawSocketPrinter
from drivers.printing.windows import WindowsSpoolerPrinter

SPEC_FORMATS = "raw:HOST[:PORT], cups:QUEUE[@SERVER], windows:NAME, escp+raw:HOST[:PORT] or escp+file:PATH"
_HOST_PORT = re.compile(r"(?:\[(?P<v6>[0-9A-Fa-f:.%\w]+)\]|(?P<host>[^\s:\[\]/]+))(?::(?P<port>\d{1,5}))?")


def _invalid(spec: str, why: str) -> PrintError:
    return PrintError("invalid_settings", f"Printer setting {spec!r}: {why}. Use {SPEC_FORMATS}.")


def _raw(spec: str, rest: str) -> RawSocketPrinter:
    match = _HOST_PORT.fullmatch(rest)
    if match is None:
        raise _invalid(spec, "expected HOST or HOST:PORT, with an IPv6 address in brackets")
    host = match["v6"] or match["host"]
    port = int(match["port"]) if match["port"] else DEFAULT_PORT
    if not 0 < port < 65536:
        raise _invalid(spec, "the port must be from 1 to 65535")
    return RawSocketPrinter(host, port)


def printer_from_spec(spec: str) -> Printer:
    """The printer a settings string names (see the module's table); ``invalid_settings`` when it names none.

    Nothing is contacted: a printer that does not exist is found out when a job is sent.
    """
    if not isinstance(spec, str):
        raise PrintError("invalid_settings", f"A printer setting must be text. Use {SPEC_FORMATS}.")
    text = spec.strip()
    kind, colon, rest = text.partition(":")
    if not colon or not rest:
        raise _invalid(spec, "expected KIND:WHERE")
    kind = kind.lower()
    try:
        if kind == "raw":
            return _raw(spec, rest)
        if kind == "escp+raw":
            return EscpPrinter(_raw(spec, rest))
        if kind == "escp+file":
            return EscpPrinter(DeviceFilePrinter(rest))
        if kind == "cups":
            queue, at, server = rest.partition("@")
            if at and not server:
                raise _invalid(spec, "expected QUEUE@SERVER")
            return CupsPrinter(queue, server=server or None)
        if kind == "windows":
            return WindowsSpoolerPrinter(rest)
    except PrintError as exc:
        if exc.code == "invalid_settings" and "Printer setting" not in exc.message:
            raise _invalid(spec, exc.message.rstrip(".")) from None
        raise
    raise _invalid(spec, f"unknown printer kind {kind!r}")
