"""Scanned symbol texts → a verified, valid form document."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from teller_client.domain.bank_time import BANK_TIME
from teller_client.domain.validation import validate
from teller_client.eform.assembler import PartAssembler
from teller_client.eform.errors import EformError, EformInvalidError
from teller_client.eform.keys import TrustedKeys
from teller_client.eform.payload import decode_payload
from teller_client.eform.signature import verify

"""The business date is the date in China (no tz database needed)."""


@dataclass(frozen=True)
class DecodedForm:
    document: dict[str, Any]
    verified: bool
    """``False`` only when unsigned forms are allowed and this one is not signed by a trusted key."""
    kid: str | None
    form_id: str


def decode_symbols(texts: Iterable[str], *, trusted: TrustedKeys, allow_unsigned: bool = False, now: datetime | None = None) -> DecodedForm:
    """Decode one form from its symbol texts (any order; blank texts skipped).

    Refuses (:class:`EformError`, code says why) anything outside the contract, in this order: the
    symbols and their limits, the payload's limits, the signature, ``form_id``, expiry, the content.
    """
    assembler = PartAssembler()
    for text in texts:
        if text.strip():
            assembler.add(text)
    payload = decode_payload(assembler.payload())
    form_id = assembler.form_id
    assert form_id is not None
    verdict = verify(payload.document_line, payload.signature_line, trusted, allow_unsigned=allow_unsigned)
    return check_document(payload.document, form_id, now=now, verified=verdict.verified, kid=verdict.kid)


def check_document(document: dict[str, Any], form_id: str, *, now: datetime | None, verified: bool, kid: str | None) -> DecodedForm:
    """The checks on an authentic document: its ``form_id``, its expiry, then the application rules."""
    when = now or datetime.now(UTC)
    if when.tzinfo is None:
        raise ValueError("now must carry a time zone")
    if document.get("form_id") != form_id:
        claimed = str(document.get("form_id"))[:40]
        raise EformError(
            "form_id_mismatch",
            f"The form number inside the e-form (/form_id {claimed}) is not the barcodes' form number {form_id}.",
            f"电子填单内的表单编号（/form_id {claimed}）与条码上的表单编号 {form_id} 不一致。",
        )
    expires = _timestamp(document.get("expires_at"))
    if expires is not None and expires <= when:
        raise EformError(
            "expired",
            f"Form {form_id} expired at {document['expires_at']} (/expires_at); the customer must fill in a new one.",
            f"表单 {form_id} 已于 {document['expires_at']} 过期（/expires_at），请客户重新填写。",
        )
    report = validate(document, today=when.astimezone(BANK_TIME).date())
    if not report.ok:
        raise EformInvalidError(report.errors or report.problems)
    return DecodedForm(document, verified, kid, form_id)


def _timestamp(value: Any) -> datetime | None:
    """``expires_at`` when it is a time with a zone (anything else is left for the validation to name)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
