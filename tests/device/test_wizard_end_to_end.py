"""The signing wizard end to end: the autopilot drives the real window through a scenario on a training bench, and
the test then looks at what the bank's side and the UKeys really hold.

Every run goes through ``run_autopilot`` (the real main window, offscreen, driven by key presses and clicks; the
training service over HTTP; SoftHSM blank UKeys in the teller's drawer; the bench's printer sink). Its ``inspect``
hook checks, while the bench is still open:

* the training service's own database (``central.sqlite``, read-only): exactly one agreement for the application,
  its users as the form has them, one certificate order and exactly one active certificate per UKey user, each on a
  different bench UKey, one letter order per new user (the service orders an initial password letter for every
  user a new agreement creates), each released once and printed on a distinct letter of the teller's drawer;
* the UKeys, by OpenSC's ``pkcs11-tool`` (independent of the client's driver): one public key and one certificate
  in public view, three objects in the token's folder (so one private key besides), the certificate the very one
  the service made, its public key the token's; logged in with the PIN its PIN letter carries (the letters are read
  from the printer sink's PDF jobs), exactly one private key, and it signs a challenge the certificate verifies;
* the stock, through the API as the supervisor: ``GET /stock/reconciliation`` balanced, every line adding up
  (opening + received + in - out - issued - spoiled - returned = closing), and the teller's drawer issued exactly the
  certificate users' UKeys and one letter per letter order.

The restart test runs the standard scenario in a child process (``python -m teller_client.cli autopilot``),
SIGKILLs it as soon as the client's journal shows the second UKey's key pair being made (the first UKey done), waits
for its UKey worker to end too, and resumes in this process on the same bench folder (``resume=True``): the draft
opened from the start page, the media page going on from the journal (a supervisor re-authorizes the code that died
with the process), nothing made twice: one certificate per order, one key pair and one certificate per UKey, each
letter released and printed once, the first UKey's PIN letter not printed again.

Needs SoftHSM2 (``softhsm2``) and OpenSC's ``pkcs11-tool``; skipped without them. One bench at a time
(``SOFTHSM2_CONF`` belongs to the process).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature
from PySide6.QtWidgets import QApplication

from teller_client.flows.autopilot_report import AutopilotReport, Outcome
from teller_client.flows.media import SUBMISSION_KIND, MediaPlan
from teller_client.flows.scenario import Scenario, load_scenario
from teller_client.training.bench import MANIFEST, TrainingBench
from teller_client.training.db import DB_FILE
from teller_client.ui.autopilot import run_autopilot
from tests.support.qt import _qt_objects_die_on_the_gui_thread  # noqa: F401 - autouse: windows die on the GUI thread

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before the QApplication is made: the autopilot's window is offscreen

pytestmark = [pytest.mark.device, pytest.mark.timeout(300)]

PIN_IN_LETTER = re.compile(r"UKey initial PIN\s+(\d{4,16})")
TOOL_TIMEOUT = 30.0
KILL_WAIT = 120.0
"""Upper bound for the child to set its bench up and reach the second UKey (it takes about 10 s)."""
PASSWORD_LETTER = "Initial login password"
CONFIRMATION = "Customer's confirmation"
KILL_AT = "issuance.key"
"""The child is killed as the second UKey's key pair is being made (journaled as begun, made in the UKey worker)."""
CHALLENGE = b"teller-client end-to-end challenge"


@pytest.fixture
def pkcs11_tool(softhsm_module: Path, qapp: QApplication) -> str:
    """OpenSC's ``pkcs11-tool`` (SoftHSM2 itself is required by ``softhsm_module``; the QApplication by ``qapp``)."""
    tool = shutil.which("pkcs11-tool")
    if tool is None:
        pytest.skip("pkcs11-tool (Debian package opensc) is not installed")
    return tool


# -- the training service's own database -------------------------------------------------------------------------


class CentralDb:
    """The training service's ``central.sqlite``, read-only (the service keeps running meanwhile)."""

    def __init__(self, bench: TrainingBench) -> None:
        self.path = bench.central_dir / DB_FILE

    def rows(self, sql: str, *args: object) -> list[sqlite3.Row]:
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
        try:
            db.row_factory = sqlite3.Row
            return db.execute(sql, args).fetchall()
        finally:
            db.close()

    def audit(self, action: str, target: str) -> list[sqlite3.Row]:
        return self.rows("SELECT * FROM audit_log WHERE action = ? AND target = ? ORDER BY id", action, target)


