"""Refusals of the training service as RFC 9457 problems (``application/problem+json``).

A handler raises :class:`ApiProblem`; the dispatcher in :mod:`.app` rolls the
transaction back and renders it. Every problem carries a stable ``code`` (the
client keys on it), an English ``detail`` and a Chinese ``detail_zh`` for the
teller, and ``errors[]`` naming each offending field by JSON pointer. A
problem never contains a secret: messages are built from field names, codes
and serials only.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from teller_client.domain.problems import Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://teller-client.invalid/problems/"


def field_error(field: str, code: str, message: str, message_zh: str | None = None, *, severity: str | None = None) -> dict[str, Any]:
    """One ``errors[]`` item (schema ``FieldError``)."""
    item: dict[str, Any] = {"field": field, "code": code, "message": message, "message_zh": message_zh or message}
    if severity is not None:
        item["severity"] = severity
    return item


def domain_errors(problems: list[Problem] | tuple[Problem, ...], prefix: str = "/document") -> list[dict[str, Any]]:
    """Domain problems (pointers into the ``eform/1`` document) as ``errors[]`` items under ``prefix``."""
    return [field_error(prefix + p.pointer, p.code, p.message_en, p.message_zh, severity=p.severity.value) for p in problems]


class ApiProblem(Exception):
    """A refusal: HTTP ``status``, stable ``code``, the detail in English and Chinese, and field errors."""

    def __init__(
        self,
        status: int,
        code: str,
        detail_en: str,
        detail_zh: str,
        errors: list[dict[str, Any]] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail_en}")
        self.status = status
        self.code = code
        self.detail_en = detail_en
        self.detail_zh = detail_zh
        self.errors = errors or []
        self.headers = headers or {}

    @property
    def title(self) -> str:
        """A short summary of the problem type: the code in words (``maker_cannot_approve`` -> "Maker cannot approve")."""
        words = self.code.replace("_", " ").strip()
        return words[:1].upper() + words[1:] if words else HTTPStatus(self.status).phrase

    def to_json(self) -> dict[str, Any]:
        return {
            "type": TYPE_BASE + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail_en,
            "detail_zh": self.detail_zh,
            "code": self.code,
            "errors": self.errors,
        }

    def render(self) -> bytes:
        return json.dumps(self.to_json(), ensure_ascii=False).encode("utf-8")


# -- the refusals every module shares ---------------------------------------------------------------


def not_a_supervisor() -> ApiProblem:
    return ApiProblem(403, "not_a_supervisor", "A supervisor must do this.", "此操作须由主管办理。")


def not_a_teller() -> ApiProblem:
    return ApiProblem(403, "not_a_teller", "A teller must do this.", "此操作须由柜员办理。")


def invalid_state(what_en: str, what_zh: str) -> ApiProblem:
    return ApiProblem(409, "invalid_state", what_en, what_zh)


def reason_required(field: str = "/reason") -> ApiProblem:
    return ApiProblem(
        422,
        "reason_required",
        "A reason is required.",
        "须填写原因。",
        [field_error(field, "reason_required", "A reason is required.", "须填写原因。")],
    )


def not_found(code: str, what_en: str, what_zh: str) -> ApiProblem:
    return ApiProblem(404, code, what_en, what_zh)
