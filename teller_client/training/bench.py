"""The training bench: everything a counter needs to practise a signing end to end, on this computer, from scratch.

:class:`TrainingBench` sets up, in a folder of its own:

* ``central/`` — the embedded training central service (:class:`~teller_client.training.server.TrainingServer`) on
  a free port of 127.0.0.1, with its business date (today in China unless given);
* ``softhsm/`` — a SoftHSM2 installation of its own (``softhsm2.conf`` and a token folder; ``SOFTHSM2_CONF`` points
  at it while the bench is open, so the client's UKey worker processes see these tokens and no others) holding
  ``ukeys`` blank UKeys as they come from the factory: initialised with the SoftHSM vendor profile's SO PIN, no
  user PIN, nothing on them; optionally ``premade_ukeys`` pre-made certificate UKeys (a key made on the token,
  certified by the training CA, a factory PIN nobody knows);
* the stock: the blank UKeys' serials and ``letters`` new letter serials are received from the supplier into the
  vault (by the supervisor, the teller witnessing) and handed to the teller's drawer (by the teller, the supervisor
  witnessing), through :class:`~teller_client.flows.custody.Custody`, journaled in the client store; pre-made UKeys
  enter the vault from the vendor's factory and go to the drawer the same way;
* a printer: a :class:`~teller_client.training.printer_sink.PrinterSink` on 127.0.0.1 that keeps each job in memory
  (and in ``prints/`` with ``keep_print_files``; see the sink's note on letters);
* ``client/`` — the client's data folder with its store (``store.sqlite``) and settings: ``printer.letter`` and
  ``printer.documents`` (the sink), ``ukey.profile`` (``softhsm2``), ``ukey.library`` (the SoftHSM module),
  ``eform.allow_unsigned`` (false), ``workstation.id``, ``central.url`` (the service).

It is for training only: it refuses the production data folder and any folder that holds something it did not make
(:data:`MARKER` marks its own; an old bench folder is wiped and set up again), and it checks that the service it
started says it is the training service. One bench at a time per process (``SOFTHSM2_CONF`` is the process's), and one
process at a time per folder: an open bench holds an OS lock on the folder's :data:`LOCK_FILE` (the system drops it
when the process ends, even by SIGKILL), so another process can neither wipe nor reopen it meanwhile (``bench_in_use``).

**Reopening.** Once a bench is completely set up it writes :data:`MANIFEST` (``bench.json``: the stock's serials, the
business date, the teller and supervisor, the workstation id, the options and the token folders; never a secret). A
bench whose process was killed (or closed) can be started again on the same data with ``TrainingBench(folder,
reopen=True)``: nothing is wiped; the training service starts again on ``central/`` at its stored business date (on its
old port when that is free, else on a new one), ``SOFTHSM2_CONF`` points at ``softhsm/`` with the tokens as they are
(keys and certificates made before, a UKey pulled out stays out), a new printer sink starts (its old port when free),
the store's ``central.url``, ``printer.letter``, ``printer.documents`` and ``ukey.library`` are set to them, and
:attr:`~TrainingBench.ukey_serials` and the rest come from the manifest. The store, its journal (work left pending by
the killed client) and the service's data are left as they are. A folder without a manifest (its setup was cut
short) is refused for reopening (``bench_incomplete``); without ``reopen`` it is wiped and set up again.

Nothing the bench starts outlives its process: the service and the printer sink are threads of it, SoftHSM is loaded
in it only while tokens are made (SoftHSM's own file locks are ``fcntl`` locks the system drops with the process) and
the folder lock goes with the process too. (Worker processes the *client* starts stop when their parent dies.)

::

    with TrainingBench(folder, ukeys=3, letters=2) as bench:
        window = build_window(True, bench.data_dir, central_url=bench.central_url)   # the lead's autopilot
        ...
        bench.pull(bench.ukey_serials[0])     # the UKey is pulled out (its token folder moves away)
        bench.insert(bench.ukey_serials[0])   # and put back

    # after the process above was killed: the same service data, tokens, store and stock (ports: the old ones if free)
    with TrainingBench(folder, reopen=True) as bench:
        window = build_window(True, bench.data_dir, central_url=bench.central_url)

SoftHSM must be installed (Debian: ``apt-get install softhsm2``; or set ``SOFTHSM2_MODULE`` to the module's path).
No Qt here.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import shutil
import socket
import sys
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from drivers.pkcs11 import Pkcs11Error, Pkcs11Library, wipe
from drivers.pkcs11.model import KEY_ALGORITHMS, KeyAlgorithm
from drivers.profiles import VendorProfile, generate_pin, library_path, load_profiles, profile_by_id
from teller_client.api.client import CentralClient
from teller_client.domain.bank_time import BANK_TIME
from teller_client.errors import ConfigurationError, TellerError
from teller_client.flows.custody import Custody, Witness
from teller_client.paths import data_dir
from teller_client.secret import Secret
from teller_client.store.database import STORE_FILE, Store, open_store
from teller_client.store.journal import Journal
from teller_client.store.settings import SettingsRepository
from teller_client.training.db import DB_FILE, Database
from teller_client.training.db import business_date as stored_business_date
from teller_client.training.printer_sink import PrinterSink
from teller_client.training.seed import STAFF, TRAINING_PASSWORD
from teller_client.training.server import TrainingServer

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

log = logging.getLogger(__name__)
T = TypeVar("T")

MARKER = ".teller-training-bench"
"""The file that marks a folder as a bench's own."""
MANIFEST = "bench.json"
"""What a completely set-up bench recorded (see the module's note on reopening); its presence means "set up"."""
MANIFEST_FORMAT = "teller-training-bench/1"
LOCK_FILE = ".bench.lock"
"""Locked (an OS file lock) by the process whose bench is open in the folder."""
PARTS = ("central", "client", "softhsm", "prints")
"""The folders a bench makes in its folder."""
SOFTHSM_PROFILE = "softhsm2"
SOFTHSM_ENV = "SOFTHSM2_CONF"
MODULE_ENV = "SOFTHSM2_MODULE"
WORKSTATION_ID = "TRAIN-BENCH-01"
BLANK_LABEL = "BLANK-{n:02d}"
LETTER_SERIAL = "LT9{n:07d}"
"""Bench letters: ``LT90000001``...; the service's seed letters are ``LT00000001``..., so they never meet."""
PREMADE_KEY_ID = bytes.fromhex("50524d")
MAX_UKEYS = 50
MAX_LETTERS = 500


