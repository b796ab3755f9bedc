"""What a handler of the training service receives and returns.

Handlers are plain functions ``(Context) -> Reply`` that run in a worker
thread inside one database transaction (see :mod:`.app`); they raise
:class:`~teller_client.training.problems.ApiProblem` to refuse, which rolls
the transaction back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from teller_client.domain.catalogue import Catalogue
from teller_client.training.ca import TrainingCA
from teller_client.training.problems import not_a_supervisor, not_a_teller

BRANCH_ID = "TRAIN01"


@dataclass(frozen=True)
class Caller:
    """The logged-in employee making the request."""

    user_id: str
    name: str
    roles: tuple[str, ...]
    branch_id: str
    workstation_id: str
    token_sha256: str

    def has(self, role: str) -> bool:
        return role in self.roles

    def require_supervisor(self) -> None:
        if not self.has("supervisor"):
            raise not_a_supervisor()

    def require_teller(self) -> None:
        if not self.has("teller"):
            raise not_a_teller()


@dataclass(frozen=True)
class Services:
    """Long-lived things every handler may use."""

    data_dir: Path
    ca: TrainingCA
    catalogue: Catalogue
    catalogue_doc: dict[str, Any]
    catalogue_etag: str
    version: str


@dataclass
class Context:
    db: Session
    services: Services
    business_date: date
    caller: Caller | None
    body: Any
    path_params: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    idempotency_key: str | None = None

    @property
    def user(self) -> Caller:
        """The caller of an authenticated route."""
        if self.caller is None:  # pragma: no cover - the dispatcher authenticates first
            raise RuntimeError("no caller on an authenticated route")
        return self.caller

    def param(self, name: str) -> str:
        return self.path_params[name]

    def body_dict(self) -> dict[str, Any]:
        """The JSON object body, or ``{}`` when an optional body was left out."""
        return self.body if isinstance(self.body, dict) else {}


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
