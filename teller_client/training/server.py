"""Running the training central service: in a background thread (tests, the client's training mode) or in the foreground.

:class:`TrainingServer` binds its own socket, so ``port=0`` gets a free port
that is known before the first request, and hands it to uvicorn, which runs
in a daemon thread. :meth:`TrainingServer.start` returns once the server
accepts connections. With ``tls=True`` it serves HTTPS with a certificate
from the training CA; clients trust it through :attr:`TrainingServer.ca_bundle`
and nothing else does.

:func:`serve` is ``teller-client serve-training``: it runs until Ctrl+C and
prints the URL, the CA bundle and the training credentials.
"""

from __future__ import annotations

import ipaddress
import logging
import signal
import socket
import sys
import threading
import time
from datetime import date
from pathlib import Path
from types import FrameType, TracebackType

import uvicorn

from teller_client.errors import ConfigurationError
from teller_client.training.app import create_app
from teller_client.training.seed import STAFF, TRAINING_PASSWORD

log = logging.getLogger(__name__)

TLS_FOLDER = "tls"


def _is_ipv6(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:
        return False


def _client_host(host: str) -> str:
    """The address a client on this machine uses for a server bound to ``host``."""
    loopback = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104 - mapping, not binding
    shown = loopback.get(host, host)
    return f"[{shown}]" if _is_ipv6(shown) else shown


class TrainingServer:
    """The training service on a real socket, in a background thread; a context manager."""

    def __init__(
        self,
        data_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = False,
        business_date: date | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port
        self.tls = tls
        self.business_date = business_date
        self.ca_bundle: Path | None = None
        self._url: str | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321`` (the API is under ``/api/v1``)."""
        if self._url is None:
            raise RuntimeError("the training server is not started")
        return self._url

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if _is_ipv6(self.host) else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            if sys.platform == "win32":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)  # nobody else may bind the port too
            else:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            raise ConfigurationError(
                f"The training service cannot listen on {self.host}:{self.port}: {exc}",
                f"培训服务无法在 {self.host}:{self.port} 上监听：{exc}",
            ) from exc
        return sock

    def start(self, timeout: float = 15.0) -> str:
        """Start serving; return the base URL once connections are accepted."""
        if self._server is not None:
            return self.url
        app = create_app(self.data_dir, business_date=self.business_date)
        ssl_files: dict[str, str] = {}
        if self.tls:
            ca = app.state.service.services.ca
            names = list(dict.fromkeys(n for n in (self.host, "localhost", "127.0.0.1", "::1") if n not in ("", "0.0.0.0", "::")))  # noqa: S104
            cert, key = ca.server_certificate(self.data_dir / TLS_FOLDER, hostnames=names)
            ssl_files = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
            self.ca_bundle = Path(ca.certificate_path)
        sock = self._bind()
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_config=None,  # leave the program's logging (and its redaction) alone
            access_log=False,
            lifespan="on",
            # An idle TLS keep-alive connection waits for the client's close_notify; do not wait long for it. A request
            # cut short commits or not as a whole, and the client's retry with the same idempotency key settles it.
            timeout_graceful_shutdown=2,
            **ssl_files,  # type: ignore[arg-type]
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="training-server", daemon=True)
        self._server, self._thread, self._socket = server, thread, sock
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ConfigurationError("The training service did not start (see the log).", "培训服务未能启动（详见日志）。")
            time.sleep(0.01)
        scheme = "https" if self.tls else "http"
        self._url = f"{scheme}://{_client_host(self.host)}:{port}"
        log.info("Training service listening on %s (data %s)", self._url, self.data_dir)
        return self._url

    def stop(self) -> None:
        """Stop serving and wait for the thread (open connections get two seconds to finish)."""
        server, thread, sock = self._server, self._thread, self._socket
        self._server = self._thread = self._socket = None
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout=15)
        if sock is not None:
            sock.close()
        self._url = None

    def __enter__(self) -> TrainingServer:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def serve(host: str, port: int, data_dir: Path, tls: bool, business_date: date | None) -> int:
    """Run the training service in the foreground until Ctrl+C (``teller-client serve-training``)."""
    server = TrainingServer(data_dir, host=host, port=port, tls=tls, business_date=business_date)
    url = server.start()
    print(f"Training central service (对公电子渠道 培训中心服务): {url}/api/v1")
    print(f"Data folder: {data_dir}")
    if server.ca_bundle is not None:
        print(f"CA bundle (give it to the client with --ca-bundle): {server.ca_bundle}")
    print(f"Training users (password '{TRAINING_PASSWORD}'):")
    for user_id, name, roles in STAFF:
        print(f"  {user_id}  {name}  {', '.join(roles)}")
    print("Press Ctrl+C to stop.", flush=True)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if main_thread else None  # a service manager stops it gracefully too
    try:
        while server._thread is not None and server._thread.is_alive():
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("Stopping...", flush=True)
    finally:
        server.stop()
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
