"""The reader watcher's bookkeeping against a scripted PC/SC service, for what the virtual reader cannot show.

pcscd adds and removes serial readers such as vpcd only at start (its hot-plug is USB's), and a card cannot be
pulled and put back between two of the watcher's looks on purpose; a :class:`FakeService` does both. It answers
``get_status_change`` the way pcsc-lite does: it blocks until a reader's state (flags, and the card-event counter
in the high 16 bits) differs from the caller's, and the ``\\\\?PnP?\\Notification`` reader changes when the
reader list does. These tests need no device and could live in tests/unit.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Sequence

import pytest

from drivers.pcsc import PNP_NOTIFICATION, PcscError, RawReaderState, ReaderEvent, ReaderEventKind, ReaderWatcher, list_readers, read_atr
from drivers.pcsc.context import STATE_CHANGED, STATE_EMPTY, STATE_IGNORE, STATE_PRESENT, STATE_UNKNOWN

pytestmark = pytest.mark.timeout(60)

Kind = ReaderEventKind
WAIT = 5.0
ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")


class FakeService:
    """Readers, cards and the service's health, changed by the test; contexts made by :meth:`establish`."""

    def __init__(self, *, pnp: bool = True) -> None:
        self.cond = threading.Condition()
        self.pnp = pnp
        self.up = True
        self.epoch = 0  # a context from an earlier epoch is dead, as after a pcscd restart
        self.list_changes = 0
        self.readers: dict[str, tuple[int, bytes]] = {}  # name -> (state with the event counter, ATR)
        self.contexts = 0

    def establish(self) -> FakeContext:
        with self.cond:
            if not self.up:
                raise PcscError("service_unavailable", "The smart card service (PC/SC) is not running.")
            self.contexts += 1
            return FakeContext(self, self.epoch)

    def _set(self, name: str, present: bool, atr: bytes = b"", events: int = 1) -> None:
        state, _ = self.readers[name]
        count = ((state >> 16) + events) & 0xFFFF
        self.readers[name] = ((count << 16) | (STATE_PRESENT if present else STATE_EMPTY), atr)
        self.cond.notify_all()

    def add_reader(self, name: str) -> None:
        with self.cond:
            self.readers[name] = (STATE_EMPTY, b"")
            self.list_changes += 1
            self.cond.notify_all()

    def remove_reader(self, name: str) -> None:
        with self.cond:
            del self.readers[name]
            self.list_changes += 1
            self.cond.notify_all()

    def insert(self, name: str, atr: bytes = ATR) -> None:
        with self.cond:
            self._set(name, True, atr)

    def pull(self, name: str) -> None:
        with self.cond:
            self._set(name, False)

    def bounce(self, name: str, atr: bytes = ATR) -> None:
        """Pull the card and put one back at once: only the counter shows it."""
        with self.cond:
            self._set(name, True, atr, events=2)

    def stop(self) -> None:
        with self.cond:
            self.up = False
            self.epoch += 1
            self.cond.notify_all()

    def start(self) -> None:
        with self.cond:
            self.up = True
            self.cond.notify_all()


class FakeContext:
    def __init__(self, service: FakeService, epoch: int) -> None:
        self.service = service
        self.epoch = epoch
        self.cancelled = False

    def _alive(self) -> None:
        if not self.service.up or self.epoch != self.service.epoch:
            raise PcscError("service_unavailable", "The smart card service (PC/SC) is not running.")

    def list_readers(self) -> list[str]:
        with self.service.cond:
            self._alive()
            return list(self.service.readers)

    def _now(self, name: str, current: int) -> RawReaderState:
        if name == PNP_NOTIFICATION:
            state = (self.service.list_changes & 0xFFFF) << 16
            return RawReaderState(name, state | (STATE_CHANGED if state != current else 0), b"")
        if name not in self.service.readers:
            return RawReaderState(name, STATE_UNKNOWN | STATE_CHANGED | STATE_IGNORE, b"")
        state, atr = self.service.readers[name]
        return RawReaderState(name, state | (STATE_CHANGED if state != current & ~STATE_CHANGED else 0), atr)

    def get_status_change(self, timeout: float, states: Sequence[tuple[str, int]]) -> list[RawReaderState]:
        deadline = time.monotonic() + timeout
        with self.service.cond:
            if not self.service.pnp and any(name == PNP_NOTIFICATION for name, _ in states):
                raise PcscError("reader_unavailable", "unknown reader")
            while True:
                self._alive()
                if self.cancelled:
                    self.cancelled = False
                    raise PcscError("cancelled", "cancelled")
                now = [self._now(name, current) for name, current in states]
                if any(state.changed for state in now) or any(current == 0 and name != PNP_NOTIFICATION for name, current in states):
                    return now
                left = deadline - time.monotonic()
                if left <= 0:
                    raise PcscError("timeout", "timeout")
                self.service.cond.wait(left)

    def cancel(self) -> None:
        with self.service.cond:
            self.cancelled = True
            self.service.cond.notify_all()

    def release(self) -> None:
        pass


