"""A client process to kill during media issuance: submits, then issues the certificates in order, and SIGKILLs
itself right after the key of the certificate number ``kill_at`` (0-based) was made on its UKey.

``python -m tests.support.media_child`` reads JSON from stdin: ``central_url``, ``store``, ``module``,
``application_id``, ``customer_name``, ``ukeys`` (token serials, one per certificate order, in order), ``kill_at``.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

from drivers.profiles import load_profiles, profile_by_id
from teller_client.api.client import CentralClient
from teller_client.flows import media
from teller_client.flows.issuance import Step, StepEvent
from teller_client.flows.token_gateway import TokenGateway
from teller_client.store.database import open_store
from teller_client.store.journal import Journal


def main() -> int:
    spec = json.loads(sys.stdin.read())
    central = CentralClient(spec["central_url"], workstation_id="TEST-WS-01")
    central.login("T0001", "training")
    journal = Journal(open_store(Path(spec["store"])))
    plan = media.submit(central, journal, "T0001", spec["application_id"], spec["customer_name"])
    certificates = [item for item in plan.items if item.kind == "certificate"]
    target = certificates[spec["kill_at"]].order

    def observer(event: StepEvent) -> None:
        if event.reference_no == target and event.step == Step.KEY and event.phase == "applied":
            os.kill(os.getpid(), signal.SIGKILL)

    profile = profile_by_id("softhsm2", load_profiles())
    assert profile is not None
    runner = media.MediaRunner(
        plan, central=central, journal=journal, actor="T0001", gateway=TokenGateway(profile, spec["module"]),
        letters=None, pin_sink=lambda job, serial, pin: None, observer=observer,  # type: ignore[arg-type]
    )  # fmt: skip
    for item, serial in zip(certificates, spec["ukeys"], strict=True):
        runner.issue(item, serial)
    return 3  # never reached: the kill comes first


if __name__ == "__main__":
    raise SystemExit(main())
