"""The training central service as a Starlette application: routes, and the one way every request is handled.

Every request, in this order (see :meth:`TrainingService.handle`):

1. a database transaction opens (writes take the service's write lock, so
   they happen one at a time; reads run beside them on WAL snapshots);
2. the bearer token is checked (all but ``GET /health`` and ``POST /sessions``);
3. a POST that changes something needs an ``Idempotency-Key`` (a UUID);
4. the body must be JSON (``400 invalid_json``) and match the OpenAPI
   document's schema for the operation (``422 validation_failed``, one error
   per field, by JSON pointer);
5. a key seen before with the same body answers with the stored response
   (``Idempotent-Replayed: true``), with another body ``422
   idempotency_key_reused``;
6. the handler runs; its success is stored under the key in the same
   transaction, then everything commits. A refusal
   (:class:`~teller_client.training.problems.ApiProblem`) rolls back and is
   rendered as ``application/problem+json``; dual-control and credential
   refusals are written to the audit log in a transaction of their own.

Handlers are synchronous and run in Starlette's thread pool, so CPU work
(scrypt, RSA) never stalls the event loop.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from teller_client import __version__
from teller_client.api.contract import API_PREFIX, load_contract
from teller_client.domain.catalogue import load_catalogue
from teller_client.errors import ConfigurationError
from teller_client.secret import SECRET_FIELD_NAMES
from teller_client.training import (
    agreements,
    applications,
    audit,
    auth,
    catalogue,
    certificates,
    clock,
    end_of_day,
    factory,
    idempotency,
    letters,
    stock,
)
from teller_client.training.ca import TrainingCA
from teller_client.training.context import Caller, Context, Reply, Services
from teller_client.training.db import DB_FILE, Database, Staff
from teller_client.training.db import business_date as stored_business_date
from teller_client.training.problems import PROBLEM_MEDIA_TYPE, ApiProblem, field_error
from teller_client.training.seed import seed

log = logging.getLogger(__name__)

CA_FOLDER = "ca"
Handler = Callable[[Context], Reply]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    """Under ``/api/v1``, in Starlette's ``{name}`` syntax (the same as the OpenAPI document's)."""
    handler: Handler
    auth: bool = True
    idempotent: bool = False
    writes: bool = False


@dataclass(frozen=True)
class Incoming:
    """What the thread-pool part needs of a request (Starlette's ``Request`` stays on the event loop)."""

    method: str
    path: str
    path_params: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    raw: bytes


def health(ctx: Context) -> Reply:
    return Reply(200, {"status": "ok", "version": ctx.services.version, "business_date": ctx.business_date.isoformat(), "training": True})


def _post(path: str, handler: Handler) -> Endpoint:
    return Endpoint("POST", path, handler, idempotent=True, writes=True)


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/health", health, auth=False),
    Endpoint("POST", "/sessions", auth.login, auth=False, writes=True),
    Endpoint("DELETE", "/sessions/current", auth.logout, writes=True),
    Endpoint("GET", "/catalogue", catalogue.get),
    Endpoint("GET", "/customers", agreements.customer),
    _post("/applications", applications.create),
    Endpoint("GET", "/applications/{id}", applications.read),
    Endpoint("PUT", "/applications/{id}", applications.update, writes=True),
    _post("/applications/{id}/approvals", applications.decide),
    Endpoint("GET", "/approvals", applications.queue),
    _post("/applications/{id}/submission", applications.submit),
    _post("/certificate-orders/{reference_no}/issue", certificates.issue),
    _post("/certificate-orders/{reference_no}/binding", certificates.binding),
    _post("/certificate-orders/{reference_no}/reauthorization", certificates.reauthorization),
    _post("/letter-orders/{id}/release", letters.release),
    _post("/letter-orders/{id}/confirmation", letters.confirmation),
    _post("/letter-orders/{id}/reprint", letters.reprint),
    _post("/agreements/{agreement_no}/changes", agreements.change),
    _post("/agreements/{agreement_no}/certificate-replacements", agreements.certificate_replacement),
    _post("/agreements/{agreement_no}/password-resets", agreements.password_reset),
    _post("/agreements/{agreement_no}/unlocks", agreements.unlock),
    _post("/agreements/{agreement_no}/closure", agreements.closure),
    Endpoint("GET", "/stock", stock.list_stock),
    _post("/stock/movements", stock.move),
    Endpoint("GET", "/stock/reconciliation", stock.reconciliation),
    _post("/training/clock", end_of_day.move_clock),
    _post("/training/premade-ukeys", factory.premade_ukey),
)


