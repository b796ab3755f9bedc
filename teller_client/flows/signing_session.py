"""One application being signed at the counter: its ``eform/1`` document, the wizard's state, its draft.

A :class:`SigningSession` is what the wizard's pages share. Pages read and write the document by JSON pointer
(:meth:`~SigningSession.get`, :meth:`~SigningSession.set`, :meth:`~SigningSession.append`,
:meth:`~SigningSession.remove`); every change re-checks the whole application with the domain validation and
moves the :class:`~teller_client.flows.signing.SigningState` on (problems, snapshot hash, a lapsed approval).
Saving is separate and touches only the store: :meth:`~SigningSession.snapshot` takes a copy on the GUI thread,
:func:`save_snapshot` writes it (on a worker), so the teller's typing is never held up by the disk and nothing
typed is lost (every change makes a new draft version; an unchanged one is not written twice).

No Qt here: the wizard's pages are thin views of this object.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from teller_client.domain.bank_time import BANK_TIME
from teller_client.domain.catalogue import Catalogue, load_catalogue
from teller_client.domain.document import snapshot_hash
from teller_client.domain.model import SCHEMA, Application, RequestKind
from teller_client.domain.problems import Problem
from teller_client.domain.validation import ValidationReport, validate
from teller_client.flows.media import MediaPlan
from teller_client.flows.signing import Page, SigningState
from teller_client.store.database import Store
from teller_client.store.drafts import DraftRepository

PAPER_FORM_DAYS = 30
"""How long a paper form typed at the counter stays valid (as the e-form's own validity)."""


def _split(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]


def _step(node: Any, key: str) -> Any:
    if isinstance(node, list):
        return node[int(key)]
    return node[key]


def paper_document(request: RequestKind = RequestKind.NEW, now: datetime | None = None) -> dict[str, Any]:
    """An empty ``eform/1`` document for a paper form typed at the counter (every required field left to fill)."""
    now = (now or datetime.now(BANK_TIME)).astimezone(BANK_TIME).replace(microsecond=0)
    return {
        "schema": SCHEMA,
        "form_id": "PF" + now.strftime("%Y%m%d") + secrets.token_hex(4).upper(),
        "created_at": now.isoformat(timespec="seconds"),
        "expires_at": (now + timedelta(days=PAPER_FORM_DAYS)).isoformat(timespec="seconds"),
        "request": request.value,
        "customer": {
            "name": "",
            "uscc": "",
            "kind": "real",
            "group_uscc": None,
            "legal_rep": {"name": "", "id_type": "resident_id", "id_number": ""},
            "contact": {"name": "", "mobile": "", "email": None, "address": None},
        },
        "accounts": [],
        "users": [],
        "services": [],
        "fees": {"waiver_requested": False, "reason": None},
    }


def state_record(state: SigningState) -> dict[str, Any]:
    """The wizard's state as plain JSON for the draft (never a secret: hashes, pages, warning keys)."""
    return {
        "page": state.page.value,
        "visited": sorted(p.value for p in state.visited),
        "confirmed_warnings": sorted(state.confirmed_warnings),
        "intake_done": state.intake_done,
        "approved_hash": state.approved_hash,
        "returned_reason": state.returned_reason,
        "submitted": state.submitted,
        "media_done": state.media_done,
    }


def state_from_record(request: RequestKind, record: dict[str, Any]) -> SigningState:
    pages = SigningState(request).pages
    page = Page(record.get("page", Page.START.value))
    visited = frozenset(Page(p) for p in record.get("visited", ())) | {Page.START}
    return SigningState(
        request,
        page=page if page in pages else Page.START,
        visited=frozenset(p for p in visited if p in pages),
        confirmed_warnings=frozenset(record.get("confirmed_warnings", ())),
        intake_done=bool(record.get("intake_done", False)),
        approved_hash=record.get("approved_hash"),
        returned_reason=record.get("returned_reason"),
        submitted=bool(record.get("submitted", False)),
        media_done=bool(record.get("media_done", False)),
    )


@dataclass(frozen=True)
class Snapshot:
    """What one save writes: a copy of the document and the wizard's state, taken on the GUI thread."""

    draft_id: str
    document: dict[str, Any]
    wizard: dict[str, Any]
    title: str
    teller: str
    status: str | None = None
    application_id: str | None = None


def save_snapshot(store: Store, snapshot: Snapshot) -> int:
    """Write a snapshot to the draft (the next version, unless the document did not change). Disk: call on a worker."""
    drafts = DraftRepository(store)
    version = drafts.save(
        snapshot.draft_id, snapshot.document, saved_by=snapshot.teller, step=snapshot.wizard.get("page"), title=snapshot.title
    )
    drafts.set_wizard(snapshot.draft_id, snapshot.wizard, application_id=snapshot.application_id, status=snapshot.status)
    return version


class SigningSession:
    """The document being signed, its validation, the wizard's state and the draft it is saved to."""

    def __init__(
        self,
        *,
        draft_id: str,
        document: dict[str, Any],
        teller: str,
        source: str,
        verified: bool,
        state: SigningState | None = None,
        application_id: str | None = None,
        status: str = "editing",
        catalogue: Catalogue | None = None,
        today: date | None = None,
    ) -> None:
        self.draft_id = draft_id
        self.document = document
        self.teller = teller
        self.source = source
        self.verified = verified
        self.application_id = application_id
        self.status = status
        self.catalogue = catalogue or load_catalogue()
        self.today = today or datetime.now(BANK_TIME).date()
        self.state = state or SigningState(self.request)
        self.report = ValidationReport(None, ())
        self.media_plan: MediaPlan | None = None
        """The submission's media plan, with the authorization codes this session holds (memory only, never saved);
        after a restart the media page finds the plan in the journal (:func:`~teller_client.flows.media.open_plans`)."""
        self.check()

    # -- opening ------------------------------------------------------------------------------------------

    @classmethod
    def start_paper(
        cls,
        store: Store,
        teller: str,
        request: RequestKind = RequestKind.NEW,
        *,
        catalogue: Catalogue | None = None,
        today: date | None = None,
    ) -> SigningSession:
        """A new draft for a paper form (disk: call on a worker)."""
        document = paper_document(request)
        draft_id = DraftRepository(store).create(source="paper", created_by=teller, form_id=document["form_id"])
        session = cls(draft_id=draft_id, document=document, teller=teller, source="paper", verified=False, catalogue=catalogue, today=today)
        session.state = replace(session.state, page=Page.INTAKE, visited=session.state.visited | {Page.INTAKE}, intake_done=True)
        save_snapshot(store, session.snapshot())
        return session

    @classmethod
    def resume(
        cls, store: Store, draft_id: str, teller: str, *, catalogue: Catalogue | None = None, today: date | None = None
    ) -> SigningSession:
        """The draft as last saved, on the page the teller left it (disk: call on a worker)."""
        drafts = DraftRepository(store)
        summary = drafts.summary(draft_id)
        latest = drafts.latest(draft_id)
        document = latest.document if latest is not None else paper_document()
        record, application_id = drafts.wizard(draft_id)
        request = RequestKind(document.get("request", "new")) if document.get("request") in set(RequestKind) else RequestKind.NEW
        if not record:  # a draft saved by the scan, before the wizard ever opened it: the intake is done
            record = {"page": Page.INTAKE.value, "visited": [Page.START.value, Page.INTAKE.value], "intake_done": True}
        state = state_from_record(request, record)
        return cls(
            draft_id=draft_id,
            document=document,
            teller=teller,
            source=summary.source,
            verified=summary.verified,
            state=state,
            application_id=application_id,
            status=summary.status,
            catalogue=catalogue,
            today=today,
        )

    # -- what it is -----------------------------------------------------------------------------------------

    @property
    def request(self) -> RequestKind:
        value = self.document.get("request")
        return RequestKind(value) if value in set(RequestKind) else RequestKind.NEW

    @property
    def form_id(self) -> str:
        return str(self.document.get("form_id") or "")

    @property
    def application(self) -> Application | None:
        return self.report.application

    @property
    def title(self) -> str:
        customer = self.document.get("customer")
        name = customer.get("name") if isinstance(customer, dict) else None
        return str(name or self.form_id)

    def problems_at(self, pointer: str) -> tuple[Problem, ...]:
        return self.report.at(pointer)

    # -- reading and writing by JSON pointer ----------------------------------------------------------------------

    def get(self, pointer: str, default: Any = None) -> Any:
        node: Any = self.document
        try:
            for key in _split(pointer):
                node = _step(node, key)
        except (KeyError, IndexError, ValueError, TypeError):
            return default
        return node

    def set(self, pointer: str, value: Any) -> bool:
        """Write one value (creating objects on the way); ``False`` when it was already so. Re-checks."""
        if self.get(pointer, _ABSENT) == value:
            return False
        self._refuse_after_submission()
        self._write(pointer, value)
        self.check()
        return True

    def _write(self, pointer: str, value: Any) -> None:
        *path, last = _split(pointer)
        node: Any = self.document
        for key in path:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    def append(self, pointer: str, value: Any) -> int:
        """Add an item to the list at ``pointer`` (made if missing); its index. Re-checks."""
        self._refuse_after_submission()
        items = self.get(pointer)
        if not isinstance(items, list):
            items = []
            self._write(pointer, items)
        items.append(value)
        self.check()
        return len(items) - 1

    def remove(self, pointer: str) -> None:
        """Remove a list item or an object's key. Re-checks."""
        self._refuse_after_submission()
        *path, last = _split(pointer)
        parent = self.get("/" + "/".join(path) if path else "")
        if isinstance(parent, list):
            del parent[int(last)]
        elif isinstance(parent, dict):
            parent.pop(last, None)
        self.check()

    def replace_document(self, document: dict[str, Any], *, source: str | None = None, verified: bool | None = None) -> None:
        """The intake read a form: it replaces what was typed so far."""
        self._refuse_after_submission()
        self.document = document
        if source is not None:
            self.source = source
        if verified is not None:
            self.verified = verified
        self.state = replace(self.state, request=self.request)
        self.check()

    def _refuse_after_submission(self) -> None:
        if self.state.submitted:
            self.state.with_problems((), None)  # raises FlowRefused "submitted"

    # -- checking -------------------------------------------------------------------------------------------------

    def check(self) -> ValidationReport:
        """Validate the whole application again and move the state on (an approval of another snapshot lapses)."""
        self.report = validate(self.document, self.catalogue, self.today)
        digest = snapshot_hash(self.report.application) if self.report.application is not None else None
        if not self.state.submitted:
            self.state = self.state.with_problems(self.report.problems, digest)
        return self.report

    # -- saving ----------------------------------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """A copy of what to save, taken where the document is edited (the GUI thread)."""
        return Snapshot(
            self.draft_id,
            copy.deepcopy(self.document),
            state_record(self.state),
            self.title,
            self.teller,
            status=self.status,
            application_id=self.application_id,
        )


class _Absent:
    pass


_ABSENT = _Absent()