class BenchError(TellerError):
    code = "bench_error"


def training_password() -> Secret:
    """The training users' published password (``teller_client.training.seed``), for signing in on the bench."""
    return Secret(TRAINING_PASSWORD)


@contextmanager
def lent(secret: Secret) -> Iterator[bytearray]:
    """A copy of ``secret`` for one PKCS#11 call, overwritten afterwards."""
    buffer = secret.lend()
    try:
        yield buffer
    finally:
        wipe(buffer)


def staff_roles() -> dict[str, tuple[str, ...]]:
    """The training service's staff: user id -> roles."""
    return {user_id: roles for user_id, _name, roles in STAFF}


# -- SoftHSM2 ---------------------------------------------------------------------------------------------------


def softhsm_profile() -> VendorProfile:
    profile = profile_by_id(SOFTHSM_PROFILE, load_profiles())
    if profile is None:  # pragma: no cover - the profile ships with the client
        raise BenchError("The SoftHSM2 vendor profile is missing from this installation.", "本机安装缺少 SoftHSM2 型号配置。")
    return profile


def find_softhsm_module(env: Mapping[str, str] | None = None, *, exists: Callable[[Path], bool] = Path.is_file) -> Path | None:
    """SoftHSM2's PKCS#11 module: ``$SOFTHSM2_MODULE`` when it names a file, else the first of the SoftHSM vendor
    profile's library paths for this OS that exists; ``None`` when SoftHSM2 is not installed."""
    environment = os.environ if env is None else env
    named = environment.get(MODULE_ENV)
    if named and exists(Path(named)):
        return Path(named)
    return library_path(softhsm_profile(), env=environment, exists=exists)


def require_softhsm_module(env: Mapping[str, str] | None = None, *, exists: Callable[[Path], bool] = Path.is_file) -> Path:
    """:func:`find_softhsm_module`, or a :class:`BenchError` that says to install softhsm2."""
    module = find_softhsm_module(env, exists=exists)
    if module is None:
        raise BenchError(
            "SoftHSM2 is not installed here: install softhsm2 (Debian: apt-get install softhsm2), "
            f"or set {MODULE_ENV} to the path of libsofthsm2.",
            f"本机未安装 SoftHSM2：请安装 softhsm2（Debian：apt-get install softhsm2），或将 {MODULE_ENV} 设为 libsofthsm2 的路径。",
            code="softhsm_missing",
        )
    return module