# -- the UKeys, by OpenSC's pkcs11-tool ----------------------------------------------------------------------------


@dataclass
class Tokens:
    """The bench's SoftHSM tokens seen through ``pkcs11-tool`` and SoftHSM's token folders."""

    bench: TrainingBench
    tool: str
    work: Path

    def run(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            [self.tool, "--module", str(self.bench.softhsm.module), *args],
            env=self.bench.softhsm.env, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False,
        )  # fmt: skip
        if check and done.returncode != 0:
            raise AssertionError(f"pkcs11-tool {' '.join(a for a in args if not a.isdigit())} failed: {done.stderr.strip()}")
        return done.stdout

    def slot(self, serial: str) -> str:
        """The slot id (decimal) of the token ``serial``."""
        listing = self.run("--list-slots")
        for block in re.split(r"^Slot \d+ ", listing, flags=re.M)[1:]:
            found = re.search(r"^\s*serial num\s*:\s*(\S+)", block, flags=re.M)
            if found and found.group(1) == serial:
                return str(int(re.match(r"\((0x[0-9a-fA-F]+)\)", block).group(1), 16))  # type: ignore[union-attr]
        raise AssertionError(f"no token {serial} among the bench's slots")

    def public_objects(self, serial: str) -> str:
        return self.run("--slot", self.slot(serial), "--list-objects")

    def object_files(self, serial: str) -> int:
        """SoftHSM keeps each object of a token in a file of its own (private ones too, encrypted)."""
        folder = self.bench.softhsm.token_folder(serial)
        return sum(1 for path in folder.glob("*.object") if path.name != "token.object")

    def read(self, serial: str, kind: str, key_id: str) -> bytes:
        out = self.work / f"{serial}-{kind}.der"
        self.run("--slot", self.slot(serial), "--read-object", "--type", kind, "--id", key_id, "--output-file", str(out))
        return out.read_bytes()

    def private_objects(self, serial: str, pin: str) -> str:
        return self.run("--slot", self.slot(serial), "--login", "--pin", pin, "--list-objects", "--type", "privkey")

    def sign(self, serial: str, pin: str, key_id: str, public_key: Any) -> None:
        """The token's private key signs the challenge; the certificate's public key verifies it."""
        digest = hashlib.sha256(CHALLENGE).digest()
        source, signature = self.work / f"{serial}-challenge", self.work / f"{serial}-signature"
        if isinstance(public_key, rsa.RSAPublicKey):
            source.write_bytes(CHALLENGE)
            mechanism = "SHA256-RSA-PKCS"
        else:
            source.write_bytes(digest)  # plain ECDSA signs the hash it is given
            mechanism = "ECDSA"
        self.run(
            "--slot", self.slot(serial), "--login", "--pin", pin, "--sign", "--id", key_id, "--mechanism", mechanism,
            "--input-file", str(source), "--output-file", str(signature),
        )  # fmt: skip
        raw = signature.read_bytes()
        try:
            if isinstance(public_key, rsa.RSAPublicKey):
                public_key.verify(raw, CHALLENGE, padding.PKCS1v15(), hashes.SHA256())
            else:
                assert isinstance(public_key, ec.EllipticCurvePublicKey)
                half = len(raw) // 2
                der = encode_dss_signature(int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big"))
                public_key.verify(der, digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        except InvalidSignature:
            raise AssertionError(f"the key on UKey {serial} is not the certificate's key") from None


def spki(public_key: Any) -> bytes:
    return bytes(public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))


# -- what came out of the printer ----------------------------------------------------------------------------------


def pdf_text(job: bytes) -> str:
    return "".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(job))


def printed_texts(bench: TrainingBench) -> list[str]:
    return [pdf_text(job) for job in list(bench.printer.jobs) if job.startswith(b"%PDF")]


def pin_letters(texts: list[str], token_serials: list[str]) -> dict[str, list[str]]:
    """The PINs the PIN letters of this bench's printer carry, per UKey."""
    pins: dict[str, list[str]] = {serial: [] for serial in token_serials}
    for text in texts:
        found = PIN_IN_LETTER.search(text)
        if found is None:
            continue
        owners = [serial for serial in token_serials if serial in text]
        assert len(owners) == 1, f"a PIN letter names one UKey, this one {owners}"
        pins[owners[0]].append(found.group(1))
    return pins


# -- the whole check -----------------------------------------------------------------------------------------------


