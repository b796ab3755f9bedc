"""The central signing API client.

* One ``requests.Session`` with explicit (connect, read) timeouts on every call
  and TLS verified against the configured CA bundle.
* Every ``POST`` that changes something takes the caller's ``idempotency_key``:
  the caller journals it first (``store/journal.py``), so a retry after a
  crash sends the same key and the effect happens once.
* Automatic retries with back-off only where a repeat is harmless: connection
  failures (nothing was sent) for every call, and lost answers or 502/503/504
  for GET, PUT and DELETE. A POST whose answer was lost is retried by the
  caller's flow with the same key.
* Every problem+json becomes a typed :class:`~teller_client.api.errors.ApiError`;
  network faults become :class:`ServiceUnavailableError`.
* Logs name the method, path, status and duration only; bodies appear only at
  TRACE level, masked, and a password never does.

The client holds no Qt; the UI calls it through its worker pool.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from teller_client import __version__
from teller_client.api.contract import API_PREFIX
from teller_client.api.errors import BadRequestError, ServiceUnavailableError, problem_error
from teller_client.api.models import (
    ApplicationInfo,
    CertificateOrder,
    CertificateResult,
    Health,
    LetterOrder,
    LoginResult,
    Movement,
    QueueItem,
    Reconciliation,
    ReleaseResult,
    StockItem,
    Submission,
    UserInfo,
)
from teller_client.errors import CancelledError
from teller_client.logs import TRACE
from teller_client.secret import Secret

log = logging.getLogger(__name__)

ResponseHook = Callable[[requests.Response], None]


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0
    read: float = 30.0

    def pair(self) -> tuple[float, float]:
        return (self.connect, self.read)


def _retry(connect: int) -> Retry:
    """Connection failures are retried for every call (nothing reached the service); a lost answer or a
    502/503/504 only for GET, PUT and DELETE, and once, so a teller waits at most about two read timeouts."""
    return Retry(
        total=connect + 2,
        connect=connect,
        read=1,
        status=2,
        other=0,
        backoff_factor=0.3,
        status_forcelist=(502, 503, 504),
        allowed_methods=frozenset({"GET", "PUT", "DELETE", "HEAD", "OPTIONS"}),
        raise_on_status=False,
        respect_retry_after_header=True,
    )


def _check_key(key: str) -> str:
    try:
        uuid.UUID(key)
    except (ValueError, TypeError, AttributeError):
        raise BadRequestError(
            "An idempotency key must be a UUID (a program fault).",
            "幂等键必须是 UUID（程序故障）。",
            code="idempotency_key_invalid",
            status=0,
        ) from None
    return key


class CentralClient:
    """A client of one central service; log in to get a session token."""

    def __init__(
        self,
        base_url: str,
        *,
        verify: bool | str | Path = True,
        timeouts: Timeouts | None = None,
        connect_retries: int = 3,
        session: requests.Session | None = None,
        workstation_id: str = "",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeouts = timeouts or Timeouts()
        self.workstation_id = workstation_id
        self._token: Secret | None = None
        self.user: UserInfo | None = None
        self.http = session or requests.Session()
        # Passed on every request: requests lets REQUESTS_CA_BUNDLE override a session-level setting.
        self._verify: bool | str = str(verify) if isinstance(verify, Path) else verify
        self.http.verify = self._verify
        self.http.headers["User-Agent"] = f"teller-client/{__version__}"
        self.http.headers["Accept"] = "application/json, application/problem+json"
        adapter = HTTPAdapter(max_retries=_retry(connect_retries))
        self.http.mount("http://", adapter)
        self.http.mount("https://", adapter)
        self._lock = threading.Lock()

    # -- plumbing -------------------------------------------------------------

    @property
    def logged_in(self) -> bool:
        return self._token is not None and not self._token.wiped

    def token(self) -> Secret | None:
        """The session token (a secret: another person's token is what a witness hands over)."""
        return self._token

    def with_token(self, login: LoginResult) -> CentralClient:
        """Another client on the same connection pool, acting as the user of ``login`` (a supervisor at the desk)."""
        other = CentralClient.__new__(CentralClient)
        other.__dict__.update(self.__dict__)
        other._token = login.token
        other.user = login.user
        return other

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
        cancel: threading.Event | None = None,
    ) -> requests.Response:
        """Send one call and return the response of a success (2xx/304); raise the typed error otherwise."""
        if cancel is not None and cancel.is_set():
            raise CancelledError()
        url = f"{self.base_url}{API_PREFIX}{path}"
        sent_headers = dict(headers or {})
        if idempotency_key is not None:
            sent_headers["Idempotency-Key"] = _check_key(idempotency_key)
        if auth and self._token is not None:
            sent_headers["Authorization"] = f"Bearer {self._token.reveal()}"
        if log.isEnabledFor(TRACE) and json is not None:
            log.log(TRACE, "%s %s body %s", method, path, json)  # the redacting filter masks secrets and personal data
        started = time.monotonic()
        try:
            response = self.http.request(
                method, url, json=json, params=params, headers=sent_headers, timeout=self.timeouts.pair(), verify=self._verify
            )
        except requests.exceptions.SSLError as exc:
            raise ServiceUnavailableError(
                f"The central service's certificate is not trusted ({self.base_url}); check the CA bundle setting.",
                f"中心系统的证书不受信任（{self.base_url}），请检查 CA 证书设置。",
                code="tls_untrusted",
            ) from exc
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise ServiceUnavailableError(
                f"The central service cannot be reached ({self.base_url}); nothing was changed by this attempt, or it is not known. "
                "Try again: a repeated request is recognised.",
                f"无法连接中心系统（{self.base_url}）。请稍后重试：重复提交会被识别，不会重复办理。",
            ) from exc
        except requests.exceptions.RetryError as exc:
            raise ServiceUnavailableError(
                f"The central service keeps failing ({self.base_url}).", f"中心系统持续故障（{self.base_url}）。"
            ) from exc
        elapsed = (time.monotonic() - started) * 1000
        log.info("%s %s -> %s (%.0f ms)", method, path, response.status_code, elapsed)
        if cancel is not None and cancel.is_set():
            raise CancelledError()
        if response.status_code < 400:
            return response
        if response.status_code >= 500:
            raise ServiceUnavailableError(
                f"The central service failed ({response.status_code}).", f"中心系统故障（{response.status_code}）。"
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        raise problem_error(response.status_code, body)

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.request(method, path, **kwargs).json()

    # -- session -----------------------------------------------------------------

    def health(self) -> Health:
        return Health.from_json(self._json("GET", "/health", auth=False))

    def login(self, user_id: str, password: Secret | str, workstation_id: str | None = None) -> LoginResult:
        """Log in; the token is kept for the following calls. The password is not kept."""
        secret = password if isinstance(password, Secret) else Secret(password)
        body = {"user_id": user_id.strip(), "password": secret.reveal(), "workstation_id": workstation_id or self.workstation_id}
        try:
            result = LoginResult.from_json(self._json("POST", "/sessions", json=body, auth=False))
        finally:
            body["password"] = ""
        with self._lock:
            if self._token is not None:
                self._token.wipe()
            self._token, self.user = result.token, result.user
        return result

    def logout(self) -> None:
        """End the session here and at the service; a service that cannot be reached does not keep it alive here."""
        try:
            if self._token is not None:
                self.request("DELETE", "/sessions/current")
        finally:
            with self._lock:
                if self._token is not None:
                    self._token.wipe()
                self._token, self.user = None, None

    # -- catalogue and customers ----------------------------------------------------

    def catalogue(self, etag: str | None = None) -> tuple[dict[str, Any] | None, str | None]:
        """The catalogue and its ETag; ``(None, etag)`` when the copy with ``etag`` is still current."""
        headers = {"If-None-Match": etag} if etag else None
        response = self.request("GET", "/catalogue", headers=headers)
        if response.status_code == 304:
            return None, etag
        return response.json(), response.headers.get("ETag")

    def customer(self, uscc: str) -> dict[str, Any]:
        result: dict[str, Any] = self._json("GET", "/customers", params={"uscc": uscc})
        return result

    # -- applications -------------------------------------------------------------------

    def create_application(
        self, document: dict[str, Any], *, source: str, form_id: str, verified: bool, idempotency_key: str
    ) -> ApplicationInfo:
        body = {"source": source, "form_id": form_id, "verified": verified, "document": document}
        return ApplicationInfo.from_json(self._json("POST", "/applications", json=body, idempotency_key=idempotency_key))

    def application(self, application_id: str) -> ApplicationInfo:
        return ApplicationInfo.from_json(self._json("GET", f"/applications/{application_id}"))

    def update_application(self, application_id: str, document: dict[str, Any], *, verified: bool | None = None) -> ApplicationInfo:
        body: dict[str, Any] = {"document": document}
        if verified is not None:
            body["verified"] = verified
        return ApplicationInfo.from_json(self._json("PUT", f"/applications/{application_id}", json=body))

    def decide(
        self,
        application_id: str,
        *,
        snapshot_hash: str,
        decision: str,
        idempotency_key: str,
        reason: str | None = None,
        fee_waiver_approved: bool | None = None,
    ) -> ApplicationInfo:
        """A supervisor's decision: ``approve``, ``return`` or ``reject`` the snapshot they reviewed."""
        body = {"snapshot_hash": snapshot_hash, "decision": decision, "reason": reason, "fee_waiver_approved": fee_waiver_approved}
        path = f"/applications/{application_id}/approvals"
        return ApplicationInfo.from_json(self._json("POST", path, json=body, idempotency_key=idempotency_key))

    def review_queue(self) -> list[QueueItem]:
        return [QueueItem.from_json(i) for i in self._json("GET", "/approvals", params={"status": "pending"})["items"]]

    def submit(
        self, application_id: str, *, idempotency_key: str, certificate_mode: str = "counter", key_type: str = "rsa2048"
    ) -> Submission:
        body = {"certificate_mode": certificate_mode, "key_type": key_type}
        path = f"/applications/{application_id}/submission"
        return Submission.from_json(self._json("POST", path, json=body, idempotency_key=idempotency_key))

    # -- certificates and letters -----------------------------------------------------------

    def issue_certificate(
        self, reference_no: str, *, authorization_code: Secret, csr_pem: str, token_serial: str, idempotency_key: str
    ) -> CertificateResult:
        body = {"authorization_code": authorization_code.reveal(), "csr": csr_pem, "token_serial": token_serial}
        path = f"/certificate-orders/{reference_no}/issue"
        try:
            return CertificateResult.from_json(self._json("POST", path, json=body, idempotency_key=idempotency_key))
        finally:
            body["authorization_code"] = ""

    def bind_certificate(self, reference_no: str, *, token_serial: str, certificate_serial: str, idempotency_key: str) -> CertificateResult:
        body = {"token_serial": token_serial, "certificate_serial": certificate_serial}
        path = f"/certificate-orders/{reference_no}/binding"
        return CertificateResult.from_json(self._json("POST", path, json=body, idempotency_key=idempotency_key))

    def reauthorize(self, reference_no: str, *, idempotency_key: str, reason: str | None = None) -> CertificateOrder:
        path = f"/certificate-orders/{reference_no}/reauthorization"
        return CertificateOrder.from_json(self._json("POST", path, json={"reason": reason}, idempotency_key=idempotency_key))

    def release_letter(self, letter_order_id: str, *, letter_serial: str, printer_id: str, idempotency_key: str) -> ReleaseResult:
        body = {"letter_serial": letter_serial, "printer_id": printer_id}
        path = f"/letter-orders/{letter_order_id}/release"
        return ReleaseResult.from_json(self._json("POST", path, json=body, idempotency_key=idempotency_key))

    def confirm_letter(self, letter_order_id: str, *, letter_serial: str, outcome: str, idempotency_key: str) -> LetterOrder:
        body = {"letter_serial": letter_serial, "outcome": outcome}
        path = f"/letter-orders/{letter_order_id}/confirmation"
        return LetterOrder.from_json(self._json("POST", path, json=body, idempotency_key=idempotency_key))

    def allow_reprint(self, letter_order_id: str, *, reason: str, idempotency_key: str) -> LetterOrder:
        path = f"/letter-orders/{letter_order_id}/reprint"
        return LetterOrder.from_json(self._json("POST", path, json={"reason": reason}, idempotency_key=idempotency_key))

    # -- stock -------------------------------------------------------------------------

    def stock(self, *, holder: str | None = None, kind: str | None = None, state: str | None = None) -> list[StockItem]:
        params = {k: v for k, v in (("holder", holder), ("kind", kind), ("state", state)) if v}
        return [StockItem.from_json(i) for i in self._json("GET", "/stock", params=params)["items"]]

    def move_stock(
        self,
        *,
        kind: str,
        serials: list[str],
        from_holder: str,
        to_holder: str,
        reason: str,
        witness_token: Secret | None,
        idempotency_key: str,
    ) -> Movement:
        body = {
            "kind": kind,
            "serials": serials,
            "from_holder": from_holder,
            "to_holder": to_holder,
            "reason": reason,
            "witness_token": witness_token.reveal() if witness_token is not None else None,
        }
        try:
            return Movement.from_json(self._json("POST", "/stock/movements", json=body, idempotency_key=idempotency_key))
        finally:
            body["witness_token"] = None

    def reconciliation(self, day: date | None = None) -> Reconciliation:
        params = {"date": day.isoformat()} if day else None
        return Reconciliation.from_json(self._json("GET", "/stock/reconciliation", params=params))

    # -- training ------------------------------------------------------------------------

    def make_training_premade_ukey(self, *, token_serial: str, key_type: str, csr_pem: str, idempotency_key: str) -> dict[str, Any]:
        """Training only: the vendor's factory certifies a UKey's own key and the UKey enters the vault, pre-made."""
        body = {"token_serial": token_serial, "key_type": key_type, "csr": csr_pem}
        result: dict[str, Any] = self._json("POST", "/training/premade-ukeys", json=body, idempotency_key=idempotency_key)
        return result

    def move_training_clock(self, business_date: date, *, idempotency_key: str) -> dict[str, Any]:
        body = {"business_date": business_date.isoformat()}
        result: dict[str, Any] = self._json("POST", "/training/clock", json=body, idempotency_key=idempotency_key)
        return result
