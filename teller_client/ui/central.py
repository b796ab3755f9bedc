"""Which central service the window talks to, and the blocking work of a teller's session.

Everything here runs on the worker pool, never on the GUI thread; nothing
here touches a widget.

* :func:`resolve_endpoint` decides where the service is: the command line's
  ``--central-url`` wins over the setting ``central.url``; in training mode
  without either, the window starts the embedded training service
  (:class:`TrainingService`); in production without either, it is an
  installation fault branch IT must fix (:class:`ConfigurationError`).
* :func:`sign_in`, :func:`unlock` and :func:`end_session` are the session's
  calls. Each sign-in gets a client of its own, so a sign-out still talking
  to a slow service never races the next teller's sign-in.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter

from teller_client.api.client import CentralClient, Timeouts
from teller_client.api.models import LoginResult
from teller_client.errors import CancelledError, ConfigurationError, TellerError
from teller_client.secret import Secret

log = logging.getLogger(__name__)

QUICK_TIMEOUTS = Timeouts(connect=2.0, read=2.0)
"""Ending a session is best effort: a service that does not answer at once is not waited for."""

IDLE_LOCK_DEFAULT_MINUTES = 10
IDLE_LOCK_MAX_MINUTES = 15


def idle_lock_ms(minutes: Any) -> int:
    """The idle-lock interval for the setting ``ui.idle_lock_minutes``: default 10, at most 15, 0 or less means 15."""
    if minutes is None or isinstance(minutes, bool) or not isinstance(minutes, (int, float)):
        value = float(IDLE_LOCK_DEFAULT_MINUTES)
    elif minutes <= 0 or minutes > IDLE_LOCK_MAX_MINUTES:
        value = float(IDLE_LOCK_MAX_MINUTES)
    else:
        value = float(minutes)
    return int(value * 60_000)


def default_workstation_id() -> str:
    return socket.gethostname().upper() or "UNKNOWN"


@dataclass(frozen=True)
class Settings:
    """What the window reads from the local store's settings (defaults when the store is unavailable)."""

    central_url: str | None = None
    ca_bundle: Path | None = None
    workstation_id: str = ""
    idle_lock_minutes: Any = None

    @classmethod
    def read(cls, get: Callable[[str], Any]) -> Settings:
        url, bundle, station = get("central.url"), get("central.ca_bundle"), get("workstation.id")
        return cls(
            central_url=url.strip() if isinstance(url, str) and url.strip() else None,
            ca_bundle=Path(bundle) if isinstance(bundle, str) and bundle.strip() else None,
            workstation_id=station.strip() if isinstance(station, str) and station.strip() else "",
            idle_lock_minutes=get("ui.idle_lock_minutes"),
        )


@dataclass(frozen=True)
class Endpoint:
    """A configured central service: where it is and how its certificate is checked."""

    url: str
    verify: bool | str
    workstation_id: str
    embedded: bool = False
    """True for the training service this program started itself."""

    def client(self, *, quick: bool = False) -> CentralClient:
        if not quick:
            return CentralClient(self.url, verify=self.verify, workstation_id=self.workstation_id)
        client = CentralClient(self.url, verify=self.verify, timeouts=QUICK_TIMEOUTS, connect_retries=0, workstation_id=self.workstation_id)
        no_retries = HTTPAdapter(max_retries=0)  # one try: the whole call is bounded by QUICK_TIMEOUTS
        client.http.mount("http://", no_retries)
        client.http.mount("https://", no_retries)
        return client


def not_configured_error() -> ConfigurationError:
    return ConfigurationError(
        "No central service is configured. Branch IT must set the central service's address "
        "(the --central-url option or the central.url setting) before tellers can sign in.",
        "尚未配置中心系统地址，柜员无法登录。请联系网点科技人员配置中心系统地址（--central-url 选项或 central.url 设置）。",
        code="central_not_configured",
    )


def resolve_endpoint(*, training: bool, cli_url: str | None, cli_ca_bundle: Path | None, settings: Settings) -> Endpoint | None:
    """The configured service, or ``None`` when the embedded training service is to be started.

    Raises :class:`ConfigurationError` in production without an address, for an
    address that is not http(s), and for a CA bundle that does not exist.
    """
    url = cli_url or settings.central_url
    bundle = cli_ca_bundle or settings.ca_bundle
    station = settings.workstation_id or default_workstation_id()
    if not url:
        if training:
            return None
        raise not_configured_error()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            f"The central service's address {url!r} is not an http(s) URL; branch IT must correct it.",
            f"中心系统地址 {url!r} 不是有效的 http(s) 地址，请联系网点科技人员更正。",
            code="central_url_invalid",
        )
    if bundle is not None and not bundle.is_file():
        raise ConfigurationError(
            f"The CA bundle {bundle} for the central service does not exist; branch IT must correct it.",
            f"中心系统的 CA 证书文件 {bundle} 不存在，请联系网点科技人员更正。",
            code="ca_bundle_missing",
        )
    if parts.scheme == "http" and not training:
        log.warning("the central service %s is not reached over TLS", url)
    return Endpoint(url=url.rstrip("/"), verify=str(bundle) if bundle is not None else True, workstation_id=station)


