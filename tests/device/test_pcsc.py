"""PC/SC readers (drivers/pcsc) against a real pcscd with the vsmartcard virtual reader and the vicc virtual card.

The fixtures (tests/support/pcsc.py) start a private ``pcscd --foreground`` per test with only the vpcd reader;
``virtual_card.insert()`` starts ``vicc -t iso7816`` and ``remove()`` stops it. Waits use queues and deadlines,
never fixed sleeps, except where a test needs a call to be already blocking.
"""

from __future__ import annotations

import json
import os
import queue
import random
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.pcsc import ERROR_CODES, PcscError, ReaderEvent, ReaderEventKind, ReaderWatcher, list_readers, read_atr
from tests.support.pcsc import PcscRig, VirtualCard

pytestmark = [pytest.mark.device, pytest.mark.timeout(120)]

Kind = ReaderEventKind
WAIT = 10.0
"""Upper bound for anything that should happen soon; only reached when a test is about to fail."""
CYCLES = 10
POLL_PERIOD = 0.4
"""How often pcscd polls a reader whose driver has no events of its own, as vpcd (PCSCLITE_STATUS_POLL_RATE)."""


class Recorder:
    """The watcher's callback: keeps every event and lets the test wait for the next one of a kind."""

    def __init__(self) -> None:
        self.queue: queue.Queue[ReaderEvent] = queue.Queue()
        self.seen: list[ReaderEvent] = []
        self.threads: set[str] = set()

    def __call__(self, event: ReaderEvent) -> None:
        self.threads.add(threading.current_thread().name)
        self.seen.append(event)
        self.queue.put(event)

    def next(self, timeout: float = WAIT) -> ReaderEvent:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no event within {timeout} s; seen: {self.describe()}") from None

    def wait_for(self, kind: ReaderEventKind, reader: str | None = None, timeout: float = WAIT) -> ReaderEvent:
        """The next event of ``kind`` (for ``reader``), skipping others."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.next(max(0.0, deadline - time.monotonic()))
            if event.kind == kind and (reader is None or event.reader == reader):
                return event

    def drain(self) -> list[ReaderEvent]:
        out = []
        while True:
            try:
                out.append(self.queue.get_nowait())
            except queue.Empty:
                return out

    def describe(self) -> str:
        return ", ".join(f"{e.kind}({e.reader or ''})" for e in self.seen)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def watcher(pcscd: PcscRig, recorder: Recorder) -> Iterator[ReaderWatcher]:
    w = ReaderWatcher(recorder)
    assert w.start(timeout=WAIT)
    yield w
    w.stop(timeout=WAIT)


def wait_until(predicate: Callable[[], bool], timeout: float = WAIT, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s")
        time.sleep(0.01)


def error_of(call: Callable[[], object]) -> PcscError:
    with pytest.raises(PcscError) as caught:
        call()
    assert caught.value.code in ERROR_CODES
    return caught.value


def cpu_seconds(stat_path: Path) -> float:
    fields = stat_path.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- listing and reading ------------------------------------------------------------------------------------------


def test_lists_the_virtual_reader_with_no_card(pcscd: PcscRig) -> None:
    readers = {info.name: info for info in list_readers(timeout=WAIT)}
    assert set(pcscd.reader_names) <= set(readers)
    empty = readers[pcscd.reader_name]
    assert not empty.card_present
    assert empty.atr is None and empty.atr_hex is None
    assert not empty.mute and not empty.in_use and not empty.exclusive


def test_inserted_card_reports_vicc_atr(pcscd: PcscRig, virtual_card: VirtualCard) -> None:
    virtual_card.insert()
    atr = read_atr(pcscd.reader_name, WAIT, wait_for_card=True)
    assert atr == virtual_card.expected_atr
    assert atr.hex() == "3b951381018073ff01000b"  # what vicc 0.8's iso7816 card says; a change here is worth knowing
    info = next(i for i in list_readers() if i.name == pcscd.reader_name)
    assert info.card_present and info.atr == atr and info.atr_hex == atr.hex().upper()

    virtual_card.remove()

    def empty() -> bool:
        return not next(i for i in list_readers() if i.name == pcscd.reader_name).card_present

    wait_until(empty, what="the card leaving the reader")
    assert error_of(lambda: read_atr(pcscd.reader_name)).code == "card_removed"


def test_read_atr_errors(pcscd: PcscRig) -> None:
    no_card = error_of(lambda: read_atr(pcscd.reader_name))
    assert no_card.code == "card_removed" and no_card.reader == pcscd.reader_name
    assert pcscd.reader_name in no_card.message
    no_reader = error_of(lambda: read_atr("No Such Reader 00 00"))
    assert no_reader.code == "reader_unavailable" and "No Such Reader" in no_reader.message


def test_without_pcscd_calls_say_service_unavailable(pcscd: PcscRig) -> None:
    pcscd.stop()
    for call in (list_readers, lambda: read_atr(pcscd.reader_name)):
        err = error_of(call)
        assert err.code == "service_unavailable"
        assert err.message == "The smart card service (PC/SC) is not running."
        assert err.hresult == 0x8010001D  # SCARD_E_NO_SERVICE


# -- timeouts and cancels -----------------------------------------------------------------------------------------


def test_cancel_interrupts_a_blocking_wait(pcscd: PcscRig) -> None:
    cancel = threading.Event()
    outcome: list[BaseException | bytes] = []

    def wait_for_card() -> None:
        try:
            outcome.append(read_atr(pcscd.reader_name, 60.0, cancel=cancel, wait_for_card=True))
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=wait_for_card)
    thread.start()
    time.sleep(0.3)  # the call must be blocked in SCardGetStatusChange before the cancel
    assert thread.is_alive()
    started = time.monotonic()
    cancel.set()
    thread.join(WAIT)
    elapsed = time.monotonic() - started
    assert not thread.is_alive()
    assert isinstance(outcome[0], PcscError) and outcome[0].code == "cancelled", outcome
    assert elapsed < 0.25, f"cancel took {elapsed:.3f} s"
    assert error_of(lambda: read_atr(pcscd.reader_name, cancel=cancel)).code == "cancelled"  # set before the call


def test_a_wait_for_a_card_times_out_or_sees_the_card(pcscd: PcscRig, virtual_card: VirtualCard) -> None:
    started = time.monotonic()
    err = error_of(lambda: read_atr(pcscd.reader_name, 0.5, wait_for_card=True))
    elapsed = time.monotonic() - started
    assert err.code == "timeout" and 0.45 <= elapsed < 0.9, elapsed

    got: list[bytes] = []
    thread = threading.Thread(target=lambda: got.append(read_atr(pcscd.reader_name, WAIT, wait_for_card=True)))
    thread.start()
    time.sleep(0.2)
    virtual_card.insert()
    thread.join(WAIT)
    assert got == [virtual_card.expected_atr]


def test_a_hung_service_times_out_and_does_not_block_stop(pcscd: PcscRig, recorder: Recorder) -> None:
    watcher = ReaderWatcher(recorder)
    assert watcher.start(timeout=WAIT)
    pcscd.pause()
    try:
        time.sleep(0.1)
        started = time.monotonic()
        assert error_of(lambda: list_readers(timeout=0.5)).code == "timeout"
        assert time.monotonic() - started < 0.8
        started = time.monotonic()
        stopped = watcher.stop(timeout=0.5)
        assert time.monotonic() - started < 0.8
        assert stopped is False  # its thread is stuck inside libpcsclite, which has no timeout of its own
    finally:
        pcscd.resume()
    wait_until(lambda: not watcher.running, what="the watcher thread ending once pcscd answers")
    assert [e.kind for e in recorder.drain()].count(Kind.SERVICE_LOST) == 0


# -- the watcher --------------------------------------------------------------------------------------------------


def test_watcher_reports_what_is_there_at_start(pcscd: PcscRig, virtual_card: VirtualCard, recorder: Recorder) -> None:
    virtual_card.insert()
    read_atr(pcscd.reader_name, WAIT, wait_for_card=True)
    with ReaderWatcher(recorder) as watcher:
        first = recorder.drain()
        assert [(e.kind, e.reader) for e in first] == [
            (Kind.READER_ADDED, pcscd.reader_names[0]),
            (Kind.CARD_INSERTED, pcscd.reader_names[0]),
            (Kind.READER_ADDED, pcscd.reader_names[1]),
        ]
        assert first[1].atr == virtual_card.expected_atr
        assert recorder.threads == {"pcsc-watcher"}
        view = {info.name: info for info in watcher.readers()}
        assert view[pcscd.reader_name].atr == virtual_card.expected_atr
        assert not view[pcscd.reader_names[1]].card_present
        assert watcher.service_up is True


def test_watcher_sees_insertion_and_removal_within_one_second(
    pcscd: PcscRig,
    virtual_card: VirtualCard,
    recorder: Recorder,
    watcher: ReaderWatcher,
    record_property: Callable[[str, object], None],
) -> None:
    """pcscd polls the vpcd reader every 400 ms, so a latency is the card's own start-up plus the wait for the next
    poll. A test that acts right after an event acts just after a poll, the worst case; waiting a random part of
    the poll period first gives the latency a teller sees. Half the cycles do each."""
    recorder.drain()
    pause = random.Random(6).uniform
    inserted, removed = [], []
    for cycle in range(CYCLES):
        time.sleep(pause(0.0, POLL_PERIOD) if cycle % 2 else 0.0)
        started = time.monotonic()
        virtual_card.insert()
        event = recorder.wait_for(Kind.CARD_INSERTED, pcscd.reader_name)
        inserted.append(event.at - started)
        assert event.atr == virtual_card.expected_atr

        time.sleep(pause(0.0, POLL_PERIOD) if cycle % 2 else 0.0)
        started = time.monotonic()
        virtual_card.remove()
        event = recorder.wait_for(Kind.CARD_REMOVED, pcscd.reader_name)
        removed.append(event.at - started)
        assert event.atr == virtual_card.expected_atr
    assert not [e for e in recorder.drain() if e.kind not in (Kind.CARD_INSERTED, Kind.CARD_REMOVED)]
    assert [e.kind for e in recorder.seen].count(Kind.CARD_INSERTED) == CYCLES  # no duplicates
    report: dict[str, float] = {"cycles": CYCLES}
    for name, values in (("insert", inserted), ("remove", removed)):
        report[f"{name}_median_s"] = round(statistics.median(values), 3)
        report[f"{name}_median_random_phase_s"] = round(statistics.median(values[1::2]), 3)
        report[f"{name}_median_worst_phase_s"] = round(statistics.median(values[0::2]), 3)
        report[f"{name}_max_s"] = round(max(values), 3)
    record_property("pcsc_latency", json.dumps(report))
    print(f"\nPC/SC watcher latency over {CYCLES} cycles: {report}")
    assert max(inserted) < 1.0, inserted
    assert max(removed) < 1.0, removed


def test_watcher_sees_the_second_slot(pcscd: PcscRig, recorder: Recorder, watcher: ReaderWatcher) -> None:
    card = pcscd.card(1)
    card.insert()
    event = recorder.wait_for(Kind.CARD_INSERTED)
    assert event.reader == pcscd.reader_names[1] == "Virtual PCD 00 01"
    card.remove()
    assert recorder.wait_for(Kind.CARD_REMOVED).reader == pcscd.reader_names[1]


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_watcher_survives_a_pcscd_restart(
    pcscd: PcscRig,
    virtual_card: VirtualCard,
    recorder: Recorder,
    watcher: ReaderWatcher,
    how: str,
) -> None:
    virtual_card.insert()
    recorder.wait_for(Kind.CARD_INSERTED, pcscd.reader_name)
    recorder.drain()
    if how == "stop":
        pcscd.stop()
    else:
        pcscd.kill()  # SIGKILL: pcscd leaves its socket and pid file behind
    lost = recorder.wait_for(Kind.SERVICE_LOST)
    assert lost.message and watcher.service_up is False and watcher.readers() == []
    wait_until(lambda: not virtual_card.inserted, what="vicc exiting with its pcscd")
    pcscd.start()
    recorder.wait_for(Kind.SERVICE_BACK)
    recorder.wait_for(Kind.READER_ADDED, pcscd.reader_name)
    virtual_card.insert()
    again = recorder.wait_for(Kind.CARD_INSERTED, pcscd.reader_name)
    assert again.atr == virtual_card.expected_atr
    kinds = [e.kind for e in recorder.seen if e.at >= lost.at]
    assert kinds[:2] == [Kind.SERVICE_LOST, Kind.SERVICE_BACK]
    assert kinds.count(Kind.SERVICE_LOST) == 1


def test_watcher_started_without_the_service_reports_it_back(pcscd: PcscRig, recorder: Recorder) -> None:
    pcscd.stop()
    with ReaderWatcher(recorder) as watcher:
        lost = recorder.next()
        assert lost.kind == Kind.SERVICE_LOST and lost.message == "The smart card service (PC/SC) is not running."
        assert watcher.service_up is False
        pcscd.start()
        assert recorder.next().kind == Kind.SERVICE_BACK
        assert recorder.next().kind == Kind.READER_ADDED


def test_stop_is_prompt(pcscd: PcscRig, recorder: Recorder) -> None:
    durations = []
    for i in range(CYCLES):
        watcher = ReaderWatcher(recorder)
        assert watcher.start(timeout=WAIT)
        time.sleep(0.03 * i)  # stop at different points of the watcher's wait
        started = time.monotonic()
        assert watcher.stop(timeout=WAIT)
        durations.append(time.monotonic() - started)
        assert not watcher.running
    print(f"\nReaderWatcher.stop(): median {statistics.median(durations) * 1000:.1f} ms, max {max(durations) * 1000:.1f} ms")
    assert max(durations) < 0.2, durations


def test_watcher_idles_without_burning_cpu(pcscd: PcscRig, recorder: Recorder, watcher: ReaderWatcher) -> None:
    thread = next(t for t in threading.enumerate() if t.name == "pcsc-watcher")
    own = Path(f"/proc/self/task/{thread.native_id}/stat")
    daemon = Path(f"/proc/{pcscd.pid}/stat")
    window = 3.0
    own_before, daemon_before, started = cpu_seconds(own), cpu_seconds(daemon), time.monotonic()
    time.sleep(window)
    elapsed = time.monotonic() - started
    own_share = (cpu_seconds(own) - own_before) / elapsed
    daemon_share = (cpu_seconds(daemon) - daemon_before) / elapsed
    print(f"\nIdle CPU over {elapsed:.1f} s: watcher thread {own_share:.2%}, pcscd {daemon_share:.2%}")
    assert own_share < 0.02 and daemon_share < 0.02


def test_a_failing_callback_does_not_stop_the_watcher(pcscd: PcscRig, virtual_card: VirtualCard) -> None:
    seen: queue.Queue[ReaderEvent] = queue.Queue()

    def on_event(event: ReaderEvent) -> None:
        seen.put(event)
        raise RuntimeError("a careless consumer")

    with ReaderWatcher(on_event):
        virtual_card.insert()
        while (event := seen.get(timeout=WAIT)).kind != Kind.CARD_INSERTED:
            pass
        virtual_card.remove()
        while (event := seen.get(timeout=WAIT)).kind != Kind.CARD_REMOVED:
            pass
        assert event.reader == virtual_card.reader_name
