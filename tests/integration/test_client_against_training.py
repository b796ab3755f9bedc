"""The API client against the training central service over real HTTP, every response checked against the contract."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from teller_client.api.client import CentralClient
from teller_client.api.errors import (
    AuthenticationError,
    ConflictError,
    ExpiredError,
    PermissionDeniedError,
    ValidationFailedError,
)
from teller_client.secret import Secret
from teller_client.store.database import open_store
from teller_client.store.journal import Journal
from tests.support.central import BUSINESS_DATE, ClientFactory
from tests.support.documents import valid_document

pytestmark = pytest.mark.integration


def key() -> str:
    return str(uuid.uuid4())


def fresh_document(form_id: str | None = None) -> dict[str, Any]:
    doc = valid_document()
    doc["form_id"] = form_id or ("EF" + uuid.uuid4().hex[:12].upper())
    return doc


def approved_application(maker: CentralClient, supervisor: CentralClient) -> str:
    app = maker.create_application(fresh_document(), source="eform", form_id="EF1", verified=True, idempotency_key=key())
    supervisor.decide(app.id, snapshot_hash=app.snapshot_hash, decision="approve", idempotency_key=key())
    return app.id


def take_from_vault(teller: CentralClient, witness: CentralClient, kind: str, count: int, *, premade: bool = False) -> list[str]:
    """Move ``count`` items of ``kind`` from the vault into the teller's drawer, witnessed."""
    assert teller.user is not None
    items = [i for i in teller.stock(holder="vault", kind=kind, state="in_stock") if i.premade == premade][:count]
    serials = [i.serial for i in items]
    teller.move_stock(
        kind=kind, serials=serials, from_holder="vault", to_holder=teller.user.id, reason="drawer for the day",
        witness_token=witness.token(), idempotency_key=key(),
    )  # fmt: skip
    return serials


def rsa_csr(common_name: str = "attacker") -> tuple[rsa.RSAPrivateKey, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .sign(private, hashes.SHA256())
    )
    return private, csr.public_bytes(serialization.Encoding.PEM).decode()


# --- login ---------------------------------------------------------------------------------------


def test_login_success_and_failure(client_for: ClientFactory) -> None:
    teller = client_for()
    health = teller.health()
    assert health.business_date == BUSINESS_DATE and health.training
    result = teller.login("T0001", Secret("training"))
    assert result.user.id == "T0001" and "teller" in result.user.roles and result.user.branch_id == "TRAIN01"
    assert teller.logged_in and not result.user.is_supervisor
    with pytest.raises(AuthenticationError) as err:
        client_for().login("T0001", "wrong-password")
    assert err.value.code == "invalid_credentials"
    assert "密码" in err.value.message_zh
    teller.logout()
    assert not teller.logged_in
    with pytest.raises(AuthenticationError):
        teller.application("nothing")


# --- the application's life ------------------------------------------------------------------------


def test_create_return_change_approve_submit(client_for: ClientFactory) -> None:
    teller, supervisor = client_for("T0001"), client_for("S0001")
    app = teller.create_application(fresh_document(), source="eform", form_id="EF1", verified=True, idempotency_key=key())
    assert app.status == "pending_approval" and app.maker == "T0001" and len(app.snapshot_hash) == 64
    assert app.id in [i.id for i in supervisor.review_queue()]

    with pytest.raises(ValidationFailedError) as err:
        supervisor.decide(app.id, snapshot_hash=app.snapshot_hash, decision="return", idempotency_key=key())
    assert err.value.code == "reason_required"
    returned = supervisor.decide(
        app.id, snapshot_hash=app.snapshot_hash, decision="return", reason="法定代表人证件已过期", idempotency_key=key()
    )
    assert returned.status == "returned"
    assert returned.history[-1].reason == "法定代表人证件已过期"

    doc = returned.document
    doc["customer"]["contact"]["mobile"] = "13900001111"
    changed = teller.update_application(app.id, doc)
    assert changed.status == "pending_approval" and changed.snapshot_hash != app.snapshot_hash

    approved = supervisor.decide(app.id, snapshot_hash=changed.snapshot_hash, decision="approve", idempotency_key=key())
    assert approved.status == "approved"
    submission = teller.submit(app.id, idempotency_key=key())
    assert submission.agreement_no and submission.customer_ebank_id
    assert len(submission.users) == 3
    assert len(submission.certificate_orders) == 3  # three UKey users in the sample form
    assert all(o.authorization_code is not None for o in submission.certificate_orders)
    assert teller.application(app.id).status == "submitted"
    assert [h.action for h in teller.application(app.id).history] == ["created", "returned", "changed", "approved", "submitted"]