@dataclass
class Signing:
    """What one signing left at the bank, as :func:`check_signing` found it."""

    agreement_no: str
    certificates: dict[str, sqlite3.Row]
    """reference no -> the certificate the service made for it."""
    letter_orders: list[sqlite3.Row]
    history: list[sqlite3.Row]
    pins: dict[str, list[str]] = field(default_factory=dict)


def check_report(report: AutopilotReport) -> None:
    errors = [f"{e.code} on {e.page}: {e.message_en}" for e in report.errors]
    assert report.outcome is Outcome.COMPLETED, errors
    assert errors == []
    assert report.application_id and report.agreement_no


def check_signing(
    bench: TrainingBench,
    report: AutopilotReport,
    scenario: Scenario,
    tokens: Tokens,
    *,
    pins_printed_here: frozenset[str] | None = None,
) -> Signing:
    """Everything the module's docstring lists, for the signing ``report`` names. ``pins_printed_here``: the UKeys
    whose PIN letter came out of this bench's printer sink (default: all; a run killed in another process printed
    the others on its own sink)."""
    check_report(report)
    central = CentralDb(bench)
    app_id, agreement_no = report.application_id, report.agreement_no
    assert app_id is not None and agreement_no is not None
    document = scenario.intake(bench.business_date).document
    form_users = document["users"]
    ukey_users = [u["name"] for u in form_users if u["credential"] == "ukey"]
    assert len(ukey_users) == scenario.expect.ukeys and len(form_users) == scenario.expect.letters

    # the application and its one agreement
    [application] = central.rows("SELECT * FROM applications WHERE id = ?", app_id)
    assert application["agreement_no"] == agreement_no and application["status"] == "submitted"
    agreements = central.rows("SELECT * FROM agreements WHERE application_id = ?", app_id)
    assert [a["agreement_no"] for a in agreements] == [agreement_no], "exactly one agreement for the application"
    assert agreements[0]["status"] == "active" and agreements[0]["customer_uscc"] == document["customer"]["uscc"]
    users = central.rows("SELECT * FROM agreement_users WHERE agreement_no = ? ORDER BY user_no", agreement_no)
    assert [(u["name"], u["credential"], u["state"]) for u in users] == [(u["name"], u["credential"], "active") for u in form_users]
    by_no = {u["user_no"]: u for u in users}

    # one certificate order and exactly one active certificate per UKey user, each on its own bench UKey
    orders = central.rows("SELECT * FROM certificate_orders WHERE application_id = ?", app_id)
    assert sorted(by_no[o["user_no"]]["name"] for o in orders) == sorted(ukey_users)
    assert {o["state"] for o in orders} == {"issued"} and not any(o["premade"] for o in orders)
    certificates: dict[str, sqlite3.Row] = {}
    for order in orders:
        made = central.rows("SELECT * FROM certificates WHERE reference_no = ?", order["reference_no"])
        assert len(made) == 1, f"order {order['reference_no']}: {len(made)} certificates"
        [certificate] = made
        assert certificate["state"] == "active" and certificate["user_no"] == order["user_no"]
        assert certificate["token_serial"] == order["token_serial"] and certificate["serial_hex"] == order["certificate_serial"]
        assert by_no[order["user_no"]]["certificate_serial"] == certificate["serial_hex"]
        certificates[order["reference_no"]] = certificate
    on_agreement = central.rows("SELECT * FROM certificates WHERE agreement_no = ?", agreement_no)
    assert len(on_agreement) == len(orders), "no certificate beyond the orders'"
    token_serials = [c["token_serial"] for c in certificates.values()]
    assert len(set(token_serials)) == len(token_serials), "each certificate on a UKey of its own"
    assert set(token_serials) <= set(bench.ukey_serials)

    # the UKeys themselves
    texts = printed_texts(bench)
    pins = pin_letters(texts, token_serials)
    expect_pins = set(token_serials) if pins_printed_here is None else set(pins_printed_here)
    assert {serial for serial, found in pins.items() if found} == expect_pins
    assert all(len(found) <= 1 for found in pins.values()), f"a PIN letter printed twice: {pins}"
    for order in orders:
        serial = order["token_serial"]
        central_cert = x509.load_pem_x509_certificate(order["certificate_pem"].encode())
        listing = tokens.public_objects(serial)
        assert (listing.count("Public Key Object"), listing.count("Certificate Object"), listing.count("Private Key Object")) == (1, 1, 0)
        assert tokens.object_files(serial) == 3, f"UKey {serial}: one key pair and one certificate, nothing else"
        [key_id] = set(re.findall(r"^\s*ID:\s*([0-9a-f]+)", listing, flags=re.M))
        on_token = x509.load_der_x509_certificate(tokens.read(serial, "cert", key_id))
        assert on_token == central_cert and f"{on_token.serial_number:032X}" == certificates[order["reference_no"]]["serial_hex"]
        assert tokens.read(serial, "pubkey", key_id) == spki(central_cert.public_key())
        if pins[serial]:
            [pin] = pins[serial]
            assert tokens.private_objects(serial, pin).count("Private Key Object") == 1
            tokens.sign(serial, pin, key_id, central_cert.public_key())

    # one password letter per new user, released once, printed on its own letter of the teller's drawer
    letter_orders = central.rows("SELECT * FROM letter_orders WHERE application_id = ? ORDER BY id", app_id)
    assert sorted(o["user_no"] for o in letter_orders) == sorted(by_no), "a letter order for every new user"
    assert {(o["state"], o["released_by"]) for o in letter_orders} == {("printed", scenario.teller)}
    letter_serials = [o["letter_serial"] for o in letter_orders]
    assert len(set(letter_serials)) == len(letter_serials) and set(letter_serials) <= set(bench.letter_serials)
    for order in letter_orders:
        target = f"letter-order/{order['id']}"
        assert len(central.audit("letter.released", target)) == 1, f"{order['id']} released once"
        assert len(central.audit("letter.printed", target)) == 1, f"{order['id']} printed once"
    password_letters = [text for text in texts if PASSWORD_LETTER in text]
    printed = Counter(serial for text in password_letters for serial in bench.letter_serials if serial in text)
    assert printed == Counter(letter_serials), "each letter came out of the printer once, and no other"
    [confirmation] = [text for text in texts if CONFIRMATION in text]  # printed on the completion page, once
    assert agreement_no in confirmation and all(serial in confirmation for serial in token_serials + letter_serials)

    # the stock, through the API as the supervisor
    supervisor = bench.sign_in(bench.supervisor)
    try:
        ledger = supervisor.reconciliation()
        items = supervisor.stock(holder=scenario.teller)
        history = supervisor.application(app_id).history
    finally:
        supervisor.logout()
        supervisor.http.close()
    assert ledger.date == bench.business_date and ledger.balanced
    for line in ledger.lines:
        flow = line.opening + line.received + line.transferred_in - line.transferred_out - line.issued - line.spoiled - line.returned
        assert flow == line.closing and line.balanced, line
    drawer = {line.kind: line for line in ledger.lines if line.holder == scenario.teller}
    assert (drawer["ukey"].issued, drawer["ukey"].spoiled) == (len(ukey_users), 0)
    assert (drawer["letter"].issued, drawer["letter"].spoiled) == (len(form_users), 0)
    issued = {(i.kind, i.serial) for i in items if i.state == "issued"}
    assert issued == {("ukey", s) for s in token_serials} | {("letter", s) for s in letter_serials}
    left = {i.serial for i in items if i.kind == "ukey" and i.state == "in_stock"}
    assert left == set(bench.ukey_serials) - set(token_serials)

    assert [(h.actor, h.action) for h in history if h.action in ("approved", "returned", "rejected")][-1] == (
        scenario.supervisor,
        "approved",
    )
    assert all(h.actor != scenario.teller for h in history if h.action in ("approved", "returned", "rejected")), "the maker never decides"
    return Signing(
        agreement_no=agreement_no,
        certificates=certificates,
        letter_orders=letter_orders,
        history=central.rows("SELECT * FROM application_history WHERE application_id = ? ORDER BY id", app_id),
        pins=pins,
    )


