"""The printing driver's one error type, with a stable code the client maps to a bilingual message.

``drivers/`` never imports ``teller_client``, so this is not a ``TellerError``; the client translates it
(``raise TellerError(...) from exc``) by :attr:`PrintError.code`, never by parsing the English message.

No message ever holds document content (a password letter carries a secret): messages are fixed English
sentences plus, at most, the printer's name (its settings string), a job id, a number or an operating-system
error name.
"""

from __future__ import annotations

from typing import Literal, get_args

PrintErrorCode = Literal[
    "offline",  # connection refused, host unreachable, no spooler running, queue disabled (paused)
    "refused",  # the printer or the spooler rejected the job (queue not accepting jobs, connection reset)
    "paper_out",  # the printer or spooler reports that it has no paper (CUPS: media-empty, media-needed)
    "timeout",  # the job did not finish within the caller's timeout
    "cancelled",  # the caller's cancel event was set
    "not_found",  # no such queue, printer, host or device
    "invalid_settings",  # the printer settings string (or a job for the wrong kind of printer) cannot work
    "failed",  # anything else
]

ERROR_CODES: tuple[PrintErrorCode, ...] = get_args(PrintErrorCode)
PRINT_ERROR_CODES = ERROR_CODES

MESSAGES: dict[PrintErrorCode, str] = {
    "offline": "The printer is offline or cannot be reached.",
    "refused": "The printer refused the job.",
    "paper_out": "The printer is out of paper.",
    "timeout": "The printer did not finish in time.",
    "cancelled": "Printing was cancelled.",
    "not_found": "The printer was not found.",
    "invalid_settings": "The printer settings are not valid.",
    "failed": "Printing failed.",
}


class PrintError(Exception):
    """A job could not be printed.

    ``code`` is one of :data:`ERROR_CODES` and stays stable across releases; ``message`` is plain English for logs
    and diagnostics; ``printer`` is the printer's name (its settings string, e.g. ``raw:10.1.2.3:9100``) when
    known. ``bytes_sent`` counts the bytes of the job that left this program before the failure, and ``job_id`` is
    the spooler's id when a spooler had taken the job: when either is set, the printer may have printed part or all
    of it (a password letter must then be treated as spoiled). See :attr:`may_have_printed`.
    """

    def __init__(
        self,
        code: PrintErrorCode,
        message: str | None = None,
        *,
        printer: str | None = None,
        bytes_sent: int = 0,
        job_id: str | None = None,
    ) -> None:
        text = message or MESSAGES[code]
        super().__init__(text)
        self.code: PrintErrorCode = code
        self.message = text
        self.printer = printer
        self.bytes_sent = bytes_sent
        self.job_id = job_id

    @property
    def may_have_printed(self) -> bool:
        """Whether any of the job may have reached the printer (or a spooler that may still print it)."""
        return self.bytes_sent > 0 or self.job_id is not None

    def __reduce__(self) -> tuple[object, ...]:
        # Exception pickles as ``cls(*self.args)``, which would lose the code; rebuild from every field instead.
        return (_rebuild, (self.code, self.message, self.printer, self.bytes_sent, self.job_id))

    def __repr__(self) -> str:
        return (
            f"PrintError(code={self.code!r}, message={self.message!r}, printer={self.printer!r}, "
            f"bytes_sent={self.bytes_sent}, job_id={self.job_id!r})"
        )


def _rebuild(code: PrintErrorCode, message: str, printer: str | None, bytes_sent: int, job_id: str | None) -> PrintError:
    return PrintError(code, message, printer=printer, bytes_sent=bytes_sent, job_id=job_id)
