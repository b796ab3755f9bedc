"""The autopilot's summary of one run: what happened, how many actions it took, how long each step took; as JSON.

``teller-client autopilot SCENARIO.toml --json`` prints :meth:`AutopilotReport.to_json`::

    {
      "scenario": "standard",
      "language": "zh",
      "outcome": "completed",
      "ok": true,
      "application_id": "AP20261123000001",
      "agreement_no": "AG20261123000004",
      "teller_actions": 12,
      "supervisor_actions": 5,
      "retyped_fields": [],
      "steps": [{"page": "intake", "seconds": 1.8}, {"page": "customer", "seconds": 0.4}, ...],
      "seconds": 41.2,
      "media": {"ukeys": 2, "letters": 3},
      "errors": [],
      "checks": [{"name": "max_teller_actions", "expected": 15, "actual": 12, "ok": true}, ...],
      "started_at": "2026-11-23T10:02:11+08:00"
    }

:class:`StepClock` times the pages as the wizard enters them. :meth:`AutopilotReport.check` compares the run with
the scenario's ``[expect]`` table; :attr:`AutopilotReport.ok` (and :attr:`AutopilotReport.exit_code`) say whether
it met them. Errors carry the error's code and its message in both languages, never a secret (error messages never
hold one, see :mod:`teller_client.errors`). No Qt here.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from teller_client.errors import TellerError

if TYPE_CHECKING:  # pragma: no cover - typing only (scenario imports this module)
    from teller_client.flows.scenario import Expectations

SECONDS_DIGITS = 3


class Outcome(StrEnum):
    COMPLETED = "completed"
    """Submitted, every UKey and letter handed over, the confirmation printed."""
    REJECTED = "rejected"
    """The supervisor rejected the application."""
    FAILED = "failed"
    """The run stopped on an error (``errors`` says which) or the screen did not show what was expected."""
    CANCELLED = "cancelled"
    """Stopped from outside (Ctrl+C, the window closed)."""


@dataclass(frozen=True)
class StepTime:
    page: str
    """A :class:`~teller_client.flows.signing.Page` value (``intake``, ``customer``, ... ``completion``)."""
    seconds: float


@dataclass
class MediaCount:
    ukeys: int = 0
    """UKeys handed over (certificate made or bound, PIN letter printed)."""
    letters: int = 0
    """Password letters printed."""


@dataclass(frozen=True)
class ReportError:
    code: str
    message_en: str
    message_zh: str
    page: str | None = None

    @classmethod
    def of(cls, exc: BaseException, page: str | None = None) -> ReportError:
        """An error as the report shows it: a :class:`TellerError`'s code and messages; anything else by its type."""
        if isinstance(exc, TellerError):
            return cls(exc.code, exc.message_en, exc.message_zh, page)
        name = type(exc).__name__
        return cls("unexpected", f"{name}: {exc}", f"{name}：{exc}", page)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message_en": self.message_en, "message_zh": self.message_zh, "page": self.page}


@dataclass(frozen=True)
class Check:
    """One expectation of the scenario against the run."""

    name: str
    expected: Any
    actual: Any
    ok: bool


