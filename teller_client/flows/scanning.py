"""What a scan means at the counter, whatever scanner it came from (keyboard wedge, serial port, image file).

A :class:`ScanSession` takes each scanned text and says what it is: a part of an
e-form (fed to the :class:`~teller_client.eform.PartAssembler`; progress, or a
refusal that keeps the parts already read), the QR code of a business licence
(its USCC), or something else. When every part of a form is in, the texts go to
:func:`read_form` on a worker: the full check of the contract, with the keys and
policy of this deployment (:class:`EformPolicy`, from the settings). A read form
becomes a draft (:func:`save_as_draft`), so nothing scanned is lost.

No Qt here: the window shows what these return.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from teller_client.domain.licence import looks_like_licence, uscc_from_licence_text
from teller_client.eform.assembler import PartAssembler, Progress
from teller_client.eform.decoder import DecodedForm, decode_symbols
from teller_client.eform.errors import EformError
from teller_client.eform.keys import TrustedKeys
from teller_client.eform.symbols import is_eform, parse_symbol
from teller_client.errors import ConfigurationError, TellerError
from teller_client.store.database import Store
from teller_client.store.drafts import DraftRepository


class ScanKind(StrEnum):
    PART = "part"
    """A new part of the e-form being read (``progress`` says how far)."""
    DUPLICATE = "duplicate"
    """A part already read, scanned again (harmless)."""
    COMPLETE = "complete"
    """The last part: ``texts`` are ready for :func:`read_form`."""
    REFUSED = "refused"
    """An e-form part that cannot be used (misread, other form, ...): ``error`` says why; the parts read are kept."""
    LICENCE = "licence"
    """A business licence's QR code: ``uscc`` is the customer's code."""
    UNKNOWN = "unknown"
    """Neither an e-form part nor a licence (``error`` says so)."""


@dataclass(frozen=True)
class ScanResult:
    kind: ScanKind
    progress: Progress = field(default_factory=lambda: Progress(0, 0, []))
    form_id: str | None = None
    part: int | None = None
    texts: tuple[str, ...] = ()
    uscc: str | None = None
    error: TellerError | None = None


class ScanSession:
    """The parts of the form being scanned; survives refused scans; starts over on :meth:`reset`."""

    def __init__(self) -> None:
        self._assembler = PartAssembler()
        self._texts: dict[int, str] = {}

    @property
    def progress(self) -> Progress:
        return self._assembler.progress

    @property
    def form_id(self) -> str | None:
        return self._assembler.form_id

    def reset(self) -> None:
        self._assembler.reset()
        self._texts.clear()

    def feed(self, text: str) -> ScanResult:
        """One scanned text, from any scanner."""
        if is_eform(text):
            return self._feed_part(text)
        if looks_like_licence(text):
            try:
                return ScanResult(ScanKind.LICENCE, self.progress, self.form_id, uscc=uscc_from_licence_text(text))
            except TellerError as exc:
                return ScanResult(ScanKind.REFUSED, self.progress, self.form_id, error=exc)
        error = TellerError(
            "This barcode is neither an e-form nor a business licence.", "该条码既不是电子填单，也不是营业执照。", code="unknown_barcode"
        )
        return ScanResult(ScanKind.UNKNOWN, self.progress, self.form_id, error=error)

    def _feed_part(self, text: str) -> ScanResult:
        if self._assembler.complete:  # the form before this one was handed over: a new form starts
            self.reset()
        try:
            symbol = parse_symbol(text)
            known = symbol.index in self._texts and symbol.form_id == self._assembler.form_id
            progress = self._assembler.add(text)
        except EformError as exc:
            return ScanResult(ScanKind.REFUSED, self.progress, self.form_id, part=exc.part, error=exc)
        if known:
            return ScanResult(ScanKind.DUPLICATE, progress, symbol.form_id, part=symbol.index)
        self._texts[symbol.index] = symbol.text
        if self._assembler.complete:
            texts = tuple(self._texts[i] for i in sorted(self._texts))
            return ScanResult(ScanKind.COMPLETE, progress, symbol.form_id, part=symbol.index, texts=texts)
        return ScanResult(ScanKind.PART, progress, symbol.form_id, part=symbol.index)


@dataclass(frozen=True)
class EformPolicy:
    """Which e-forms this deployment accepts: the trusted keys by ``kid`` and whether unsigned forms may be used.

    Settings: ``eform.trusted_keys`` (an object ``{"KID": "path/to/public-key.pem"}``) and
    ``eform.allow_unsigned`` (``true`` marks such forms unverified instead of refusing them). In training
    mode the shipped ``TRAINING`` key is trusted as well.
    """

    key_files: dict[str, Path] = field(default_factory=dict)
    allow_unsigned: bool = False
    training: bool = False

    @classmethod
    def read(cls, get: Callable[[str], Any], *, training: bool) -> EformPolicy:
        keys = get("eform.trusted_keys") or {}
        if not isinstance(keys, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in keys.items()):
            raise ConfigurationError(
                'The setting eform.trusted_keys must be an object like {"KID": "path/to/key.pem"}.',
                '设置项 eform.trusted_keys 须为形如 {"KID": "公钥文件路径.pem"} 的对象。',
                code="bad_setting",
            )
        return cls({k: Path(v) for k, v in keys.items()}, get("eform.allow_unsigned") is True, training)

    def trusted(self) -> TrustedKeys:
        return TrustedKeys.from_files(self.key_files, training=self.training)


def read_form(texts: Sequence[str], policy: EformPolicy, now: datetime | None = None) -> DecodedForm:
    """Every check of the contract on a complete set of parts (run it on a worker: it reads the key files)."""
    return decode_symbols(texts, trusted=policy.trusted(), allow_unsigned=policy.allow_unsigned, now=now)


@dataclass(frozen=True)
class SavedForm:
    draft_id: str
    title: str
    new: bool
    """``False`` when an open draft of this form already existed (scanning twice makes one draft)."""


def save_as_draft(store: Store, form: DecodedForm, teller_id: str) -> SavedForm:
    """The read form as a draft of ``teller_id`` (source ``eform``), or the open draft that already holds it."""
    drafts = DraftRepository(store)
    customer = form.document.get("customer")
    title = str(customer.get("name") or "") if isinstance(customer, dict) else ""
    for summary in drafts.open_drafts(teller_id):
        if summary.source == "eform" and summary.form_id == form.form_id:
            return SavedForm(summary.id, summary.title or title, new=False)
    draft_id = drafts.create(source="eform", created_by=teller_id, form_id=form.form_id, verified=form.verified, title=title)
    drafts.save(draft_id, form.document, saved_by=teller_id, step="intake")
    return SavedForm(draft_id, title, new=True)
