"""The training bench comes up from scratch over real parts and goes away completely.

The training service answers over HTTP; the SoftHSM tokens are listed by SoftHSM's own ``softhsm2-util`` and by the
client's UKey worker process; the stock is read from the service's ledger; the printer sink receives what the
client's own raw-socket printer sends.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from drivers.pkcs11 import Pkcs11Error
from drivers.printing import PrintJob, printer_from_spec
from teller_client.api.client import CentralClient
from teller_client.errors import TellerError
from teller_client.flows.token_gateway import GatewayTimeouts, TokenGateway
from teller_client.secret import Secret
from teller_client.store.database import open_store
from teller_client.store.journal import Journal
from teller_client.training.bench import (
    MANIFEST,
    MARKER,
    BenchError,
    TrainingBench,
    require_softhsm_module,
    softhsm_profile,
    training_password,
)

pytestmark = [pytest.mark.device, pytest.mark.timeout(180)]

UKEYS, PREMADE, LETTERS = 3, 1, 4


def slots(bench: TrainingBench) -> dict[str, dict[str, str]]:
    """``softhsm2-util --show-slots`` of the bench's installation: token fields by serial (the free slot left out)."""
    out = subprocess.run(
        ["softhsm2-util", "--show-slots"], env=bench.softhsm.env, capture_output=True, text=True, timeout=30, check=True
    ).stdout
    found = {}
    for block in re.split(r"^Slot (?=\d)", out, flags=re.M)[1:]:
        field = dict(re.findall(r"^[ \t]+([A-Za-z .]+?):[ \t]*(.*?)[ \t]*$", block, flags=re.M))
        if field.get("Serial number"):
            found[field["Serial number"]] = field
    return found


def refused(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2.0):
            return False
    except ConnectionRefusedError:
        return True


@pytest.fixture(scope="class")
def bench(softhsm_module: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrainingBench]:
    with TrainingBench(tmp_path_factory.mktemp("bench"), ukeys=UKEYS, letters=LETTERS, premade_ukeys=PREMADE) as opened:
        yield opened


@pytest.fixture(scope="class")
def gateway(bench: TrainingBench) -> Iterator[TokenGateway]:
    """The client's own view of the UKeys: the PKCS#11 module in a worker process started while the bench is open."""
    gateway = TokenGateway(softhsm_profile(), bench.settings["ukey.library"], timeouts=GatewayTimeouts(quick=20.0))
    try:
        yield gateway
    finally:
        gateway.close()