class Inspection:
    """An ``inspect`` hook for ``run_autopilot``: runs :func:`check_signing` and keeps what it found."""

    def __init__(self, scenario: Scenario, tool: str, work: Path, **options: Any) -> None:
        self.scenario, self.tool, self.work, self.options = scenario, tool, work, options
        self.signing: Signing | None = None
        self.document: dict[str, Any] | None = None
        self.form_document: dict[str, Any] | None = None

    def __call__(self, bench: TrainingBench, report: AutopilotReport) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        self.signing = check_signing(bench, report, self.scenario, Tokens(bench, self.tool, self.work), **self.options)
        [(document,)] = CentralDb(bench).rows("SELECT document FROM applications WHERE id = ?", report.application_id)
        self.document = json.loads(document)
        self.form_document = self.scenario.intake(bench.business_date).document


def run(name: str, folder: Path, tool: str, **options: Any) -> tuple[AutopilotReport, Inspection]:
    inspection = Inspection(load_scenario(name), tool, folder.parent / f"{folder.name}-tool", **options)
    report = run_autopilot(name, folder=folder, inspect=inspection)
    check_report(report)
    assert inspection.signing is not None, "the inspection did not run"
    return report, inspection


# -- the tests -----------------------------------------------------------------------------------------------------


def test_the_standard_e_form_is_signed_issued_and_balanced_in_at_most_15_teller_actions(pkcs11_tool: str, tmp_path: Path) -> None:
    report, inspection = run("standard", tmp_path / "bench", pkcs11_tool)
    assert report.ok, report.to_json()
    assert report.teller_actions <= 15 and report.retyped_fields == []
    assert (report.media.ukeys, report.media.letters) == (2, 3)
    assert inspection.signing is not None and len(inspection.signing.certificates) == 2
    actions = [(h["actor"], h["action"]) for h in inspection.signing.history]
    assert actions == [("T0001", "created"), ("S0001", "approved"), ("T0001", "submitted")]  # at the desk, approved once


