"""Print-once password letters, and the UKey PIN letter: the secret goes from memory to paper, and nowhere else.

A password letter (one per password user of a submission) is journaled step by step under the letter order
(``<letter order id>#<print round>``):

``letter.release``
    the next letter serial of the teller's drawer (the stock ledger, lowest first, none already used by an
    unfinished letter) is journaled, then ``release`` returns the initial password (a
    :class:`~teller_client.secret.Secret`) — once;
``letter.print``
    the letter is laid out in memory (:func:`~teller_client.documents.letters.render_password_letter`), sent
    to the letter printer with a time limit, and the password and the PDF are overwritten at once, whatever
    happened;
``letter.confirm``
    ``confirmation`` ``printed``; or ``spoiled`` when the print failed or the password was lost on the way
    (a restart between release and print, a replayed release that carries no password, a jam).

A spoiled letter needs a supervisor (:meth:`PasswordLetters.allow_reprint`, never the teller who printed it):
the old password is void, and the next :meth:`PasswordLetters.print_letter` starts a new round on the next
serial. Nothing here writes the secret to the journal, the store, a log, an exception or a temporary file;
previews use :data:`~teller_client.documents.letters.DUMMY_SECRET` only.

The UKey PIN letter (:meth:`PasswordLetters.print_pin_letter`) is the issuance saga's PIN handover: it is not
a central letter order and takes no letter serial from stock; it carries the UKey's serial.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from drivers.printing import Printer, PrintError, PrintJob
from teller_client.api.client import CentralClient
from teller_client.api.errors import ApiError
from teller_client.documents.letter_text import letter_escp_job
from teller_client.documents.letters import LetterLayout, PasswordLetter, render_password_letter
from teller_client.errors import CancelledError, TellerError
from teller_client.flows.device_errors import device_error
from teller_client.flows.issuance import CertificateJob, PinSink
from teller_client.flows.journaled import journaled_call
from teller_client.secret import Secret
from teller_client.store.journal import DONE, PENDING, Journal, JournalRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LetterJob:
    """One password letter of a submission: the central letter order and whom it is for."""

    letter_order_id: str
    user_no: str
    user_name: str
    customer_name: str


@dataclass(frozen=True)
class LetterStation:
    """Where this counter prints letters: the printer, its id for the central record, the calibrated layout."""

    printer: Printer
    printer_id: str
    layout: LetterLayout
    bank_name: str
    branch_name: str
    training: bool
    timeout: float = 60.0


class LetterStatus(StrEnum):
    PRINTED = "printed"
    NEEDS_REPRINT = "needs_reprint"
    """The letter was spoiled (or its password lost): a supervisor allows a reprint, then print again."""
    FAILED = "failed"
    """Nothing was spent: fix the cause (no letter in the drawer, network) and print again."""
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class LetterOutcome:
    status: LetterStatus
    letter_serial: str | None = None
    error: TellerError | None = None


class PasswordLetters:
    """The letters of one signed-in teller at one letter station."""

    def __init__(self, central: CentralClient, journal: Journal, station: LetterStation) -> None:
        if central.user is None:
            raise ValueError("printing letters needs a signed-in client")
        self._central = central
        self._journal = journal
        self._station = station
        self.actor = central.user.id

    # -- password letters ---------------------------------------------------------------------------------

    def print_letter(self, job: LetterJob, *, cancel: threading.Event | None = None) -> LetterOutcome:
        """Release, print and confirm the letter; safe to call again after anything (it goes on where it stopped)."""
        subject = self._subject(job)
        entries = self._latest(subject)
        confirm = entries.get("letter.confirm")
        if confirm is not None and confirm.state == DONE:
            outcome = (confirm.result or {}).get("outcome")
            serial = (confirm.result or {}).get("letter_serial")
            return LetterOutcome(
                LetterStatus.PRINTED if outcome == "printed" else LetterStatus.NEEDS_REPRINT, serial, _spoiled_error(serial)
            )
        printed = entries.get("letter.print")
        if printed is not None and printed.state == DONE:
            return self._confirm(subject, job, printed.request["letter_serial"], "printed")
        released = entries.get("letter.release")
        if released is not None and released.state == DONE:  # released earlier, never printed: the password is gone
            if printed is not None:  # a print that never finished: whatever came out carries a password about to be void
                self._journal.abandon(printed.idempotency_key)
            return self._confirm(subject, job, (released.result or {})["letter_serial"], "spoiled")
        if cancel is not None and cancel.is_set():
            return LetterOutcome(LetterStatus.CANCELLED)
        try:
            return self._release_and_print(subject, job, released, cancel)
        except CancelledError as exc:
            return LetterOutcome(LetterStatus.CANCELLED, error=exc)
        except TellerError as exc:
            log.warning("letter order %s: %s", job.letter_order_id, exc.code)
            return LetterOutcome(LetterStatus.FAILED, error=exc)

    def allow_reprint(self, job: LetterJob, supervisor: CentralClient, reason: str) -> None:
        """A supervisor (not the teller who printed) voids the password; the next print is a new round."""
        journaled_call(
            self._journal,
            "letter.reprint",
            subject=job.letter_order_id,
            actor=supervisor.user.id if supervisor.user else "",
            request={"reason": reason},
            call=lambda key: supervisor.allow_reprint(job.letter_order_id, reason=reason, idempotency_key=key),
            record=lambda order: {"state": order.state},
        )

    # -- the UKey PIN letter --------------------------------------------------------------------------------

    def print_pin_letter(
        self,
        *,
        reference_no: str,
        user_no: str,
        user_name: str,
        customer_name: str,
        login_id: str,
        token_serial: str,
        pin: Secret,
        cancel: threading.Event | None = None,
    ) -> None:
        """Print the UKey PIN letter; raises a :class:`TellerError` when it did not print (the saga then sets a new PIN)."""
        letter = PasswordLetter(
            letter_serial=token_serial,
            kind="ukey_pin",
            customer_name=customer_name,
            user_name=user_name,
            login_id=login_id,
            user_no=user_no,
            expires_at=None,
            bank_name=self._station.bank_name,
            branch_name=self._station.branch_name,
            training=self._station.training,
            token_serial=token_serial,
        )
        entry = self._journal.begin(
            "pin_letter.print", subject=f"{reference_no}/{token_serial}", actor=self.actor, request={"token_serial": token_serial}
        )
        self._send(letter, pin, f"UKey 密码函 {token_serial}", cancel)
        self._journal.complete(entry.idempotency_key, {"printer_id": self._station.printer_id})

    # -- inside -----------------------------------------------------------------------------------------------

    def _release_and_print(
        self, subject: str, job: LetterJob, pending: JournalRecord | None, cancel: threading.Event | None
    ) -> LetterOutcome:
        serial = pending.request["letter_serial"] if pending is not None and pending.state == PENDING else self._next_serial()
        try:
            released = journaled_call(
                self._journal,
                "letter.release",
                subject=subject,
                actor=self.actor,
                request={"letter_serial": serial, "printer_id": self._station.printer_id},
                call=lambda key: self._central.release_letter(
                    job.letter_order_id, letter_serial=serial, printer_id=self._station.printer_id, idempotency_key=key
                ),
                record=lambda answer: {  # never the password
                    "letter_serial": serial,
                    "login_id": answer.login_id,
                    "expires_at": answer.password_expires_at.isoformat(),
                },
            )
        except ApiError as exc:
            if exc.code == "already_released":  # released in an attempt this counter lost track of: that password is gone
                return LetterOutcome(LetterStatus.NEEDS_REPRINT, serial, exc)
            raise
        secret = released.initial_password
        if secret is None:  # a replayed answer: the first one, with the password, never arrived
            return self._confirm(subject, job, serial, "spoiled")
        letter = PasswordLetter(
            letter_serial=serial,
            kind="password",
            customer_name=job.customer_name,
            user_name=job.user_name,
            login_id=released.login_id,
            user_no=job.user_no,
            expires_at=released.password_expires_at,
            bank_name=self._station.bank_name,
            branch_name=self._station.branch_name,
            training=self._station.training,
        )
        printing = self._journal.begin(
            "letter.print", subject=subject, actor=self.actor, request={"letter_serial": serial, "printer_id": self._station.printer_id}
        )
        try:
            self._send(letter, secret, f"密码函 {serial}", cancel)
        except TellerError as exc:
            self._journal.fail(printing.idempotency_key, exc.code or "print_failed")
            spoiled = self._confirm(subject, job, serial, "spoiled")
            return LetterOutcome(spoiled.status, serial, exc if spoiled.status == LetterStatus.NEEDS_REPRINT else spoiled.error)
        self._journal.complete(printing.idempotency_key, {"letter_serial": serial})
        return self._confirm(subject, job, serial, "printed")

    def _send(self, letter: PasswordLetter, secret: Secret, title: str, cancel: threading.Event | None) -> None:
        """Lay out and print; the secret and the PDF are wiped when this returns or raises."""
        job: PrintJob | None = None
        try:
            if self._station.printer.name.startswith("escp+"):  # a dot-matrix mailer printer: the letter as text
                job = letter_escp_job(letter, secret, self._station.layout)
            else:
                job = PrintJob(render_password_letter(letter, secret, self._station.layout), title=title)
            self._station.printer.send(job, timeout=self._station.timeout, cancel=cancel)
        except PrintError as exc:
            raise device_error(exc) from None
        finally:
            secret.wipe()
            if job is not None:
                job.wipe()

    def _confirm(self, subject: str, job: LetterJob, serial: str, outcome: str) -> LetterOutcome:
        request = {"letter_serial": serial, "outcome": outcome}
        try:
            journaled_call(
                self._journal,
                "letter.confirm",
                subject=subject,
                actor=self.actor,
                request=request,
                call=lambda key: self._central.confirm_letter(
                    job.letter_order_id, letter_serial=serial, outcome=outcome, idempotency_key=key
                ),
                record=lambda _order: request,
            )
        except TellerError as exc:  # a refusal fails the entry; no answer leaves it pending, asked again next time
            return LetterOutcome(LetterStatus.FAILED, serial, exc)
        if outcome == "printed":
            return LetterOutcome(LetterStatus.PRINTED, serial)
        return LetterOutcome(LetterStatus.NEEDS_REPRINT, serial, _spoiled_error(serial))

    def _next_serial(self) -> str:
        """The lowest letter serial in the drawer that no unfinished letter of this counter has taken."""
        taken = {entry.request.get("letter_serial") for entry in self._journal.pending() if entry.kind.startswith("letter.")}
        items = sorted(i.serial for i in self._central.stock(holder=self.actor, kind="letter", state="in_stock"))
        free = [serial for serial in items if serial not in taken]
        if not free:
            raise TellerError(
                "There is no password letter left in your drawer; fetch letters from the vault (witnessed).",
                "您的尾箱中已没有密码信函，请从金库领取（须复核）。",
                code="no_letter_stock",
            )
        return free[0]

    def _subject(self, job: LetterJob) -> str:
        rounds = sum(1 for e in self._journal.for_subject(job.letter_order_id) if e.kind == "letter.reprint" and e.state == DONE)
        return f"{_rounds_prefix(job.letter_order_id)}{rounds}"

    def _latest(self, subject: str) -> dict[str, JournalRecord]:
        latest: dict[str, JournalRecord] = {}
        for entry in self._journal.for_subject(subject):
            if entry.state in (DONE, PENDING):
                latest[entry.kind] = entry
        return latest


def pin_letter_sink(letters: PasswordLetters, *, customer_name: str, users: Mapping[str, tuple[str, str]]) -> PinSink:
    """The issuance saga's PIN handover, printing the UKey PIN letter; ``users`` maps user no. → (name, login ID)."""

    def hand_over(job: CertificateJob, token_serial: str, pin: Secret) -> None:
        user_name, login_id = users.get(job.user_no, ("", ""))
        letters.print_pin_letter(
            reference_no=job.reference_no,
            user_no=job.user_no,
            user_name=user_name,
            customer_name=customer_name,
            login_id=login_id,
            token_serial=token_serial,
            pin=pin,
        )

    return hand_over


def _rounds_prefix(letter_order_id: str) -> str:
    """The journal subjects of a letter order's print rounds start with this (``<order id>#<round>``)."""
    return f"{letter_order_id}#"


def letter_entries(journal: Journal, letter_order_id: str) -> list[JournalRecord]:
    """Every journal entry of the order's print rounds, oldest first."""
    return [e for e in journal.for_subject_prefix(_rounds_prefix(letter_order_id)) if e.kind.startswith("letter.")]


def printed_serial(journal: Journal, letter_order_id: str) -> str | None:
    """The serial of the letter printed (and confirmed ``printed``) for the order, or ``None``."""
    for entry in reversed(letter_entries(journal, letter_order_id)):
        if entry.kind == "letter.confirm" and entry.state == DONE and (entry.result or {}).get("outcome") == "printed":
            return str((entry.result or {})["letter_serial"])
    return None


def _spoiled_error(serial: Any) -> TellerError:
    return TellerError(
        f"Letter {serial} is spoiled and its password void; a supervisor must allow a reprint.",
        f"信函 {serial} 已作废，其密码失效；须主管授权重打。",
        code="letter_spoiled",
    )
