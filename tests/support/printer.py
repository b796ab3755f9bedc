"""Printers for device tests: a raw TCP printer that keeps what it receives, and a private CUPS server.

Fixtures (registered in ``tests/conftest.py``):

* ``printer_listener`` -> :class:`PrinterListener`: a "port 9100" printer on ``127.0.0.1`` and a free port, served
  by threads (the product's :class:`~teller_client.training.printer_sink.PrinterSink`). Each connection's bytes, up to the client's clean close, are one job in ``jobs``; a connection the
  client resets (a cancelled job) goes to ``aborted`` instead. Modes for the next connections: ``stall()`` (accept,
  never read: the client's sends block), ``slow(chunk, delay)`` (read ``chunk`` bytes every ``delay`` seconds),
  ``reset()`` (accept and reset the connection at once); ``refuse()`` closes the listening socket, so connecting
  is refused (an offline printer). Its receive buffer is small (64 KiB), so a stalled printer stalls the client
  after a few hundred KiB.
* ``cups_server`` (session) -> :class:`CupsServer`: a ``cupsd -f`` of the test run's own, with its own
  configuration, spool, state and logs in a fresh folder under the temporary directory, listening on a unix
  socket there and on a free TCP port of 127.0.0.1; any local client may do anything (no authentication);
  ``PreserveJobFiles No`` and ``PreserveJobHistory No`` as the driver's notes ask of a server that prints letters.
  As root it runs as root with CUPS's default user (``lp``) for the backends (the folder is made readable for
  them); as anyone else it runs as that user (``User``/``Group`` set to the current ones, as CUPS's own test
  suite does).
* ``cups`` -> :class:`CupsServer` with a raw queue ``test`` (no PPD, no filters: the bytes pass through) that prints
  to this test's ``printer_listener`` (``lpadmin -p test -v socket://127.0.0.1:PORT -E``). Jobs and queues are
  removed after the test.

The CUPS fixtures skip, saying why, where the CUPS programs are missing (Debian: ``cups cups-client``;
``bash packaging/dev.sh test`` installs them) or ``cupsd`` does not come up. Facts this rests on (CUPS 2.4,
Debian 12): ``cupsd -c cupsd.conf -s cups-files.conf`` takes every path from those two files (``TempDir`` must
exist beforehand); a queue made with ``lpadmin -v socket://...`` and no ``-m`` is raw and passes PDF through byte for
byte; ``lp`` reading standard input answers ``request id is test-1 (0 file(s))``; a disabled queue still takes jobs
(they wait); ``lp`` says "The printer or class does not exist." both for an unknown queue and for a server that
cannot be reached.
"""

from __future__ import annotations

import atexit
import contextlib
import getpass
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from drivers.printing import CupsPrinter
from teller_client.training.printer_sink import PrinterSink

RECV_BUFFER = 64 * 1024
WAIT = 10.0
"""Upper bound for anything that should happen soon; only reached when a test is about to fail."""
CUPS_START_TIMEOUT = 10.0
TOOL_TIMEOUT = 10.0
SBIN = ("/usr/sbin", "/sbin", "/usr/local/sbin")


class PrinterListener(PrinterSink):
    """A raw TCP printer on 127.0.0.1 that stores each connection's bytes as one job: the product's training printer
    sink (:class:`teller_client.training.printer_sink.PrinterSink`) with a small receive buffer, so a stalled printer
    stalls the client soon."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__(host, recv_buffer=RECV_BUFFER)


@pytest.fixture
def printer_listener() -> Iterator[PrinterListener]:
    listener = PrinterListener()
    try:
        yield listener
    finally:
        listener.close()


def find_tool(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path=os.pathsep.join(SBIN))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


_live: set[subprocess.Popen[bytes]] = set()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5.0)
    _live.discard(proc)


@atexit.register
def _stop_all() -> None:
    for proc in list(_live):
        _stop(proc)


@dataclass
class CupsServer:
    """A private ``cupsd``; ``server`` is its unix socket (what ``CUPS_SERVER`` or ``-h`` take), ``tcp`` its
    ``127.0.0.1:PORT``; ``tools`` the paths of the CUPS programs by name."""

    root: Path
    server: str
    tcp: str
    tools: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    queue: str = "test"
    queues: set[str] = field(default_factory=set)

    @property
    def spool(self) -> Path:
        return self.root / "spool"

    @property
    def env(self) -> dict[str, str]:
        return dict(os.environ, CUPS_SERVER=self.server, LC_ALL="C.UTF-8", LANG="C.UTF-8")

    def run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a CUPS program against this server (``-h`` it)."""
        argv = [self.tools[tool], "-h", self.server, *args]
        done = subprocess.run(argv, capture_output=True, text=True, env=self.env, timeout=TOOL_TIMEOUT, check=False)
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
        return done

    def add_queue(self, name: str, uri: str) -> None:
        """A raw queue (no PPD, no filters) printing to ``uri``, enabled and accepting jobs."""
        self.run("lpadmin", "-p", name, "-v", uri, "-E")
        self.queues.add(name)

    def printer(self, queue: str | None = None, *, server: str | None = None, check_queue: bool = True) -> CupsPrinter:
        """A :class:`CupsPrinter` for ``queue`` on this server (its socket, or ``server``)."""
        tools = self.tools
        return CupsPrinter(
            queue or self.queue,
            server=server or self.server,
            lp=tools["lp"],
            lpstat=tools["lpstat"],
            cancel_tool=tools["cancel"],
            check_queue=check_queue,
        )

    def jobs(self, queue: str | None = None) -> list[str]:
        """Job ids not completed yet on ``queue``."""
        out = self.run("lpstat", "-W", "not-completed", "-o", queue or self.queue).stdout
        return [line.split()[0] for line in out.splitlines() if line.strip()]

    def spool_files(self) -> list[str]:
        """The job files (``c*`` control, ``d*`` document) in the server's spool."""
        return sorted(p.name for p in self.spool.iterdir() if p.name[:1] in "cd" and p.is_file())

    def error_log(self) -> str:
        path = self.root / "log" / "error_log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def clean(self) -> None:
        """Cancel and purge every job; delete the queues made by tests."""
        self.run("cancel", "-a", "-x", check=False)
        for name in sorted(self.queues):
            self.run("lpadmin", "-x", name, check=False)
        self.queues.clear()

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)