class StepClock:
    """Times the wizard's steps: :meth:`enter` each page as it is shown, :meth:`stop` at the end.

    A page entered twice (Back, a return by the supervisor) is a second step. ``clock`` is injectable for tests.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._steps: list[StepTime] = []
        self._current: tuple[str, float] | None = None

    def enter(self, page: str) -> None:
        """``page`` is shown now (a Page or its value); the step before it ends."""
        now = self._clock()
        self._close(now)
        self._current = (str(page), now)

    def stop(self) -> None:
        self._close(self._clock())

    @property
    def current(self) -> str | None:
        return self._current[0] if self._current is not None else None

    @property
    def steps(self) -> list[StepTime]:
        return list(self._steps)

    def _close(self, now: float) -> None:
        if self._current is not None:
            page, began = self._current
            self._steps.append(StepTime(page, round(max(0.0, now - began), SECONDS_DIGITS)))
            self._current = None


@dataclass
class AutopilotReport:
    """The summary of one autopilot run (see the module for its JSON)."""

    scenario: str
    outcome: Outcome = Outcome.FAILED
    language: str = "zh"
    application_id: str | None = None
    agreement_no: str | None = None
    teller_actions: int = 0
    """Key presses and clicks of the teller after the scan (paper: after the form is opened)."""
    supervisor_actions: int = 0
    retyped_fields: list[str] = field(default_factory=list)
    """JSON pointers of fields the teller typed although the e-form carried them."""
    steps: list[StepTime] = field(default_factory=list)
    media: MediaCount = field(default_factory=MediaCount)
    errors: list[ReportError] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    """Filled by :meth:`check`."""
    started_at: datetime | None = None

    @property
    def seconds(self) -> float:
        return round(sum(step.seconds for step in self.steps), SECONDS_DIGITS)

    @property
    def ok(self) -> bool:
        """Every check met (after :meth:`check`); without checks, whether the run completed."""
        if self.checks:
            return all(check.ok for check in self.checks)
        return self.outcome is Outcome.COMPLETED

    @property
    def exit_code(self) -> int:
        """What the command should exit with: 0 when :attr:`ok`, else 1."""
        return 0 if self.ok else 1

    def add_error(self, exc: BaseException, page: str | None = None) -> None:
        self.errors.append(ReportError.of(exc, page))

    def check(self, expect: Expectations) -> list[Check]:
        """Compare the run with the scenario's expectations; the result is kept in :attr:`checks` and returned."""
        checks = [
            Check("outcome", expect.outcome.value, self.outcome.value, self.outcome is expect.outcome),
            Check("ukeys", expect.ukeys, self.media.ukeys, self.media.ukeys == expect.ukeys),
            Check("letters", expect.letters, self.media.letters, self.media.letters == expect.letters),
        ]
        if expect.outcome is not Outcome.COMPLETED:  # media only count for a completed run
            checks = checks[:1]
        for name, limit, actual in (
            ("max_teller_actions", expect.max_teller_actions, self.teller_actions),
            ("max_supervisor_actions", expect.max_supervisor_actions, self.supervisor_actions),
            ("max_retyped_fields", expect.max_retyped_fields, len(self.retyped_fields)),
        ):
            if limit is not None:
                checks.append(Check(name, limit, actual, actual <= limit))
        self.checks = checks
        return checks

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "language": self.language,
            "outcome": self.outcome.value,
            "ok": self.ok,
            "application_id": self.application_id,
            "agreement_no": self.agreement_no,
            "teller_actions": self.teller_actions,
            "supervisor_actions": self.supervisor_actions,
            "retyped_fields": list(self.retyped_fields),
            "steps": [{"page": step.page, "seconds": step.seconds} for step in self.steps],
            "seconds": self.seconds,
            "media": {"ukeys": self.media.ukeys, "letters": self.media.letters},
            "errors": [error.to_dict() for error in self.errors],
            "checks": [{"name": c.name, "expected": c.expected, "actual": c.actual, "ok": c.ok} for c in self.checks],
            "started_at": self.started_at.isoformat(timespec="seconds") if self.started_at is not None else None,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AutopilotReport:
        started = data.get("started_at")
        return cls(
            scenario=data["scenario"],
            outcome=Outcome(data["outcome"]),
            language=data.get("language", "zh"),
            application_id=data.get("application_id"),
            agreement_no=data.get("agreement_no"),
            teller_actions=int(data.get("teller_actions", 0)),
            supervisor_actions=int(data.get("supervisor_actions", 0)),
            retyped_fields=list(data.get("retyped_fields", [])),
            steps=[StepTime(s["page"], float(s["seconds"])) for s in data.get("steps", [])],
            media=MediaCount(**data.get("media", {})),
            errors=[ReportError(e["code"], e["message_en"], e["message_zh"], e.get("page")) for e in data.get("errors", [])],
            checks=[Check(c["name"], c["expected"], c["actual"], bool(c["ok"])) for c in data.get("checks", [])],
            started_at=datetime.fromisoformat(started) if started else None,
        )

    @classmethod
    def from_json(cls, text: str) -> AutopilotReport:
        return cls.from_dict(json.loads(text))

    def summary(self, lang: str = "zh") -> str:
        """One line for people (the command without ``--json``)."""
        failed = [c.name for c in self.checks if not c.ok]
        if lang.startswith("zh"):
            verdict = "通过" if self.ok else "未通过：" + "、".join(failed or [self.outcome.value])
            return (
                f"{self.scenario}：{self.outcome.value}，申请 {self.application_id or '-'}，协议 {self.agreement_no or '-'}，"
                f"柜员操作 {self.teller_actions} 次，重复录入 {len(self.retyped_fields)} 项，UKey {self.media.ukeys} 个，"
                f"信函 {self.media.letters} 封，用时 {self.seconds:.1f} 秒 — {verdict}"
            )
        verdict = "passed" if self.ok else "FAILED: " + ", ".join(failed or [self.outcome.value])
        return (
            f"{self.scenario}: {self.outcome.value}, application {self.application_id or '-'}, agreement {self.agreement_no or '-'}, "
            f"{self.teller_actions} teller actions, {len(self.retyped_fields)} re-typed fields, {self.media.ukeys} UKeys, "
            f"{self.media.letters} letters, {self.seconds:.1f} s — {verdict}"
        )
