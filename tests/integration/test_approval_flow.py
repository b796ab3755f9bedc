"""Sending a signing session for approval and reading the decision, against the training service over HTTP."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests

from teller_client.api.client import CentralClient
from teller_client.api.errors import PermissionDeniedError, ServiceUnavailableError
from teller_client.errors import ConfigurationError
from teller_client.flows import approval
from teller_client.flows.approval import (
    ApprovalRefused,
    ApprovalRequest,
    QueueDecision,
    SubmissionOptions,
    accept,
    fetch,
    send,
    submit_approved,
)
from teller_client.flows.media import SUBMISSION_KIND
from teller_client.flows.signing import FlowRefused, Page
from teller_client.flows.signing_session import SigningSession
from teller_client.store.database import Store, open_store
from teller_client.store.drafts import DraftRepository
from teller_client.store.journal import DONE, Journal
from tests.support.central import BUSINESS_DATE, TRAINING_PASSWORD, ClientFactory, ContractRecorder
from tests.support.documents import valid_document

pytestmark = pytest.mark.integration


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(tmp_path / "store.sqlite")


def on_sign_off(store: Store, document: dict[str, Any] | None = None) -> SigningSession:
    """A valid e-form draft standing on the sign-off page (the pages before it done)."""
    doc = document or valid_document()
    doc["form_id"] = "EF" + uuid.uuid4().hex[:14].upper()
    draft_id = DraftRepository(store).create(source="eform", created_by="T0001", form_id=doc["form_id"], verified=True)
    session = SigningSession(draft_id=draft_id, document=doc, teller="T0001", source="eform", verified=True, today=BUSINESS_DATE)
    pages = session.state.pages
    session.state = replace(session.state, page=Page.SIGN_OFF, visited=frozenset(pages[: pages.index(Page.SIGN_OFF) + 1]), intake_done=True)
    assert session.state.snapshot_hash is not None and not session.state.blocking(Page.REVIEW)
    return session


def send_now(session: SigningSession, teller: CentralClient, journal: Journal) -> approval.Decision:
    request = ApprovalRequest.of(session, "T0001")
    return accept(session, send(request, teller, journal), sent_hash=request.snapshot_hash)


def decide(supervisor: CentralClient, session: SigningSession, decision: str, reason: str | None = None) -> None:
    assert session.application_id is not None and session.state.snapshot_hash is not None
    QueueDecision(session.application_id, session.state.snapshot_hash, "T0001", decision, reason).send(supervisor)


def test_the_first_sending_creates_the_application_with_the_sessions_own_snapshot(
    client_for: ClientFactory, store: Store, tmp_path: Path
) -> None:
    session, journal = on_sign_off(store), Journal(store)
    decision = send_now(session, client_for("T0001"), journal)

    assert decision.status == "pending_approval" and decision.changed
    assert session.application_id is not None and session.status == "pending_approval"
    info = client_for("S0001").application(session.application_id)
    assert info.maker == "T0001" and info.status == "pending_approval"
    assert info.snapshot_hash == session.state.snapshot_hash  # the service hashes the document as the client does
    assert [e.state for e in journal.for_subject(session.draft_id)] == [DONE]
    queue = {item.id: item for item in client_for("S0002").review_queue()}
    assert queue[session.application_id].maker == "T0001"

    # looking again while it waits changes nothing, and makes no second application
    again = send_now(session, client_for("T0001"), journal)
    assert again.status == "pending_approval" and not again.changed and again.application_id == session.application_id
    assert [item.id for item in client_for("S0002").review_queue()] == list(queue)


def test_a_sending_whose_answer_was_lost_is_asked_again_with_the_same_key_and_gives_the_same_application(
    training_service: str, contract: ContractRecorder, client_for: ClientFactory, store: Store
) -> None:
    session, journal = on_sign_off(store), Journal(store)
    lost: list[str] = []

    def lose_the_first_answer(response: requests.Response, *args: object, **kwargs: object) -> None:
        if response.request.method == "POST" and str(response.request.url).endswith("/applications") and not lost:
            lost.append(response.json()["id"])  # the service made it; the teller's client never hears so
            raise requests.exceptions.ConnectionError("connection reset")

    http = contract.session()
    http.hooks["response"].append(lose_the_first_answer)
    teller = CentralClient(training_service, session=http, workstation_id="TEST-WS-01")
    teller.login("T0001", TRAINING_PASSWORD)

    request = ApprovalRequest.of(session, "T0001")
    with pytest.raises(ServiceUnavailableError):
        send(request, teller, journal)
    assert session.application_id is None and len(lost) == 1
    pending = journal.pending()
    assert [(e.kind, e.subject) for e in pending] == [(approval.CREATE_KIND, session.draft_id)]

    decision = send_now(session, teller, journal)  # the retry: same key, the service replays its first answer

    assert session.application_id == lost[0] == decision.application_id
    assert journal.pending() == [] and journal.get(pending[0].idempotency_key).state == DONE  # type: ignore[union-attr]
    assert [i.id for i in client_for("S0001").review_queue() if i.id == lost[0]] == [lost[0]]


def test_a_return_brings_the_reason_to_review_and_the_corrected_draft_is_sent_again_and_approved(
    client_for: ClientFactory, store: Store
) -> None:
    session, journal, teller, supervisor = on_sign_off(store), Journal(store), client_for("T0001"), client_for("S0001")
    send_now(session, teller, journal)
    application_id = session.application_id
    assert application_id is not None

    decide(supervisor, session, "return", "联系人手机号与申请表不符")
    decision = accept(session, fetch(teller, application_id))
    assert decision.status == "returned" and decision.changed and decision.decided_by == "S0001"
    assert session.status == "returned"
    assert session.state.page == Page.REVIEW and session.state.returned_reason == "联系人手机号与申请表不符"
    assert not accept(session, fetch(teller, application_id)).changed  # read again: no second return

    # the teller corrects the draft and goes on to sign-off again; sending changes the application (PUT)
    assert session.set("/customer/contact/mobile", "13900139001")
    session.state = session.state.next()
    assert session.state.page == Page.SIGN_OFF and approval.needs_sending(session)
    decision = send_now(session, teller, journal)
    assert decision.status == "pending_approval" and session.application_id == application_id
    info = supervisor.application(application_id)
    assert info.document["customer"]["contact"]["mobile"] == "13900139001" and info.snapshot_hash == session.state.snapshot_hash
    assert [h.action for h in info.history] == ["created", "returned", "changed"]

    decide(supervisor, session, "approve")
    decision = accept(session, fetch(teller, application_id))
    assert decision.status == "approved" and decision.changed
    assert session.status == "approved" and session.state.approved and session.state.returned_reason is None
    session.state = session.state.next()
    assert session.state.page == Page.SUBMIT
    with pytest.raises(ApprovalRefused) as err:  # nothing left to send
        ApprovalRequest.of(session)
    assert err.value.code == "already_approved"


def test_a_rejection_closes_the_application(client_for: ClientFactory, store: Store) -> None:
    session, journal, teller = on_sign_off(store), Journal(store), client_for("T0001")
    send_now(session, teller, journal)
    assert session.application_id is not None
    with pytest.raises(ApprovalRefused) as no_reason:
        decide(client_for("S0002"), session, "reject", "  ")
    assert no_reason.value.code == "reason_required"
    decide(client_for("S0002"), session, "reject", "客户撤回申请")

    decision = accept(session, fetch(teller, session.application_id))
    assert decision.status == "rejected" and decision.reason == "客户撤回申请" and session.status == "rejected"
    assert not session.state.approved and session.state.page == Page.SIGN_OFF
    with pytest.raises(ApprovalRefused) as err:
        ApprovalRequest.of(session)
    assert err.value.code == "application_rejected"


def test_the_maker_is_refused_before_the_service_and_by_the_service(client_for: ClientFactory, store: Store) -> None:
    session, journal, teller = on_sign_off(store), Journal(store), client_for("T0001")
    send_now(session, teller, journal)
    assert session.application_id is not None and session.state.snapshot_hash is not None
    with pytest.raises(ApprovalRefused) as here:
        decide(teller, session, "approve")
    assert here.value.code == "maker_cannot_approve"
    with pytest.raises(PermissionDeniedError) as there:  # asked directly, the service refuses the maker too
        teller.decide(
            session.application_id, snapshot_hash=session.state.snapshot_hash, decision="approve", idempotency_key=str(uuid.uuid4())
        )
    assert there.value.status == 403 and there.value.code == "maker_cannot_approve"
    assert fetch(teller, session.application_id).status == "pending_approval"


def test_a_fee_waiver_is_decided_with_the_approval(client_for: ClientFactory, store: Store) -> None:
    doc = valid_document()
    doc["fees"] = {"waiver_requested": True, "reason": "战略客户"}
    session, journal, teller = on_sign_off(store, doc), Journal(store), client_for("T0001")
    assert approval.waiver_requested(session)
    send_now(session, teller, journal)
    assert session.application_id is not None and session.state.snapshot_hash is not None
    without = QueueDecision(session.application_id, session.state.snapshot_hash, "T0001", "approve", fee_waiver_requested=True)
    with pytest.raises(ApprovalRefused) as err:
        without.send(client_for("S0001"))
    assert err.value.code == "waiver_decision_required"
    replace(without, fee_waiver_approved=False).send(client_for("S0001"))
    decision = accept(session, fetch(teller, session.application_id))
    assert decision.status == "approved" and decision.fee_waiver_approved is False


def test_a_draft_changed_after_sending_is_not_taken_as_approved(client_for: ClientFactory, store: Store) -> None:
    session, journal, teller = on_sign_off(store), Journal(store), client_for("T0001")
    send_now(session, teller, journal)
    assert session.application_id is not None
    decide(client_for("S0001"), session, "approve")
    assert session.set("/customer/contact/name", "李小四")  # changed while the supervisor looked at the earlier one
    with pytest.raises(ApprovalRefused) as err:
        accept(session, fetch(teller, session.application_id))
    assert err.value.code == approval.DRAFT_CHANGED and not session.state.approved
    with pytest.raises(FlowRefused):
        session.state.next()
    assert session.set("/customer/contact/name", "李四")  # undone: the approved version again
    assert accept(session, fetch(teller, session.application_id)).status == "approved" and session.state.approved


def test_the_approved_application_is_submitted_with_the_counters_ukey_settings(client_for: ClientFactory, store: Store) -> None:
    with pytest.raises(ConfigurationError):
        SubmissionOptions.from_settings({"ukey.certificate_mode": "by_post"})
    with pytest.raises(ConfigurationError):
        SubmissionOptions.from_settings({"ukey.key_type": "rsa1024"})
    assert SubmissionOptions.from_settings({}) == SubmissionOptions("counter", "rsa2048")
    options = SubmissionOptions.from_settings({"ukey.certificate_mode": "counter", "ukey.key_type": "ec_p256"})

    session, journal, teller = on_sign_off(store), Journal(store), client_for("T0001")
    send_now(session, teller, journal)
    assert session.application_id is not None
    decide(client_for("S0001"), session, "approve")
    accept(session, fetch(teller, session.application_id))
    plan = submit_approved(teller, journal, "T0001", session.application_id, "厦门示例贸易有限公司", options)

    certificates = [i for i in plan.items if i.kind == "certificate"]
    assert plan.agreement_no.startswith("AG") and len(certificates) == 3
    assert {i.key_type for i in certificates} == {"ec_p256"} and all(plan.codes.get(i.order) for i in certificates)
    done = [e for e in journal.for_subject(session.application_id) if e.kind == SUBMISSION_KIND]
    assert [e.state for e in done] == [DONE] and "authorization_code" not in str(done[0].result)