def test_validation_errors_name_each_field(client_for: ClientFactory) -> None:
    teller = client_for("T0001")
    doc = fresh_document()
    doc["customer"]["uscc"] = "91350200M000100Y47"
    doc["users"][1]["credential"] = "password"
    with pytest.raises(ValidationFailedError) as err:
        teller.create_application(doc, source="paper", form_id=doc["form_id"], verified=False, idempotency_key=key())
    assert err.value.code == "validation_failed"
    assert ("/document/customer/uscc", "uscc_check_character") in [(e.field, e.code) for e in err.value.errors]


# --- idempotency ---------------------------------------------------------------------------------


def test_same_post_same_key_creates_one_thing_and_another_body_is_refused(client_for: ClientFactory) -> None:
    teller = client_for("T0001")
    doc, same_key = fresh_document(), key()
    first = teller.create_application(doc, source="eform", form_id="EF1", verified=True, idempotency_key=same_key)
    response = teller.request(
        "POST", "/applications", json={"source": "eform", "form_id": "EF1", "verified": True, "document": doc}, idempotency_key=same_key
    )
    assert response.status_code == 201 and response.headers.get("Idempotent-Replayed") == "true"
    assert response.json()["id"] == first.id
    other = fresh_document()
    with pytest.raises(ValidationFailedError) as err:
        teller.create_application(other, source="eform", form_id="EF1", verified=True, idempotency_key=same_key)
    assert err.value.code == "idempotency_key_reused"


def test_a_crash_between_call_and_answer_is_resolved_by_the_journal(client_for: ClientFactory, tmp_path: Path) -> None:
    """The key is journaled first; after a "crash" the same key is sent again and the one application comes back."""
    teller = client_for("T0001")
    store = open_store(tmp_path / "store.sqlite")
    journal = Journal(store)
    doc = fresh_document()
    entry = journal.begin("create_application", subject="draft-1", actor="T0001", request={"form_id": doc["form_id"]})
    first = teller.create_application(doc, source="eform", form_id="EF1", verified=True, idempotency_key=entry.idempotency_key)
    # the process dies here: the journal still says pending
    again = journal.begin("create_application", subject="draft-1", actor="T0001")
    assert again.idempotency_key == entry.idempotency_key and again.attempts == 2
    second = teller.create_application(doc, source="eform", form_id="EF1", verified=True, idempotency_key=again.idempotency_key)
    assert second.id == first.id
    journal.complete(again.idempotency_key, {"application_id": second.id})
    store.close()


# --- dual control ------------------------------------------------------------------------------------


def test_the_maker_can_never_approve(client_for: ClientFactory) -> None:
    teller = client_for("T0001")
    app = teller.create_application(fresh_document(), source="eform", form_id="EF1", verified=True, idempotency_key=key())
    with pytest.raises(PermissionDeniedError) as err:
        teller.decide(app.id, snapshot_hash=app.snapshot_hash, decision="approve", idempotency_key=key())
    assert err.value.code == "maker_cannot_approve"
    with pytest.raises(PermissionDeniedError) as err2:
        client_for("T0002").decide(app.id, snapshot_hash=app.snapshot_hash, decision="approve", idempotency_key=key())
    assert err2.value.code == "not_a_supervisor"


def test_an_approval_of_a_stale_snapshot_is_refused(client_for: ClientFactory) -> None:
    teller, supervisor = client_for("T0001"), client_for("S0002")
    app = teller.create_application(fresh_document(), source="eform", form_id="EF1", verified=True, idempotency_key=key())
    stale = "0" * 64
    with pytest.raises(ConflictError) as err:
        supervisor.decide(app.id, snapshot_hash=stale, decision="approve", idempotency_key=key())
    assert err.value.code == "snapshot_changed"
    with pytest.raises(ConflictError) as err2:
        teller.submit(app.id, idempotency_key=key())
    assert err2.value.code == "not_approved"


