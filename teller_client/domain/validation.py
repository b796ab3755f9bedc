"""Validate an application document: shape, identifiers and business rules, all at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from teller_client.domain.catalogue import Catalogue, load_catalogue
from teller_client.domain.document import read_document
from teller_client.domain.model import Application
from teller_client.domain.problems import Problem, Severity
from teller_client.domain.rules import check_rules


@dataclass(frozen=True)
class ValidationReport:
    application: Application | None
    """The model, or ``None`` when the document's shape is broken (business rules then wait for a fix)."""
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        """No errors (warnings may remain for the teller to confirm)."""
        return self.application is not None and not self.errors

    def at(self, pointer: str) -> tuple[Problem, ...]:
        """The problems of one field (and of anything under it)."""
        return tuple(p for p in self.problems if p.pointer == pointer or p.pointer.startswith(pointer + "/"))

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "problems": [p.to_dict() for p in self.problems]}


def validate(doc: Any, catalogue: Catalogue | None = None, today: date | None = None) -> ValidationReport:
    """Every problem of an ``eform/1`` document.

    Shape and identifier problems always; business-rule problems when the
    shape allows the model to be built (identifier errors do not stop them).
    ``today`` is the business date (birth dates, temporary account expiry).
    """
    today = today or date.today()
    app, problems = read_document(doc, today)
    if app is not None:
        problems.extend(check_rules(app, catalogue or load_catalogue(), today))
    problems.sort(key=lambda p: _order(p.pointer))
    return ValidationReport(app, tuple(problems))


_TOP = ("schema", "form_id", "created_at", "expires_at", "request", "customer", "accounts", "users", "services", "fees")


def _order(pointer: str) -> tuple[int, int]:
    """Document order: the top-level field, then the list index; the sort is stable, so within one
    item the reader's field order comes first and the business rules' findings after."""
    parts = pointer.split("/")[1:]
    head = _TOP.index(parts[0]) if parts and parts[0] in _TOP else len(_TOP)
    index = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1
    return head, index
