"""Nothing typed is lost: the program killed (as by a crash or a power cut) a moment after the last key press."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from teller_client.store.database import STORE_FILE, open_store
from teller_client.store.drafts import DraftRepository
from tests.support.typing_child import NAME

ROOT = Path(__file__).resolve().parents[2]
KILL_AFTER = 0.25
"""Seconds between the last key press and the kill: a power cut this soon after typing loses nothing."""


def test_what_was_typed_is_in_the_draft_when_the_program_is_killed_right_after(training_service: str, tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.support.typing_child", str(tmp_path), training_service],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("typed "), f"the child stopped before typing: {line!r}"
        _, _stamp, draft_id = line.split()
        time.sleep(KILL_AFTER)
        child.send_signal(signal.SIGKILL)
        assert child.wait(10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)

    store = open_store(tmp_path / STORE_FILE)
    try:
        drafts = DraftRepository(store)
        latest = drafts.latest(draft_id)
        assert latest is not None
        assert latest.document["customer"]["name"] == NAME
        assert latest.step == "customer"
        assert [d.id for d in drafts.open_drafts("T0001")] == [draft_id]  # the start page lists it to resume
    finally:
        store.close()