def test_a_large_group_goes_through_the_review_queue_with_seven_ukeys_and_ten_letters(pkcs11_tool: str, tmp_path: Path) -> None:
    report, inspection = run("large-group", tmp_path / "bench", pkcs11_tool)
    assert report.ok, report.to_json()
    assert report.retyped_fields == [] and report.supervisor_actions > 0
    assert (report.media.ukeys, report.media.letters) == (7, 10)
    assert inspection.signing is not None and len(inspection.signing.certificates) == 7
    assert len(inspection.signing.letter_orders) == 10
    assert inspection.document is not None and len(inspection.document["accounts"]) == 20


def test_a_typed_paper_form_reaches_the_bank_exactly_as_written(pkcs11_tool: str, tmp_path: Path) -> None:
    report, inspection = run("paper-form", tmp_path / "bench", pkcs11_tool)
    assert report.ok, report.to_json()
    assert (report.media.ukeys, report.media.letters) == (2, 3)
    central, form = inspection.document, inspection.form_document
    assert central is not None and form is not None
    own = {"form_id", "created_at", "expires_at"}  # a paper form's own: numbered and dated when the teller opened it
    assert set(central) == set(form)
    assert {key: central[key] for key in set(central) - own} == {key: form[key] for key in set(form) - own}
    assert central["form_id"].startswith("PF") and central["schema"] == "eform/1"


def test_a_return_with_its_reason_comes_back_to_the_teller_and_only_the_supervisor_approves(pkcs11_tool: str, tmp_path: Path) -> None:
    scenario = load_scenario("demo-faults")
    report, inspection = run("demo-faults", tmp_path / "bench", pkcs11_tool)
    assert report.ok, report.to_json()
    pages = [step.page for step in report.steps]
    assert pages[pages.index("sign_off") :][:4] == ["sign_off", "review", "sign_off", "submit"]  # back to the teller's draft
    assert inspection.signing is not None
    history = [(h["actor"], h["action"], h["reason"]) for h in inspection.signing.history]
    assert history == [
        ("T0001", "created", None),
        (scenario.supervisor, "returned", scenario.faults.return_once),
        ("T0001", "changed", None),  # sent again by the teller
        (scenario.supervisor, "approved", None),
        ("T0001", "submitted", None),
    ]


# -- killed during the media issuance, then restarted ----------------------------------------------------------------


@dataclass
class Kill:
    second_order: str
    steps_begun: list[tuple[str, str]]
    """(kind, state) of the second order's journal entries when the child was killed."""
    first_order: str


