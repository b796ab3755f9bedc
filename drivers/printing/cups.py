"""Printing through CUPS (Linux, macOS) with its command-line client: ``lp``, ``lpstat`` and ``cancel``.

The job's bytes go to ``lp`` on its standard input: the client writes no temporary file. PDF is submitted as
``application/pdf`` (CUPS converts it for the printer's driver, or passes it through on a raw queue); ESC/P as
``application/vnd.cups-raw`` (passed to the printer untouched). Banner pages are switched off for the job.

The CUPS server itself spools every job to disk (its ``RequestRoot``, ``/var/spool/cups``) until the job is
printed. Password letters carry a secret, so on every CUPS server that prints them set, in ``cupsd.conf``::

    PreserveJobFiles No
    PreserveJobHistory No

so the job's document is deleted as soon as it is printed (or cancelled) and no copy is kept for reprinting.
Use a local queue on the teller's computer, or a print server the bank controls; :meth:`CupsPrinter.wait_until_done`
tells when the job has left the spooler, and cancels it (``cancel -x``: job and files purged) when it does not
leave in time, so a letter never waits in a queue to come out later, unattended.

Before submitting, :meth:`CupsPrinter.send` asks for the queue's state (one ``lpstat`` call) and refuses to queue
a job on a disabled (paused) queue or a printer that reports it has no paper. The server is the one
``CUPS_SERVER`` names (or ``~/.cups/client.conf``, ``/etc/cups/client.conf``, else the local one), unless
``server`` is given (``host``, ``host:port`` or a socket path; passed to the tools as ``-h``).
The tools run with the C locale, so that their messages can be read.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import threading
from dataclasses import dataclass

from drivers.printing._deadline import Deadline
from drivers.printing.errors import PrintError, PrintErrorCode
from drivers.printing.model import PrintJob, PrintResult

log = logging.getLogger(__name__)

QUEUE_NAME = re.compile(r"[^\s/\\?'\"#@]{1,127}")
"""What CUPS allows in a queue name (printable, no space, slash, backslash, quote, ``?``, ``#``), less ``@``."""
DOCUMENT_FORMATS = {"application/pdf": "application/pdf", "application/vnd.escp": "application/vnd.cups-raw"}
PAPER_OUT_REASONS = ("media-empty", "media-needed")
JAM_REASONS = ("media-jam",)
OFFLINE_REASONS = ("offline", "connecting-to-device", "timed-out")
UNREACHABLE_MESSAGES = ("unavailable", "not responding", "not exist", "unable to connect", "unable to locate", "busy")
"""Words in a CUPS backend's printer-state-message when it cannot reach the printer (the server's locale: English
on most servers; used only to choose between ``offline`` and ``timeout``)."""
STATUS_POLL_INTERVAL = 0.25
TOOL_TIMEOUT = 10.0
_REQUEST_ID = re.compile(r"request id is (\S+)")
_PRINTER_LINE = re.compile(r"^printer (\S+) (?:is (idle)\.|now (printing) (\S+?)\.|(disabled))(?:\s|$)")
_FIELDS = (
    "Form mounted:", "Content types:", "Printer types:", "Description:", "Alerts:", "Location:", "Connection:", "Interface:",
    "On fault:", "After fault:", "Users allowed:", "Forms allowed:", "Banner required", "Charset sets:", "Default pitch:",
    "Default page size:", "Default port settings:",
)  # fmt: skip


@dataclass(frozen=True)
class QueueStatus:
    """A CUPS queue's state as ``lpstat -l -p`` tells it.

    ``state`` is ``"idle"``, ``"printing"`` or ``"disabled"``; ``reasons`` are its printer-state-reasons keywords
    (``media-empty-error``, ``paused``, ...; empty when none); ``message`` is its printer-state-message (set by the
    backend or by the administrator who disabled the queue; may be empty).
    """

    queue: str
    state: str
    reasons: tuple[str, ...] = ()
    message: str = ""
    job: str | None = None

    @property
    def paper_out(self) -> bool:
        return any(r.startswith(PAPER_OUT_REASONS) for r in self.reasons)

    @property
    def jammed(self) -> bool:
        return any(r.startswith(JAM_REASONS) for r in self.reasons)

    @property
    def unreachable(self) -> bool:
        """The backend says it cannot reach the printer (it will keep trying)."""
        text = self.message.lower()
        return any(r.startswith(OFFLINE_REASONS) for r in self.reasons) or any(m in text for m in UNREACHABLE_MESSAGES)


def parse_queue_status(text: str) -> QueueStatus | None:
    """The first queue in ``lpstat -l -p QUEUE`` (or ``lpstat -p QUEUE``) output; ``None`` when there is none.

    After the ``printer NAME is idle.`` line come the queue's printer-state-message lines, then (with ``-l``) the
    fields, ``Alerts:`` among them.
    """
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = _PRINTER_LINE.match(line)
        if match is None:
            continue
        queue, _idle, printing, job, disabled = match.groups()
        state = "disabled" if disabled else "printing" if printing else "idle"
        message: list[str] = []
        reasons: tuple[str, ...] = ()
        in_fields = False
        for rest in lines[i + 1 :]:
            if _PRINTER_LINE.match(rest):
                break
            stripped = rest.strip()
            if stripped.startswith(_FIELDS):
                in_fields = True
                if stripped.startswith("Alerts:"):
                    reasons = tuple(r for r in stripped.removeprefix("Alerts:").split() if r != "none")
            elif not in_fields and stripped:
                message.append(stripped)
        return QueueStatus(queue, state, reasons, " ".join(message), job)
    return None


def parse_job_ids(text: str) -> list[str]:
    """The job ids (first column) in ``lpstat -o`` output."""
    return [line.split()[0] for line in text.splitlines() if line.strip() and not line.startswith((" ", "\t"))]


class _Tools:
    """How the CUPS programs are run: names, server, locale, and the timeout and cancel of every call."""

    def __init__(self, printer: str, server: str | None, lp: str, lpstat: str, cancel_tool: str) -> None:
        self.printer = printer
        self.server = server
        self.lp = lp
        self.lpstat = lpstat
        self.cancel_tool = cancel_tool

    def argv(self, tool: str, *args: str) -> list[str]:
        return [tool, *(("-h", self.server) if self.server else ()), *args]

    def run(
        self, argv: list[str], deadline: Deadline, *, data: bytes | bytearray | None = None, job_id: str | None = None
    ) -> tuple[int, str, str]:
        """Run ``argv`` with ``data`` on its standard input; kill it on timeout or cancel. Returns (rc, out, err)."""
        env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
        env.pop("LANGUAGE", None)
        try:
            proc = subprocess.Popen(  # noqa: S603 - a fixed argument list, no shell
                argv,
                stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
            )
        except FileNotFoundError as exc:
            raise PrintError("failed", f"The CUPS program {argv[0]} was not found; install the CUPS client.", printer=self.printer) from exc
        except OSError as exc:
            raise PrintError("failed", f"The CUPS program {argv[0]} could not be started.", printer=self.printer) from exc
        pending = data  # handed over on the first call only; later calls go on writing it
        try:
            while True:
                try:
                    out, err = proc.communicate(pending, timeout=deadline.slice())  # type: ignore[arg-type]  # a bytearray works: only viewed
                    break
                except subprocess.TimeoutExpired:
                    pending = None
                    deadline.check(job_id=job_id, what=f"running {os.path.basename(argv[0])}")
        finally:
            if proc.returncode is None:
                proc.kill()
                try:
                    proc.communicate(timeout=2.0)
                except subprocess.TimeoutExpired:
                    log.warning("printer %s: %s did not exit after being killed", self.printer, argv[0])
        return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")

    def scheduler_running(self, deadline: Deadline) -> bool:
        rc, out, _ = self.run(self.argv(self.lpstat, "-r"), deadline)
        return rc == 0 and "scheduler is running" in out

    def missing(self, deadline: Deadline, what: str, job_id: str | None = None) -> PrintError:
        """The error for "no such destination": CUPS says that too when it cannot reach the server at all."""
        if not self.scheduler_running(deadline):
            return PrintError("offline", "The CUPS print server is not running or cannot be reached.", printer=self.printer, job_id=job_id)
        return PrintError("not_found", f"The CUPS server has no {what}.", printer=self.printer, job_id=job_id)


def _first_line(text: str) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line[:200]


class CupsPrinter:
    """The CUPS queue ``queue``. ``name`` is ``cups:QUEUE``, or ``cups:QUEUE@SERVER`` with a ``server``.

    ``lp``, ``lpstat`` and ``cancel_tool`` name the programs (paths, for tests or unusual installs).
    ``check_queue=False`` skips the state check before each job.
    """

    def __init__(
        self,
        queue: str,
        *,
        server: str | None = None,
        lp: str = "lp",
        lpstat: str = "lpstat",
        cancel_tool: str = "cancel",
        check_queue: bool = True,
    ) -> None:
        if not QUEUE_NAME.fullmatch(queue):
            raise PrintError("invalid_settings", "A CUPS queue name has 1 to 127 characters without spaces, /, \\, ?, quotes, # or @.")
        if server is not None and (not server or any(ch.isspace() for ch in server)):
            raise PrintError("invalid_settings", "The CUPS server name is empty or holds spaces.")
        self.queue = queue
        self.server = server
        self.check_queue = check_queue
        self.name = f"cups:{queue}" + (f"@{server}" if server else "")
        self._tools = _Tools(self.name, server, lp, lpstat, cancel_tool)

    def __repr__(self) -> str:
        return f"CupsPrinter({self.queue!r}, server={self.server!r})"

    def send(self, job: PrintJob, *, timeout: float, cancel: threading.Event | None = None) -> PrintResult:
        """Queue ``job``; returns once CUPS has taken it, with CUPS's job id (``QUEUE-123``).

        ``lp`` is killed when the timeout passes or ``cancel`` is set while it runs. It takes a moment only
        (it hands the bytes to the server and exits), but when it is killed in that moment the server may
        already hold the job, with no id known here: the error's ``bytes_sent`` is then the job's size.
        """
        deadline = Deadline(self.name, timeout, cancel)
        deadline.check()
        if self.check_queue:
            self._refuse_unusable(self._status(deadline))
        tools = self._tools
        argv = tools.argv(
            tools.lp,
            "-d", self.queue,
            "-t", job.title,
            "-o", "job-sheets=none",
            "-o", f"document-format={DOCUMENT_FORMATS[job.content_type]}",
        )  # fmt: skip
        try:
            rc, out, err = tools.run(argv, deadline, data=job.data)
        except PrintError as exc:
            if exc.code in ("timeout", "cancelled"):
                exc.bytes_sent = len(job.data)  # lp may have handed the job over before it was stopped
            raise
        if rc != 0:
            raise self._lp_error(rc, err, deadline)
        match = _REQUEST_ID.search(out)
        job_id = match.group(1) if match else None
        log.debug("printer %s: job %s queued, %d bytes", self.name, job_id, len(job.data))
        return PrintResult(self.name, len(job.data), job_id)

    def status(self, *, timeout: float = TOOL_TIMEOUT, cancel: threading.Event | None = None) -> QueueStatus:
        """The queue's state now (``not_found`` when there is no such queue, ``offline`` when no server answers)."""
        return self._status(Deadline(self.name, timeout, cancel))

    def wait_until_done(
        self,
        job_id: str,
        *,
        timeout: float,
        cancel: threading.Event | None = None,
        poll_interval: float = STATUS_POLL_INTERVAL,
        cancel_job: bool = True,
    ) -> None:
        """Wait until job ``job_id`` has left the spooler (printed, or sent to the printer by the backend).

        Raises ``paper_out`` when the printer reports no paper, ``offline`` when the queue gets disabled (CUPS
        stops a queue whose backend fails) or when, at the timeout, the backend was still trying to reach the
        printer; ``timeout``, ``cancelled`` otherwise. On any of these the job is cancelled and its files purged
        (``cancel -x``) unless ``cancel_job`` is false, so that it does not come out later.
        """
        deadline = Deadline(self.name, timeout, cancel)
        status: QueueStatus | None = None
        try:
            while True:
                if job_id not in self._pending_jobs(deadline, job_id):
                    return
                status = self._status(deadline, job_id=job_id)
                self._refuse_unusable(status, job_id=job_id, queued=True)
                deadline.sleep(poll_interval)
                deadline.check(job_id=job_id, what="printing the job")
        except PrintError as exc:
            if exc.code == "timeout" and status is not None and status.unreachable:
                exc = PrintError("offline", "The print server could not reach the printer.", printer=self.name, job_id=job_id)
            if cancel_job:
                self.cancel_job(job_id)
            raise exc from None

    def cancel_job(self, job_id: str, *, timeout: float = TOOL_TIMEOUT) -> bool:
        """Cancel job ``job_id`` and purge its files; ``False`` when CUPS did not (the job had already gone)."""
        try:
            rc, _, err = self._tools.run(self._tools.argv(self._tools.cancel_tool, "-x", job_id), Deadline(self.name, timeout, None))
        except PrintError:
            log.warning("printer %s: cancelling job %s failed", self.name, job_id)
            return False
        if rc != 0:
            log.info("printer %s: job %s not cancelled: %s", self.name, job_id, _first_line(err))
        return rc == 0

    def _status(self, deadline: Deadline, *, job_id: str | None = None) -> QueueStatus:
        tools = self._tools
        rc, out, err = tools.run(tools.argv(tools.lpstat, "-l", "-p", self.queue), deadline, job_id=job_id)
        status = parse_queue_status(out) if rc == 0 else None
        if status is None:
            if "scheduler is not running" in err.lower():
                raise PrintError("offline", "The CUPS print server is not running or cannot be reached.", printer=self.name, job_id=job_id)
            raise tools.missing(deadline, "such queue", job_id)
        return status

    def _pending_jobs(self, deadline: Deadline, job_id: str) -> list[str]:
        tools = self._tools
        rc, out, _ = tools.run(tools.argv(tools.lpstat, "-W", "not-completed", "-o", self.queue), deadline, job_id=job_id)
        if rc != 0:
            raise tools.missing(deadline, "such queue", job_id)
        return parse_job_ids(out)

    def _refuse_unusable(self, status: QueueStatus, *, job_id: str | None = None, queued: bool = False) -> None:
        where = "; the job is still queued" if queued else ""
        if status.state == "disabled":
            raise PrintError("offline", f"The CUPS queue is disabled (paused){where}.", printer=self.name, job_id=job_id)
        if status.paper_out:
            raise PrintError("paper_out", f"The printer is out of paper{where}.", printer=self.name, job_id=job_id)
        if status.jammed:
            raise PrintError("failed", f"The printer reports a paper jam{where}.", printer=self.name, job_id=job_id)

    def _lp_error(self, rc: int, err: str, deadline: Deadline) -> PrintError:
        text = err.lower()
        code: PrintErrorCode
        if "not accepting jobs" in text:
            code, message = "refused", "The CUPS queue is not accepting jobs."
        elif "does not exist" in text or "unknown destination" in text:
            return self._tools.missing(deadline, "such queue")
        elif "scheduler is not running" in text or "unable to connect" in text or "connection refused" in text:
            code, message = "offline", "The CUPS print server is not running or cannot be reached."
        elif "forbidden" in text or "not authorized" in text or "unauthorized" in text or "not allowed" in text:
            code, message = "refused", "The CUPS server does not allow this user to print on the queue."
        elif "document-format" in text or "unsupported format" in text:
            code, message = "refused", "The CUPS server cannot print this kind of document on the queue."
        else:
            code, message = "failed", f"lp failed (exit status {rc}): {_first_line(err) or 'no message'}"
        return PrintError(code, message, printer=self.name)


def list_queues(
    *, server: str | None = None, lpstat: str = "lpstat", timeout: float = TOOL_TIMEOUT, cancel: threading.Event | None = None
) -> list[str]:
    """The names of the queues the CUPS server offers (``lpstat -e``); ``offline`` when no server answers."""
    name = f"cups:*@{server}" if server else "cups:*"
    tools = _Tools(name, server, "lp", lpstat, "cancel")
    deadline = Deadline(name, timeout, cancel)
    if not tools.scheduler_running(deadline):
        raise PrintError("offline", "The CUPS print server is not running or cannot be reached.", printer=name)
    rc, out, err = tools.run(tools.argv(lpstat, "-e"), deadline)
    if rc != 0:
        raise PrintError("failed", f"lpstat failed (exit status {rc}): {_first_line(err) or 'no message'}", printer=name)
    return [line.strip() for line in out.splitlines() if line.strip()]
