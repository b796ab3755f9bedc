"""Carry an exception raised by the service in the worker process back to the parent, as the same type when possible.

Python's default pickling of an exception calls ``cls(*exc.args)`` and then restores ``__dict__``. That breaks for
exceptions whose ``__init__`` takes keyword-only or extra arguments (``DriverError(code, message, attempts_left=2)``
keeps only ``message`` in ``args``), and for dataclass exceptions built with keywords (``args`` is empty). So the
worker tries, in order, and checks each way by rebuilding the exception itself before sending:

1. the exception's own pickle (``pickled``), when it round-trips;
2. its state (``state``): module, qualified name, ``args`` and ``__dict__``; the parent makes the object with
   ``cls.__new__(cls, *args)`` and restores ``__dict__``, without calling ``__init__``;
3. neither: only the type name, message and traceback travel, and the parent raises
   :class:`~drivers.host.errors.DeviceCallError`.

Only :class:`Exception` subclasses are re-raised as themselves: ``SystemExit`` or ``KeyboardInterrupt`` raised by a
service must not stop the parent, so they become a ``DeviceCallError`` too. The worker's traceback is attached to the
re-raised exception as its ``__cause__`` (a :class:`RemoteTraceback`), as ``concurrent.futures`` does.
"""

from __future__ import annotations

import importlib
import pickle
import traceback
from dataclasses import dataclass
from typing import Any

_PROTOCOL = pickle.HIGHEST_PROTOCOL


class RemoteTraceback(Exception):
    """The worker's traceback as text; set as ``__cause__`` of an exception re-raised from the worker."""

    def __init__(self, tb: str) -> None:
        super().__init__(tb)
        self.tb = tb

    def __str__(self) -> str:
        return f'\n"""\n{self.tb}"""'


@dataclass(frozen=True)
class RemoteError:
    """An exception raised in the worker, ready to be pickled and sent to the parent."""

    type_name: str  # "module.QualName"
    message: str
    traceback: str
    pickled: bytes | None = None  # the exception's own pickle, checked to round-trip in the worker
    state: bytes | None = None  # pickle of (module, qualname, args, __dict__), checked to rebuild in the worker


def type_name(cls: type) -> str:
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def capture(exc: BaseException) -> RemoteError:
    """Describe ``exc`` so that the parent can raise it again (see the module docstring)."""
    name = type_name(type(exc))
    message = _safe_str(exc)
    tb = "".join(traceback.format_exception(exc))
    if not isinstance(exc, Exception):
        return RemoteError(name, message, tb)
    pickled = state = None
    try:
        pickled = pickle.dumps(exc, protocol=_PROTOCOL)
        if type(pickle.loads(pickled)) is not type(exc):  # noqa: S301 - our own bytes, made just above
            pickled = None
    except Exception:
        pickled = None
    if pickled is None:
        try:
            state = pickle.dumps((type(exc).__module__, type(exc).__qualname__, exc.args, dict(vars(exc))), protocol=_PROTOCOL)
            if type(_from_state(state)) is not type(exc):
                state = None
        except Exception:
            state = None
    return RemoteError(name, message, tb, pickled, state)


def rebuild(err: RemoteError) -> Exception | None:
    """The exception ``err`` describes, with its attributes, or None when the parent cannot make it."""
    if err.pickled is not None:
        try:
            exc = pickle.loads(err.pickled)  # noqa: S301 - from our own worker process, which runs our code
        except Exception:
            exc = None
        if isinstance(exc, Exception):
            return exc
    if err.state is not None:
        try:
            return _from_state(err.state)
        except Exception:
            return None
    return None


def _from_state(state: bytes) -> Exception:
    module, qualname, args, attributes = pickle.loads(state)  # noqa: S301 - from our own worker process
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not (isinstance(obj, type) and issubclass(obj, Exception)):
        raise TypeError(f"{module}.{qualname} is not an exception class")
    exc: Exception = obj.__new__(obj, *args)
    exc.args = tuple(args)
    exc.__dict__.update(attributes)
    return exc


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:
        return f"<{type(exc).__name__}: str() failed>"