class SoftHsmInstallation:
    """A SoftHSM2 installation of its own under ``root``: ``softhsm2.conf`` and the token folder ``tokens/``.

    SoftHSM reads ``SOFTHSM2_CONF`` at every ``C_Initialize``: :attr:`env` is the environment for a child process
    that should see these tokens; :meth:`activate` points this process at them (until :meth:`deactivate`). Each
    token is a folder of its own in ``tokens/``; :meth:`pull` moves it to ``pulled/`` (for the library, the UKey
    was pulled out) and :meth:`insert` moves it back.
    """

    def __init__(self, module: Path, root: Path) -> None:
        self.module = module
        self.root = root
        self.tokendir = root / "tokens"
        self.pulled_dir = root / "pulled"
        self.tokendir.mkdir(parents=True, exist_ok=True)
        self.conf = root / "softhsm2.conf"
        self.conf.write_text(
            f"directories.tokendir = {self.tokendir}\nobjectstore.backend = file\nlog.level = ERROR\n",
            encoding="utf-8",
        )
        self._folders: dict[str, str] = {}
        self._previous_env: str | None = None
        self._active = False

    @property
    def env(self) -> dict[str, str]:
        """The environment for a child process (tools, worker processes) that should see this installation."""
        return {**os.environ, SOFTHSM_ENV: str(self.conf)}

    def activate(self) -> None:
        """Point this process (and the worker processes it starts from now on) at this installation."""
        if not self._active:
            self._previous_env = os.environ.get(SOFTHSM_ENV)
            os.environ[SOFTHSM_ENV] = str(self.conf)
            self._active = True

    def deactivate(self) -> None:
        if self._active:
            if self._previous_env is None:
                os.environ.pop(SOFTHSM_ENV, None)
            else:
                os.environ[SOFTHSM_ENV] = self._previous_env
            self._active = False

    @contextmanager
    def loaded_library(self) -> Iterator[Pkcs11Library]:
        """The module loaded in this process (activated first), finalised on leaving; for setting tokens up only."""
        self.activate()
        try:
            library = Pkcs11Library(self.module)
        except Pkcs11Error as exc:
            raise BenchError(
                f"The SoftHSM2 module could not be loaded for the bench ({exc.code}).",
                f"无法为培训台加载 SoftHSM2 模块（{exc.code}）。",
                code="softhsm_unusable",
            ) from exc
        try:
            yield library
        finally:
            library.close()

    def make_blank_tokens(self, library: Pkcs11Library, count: int, so_pin: Secret, label: str = BLANK_LABEL) -> list[str]:
        """``count`` blank UKeys (SO PIN set, no user PIN): ``C_InitToken`` on SoftHSM's free slot, one by one."""
        serials = []
        for n in range(1, count + 1):
            serials.append(self._init_free(library, so_pin, label.format(n=n)))
        return serials

    def token_folder(self, serial: str) -> Path:
        """The folder that holds the token ``serial`` (in ``tokens/`` or, when pulled out, in ``pulled/``)."""
        name = self._folders.get(serial)
        if name is None:
            name = self._find_folder(serial)
            self._folders[serial] = name
        inside, outside = self.tokendir / name, self.pulled_dir / name
        return outside if outside.exists() and not inside.exists() else inside

    def present(self, serial: str) -> bool:
        return self.token_folder(serial).parent == self.tokendir

    @property
    def folders(self) -> dict[str, str]:
        """The token folders known so far: serial -> folder name (in ``tokens/`` or ``pulled/``)."""
        return dict(self._folders)

    def remember(self, folders: Mapping[str, str]) -> None:
        """Token folders recorded earlier (a reopened bench's manifest); a name that no longer fits is looked up again."""
        for serial, name in folders.items():
            if (self.tokendir / name / "token.object").is_file() or (self.pulled_dir / name / "token.object").is_file():
                self._folders[serial] = name

    def pull(self, serial: str) -> None:
        """The UKey is pulled out: its token folder leaves the token directory (nothing when it is out already)."""
        folder = self.token_folder(serial)
        if folder.parent == self.tokendir:
            self.pulled_dir.mkdir(exist_ok=True)
            shutil.move(folder, self.pulled_dir / folder.name)
            log.info("bench UKey %s pulled out", serial)

    def insert(self, serial: str) -> None:
        """The UKey is put back (nothing when it is in already)."""
        folder = self.token_folder(serial)
        if folder.parent == self.pulled_dir:
            shutil.move(folder, self.tokendir / folder.name)
            log.info("bench UKey %s put back", serial)

    def _init_free(self, library: Pkcs11Library, so_pin: Secret, label: str) -> str:
        before = {p.name for p in self.tokendir.iterdir()}
        library.reinitialize()  # SoftHSM offers a new free slot only after C_Initialize
        with lent(so_pin) as pin:
            info = library.init_token(pin, label)
        made = [p.name for p in self.tokendir.iterdir() if p.name not in before]
        self._folders[info.serial] = made[0] if len(made) == 1 else self._find_folder(info.serial)
        return info.serial

    def _find_folder(self, serial: str) -> str:
        """SoftHSM keeps each token in a folder of its own: the one whose ``token.object`` names the serial."""
        for parent in (self.tokendir, self.pulled_dir):
            if not parent.is_dir():
                continue
            for folder in parent.iterdir():
                token = folder / "token.object"
                if token.is_file() and serial.encode() in token.read_bytes():
                    return folder.name
        raise BenchError(f"No SoftHSM token {serial} on this bench.", f"培训台上没有 SoftHSM 令牌 {serial}。", code="token_unknown")