class TestAnOpenBench:
    def test_the_training_service_answers_and_the_training_users_sign_in(self, bench: TrainingBench) -> None:
        health = CentralClient(bench.central_url).health()
        assert health.training and health.status == "ok" and health.business_date == bench.business_date
        for user_id in ("T0001", "S0001"):
            client = CentralClient(bench.central_url, workstation_id="TEST-WS-01")
            with training_password() as password:
                assert client.login(user_id, password).user.id == user_id
            client.logout()

    def test_the_tellers_drawer_holds_the_ukeys_and_letters_per_the_stock_ledger(self, bench: TrainingBench) -> None:
        assert len(bench.ukey_serials) == UKEYS and len(bench.premade_serials) == PREMADE and len(bench.letter_serials) == LETTERS
        supervisor = bench.sign_in("S0001")
        try:
            held = {item.serial: item for item in supervisor.stock(holder="T0001")}
            assert set(held) == {*bench.ukey_serials, *bench.premade_serials, *bench.letter_serials}
            assert all(item.state == "in_stock" for item in held.values())
            assert [held[s].premade for s in bench.ukey_serials] == [False] * UKEYS and held[bench.premade_serials[0]].premade
            assert held[bench.premade_serials[0]].certificate_serial  # certified by the training CA
            assert all(held[s].kind == "letter" for s in bench.letter_serials)
            report = supervisor.reconciliation()
            lines = {(line.holder, line.kind): line for line in report.lines}
            assert report.balanced
            assert lines[("T0001", "ukey")].closing == UKEYS + PREMADE and lines[("T0001", "ukey")].transferred_in == UKEYS + PREMADE
            assert lines[("T0001", "letter")].closing == LETTERS and lines[("vault", "letter")].received >= LETTERS
        finally:
            supervisor.logout()
        journal = Journal(bench.store)
        moves = journal.done_of_kind("custody.movement")
        assert journal.pending() == [] and len(moves) == 4  # ukeys and letters: received, then handed out
        assert {(m.request["from_holder"], m.request["to_holder"], m.request["witness"]) for m in moves} == {
            ("supplier", "vault", "T0001"),
            ("vault", "T0001", "S0001"),
        }

    def test_the_softhsm_tokens_are_present_and_blank(self, bench: TrainingBench, gateway: TokenGateway) -> None:
        listed = slots(bench)
        assert set(listed) == {*bench.ukey_serials, *bench.premade_serials}
        for n, serial in enumerate(bench.ukey_serials, start=1):
            assert listed[serial]["Initialized"] == "yes" and listed[serial]["User PIN init."] == "no"
            assert listed[serial]["Label"] == f"BLANK-{n:02d}"
        assert listed[bench.premade_serials[0]]["User PIN init."] == "yes"  # its factory PIN, which nobody knows
        seen = {token.serial: token for token in gateway.tokens()}
        assert set(seen) >= set(listed)
        assert all(seen[s].initialised and not seen[s].user_pin_initialised for s in bench.ukey_serials)
        assert all(seen[s].manufacturer == "SoftHSM project" for s in listed)

    def test_the_settings_point_the_client_at_the_bench(self, bench: TrainingBench) -> None:
        settings = bench.settings
        assert settings["printer.letter"] == settings["printer.documents"] == bench.printer.spec == f"raw:127.0.0.1:{bench.printer.port}"
        assert settings["ukey.profile"] == "softhsm2" and Path(settings["ukey.library"]).is_file()
        assert settings["eform.allow_unsigned"] is False and settings["workstation.id"] and settings["central.url"] == bench.central_url
        assert os.environ["SOFTHSM2_CONF"] == str(bench.softhsm.conf) and bench.softhsm.conf.is_relative_to(bench.folder)
        assert bench.store_path == bench.data_dir / "store.sqlite" and bench.store_path.is_file()

    def test_the_printer_sink_receives_what_the_clients_printer_sends(self, bench: TrainingBench) -> None:
        before = len(bench.printer.jobs)
        pdf = b"%PDF-1.4\n% a training document\n%%EOF\n"
        for key, data in (("printer.letter", pdf), ("printer.documents", b"\x1b@ESC/P letter\x0c")):
            printer_from_spec(bench.settings[key]).send(PrintJob(data, "test"), timeout=10.0)
        jobs = bench.printer.wait_for_jobs(before + 2)
        assert jobs[before:] == [pdf, b"\x1b@ESC/P letter\x0c"]
        assert [(job.kind, job.size, job.path) for job in bench.printer.report()[before:]] == [("pdf", len(pdf), None), ("escp", 15, None)]
        assert not (bench.folder / "prints").exists()  # jobs stay in memory unless asked

    def test_a_pulled_ukey_disappears_and_comes_back(self, bench: TrainingBench, gateway: TokenGateway) -> None:
        serial = bench.ukey_serials[1]
        bench.pull(serial)
        try:
            assert not bench.present(serial) and serial not in slots(bench)
            with pytest.raises(Pkcs11Error) as gone:
                gateway.token(serial)
            assert gone.value.code == "token_not_found"
            assert set(slots(bench)) == {*bench.ukey_serials, *bench.premade_serials} - {serial}  # the others stay
        finally:
            bench.insert(serial)
        assert bench.present(serial) and slots(bench)[serial]["User PIN init."] == "no"
        assert gateway.token(serial).serial == serial
        bench.insert(serial)  # putting back a UKey that is in changes nothing
        with pytest.raises(BenchError) as unknown:
            bench.pull("0000000000000000")
        assert unknown.value.code == "token_unknown"


