"""Collect the parts of one form as they are scanned, in any order."""

from __future__ import annotations

from typing import NamedTuple

from teller_client.eform.errors import EformError
from teller_client.eform.symbols import Symbol, parse_symbol


class Progress(NamedTuple):
    received: int
    total: int
    """0 before the first part."""
    missing: list[int]
    """The part numbers still to scan, in order."""


class PartAssembler:
    """Parts of one form: :meth:`add` each scan; when :attr:`complete`, :meth:`payload` joins them.

    A refused scan (misread, conflict, another form) leaves the parts already read as they were.
    A part of another form after this one is complete starts over with that form.
    """

    def __init__(self) -> None:
        self._parts: dict[int, Symbol] = {}
        self._form_id: str | None = None
        self._total = 0

    @property
    def form_id(self) -> str | None:
        return self._form_id

    @property
    def progress(self) -> Progress:
        missing = [i for i in range(1, self._total + 1) if i not in self._parts]
        return Progress(len(self._parts), self._total, missing)

    @property
    def complete(self) -> bool:
        return self._total > 0 and len(self._parts) == self._total

    def reset(self) -> None:
        self._parts.clear()
        self._form_id = None
        self._total = 0

    def add(self, text: str) -> Progress:
        """Add one scanned symbol text; raise :class:`EformError` (nothing kept from it) when it cannot be used."""
        symbol = parse_symbol(text)
        if self._form_id is not None and symbol.form_id != self._form_id:
            if not self.complete:
                received, total, missing = self.progress
                raise EformError(
                    "other_form",
                    f"This barcode belongs to form {symbol.form_id}, but form {self._form_id} is not finished "
                    f"({received} of {total} read; still to scan: {_list(missing)}). Finish it or start over.",
                    f"该条码属于表单 {symbol.form_id}，但表单 {self._form_id} 尚未扫完"
                    f"（已读 {received}/{total}，还需扫描第 {_list(missing)} 个）。请扫完或重新开始。",
                    part=symbol.index,
                )
            self.reset()
        if self._form_id is not None and symbol.total != self._total:
            raise EformError(
                "part_conflict",
                f"Barcode {symbol.index} of form {symbol.form_id} says the form has {symbol.total} barcodes, "
                f"the earlier ones said {self._total}. The printed form may have been altered; check it.",
                f"表单 {symbol.form_id} 的第 {symbol.index} 个条码称共有 {symbol.total} 个条码，"
                f"之前的条码称共有 {self._total} 个。纸质表单可能被改动，请核实。",
                part=symbol.index,
            )
        earlier = self._parts.get(symbol.index)
        if earlier is not None and earlier != symbol:
            raise EformError(
                "part_conflict",
                f"Barcode {symbol.index} of form {symbol.form_id} was scanned before with different content. "
                "The printed form may have been altered; check it.",
                f"表单 {symbol.form_id} 的第 {symbol.index} 个条码之前扫描过，但内容不同。纸质表单可能被改动，请核实。",
                part=symbol.index,
            )
        self._form_id = symbol.form_id
        self._total = symbol.total
        self._parts[symbol.index] = symbol
        return self.progress

    def payload(self) -> str:
        """``DATA(1) + ... + DATA(N)``; raise ``incomplete`` naming the parts still missing."""
        if not self.complete:
            received, total, missing = self.progress
            if total == 0:
                raise EformError("incomplete", "No e-form barcode was scanned.", "没有扫描到电子填单条码。")
            raise EformError(
                "incomplete",
                f"Form {self._form_id} is not complete: {received} of {total} barcodes read, still to scan: {_list(missing)}.",
                f"表单 {self._form_id} 尚未扫完：已读 {received}/{total} 个条码，还需扫描第 {_list(missing)} 个。",
                part=missing[0],
            )
        return "".join(self._parts[i].data for i in range(1, self._total + 1))


def _list(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)