def _parse_body(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiProblem(
            400,
            "invalid_json",
            "The request body is not JSON (UTF-8).",
            "请求内容不是有效的 JSON（UTF-8）。",
            [field_error("", "invalid_json", f"Not JSON: {type(exc).__name__}.", "不是有效的 JSON。")],
        ) from None


def _json_response(reply: Reply) -> Response:
    headers = {"Cache-Control": "no-store", **reply.headers}
    if reply.body is None:
        return Response(status_code=reply.status, headers=headers)
    content = json.dumps(reply.body, ensure_ascii=False).encode("utf-8")
    return Response(content, status_code=reply.status, headers=headers, media_type="application/json")


def _schema_message(pointer: str, message: str) -> tuple[str, str]:
    """The schema validator's message, unless the field holds a secret: its messages quote the value."""
    if pointer.rsplit("/", 1)[-1].lower() in SECRET_FIELD_NAMES:
        return "The value is not valid for this field (not shown: it is a secret).", "该字段的值无效（涉及密码类信息，不予显示）。"
    return message, message


def problem_response(problem: ApiProblem) -> Response:
    headers = {"Cache-Control": "no-store", **problem.headers}
    return Response(problem.render(), status_code=problem.status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


class TrainingService:
    """The database, the CA, the catalogue and the contract, and :meth:`handle` for every request."""

    def __init__(self, data_dir: Path, business_date: date | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.contract = load_contract()
        self.db = Database(self.data_dir / DB_FILE)
        ca = TrainingCA.load_or_create(self.data_dir / CA_FOLDER)
        cat = load_catalogue()
        doc = catalogue.catalogue_document(cat)
        self.services = Services(self.data_dir, ca, cat, doc, catalogue.etag_of(doc), __version__)
        self._open_day(business_date)

    def _open_day(self, wanted: date | None) -> None:
        """Seed a new database, or bring an existing one to the wanted business date (never backwards)."""
        with self.db.writing() as session:
            if seed(session, self.services.ca, self.data_dir, wanted or clock.today()):
                return
            stored = stored_business_date(session)
            target = wanted or max(stored, clock.today())
            if target < stored:
                raise ConfigurationError(
                    f"The training data in {self.data_dir} is already at business date {stored}; it cannot go back to {target}. "
                    "Use another data folder, or delete this one.",
                    f"{self.data_dir} 中的培训数据已处于营业日期 {stored}，不能退回到 {target}。请换用其他数据目录或删除该目录。",
                )
            if target > stored:
                end_of_day.close_day(session, target)

    def close(self) -> None:
        self.db.close()

    # -- the request pipeline ----------------------------------------------------------------------

    def handle(self, endpoint: Endpoint, incoming: Incoming) -> Response:
        caller: Caller | None = None
        key: str | None = None
        try:
            with self.db.writing() if endpoint.writes else self.db.reading() as session:
                day = stored_business_date(session)
                if endpoint.auth:
                    caller = auth.authenticate(session, incoming.headers.get("authorization"))
                if endpoint.idempotent:
                    key = idempotency.require_key(incoming.headers.get(idempotency.HEADER))
                body = _parse_body(incoming.raw)
                self._check_schema(incoming, body)
                ctx = Context(
                    db=session,
                    services=self.services,
                    business_date=day,
                    caller=caller,
                    body=body,
                    path_params=incoming.path_params,
                    query=incoming.query,
                    headers=incoming.headers,
                    idempotency_key=key,
                )
                digest = idempotency.body_digest(body)
                if caller is not None and key is not None:
                    replayed = idempotency.replay(session, caller.user_id, key, incoming.method, incoming.path, digest)
                    if replayed is not None:
                        log.info("%s %s replayed for key %s", incoming.method, incoming.path, key)
                        return _json_response(replayed)
                reply = endpoint.handler(ctx)
                if caller is not None and key is not None and 200 <= reply.status < 300:
                    idempotency.remember(session, caller.user_id, key, incoming.method, incoming.path, digest, reply)
            return _json_response(reply)
        except ApiProblem as problem:
            log.info("%s %s refused: %s %s", incoming.method, incoming.path, problem.status, problem.code)
            if problem.status == 403 or problem.code == "invalid_credentials":
                self._audit_refusal(incoming, problem, caller, key)
            return problem_response(problem)
        except Exception:
            log.exception("%s %s failed", incoming.method, incoming.path)
            return problem_response(
                ApiProblem(500, "internal_error", "The training service failed; see its log.", "培训服务内部错误，请查看日志。")
            )

    def _check_schema(self, incoming: Incoming, body: Any) -> None:
        errors = self.contract.request_errors(incoming.method, incoming.path, body)
        if errors:
            raise ApiProblem(
                422,
                "validation_failed",
                f"The request body does not match the contract ({len(errors)} error(s)).",
                f"请求内容不符合接口约定（{len(errors)} 处错误）。",
                [field_error(e.pointer, "schema", *_schema_message(e.pointer, e.message)) for e in errors],
            )

    def _audit_refusal(self, incoming: Incoming, problem: ApiProblem, caller: Caller | None, key: str | None) -> None:
        """Write a dual-control, witness or credential refusal to the audit log (its own transaction)."""
        try:
            with self.db.writing() as session:
                user_id = None
                if caller is None and incoming.path.endswith("/sessions"):
                    # the attempted user id, only when it is one (a password typed into the wrong field stays out)
                    with contextlib.suppress(ApiProblem):
                        body = _parse_body(incoming.raw)
                        attempted = body.get("user_id") if isinstance(body, dict) else None
                        if isinstance(attempted, str) and session.get(Staff, attempted.strip()) is not None:
                            user_id = attempted.strip()
                audit.write(
                    session,
                    stored_business_date(session),
                    caller,
                    f"refused.{problem.code}",
                    f"{incoming.method} {incoming.path}",
                    key,
                    {"status": problem.status},
                    user_id=user_id,
                )
        except Exception:  # the refusal itself must still reach the client
            log.exception("could not audit a refusal of %s %s", incoming.method, incoming.path)

    # -- Starlette -----------------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        return [Route(e.path, self._endpoint(e), methods=[e.method]) for e in ENDPOINTS]

    def _endpoint(self, endpoint: Endpoint) -> Callable[[Request], Any]:
        async def run(request: Request) -> Response:
            raw = await request.body()
            incoming = Incoming(
                method=request.method,
                path=request.url.path,
                path_params={k: str(v) for k, v in request.path_params.items()},
                query=dict(request.query_params),
                headers=request.headers,
                raw=raw,
            )
            return await run_in_threadpool(self.handle, endpoint, incoming)

        return run


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    code = {404: "not_found", 405: "method_not_allowed"}.get(status, "http_error")
    return problem_response(
        ApiProblem(status, code, f"{request.method} {request.url.path}: {code.replace('_', ' ')}.", "请求的资源或方法不存在。")
    )


def create_app(data_dir: Path, *, business_date: date | None = None) -> Starlette:
    """The training service for ``data_dir`` (created and seeded on first use), at ``/api/v1``.

    ``business_date`` fixes the business date (tests); by default it is
    today's date in Asia/Shanghai, or the stored one if the training clock was
    moved further.
    """
    service = TrainingService(data_dir, business_date)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        service.close()

    app = Starlette(
        routes=[Mount(API_PREFIX, routes=service.routes())],
        exception_handlers={404: _http_error, 405: _http_error},
        lifespan=lifespan,
    )
    app.state.service = service
    return app
