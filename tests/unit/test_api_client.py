"""The API client's own behaviour on real sockets: timeouts, refused connections, problem mapping, keys."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from teller_client.api.client import CentralClient, Timeouts
from teller_client.api.errors import (
    MESSAGES,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ExpiredError,
    NotFoundError,
    PermissionDeniedError,
    ServiceUnavailableError,
    ValidationFailedError,
    problem_error,
)
from teller_client.errors import CancelledError, TellerError


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_closed_port_is_service_unavailable_quickly() -> None:
    client = CentralClient(f"http://127.0.0.1:{_free_port()}", timeouts=Timeouts(connect=0.5, read=0.5))
    started = time.monotonic()
    with pytest.raises(ServiceUnavailableError) as err:
        client.health()
    assert time.monotonic() - started < 10
    assert "无法连接中心系统" in err.value.message_zh and "cannot be reached" in err.value.message_en


@pytest.fixture
def silent_server() -> Iterator[tuple[str, list[str]]]:
    """A server that accepts connections, reads the request and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    seen: list[str] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        conns = []
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            seen.append(conn.recv(65536).split(b"\r\n", 1)[0].decode())
            conns.append(conn)
        for conn in conns:
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", seen
    stop.set()
    thread.join(5)
    listener.close()


def test_a_lost_answer_is_retried_once_for_get_and_never_for_post(silent_server: tuple[str, list[str]]) -> None:
    url, seen = silent_server
    client = CentralClient(url, timeouts=Timeouts(connect=1, read=0.3))
    with pytest.raises(ServiceUnavailableError):
        client.health()
    assert [line.split()[0] for line in seen] == ["GET", "GET"]
    seen.clear()
    with pytest.raises(ServiceUnavailableError):
        client.create_application({}, source="paper", form_id="F1", verified=False, idempotency_key="6f1c3c1e-8b0e-4c57-9a55-0d6f3b5b1f20")
    assert [line.split()[0] for line in seen] == ["POST"]


class _ProblemHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = int(self.path.rsplit("/", 1)[-1])
        body = json.dumps({"type": "about:blank", "title": "x", "status": status, "code": "weird_code", "detail": "Server says no."})
        self.send_response(status)
        self.send_header("Content-Type", "application/problem+json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


def test_server_faults_and_unknown_problems() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ProblemHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = CentralClient(f"http://127.0.0.1:{server.server_address[1]}", timeouts=Timeouts(1, 2))
        with pytest.raises(ServiceUnavailableError):
            client.request("GET", "/status/500")
        with pytest.raises(ConflictError) as err:
            client.request("GET", "/status/409")
        assert err.value.code == "weird_code" and err.value.message_en == "Server says no."
    finally:
        server.shutdown()
        thread.join(5)


@pytest.mark.parametrize(("status", "cls"), [
    (400, BadRequestError), (401, AuthenticationError), (403, PermissionDeniedError), (404, NotFoundError),
    (409, ConflictError), (410, ExpiredError), (422, ValidationFailedError),
])  # fmt: skip
def test_problem_statuses_map_to_typed_teller_errors(status: int, cls: type[TellerError]) -> None:
    body = {"type": "t", "title": "t", "status": status, "code": "rule_violated",
            "errors": [{"field": "/document/users/0/credential", "code": "admin_needs_certificate", "message": "m", "message_zh": "中"}]}  # fmt: skip
    err = problem_error(status, body)
    assert isinstance(err, cls) and isinstance(err, TellerError)
    assert err.status == status and err.code == "rule_violated"
    assert err.errors[0].field == "/document/users/0/credential" and err.errors[0].message_zh == "中"
    assert err.message("zh") == MESSAGES["rule_violated"][0]


def test_every_contract_error_code_has_a_bilingual_message() -> None:
    """The codes of shared/specs/central-api.md: the teller reads these in Chinese whatever the server wrote."""
    codes = {
        "maker_cannot_approve", "snapshot_changed", "not_a_supervisor", "not_approved", "authorization_expired",
        "authorization_code_invalid", "csr_invalid", "already_issued", "token_not_in_stock", "certificate_mismatch",
        "already_released", "serial_not_held", "witness_required", "open_obligations", "customer_not_found",
        "validation_failed", "rule_violated", "idempotency_key_reused", "idempotency_key_required", "invalid_state",
    }  # fmt: skip
    for code in codes:
        zh, en = MESSAGES[code]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) and en.isascii()


def test_a_non_uuid_idempotency_key_is_refused_before_sending() -> None:
    client = CentralClient(f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(BadRequestError) as err:
        client.create_application({}, source="paper", form_id="F1", verified=False, idempotency_key="not-a-uuid")
    assert err.value.code == "idempotency_key_invalid"


def test_a_cancelled_call_is_not_sent() -> None:
    client = CentralClient(f"http://127.0.0.1:{_free_port()}")
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        client.request("GET", "/health", cancel=cancel)