# -- the folder lock --------------------------------------------------------------------------------------------


class FolderLock:
    """An OS lock on one file (``flock`` on POSIX, ``msvcrt.locking`` on Windows): held by one process at a time and
    dropped by the system when that process ends, however it ends. The file itself stays (it is never the lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; ``False`` when another process (or another open of it here) holds it."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited by child processes (PEP 446)
        try:
            if sys.platform == "win32":
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if sys.platform == "win32":
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:  # pragma: no cover - closing drops it anyway
            log.debug("bench folder lock: unlock failed", exc_info=True)
        finally:
            os.close(fd)


def _port_of_url(url: object) -> int:
    """The port of a ``central.url`` setting (0 when there is none)."""
    if not isinstance(url, str):
        return 0
    try:
        return urlsplit(url).port or 0
    except ValueError:
        return 0


def _port_of_spec(spec: object) -> int:
    """The port of a ``raw:HOST:PORT`` printer setting (0 when it is something else)."""
    if not isinstance(spec, str) or not spec.startswith("raw:"):
        return 0
    tail = spec.rpartition(":")[2]
    return int(tail) if tail.isdigit() and 0 < int(tail) < 65536 else 0


def _free_port(host: str, port: int) -> bool:
    """Whether the training service could listen on ``host:port`` now (bound the way it binds, then let go)."""
    if port == 0:
        return False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            if sys.platform != "win32":
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
        except OSError:
            return False
    return True


# -- the bench --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchStock:
    """What the bench put in the teller's drawer."""

    ukeys: tuple[str, ...]
    premade_ukeys: tuple[str, ...]
    letters: tuple[str, ...]


_ACTIVE = threading.Lock()
"""Held while a bench is open: ``SOFTHSM2_CONF`` belongs to the process, so one bench at a time."""


