"""A real PC/SC stack for device tests: a private ``pcscd`` with the vsmartcard virtual reader, and virtual cards.

Fixtures (register this module as a pytest plugin, or import the fixtures into a test module):

* ``pcscd`` -> :class:`PcscRig`: a ``pcscd --foreground`` of the test's own, started with a configuration that holds
  only the vpcd virtual reader, ready (its first reader listed) before the test runs, stopped after it. The reader
  shows as two slots, ``Virtual PCD 00 00`` and ``Virtual PCD 00 01`` (vpcd ports 35963 and 35964). The rig can
  ``stop()``, ``start()``, ``restart()``, ``kill()`` and ``pause()``/``resume()`` (SIGSTOP, a hung service) it.
* ``virtual_card`` -> :class:`VirtualCard`: the ISO 7816 card of ``vicc -t iso7816`` for the first slot, not inserted.
  ``insert()`` starts vicc, ``remove()`` stops it; neither waits for the reader to notice (tests measure that).
  ``pcscd.card(slot)`` makes more (slot 1 is the second reader). ``expected_atr`` is the ATR the card reports,
  computed by vicc's own code. vicc exits when its pcscd stops: insert again after a restart.
* ``vicc_runtime`` -> :class:`ViccRuntime` (session): how vicc is run here.

Everything skips, with the reason, when this host cannot run it: not Linux, pcscd or the vpcd driver or vicc not
installed, no pycryptodome for vicc, ``/run/pcscd`` not writable (pcscd needs root here), or **a pcscd that this
module did not start is running** (or systemd's ``pcscd.socket`` holds ``/run/pcscd/pcscd.comm``).

Why skip rather than share or stop the system's pcscd: pcsc-lite (1.9.9) serves one fixed socket and pid file
under ``/run/pcscd`` and refuses to start a second daemon, and a system pcscd that loaded the packaged
``/etc/reader.conf.d/vpcd`` also holds the vpcd TCP ports; stopping it would take a developer's real readers
away, and using it would test against a configuration the tests do not control. CI runs in a fresh container
where none runs. To run these tests on a workstation: ``systemctl stop pcscd.socket pcscd.service``.

A pcscd that this module started in an earlier run (its ``--config`` path holds :data:`MARKER` and the process id
of the pytest that started it) and that outlived that run (a killed pytest) is stopped first; one whose pytest
still runs (a parallel run on the same host) is left alone and the test skips, as for a system pcscd. So PC/SC
device tests cannot run in parallel on one host (pytest-xdist: keep them in one worker). Every process runs in a process group of its own and is stopped
with SIGTERM, then SIGKILL after a timeout, by the fixture's teardown even when the test failed, and at exit.

vicc is a Debian Python script for ``/usr/bin/python3``; its package lives outside that interpreter's path (it
needs ``PYTHONPATH=.../site-packages/virtualsmartcard``) and it imports ``Crypto`` (pycryptodome). Debian's
``python3-pycryptodome`` provides it as ``Cryptodome`` only, so when that is all there is, a two-line ``Crypto``
package pointing at ``Cryptodome`` goes on vicc's path; failing both, vicc runs under the test interpreter if
that has ``Crypto`` (``pip install pycryptodome``).

The readiness check talks to pcscd through pyscard directly, independently of ``drivers.pcsc``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

MARKER = "teller-client-pcscd"
"""Part of every configuration path this module gives pcscd, followed by ``-<pytest's pid>-``: how a pcscd of ours
is recognised, and whether the run that started it is still going."""
_OWNER = re.compile(re.escape(MARKER) + r"-(\d+)-")

RUN_DIR = Path("/run/pcscd")
VPCD_PORT = 0x8C7B  # 35963; the second slot listens on the next port
READER_NAMES = ("Virtual PCD 00 00", "Virtual PCD 00 01")
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0

_ATR_PROBE = """
import logging, sys
logging.disable(logging.CRITICAL)
from virtualsmartcard.CardGenerator import CardGenerator
from virtualsmartcard.VirtualSmartcard import Iso7816OS
mf, sam = CardGenerator("iso7816").getCard()
sys.stdout.write(Iso7816OS(mf, sam).getATR().hex())
"""

_live: set[subprocess.Popen[bytes]] = set()


def _stop_process(proc: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM the process's group, then SIGKILL it after ``timeout``; reap the process."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGCONT)  # a paused process cannot act on SIGTERM
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # anything the process left in its group
    _live.discard(proc)


@atexit.register
def _stop_all() -> None:
    for proc in list(_live):
        _stop_process(proc, 2.0)


def _spawn(argv: list[str], log_path: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    with log_path.open("ab") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    _live.add(proc)
    return proc


# -- what this host has --------------------------------------------------------------------------------------------


def _first_existing(*candidates: str) -> str | None:
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    return None


def find_pcscd() -> str | None:
    return _first_existing(shutil.which("pcscd") or "", "/usr/sbin/pcscd", "/usr/local/sbin/pcscd")


def find_vpcd_driver() -> str | None:
    for pattern in ("/usr/lib/pcsc/drivers/serial/libifdvpcd.so*", "/usr/lib/*/pcsc/drivers/serial/libifdvpcd.so*",
                    "/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so*"):  # fmt: skip
        found = sorted(Path("/").glob(pattern.lstrip("/")))
        if found:
            return str(found[0])
    return None


def _vicc_package_dir() -> str | None:
    """The directory to put on PYTHONPATH so that ``import virtualsmartcard`` finds vicc's package."""
    roots = [Path("/usr/lib/python3/site-packages"), Path("/usr/lib/python3/dist-packages"), Path("/usr/local/lib/python3/dist-packages")]
    roots += sorted(Path("/usr/lib").glob("python3*/site-packages")) + sorted(Path("/usr/local/lib").glob("python3*/site-packages"))
    for root in roots:
        if (root / "virtualsmartcard" / "virtualsmartcard" / "VirtualSmartcard.py").exists():
            return str(root / "virtualsmartcard")
        if (root / "virtualsmartcard" / "VirtualSmartcard.py").exists():
            return str(root)
    return None