# --- certificates -----------------------------------------------------------------------------------


def _training_ca(client: CentralClient, chain: tuple[str, ...]) -> x509.Certificate:
    return x509.load_pem_x509_certificate(chain[-1].encode())


def test_a_csr_made_with_a_real_key_gets_a_certificate_chained_to_the_training_ca(client_for: ClientFactory) -> None:
    teller, supervisor, witness = client_for("T0001"), client_for("S0001"), client_for("T0002")
    submission = teller.submit(approved_application(teller, supervisor), idempotency_key=key())
    order = submission.certificate_orders[0]
    assert order.authorization_code is not None and not order.premade
    [token] = take_from_vault(teller, witness, "ukey", 1)
    private, csr = rsa_csr("CN that the CA must ignore")
    result = teller.issue_certificate(
        order.reference_no, authorization_code=order.authorization_code, csr_pem=csr, token_serial=token, idempotency_key=key()
    )
    cert = x509.load_pem_x509_certificate(result.certificate.encode())
    ca = _training_ca(teller, result.chain)
    cert.verify_directly_issued_by(ca)
    assert cert.public_key().public_numbers() == private.public_key().public_numbers()  # type: ignore[union-attr]
    assert "ignore" not in cert.subject.rfc4514_string()
    assert result.token_serial == token
    assert {i.serial: i.state for i in teller.stock(holder="T0001", kind="ukey")}.get(token) != "in_stock"

    # the same CSR again gives the same certificate; another key for the fulfilled order is refused
    again = teller.issue_certificate(
        order.reference_no, authorization_code=order.authorization_code, csr_pem=csr, token_serial=token, idempotency_key=key()
    )
    assert again.certificate == result.certificate
    other_key = ec.generate_private_key(ec.SECP256R1())
    other_csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")]))
        .sign(other_key, hashes.SHA256())
        .public_bytes(serialization.Encoding.PEM)
        .decode()
    )
    with pytest.raises(ConflictError) as err:
        teller.issue_certificate(
            order.reference_no, authorization_code=order.authorization_code, csr_pem=other_csr, token_serial=token, idempotency_key=key()
        )
    assert err.value.code == "already_issued"


def test_a_wrong_authorization_code_is_refused(client_for: ClientFactory) -> None:
    teller, supervisor, witness = client_for("T0001"), client_for("S0001"), client_for("T0002")
    order = teller.submit(approved_application(teller, supervisor), idempotency_key=key()).certificate_orders[0]
    [token] = take_from_vault(teller, witness, "ukey", 1)
    _, csr = rsa_csr()
    with pytest.raises(PermissionDeniedError) as err:
        teller.issue_certificate(
            order.reference_no, authorization_code=Secret("00000000"), csr_pem=csr, token_serial=token, idempotency_key=key()
        )
    assert err.value.code == "authorization_code_invalid"


# --- letters and stock --------------------------------------------------------------------------------


def test_a_letter_is_released_once(client_for: ClientFactory) -> None:
    teller, supervisor, witness = client_for("T0001"), client_for("S0001"), client_for("T0002")
    letter_order = teller.submit(approved_application(teller, supervisor), idempotency_key=key()).letter_orders[0]
    [serial] = take_from_vault(teller, witness, "letter", 1)
    released = teller.release_letter(letter_order.letter_order_id, letter_serial=serial, printer_id="PRN-01", idempotency_key=key())
    assert released.initial_password is not None and len(released.initial_password) >= 8
    assert "*" in repr(released.initial_password)
    released.initial_password.wipe()
    with pytest.raises(ConflictError) as err:
        teller.release_letter(letter_order.letter_order_id, letter_serial=serial, printer_id="PRN-01", idempotency_key=key())
    assert err.value.code == "already_released"
    printed = teller.confirm_letter(letter_order.letter_order_id, letter_serial=serial, outcome="printed", idempotency_key=key())
    assert printed.state == "printed"


