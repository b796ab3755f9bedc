"""Custody of UKeys and letters against the training service: witnessed, journaled, exactly once, reconciled."""

from __future__ import annotations

import uuid
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from drivers.printing import RawSocketPrinter
from teller_client.api.errors import ConflictError
from teller_client.documents.custody import render_custody_report
from teller_client.documents.letters import LetterLayout
from teller_client.flows.custody import Custody, CustodyError, ReportStaff, Witness, expand_serials, movement_subject
from teller_client.flows.letters import LetterStation, LetterStatus, PasswordLetters
from teller_client.store.database import open_store
from teller_client.store.journal import DONE, Journal
from tests.integration.test_letters import letter_job
from tests.support.central import ClientFactory
from tests.support.printer import PrinterListener

pytestmark = pytest.mark.integration


def test_serial_ranges_expand_keeping_prefix_and_width() -> None:
    assert expand_serials("LT00000098-LT00000101, LT00000200") == ["LT00000098", "LT00000099", "LT00000100", "LT00000101", "LT00000200"]
    assert expand_serials("lt0009~lt0010\nUK01") == ["LT0009", "LT0010", "UK01"]
    assert expand_serials("LT01至LT02") == ["LT01", "LT02"]
    for text, code in [
        ("LT01-UK02", "serial_range_invalid"),
        ("LT001-LT02", "serial_range_invalid"),
        ("LT05-LT01", "serial_range_invalid"),
        ("LT01, LT01", "duplicate_serial"),
        ("LT0000-LT2000", "too_many_serials"),
        ("LT/1", "serial_invalid"),
        (" ", "serials_empty"),
    ]:
        with pytest.raises(CustodyError) as err:
            expand_serials(text)
        assert err.value.code == code, text
        assert err.value.message_zh


def test_a_box_is_received_handed_out_part_spoiled_and_the_day_reconciles(client_for: ClientFactory, tmp_path: Path) -> None:
    supervisor, teller = client_for("S0002"), client_for("T0002")
    journal = Journal(open_store(tmp_path / "store.sqlite"))
    vault = Custody(supervisor, journal)
    prefix = "RX" + uuid.uuid4().hex[:4].upper()
    box = expand_serials(f"{prefix}0001-{prefix}0010")

    received = vault.receive("letter", box, Witness("T0002", teller), "box from the printer works")
    assert received.witness == "T0002" and received.to_holder == "vault" and len(received.serials) == 10
    vault.to_drawer("letter", box[:4], "T0002", Witness("T0002", teller), "drawer for the day")
    Custody(teller, journal).spoil("letter", [box[0]], "T0002", Witness("S0002", supervisor), "torn in the printer")

    held = {i.serial: (i.holder, i.state) for i in supervisor.stock(kind="letter") if i.serial.startswith(prefix)}
    assert held[box[0]] == ("T0002", "spoiled") and held[box[1]] == ("T0002", "in_stock") and held[box[9]] == ("vault", "in_stock")
    report = vault.reconcile()
    assert report.balanced
    assert journal.pending() == []
    movements = [movement_subject("letter", box, "supplier", "vault"), movement_subject("letter", box[:4], "vault", "T0002")]
    assert all([e.state for e in journal.for_subject(subject)] == [DONE] for subject in movements)


def test_a_movement_whose_answer_was_lost_is_asked_again_and_moves_once(client_for: ClientFactory, tmp_path: Path) -> None:
    supervisor, witness = client_for("S0001"), client_for("T0001")
    journal = Journal(open_store(tmp_path / "store.sqlite"))
    serials = [f"LOST{uuid.uuid4().hex[:6].upper()}"]
    # the first attempt reached the service, but the client crashed before journaling the answer
    entry = journal.begin(
        "custody.movement", subject=movement_subject("ukey", serials, "supplier", "vault"), actor="S0001",
        request={"kind": "ukey", "serials": serials, "from_holder": "supplier", "to_holder": "vault", "reason": "box", "witness": "T0001"},
    )  # fmt: skip
    supervisor.move_stock(
        kind="ukey", serials=serials, from_holder="supplier", to_holder="vault", reason="box",
        witness_token=witness.token(), idempotency_key=entry.idempotency_key,
    )  # fmt: skip

    again = Custody(supervisor, journal).receive("ukey", serials, Witness("T0001", witness), "box")

    assert again.serials == tuple(serials)
    assert [i.serial for i in supervisor.stock(kind="ukey") if i.serial == serials[0]] == serials  # once
    assert journal.get(entry.idempotency_key).state == DONE  # type: ignore[union-attr]


