"""Smart card readers through PC/SC (pcscd on Linux, the "Smart Card" service on Windows): the only package that
imports pyscard, and within it only :mod:`drivers.pcsc.context` does.

* :func:`list_readers` and :func:`read_atr`: one-shot calls, each on a short-lived thread of its own that owns its
  PC/SC context, bounded by a timeout and interruptible by a cancel event.
* :class:`ReaderWatcher`: one owner thread that reports card insertion and removal, reader arrival and removal,
  and the service going and coming back, through a callback on that thread.

Every failure is a :class:`PcscError` with a stable ``code`` (:data:`ERROR_CODES`).
"""

from __future__ import annotations

from drivers.pcsc.context import PNP_NOTIFICATION, ContextLike, PcscContext, RawReaderState
from drivers.pcsc.errors import ERROR_CODES, PcscError, PcscErrorCode
from drivers.pcsc.events import OnEvent, ReaderEvent, ReaderEventKind
from drivers.pcsc.readers import DEFAULT_TIMEOUT, ReaderInfo, list_readers, read_atr
from drivers.pcsc.watcher import ReaderWatcher

__all__ = [
    "DEFAULT_TIMEOUT",
    "ERROR_CODES",
    "PNP_NOTIFICATION",
    "ContextLike",
    "OnEvent",
    "PcscContext",
    "PcscError",
    "PcscErrorCode",
    "RawReaderState",
    "ReaderEvent",
    "ReaderEventKind",
    "ReaderInfo",
    "ReaderWatcher",
    "list_readers",
    "read_atr",
]
