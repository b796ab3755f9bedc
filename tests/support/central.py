"""Fixtures for tests of the client against the training central service over real HTTP.

Every response the clients see is checked against the OpenAPI document
(``ContractRecorder``), so a test fails when the service or the client drifts
from the contract.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests

from teller_client.api.client import CentralClient
from teller_client.api.contract import load_contract

if TYPE_CHECKING:
    from teller_client.training.server import TrainingServer

BUSINESS_DATE = date(2026, 11, 23)
TRAINING_PASSWORD = "training"


@dataclass
class ContractRecorder:
    """A ``requests`` response hook that validates each response against the contract and keeps what it saw."""

    seen: list[tuple[str, str, int]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def __call__(self, response: requests.Response, *args: object, **kwargs: object) -> None:
        request = response.request
        method = str(request.method)
        path = requests.utils.urlparse(str(request.url)).path
        content_type = response.headers.get("Content-Type", "")
        body: object = None
        if response.content:
            try:
                body = json.loads(response.content)
            except ValueError:
                self.violations.append(f"{method} {path} -> {response.status_code}: body is not JSON")
                return
        errors = load_contract().response_errors(method, path, response.status_code, content_type, body)
        self.seen.append((method, path, response.status_code))
        for err in errors:
            self.violations.append(f"{method} {path} -> {response.status_code}: {err.pointer or '/'}: {err.message}")

    def session(self) -> requests.Session:
        session = requests.Session()
        session.hooks["response"].append(self)
        return session


@pytest.fixture(scope="module")
def training_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrainingServer]:
    """A training central service on a random loopback port for the whole module."""
    from teller_client.training.server import TrainingServer

    data: Path = tmp_path_factory.mktemp("central")
    with TrainingServer(data, business_date=BUSINESS_DATE) as server:
        yield server


@pytest.fixture(scope="module")
def training_service(training_server: TrainingServer) -> str:
    """The module's training service: its base URL."""
    return training_server.url


@pytest.fixture(scope="module")
def training_data(training_server: TrainingServer) -> Path:
    """The module's training service: its data folder (``central.sqlite``, the CA), for checks behind the API."""
    return training_server.data_dir


@pytest.fixture(scope="module")
def contract(training_service: str) -> Iterator[ContractRecorder]:
    recorder = ContractRecorder()
    yield recorder
    assert recorder.seen, "no response was checked against the contract"
    assert not recorder.violations, "\n".join(recorder.violations)


ClientFactory = Callable[..., CentralClient]


@pytest.fixture
def client_for(training_service: str, contract: ContractRecorder) -> ClientFactory:
    """``client_for("T0001")``: a client logged in as that training user, every response contract-checked."""

    def make(user_id: str | None = None, password: str = TRAINING_PASSWORD) -> CentralClient:
        client = CentralClient(training_service, session=contract.session(), workstation_id="TEST-WS-01")
        if user_id is not None:
            client.login(user_id, password)
        return client

    return make
