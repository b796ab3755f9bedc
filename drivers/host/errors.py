"""The device host's error family: every failure of the host itself (not of the service) is a :class:`DeviceHostError`.

Each class has a stable :attr:`~DeviceHostError.code` the client maps to a message, never parsing the English text.
An exception raised *by the service* is not one of these: it is re-raised in the parent as its own type (see
:mod:`drivers.host.remote`), or, when it cannot cross the process boundary, as a :class:`DeviceCallError`.

``sent`` on timeouts, cancellations and crashes says whether the request reached the worker process. ``False``
means the service never saw the call (it was still waiting for its turn, or for the worker to start), so it is safe
to retry; ``True`` means the call may have had its effect on the device before the worker was stopped.

All of these pickle and unpickle with their attributes, so they may themselves cross a process boundary.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, get_args

DeviceHostErrorCode = Literal[
    "timeout",  # the call did not finish within its timeout; a running call's worker was stopped
    "cancelled",  # the caller's cancel event was set; a running call's worker was stopped
    "crashed",  # the worker process died during the call (segfault, os._exit, killed from outside)
    "start_failed",  # the worker could not start: import or constructor failed, it died, or it did not start in time
    "call_failed",  # the service's exception or result could not be carried back to the parent
    "closed",  # the host was closed
]

ERROR_CODES: tuple[DeviceHostErrorCode, ...] = get_args(DeviceHostErrorCode)


class DeviceHostError(Exception):
    """Base of the host's errors. ``service`` is the host's name; ``method`` the service method, when there was one."""

    code: ClassVar[DeviceHostErrorCode]

    def __init__(self, message: str, *, service: str = "", method: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.service = service
        self.method = method

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuild from the message and put every attribute back: keyword-only arguments do not survive the default.
        return (self.__class__, (self.message,), self.__dict__.copy())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, service={self.service!r}, method={self.method!r})"


class DeviceTimeoutError(DeviceHostError):
    """The call did not return within ``timeout`` seconds. If it had been ``sent``, the worker was stopped."""

    code = "timeout"

    def __init__(self, message: str, *, service: str = "", method: str | None = None, timeout: float = 0.0, sent: bool = False) -> None:
        super().__init__(message, service=service, method=method)
        self.timeout = timeout
        self.sent = sent


class DeviceCancelledError(DeviceHostError):
    """The caller's cancel event was set. If the call had been ``sent``, the worker was stopped."""

    code = "cancelled"

    def __init__(self, message: str, *, service: str = "", method: str | None = None, sent: bool = False) -> None:
        super().__init__(message, service=service, method=method)
        self.sent = sent


class DeviceCrashedError(DeviceHostError):
    """The worker process died during the call. ``exitcode`` is the process's exit code (negative: the POSIX signal
    that killed it), or None when it could not be read; ``sent`` is whether the request had reached the worker."""

    code = "crashed"

    def __init__(
        self, message: str, *, service: str = "", method: str | None = None, exitcode: int | None = None, sent: bool = True
    ) -> None:
        super().__init__(message, service=service, method=method)
        self.exitcode = exitcode
        self.sent = sent


class DeviceStartError(DeviceHostError):
    """The worker could not start. ``exitcode`` is set when it died; ``remote_type`` and ``remote_message`` name the
    exception raised while importing or constructing the service; the exception itself, when it could be carried
    back, is the ``__cause__``."""

    code = "start_failed"

    def __init__(
        self,
        message: str,
        *,
        service: str = "",
        method: str | None = None,
        exitcode: int | None = None,
        remote_type: str | None = None,
        remote_message: str | None = None,
    ) -> None:
        super().__init__(message, service=service, method=method)
        self.exitcode = exitcode
        self.remote_type = remote_type
        self.remote_message = remote_message


class DeviceCallError(DeviceHostError):
    """The service raised an exception that cannot be pickled, or returned a result that cannot be: this carries the
    remote exception's qualified type name and message, and its traceback as text. The worker keeps running."""

    code = "call_failed"

    def __init__(
        self,
        message: str,
        *,
        service: str = "",
        method: str | None = None,
        remote_type: str = "",
        remote_message: str = "",
        remote_traceback: str = "",
    ) -> None:
        super().__init__(message, service=service, method=method)
        self.remote_type = remote_type
        self.remote_message = remote_message
        self.remote_traceback = remote_traceback


class DeviceClosedError(DeviceHostError):
    """The host was closed before or during the call."""

    code = "closed"


def describe_exitcode(exitcode: int | None) -> str:
    """``exit code 3``, ``signal SIGSEGV`` (POSIX, negative codes) or ``exit code 0xC0000005`` (Windows NTSTATUS)."""
    if exitcode is None:
        return "unknown exit code"
    if exitcode < 0:
        import signal

        try:
            return f"signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"signal {-exitcode}"
    if exitcode > 0xFFFF:
        return f"exit code {exitcode:#010X}".replace("0X", "0x")
    return f"exit code {exitcode}"
