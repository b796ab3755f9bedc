"""Round trips of the client against the training service on loopback (real HTTP, one process).

.venv/bin/python -m pytest tests/benchmarks/test_api_bench.py --benchmark-enable
"""

from __future__ import annotations

import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pytest_benchmark.fixture import BenchmarkFixture

from tests.support.central import ClientFactory
from tests.support.documents import valid_document


def test_bench_login(benchmark: BenchmarkFixture, client_for: ClientFactory) -> None:
    client = client_for()
    result = benchmark(client.login, "T0001", "training")
    assert result.user.id == "T0001"


def test_bench_create_application(benchmark: BenchmarkFixture, client_for: ClientFactory) -> None:
    teller = client_for("T0001")
    doc = valid_document()

    def create() -> str:
        return teller.create_application(doc, source="eform", form_id="EF1", verified=True, idempotency_key=str(uuid.uuid4())).id

    assert benchmark(create)


def test_bench_issue_certificate(benchmark: BenchmarkFixture, client_for: ClientFactory) -> None:
    """Approve, submit, take a UKey and issue: the central side of one certificate (EC P-256 key)."""
    teller, supervisor, witness = client_for("T0001"), client_for("S0001"), client_for("T0002")

    def one() -> str:
        doc = valid_document()
        app = teller.create_application(doc, source="eform", form_id="EF1", verified=True, idempotency_key=str(uuid.uuid4()))
        supervisor.decide(app.id, snapshot_hash=app.snapshot_hash, decision="approve", idempotency_key=str(uuid.uuid4()))
        order = teller.submit(app.id, key_type="ec_p256", idempotency_key=str(uuid.uuid4())).certificate_orders[0]
        serial = next(i.serial for i in teller.stock(holder="vault", kind="ukey", state="in_stock") if not i.premade)
        teller.move_stock(kind="ukey", serials=[serial], from_holder="vault", to_holder="T0001", reason="bench",
                          witness_token=witness.token(), idempotency_key=str(uuid.uuid4()))  # fmt: skip
        key = ec.generate_private_key(ec.SECP256R1())
        csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "b")]))
        pem = csr.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()
        assert order.authorization_code is not None
        return teller.issue_certificate(order.reference_no, authorization_code=order.authorization_code, csr_pem=pem,
                                        token_serial=serial, idempotency_key=str(uuid.uuid4())).certificate_serial  # fmt: skip

    assert benchmark.pedantic(one, rounds=8, iterations=1)
