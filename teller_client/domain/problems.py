"""A problem found in an application: where, what, and how to say it in both languages."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from teller_client.domain.messages import render


class Severity(StrEnum):
    ERROR = "error"
    """Blocks submission."""
    WARNING = "warning"
    """Shown to the teller, who may confirm and go on (``overridable``)."""


@dataclass(frozen=True)
class Problem:
    """One problem, addressed by a JSON pointer into the ``eform/1`` document."""

    pointer: str
    code: str
    message_zh: str
    message_en: str
    severity: Severity = Severity.ERROR

    @property
    def overridable(self) -> bool:
        """A warning may be overridden by the teller; an error never."""
        return self.severity is Severity.WARNING

    def message(self, lang: str = "zh") -> str:
        return self.message_zh if lang.startswith("zh") else self.message_en

    def to_dict(self) -> dict[str, Any]:
        """The wire shape (the ``errors[]`` items of the central API's problem+json)."""
        return {
            "field": self.pointer,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message_en,
            "message_zh": self.message_zh,
        }


def problem(pointer: str, code: str, severity: Severity = Severity.ERROR, **params: Any) -> Problem:
    """Build a :class:`Problem` from the message catalogue entry ``code``."""
    zh, en = render(code, **params)
    return Problem(pointer=pointer, code=code, message_zh=zh, message_en=en, severity=severity)


def errors_only(problems: list[Problem] | tuple[Problem, ...]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]


def pointer(*parts: str | int) -> str:
    """A JSON pointer (RFC 6901) from path parts: ``pointer("users", 2, "id_number")``."""
    out = []
    for part in parts:
        text = str(part).replace("~", "~0").replace("/", "~1")
        out.append(text)
    return "/" + "/".join(out) if out else ""