CUPS_FILES_CONF = """\
ServerRoot {root}/conf
RequestRoot {root}/spool
CacheDir {root}/cache
StateDir {root}/state
TempDir {root}/tmp
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
Printcap {root}/state/printcap
FileDevice No
{identity}
"""
CUPSD_CONF = """\
Listen 127.0.0.1:{port}
Listen {socket}
LogLevel debug
PreserveJobFiles No
PreserveJobHistory No
Browsing No
WebInterface No
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order allow,deny
    Allow all
  </Limit>
</Policy>
"""


def _identity() -> str:
    """``User``/``Group`` lines: none as root (cupsd keeps root and runs backends as ``lp``), else the current ones."""
    if os.geteuid() == 0:
        return "SystemGroup root"
    import grp  # POSIX only: imported here so that this plugin loads anywhere

    group = grp.getgrgid(os.getegid()).gr_name
    return f"User {getpass.getuser()}\nGroup {group}\nSystemGroup {group}"


def start_cups_server() -> CupsServer:
    """Start a private cupsd; ``pytest.skip`` with the reason where it cannot run here."""
    if not hasattr(os, "uname") or os.uname().sysname != "Linux":
        pytest.skip("the CUPS device tests run on Linux only")
    tools = {
        name: find_tool(name)
        for name in ("cupsd", "lpadmin", "lp", "lpstat", "cancel", "cupsdisable", "cupsenable", "cupsreject", "cupsaccept")
    }
    missing = sorted(name for name, path in tools.items() if path is None)
    if missing:
        pytest.skip(f"CUPS is not installed here (missing {', '.join(missing)}; Debian: apt-get install cups cups-client)")
    root = Path(tempfile.mkdtemp(prefix="teller-cups-"))
    root.chmod(0o755)  # as root, the backends run as lp and read the spool through here
    for sub in ("conf", "spool", "cache", "state", "tmp", "log"):
        (root / sub).mkdir()
    sock = str(root / "cups.sock")
    port = free_port()
    (root / "conf" / "cups-files.conf").write_text(CUPS_FILES_CONF.format(root=root, identity=_identity()), encoding="utf-8")
    (root / "conf" / "cupsd.conf").write_text(CUPSD_CONF.format(port=port, socket=sock), encoding="utf-8")
    rig = CupsServer(root, sock, f"127.0.0.1:{port}", {k: v for k, v in tools.items() if v is not None})
    argv = [rig.tools["cupsd"], "-f", "-c", str(root / "conf" / "cupsd.conf"), "-s", str(root / "conf" / "cups-files.conf")]
    output = (root / "log" / "cupsd.out").open("wb")
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    output.close()
    _live.add(proc)
    rig.process = proc
    deadline = time.monotonic() + CUPS_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if "scheduler is running" in rig.run("lpstat", "-r", check=False).stdout:
            return rig
        time.sleep(0.05)
    said = (root / "log" / "cupsd.out").read_text(errors="replace").strip() + "\n" + rig.error_log()[-1500:]
    rig.stop()
    shutil.rmtree(root, ignore_errors=True)
    pytest.skip(f"cupsd did not start here (exit status {proc.returncode}): {said.strip()[-800:]}")


@pytest.fixture(scope="session")
def cups_server() -> Iterator[CupsServer]:
    rig = start_cups_server()
    try:
        yield rig
    finally:
        rig.stop()
        shutil.rmtree(rig.root, ignore_errors=True)


@pytest.fixture
def cups(cups_server: CupsServer, printer_listener: PrinterListener) -> Iterator[CupsServer]:
    if cups_server.process is None or cups_server.process.poll() is not None:
        pytest.fail(f"the test run's cupsd has stopped:\n{cups_server.error_log()[-2000:]}")
    cups_server.add_queue(cups_server.queue, printer_listener.uri)
    try:
        yield cups_server
    finally:
        cups_server.clean()
