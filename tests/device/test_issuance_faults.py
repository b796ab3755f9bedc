"""The issuance saga against faults, at every step: the end state is always exactly one of everything.

* the UKey library's worker process is killed (SIGKILL) during each step;
* the whole saga process is killed (SIGKILL) as each step begins and right after each step's effect, then a new
  saga resumes from the journal (a supervisor reauthorizes where the code died with the process);
* the UKey disappears before a step and comes back;
* the vendor library hangs (SIGSTOP) during key generation: the call's timeout ends it and nothing else waits;
* the PIN was changed behind the saga's back: the security officer sets a new one and the saga goes on.

"Exactly one": one key pair and one certificate on the UKey (counted by OpenSC's pkcs11-tool), one certificate
for the order in the training service's database, one PIN handed over last.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from drivers.host import DeviceCancelledError
from drivers.pkcs11 import Pkcs11Error
from teller_client.flows.issuance import COUNTER_STEPS, CertificateJob, IssuanceOutcome, IssuanceSaga, Status, Step, StepEvent
from teller_client.flows.token_gateway import GatewayTimeouts, TokenGateway
from teller_client.secret import Secret
from tests.support.issuance import IssuanceRig

ROOT = Path(__file__).resolve().parents[2]
DEVICE_STEPS = [Step.UKEY, Step.INITIALISE, Step.KEY, Step.CSR, Step.INSTALL, Step.VERIFY]


def finish(rig: IssuanceRig, saga: IssuanceSaga, *, runs: int = 4) -> IssuanceOutcome:
    """Run the saga until it is done, reauthorizing where it asks (as a supervisor would at the counter)."""
    outcome = saga.run()
    for _ in range(runs):
        if outcome.status == Status.ISSUED:
            break
        if outcome.status == Status.NEEDS_AUTHORIZATION:
            saga.reauthorize(rig.supervisor, "resumed after a fault")
        outcome = saga.run()
    return outcome


def assert_exactly_one(rig: IssuanceRig, job: CertificateJob, serial: str, outcome: IssuanceOutcome) -> None:
    assert outcome.status == Status.ISSUED, outcome
    assert rig.ukey_objects(serial) == {"private_keys": 1, "public_keys": 1, "certificates": 1}
    central = rig.issued_in_central(job.reference_no)
    assert central == [(outcome.certificate_serial, serial, "active")]
    assert rig.handovers[-1] == (job.reference_no, serial)


@pytest.mark.parametrize("step", COUNTER_STEPS, ids=str)
def test_killing_the_worker_during_any_step(issuance: IssuanceRig, step: Step) -> None:
    submission = issuance.submission()
    job = issuance.job(submission)
    serial = issuance.blank_ukey()
    killed: list[int] = []

    def kill_worker(event: StepEvent) -> None:
        if event.step == step and event.phase == "begun" and not killed:
            pid = issuance.gateway.host.pid
            if pid is not None:  # at the first step no worker runs yet: kill the one the call starts, mid-call
                killed.append(pid)
                os.kill(pid, signal.SIGKILL)
            else:
                threading.Timer(0.3, lambda: killed.append(_kill(issuance.gateway))).start()

    saga = issuance.saga(job, serial, submission.certificate_orders[0].authorization_code, observer=kill_worker)
    outcome = finish(issuance, saga)

    assert killed, "the worker was never killed"
    assert_exactly_one(issuance, job, serial, outcome)


def _kill(gateway: TokenGateway) -> int:
    pid = gateway.host.pid or 0
    if pid:
        os.kill(pid, signal.SIGKILL)
    return pid


@pytest.mark.parametrize("phase", ["begun", "applied"])
@pytest.mark.parametrize("step", COUNTER_STEPS, ids=str)
def test_killing_the_saga_process_at_any_step_then_resuming(issuance: IssuanceRig, step: Step, phase: str) -> None:
    submission = issuance.submission()
    order = submission.certificate_orders[0]
    job = issuance.job(submission)
    serial = issuance.blank_ukey()
    assert order.authorization_code is not None
    spec = {
        "central_url": issuance.central.server.url,
        "store": str(issuance.store.path),
        "module": str(issuance.softhsm.module),
        "job": asdict(job),
        "token_serial": serial,
        "code": order.authorization_code.reveal(),
        "kill": [step.value, phase],
    }
    child = subprocess.run(
        [sys.executable, "-m", "tests.support.issuance_child"],
        input=json.dumps(spec), env=issuance.softhsm.env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]

    resumed = issuance.saga(job, serial, None)  # a new process: the code died with the old one
    outcome = finish(issuance, resumed)

    assert_exactly_one(issuance, job, serial, outcome)
    assert len(issuance.handovers) == 1  # the child's PIN (if it got that far) is void: the letter carries this one


@pytest.mark.parametrize("step", [Step.INITIALISE, Step.KEY, Step.CSR, Step.INSTALL, Step.VERIFY], ids=str)
def test_a_ukey_pulled_out_before_a_step_is_asked_for_and_the_step_goes_on_when_it_is_back(issuance: IssuanceRig, step: Step) -> None:
    submission = issuance.submission()
    job = issuance.job(submission)
    serial = issuance.blank_ukey()
    token_dir = _token_dir(issuance, serial)
    away = token_dir.parent.parent / "pulled-out"

    pulled: list[Step] = []

    def pull_out(event: StepEvent) -> None:
        if event.step == step and event.phase == "begun" and not pulled:
            pulled.append(step)
            shutil.move(token_dir, away)

    saga = issuance.saga(job, serial, submission.certificate_orders[0].authorization_code, observer=pull_out)
    stopped = saga.run()

    assert stopped.status == Status.NEEDS_UKEY and stopped.step == step
    assert stopped.error is not None and stopped.error.code == "ukey_needed"
    assert serial in stopped.error.message_zh and "插入" in stopped.error.message_zh and "Insert" in stopped.error.message_en
    shutil.move(away, token_dir)  # put it back
    assert_exactly_one(issuance, job, serial, finish(issuance, saga))


def _token_dir(rig: IssuanceRig, serial: str) -> Path:
    """SoftHSM keeps each token in a folder of its own; the one whose token.object names the serial."""
    for folder in rig.softhsm.tokendir.iterdir():
        if serial.encode() in (folder / "token.object").read_bytes():
            return folder
    raise AssertionError(f"no folder for token {serial}")


def test_a_hung_vendor_call_is_ended_by_its_timeout_while_everything_else_goes_on(issuance: IssuanceRig) -> None:
    submission = issuance.submission()
    job = issuance.job(submission)
    serial = issuance.blank_ukey()
    gateway = TokenGateway(issuance.profile, str(issuance.softhsm.module), timeouts=GatewayTimeouts(quick=20.0, generate=2.0))
    hung: list[int] = []

    def hang(event: StepEvent) -> None:
        if event.step == Step.KEY and event.phase == "begun" and not hung:
            pid = gateway.host.pid
            assert pid is not None
            threading.Timer(0.05, lambda: (hung.append(pid), os.kill(pid, signal.SIGSTOP))).start()

    saga = issuance.saga(job, serial, submission.certificate_orders[0].authorization_code, observer=hang, gateway=gateway)
    result: list[IssuanceOutcome] = []
    began = time.monotonic()
    runner = threading.Thread(target=lambda: result.append(saga.run()))
    runner.start()
    time.sleep(0.5)
    # while the vendor call hangs: the central service and another UKey library still answer at once
    other = time.monotonic()
    assert issuance.teller.stock(holder="T0001", kind="ukey")
    assert any(t.serial == serial for t in issuance.gateway.tokens())
    assert time.monotonic() - other < 5.0
    runner.join(30)
    try:
        assert hung and not runner.is_alive()
        [stopped] = result
        assert stopped.status == Status.FAILED and stopped.step in (Step.KEY, Step.CSR)
        assert stopped.error is not None and stopped.error.code == "device_timeout"
        assert time.monotonic() - began < 15.0
        # the next run starts a fresh worker and finishes, with no second key
        assert_exactly_one(issuance, job, serial, finish(issuance, saga))
    finally:
        gateway.close()


def test_a_pin_changed_behind_the_sagas_back_is_replaced_by_the_security_officer(issuance: IssuanceRig) -> None:
    submission = issuance.submission()
    job = issuance.job(submission)
    serial = issuance.blank_ukey()

    def change_pin(event: StepEvent) -> None:
        if event.step == Step.KEY and event.phase == "begun":
            issuance.gateway.reset_user_pin(serial, Secret("24681357"))  # someone else set a PIN the saga does not know

    saga = issuance.saga(job, serial, submission.certificate_orders[0].authorization_code, observer=change_pin)
    outcome = saga.run()

    assert_exactly_one(issuance, job, serial, outcome)
    assert not issuance.pins[serial].matches(Secret("24681357"))


def test_waiting_for_a_pulled_ukey_returns_when_it_is_back_and_stops_when_cancelled(issuance: IssuanceRig) -> None:
    serial = issuance.blank_ukey()
    token_dir = _token_dir(issuance, serial)
    away = token_dir.parent.parent / "pulled-out"
    shutil.move(token_dir, away)
    threading.Timer(1.0, lambda: shutil.move(away, token_dir)).start()
    began = time.monotonic()
    assert issuance.gateway.wait_for(serial, timeout=10.0, poll=0.2).serial == serial
    assert 0.9 < time.monotonic() - began < 5.0

    shutil.move(token_dir, away)
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    began = time.monotonic()
    with pytest.raises(DeviceCancelledError):
        issuance.gateway.wait_for(serial, timeout=10.0, cancel=cancel, poll=0.2)
    assert time.monotonic() - began < 2.0
    with pytest.raises(Pkcs11Error) as gone:
        issuance.gateway.wait_for(serial, timeout=0.5, poll=0.2)
    assert gone.value.code == "token_not_found"


def test_cancelling_during_key_generation_stops_there_and_a_later_run_finishes_with_one_key(issuance: IssuanceRig) -> None:
    submission = issuance.submission()
    job = issuance.job(submission)
    serial = issuance.blank_ukey()
    cancel = threading.Event()

    def cancel_keygen(event: StepEvent) -> None:
        if event.step == Step.KEY and event.phase == "begun":
            threading.Timer(0.05, cancel.set).start()

    saga = issuance.saga(job, serial, submission.certificate_orders[0].authorization_code, observer=cancel_keygen)
    stopped = saga.run(cancel)
    assert stopped.status == Status.CANCELLED and stopped.step in (Step.KEY, Step.CSR)

    saga = issuance.saga(job, serial, submission.certificate_orders[0].authorization_code)
    assert_exactly_one(issuance, job, serial, saga.run())
