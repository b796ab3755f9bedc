"""The issuance saga end to end: SoftHSM UKeys, the training central service over HTTP, a real journal.

The faults (killed worker, killed saga process, pulled UKey, hung library) are in test_issuance_faults.py.
"""

from __future__ import annotations

import json
import logging

import pypdfium2 as pdfium
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from drivers.printing import RawSocketPrinter
from teller_client.documents.letters import LetterLayout
from teller_client.flows.issuance import COUNTER_STEPS, PREMADE_STEPS, Status, Step, StepEvent
from teller_client.flows.letters import LetterStation, PasswordLetters, pin_letter_sink
from teller_client.secret import Secret
from tests.support.issuance import IssuanceRig
from tests.support.printer import PrinterListener


def _certificate_on_token(rig: IssuanceRig, serial: str) -> x509.Certificate:
    contents = rig.gateway.contents(serial, rig.pins[serial])
    [certificate] = contents.certificates
    return x509.load_der_x509_certificate(certificate.der)


def test_a_certificate_made_on_a_blank_softhsm_ukey_verifies_against_the_training_ca_and_holds_the_token_key(
    issuance: IssuanceRig,
) -> None:
    submission = issuance.submission()
    order = submission.certificate_orders[0]
    job = issuance.job(submission)
    serial = issuance.blank_ukey()
    events: list[StepEvent] = []
    saga = issuance.saga(job, serial, order.authorization_code, observer=events.append)

    outcome = saga.run()

    assert outcome.status == Status.ISSUED, outcome.error
    assert [e.step for e in events if e.phase == "done"] == list(COUNTER_STEPS)
    assert issuance.handovers == [(job.reference_no, serial)]
    # on the token: one key pair, one certificate, next to each other; checked with OpenSC's pkcs11-tool too
    assert issuance.ukey_objects(serial) == {"private_keys": 1, "public_keys": 1, "certificates": 1}
    contents = issuance.gateway.contents(serial, issuance.pins[serial])
    [pair], [stored] = contents.key_pairs, contents.certificates
    assert stored.key_id == pair.key_id == saga.key_id
    assert contents.info.label == f"{job.customer_no}-{job.user_no}"
    # the certificate: issued by the training CA, holding the token's own key, naming the token
    cert = x509.load_der_x509_certificate(stored.der)
    ca = x509.load_pem_x509_certificate((issuance.central.server.data_dir / "ca" / "ca-cert.pem").read_bytes())
    cert.verify_directly_issued_by(ca)
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert spki == pair.public_key_info
    assert f"{cert.serial_number:X}" == outcome.certificate_serial
    assert cert.subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)[0].value == job.user_no
    # the private key stayed on the token
    attributes = issuance.softhsm.library().connect(serial=serial)
    with attributes as connection:
        connection.login(issuance.pins[serial].reveal())
        key = connection.private_key_attributes(saga.key_id)
    assert key.sensitive and not key.extractable and key.local
    # centrally: exactly one certificate for the order, on this token; the UKey left the drawer as issued
    assert issuance.issued_in_central(job.reference_no) == [(outcome.certificate_serial, serial, "active")]
    assert {i.serial: i.state for i in issuance.teller.stock(kind="ukey")}[serial] == "issued"


def test_running_a_finished_saga_again_changes_nothing(issuance: IssuanceRig) -> None:
    submission = issuance.submission(key_type="ec_p256")
    job = issuance.job(submission)
    serial = issuance.blank_ukey()
    first = issuance.saga(job, serial, submission.certificate_orders[0].authorization_code).run()
    assert first.status == Status.ISSUED, first.error

    again = issuance.saga(job, serial, None).run()  # a new process: no code, nothing left to do

    assert again.status == Status.ISSUED and again.certificate_serial == first.certificate_serial
    assert len(issuance.handovers) == 1
    assert issuance.ukey_objects(serial) == {"private_keys": 1, "public_keys": 1, "certificates": 1}
    assert _certificate_on_token(issuance, serial).public_key().key_size == 256  # type: ignore[union-attr]


def test_a_ukey_outside_the_tellers_drawer_is_refused_before_anything_is_written_to_it(issuance: IssuanceRig) -> None:
    submission = issuance.submission()
    job = issuance.job(submission)
    assert issuance.profile.so_pin.value is not None
    stray = issuance.softhsm.create_blank_token("STRAY", so_pin=issuance.profile.so_pin.value)  # never received into stock

    outcome = issuance.saga(job, stray.serial, submission.certificate_orders[0].authorization_code).run()

    assert outcome.status == Status.FAILED and outcome.step == Step.UKEY
    assert outcome.error is not None and outcome.error.code == "ukey_not_in_drawer"
    assert stray.serial in outcome.error.message_zh
    [slot] = [s for s in issuance.softhsm.slots() if s.serial == stray.serial]
    assert slot.label == "STRAY" and not slot.user_pin_initialised  # untouched


