"""What the journal knows of one certificate order on one UKey: which steps are done, what they found.

The issuance saga writes each step to the action journal (``issuance.<step>``, subject
``<reference no>/<token serial>``) before the step's effect, and completes it with what the step made
(the CSR, the certificate, ...; never a PIN or a code). :class:`SagaRecord` reads that back, so a saga
started again after a crash knows where it stopped. The UKey chosen for an order is journaled too
(``issuance.ukey``, subject ``<reference no>``): a second UKey may replace the first only while no
certificate can exist on it.
"""

from __future__ import annotations

from typing import Any

from teller_client.store.journal import DONE, FAILED, PENDING, Journal, JournalRecord

KIND_PREFIX = "issuance."
UKEY_KIND = "issuance.ukey"


def saga_subject(reference_no: str, token_serial: str) -> str:
    return f"{reference_no}/{token_serial}"


class SagaRecord:
    """The journal entries of one (order, UKey), read once; :meth:`reload` after writing."""

    def __init__(self, journal: Journal, reference_no: str, token_serial: str) -> None:
        self._journal = journal
        self.subject = saga_subject(reference_no, token_serial)
        self._entries: list[JournalRecord] = []
        self.reload()

    def reload(self) -> None:
        self._entries = [e for e in self._journal.for_subject(self.subject) if e.kind.startswith(KIND_PREFIX)]

    def done(self, step: str) -> bool:
        return self.result(step) is not None

    def result(self, step: str) -> dict[str, Any] | None:
        """What the last completed attempt of ``step`` recorded, or ``None`` when no attempt completed."""
        for entry in reversed(self._entries):
            if entry.kind == KIND_PREFIX + step and entry.state == DONE:
                return entry.result or {}
        return None

    def begun(self, step: str) -> bool:
        """Whether any attempt of ``step`` was ever journaled (its effect may have happened)."""
        return any(entry.kind == KIND_PREFIX + step for entry in self._entries)

    def may_have_happened(self, step: str) -> bool:
        """Whether an attempt of ``step`` may have had its effect (any attempt not refused outright)."""
        return any(entry.kind == KIND_PREFIX + step and entry.state != FAILED for entry in self._entries)

    def pending(self, step: str) -> JournalRecord | None:
        return next((e for e in self._entries if e.kind == KIND_PREFIX + step and e.state == PENDING), None)


def chosen_ukeys(journal: Journal, reference_no: str) -> list[str]:
    """The token serials chosen for an order, oldest first (the last is the current one)."""
    return [
        str((entry.result or {}).get("token_serial"))
        for entry in journal.for_subject(reference_no)
        if entry.kind == UKEY_KIND and entry.state == DONE
    ]