def descendants(pid: int) -> set[int]:
    """The process ``pid``'s children, their children and so on (from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, ValueError, IndexError):
            continue
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def journal(store: Path) -> list[sqlite3.Row]:
    db = sqlite3.connect(f"file:{store}?mode=rw", uri=True, timeout=5)  # never creates it
    try:
        db.row_factory = sqlite3.Row
        return db.execute("SELECT kind, subject, state, result FROM journal ORDER BY id").fetchall()
    finally:
        db.close()


def certificate_orders(entries: list[sqlite3.Row]) -> list[str] | None:
    """The submission's certificate orders in the media plan's order (``None`` before the submission)."""
    done = [e for e in entries if e["kind"] == SUBMISSION_KIND and e["state"] == "done" and e["result"]]
    if not done:
        return None
    plan = MediaPlan.from_record(json.loads(done[-1]["result"]))
    return [item.order for item in plan.items if item.kind == "certificate"]


def kill_during_second_ukey(folder: Path) -> Kill:
    """The standard scenario in a child process, SIGKILLed once the second UKey's issuance reached :data:`KILL_AT`."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("SOFTHSM2_CONF", None)
    log = folder.parent / "child.log"
    command = [sys.executable, "-m", "teller_client.cli", "autopilot", "standard", "--folder", str(folder), "--json"]
    with log.open("wb") as out:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[2])
    try:
        deadline = time.monotonic() + KILL_WAIT
        store = folder / "client" / "store.sqlite"
        while True:
            assert child.poll() is None, (
                f"the child ended ({child.returncode}) before the second UKey:\n{log.read_text(errors='replace')[-3000:]}"
            )
            assert time.monotonic() < deadline, f"the second UKey's issuance never began:\n{log.read_text(errors='replace')[-3000:]}"
            if (folder / MANIFEST).is_file():  # set up: the store is there
                try:
                    entries = journal(store)
                except sqlite3.OperationalError:  # busy, or not yet migrated
                    entries = []
                orders = certificate_orders(entries)
                if orders is not None and len(orders) == 2:
                    second = {e["kind"] for e in entries if e["kind"].startswith("issuance.") and e["subject"].startswith(orders[1])}
                    if KILL_AT in second:
                        workers = descendants(child.pid)
                        child.send_signal(signal.SIGKILL)
                        child.wait(10)
                        break
            time.sleep(0.005)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers), "the client's worker processes outlived it"
    assert child.returncode == -signal.SIGKILL
    entries = journal(store)  # as the killed process left it
    first = orders[0]
    done = {(e["kind"], e["subject"].partition("/")[0]) for e in entries if e["state"] == "done"}
    assert ("issuance.pin_handover", first) in done and ("pin_letter.print", first) in done, "the first UKey was done"
    assert ("issuance.pin_handover", orders[1]) not in done, "killed before the second UKey was done"
    return Kill(orders[1], [(e["kind"], e["state"]) for e in entries if e["subject"].startswith(orders[1])], first)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and /proc")
def test_killed_during_the_media_issuance_the_restarted_client_finishes_without_making_anything_twice(
    pkcs11_tool: str, tmp_path: Path
) -> None:
    folder = tmp_path / "bench"
    kill = kill_during_second_ukey(folder)
    code_used = ("issuance.issue", "done") in kill.steps_begun  # the certificate was made before the kill

    scenario = load_scenario("standard")
    second_token: list[str] = []

    def check(bench: TrainingBench, report: AutopilotReport) -> None:
        [(token,)] = CentralDb(bench).rows("SELECT token_serial FROM certificate_orders WHERE reference_no = ?", kill.second_order)
        second_token.append(token)
        inspection.options["pins_printed_here"] = frozenset(second_token)  # the first UKey's PIN letter came out before the kill
        inspection(bench, report)
        central = CentralDb(bench)
        reauthorized = central.audit("certificate.reauthorized", f"certificate-order/{kill.second_order}")
        if code_used:
            assert reauthorized == []
        else:  # the code died with the process: a supervisor renewed it, once
            assert [r["user_id"] for r in reauthorized] == [scenario.supervisor]
        assert central.audit("certificate.reauthorized", f"certificate-order/{kill.first_order}") == []
        for order in (kill.first_order, kill.second_order):
            assert len(central.audit("certificate.issued", f"certificate-order/{order}")) == 1

    inspection = Inspection(scenario, pkcs11_tool, tmp_path / "tool")
    report = run_autopilot("standard", folder=folder, resume=True, inspect=check)
    check_report(report)
    assert report.ok, report.to_json()
    assert inspection.signing is not None, "the inspection did not run"
    assert (report.media.ukeys, report.media.letters) == (2, 3)
    assert [step.page for step in report.steps] == ["media", "completion"]  # the draft reopened where it was left
    assert set(inspection.signing.certificates) == {kill.first_order, kill.second_order}
    assert [(h["actor"], h["action"]) for h in inspection.signing.history] == [
        ("T0001", "created"),
        ("S0001", "approved"),
        ("T0001", "submitted"),
    ]  # submitted once: the restart went on with the same agreement
