"""Autopilot scenarios: what a teller and a supervisor do at the counter, as a TOML file (``resources/scenarios/``).

A scenario names the application (an ``eform/1`` document beside it), how it reaches the counter (scanned e-form
barcodes, or a paper form the teller types), who works it (a teller and a supervisor of the training service), how
it is signed off and issued, what the run must show (media, outcome, at most so many teller actions) and, for
demos, a fault to inject. ``resources/scenarios/README.md`` describes every key; :func:`load_scenario` reads a
file with :mod:`tomllib` and checks all of it, and every mistake is a :class:`ScenarioError` that names the file,
the line and the key (``standard.toml, line 14: expect.ukeys: ...``).

E-forms expire (``expires_at`` is checked against the clock when the barcodes are read), so a scenario keeps the
document, not barcodes: :meth:`Scenario.intake` stamps ``created_at``/``expires_at`` relative to the training
business date and signs the barcode texts with the shipped training key when the autopilot runs. A scenario
therefore stays valid on any date. (A scenario may instead name fixed ``barcodes``, used as they are: for a demo
of a refused form.)

For the paper intake, :meth:`Scenario.intake` lists the fields the autopilot types (:class:`TypedField`: the page,
the JSON pointer, the value), in the document's order.

No Qt here.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal, cast

from drivers.profiles import load_profiles, profile_by_id
from teller_client.domain.bank_time import BANK_TIME
from teller_client.domain.validation import validate
from teller_client.eform.generator import make_symbols
from teller_client.eform.keys import TRAINING_KID, training_private_key
from teller_client.errors import TellerError
from teller_client.flows.autopilot_report import Outcome
from teller_client.flows.issuance import COUNTER_STEPS, PREMADE_STEPS, Step
from teller_client.flows.signing import Page
from teller_client.flows.signing_session import paper_document
from teller_client.resources import resource_path

FORMAT = 1
"""The scenario format this client reads (``format = 1``)."""
SCENARIO_FOLDER = ("scenarios",)
VALID_DAYS = 366
"""A stamped e-form is valid until this many days after the later of the business date and today."""
SOFTHSM_PROFILE = "softhsm2"
"""Scenarios run on the training bench's SoftHSM UKeys: their key types are this profile's."""

IntakeKind = Literal["eform", "paper"]
SignOff = Literal["desk", "queue"]
CertificateMode = Literal["counter", "premade"]

_TOP_KEYS = (
    "format", "name", "description", "language", "intake", "document", "barcodes", "teller", "supervisor",
    "sign_off", "certificate_mode", "key_type", "expect", "stock", "faults",
)  # fmt: skip
_EXPECT_KEYS = ("outcome", "ukeys", "letters", "max_teller_actions", "max_supervisor_actions", "max_retyped_fields")
_STOCK_KEYS = ("ukeys", "letters")
_FAULT_KEYS = ("pull_ukey_at_step", "return_once")
TOKEN_STEPS = frozenset({Step.UKEY, Step.INITIALISE, Step.KEY, Step.CSR, Step.INSTALL, Step.PREMADE_CHECK, Step.VERIFY})
"""The issuance steps that use the UKey itself: where pulling it out is felt."""
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_USER_ID = re.compile(r"^[A-Z]\d{4}$")
_PAGES = {"customer": Page.CUSTOMER, "accounts": Page.ACCOUNTS, "users": Page.USERS, "services": Page.SERVICES, "fees": Page.FEES}


class ScenarioError(TellerError):
    """A scenario file that cannot be used: ``path``, ``line`` (when known) and ``key`` say where."""

    code = "scenario_invalid"

    def __init__(self, path: Path, key: str | None, line: int | None, message_en: str, message_zh: str) -> None:
        where = path.name + (f", line {line}" if line else "") + (f": {key}" if key else "")
        where_zh = path.name + (f" 第 {line} 行" if line else "") + (f"：{key}" if key else "")
        super().__init__(f"{where}: {message_en}", f"{where_zh}：{message_zh}")
        self.path = path
        self.key = key
        self.line = line


@dataclass(frozen=True)
class Expectations:
    """What a run must show (``[expect]``)."""

    ukeys: int
    """UKeys issued: one per certificate user."""
    letters: int
    """Password letters printed: one initial login password per new user (the training service's rule)."""
    outcome: Outcome = Outcome.COMPLETED
    max_teller_actions: int | None = None
    """Teller actions after the scan (or, on paper, after the form is opened); ``None``: not checked."""
    max_supervisor_actions: int | None = None
    max_retyped_fields: int | None = 0
    """Fields the teller types although the e-form carried them."""


@dataclass(frozen=True)
class Stock:
    """What the training bench puts in the teller's drawer (``[stock]``; default: what the run needs plus one)."""

    ukeys: int
    letters: int


@dataclass(frozen=True)
class Faults:
    """Faults injected for demos (``[faults]``)."""

    pull_ukey_at_step: Step | None = None
    """The first UKey is pulled out when its issuance reaches this step, and put back when the screen asks for it."""
    return_once: str | None = None
    """The supervisor first returns the application with this reason; the teller sends it again unchanged."""


@dataclass(frozen=True)
class TypedField:
    """One value the autopilot types on a paper form: on ``page``, into the field of ``pointer``."""

    page: Page
    pointer: str
    value: Any


@dataclass(frozen=True)
class Intake:
    """What reaches the counter for one run: the document, and its barcode texts (e-form) or the typed fields (paper)."""

    kind: IntakeKind
    document: dict[str, Any]
    barcode_texts: tuple[str, ...] = ()
    typed: tuple[TypedField, ...] = ()


@dataclass(frozen=True)
class Scenario:
    path: Path
    name: str
    description: str
    language: Literal["zh", "en"]
    intake_kind: IntakeKind
    document_path: Path
    barcodes_path: Path | None
    teller: str
    supervisor: str
    sign_off: SignOff
    certificate_mode: CertificateMode
    key_type: str
    expect: Expectations
    stock: Stock
    faults: Faults
    _document: dict[str, Any] = field(repr=False, compare=False)

    @property
    def premade(self) -> bool:
        return self.certificate_mode == "premade"

    def template(self) -> dict[str, Any]:
        """The scenario's document as the file has it (a fresh copy)."""
        return copy.deepcopy(self._document)

    def intake(self, business_date: date | None = None, *, now: datetime | None = None, form_id: str | None = None) -> Intake:
        """The form as it reaches the counter for a run on ``business_date`` (default: today in China).

        E-form: the document stamped by :func:`stamp_document` and its barcode texts signed with the training key
        (or, with ``barcodes``, the file's texts as they are). Paper: the stamped document and the fields to type.
        ``form_id`` replaces the document's (two runs against one client store then make two drafts).
        """
        if self.barcodes_path is not None:
            texts = tuple(line.strip() for line in self.barcodes_path.read_text(encoding="ascii").splitlines() if line.strip())
            return Intake(self.intake_kind, self.template(), barcode_texts=texts)
        document = stamp_document(self.template(), business_date, now=now)
        if form_id is not None:
            document["form_id"] = form_id
        if self.intake_kind == "paper":
            return Intake("paper", document, typed=tuple(typed_fields(document)))
        texts = tuple(make_symbols(document, training_private_key(), TRAINING_KID))
        return Intake("eform", document, barcode_texts=texts)

    def bench_options(self) -> dict[str, Any]:
        """Keyword arguments for :class:`teller_client.training.bench.TrainingBench` that give this scenario its stock."""
        blank, premade = (0, self.stock.ukeys) if self.premade else (self.stock.ukeys, 0)
        return {
            "ukeys": blank,
            "premade_ukeys": premade,
            "premade_key_type": self.key_type,
            "letters": self.stock.letters,
            "teller": self.teller,
            "supervisor": self.supervisor,
        }


# -- stamping and typing ----------------------------------------------------------------------------------------


def stamp_document(document: dict[str, Any], business_date: date | None = None, *, now: datetime | None = None) -> dict[str, Any]:
    """``document`` filled in the day before and valid for a year, whatever the date: ``created_at`` the day before the
    earlier of ``business_date`` and today (in China) at 09:30, ``expires_at`` :data:`VALID_DAYS` after the later one."""
    wall = (now or datetime.now(BANK_TIME)).astimezone(BANK_TIME).date()
    day = business_date or wall
    created = datetime.combine(min(day, wall) - timedelta(days=1), time(9, 30), BANK_TIME)
    expires = datetime.combine(max(day, wall) + timedelta(days=VALID_DAYS), time(0, 0), BANK_TIME)
    stamped = copy.deepcopy(document)
    stamped["created_at"] = created.isoformat(timespec="seconds")
    stamped["expires_at"] = expires.isoformat(timespec="seconds")
    return stamped


def typed_fields(document: Mapping[str, Any]) -> Iterator[TypedField]:
    """The values a teller types from a paper form, in the document's order: every leaf under ``customer``,
    ``accounts``, ``users``, ``services`` and ``fees`` that differs from a blank paper form (lists of choices,
    such as an account's rights, are one value)."""
    blank = paper_document()
    for key, page in _PAGES.items():
        yield from (
            TypedField(page, pointer, value) for pointer, value in _leaves(document.get(key), f"/{key}") if _differs(blank, pointer, value)
        )


def _leaves(node: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{pointer}/{key}")
    elif isinstance(node, list) and node and all(isinstance(item, dict) for item in node):
        for i, item in enumerate(node):
            yield from _leaves(item, f"{pointer}/{i}")
    else:
        yield pointer, node


def _differs(blank: Any, pointer: str, value: Any) -> bool:
    node = blank
    for part in pointer.strip("/").split("/"):
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return True
    return bool(node != value)


def expected_media(document: Mapping[str, Any]) -> tuple[int, int]:
    """(UKeys, letters) a new signing of ``document`` hands over: a certificate per UKey user; an initial login
    password letter per new user (the training service orders one for every user a new agreement creates)."""
    users = [u for u in document.get("users") or [] if isinstance(u, dict)]
    return sum(1 for u in users if u.get("credential") == "ukey"), len(users)


# -- loading -----------------------------------------------------------------------------------------------------


def shipped_scenarios() -> list[Path]:
    """The scenario files that ship with the client, by name."""
    return sorted(resource_path(*SCENARIO_FOLDER).glob("*.toml"))


def scenario_path(name_or_path: str | Path) -> Path:
    """A path as given, or the shipped scenario of that name (``standard`` -> ``resources/scenarios/standard.toml``)."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        return path
    return resource_path(*SCENARIO_FOLDER, f"{name_or_path}.toml")


def load_scenario(path: Path | str, *, today: date | None = None) -> Scenario:
    """Read and check a scenario file; :class:`ScenarioError` names the line and the key of the first mistake.

    ``today`` is the date the document is validated for (default: today in China).
    """
    return _Loader(scenario_path(path)).load(today or datetime.now(BANK_TIME).date())


class _Loader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.text = ""

    def fail(self, key: str | None, en: str, zh: str) -> ScenarioError:
        return ScenarioError(self.path, key, self.line_of(key) if key else None, en, zh)

    def line_of(self, key: str) -> int | None:
        """The line where ``key`` (``table.name`` or ``name``) is set, or its table's header line."""
        table, _, name = key.rpartition(".")
        current, header = "", None
        for number, raw in enumerate(self.text.splitlines(), start=1):
            line = raw.strip()
            found = re.match(r"^\[\s*([A-Za-z0-9_.-]+)\s*\]", line)
            if found:
                current = found.group(1)
                if current == (table or name):
                    header = number
                continue
            if current == table and re.match(rf"^{re.escape(name)}\s*=", line):
                return number
            if not table and not current and re.match(rf"^{re.escape(name)}\s*=", line):
                return number
        return header

    def load(self, today: date) -> Scenario:
        try:
            self.text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise self.fail(None, f"cannot be read ({exc}).", f"无法读取（{exc}）。") from exc
        try:
            top = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(self.path, None, _toml_line(exc), f"not valid TOML: {exc}.", f"不是有效的 TOML：{exc}。") from exc
        self.unknown(top, _TOP_KEYS, "")
        if self.integer(top, "format", minimum=1) != FORMAT:
            raise self.fail("format", f"this client reads format {FORMAT}.", f"本客户端只支持格式 {FORMAT}。")
        name = self.text_value(top, "name")
        if not _NAME.match(name):
            raise self.fail("name", "lower-case letters, digits and '-', at most 40.", "须为小写字母、数字与“-”，至多 40 个字符。")
        description = self.text_value(top, "description")
        language = self.choice(top, "language", ("zh", "en"), default="zh")
        intake_kind = self.choice(top, "intake", ("eform", "paper"))
        document_path = self.file(top, "document")
        document = self.document(document_path, today)
        barcodes_path = self.file(top, "barcodes") if "barcodes" in top else None
        if barcodes_path is not None and intake_kind != "eform":
            raise self.fail("barcodes", "only an e-form intake has barcodes.", "只有电子填单方式才有条码。")
        teller, supervisor = self.people(top)
        sign_off = self.choice(top, "sign_off", ("desk", "queue"), default="desk")
        certificate_mode = self.choice(top, "certificate_mode", ("counter", "premade"), default="counter")
        key_type = self.key_type(top)
        expect = self.expectations(self.table(top, "expect", required=True), document)
        stock = self.stock(self.table(top, "stock"), expect)
        faults = self.faults(self.table(top, "faults"), certificate_mode, expect)
        return Scenario(
            path=self.path,
            name=name,
            description=description,
            language=cast(Literal["zh", "en"], language),
            intake_kind=cast(IntakeKind, intake_kind),
            document_path=document_path,
            barcodes_path=barcodes_path,
            teller=teller,
            supervisor=supervisor,
            sign_off=cast(SignOff, sign_off),
            certificate_mode=cast(CertificateMode, certificate_mode),
            key_type=key_type,
            expect=expect,
            stock=stock,
            faults=faults,
            _document=document,
        )

    # -- values ----------------------------------------------------------------------------------------------

    def unknown(self, table: Mapping[str, Any], known: tuple[str, ...], prefix: str) -> None:
        for key in table:
            if key not in known:
                raise self.fail(
                    prefix + key,
                    f"unknown key (a typo?); known here: {', '.join(known)}.",
                    f"未知的键（是否拼写错误？）；此处可用：{', '.join(known)}。",
                )

    def present(self, table: Mapping[str, Any], key: str, prefix: str = "") -> Any:
        if key not in table:
            raise self.fail(prefix + key, "missing (required).", "缺少此项（必填）。")
        return table[key]

    def text_value(self, table: Mapping[str, Any], key: str, prefix: str = "") -> str:
        value = self.present(table, key, prefix)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(prefix + key, f"must be non-empty text, not {value!r}.", f"须为非空文本，而不是 {value!r}。")
        return value.strip()

    def integer(self, table: Mapping[str, Any], key: str, prefix: str = "", *, minimum: int = 0, default: int | None = None) -> int:
        if key not in table and default is not None:
            return default
        value = self.present(table, key, prefix)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(
                prefix + key,
                f"must be a whole number of at least {minimum}, not {value!r}.",
                f"须为不小于 {minimum} 的整数，而不是 {value!r}。",
            )
        return value

    def choice(self, table: Mapping[str, Any], key: str, allowed: tuple[str, ...], prefix: str = "", *, default: str | None = None) -> str:
        if key not in table and default is not None:
            return default
        value = self.present(table, key, prefix)
        if value not in allowed:
            shown = " | ".join(f'"{a}"' for a in allowed)
            raise self.fail(prefix + key, f"must be {shown}, not {value!r}.", f"须为 {shown}，而不是 {value!r}。")
        return cast(str, value)

    def table(self, top: Mapping[str, Any], key: str, *, required: bool = False) -> dict[str, Any]:
        if key not in top:
            if required:
                raise self.fail(key, f"the [{key}] table is missing (required).", f"缺少 [{key}] 表（必填）。")
            return {}
        value = top[key]
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table ([{key}]), not {value!r}.", f"须为表（[{key}]），而不是 {value!r}。")
        return value

    def file(self, table: Mapping[str, Any], key: str) -> Path:
        name = self.text_value(table, key)
        path = (self.path.parent / name).resolve()
        if not path.is_file():
            raise self.fail(key, f"no such file {name} beside the scenario.", f"场景文件旁没有文件 {name}。")
        return path

    def document(self, path: Path, today: date) -> dict[str, Any]:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise self.fail(
                "document", f"{path.name} is not a readable JSON document ({exc}).", f"{path.name} 不是可读取的 JSON 文档（{exc}）。"
            ) from exc
        if not isinstance(document, dict) or document.get("request") != "new":
            raise self.fail(
                "document",
                f'{path.name} must be a new signing (/request "new"): the autopilot signs new customers on.',
                f'{path.name} 须为新签约申请（/request 为 "new"）：自动演示只办理新签约。',
            )
        report = validate(document, today=today)
        if not report.ok:
            first = report.errors[0] if report.errors else None
            where = f"{first.pointer}: {first.message_en}" if first else "its shape is broken"
            where_zh = f"{first.pointer}：{first.message_zh}" if first else "结构有误"
            raise self.fail(
                "document",
                f"{path.name} does not validate ({len(report.errors)} error(s); first {where}).",
                f"{path.name} 未通过校验（{len(report.errors)} 处错误；第一处 {where_zh}）。",
            )
        return cast(dict[str, Any], document)

    def people(self, top: Mapping[str, Any]) -> tuple[str, str]:
        from teller_client.training.seed import STAFF  # scenarios are worked by the training service's staff

        roles = {user_id: staff_roles for user_id, _name, staff_roles in STAFF}
        found = []
        for key, role in (("teller", "teller"), ("supervisor", "supervisor")):
            user_id = self.text_value(top, key)
            if not _USER_ID.match(user_id) or role not in roles.get(user_id, ()):
                known = ", ".join(u for u, r in roles.items() if role in r)
                raise self.fail(
                    key,
                    f"{user_id!r} is not a {role} of the training service ({known}).",
                    f"“{user_id}”不是培训服务的{_ROLE_ZH[role]}（{known}）。",
                )
            found.append(user_id)
        return found[0], found[1]

    def key_type(self, top: Mapping[str, Any]) -> str:
        profile = profile_by_id(SOFTHSM_PROFILE, load_profiles())
        allowed = tuple(profile.keys.types) if profile is not None else ("rsa2048", "ec_p256")
        return self.choice(top, "key_type", allowed, default=allowed[0])

    def expectations(self, table: dict[str, Any], document: Mapping[str, Any]) -> Expectations:
        self.unknown(table, _EXPECT_KEYS, "expect.")
        outcome = self.choice(table, "outcome", tuple(o.value for o in Outcome), "expect.", default=Outcome.COMPLETED.value)
        media = dict(zip(("ukeys", "letters"), expected_media(document), strict=True))
        given: dict[str, int] = {}
        for key, wanted in media.items():
            given[key] = self.integer(table, key, "expect.")
            if outcome == Outcome.COMPLETED and given[key] != wanted:
                what_en = "UKey user(s)" if key == "ukeys" else "new user(s), each with a login password letter"
                what_zh = "个 UKey 用户" if key == "ukeys" else "个新用户（每人一封登录密码信函）"
                raise self.fail(
                    f"expect.{key}",
                    f"the document has {wanted} {what_en}, so a completed run hands over {wanted}, not {given[key]}.",
                    f"文档中有 {wanted} {what_zh}，完成后应交付 {wanted}，而不是 {given[key]}。",
                )
        limits = {key: self.integer(table, key, "expect.") if key in table else None for key in _EXPECT_KEYS[3:]}
        return Expectations(
            ukeys=given["ukeys"],
            letters=given["letters"],
            outcome=Outcome(outcome),
            max_teller_actions=limits["max_teller_actions"],
            max_supervisor_actions=limits["max_supervisor_actions"],
            max_retyped_fields=limits["max_retyped_fields"] if "max_retyped_fields" in table else 0,
        )

    def stock(self, table: dict[str, Any], expect: Expectations) -> Stock:
        self.unknown(table, _STOCK_KEYS, "stock.")
        ukeys = self.integer(table, "ukeys", "stock.", default=expect.ukeys + 1)
        letters = self.integer(table, "letters", "stock.", default=expect.letters + 1)
        if expect.outcome == Outcome.COMPLETED:
            for key, have, need in (("ukeys", ukeys, expect.ukeys), ("letters", letters, expect.letters)):
                if have < need:
                    raise self.fail(
                        f"stock.{key}", f"{have} is fewer than the run hands over ({need}).", f"{have} 少于本次需交付的数量（{need}）。"
                    )
        return Stock(ukeys, letters)

    def faults(self, table: dict[str, Any], mode: str, expect: Expectations) -> Faults:
        self.unknown(table, _FAULT_KEYS, "faults.")
        step: Step | None = None
        if "pull_ukey_at_step" in table:
            steps = [s.value for s in (COUNTER_STEPS if mode == "counter" else PREMADE_STEPS) if s in TOKEN_STEPS]
            step = Step(self.choice(table, "pull_ukey_at_step", tuple(steps), "faults."))
            if expect.ukeys == 0:
                raise self.fail("faults.pull_ukey_at_step", "the run issues no UKey to pull out.", "本次不发放 UKey，无法拔出。")
        reason = self.text_value(table, "return_once", "faults.") if "return_once" in table else None
        return Faults(step, reason)


_ROLE_ZH = {"teller": "柜员", "supervisor": "主管"}


def _toml_line(exc: tomllib.TOMLDecodeError) -> int | None:
    found = re.search(r"line (\d+)", str(exc))
    return int(found.group(1)) if found else None