def test_nobody_witnesses_their_own_movement_and_a_refused_one_is_not_left_pending(client_for: ClientFactory, tmp_path: Path) -> None:
    teller = client_for("T0001")
    journal = Journal(open_store(tmp_path / "store.sqlite"))
    custody = Custody(teller, journal)
    with pytest.raises(CustodyError) as err:
        custody.to_vault("letter", ["LT00000001"], "T0001", Witness("T0001", teller), "end of day")
    assert err.value.code == "witness_required" and "另一人" in err.value.message_zh
    with pytest.raises(ConflictError) as conflict:
        custody.to_vault("letter", ["NOTHELD01"], "T0001", Witness("S0001", client_for("S0001")), "end of day")
    assert conflict.value.code == "serial_not_held"
    assert journal.pending() == []


def test_the_end_of_day_report_balances_after_a_day_of_issuing_spoiling_and_returning(
    client_for: ClientFactory, printer_listener: PrinterListener, tmp_path: Path
) -> None:
    supervisor, teller = client_for("S0002"), client_for("T0002")
    journal = Journal(open_store(tmp_path / "store.sqlite"))
    vault, drawer = Custody(supervisor, journal), Custody(teller, journal)
    prefix = "EOD" + uuid.uuid4().hex[:3].upper()
    box = expand_serials(f"{prefix}001-{prefix}006")
    vault.receive("letter", box, Witness("T0002", teller), "box from the printer works")
    vault.to_drawer("letter", box, "T0002", Witness("T0002", teller), "drawer for the day")
    # issuing: a password letter printed on the drawer's lowest serial
    station = LetterStation(
        RawSocketPrinter("127.0.0.1", printer_listener.port), "PRN-01", LetterLayout(), "示例银行", "营业部", training=True
    )
    job = letter_job(teller, supervisor)
    lowest = min(i.serial for i in teller.stock(holder="T0002", kind="letter", state="in_stock"))
    assert PasswordLetters(teller, journal, station).print_letter(job).status == LetterStatus.PRINTED
    # spoiling and returning
    unused = sorted(set(box) - {lowest})
    drawer.spoil("letter", [unused[0]], "T0002", Witness("S0002", supervisor), "torn while loading")
    drawer.to_vault("letter", unused[1:4], "T0002", Witness("S0002", supervisor), "end of day")
    vault.move("letter", [unused[3]], "vault", "supplier", Witness("T0002", teller), "misprinted serial, back to the printer works")

    staff = ReportStaff({"T0002": "李柜员", "S0002": "林主管"}, "S0002", "示例银行", "厦门分行营业部", training=True)
    report = vault.end_of_day_report(staff)

    assert report.balanced and all(line.balanced for line in report.lines)
    drawer_line = next(line for line in report.lines if (line.holder, line.kind) == ("T0002", "letter"))
    assert drawer_line.issued >= 1 and drawer_line.spoiled >= 1 and drawer_line.transferred_out >= 2
    vault_line = next(line for line in report.lines if (line.holder, line.kind) == ("vault", "letter"))
    assert vault_line.returned >= 1 and vault_line.received >= 6
    torn = next(item for item in report.spoiled if item.serial == unused[0])
    assert torn.reason == "torn while loading" and torn.holder_name == "李柜员" and torn.witness == "S0002"
    text = "".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(render_custody_report(report)))
    assert "torn while loading" in text and "李柜员" in text and unused[0] in text
