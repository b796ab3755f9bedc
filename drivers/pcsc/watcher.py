r"""Watch readers and cards: one owner thread waits in ``SCardGetStatusChange`` and reports events by callback.

The owner thread establishes the watcher's one PC/SC context and is the only thread that uses it (``stop()``
only calls ``SCardCancel`` on it, which PC/SC allows from any thread). It waits for a change on every reader
and on the special ``\\?PnP?\Notification`` reader (which changes when a reader is added or removed), in waits
of at most ``poll_interval`` seconds, so a lost ``SCardCancel`` still leaves it looking at its stop flag soon.
Idle, it makes one IPC call to the service per ``poll_interval``: no busy loop.

Events go to ``on_event(event)`` **on the owner thread**, in the order they happened. A UI marshals them to its
own thread (a Qt signal) and must not block in the callback; a callback that raises is logged and the watcher
carries on. At start it reports what is there (``reader_added`` for each reader, then ``card_inserted`` for each
card), or ``service_lost`` when the service is not running.

When the service goes away (pcscd stopped or restarted, Windows' service stopped after its last reader went) it
reports ``service_lost``, releases the dead context and tries a new one every ``retry_interval`` seconds; once
one works it reports ``service_back`` and then the current state again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from types import TracebackType

from drivers.pcsc.bounded import cancel_in_background
from drivers.pcsc.context import PNP_NOTIFICATION, ContextLike, PcscContext, RawReaderState
from drivers.pcsc.errors import PcscError
from drivers.pcsc.events import OnEvent, ReaderEvent, ReaderEventKind
from drivers.pcsc.readers import ReaderInfo, snapshot

__all__ = ["ReaderWatcher"]

log = logging.getLogger(__name__)

Kind = ReaderEventKind


class ReaderWatcher:
    """Reports reader and card events from one owner thread. ``start()`` once, ``stop()`` once; or ``with``.

    ``establish`` makes a context (the real PC/SC service by default) and ``clock`` stamps events; both are there
    so that tests and other transports can supply their own.
    """

    def __init__(
        self,
        on_event: OnEvent,
        *,
        poll_interval: float = 0.5,
        retry_interval: float = 0.25,
        establish: Callable[[], ContextLike] = PcscContext.establish,
        clock: Callable[[], float] = time.monotonic,
        name: str = "pcsc-watcher",
    ) -> None:
        self._on_event = on_event
        self._poll_interval = poll_interval
        self._retry_interval = retry_interval
        self._establish = establish
        self._clock = clock
        self._name = name
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._context: ContextLike | None = None
        self._service_up: bool | None = None
        # Owned by the owner thread; _view is also read (under _lock) by readers().
        self._view: dict[str, ReaderInfo] = {}
        self._raw: dict[str, RawReaderState] = {}
        self._pnp_state = 0
        self._use_pnp = True

    # -- the caller's side ---------------------------------------------------------------------------------------

    def start(self, timeout: float = 2.0) -> bool:
        """Start the owner thread; return once it has reported the first state (True) or after ``timeout`` (False)."""
        with self._lock:
            if self._thread is not None:
                raise RuntimeError("a ReaderWatcher can be started only once")
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()
        return self._ready.wait(timeout)

    def stop(self, timeout: float = 1.0) -> bool:
        """Stop the owner thread; True once it has ended, False if it is still stuck after ``timeout`` seconds.

        It ends promptly (``SCardCancel`` interrupts its wait) unless the service itself is hung, in which case
        the (daemon) thread ends when the service answers. Called from a callback, it returns False at once and
        the thread ends after the callback returns. No event is reported after ``stop()`` returns True.
        """
        self._stopping.set()
        thread = self._thread
        if thread is None:
            return True
        if thread is threading.current_thread():
            return False
        deadline = time.monotonic() + timeout
        canceller: threading.Thread | None = None
        while True:
            with self._lock:
                context = self._context
            if context is not None and (canceller is None or not canceller.is_alive()):
                # Repeated (a cancel sent just before the wait began is lost), never on this thread (it can block).
                canceller = cancel_in_background(context, f"{self._name}-cancel")
            thread.join(max(0.0, min(0.05, deadline - time.monotonic())))
            if not thread.is_alive():
                return True
            if time.monotonic() >= deadline:
                log.warning("PC/SC watcher did not stop within %.2f s (the smart card service may be hung)", timeout)
                return False

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    @property
    def service_up(self) -> bool | None:
        """Whether the service answered last time (``None`` before the first try)."""
        return self._service_up

    def readers(self) -> list[ReaderInfo]:
        """What the watcher knows now: each reader and its card. Safe from any thread."""
        with self._lock:
            return list(self._view.values())

    def __enter__(self) -> ReaderWatcher:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    # -- the owner thread ----------------------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                context = self._connect()
                if context is None:
                    return
                try:
                    self._watch(context)
                except Exception:  # a bug here must not end the watching for good
                    log.exception("PC/SC watcher failed; starting again")
                    self._stopping.wait(self._retry_interval)
                finally:
                    with self._lock:
                        self._context = None
                    context.release()
        finally:
            self._ready.set()

    def _connect(self) -> ContextLike | None:
        while not self._stopping.is_set():
            try:
                context = self._establish()
            except PcscError as exc:
                self._service_down(exc)
                self._ready.set()
                self._stopping.wait(self._retry_interval)
                continue
            with self._lock:
                if self._stopping.is_set():
                    context.release()
                    return None
                self._context = context
            return context
        return None

    def _watch(self, context: ContextLike) -> None:
        try:
            states = self._snapshot(context)
            if self._service_up is False:
                self._emit([self._event(Kind.SERVICE_BACK, message="The smart card service is running again.")])
            self._service_up = True
            self._apply_snapshot(states)
            self._ready.set()
            self._wait_loop(context)
        except PcscError as exc:
            if exc.code == "service_unavailable":
                self._service_down(exc)
            else:
                log.warning("PC/SC watcher: %s; reconnecting", exc.message)
                self._stopping.wait(self._retry_interval)

    def _wait_loop(self, context: ContextLike) -> None:
        quiet_returns = 0
        while not self._stopping.is_set():
            watched = [(PNP_NOTIFICATION, self._pnp_state)] if self._use_pnp else []
            watched += [(name, raw.current) for name, raw in self._raw.items()]
            try:
                changes = context.get_status_change(self._poll_interval, watched)
            except PcscError as exc:
                if exc.code == "timeout":
                    if not self._use_pnp:  # without PnP notifications, look at the reader list every interval
                        self._apply_snapshot(self._snapshot(context))
                    continue
                if exc.code == "cancelled":
                    continue
                if exc.code != "reader_unavailable":
                    raise
                before = list(self._raw)
                self._apply_snapshot(self._snapshot(context))
                if list(self._raw) == before and self._use_pnp:
                    log.info("PC/SC service does not know %s; watching the reader list by polling", PNP_NOTIFICATION)
                    self._use_pnp = False
                continue
            relist = False
            changed = False
            for state in changes:
                changed = changed or state.changed
                if state.name == PNP_NOTIFICATION:
                    relist = relist or state.changed
                    self._pnp_state = state.current
                elif state.unknown:
                    relist = True
                elif state.name in self._raw:
                    self._apply_state(state)
            if relist:
                self._apply_snapshot(self._snapshot(context))
            quiet_returns = 0 if changed else quiet_returns + 1
            if quiet_returns >= 3:  # the service keeps answering "no change" at once: do not spin
                self._stopping.wait(self._poll_interval)

    def _snapshot(self, context: ContextLike) -> list[RawReaderState]:
        for _ in range(3):  # a reader may go between the listing and the status query: list again
            try:
                return snapshot(context)
            except PcscError as exc:
                if exc.code != "reader_unavailable":
                    raise
        return snapshot(context)

    def _apply_snapshot(self, states: list[RawReaderState]) -> None:
        names = {state.name for state in states}
        events: list[ReaderEvent] = []
        for name in [name for name in self._raw if name not in names]:
            old = self._view[name]
            if old.card_present:
                events.append(self._event(Kind.CARD_REMOVED, name, old.atr))
            events.append(self._event(Kind.READER_REMOVED, name))
            self._forget(name)
        for state in states:
            if state.name in self._raw:
                events += self._changes(state)
            else:
                info = ReaderInfo.from_state(state)
                events.append(self._event(Kind.READER_ADDED, state.name))
                if info.card_present:
                    events.append(self._event(Kind.CARD_INSERTED, state.name, info.atr))
                self._remember(state, info)
        self._emit(events)

    def _apply_state(self, state: RawReaderState) -> None:
        self._emit(self._changes(state))

    def _changes(self, state: RawReaderState) -> list[ReaderEvent]:
        """The events between the reader's last known state and ``state``; remembers ``state``."""
        old, new = self._view[state.name], ReaderInfo.from_state(state)
        card_events = (state.event_count - self._raw[state.name].event_count) & 0xFFFF
        events: list[ReaderEvent] = []
        if old.card_present and new.card_present:
            if card_events >= 2:  # pulled out and put back (perhaps another card) between two looks
                events.append(self._event(Kind.CARD_REMOVED, state.name, old.atr))
                events.append(self._event(Kind.CARD_INSERTED, state.name, new.atr))
            elif old.atr is None and new.atr is not None:  # the card answered at last
                events.append(self._event(Kind.CARD_INSERTED, state.name, new.atr))
        elif old.card_present:
            events.append(self._event(Kind.CARD_REMOVED, state.name, old.atr))
        elif new.card_present:
            events.append(self._event(Kind.CARD_INSERTED, state.name, new.atr))
        elif card_events >= 2:  # a card came and went between two looks
            events.append(self._event(Kind.CARD_INSERTED, state.name, None))
            events.append(self._event(Kind.CARD_REMOVED, state.name, None))
        self._remember(state, new)
        return events

    def _remember(self, state: RawReaderState, info: ReaderInfo) -> None:
        self._raw[state.name] = state
        with self._lock:
            self._view[state.name] = info

    def _forget(self, name: str) -> None:
        del self._raw[name]
        with self._lock:
            del self._view[name]

    def _service_down(self, exc: PcscError) -> None:
        if self._service_up is False:
            return
        self._service_up = False
        self._raw.clear()
        self._pnp_state = 0
        with self._lock:
            self._view.clear()
        log.info("PC/SC service unavailable: %s", exc.message)
        self._emit([self._event(Kind.SERVICE_LOST, message=exc.message)])

    def _event(self, kind: ReaderEventKind, reader: str | None = None, atr: bytes | None = None, *, message: str = "") -> ReaderEvent:
        return ReaderEvent(kind, reader, atr, self._clock(), message)

    def _emit(self, events: list[ReaderEvent]) -> None:
        for event in events:
            if self._stopping.is_set():
                return
            log.debug("PC/SC %s %s %s", event.kind, event.reader or "", event.atr_hex or "")
            try:
                self._on_event(event)
            except Exception:
                log.exception("PC/SC watcher callback failed on %s", event.kind)