def test_a_stock_movement_without_a_witness_is_refused(client_for: ClientFactory) -> None:
    teller = client_for("T0001")
    serial = teller.stock(holder="vault", kind="ukey", state="in_stock")[0].serial
    for witness in (None, teller.token()):  # nobody, or the teller witnessing themself
        with pytest.raises(PermissionDeniedError) as err:
            teller.move_stock(
                kind="ukey", serials=[serial], from_holder="vault", to_holder="T0001", reason="drawer",
                witness_token=witness, idempotency_key=key(),
            )  # fmt: skip
        assert err.value.code == "witness_required"
    assert {i.serial for i in teller.stock(holder="vault", kind="ukey")} >= {serial}


def test_reconciliation_balances_after_a_day_of_movements(client_for: ClientFactory) -> None:
    teller, supervisor, witness = client_for("T0002"), client_for("S0002"), client_for("S0001")
    letters = take_from_vault(teller, witness, "letter", 5)
    take_from_vault(teller, witness, "ukey", 2)
    teller.move_stock(
        kind="letter", serials=letters[3:], from_holder="T0002", to_holder="vault", reason="unused at close",
        witness_token=witness.token(), idempotency_key=key(),
    )  # fmt: skip
    teller.move_stock(
        kind="letter", serials=[letters[2]], from_holder="T0002", to_holder="spoiled", reason="torn in the printer",
        witness_token=supervisor.token(), idempotency_key=key(),
    )  # fmt: skip
    report = teller.reconciliation()
    assert report.date == BUSINESS_DATE and report.balanced
    line = {(x.holder, x.kind): x for x in report.lines}[("T0002", "letter")]
    assert (line.transferred_in, line.transferred_out, line.spoiled) == (5, 2, 1)
    assert line.closing == line.opening + 5 - 2 - 1
    assert all(x.balanced for x in report.lines)


# --- the business date: nothing lives overnight ------------------------------------------------------------------


def test_a_code_used_after_the_business_date_moved_is_refused(client_for: ClientFactory) -> None:
    """Runs last in this module: it moves the training clock."""
    teller, supervisor, witness = client_for("T0001"), client_for("S0001"), client_for("T0002")
    order = teller.submit(approved_application(teller, supervisor), idempotency_key=key()).certificate_orders[0]
    assert order.authorization_code is not None
    [token] = take_from_vault(teller, witness, "ukey", 1)
    moved = teller.move_training_clock(BUSINESS_DATE + timedelta(days=1), idempotency_key=key())
    assert moved["expired"]["authorizations"] >= 1
    _, csr = rsa_csr()
    with pytest.raises(ExpiredError) as err:
        teller.issue_certificate(
            order.reference_no, authorization_code=order.authorization_code, csr_pem=csr, token_serial=token, idempotency_key=key()
        )
    assert err.value.code == "authorization_expired"
    renewed = supervisor.reauthorize(order.reference_no, reason="customer came back next day", idempotency_key=key())
    assert renewed.authorization_code is not None
    result = teller.issue_certificate(
        order.reference_no, authorization_code=renewed.authorization_code, csr_pem=csr, token_serial=token, idempotency_key=key()
    )
    assert result.certificate_serial


def test_the_training_factory_certifies_a_ukeys_own_key_and_the_ukey_enters_the_vault_pre_made(client_for: ClientFactory) -> None:
    teller = client_for("T0001")
    private, csr = rsa_csr("whatever the UKey says")
    serial = "FX" + uuid.uuid4().hex[:10].upper()
    made = teller.make_training_premade_ukey(token_serial=serial, key_type="rsa2048", csr_pem=csr, idempotency_key=key())
    cert = x509.load_pem_x509_certificate(made["certificate"].encode())
    assert cert.public_key().public_numbers() == private.public_key().public_numbers()  # type: ignore[union-attr]
    assert "whatever" not in cert.subject.rfc4514_string()
    [item] = [i for i in teller.stock(holder="vault", kind="ukey") if i.serial == serial]
    assert item.premade and item.state == "in_stock" and item.certificate_serial == made["certificate_serial"] == f"{cert.serial_number:X}"
    with pytest.raises(ConflictError) as err:
        teller.make_training_premade_ukey(token_serial=serial, key_type="rsa2048", csr_pem=csr, idempotency_key=key())
    assert err.value.code == "serial_not_held"
    with pytest.raises(ValidationFailedError) as invalid:
        teller.make_training_premade_ukey(token_serial=serial + "X", key_type="ec_p256", csr_pem=csr, idempotency_key=key())
    assert invalid.value.code == "csr_invalid"
