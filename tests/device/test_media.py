"""The media step over real parts: every certificate on its SoftHSM UKey, every letter through the socket printer;
and a client killed halfway through, whose next start finds the submission in the journal and finishes it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pypdfium2 as pdfium

from drivers.printing import RawSocketPrinter
from teller_client.documents.confirmation import render_confirmation
from teller_client.documents.custody import render_handover_slip
from teller_client.documents.letters import LetterLayout
from teller_client.domain.document import read_document
from teller_client.flows import completion, media
from teller_client.flows.completion import Desk
from teller_client.flows.issuance import Status
from teller_client.flows.letters import LetterStation, LetterStatus, PasswordLetters
from teller_client.flows.media import ItemState, MediaPlan
from tests.support.central import BUSINESS_DATE
from tests.support.documents import valid_document
from tests.support.issuance import IssuanceRig, key
from tests.support.printer import PrinterListener

ROOT = Path(__file__).resolve().parents[2]


def approved_application(rig: IssuanceRig) -> tuple[str, str]:
    doc = valid_document()
    doc["form_id"] = "EF" + uuid.uuid4().hex[:12].upper()
    app = rig.teller.create_application(doc, source="eform", form_id=doc["form_id"], verified=True, idempotency_key=key())
    rig.supervisor.decide(app.id, snapshot_hash=app.snapshot_hash, decision="approve", idempotency_key=key())
    return app.id, doc["customer"]["name"]


def pdf_text(pdf: bytes) -> str:
    return "".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf))


def runner_for(rig: IssuanceRig, plan: MediaPlan, listener: PrinterListener) -> media.MediaRunner:
    station = LetterStation(RawSocketPrinter("127.0.0.1", listener.port), "PRN-01", LetterLayout(), "示例银行", "营业部", training=True)
    assert rig.teller.user is not None
    return media.MediaRunner(
        plan, central=rig.teller, journal=rig.journal, actor=rig.teller.user.id, gateway=rig.gateway,
        letters=PasswordLetters(rig.teller, rig.journal, station), pin_sink=rig.pin_sink,
    )  # fmt: skip


def finish_certificate(rig: IssuanceRig, runner: media.MediaRunner, item: media.MediaItem, serial: str) -> None:
    outcome = runner.issue(item, serial)
    if outcome.status == Status.NEEDS_AUTHORIZATION:
        runner.reauthorize(item, serial, rig.supervisor, "resumed after a restart")
        outcome = runner.issue(item, serial)
    assert outcome.status == Status.ISSUED, outcome


def assert_everything_once(rig: IssuanceRig, plan: MediaPlan, ukeys: dict[str, str]) -> None:
    for item in plan.items:
        assert plan.state(rig.journal, item) == ItemState.DONE, item
    for reference_no, serial in ukeys.items():
        assert [(token, state) for _, token, state in rig.issued_in_central(reference_no)] == [(serial, "active")]
        assert rig.ukey_objects(serial) == {"private_keys": 1, "public_keys": 1, "certificates": 1}
    assert media.open_plans(rig.journal) == []


def test_every_item_of_a_submission_is_handed_over_each_on_its_own(issuance: IssuanceRig, printer_listener: PrinterListener) -> None:
    application_id, customer = approved_application(issuance)
    plan = media.submit(issuance.teller, issuance.journal, "T0001", application_id, customer)
    certificates = [i for i in plan.items if i.kind == "certificate"]
    letters = [i for i in plan.items if i.kind == "letter"]
    assert len(certificates) == 3 and len(letters) == 3 and all(plan.state(issuance.journal, i) == ItemState.TO_DO for i in plan.items)
    assert [p.application_id for p in media.open_plans(issuance.journal)] == [application_id]
    issuance.letters_to_drawer(3)
    runner = runner_for(issuance, plan, printer_listener)
    ukeys = {item.order: issuance.blank_ukey(f"K{n}") for n, item in enumerate(certificates)}
    for item in certificates:
        finish_certificate(issuance, runner, item, ukeys[item.order])
    for item in letters:
        assert runner.print_letter(item).status == LetterStatus.PRINTED
    assert len(printer_listener.wait_for_jobs(3)) == 3
    assert_everything_once(issuance, plan, ukeys)
    # the completion papers list exactly what was handed over, from the journal
    application, _ = read_document(valid_document(), BUSINESS_DATE)
    assert application is not None
    desk = Desk("示例银行", "营业部", "T0001", "李柜员", "S0001", "林主管", training=True)
    confirmation = completion.confirmation(application, plan, issuance.journal, desk)
    assert {u.token_serial for u in confirmation.ukeys} == set(ukeys.values())
    assert len(confirmation.letters) == 3 and all(u.login_id and u.user_no for u in confirmation.users)
    text = pdf_text(render_confirmation(confirmation))
    assert plan.agreement_no in text and all(serial in text for serial in ukeys.values())
    assert all(letter.letter_serial in text for letter in confirmation.letters)
    slip = completion.handover_slip(
        application,
        plan,
        issuance.journal,
        desk,
        receiver_name="王五",
        receiver_id_type="resident_id",
        receiver_id_number="350203198506123013",
    )
    assert len(slip.items) == 6 and "王五" in pdf_text(render_handover_slip(slip))


def test_a_client_killed_during_media_issuance_resumes_from_the_journal_on_its_next_start(
    issuance: IssuanceRig, printer_listener: PrinterListener
) -> None:
    application_id, customer = approved_application(issuance)
    ukeys_in_order = [issuance.blank_ukey(f"K{n}") for n in range(3)]
    spec = {
        "central_url": issuance.central.server.url,
        "store": str(issuance.store.path),
        "module": str(issuance.softhsm.module),
        "application_id": application_id,
        "customer_name": customer,
        "ukeys": ukeys_in_order,
        "kill_at": 1,
    }
    child = subprocess.run(
        [sys.executable, "-m", "tests.support.media_child"],
        input=json.dumps(spec), env=issuance.softhsm.env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]

    [plan] = media.open_plans(issuance.journal)  # the next start: what was submitted and not finished
    assert plan.application_id == application_id and plan.codes == {}  # the codes died with the process
    certificates = [i for i in plan.items if i.kind == "certificate"]
    assert [plan.state(issuance.journal, i) for i in certificates] == [ItemState.DONE, ItemState.IN_PROGRESS, ItemState.TO_DO]
    runner = runner_for(issuance, plan, printer_listener)
    assert runner.ukey_in_use(certificates[1]) == ukeys_in_order[1]
    ukeys = dict(zip([i.order for i in certificates], ukeys_in_order, strict=True))
    for item in certificates[1:]:
        finish_certificate(issuance, runner, item, runner.ukey_in_use(item) or ukeys[item.order])
    issuance.letters_to_drawer(3)
    for item in plan.items:
        if item.kind == "letter":
            assert runner.print_letter(item).status == LetterStatus.PRINTED
    # the first UKey was finished by the killed client, its PIN on that client's letter: count its objects with a PIN
    # set by the security officer
    first_pin = issuance.gateway.new_user_pin()
    issuance.gateway.reset_user_pin(ukeys_in_order[0], first_pin)
    issuance.pins[ukeys_in_order[0]] = first_pin
    assert_everything_once(issuance, plan, ukeys)