def test_close_stops_everything_and_a_second_bench_waits_for_it(softhsm_module: Path, tmp_path: Path) -> None:
    previous = os.environ.get("SOFTHSM2_CONF")
    first = TrainingBench(tmp_path / "first", ukeys=1, letters=1, keep_print_files=True).start()
    url, port, conf = first.central_url, first.printer.port, first.softhsm.conf
    printer_from_spec(first.printer.spec).send(PrintJob(b"%PDF-1.4 kept\n", "test"), timeout=10.0)
    first.printer.wait_for_jobs(1)
    with pytest.raises(BenchError) as busy:
        TrainingBench(tmp_path / "second").start()
    assert busy.value.code == "bench_busy" and not (tmp_path / "second").exists()
    assert os.environ["SOFTHSM2_CONF"] == str(conf)

    first.close()
    first.close()  # twice is harmless
    host, service_port = url.removeprefix("http://").split(":")
    assert refused(host, int(service_port)) and refused("127.0.0.1", port)
    with pytest.raises(TellerError):
        CentralClient(url, connect_retries=0).health()
    names = [thread.name for thread in threading.enumerate()]
    assert not [n for n in names if n.startswith(("training-server", "printer-sink"))], names
    assert os.environ.get("SOFTHSM2_CONF") == previous
    assert (tmp_path / "first" / "prints" / "job-001.pdf").read_bytes() == b"%PDF-1.4 kept\n"
    with pytest.raises(BenchError):
        first.central_url  # noqa: B018 - the property refuses once closed

    # the same folder again: wiped and set up from scratch
    old_serial = first.ukey_serials[0]
    with TrainingBench(tmp_path / "first", ukeys=1, letters=1) as again:
        assert again.ukey_serials[0] != old_serial and set(slots(again)) == {again.ukey_serials[0]}
        assert not (tmp_path / "first" / "prints").exists()
        assert Journal(open_store(again.store_path)).done_of_kind("custody.movement")[0].request["serials"] == list(again.ukey_serials)


REPO = Path(__file__).resolve().parents[2]
TEST_PIN = "24680135"
"""The user PIN the killed process gives its first UKey (a test rig's own PIN, nobody's secret)."""
BEFORE_KILL = bytes.fromhex("4b31")
CHILD = """
import json, sys, time
from pathlib import Path
from teller_client.secret import Secret
from teller_client.training.bench import TrainingBench, lent, softhsm_profile

bench = TrainingBench(Path(sys.argv[1]), ukeys=2, letters=2, premade_ukeys=1, premade_key_type="ec_p256").start()
serial = bench.ukey_serials[0]
so_pin = Secret(softhsm_profile().so_pin.value)
# as if killed during issuance: a key made on the first UKey, the library loaded and a session logged in
with bench.softhsm.loaded_library() as library, library.connect(serial=serial) as token, lent(so_pin) as so:
    token.init_user_pin(so, sys.argv[2])
    token.login(sys.argv[2])
    token.generate_key_pair("ec_p256", key_id=bytes.fromhex(sys.argv[3]), label="before-kill")
    print(json.dumps({"url": bench.central_url, "printer": bench.printer.spec,
                      "date": bench.business_date.isoformat(), "ukeys": bench.ukey_serials, "premade": bench.premade_serials,
                      "letters": bench.letter_serials}), flush=True)
    time.sleep(600)
"""


def ready_line(process: subprocess.Popen[str], timeout: float) -> dict[str, object]:
    """The child's "ready" line (JSON), or a failure with what it wrote to stderr."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            if selector.select(left):
                line = process.stdout.readline()
                if line.startswith("{"):
                    found: dict[str, object] = json.loads(line)
                    return found
                if not line:
                    break
    process.kill()
    _, err = process.communicate(timeout=10)
    pytest.fail(f"the bench process did not get ready: {err[-2000:]}")


def port_of(address: str) -> int:
    return int(address.rpartition(":")[2])


@contextmanager
def listening(port: int) -> Iterator[None]:
    """Something else listening on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the killed process's connections may linger
        taken.bind(("127.0.0.1", port))
        taken.listen(1)
        yield