class TrainingServerLike(Protocol):
    """What the window needs of :class:`teller_client.training.server.TrainingServer`."""

    ca_bundle: Path | None

    def start(self, timeout: float = 15.0) -> str: ...

    def stop(self) -> None: ...


def make_training_server(data_dir: Path) -> TrainingServerLike:
    from teller_client.training.server import TrainingServer  # the training service only when it is used

    server: TrainingServerLike = TrainingServer(data_dir, port=0)
    return server


class TrainingService:
    """The embedded training service: started and stopped on worker threads, stopped at most once.

    A stop that comes while the start is still running wins: the server is
    stopped as soon as it has started, so closing the window early never
    leaves it running.
    """

    def __init__(self, data_dir: Path, factory: Callable[[Path], TrainingServerLike] = make_training_server) -> None:
        self.data_dir = data_dir
        self._factory = factory
        self._lock = threading.Lock()
        self._server: TrainingServerLike | None = None
        self._stopped = False

    def start(self, workstation_id: str, cancel: threading.Event | None = None) -> Endpoint:
        with self._lock:
            if self._stopped:
                raise CancelledError()
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            server = self._factory(self.data_dir)
            url = server.start()
        except TellerError:
            raise
        except Exception as exc:
            log.exception("the training service did not start")
            raise TellerError(
                f"The training service could not be started ({type(exc).__name__}). Details are in the log for branch IT.",
                f"培训服务无法启动（{type(exc).__name__}），详细信息已记入日志，请联系网点科技人员。",
                code="training_service_failed",
            ) from exc
        with self._lock:
            late = self._stopped or (cancel is not None and cancel.is_set())
            if not late:
                self._server = server
        if late:
            server.stop()
            raise CancelledError()
        log.info("training service started at %s", url)
        bundle = server.ca_bundle
        return Endpoint(url=url.rstrip("/"), verify=str(bundle) if bundle else True, workstation_id=workstation_id, embedded=True)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            server, self._server = self._server, None
        if server is not None:
            server.stop()
            log.info("training service stopped")

    @property
    def running(self) -> bool:
        with self._lock:
            return self._server is not None


@dataclass
class SignedIn:
    """A teller's session: their own client and what the service said at sign-in."""

    client: CentralClient
    login: LoginResult
    business_date: date | None


def sign_in(endpoint: Endpoint, user_id: str, password: Secret) -> SignedIn:
    """Log ``user_id`` in with a client of its own; the password is wiped whatever happens."""
    client = endpoint.client()
    try:
        with password:
            login = client.login(user_id, password, endpoint.workstation_id)
    except BaseException:
        client.http.close()
        raise
    day = login.business_date
    if day is None:
        try:
            day = client.health().business_date
        except TellerError as exc:
            log.info("business date unknown: %s", exc.code)
    log.info("signed in as %s at %s", login.user.id, endpoint.workstation_id)
    return SignedIn(client, login, day)


def unlock(endpoint: Endpoint, session: SignedIn, password: Secret) -> LoginResult:
    """Check the locked teller's password by logging them in again; the new token replaces the old, which is ended."""
    client = session.client
    user_id = session.login.user.id
    current = client.token()
    old = Secret(current.reveal()) if current is not None and not current.wiped else None
    try:
        with password:
            login = client.login(user_id, password, endpoint.workstation_id)
    except BaseException:
        if old is not None:
            old.wipe()
        raise
    if old is not None:
        _quietly_end(endpoint, replace(session.login, token=old))
    log.info("unlocked by %s", user_id)
    return login


def end_session(endpoint: Endpoint, session: SignedIn) -> None:
    """Log out at the service, briefly; the token is wiped here whether or not the service answered."""
    if session.login.token.wiped:
        session.client.http.close()
        return
    quick = endpoint.client(quick=True)
    try:
        quick.with_token(session.login).logout()
        log.info("signed out %s", session.login.user.id)
    finally:
        session.login.token.wipe()
        quick.http.close()
        session.client.http.close()


def _quietly_end(endpoint: Endpoint, login: LoginResult) -> None:
    quick = endpoint.client(quick=True)
    try:
        quick.with_token(login).logout()
    except TellerError as exc:
        log.info("the previous session was not ended at the service: %s", exc.code)
    finally:
        login.token.wipe()
        quick.http.close()
