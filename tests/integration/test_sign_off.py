"""Dual control at the desk against the training service: re-keyed critical fields, maker never approves, returns."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from teller_client.domain.document import read_document
from teller_client.domain.model import RequestKind
from teller_client.flows.sign_off import DeskSignOff, SignOffRefused, critical_fields
from teller_client.flows.signing import Page, SigningState
from teller_client.store.database import open_store
from teller_client.store.journal import Journal
from tests.support.central import BUSINESS_DATE, ClientFactory
from tests.support.documents import valid_document

pytestmark = pytest.mark.integration


def created(client_for: ClientFactory, maker: str = "T0001") -> tuple[object, object]:
    doc = valid_document()
    doc["form_id"] = "EF" + uuid.uuid4().hex[:12].upper()
    info = client_for(maker).create_application(
        doc, source="eform", form_id=doc["form_id"], verified=True, idempotency_key=str(uuid.uuid4())
    )
    application, _ = read_document(doc, BUSINESS_DATE)
    assert application is not None
    return info, application


def test_the_supervisor_approves_only_after_re_keying_the_uscc_and_the_paying_accounts(client_for: ClientFactory, tmp_path: Path) -> None:
    info, application = created(client_for)
    journal = Journal(open_store(tmp_path / "store.sqlite"))
    desk = DeskSignOff(application, info.id, info.snapshot_hash, info.maker, client_for("S0001"), journal)  # type: ignore[attr-defined, arg-type]
    keys = [f.key for f in desk.fields]
    assert keys[0] == "customer.uscc" and all(k.startswith("accounts.") for k in keys[1:]) and len(keys) >= 2
    for field in desk.fields:
        desk.rekey(field.key, field.expected)
    wrong = desk.fields[-1]
    assert not desk.rekey(wrong.key, wrong.expected[:-1] + ("0" if wrong.expected[-1] != "0" else "1"))
    with pytest.raises(SignOffRefused) as err:
        desk.approve()
    assert err.value.code == "rekey_mismatch" and wrong.label_zh in err.value.message_zh and wrong.expected not in err.value.message_zh
    assert desk.rekey(wrong.key, " ".join(wrong.expected[i : i + 4] for i in range(0, len(wrong.expected), 4)))  # spaces do not matter
    approved = desk.approve()
    assert approved.status == "approved"
    assert journal.pending() == []


def test_the_maker_never_approves_and_a_return_reaches_the_tellers_draft(client_for: ClientFactory, tmp_path: Path) -> None:
    journal = Journal(open_store(tmp_path / "store.sqlite"))
    info, application = created(client_for)
    with pytest.raises(SignOffRefused) as err:  # the maker signs in as the "supervisor" at their own desk
        DeskSignOff(application, info.id, info.snapshot_hash, info.maker, client_for("T0001"), journal)  # type: ignore[attr-defined, arg-type]
    assert err.value.code == "maker_cannot_approve"
    with pytest.raises(SignOffRefused) as other:
        DeskSignOff(application, info.id, info.snapshot_hash, info.maker, client_for("T0002"), journal)  # type: ignore[attr-defined, arg-type]
    assert other.value.code == "not_a_supervisor"

    info, application = created(client_for)
    desk = DeskSignOff(application, info.id, info.snapshot_hash, info.maker, client_for("S0001"), journal)  # type: ignore[attr-defined, arg-type]
    with pytest.raises(SignOffRefused):
        desk.send_back("  ")
    returned = desk.send_back("账户 2 的权限与申请表不符")
    assert returned.status == "returned"
    seen_by_teller = client_for("T0001").application(info.id)  # type: ignore[attr-defined]
    reason = next(h.reason for h in reversed(seen_by_teller.history) if h.action in ("return", "returned"))
    state = SigningState(RequestKind.NEW, page=Page.SIGN_OFF).with_return(reason or "")
    assert state.page == Page.REVIEW and state.returned_reason == "账户 2 的权限与申请表不符"


def test_critical_fields_are_the_uscc_and_only_the_accounts_that_can_pay() -> None:
    application, _ = read_document(valid_document(), BUSINESS_DATE)
    assert application is not None
    fields = critical_fields(application)
    paying = [a.number for a in application.accounts if a.can_pay]
    assert [f.expected for f in fields] == [application.customer.uscc, *paying]