@dataclass(frozen=True)
class ViccRuntime:
    """How to run vicc on this host: which interpreter, which path, and the ATR its ISO 7816 card reports."""

    python: str
    script: str
    pythonpath: tuple[str, ...]
    expected_atr: bytes
    note: str

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(self.pythonpath)
        env.pop("PYTHONHOME", None)
        return env

    def command(self, port: int) -> list[str]:
        return [self.python, self.script, "--type", "iso7816", "--hostname", "localhost", "--port", str(port)]


def _probe(python: str, pythonpath: list[str]) -> bytes | None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(pythonpath))
    env.pop("PYTHONHOME", None)
    try:
        done = subprocess.run([python, "-c", _ATR_PROBE], env=env, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    try:
        return bytes.fromhex(done.stdout.decode().strip())
    except ValueError:
        return None


def _can_import(python: str, module: str) -> bool:
    try:
        return subprocess.run([python, "-c", f"import {module}"], capture_output=True, timeout=30, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def resolve_vicc(shim_root: Path) -> ViccRuntime | str:
    """The way to run vicc here, or the reason it cannot run."""
    script = shutil.which("vicc")
    if script is None:
        return "vicc is not installed (Debian: apt-get install vsmartcard-vpicc python3-virtualsmartcard)"
    package = _vicc_package_dir()
    if package is None:
        return "vicc's Python package is not installed (Debian: apt-get install python3-virtualsmartcard)"
    shebang = Path(script).read_bytes().split(b"\n", 1)[0].decode(errors="replace")
    vicc_python = shebang[2:].strip().split()[0] if shebang.startswith("#!") else "/usr/bin/python3"
    candidates: list[tuple[str, list[str], str]] = [(vicc_python, [package], f"vicc under {vicc_python} with its own Crypto")]
    if _can_import(vicc_python, "Cryptodome"):
        shim = shim_root / "Crypto"
        shim.mkdir(parents=True, exist_ok=True)
        (shim / "__init__.py").write_text(
            '"""Debian names pycryptodome Cryptodome; vicc imports Crypto."""\nimport Cryptodome as _c\n\n__path__ = list(_c.__path__)\n',
            encoding="utf-8",
        )
        candidates.append((vicc_python, [package, str(shim_root)], f"vicc under {vicc_python}, Crypto -> Debian's Cryptodome"))
    candidates.append((sys.executable, [package], f"vicc under the test interpreter {sys.executable}"))
    for python, path, note in candidates:
        atr = _probe(python, path)
        if atr:
            return ViccRuntime(python, script, tuple(path), atr, note)
    return (
        "vicc cannot run: it needs pycryptodome "
        "(Debian: apt-get install python3-pycryptodome; or pip install pycryptodome into the test environment)"
    )


# -- pcscd processes on this host ----------------------------------------------------------------------------------


def _proc_state(pid: int) -> str | None:
    """The process's state letter from /proc (``Z`` for a zombie), or ``None`` when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def _pcscd_processes() -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and Path(argv[0].decode(errors="replace")).name == "pcscd" and _proc_state(int(entry.name)) not in (None, "Z"):
            found.append((int(entry.name), " ".join(a.decode(errors="replace") for a in argv if a)))
    return found


def _kill_leftover(pid: int) -> None:
    """Stop a pcscd of ours from an earlier run (not our child: it cannot be reaped, so watch /proc)."""
    for sig, wait in ((signal.SIGCONT, 0.0), (signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, STOP_TIMEOUT)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while _proc_state(pid) not in (None, "Z") and time.monotonic() < deadline:
            time.sleep(0.02)
    if _proc_state(pid) not in (None, "Z"):
        raise RuntimeError(f"a leftover test pcscd (pid {pid}) does not stop")


def _socket_answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        try:
            sock.connect(str(path))
        except OSError:
            return False
    return True


def clear_the_way() -> str | None:
    """Make room for a private pcscd: stop a leftover of ours, clear stale files; the reason to skip, or None."""
    for pid, cmdline in _pcscd_processes():
        if pid in {proc.pid for proc in _live}:
            continue
        owner = _OWNER.search(cmdline)
        if owner is None:
            return (
                f"a pcscd not started by the tests is running (pid {pid}: {cmdline}); PC/SC device tests need their own "
                "pcscd and pcsc-lite allows one per host: stop it (systemctl stop pcscd.socket pcscd.service) to run them"
            )
        owner_pid = int(owner.group(1))
        if owner_pid != os.getpid() and _proc_state(owner_pid) not in (None, "Z"):
            return f"another test run (pid {owner_pid}) is using its own pcscd (pid {pid}); pcsc-lite allows one per host"
        _kill_leftover(pid)
    comm = RUN_DIR / "pcscd.comm"
    if comm.exists():
        if _socket_answers(comm):
            return (
                f"{comm} answers but no pcscd runs (systemd's pcscd.socket?); "
                "stop it (systemctl stop pcscd.socket) to run the PC/SC device tests"
            )
        for stale in (comm, RUN_DIR / "pcscd.pid", RUN_DIR / "pcscd.pub"):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
    return None


# -- the rig -------------------------------------------------------------------------------------------------------


def _reader_names() -> list[str] | None:
    """The readers pcscd lists now, through pyscard directly; ``None`` while pcscd does not answer."""
    from smartcard import scard  # type: ignore[import-untyped]

    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        return None
    try:
        hresult, names = scard.SCardListReaders(context, [])
        if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
            return []
        return [str(name) for name in names] if hresult == scard.SCARD_S_SUCCESS else None
    finally:
        scard.SCardReleaseContext(context)


@dataclass
class VirtualCard:
    """The ISO 7816 card of ``vicc`` in one slot of the virtual reader. ``insert()`` and ``remove()`` do not wait."""

    rig: PcscRig
    slot: int
    runtime: ViccRuntime
    process: subprocess.Popen[bytes] | None = None
    insertions: int = 0

    @property
    def reader_name(self) -> str:
        return READER_NAMES[self.slot]

    @property
    def port(self) -> int:
        return self.rig.port + self.slot

    @property
    def expected_atr(self) -> bytes:
        return self.runtime.expected_atr

    @property
    def inserted(self) -> bool:
        """vicc runs (it exits by itself when pcscd stops, or when pcscd was not there to connect to)."""
        return self.process is not None and self.process.poll() is None

    @property
    def log_path(self) -> Path:
        return self.rig.workdir / f"vicc-slot{self.slot}.log"

    def insert(self) -> None:
        if self.inserted:
            raise RuntimeError(f"a card is already in {self.reader_name}")
        self.remove()
        self.insertions += 1
        self.process = _spawn(self.runtime.command(self.port), self.log_path, self.runtime.env())

    def remove(self, timeout: float = STOP_TIMEOUT) -> None:
        if self.process is not None:
            _stop_process(self.process, timeout)
            self.process = None


@dataclass
class PcscRig:
    """A private pcscd serving only the vpcd virtual reader; its log is ``workdir / "pcscd.log"``."""

    workdir: Path
    pcscd: str
    driver: str
    runtime: ViccRuntime
    port: int = VPCD_PORT
    process: subprocess.Popen[bytes] | None = None
    cards: list[VirtualCard] = field(default_factory=list)

    def __post_init__(self) -> None:
        assert _OWNER.search(str(self.workdir)), "the marker identifies pcscds of ours and their pytest"
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "vpcd").write_text(
            f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:{self.port:#06x}\nLIBPATH {self.driver}\n', encoding="utf-8"
        )

    @property
    def conf_dir(self) -> Path:
        return self.workdir / "reader.conf.d"

    @property
    def log_path(self) -> Path:
        return self.workdir / "pcscd.log"

    @property
    def reader_name(self) -> str:
        return READER_NAMES[0]

    @property
    def reader_names(self) -> tuple[str, ...]:
        return READER_NAMES

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def card(self, slot: int = 0) -> VirtualCard:
        card = VirtualCard(self, slot, self.runtime)
        self.cards.append(card)
        return card

    def start(self, *, wait: bool = True, timeout: float = START_TIMEOUT) -> None:
        """Start pcscd; with ``wait``, return once it lists the virtual reader."""
        if self.running:
            raise RuntimeError("pcscd is already running")
        reason = clear_the_way()
        if reason:
            pytest.skip(reason)
        argv = [self.pcscd, "--foreground", "--info", "--config", str(self.conf_dir)]
        self.process = _spawn(argv, self.log_path)
        if wait:
            self.wait_ready(timeout)

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"pcscd exited at start; its log:\n{self.log_tail()}")
            names = _reader_names()
            if names and READER_NAMES[0] in names:
                return
            time.sleep(0.01)
        raise RuntimeError(f"pcscd did not list {READER_NAMES[0]} within {timeout} s; its log:\n{self.log_tail()}")

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop pcscd (SIGTERM, then SIGKILL). The virtual cards' vicc processes exit with it."""
        if self.process is not None:
            _stop_process(self.process, timeout)
            self.process = None

    def kill(self) -> None:
        """Kill pcscd with SIGKILL: no clean-up of its own (stale files stay in /run/pcscd)."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)
            _live.discard(self.process)
            self.process = None

    def restart(self, *, wait: bool = True) -> None:
        self.stop()
        self.start(wait=wait)

    def pause(self) -> None:
        """SIGSTOP pcscd: a hung service that accepts connections and never answers."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def close(self) -> None:
        for card in self.cards:
            card.remove()
        self.stop()


# -- fixtures ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def vicc_runtime(tmp_path_factory: pytest.TempPathFactory) -> ViccRuntime:
    """How vicc runs on this host (skips the test when it cannot)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the virtual reader (pcscd + vsmartcard) runs on Linux only")
    runtime = resolve_vicc(tmp_path_factory.mktemp("vicc-shim"))
    if isinstance(runtime, str):
        pytest.skip(runtime)
    return runtime


@pytest.fixture
def pcscd(vicc_runtime: ViccRuntime, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PcscRig]:
    """A private pcscd with only the virtual reader, listing it before the test starts; stopped after the test."""
    binary = find_pcscd()
    if binary is None:
        pytest.skip("pcscd is not installed (Debian: apt-get install pcscd)")
    driver = find_vpcd_driver()
    if driver is None:
        pytest.skip("the vpcd reader driver is not installed (Debian: apt-get install vsmartcard-vpcd)")
    if not os.access(RUN_DIR if RUN_DIR.exists() else RUN_DIR.parent, os.W_OK):
        pytest.skip(f"pcscd needs to write {RUN_DIR} (run the device tests as root)")
    rig = PcscRig(tmp_path_factory.mktemp(f"{MARKER}-{os.getpid()}-"), binary, driver, vicc_runtime)
    try:
        rig.start()
        yield rig
    finally:
        rig.close()


@pytest.fixture
def virtual_card(pcscd: PcscRig) -> VirtualCard:
    """The virtual ISO 7816 card for the first slot (``pcscd.reader_name``), not inserted; removed after the test."""
    return pcscd.card(0)