class TrainingBench:
    """The training service, SoftHSM UKeys in the teller's drawer, letters, a printer and a client store; see the module.

    A context manager; :meth:`start` (or ``with``) sets everything up, :meth:`close` stops it all.

    With ``reopen=True``, :meth:`start` starts the bench already set up in ``folder`` again instead (see the module);
    the stock, the people, the workstation id and the options are then the folder's, so giving any of them as well
    is refused.
    """

    def __init__(
        self,
        folder: Path,
        *,
        ukeys: int = 2,
        letters: int = 1,
        premade_ukeys: int = 0,
        premade_key_type: KeyAlgorithm = "rsa2048",
        teller: str = "T0001",
        supervisor: str = "S0001",
        business_date: date | None = None,
        workstation_id: str = WORKSTATION_ID,
        keep_print_files: bool = False,
        reopen: bool = False,
    ) -> None:
        if reopen:
            given = {
                "ukeys": ukeys, "letters": letters, "premade_ukeys": premade_ukeys, "premade_key_type": premade_key_type,
                "teller": teller, "supervisor": supervisor, "business_date": business_date, "workstation_id": workstation_id,
                "keep_print_files": keep_print_files,
            }  # fmt: skip
            parameters = inspect.signature(TrainingBench.__init__).parameters
            mixed = [name for name, value in given.items() if value != parameters[name].default]
            if mixed:
                raise ValueError(f"a reopened bench takes {', '.join(mixed)} from its folder's {MANIFEST}; do not give them")
        for name, value, most in (
            ("ukeys", ukeys, MAX_UKEYS),
            ("letters", letters, MAX_LETTERS),
            ("premade_ukeys", premade_ukeys, MAX_UKEYS),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most:
                raise ValueError(f"{name} must be a whole number from 0 to {most}, not {value!r}")
        if premade_key_type not in KEY_ALGORITHMS:
            raise ValueError(f"premade_key_type must be one of {', '.join(KEY_ALGORITHMS)}, not {premade_key_type!r}")
        roles = staff_roles()
        if "teller" not in roles.get(teller, ()):
            raise BenchError(f"{teller} is not a teller of the training service.", f"{teller} 不是培训服务的柜员。", code="bench_people")
        if "supervisor" not in roles.get(supervisor, ()):
            raise BenchError(
                f"{supervisor} is not a supervisor of the training service.", f"{supervisor} 不是培训服务的主管。", code="bench_people"
            )
        self.folder = Path(folder)
        self.ukey_count, self.premade_count, self.letter_count = ukeys, premade_ukeys, letters
        self.premade_key_type = premade_key_type
        self.teller = teller
        self.supervisor = supervisor
        self.workstation_id = workstation_id
        self.keep_print_files = keep_print_files
        self._requested_date = business_date
        self._server: TrainingServer | None = None
        self._sink: PrinterSink | None = None
        self._softhsm: SoftHsmInstallation | None = None
        self._store: Store | None = None
        self._stock = BenchStock((), (), ())
        self._business_date: date | None = None
        self._holding = False
        self.reopen = reopen
        """Whether :meth:`start` reopens the bench set up in the folder (rather than setting one up from scratch)."""
        self._lock = FolderLock(self.folder / LOCK_FILE)

    # -- where things are ----------------------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        """The client's data folder (what ``build_window(training=True, data_dir)`` takes)."""
        return self.folder / "client"

    @property
    def store_path(self) -> Path:
        return self.data_dir / STORE_FILE

    @property
    def manifest_path(self) -> Path:
        """The bench's manifest (:data:`MANIFEST`), written once it is completely set up."""
        return self.folder / MANIFEST

    @property
    def central_dir(self) -> Path:
        """The training service's data folder (its ``central.sqlite``)."""
        return self.folder / "central"

    @property
    def central_url(self) -> str:
        return self._need(self._server, "training service").url

    @property
    def business_date(self) -> date:
        return self._need(self._business_date, "business date")

    @property
    def printer(self) -> PrinterSink:
        return self._need(self._sink, "printer")

    @property
    def softhsm(self) -> SoftHsmInstallation:
        return self._need(self._softhsm, "SoftHSM installation")

    @property
    def store(self) -> Store:
        """The client store the bench set up (the bench's own connection; the window opens its own)."""
        return self._need(self._store, "client store")

    @property
    def settings(self) -> dict[str, Any]:
        """The client's settings as the bench wrote them (the store's settings, read now)."""
        return SettingsRepository(self.store).all()

    @property
    def ukey_serials(self) -> tuple[str, ...]:
        """The blank UKeys in the teller's drawer, in the order they were made."""
        return self._stock.ukeys

    @property
    def premade_serials(self) -> tuple[str, ...]:
        return self._stock.premade_ukeys

    @property
    def letter_serials(self) -> tuple[str, ...]:
        return self._stock.letters

    # -- UKeys in and out ---------------------------------------------------------------------------------------

    def pull(self, serial: str) -> None:
        """Pull the bench UKey ``serial`` out (SoftHSM no longer lists it)."""
        self._own_ukey(serial)
        self.softhsm.pull(serial)

    def insert(self, serial: str) -> None:
        """Put the bench UKey ``serial`` back."""
        self._own_ukey(serial)
        self.softhsm.insert(serial)

    def present(self, serial: str) -> bool:
        self._own_ukey(serial)
        return self.softhsm.present(serial)

    # -- people ---------------------------------------------------------------------------------------------------

    def sign_in(self, user_id: str) -> CentralClient:
        """A new client of the training service signed in as ``user_id`` (log it out when done)."""
        client = CentralClient(self.central_url, workstation_id=self.workstation_id)
        with training_password() as password:
            client.login(user_id, password)
        return client

    # -- life ----------------------------------------------------------------------------------------------------------

    def start(self) -> TrainingBench:
        """Set everything up from scratch (see the module), or with ``reopen`` start the bench in the folder again; on
        failure, what was started is stopped again."""
        if self._holding:
            return self
        if not _ACTIVE.acquire(blocking=False):
            raise BenchError(
                "Another training bench is open in this program; close it first.",
                "本程序中已有一个培训台在运行，请先关闭。",
                code="bench_busy",
            )
        self._holding = True
        try:
            if self.reopen:
                self._reopen()
            else:
                self._set_up()
        except BaseException:
            self.close()
            raise
        log.info(
            "training bench %s in %s: service %s, %d blank and %d pre-made UKeys, %d letters, printer %s",
            "reopened" if self.reopen else "ready", self.folder, self.central_url,
            len(self.ukey_serials), len(self.premade_serials), len(self.letter_serials), self.printer.spec,
        )  # fmt: skip
        return self

    def _set_up(self) -> None:
        self._prepare_folder()
        module = require_softhsm_module()
        profile = softhsm_profile()
        self._softhsm = SoftHsmInstallation(module, self.folder / "softhsm")
        self._softhsm.activate()
        self._server = TrainingServer(self.central_dir, business_date=self._requested_date)
        self._server.start()
        self._check_training_service()
        self._store = open_store(self.store_path)
        self._sink = PrinterSink(save_to=self._print_folder())
        self._write_settings(module)
        self._fill_drawer(profile)
        self._write_manifest()

    def _reopen(self) -> None:
        self._check_place()
        manifest = self._read_manifest()
        self._take_folder()
        self._adopt(manifest)
        module = require_softhsm_module()
        self._softhsm = SoftHsmInstallation(module, self.folder / "softhsm")
        self._softhsm.remember(manifest["token_folders"])
        self._softhsm.activate()
        self._store = open_store(self.store_path)
        before = SettingsRepository(self._store).all()
        self._server = self._start_service(self._stored_business_date(), _port_of_url(before.get("central.url")))
        self._check_training_service()
        self._sink = self._start_sink(_port_of_spec(before.get("printer.letter")))
        self._write_settings(module)
        missing = [serial for serial in (*self._stock.ukeys, *self._stock.premade_ukeys) if not self._token_known(serial)]
        if missing:
            log.warning("reopened training bench %s: no SoftHSM token for %s", self.folder, ", ".join(missing))

    def close(self) -> None:
        """Stop the printer and the service, close the store, give ``SOFTHSM2_CONF`` back. Safe to call twice."""
        sink, server, store, softhsm = self._sink, self._server, self._store, self._softhsm
        self._sink = None
        self._server = None
        self._store = None
        try:
            if sink is not None:
                sink.close()
            if server is not None:
                server.stop()
            if store is not None:
                store.close()
        finally:
            if softhsm is not None:
                softhsm.deactivate()
            self._lock.release()
            if self._holding:
                self._holding = False
                _ACTIVE.release()

    def __enter__(self) -> TrainingBench:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # -- inside -----------------------------------------------------------------------------------------------------

    def _need(self, value: T | None, what: str) -> T:
        if value is None:
            raise BenchError(f"The training bench is not started ({what}).", f"培训台尚未启动（{what}）。", code="bench_not_started")
        return value

    def _own_ukey(self, serial: str) -> None:
        if serial not in (*self._stock.ukeys, *self._stock.premade_ukeys):
            raise BenchError(f"{serial} is not a UKey of this bench.", f"{serial} 不是本培训台的 UKey。", code="token_unknown")

    def _check_place(self) -> None:
        """Refuse production's data folder, a file, and a folder with something in it that the bench did not make."""
        folder = self.folder.resolve()
        production, training = data_dir(training=False).resolve(), data_dir(training=True).resolve()
        inside_production = folder.is_relative_to(production) and not folder.is_relative_to(training)
        if folder == production or production.is_relative_to(folder) or inside_production:
            raise BenchError(
                f"The training bench never runs in the production data folder ({production}); give it a folder of its own.",
                f"培训台不能使用生产数据目录（{production}），请另行指定目录。",
                code="bench_production",
            )
        if folder.exists() and not folder.is_dir():
            raise BenchError(f"{folder} is not a folder.", f"{folder} 不是目录。", code="bench_folder")
        if folder.is_dir() and any(folder.iterdir()) and not (folder / MARKER).is_file():
            raise BenchError(
                f"{folder} holds files the training bench did not make; give it an empty or new folder.",
                f"{folder} 中有非培训台创建的文件，请指定空目录或新目录。",
                code="bench_folder",
            )

    def _prepare_folder(self) -> None:
        """:meth:`_check_place`, then take the folder (marked as the bench's) and wipe what an old bench left in it."""
        self._check_place()
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / MARKER).write_text("teller-client training bench\n", encoding="utf-8")
        self._take_folder()
        for leftover in (self.manifest_path, self.manifest_path.with_suffix(".json.tmp")):  # first: "not set up" from now on
            leftover.unlink(missing_ok=True)
        for part in PARTS:
            shutil.rmtree(self.folder / part, ignore_errors=True)

    def _take_folder(self) -> None:
        if not self._lock.acquire():
            raise BenchError(
                f"A training bench in another program is open in {self.folder}; close that program first.",
                f"另一个程序正在使用 {self.folder} 中的培训台，请先关闭该程序。",
                code="bench_in_use",
            )

    # -- the manifest and reopening -----------------------------------------------------------------------------------

    def _write_manifest(self) -> None:
        """Record what a reopened bench needs (never a secret); written last, so it also says "completely set up"."""
        manifest = {
            "format": MANIFEST_FORMAT,
            "created_at": datetime.now(BANK_TIME).isoformat(timespec="seconds"),
            "business_date": self.business_date.isoformat(),
            "teller": self.teller,
            "supervisor": self.supervisor,
            "workstation_id": self.workstation_id,
            "options": {
                "ukeys": self.ukey_count,
                "letters": self.letter_count,
                "premade_ukeys": self.premade_count,
                "premade_key_type": self.premade_key_type,
                "keep_print_files": self.keep_print_files,
            },
            "stock": {
                "ukeys": list(self._stock.ukeys),
                "premade_ukeys": list(self._stock.premade_ukeys),
                "letters": list(self._stock.letters),
            },
            "token_folders": self.softhsm.folders,
        }
        partial = self.manifest_path.with_suffix(".json.tmp")
        with partial.open("w", encoding="utf-8") as out:
            json.dump(manifest, out, indent=2)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, self.manifest_path)

    def _incomplete(self, why_en: str, why_zh: str) -> BenchError:
        return BenchError(
            f"The training bench in {self.folder} cannot be reopened: {why_en} Start it without reopening to set it up again.",
            f"无法重新打开 {self.folder} 中的培训台：{why_zh}请不带“重新打开”启动，以重新搭建。",
            code="bench_incomplete",
        )

    def _read_manifest(self) -> dict[str, Any]:
        """The manifest of a completely set-up bench in the folder, checked; :class:`BenchError` otherwise."""
        if not (self.folder / MARKER).is_file():
            raise self._incomplete("there is no training bench there.", "该目录中没有培训台。")
        if not self.manifest_path.is_file():
            raise self._incomplete("its setup never finished (it was stopped while being set up).", "其搭建未完成（搭建过程中被中断）。")
        try:
            manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
                raise ValueError("not a bench manifest of this version")
            date.fromisoformat(manifest["business_date"])
            stock, options = manifest["stock"], manifest["options"]
            for key in ("ukeys", "premade_ukeys", "letters"):
                if not isinstance(stock[key], list) or not all(isinstance(serial, str) for serial in stock[key]):
                    raise ValueError(f"bad stock list {key}")
            if not isinstance(manifest["token_folders"], dict) or options["premade_key_type"] not in KEY_ALGORITHMS:
                raise ValueError("bad token folders or key type")
            for key in ("teller", "supervisor", "workstation_id"):
                if not isinstance(manifest[key], str):
                    raise ValueError(f"bad {key}")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise self._incomplete(f"its {MANIFEST} is unreadable ({exc}).", f"其 {MANIFEST} 无法读取。") from exc
        for part in (self.central_dir / DB_FILE, self.store_path, self.folder / "softhsm" / "tokens"):
            if not part.exists():
                raise self._incomplete(f"{part} is missing.", f"缺少 {part}。")
        return manifest

    def _adopt(self, manifest: Mapping[str, Any]) -> None:
        """Take the stock, people, workstation and options the first start recorded."""
        options, stock = manifest["options"], manifest["stock"]
        self.teller, self.supervisor, self.workstation_id = manifest["teller"], manifest["supervisor"], manifest["workstation_id"]
        self.ukey_count, self.letter_count = int(options["ukeys"]), int(options["letters"])
        self.premade_count, self.premade_key_type = int(options["premade_ukeys"]), options["premade_key_type"]
        self.keep_print_files = bool(options["keep_print_files"])
        self._stock = BenchStock(tuple(stock["ukeys"]), tuple(stock["premade_ukeys"]), tuple(stock["letters"]))

    def _stored_business_date(self) -> date:
        """The service's business date as stored (it may have moved on since the manifest was written)."""
        database = Database(self.central_dir / DB_FILE)
        try:
            with database.reading() as session:
                return stored_business_date(session)
        except RuntimeError as exc:  # never seeded: the setup was cut short
            raise self._incomplete("its training service data was never seeded.", "其培训服务数据未初始化。") from exc
        finally:
            database.close()

    def _start_service(self, day: date, old_port: int) -> TrainingServer:
        """The training service on ``central/`` at ``day`` (so nothing is closed or reopened), on the old port if free."""
        host = "127.0.0.1"
        port = old_port if _free_port(host, old_port) else 0
        server = TrainingServer(self.central_dir, host=host, port=port, business_date=day)
        try:
            server.start()
        except ConfigurationError:
            if port == 0:
                raise
            log.info("training bench: port %d was taken meanwhile; the service takes another", port)
            server = TrainingServer(self.central_dir, host=host, port=0, business_date=day)
            server.start()
        return server

    def _start_sink(self, old_port: int) -> PrinterSink:
        save_to = self._print_folder()
        if old_port:
            try:
                return PrinterSink(port=old_port, save_to=save_to)
            except OSError:
                log.info("training bench: printer port %d is taken; the printer takes another", old_port)
        return PrinterSink(save_to=save_to)

    def _print_folder(self) -> Path | None:
        """Where the sink saves jobs (``keep_print_files``): ``prints/``, and after each reopening a new
        ``prints/restart-N/`` (the sink numbers its jobs from 1 again)."""
        if not self.keep_print_files:
            return None
        prints = self.folder / "prints"
        if not self.reopen:
            return prints
        n = 1
        while (prints / f"restart-{n}").exists():
            n += 1
        return prints / f"restart-{n}"

    def _token_known(self, serial: str) -> bool:
        try:
            self.softhsm.token_folder(serial)
        except BenchError:
            return False
        return True

    def _check_training_service(self) -> None:
        client = CentralClient(self.central_url)
        try:
            health = client.health()
        finally:
            client.http.close()  # no idle keep-alive connection for the service's shutdown to wait for
        if not health.training:  # pragma: no cover - the embedded service is always the training one
            raise BenchError("The service is not the training service.", "该服务不是培训服务。", code="bench_production")
        self._business_date = health.business_date

    def _write_settings(self, module: Path) -> None:
        """The client's settings for the bench; a reopened bench sets only where the service, the printer and the
        SoftHSM module are now, and leaves the rest as the store has it."""
        settings = SettingsRepository(self.store)
        values: dict[str, Any] = {
            "central.url": self.central_url,
            "printer.letter": self.printer.spec,
            "printer.documents": self.printer.spec,
            "ukey.library": str(module),
        }
        if not self.reopen:
            values |= {"workstation.id": self.workstation_id, "ukey.profile": SOFTHSM_PROFILE, "eform.allow_unsigned": False}
        for key, value in values.items():
            settings.set(key, value)

    def _fill_drawer(self, profile: VendorProfile) -> None:
        if profile.so_pin.value is None:  # pragma: no cover - the shipped profile has its published SO PIN
            raise BenchError("The SoftHSM2 profile has no SO PIN.", "SoftHSM2 型号配置缺少 SO PIN。")
        so_pin = Secret(profile.so_pin.value)
        teller, supervisor = self.sign_in(self.teller), self.sign_in(self.supervisor)
        try:
            journal = Journal(self.store)
            vault, drawer = Custody(supervisor, journal), Custody(teller, journal)
            teller_witness, supervisor_witness = Witness(self.teller, teller), Witness(self.supervisor, supervisor)
            with self.softhsm.loaded_library() as library:
                blanks = self.softhsm.make_blank_tokens(library, self.ukey_count, so_pin)
                premade = [self._premade_ukey(library, teller, profile, so_pin, n) for n in range(1, self.premade_count + 1)]
            letters = [LETTER_SERIAL.format(n=n) for n in range(1, self.letter_count + 1)]
            for kind, serials in (("ukey", blanks), ("letter", letters)):
                if serials:
                    vault.receive(kind, serials, teller_witness, "training bench: delivery from the supplier")
            for kind, serials in (("ukey", blanks + premade), ("letter", letters)):
                if serials:
                    drawer.to_drawer(kind, serials, self.teller, supervisor_witness, "training bench: the day's stock")
            self._stock = BenchStock(tuple(blanks), tuple(premade), tuple(letters))
        finally:
            so_pin.wipe()
            for client in (teller, supervisor):
                try:
                    client.logout()
                except TellerError:
                    log.info("bench sign-out failed", exc_info=True)
                client.http.close()

    def _premade_ukey(self, library: Pkcs11Library, teller: CentralClient, profile: VendorProfile, so_pin: Secret, n: int) -> str:
        """A pre-made certificate UKey as the vendor's factory makes it: key on the token, certified by the training
        CA, stored next to the key, user PIN a factory PIN nobody at the branch knows; it enters the vault."""
        serial = self._blank_for_premade(library, so_pin, n)
        factory_pin = Secret(generate_pin(profile))
        try:
            with library.connect(serial=serial) as connection, lent(so_pin) as so, lent(factory_pin) as pin:
                connection.init_user_pin(so, pin)
                connection.login(pin)
                connection.generate_key_pair(self.premade_key_type, key_id=PREMADE_KEY_ID, label="premade")
                der = connection.build_csr(PREMADE_KEY_ID, [("CN", f"PREMADE-{n:02d}")])
                csr = x509.load_der_x509_csr(der).public_bytes(serialization.Encoding.PEM).decode()
                made = teller.make_training_premade_ukey(
                    token_serial=serial, key_type=self.premade_key_type, csr_pem=csr, idempotency_key=str(uuid.uuid4())
                )
                certificate = x509.load_pem_x509_certificate(made["certificate"].encode()).public_bytes(serialization.Encoding.DER)
                connection.import_certificate(certificate, label="premade", key_id=PREMADE_KEY_ID)
        finally:
            factory_pin.wipe()
        return serial

    def _blank_for_premade(self, library: Pkcs11Library, so_pin: Secret, n: int) -> str:
        [serial] = self.softhsm.make_blank_tokens(library, 1, so_pin, label=f"PREMADE-{n:02d}")
        library.reinitialize()  # the token's new state, before a session is opened on it
        return serial
