"""Print-once password letters: released, printed through a raw-socket printer, confirmed; the secret nowhere else.

The printer is a real TCP listener (tests/support/printer.py) that keeps what it receives in memory; the printed
PDF is read with PDFium in memory too (a file would put the password on disk, which is what the test looks for).
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
import uuid
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp

from drivers.printing import PrintJob, PrintResult, RawSocketPrinter, printer_from_spec
from teller_client.api.client import CentralClient
from teller_client.api.errors import PermissionDeniedError
from teller_client.documents.letters import LetterLayout
from teller_client.flows.letters import LetterJob, LetterStation, LetterStatus, PasswordLetters
from teller_client.store.database import open_store
from teller_client.store.journal import Journal
from teller_client.training.hashing import verify_secret
from tests.support.central import ClientFactory
from tests.support.documents import valid_document
from tests.support.printer import PrinterListener

pytestmark = pytest.mark.integration


def key() -> str:
    return str(uuid.uuid4())


def letter_job(teller: CentralClient, supervisor: CentralClient) -> LetterJob:
    doc = valid_document()
    doc["form_id"] = "EF" + uuid.uuid4().hex[:12].upper()
    app = teller.create_application(doc, source="eform", form_id=doc["form_id"], verified=True, idempotency_key=key())
    supervisor.decide(app.id, snapshot_hash=app.snapshot_hash, decision="approve", idempotency_key=key())
    submission = teller.submit(app.id, idempotency_key=key())
    order = submission.letter_orders[0]
    user = next(u for u in submission.users if u.user_no == order.user_no)
    return LetterJob(order.letter_order_id, order.user_no, user.name or "用户", doc["customer"]["name"])


def to_drawer(teller: CentralClient, witness: CentralClient, count: int) -> list[str]:
    assert teller.user is not None
    serials = [i.serial for i in teller.stock(holder="vault", kind="letter", state="in_stock")][:count]
    teller.move_stock(
        kind="letter", serials=serials, from_holder="vault", to_holder=teller.user.id, reason="drawer",
        witness_token=witness.token(), idempotency_key=key(),
    )  # fmt: skip
    return serials


def station(printer: object) -> LetterStation:
    return LetterStation(printer, "PRN-TEST-01", LetterLayout(), "示例银行", "厦门分行营业部", training=True, timeout=10.0)  # type: ignore[arg-type]


def pdf_words(pdf: bytes) -> tuple[list[str], list[str]]:
    """The text words and the decoded barcodes of every page, read in memory."""
    document = pdfium.PdfDocument(pdf)
    words: list[str] = []
    codes: list[str] = []
    for page in document:
        words += page.get_textpage().get_text_range().split()
        codes += [b.text for b in zxingcpp.read_barcodes(page.render(scale=300 / 72).to_pil())]
    return words, codes


def central_password_hash(training_data: Path, letter_order_id: str) -> str | None:
    with sqlite3.connect(training_data / "central.sqlite") as db:
        row = db.execute("SELECT password_hash FROM letter_orders WHERE id = ?", (letter_order_id,)).fetchone()
    return row[0] if row else None


def test_a_letter_carries_the_released_password_and_its_serial_and_the_password_is_nowhere_else(
    client_for: ClientFactory,
    training_data: Path,
    printer_listener: PrinterListener,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    private_temp = tmp_path / "temp"  # whatever this process writes as a temporary file lands here
    private_temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_temp))
    monkeypatch.setattr(tempfile, "tempdir", str(private_temp))
    teller, supervisor, witness = client_for("T0001"), client_for("S0001"), client_for("T0002")
    job = letter_job(teller, supervisor)
    to_drawer(teller, witness, 2)
    first = min(i.serial for i in teller.stock(holder="T0001", kind="letter", state="in_stock"))
    store = open_store(tmp_path / "client" / "store.sqlite")
    printer = RawSocketPrinter("127.0.0.1", printer_listener.port)

    outcome = PasswordLetters(teller, Journal(store), station(printer)).print_letter(job)

    assert outcome.status == LetterStatus.PRINTED and outcome.letter_serial == first, outcome.error
    [pdf] = printer_listener.wait_for_jobs(1)
    words, codes = pdf_words(pdf)
    assert first in codes  # the serial's Code 128
    password_hash = central_password_hash(training_data, job.letter_order_id)
    assert password_hash is not None
    candidates = [w for w in words if len(w) == 10 and w.isascii() and w.isalnum()]  # ten characters without look-alikes
    [password] = [w for w in candidates if verify_secret(w, password_hash)]  # the released password is on the letter, once
    # ... and nowhere else: not in the store, the journal, the log or a new temporary file
    for path in (tmp_path / "client").iterdir():
        assert password.encode() not in path.read_bytes(), path
    assert password not in caplog.text
    for path in private_temp.rglob("*"):
        assert not path.is_file() or password.encode() not in path.read_bytes(), path
    ledger = {i.serial: i.state for i in teller.stock(kind="letter")}
    assert ledger[first] == "issued"


def test_a_letter_the_printer_could_not_take_is_spoiled_and_a_supervisor_allows_the_reprint(
    client_for: ClientFactory, printer_listener: PrinterListener, tmp_path: Path
) -> None:
    teller, supervisor, witness = client_for("T0001"), client_for("S0002"), client_for("T0002")
    job = letter_job(teller, supervisor)
    to_drawer(teller, witness, 2)
    serials = sorted(i.serial for i in teller.stock(holder="T0001", kind="letter", state="in_stock"))  # lowest first
    journal = Journal(open_store(tmp_path / "store.sqlite"))
    printer_listener.refuse()
    offline = PasswordLetters(teller, journal, station(RawSocketPrinter("127.0.0.1", printer_listener.port)))

    spoiled = offline.print_letter(job)

    assert spoiled.status == LetterStatus.NEEDS_REPRINT and spoiled.letter_serial == serials[0]
    assert spoiled.error is not None and spoiled.error.code == "printer_offline"
    assert {i.serial: i.state for i in teller.stock(kind="letter")}[serials[0]] == "spoiled"
    assert journal.pending() == []
    assert offline.print_letter(job).status == LetterStatus.NEEDS_REPRINT  # asking again spends nothing
    with pytest.raises(PermissionDeniedError):
        offline.allow_reprint(job, teller, "jammed")  # the teller who printed it cannot allow the reprint
    offline.allow_reprint(job, supervisor, "printer was off")
    working = PrinterListener()
    try:
        again = PasswordLetters(teller, journal, station(RawSocketPrinter("127.0.0.1", working.port))).print_letter(job)
        assert again.status == LetterStatus.PRINTED and again.letter_serial == serials[1], again.error
        assert len(working.wait_for_jobs(1)) == 1
    finally:
        working.close()


class CrashingPrinter:
    """Stands for the client dying while the letter goes to the printer (the power cut is not what is tested)."""

    name = "crash"

    def send(self, job: PrintJob, *, timeout: float, cancel: object = None) -> PrintResult:
        raise SystemExit("power cut")


def test_after_a_crash_between_release_and_print_the_letter_is_spoiled_never_printed_without_its_password(
    client_for: ClientFactory, printer_listener: PrinterListener, tmp_path: Path
) -> None:
    teller, supervisor, witness = client_for("T0001"), client_for("S0001"), client_for("T0002")
    job = letter_job(teller, supervisor)
    to_drawer(teller, witness, 1)
    serial = min(i.serial for i in teller.stock(holder="T0001", kind="letter", state="in_stock"))
    journal = Journal(open_store(tmp_path / "store.sqlite"))
    with pytest.raises(SystemExit):
        PasswordLetters(teller, journal, station(CrashingPrinter())).print_letter(job)

    resumed = PasswordLetters(teller, journal, station(RawSocketPrinter("127.0.0.1", printer_listener.port))).print_letter(job)

    assert resumed.status == LetterStatus.NEEDS_REPRINT and resumed.letter_serial == serial
    assert printer_listener.jobs == []  # nothing printed without the password
    assert {i.serial: i.state for i in teller.stock(kind="letter")}[serial] == "spoiled"
    assert journal.pending() == []


def test_a_dot_matrix_mailer_printer_gets_the_letter_as_escp_text_with_the_password_in_the_sealed_area(
    client_for: ClientFactory, training_data: Path, printer_listener: PrinterListener, tmp_path: Path
) -> None:
    teller, supervisor, witness = client_for("T0001"), client_for("S0001"), client_for("T0002")
    job = letter_job(teller, supervisor)
    to_drawer(teller, witness, 1)
    printer = printer_from_spec(f"escp+raw:127.0.0.1:{printer_listener.port}")
    layout = LetterLayout()

    outcome = PasswordLetters(teller, Journal(open_store(tmp_path / "store.sqlite")), station(printer)).print_letter(job)

    assert outcome.status == LetterStatus.PRINTED, outcome.error
    [data] = printer_listener.wait_for_jobs(1)
    assert data.startswith(b"\x1b@") and data.endswith(b"\x0c")  # ESC @ ... form feed
    lines = data.decode("gb18030").split("\r\n")
    text = "\n".join(lines)
    assert outcome.letter_serial in text and job.customer_name in text and job.user_name not in text  # the name is masked
    password_hash = central_password_hash(training_data, job.letter_order_id)
    assert password_hash is not None
    [(row, password)] = [
        (number, word)
        for number, line in enumerate(lines)
        for word in line.split()
        if len(word) == 10 and verify_secret(word, password_hash)
    ]
    line_mm = 25.4 * 30 / 180
    sealed_top, sealed_bottom = layout.sealed_y_mm, layout.sealed_y_mm + layout.sealed_height_mm
    assert sealed_top <= row * line_mm <= sealed_bottom  # line 0 starts after the printer set-up codes
    assert password.encode() not in (tmp_path / "store.sqlite").read_bytes()
