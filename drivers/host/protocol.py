"""What the parent and the worker send each other over their two pipes, and how log records travel.

Every message is one pickled tuple, sent with ``Connection.send_bytes`` (so a value that fails to pickle fails in the
sender, before anything is written). Call arguments, results and progress values are pickled once more inside the
message, so that a value the other side cannot unpickle fails only that call, with its request id still readable.

Parent to worker (the request pipe)::

    ("call", request_id, method, want_progress, pickle((args, kwargs)))
    ("close",)

Worker to parent (the reply pipe)::

    ("ready", pid, owner_thread_ident)        the service was made on the owner thread
    ("start_failed", RemoteError)             importing or constructing the service raised
    ("ok", request_id, pickle(result))
    ("error", request_id, RemoteError)
    ("progress", request_id, pickle((args, kwargs)))
    ("log", record_dict)                      a LogRecord at or above the worker's level, message already formatted

End of file on the request pipe tells the worker that the parent is gone; end of file on the reply pipe tells the
parent that the worker is gone.
"""

from __future__ import annotations

import logging
import pickle
from dataclasses import dataclass
from typing import Any

PROTOCOL = pickle.HIGHEST_PROTOCOL

CALL = "call"
CLOSE = "close"
READY = "ready"
START_FAILED = "start_failed"
OK = "ok"
ERROR = "error"
PROGRESS = "progress"
LOG = "log"


@dataclass(frozen=True)
class WorkerSpec:
    """Everything the worker needs, passed to it by ``multiprocessing`` (so it must pickle)."""

    service: str  # "package.module:ClassName"
    constructor: bytes  # pickle((args, kwargs)) for the service's constructor
    name: str  # the host's name, for log messages
    log_level: int  # records at or above this level are forwarded to the parent
    parent_pid: int
    kill_with_parent: bool  # also ask the OS to kill the worker when the parent dies (see drivers.host.guard)
    close_grace: float  # how long the worker waits for the service's close() once the parent is gone


def dumps(obj: object) -> bytes:
    return pickle.dumps(obj, protocol=PROTOCOL)


def loads(data: bytes) -> Any:
    return pickle.loads(data)  # noqa: S301 - only ever bytes from our own parent or worker process


def split_service(service: str) -> tuple[str, str]:
    """``"pkg.module:Class"`` -> ``("pkg.module", "Class")``; ValueError when it is not of that form."""
    module, sep, attribute = service.partition(":")
    parts = [*module.split("."), *attribute.split(".")]
    if not sep or not all(part.isidentifier() for part in parts):
        raise ValueError(f"service must be 'package.module:ClassName', not {service!r}")
    return module, attribute


_FORMATTER = logging.Formatter()
_PLAIN = (str, int, float, bool, type(None))


def record_to_dict(record: logging.LogRecord) -> dict[str, Any]:
    """A record's attributes, with the message formatted and the exception turned into text, so that it pickles
    whatever the arguments were (as ``logging.handlers.QueueHandler.prepare`` does)."""
    data = {key: value for key, value in vars(record).items() if isinstance(value, _PLAIN)}
    data["msg"] = record.getMessage()
    data["args"] = None
    if record.exc_info and not record.exc_text:
        data["exc_text"] = _FORMATTER.formatException(record.exc_info)
    data["exc_info"] = None
    data.pop("message", None)
    data.pop("relativeCreated", None)  # the worker's clock; the parent's own is set on arrival
    return data


def dict_to_record(data: dict[str, Any]) -> logging.LogRecord:
    return logging.makeLogRecord(data)