class Events:
    def __init__(self) -> None:
        self.queue: queue.Queue[ReaderEvent] = queue.Queue()

    def __call__(self, event: ReaderEvent) -> None:
        self.queue.put(event)

    def take(self, count: int) -> list[tuple[str, str | None]]:
        return [(str(e.kind), e.reader) for e in (self.queue.get(timeout=WAIT) for _ in range(count))]

    def quiet(self, seconds: float = 0.2) -> bool:
        try:
            event = self.queue.get(timeout=seconds)
        except queue.Empty:
            return True
        raise AssertionError(f"unexpected event {event}")


@pytest.fixture
def service() -> FakeService:
    service = FakeService()
    service.add_reader("Reader A")
    return service


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def watcher(service: FakeService, events: Events) -> Iterator[ReaderWatcher]:
    watcher = ReaderWatcher(events, poll_interval=0.1, retry_interval=0.05, establish=service.establish)
    assert watcher.start(WAIT)
    assert events.take(1) == [("reader_added", "Reader A")]
    yield watcher
    assert watcher.stop(WAIT)


def test_readers_coming_and_going_are_reported(service: FakeService, events: Events, watcher: ReaderWatcher) -> None:
    service.add_reader("Reader B")
    assert events.take(1) == [("reader_added", "Reader B")]
    service.insert("Reader B")
    assert events.take(1) == [("card_inserted", "Reader B")]
    service.remove_reader("Reader B")
    assert events.take(2) == [("card_removed", "Reader B"), ("reader_removed", "Reader B")]
    assert [r.name for r in watcher.readers()] == ["Reader A"]
    assert events.quiet()


def test_a_card_pulled_and_put_back_between_two_looks_is_reported(service: FakeService, events: Events, watcher: ReaderWatcher) -> None:
    service.insert("Reader A")
    assert events.take(1) == [("card_inserted", "Reader A")]
    service.bounce("Reader A", bytes.fromhex("3B00"))
    assert events.take(2) == [("card_removed", "Reader A"), ("card_inserted", "Reader A")]
    assert watcher.readers()[0].atr == bytes.fromhex("3B00")
    assert events.quiet()


def test_service_lost_and_back_reports_the_state_again(service: FakeService, events: Events, watcher: ReaderWatcher) -> None:
    service.insert("Reader A")
    assert events.take(1) == [("card_inserted", "Reader A")]
    service.stop()
    assert events.take(1) == [("service_lost", None)]
    assert watcher.readers() == [] and watcher.service_up is False
    assert events.quiet(0.3)  # retrying quietly, no repeated service_lost
    service.start()
    assert events.take(3) == [("service_back", None), ("reader_added", "Reader A"), ("card_inserted", "Reader A")]


def test_without_pnp_notifications_the_reader_list_is_polled(events: Events) -> None:
    service = FakeService(pnp=False)
    service.add_reader("Reader A")
    with ReaderWatcher(events, poll_interval=0.1, establish=service.establish):
        assert events.take(1) == [("reader_added", "Reader A")]
        service.add_reader("Reader B")
        assert events.take(1) == [("reader_added", "Reader B")]
        service.insert("Reader B")
        assert events.take(1) == [("card_inserted", "Reader B")]


def test_idle_watcher_makes_few_calls(service: FakeService, events: Events) -> None:
    calls = []
    real = FakeContext.get_status_change

    def counted(self: FakeContext, timeout: float, states: Sequence[tuple[str, int]]) -> list[RawReaderState]:
        calls.append(time.monotonic())
        return real(self, timeout, states)

    FakeContext.get_status_change = counted  # type: ignore[method-assign]
    try:
        with ReaderWatcher(events, poll_interval=0.2, establish=service.establish):
            time.sleep(1.0)
    finally:
        FakeContext.get_status_change = real  # type: ignore[method-assign]
    assert len(calls) <= 8, len(calls)  # one wait per poll_interval (plus the start-up snapshot)


def test_one_shot_calls_through_an_injected_service(service: FakeService) -> None:
    service.insert("Reader A")
    assert [(r.name, r.atr) for r in list_readers(establish=service.establish)] == [("Reader A", ATR)]
    assert read_atr("Reader A", establish=service.establish) == ATR
    service.stop()
    with pytest.raises(PcscError) as caught:
        list_readers(establish=service.establish)
    assert caught.value.code == "service_unavailable"


def test_a_hanging_establish_times_out_and_is_abandoned() -> None:
    release = threading.Event()

    def hang() -> FakeContext:
        release.wait(WAIT)
        raise PcscError("service_unavailable", "gone")

    started = time.monotonic()
    with pytest.raises(PcscError) as caught:
        list_readers(timeout=0.2, establish=hang)
    assert caught.value.code == "timeout" and time.monotonic() - started < 0.5
    release.set()