def test_an_expired_code_stops_at_issue_and_a_supervisor_reauthorization_finishes_it(issuance: IssuanceRig) -> None:
    submission = issuance.submission()
    job = issuance.job(submission)
    serial = issuance.blank_ukey()
    saga = issuance.saga(job, serial, Secret("00000000"))  # a mistyped code

    stopped = saga.run()

    assert stopped.status == Status.NEEDS_AUTHORIZATION and stopped.step == Step.ISSUE
    assert stopped.error is not None and stopped.error.code == "authorization_code_invalid"
    assert saga.done_steps() == [Step.UKEY, Step.INITIALISE, Step.KEY, Step.CSR]
    saga.reauthorize(issuance.supervisor, "code mistyped")
    finished = saga.run()
    assert finished.status == Status.ISSUED, finished.error
    assert len(issuance.issued_in_central(job.reference_no)) == 1
    assert issuance.ukey_objects(serial) == {"private_keys": 1, "public_keys": 1, "certificates": 1}


def test_a_premade_certificate_ukey_is_checked_and_bound_and_gets_the_customers_pin(issuance: IssuanceRig) -> None:
    submission = issuance.submission(premade=True, key_type="ec_p256")
    job = issuance.job(submission)
    assert job.premade
    serial = issuance.premade_ukey("ec_p256")
    events: list[StepEvent] = []

    outcome = issuance.saga(job, serial, submission.certificate_orders[0].authorization_code, observer=events.append).run()

    assert outcome.status == Status.ISSUED, outcome.error
    assert [e.step for e in events if e.phase == "done"] == list(PREMADE_STEPS)
    assert issuance.issued_in_central(job.reference_no) == [(outcome.certificate_serial, serial, "active")]
    ledger = {i.serial: i for i in issuance.teller.stock(kind="ukey")}[serial]
    assert ledger.state == "issued" and ledger.certificate_serial == outcome.certificate_serial
    # the factory's key and certificate are untouched; the customer's PIN (handed over) opens the UKey
    assert issuance.ukey_objects(serial) == {"private_keys": 1, "public_keys": 1, "certificates": 1}
    organisation = _certificate_on_token(issuance, serial).subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)[0].value
    assert str(organisation).startswith("Pre-made UKey")


def test_a_ukey_of_the_wrong_kind_for_the_order_is_refused(issuance: IssuanceRig) -> None:
    counter = issuance.submission()
    premade_serial = issuance.premade_ukey()
    outcome = issuance.saga(issuance.job(counter), premade_serial, counter.certificate_orders[0].authorization_code).run()
    assert outcome.status == Status.FAILED and outcome.error is not None and outcome.error.code == "ukey_wrong_kind"

    premade = issuance.submission(premade=True)
    blank_serial = issuance.blank_ukey()
    outcome = issuance.saga(issuance.job(premade), blank_serial, None).run()
    assert outcome.status == Status.FAILED and outcome.error is not None and outcome.error.code == "ukey_wrong_kind"
    assert "预制" in outcome.error.message_zh


def test_neither_the_pin_nor_the_code_reaches_the_journal_the_store_or_the_log(
    issuance: IssuanceRig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    submission = issuance.submission()
    code = submission.certificate_orders[0].authorization_code
    assert code is not None
    code_text = code.reveal()
    serial = issuance.blank_ukey()

    outcome = issuance.saga(issuance.job(submission), serial, code).run()

    assert outcome.status == Status.ISSUED, outcome.error
    pin = issuance.pins[serial].reveal()
    store_files = [p for p in issuance.store.path.parent.iterdir() if p.name.startswith(issuance.store.path.name)]
    assert store_files
    for secret in (pin, code_text):
        for path in store_files:
            assert secret.encode() not in path.read_bytes(), path
        assert secret not in caplog.text
        assert all(
            secret not in json.dumps(entry.request) + json.dumps(entry.result)
            for entry in issuance.journal.for_subject(f"{submission.certificate_orders[0].reference_no}/{serial}")
        )
    assert "generated a rsa2048 key pair" in caplog.text  # the worker's log records were captured too


def test_the_ukey_pin_is_printed_on_the_pin_letter_and_opens_the_ukey(issuance: IssuanceRig, printer_listener: PrinterListener) -> None:
    submission = issuance.submission()
    job = issuance.job(submission)
    serial = issuance.blank_ukey()
    station = LetterStation(
        RawSocketPrinter("127.0.0.1", printer_listener.port), "PRN-01", LetterLayout(), "示例银行", "营业部", training=True
    )
    letters = PasswordLetters(issuance.teller, issuance.journal, station)
    sink = pin_letter_sink(letters, customer_name="厦门示例贸易有限公司", users={job.user_no: ("王五", "3500000042001")})

    outcome = issuance.saga(job, serial, submission.certificate_orders[0].authorization_code, pin_sink=sink).run()

    assert outcome.status == Status.ISSUED, outcome.error
    [pdf] = printer_listener.wait_for_jobs(1)
    words = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range().split()
    assert serial in words and "王*" in words
    [pin] = [w for w in words if w.isdigit() and len(w) == issuance.profile.user_pin.generated_length]
    contents = issuance.gateway.contents(serial, Secret(pin))  # the printed PIN logs in
    assert len(contents.certificates) == 1
