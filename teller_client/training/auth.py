"""Logging in and out, bearer-token authentication, and the witness of a stock movement.

Passwords are checked against salted scrypt hashes; a wrong user id and a
wrong password get the same answer, so the service does not tell which user
ids exist. A session lasts eight hours of wall-clock time; its token is
random (``secrets.token_urlsafe``) and stored only as its SHA-256.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from teller_client.training import audit, clock
from teller_client.training.context import Caller, Context, Reply
from teller_client.training.db import Staff, StaffSession
from teller_client.training.hashing import hash_secret, new_token, token_digest, verify_secret
from teller_client.training.problems import ApiProblem

log = logging.getLogger(__name__)

SESSION_LIFETIME = timedelta(hours=8)
_DUMMY_HASH = hash_secret("no such user")  # so an unknown user id costs the same time as a wrong password


def _invalid_credentials() -> ApiProblem:
    return ApiProblem(401, "invalid_credentials", "The user ID or password is not right.", "柜员号或密码不正确。")


def unauthenticated() -> ApiProblem:
    return ApiProblem(
        401,
        "unauthenticated",
        "You are not signed in, or the session has ended; sign in again.",
        "尚未登录或登录已失效，请重新登录。",
        headers={"WWW-Authenticate": "Bearer"},
    )


def login(ctx: Context) -> Reply:
    """``POST /sessions``."""
    body = ctx.body_dict()
    user_id, password, workstation = str(body["user_id"]).strip(), str(body["password"]), str(body["workstation_id"])
    staff = ctx.db.get(Staff, user_id)
    if not verify_secret(password, staff.password_hash if staff else _DUMMY_HASH) or staff is None:
        raise _invalid_credentials()
    token = new_token()
    created = clock.now()
    expires = created + SESSION_LIFETIME
    ctx.db.add(
        StaffSession(
            token_sha256=token_digest(token), user_id=staff.user_id, workstation_id=workstation, created_at=created, expires_at=expires
        )
    )
    audit.write(
        ctx.db,
        ctx.business_date,
        None,
        "session.login",
        f"staff/{staff.user_id}",
        None,
        {},
        user_id=staff.user_id,
        workstation_id=workstation,
    )
    return Reply(
        201,
        {
            "token": token,
            "user": {"id": staff.user_id, "name": staff.name, "roles": list(staff.roles), "branch_id": staff.branch_id},
            "expires_at": clock.stamp(expires),
            "business_date": ctx.business_date.isoformat(),
        },
    )


def logout(ctx: Context) -> Reply:
    """``DELETE /sessions/current``: the token stops working at once."""
    caller = ctx.user
    ctx.db.execute(delete(StaffSession).where(StaffSession.token_sha256 == caller.token_sha256))
    audit.record(ctx, "session.logout", f"staff/{caller.user_id}")
    return Reply(204)


def _bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


def authenticate(session: Session, authorization: str | None) -> Caller:
    """The caller of a request from its ``Authorization: Bearer`` header, or 401."""
    token = _bearer(authorization)
    if token is None:
        raise unauthenticated()
    digest = token_digest(token)
    row = session.get(StaffSession, digest)
    if row is None:
        raise unauthenticated()
    if row.expires_at <= clock.now():
        raise ApiProblem(
            401,
            "session_expired",
            "Your session has expired; please sign in again.",
            "登录已超时，请重新登录。",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    staff = session.get(Staff, row.user_id)
    if staff is None:  # pragma: no cover - a session always belongs to a staff member
        raise unauthenticated()
    return Caller(staff.user_id, staff.name, tuple(staff.roles), staff.branch_id, row.workstation_id, digest)


def witness_of(session: Session, caller: Caller, witness_token: str | None) -> str:
    """The user id of the witness whose live session token this is: a different person of the same branch, else 403."""
    refused = ApiProblem(
        403,
        "witness_required",
        "A stock movement needs a second person, signed in, who watched the count.",
        "库存调拨须由另一人在场复核并登录确认。",
        [
            {
                "field": "/witness_token",
                "code": "witness_required",
                "message": "Another signed-in person of the branch must witness this movement.",
                "message_zh": "须由本网点另一位已登录人员复核。",
            }
        ],
    )
    if not witness_token:
        raise refused
    row = session.get(StaffSession, token_digest(witness_token))
    if row is None or row.expires_at <= clock.now() or row.user_id == caller.user_id:
        raise refused
    staff = session.get(Staff, row.user_id)
    if staff is None or staff.branch_id != caller.branch_id:
        raise refused
    return staff.user_id
