"""A saga process to kill: runs one issuance saga and SIGKILLs itself at a chosen step and phase.

``python -m tests.support.issuance_child`` reads one JSON object from stdin: ``central_url``, ``store`` (the
client store's path), ``profiles`` is not needed (the SoftHSM profile ships), ``module`` (SoftHSM's library),
``job`` (the :class:`CertificateJob` fields), ``token_serial``, ``code`` (the authorization code: through the
pipe, never a file) and ``kill`` (``[step, phase]``). SOFTHSM2_CONF comes from the environment. The process
exits 0 if the saga finished without reaching the kill point, 3 otherwise; at the kill point it never exits
on its own: SIGKILL, like a power cut, with nothing flushed or closed.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

from drivers.profiles import load_profiles, profile_by_id
from teller_client.api.client import CentralClient
from teller_client.flows.issuance import CertificateJob, IssuanceSaga, Status, StepEvent
from teller_client.flows.token_gateway import TokenGateway
from teller_client.secret import Secret
from teller_client.store.database import open_store
from teller_client.store.journal import Journal


def main() -> int:
    spec = json.loads(sys.stdin.read())
    kill_step, kill_phase = spec["kill"]

    def observer(event: StepEvent) -> None:
        if event.step.value == kill_step and event.phase == kill_phase:
            os.kill(os.getpid(), signal.SIGKILL)

    profile = profile_by_id("softhsm2", load_profiles())
    assert profile is not None
    central = CentralClient(spec["central_url"], workstation_id="TEST-WS-01")
    central.login("T0001", "training")
    gateway = TokenGateway(profile, spec["module"])
    saga = IssuanceSaga(
        CertificateJob(**spec["job"]),
        spec["token_serial"],
        gateway=gateway,
        central=central,
        journal=Journal(open_store(Path(spec["store"]))),
        actor="T0001",
        pin_sink=lambda job, serial, pin: None,  # the letter is "printed"; the parent's resumed saga hands over a new PIN if needed
        authorization_code=Secret(spec["code"]),
        observer=observer,
    )
    outcome = saga.run()
    gateway.close()
    print(json.dumps({"status": outcome.status.value, "step": outcome.step and outcome.step.value}))
    return 0 if outcome.status == Status.ISSUED else 3


if __name__ == "__main__":
    raise SystemExit(main())
