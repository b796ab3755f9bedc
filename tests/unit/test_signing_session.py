"""The signing session: the document edited by JSON pointer, re-checked on every change, saved as draft versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from teller_client.domain.model import RequestKind
from teller_client.flows.signing import FlowRefused, Page
from teller_client.flows.signing_session import SigningSession, save_snapshot
from teller_client.store.database import Store, open_store
from teller_client.store.drafts import DraftRepository
from tests.support.documents import CUSTOMER_USCC, TODAY, valid_document


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = open_store(tmp_path / "store.sqlite")
    yield s
    s.close()


def test_a_paper_form_starts_empty_with_every_required_customer_field_asked_for(store: Store) -> None:
    session = SigningSession.start_paper(store, "T0001", today=TODAY)
    assert session.state.page == Page.INTAKE and session.state.intake_done
    assert session.source == "paper" and not session.verified
    assert session.document["form_id"].startswith("PF")
    pointers = {p.pointer for p in session.problems_at("/customer")}
    assert {"/customer/name", "/customer/uscc"} <= pointers
    assert DraftRepository(store).latest(session.draft_id) is not None


def test_edits_by_pointer_recheck_and_a_change_drops_the_approval(store: Store) -> None:
    draft = DraftRepository(store).create(source="eform", created_by="T0001", verified=True)
    DraftRepository(store).save(draft, valid_document(), saved_by="T0001")
    session = SigningSession.resume(store, draft, "T0001", today=TODAY)
    assert session.report.ok and session.state.snapshot_hash
    approved = session.state.snapshot_hash
    session.state = session.state.with_approval(approved)
    assert session.state.approved

    assert session.set("/customer/uscc", "91350200M000100Y40")  # wrong check character
    assert [p.code for p in session.problems_at("/customer/uscc")]
    assert not session.state.approved
    assert not session.set("/customer/uscc", "91350200M000100Y40")  # unchanged: nothing happens
    session.set("/customer/uscc", CUSTOMER_USCC)
    assert session.state.snapshot_hash == approved and session.state.approved  # the same snapshot again

    index = session.append("/accounts", {"number": "", "relation": "own", "type": "general", "currency": "CNY", "rights": ["query"]})
    assert session.get(f"/accounts/{index}/relation") == "own"
    assert session.problems_at(f"/accounts/{index}/number")
    session.remove(f"/accounts/{index}")
    assert session.report.ok


def test_a_saved_session_resumes_on_its_page_with_its_confirmed_warnings(store: Store) -> None:
    session = SigningSession.start_paper(store, "T0001", RequestKind.NEW, today=TODAY)
    session.set("/customer/name", "厦门示例贸易有限公司")
    session.state = session.state.next()
    session.application_id = "APP-9"
    save_snapshot(store, session.snapshot())

    again = SigningSession.resume(store, session.draft_id, "T0001", today=TODAY)
    assert again.state.page == Page.CUSTOMER
    assert again.get("/customer/name") == "厦门示例贸易有限公司"
    assert again.application_id == "APP-9"
    versions = DraftRepository(store).history(session.draft_id)
    save_snapshot(store, again.snapshot())  # nothing changed: no new version
    assert len(DraftRepository(store).history(session.draft_id)) == len(versions)


def test_nothing_changes_after_submission(store: Store) -> None:
    draft = DraftRepository(store).create(source="eform", created_by="T0001")
    DraftRepository(store).save(draft, valid_document(), saved_by="T0001")
    session = SigningSession.resume(store, draft, "T0001", today=TODAY)
    session.state = session.state.with_approval(session.state.snapshot_hash or "").with_submission()
    with pytest.raises(FlowRefused) as refused:
        session.set("/customer/name", "别的公司")
    assert refused.value.code == "submitted"
    assert session.get("/customer/name") == "厦门示例贸易有限公司"
