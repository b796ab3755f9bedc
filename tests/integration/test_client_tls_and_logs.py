"""The client over TLS against the training CA, and what its logs keep of secrets (nothing)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from teller_client.api.client import CentralClient, Timeouts
from teller_client.api.errors import ServiceUnavailableError
from teller_client.logs import TRACE, configure_logging
from tests.support.central import BUSINESS_DATE
from tests.support.documents import valid_document

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def tls_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    from teller_client.training.server import TrainingServer

    with TrainingServer(tmp_path_factory.mktemp("central-tls"), tls=True, business_date=BUSINESS_DATE) as server:
        assert server.ca_bundle is not None
        yield server.url, server.ca_bundle


def test_tls_with_the_training_ca_bundle(tls_service: tuple[str, Path]) -> None:
    url, ca_bundle = tls_service
    assert url.startswith("https://")
    client = CentralClient(url, verify=ca_bundle, workstation_id="TEST-WS-01")
    assert client.health().business_date == BUSINESS_DATE
    assert client.login("T0001", "training").user.id == "T0001"


def test_tls_without_the_ca_bundle_is_refused_as_untrusted(tls_service: tuple[str, Path]) -> None:
    url, _ = tls_service
    client = CentralClient(url, timeouts=Timeouts(connect=2, read=5))  # the system's trust store
    with pytest.raises(ServiceUnavailableError) as err:
        client.health()
    assert err.value.code == "tls_untrusted"
    assert "证书" in err.value.message_zh


@pytest.fixture
def trace_log(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    level = root.level
    configure_logging(tmp_path, TRACE, console=False)
    yield tmp_path / "teller-client.log"
    for handler in list(root.handlers):
        if getattr(handler, "_teller", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_no_password_code_or_token_reaches_the_log_even_at_trace(tls_service: tuple[str, Path], trace_log: Path) -> None:
    url, ca_bundle = tls_service
    teller = CentralClient(url, verify=ca_bundle, workstation_id="TEST-WS-01")
    supervisor = CentralClient(url, verify=ca_bundle, workstation_id="TEST-WS-02")
    witness = CentralClient(url, verify=ca_bundle, workstation_id="TEST-WS-03")
    teller.login("T0001", "training")
    supervisor.login("S0001", "training")
    witness.login("T0002", "training")

    doc = valid_document()
    app = teller.create_application(doc, source="eform", form_id=doc["form_id"], verified=True, idempotency_key=str(uuid.uuid4()))
    supervisor.decide(app.id, snapshot_hash=app.snapshot_hash, decision="approve", idempotency_key=str(uuid.uuid4()))
    submission = teller.submit(app.id, idempotency_key=str(uuid.uuid4()))
    serial = teller.stock(holder="vault", kind="letter", state="in_stock")[0].serial
    teller.move_stock(
        kind="letter", serials=[serial], from_holder="vault", to_holder="T0001", reason="drawer",
        witness_token=witness.token(), idempotency_key=str(uuid.uuid4()),
    )  # fmt: skip
    released = teller.release_letter(
        submission.letter_orders[0].letter_order_id, letter_serial=serial, printer_id="PRN-01", idempotency_key=str(uuid.uuid4())
    )
    secrets = [released.initial_password, *(o.authorization_code for o in submission.certificate_orders), teller.token(), witness.token()]
    values = [s.reveal() for s in secrets if s is not None]
    assert len(values) >= 5

    text = trace_log.read_text(encoding="utf-8")
    assert "TRACE" in text and "/letter-orders/" in text  # the traffic was logged at TRACE...
    for value in values:
        assert value not in text  # ...without any secret
    assert "'password': 'training'" not in text and '"password": "training"' not in text
    assert "'password': \"******\"" in text or '"password": "******"' in text  # the login body was logged, masked
