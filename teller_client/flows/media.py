"""The media step: after submission, one line per certificate order and per password letter, each on its own.

:func:`submit` sends the approved application to the central service, journaled first (``submission``, subject the
application id) and completed with the submission *without* its authorization codes (they are secrets: they stay
in memory, in :attr:`MediaPlan.codes`, for this session only). :func:`open_plans` finds, on the next start, every
submission whose media are not all finished, so issuance resumes from the journal; a certificate whose code died
with the old session asks for a supervisor's reauthorization (:class:`~teller_client.flows.issuance.IssuanceSaga`).

Each item's state is read from the journal of its own flow (the issuance saga of the UKey chosen for it, the print
rounds of the letter), so a failed item is retried or handed to a supervisor without redoing the others.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from teller_client.api.client import CentralClient
from teller_client.api.models import Submission
from teller_client.errors import TellerError
from teller_client.flows.issuance import CertificateJob, IssuanceOutcome, IssuanceSaga, PinSink, Status, handed_over
from teller_client.flows.issuance_record import chosen_ukeys
from teller_client.flows.journaled import journaled_call
from teller_client.flows.letters import LetterJob, LetterOutcome, PasswordLetters, letter_entries, printed_serial
from teller_client.flows.token_gateway import TokenGateway
from teller_client.secret import Secret
from teller_client.store.journal import DONE, Journal

SUBMISSION_KIND = "submission"


class ItemState(StrEnum):
    TO_DO = "to_do"
    IN_PROGRESS = "in_progress"
    """Begun and not finished: run it again (a UKey may have to go back in, a supervisor may have to act)."""
    DONE = "done"


@dataclass(frozen=True)
class MediaItem:
    kind: str
    """``certificate`` or ``letter``."""
    order: str
    """The certificate order's reference number, or the letter order's id."""
    user_no: str
    user_name: str
    login_id: str
    premade: bool = False
    key_type: str = ""


@dataclass
class MediaPlan:
    """What one submission hands over, and the codes this session still holds."""

    application_id: str
    agreement_no: str
    customer_no: str
    customer_name: str
    items: tuple[MediaItem, ...]
    codes: dict[str, Secret] = field(default_factory=dict, repr=False)

    def certificate_job(self, item: MediaItem) -> CertificateJob:
        return CertificateJob(
            reference_no=item.order,
            user_no=item.user_no,
            key_type=item.key_type,
            premade=item.premade,
            agreement_no=self.agreement_no,
            customer_no=self.customer_no,
        )

    def letter_job(self, item: MediaItem) -> LetterJob:
        return LetterJob(item.order, item.user_no, item.user_name, self.customer_name)

    def state(self, journal: Journal, item: MediaItem) -> ItemState:
        """Where the item stands, from its own flow's journal."""
        if item.kind == "certificate":
            if handed_over(journal, item.order) is not None:
                return ItemState.DONE
            return ItemState.IN_PROGRESS if chosen_ukeys(journal, item.order) else ItemState.TO_DO
        if printed_serial(journal, item.order) is not None:
            return ItemState.DONE
        return ItemState.IN_PROGRESS if letter_entries(journal, item.order) else ItemState.TO_DO

    def finished(self, journal: Journal) -> bool:
        return all(self.state(journal, item) == ItemState.DONE for item in self.items)

    def to_record(self) -> dict[str, Any]:
        """What the journal keeps of the submission: everything but the codes."""
        return {
            "application_id": self.application_id,
            "agreement_no": self.agreement_no,
            "customer_no": self.customer_no,
            "customer_name": self.customer_name,
            "items": [item.__dict__ for item in self.items],
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> MediaPlan:
        return cls(
            record["application_id"],
            record["agreement_no"],
            record["customer_no"],
            record["customer_name"],
            tuple(MediaItem(**item) for item in record["items"]),
        )

    @classmethod
    def from_submission(cls, submission: Submission, customer_name: str) -> MediaPlan:
        users = {u.user_no: u for u in submission.users}

        def name(user_no: str) -> tuple[str, str]:
            user = users.get(user_no)
            return (user.name or "", user.login_id) if user else ("", "")

        items = [
            MediaItem("certificate", o.reference_no, o.user_no, *name(o.user_no), premade=o.premade, key_type=o.key_type)
            for o in submission.certificate_orders
        ]
        items += [MediaItem("letter", o.letter_order_id, o.user_no, *name(o.user_no)) for o in submission.letter_orders]
        codes = {o.reference_no: o.authorization_code for o in submission.certificate_orders if o.authorization_code is not None}
        return cls(submission.application_id, submission.agreement_no, submission.customer_ebank_id, customer_name, tuple(items), codes)


def submit(
    central: CentralClient,
    journal: Journal,
    actor: str,
    application_id: str,
    customer_name: str,
    *,
    certificate_mode: str = "counter",
    key_type: str = "rsa2048",
) -> MediaPlan:
    """Submit the approved application (journaled first; a lost answer is asked again with the same key, a refusal
    fails the entry). The journal keeps the plan without its authorization codes."""
    plan: list[MediaPlan] = []

    def call(key: str) -> Submission:
        return central.submit(application_id, idempotency_key=key, certificate_mode=certificate_mode, key_type=key_type)

    def record(submission: Submission) -> dict[str, Any]:
        plan.append(MediaPlan.from_submission(submission, customer_name))
        return plan[0].to_record()

    request = {"certificate_mode": certificate_mode, "key_type": key_type}
    journaled_call(journal, SUBMISSION_KIND, subject=application_id, actor=actor, request=request, call=call, record=record)
    return plan[0]


def submitted_plan(journal: Journal, application_id: str) -> MediaPlan | None:
    """The media plan of the application's submission from this counter's journal (the latest), or ``None``."""
    for entry in reversed(journal.for_subject(application_id)):
        if entry.kind == SUBMISSION_KIND and entry.state == DONE and entry.result:
            return MediaPlan.from_record(entry.result)
    return None


def open_plans(journal: Journal) -> list[MediaPlan]:
    """Submissions of this counter whose media are not all finished: what to resume after a restart."""
    plans = [MediaPlan.from_record(entry.result or {}) for entry in journal.done_of_kind(SUBMISSION_KIND) if entry.result]
    return [plan for plan in plans if not plan.finished(journal)]


class MediaRunner:
    """Runs the plan's items one at a time on the caller's (worker) thread."""

    def __init__(
        self,
        plan: MediaPlan,
        *,
        central: CentralClient,
        journal: Journal,
        actor: str,
        gateway: TokenGateway,
        letters: PasswordLetters,
        pin_sink: PinSink,
        observer: Callable[[Any], None] | None = None,
    ) -> None:
        self.plan = plan
        self._central = central
        self._journal = journal
        self._actor = actor
        self._gateway = gateway
        self._letters = letters
        self._pin_sink = pin_sink
        self._observer = observer

    def saga(self, item: MediaItem, token_serial: str) -> IssuanceSaga:
        return IssuanceSaga(
            self.plan.certificate_job(item),
            token_serial,
            gateway=self._gateway,
            central=self._central,
            journal=self._journal,
            actor=self._actor,
            pin_sink=self._pin_sink,
            authorization_code=self.plan.codes.get(item.order),
            observer=self._observer,
        )

    def issue(self, item: MediaItem, token_serial: str, *, cancel: threading.Event | None = None) -> IssuanceOutcome:
        if item.kind != "certificate":
            raise TellerError("Not a certificate order.", "不是证书订单。", code="media_kind")
        saga = self.saga(item, token_serial)
        try:
            outcome = saga.run(cancel)
        finally:
            saga.close()  # a PIN set by a run that stopped is not kept: the next run sets another through the SO
        if outcome.status == Status.NEEDS_AUTHORIZATION:
            self.plan.codes.pop(item.order, None)
        return outcome

    def reauthorize(self, item: MediaItem, token_serial: str, supervisor: CentralClient, reason: str) -> None:
        saga = self.saga(item, token_serial)
        saga.reauthorize(supervisor, reason)
        if saga.authorization_code is not None:
            self.plan.codes[item.order] = saga.authorization_code

    def print_letter(self, item: MediaItem, *, cancel: threading.Event | None = None) -> LetterOutcome:
        if item.kind != "letter":
            raise TellerError("Not a letter order.", "不是密码信函订单。", code="media_kind")
        return self._letters.print_letter(self.plan.letter_job(item), cancel=cancel)

    def ukey_in_use(self, item: MediaItem) -> str | None:
        """The UKey already chosen for a certificate item (the one to go on with), if any."""
        serials = chosen_ukeys(self._journal, item.order)
        return serials[-1] if serials else None