def test_a_bench_killed_mid_work_is_reopened_on_the_same_data(softhsm_module: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bench"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(folder), TEST_PIN, BEFORE_KILL.hex()],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = ready_line(child, timeout=60)
        # while the first process lives, nobody else takes its folder: neither to reopen it nor to wipe it
        for attempt in (TrainingBench(folder, reopen=True), TrainingBench(folder, ukeys=0, letters=0)):
            with pytest.raises(BenchError) as in_use:
                attempt.start()
            assert in_use.value.code == "bench_in_use"
        assert CentralClient(str(first["url"])).health().training and (folder / MANIFEST).is_file()
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate(timeout=10)
    manifest = (folder / MANIFEST).read_text(encoding="utf-8")
    assert TEST_PIN not in manifest and "password" not in manifest.lower()

    # somebody took the old ports meanwhile (when free they are reused): the bench takes new ones and says so
    with listening(port_of(str(first["url"]))), listening(port_of(str(first["printer"]))), TrainingBench(folder, reopen=True) as bench:
        assert bench.central_url != first["url"] and bench.printer.spec != first["printer"]
        # the stock as the first start recorded it, and the service's data as it was: same day, same drawer
        assert (list(bench.ukey_serials), list(bench.premade_serials), list(bench.letter_serials)) == (
            first["ukeys"], first["premade"], first["letters"]
        )  # fmt: skip
        health = CentralClient(bench.central_url).health()
        assert health.training and health.business_date.isoformat() == first["date"] == bench.business_date.isoformat()
        supervisor = bench.sign_in("S0001")
        try:
            held = {item.serial: item for item in supervisor.stock(holder="T0001")}
        finally:
            supervisor.logout()
        assert set(held) == {*bench.ukey_serials, *bench.premade_serials, *bench.letter_serials}
        assert all(item.state == "in_stock" for item in held.values()) and held[bench.premade_serials[0]].certificate_serial
        assert len(Journal(bench.store).done_of_kind("custody.movement")) == 4  # the store is the one the first process used

        # the store's settings point at the new service and the new sink; the rest is as the first start wrote it
        settings = bench.settings
        assert settings["central.url"] == bench.central_url
        assert settings["printer.letter"] == settings["printer.documents"] == bench.printer.spec
        assert settings["workstation.id"] == "TRAIN-BENCH-01" and settings["ukey.profile"] == "softhsm2"
        assert os.environ["SOFTHSM2_CONF"] == str(folder / "softhsm" / "softhsm2.conf")
        pdf = b"%PDF-1.4\n% after the restart\n%%EOF\n"
        printer_from_spec(settings["printer.letter"]).send(PrintJob(pdf, "test"), timeout=10.0)
        assert bench.printer.wait_for_jobs(1) == [pdf]

        # the tokens as they were at the kill: the key made before it is there, and SoftHSM takes new work
        listed = slots(bench)
        assert set(listed) == {*bench.ukey_serials, *bench.premade_serials}
        assert listed[bench.ukey_serials[0]]["User PIN init."] == "yes" and listed[bench.ukey_serials[1]]["User PIN init."] == "no"
        gateway = TokenGateway(softhsm_profile(), settings["ukey.library"], timeouts=GatewayTimeouts(quick=20.0, generate=20.0))
        try:
            made = gateway.generate_key_pair(bench.ukey_serials[0], Secret(TEST_PIN), "ec_p256", b"\x02", "after-restart")
            contents = gateway.contents(bench.ukey_serials[0], Secret(TEST_PIN))
        finally:
            gateway.close()
        assert made.key_id == b"\x02"
        assert {(key.key_id, key.label) for key in contents.key_pairs} == {(BEFORE_KILL, "before-kill"), (b"\x02", "after-restart")}
        assert bench.present(bench.ukey_serials[1])
    assert os.environ.get("SOFTHSM2_CONF") != str(folder / "softhsm" / "softhsm2.conf")


def test_a_bench_cut_short_in_setup_is_not_reopened_but_set_up_again(softhsm_module: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bench"
    (folder / "central").mkdir(parents=True)  # killed while setting up: marked as a bench's, no manifest
    (folder / MARKER).write_text("teller-client training bench\n", encoding="utf-8")
    (folder / "central" / "central.sqlite").write_bytes(b"")
    with pytest.raises(BenchError) as refusal:
        TrainingBench(folder, reopen=True).start()
    assert refusal.value.code == "bench_incomplete" and "never finished" in refusal.value.message_en
    assert sorted(p.name for p in folder.iterdir()) == sorted([MARKER, "central"])  # left as it was
    assert "SOFTHSM2_CONF" not in os.environ or "bench" not in os.environ["SOFTHSM2_CONF"]
    with pytest.raises(BenchError) as nothing:
        TrainingBench(tmp_path / "none", reopen=True).start()
    assert nothing.value.code == "bench_incomplete" and not (tmp_path / "none").exists()
    with pytest.raises(ValueError, match="letters"):
        TrainingBench(folder, reopen=True, letters=3)

    # without reopen it is wiped and set up again; once set up (and closed), it reopens on the same day and stock
    with TrainingBench(folder, ukeys=1, letters=1) as fresh:
        serials, day = (fresh.ukey_serials, fresh.letter_serials), fresh.business_date
        assert json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["stock"]["ukeys"] == list(fresh.ukey_serials)
    with TrainingBench(folder, reopen=True) as again:
        assert (again.ukey_serials, again.letter_serials) == serials and again.business_date == day
        assert set(slots(again)) == set(again.ukey_serials)


def test_the_bench_refuses_production_and_folders_it_did_not_make(
    softhsm_module: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    production = tmp_path / "teller-data"
    monkeypatch.setenv("TELLER_DATA_DIR", str(production))
    for folder in (production, production / "bench", tmp_path):
        with pytest.raises(BenchError) as refusal:
            TrainingBench(folder).start()
        assert refusal.value.code == "bench_production", folder
    foreign = tmp_path / "elsewhere"
    foreign.mkdir()
    (foreign / "store.sqlite").write_bytes(b"somebody's data")
    with pytest.raises(BenchError) as refusal:
        TrainingBench(foreign).start()
    assert refusal.value.code == "bench_folder" and (foreign / "store.sqlite").read_bytes() == b"somebody's data"
    assert not (foreign / MARKER).exists()
    # the training data folder is allowed, and nothing of a refused bench was left holding the process
    with TrainingBench(production / "training" / "bench", ukeys=0, letters=0) as allowed:
        assert allowed.ukey_serials == () and CentralClient(allowed.central_url).health().training


def test_without_softhsm_the_bench_says_to_install_it() -> None:
    with pytest.raises(BenchError) as missing:
        require_softhsm_module({}, exists=lambda path: False)
    assert missing.value.code == "softhsm_missing" and "install softhsm2" in missing.value.message_en
    assert "softhsm2" in missing.value.message_zh
    assert require_softhsm_module(
        {"SOFTHSM2_MODULE": "/opt/own/libsofthsm2.so"}, exists=lambda path: path.name == "libsofthsm2.so"
    ) == Path("/opt/own/libsofthsm2.so")


def test_bad_stock_and_people_are_refused_before_anything_starts(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ukeys"):
        TrainingBench(tmp_path, ukeys=-1)
    with pytest.raises(BenchError) as people:
        TrainingBench(tmp_path, teller="S0001")
    assert people.value.code == "bench_people" and not any(tmp_path.iterdir())
