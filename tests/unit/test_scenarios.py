"""The autopilot's scenarios: every shipped one loads, its application validates, its barcodes decode to it signed
with the training key on any date; a broken scenario file is refused naming the line and the key; the report."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from teller_client.domain.bank_time import BANK_TIME
from teller_client.domain.catalogue import load_catalogue
from teller_client.domain.validation import validate
from teller_client.eform import TRAINING_KID, TrustedKeys, decode_symbols
from teller_client.eform.errors import EformError
from teller_client.flows.autopilot_report import AutopilotReport, MediaCount, Outcome, ReportError, StepClock
from teller_client.flows.issuance import Step
from teller_client.flows.scenario import (
    Scenario,
    ScenarioError,
    expected_media,
    load_scenario,
    scenario_path,
    shipped_scenarios,
    stamp_document,
)
from teller_client.flows.signing import Page
from teller_client.flows.signing_session import paper_document
from teller_client.resources import resource_path
from tests.support.documents import TODAY

SCENARIOS = {path.stem: path for path in shipped_scenarios()}
NOON = datetime.combine(TODAY, time(12, 0), BANK_TIME)
FAR = date(2041, 3, 7)


def test_the_named_scenarios_ship() -> None:
    assert {"standard", "large-group", "paper-form", "demo-faults"} <= set(SCENARIOS)
    assert scenario_path("standard") == SCENARIOS["standard"]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_shipped_scenario_loads_and_its_document_validates_with_no_problem_today_and_in_years(name: str) -> None:
    scenario = load_scenario(SCENARIOS[name], today=TODAY)
    assert scenario.name == name and scenario.description and scenario.language in ("zh", "en")
    assert scenario.teller.startswith("T") and scenario.supervisor.startswith("S")
    for day in (TODAY, FAR):
        document = scenario.intake(day, now=datetime.combine(day, time(10), BANK_TIME)).document
        report = validate(document, today=day)
        assert report.ok and report.problems == (), [p.to_dict() for p in report.problems]
    assert (scenario.expect.ukeys, scenario.expect.letters) == expected_media(scenario.template())
    assert scenario.stock.ukeys >= scenario.expect.ukeys and scenario.stock.letters >= scenario.expect.letters


@pytest.mark.parametrize("name", sorted(n for n in SCENARIOS if load_scenario(SCENARIOS[n]).intake_kind == "eform"))
@pytest.mark.parametrize(
    ("business_date", "wall"),
    [(TODAY, NOON), (FAR, datetime.combine(FAR, time(23, 59), BANK_TIME)), (TODAY + timedelta(days=40), NOON)],
    ids=["today", "years-later", "training-clock-ahead"],
)
def test_the_barcodes_decode_to_the_stamped_document_signed_with_the_training_key(name: str, business_date: date, wall: datetime) -> None:
    scenario = load_scenario(SCENARIOS[name], today=TODAY)
    intake = scenario.intake(business_date, now=wall)
    assert intake.kind == "eform" and intake.typed == () and len(intake.barcode_texts) >= 1
    assert all(text.startswith("EF1:") and text.isascii() and text == text.upper() for text in intake.barcode_texts)
    # scanned in any order, on the business date and a year later (the clock the scanner checks expiry against)
    for now in (wall, wall + timedelta(days=365)):
        form = decode_symbols(reversed(intake.barcode_texts), trusted=TrustedKeys(training=True), now=now)
        assert form.verified and form.kid == TRAINING_KID and form.document == intake.document
    # only the dates were stamped; a deployment that does not trust the training key refuses the form
    assert {k: v for k, v in intake.document.items() if not k.endswith("_at")} == {
        k: v for k, v in scenario.template().items() if not k.endswith("_at")
    }
    with pytest.raises(EformError) as refused:
        decode_symbols(intake.barcode_texts, trusted=TrustedKeys(), now=wall)
    assert refused.value.code != "expired"


def test_stamping_covers_the_business_date_and_the_next_year_whichever_clock_is_ahead() -> None:
    template = load_scenario(SCENARIOS["standard"]).template()
    for business_date, wall in ((TODAY, NOON), (TODAY + timedelta(days=30), NOON), (TODAY - timedelta(days=30), NOON)):
        stamped = stamp_document(template, business_date, now=wall)
        created, expires = datetime.fromisoformat(stamped["created_at"]), datetime.fromisoformat(stamped["expires_at"])
        earlier, later = min(business_date, wall.date()), max(business_date, wall.date())
        assert created.date() < earlier and created.utcoffset() == timedelta(hours=8)
        assert expires.date() > later + timedelta(days=365)
    assert stamp_document(template, TODAY, now=NOON) == stamp_document(template, TODAY, now=NOON)  # deterministic
    assert template["created_at"] == load_scenario(SCENARIOS["standard"]).template()["created_at"]  # the template is not touched


def test_the_standard_scenario_is_the_standard_case() -> None:
    scenario = load_scenario(SCENARIOS["standard"])
    doc = scenario.template()
    credentials = Counter(u["credential"] for u in doc["users"])
    assert scenario.intake_kind == "eform" and scenario.sign_off == "desk" and scenario.certificate_mode == "counter"
    assert len(doc["accounts"]) == 2 and len(doc["users"]) == 3 and credentials == {"ukey": 2, "password": 1}
    [service] = doc["services"]
    bundle = load_catalogue().bundles[service["bundle"]]
    assert service["mode"] == "standard" and bundle.mode.value == "standard" and bundle.channel.value == service["channel"]
    assert scenario.expect.max_teller_actions == 15 and scenario.expect.max_retyped_fields == 0
    assert scenario.bench_options() == {
        "ukeys": 3, "premade_ukeys": 0, "premade_key_type": "rsa2048", "letters": 4, "teller": "T0001", "supervisor": "S0001",
    }  # fmt: skip


def test_the_large_group_has_20_accounts_and_10_users_some_with_passwords_and_needs_several_barcodes() -> None:
    scenario = load_scenario(SCENARIOS["large-group"])
    doc = scenario.template()
    credentials = Counter(u["credential"] for u in doc["users"])
    assert len(doc["accounts"]) == 20 and len(doc["users"]) == 10 and credentials["password"] >= 1
    assert doc["customer"]["kind"] == "virtual" and any(a["relation"] == "subsidiary" for a in doc["accounts"])
    assert (scenario.expect.ukeys, scenario.expect.letters) == (credentials["ukey"], 10)
    assert len(scenario.intake(TODAY, now=NOON).barcode_texts) > 1


def test_the_paper_form_lists_what_the_teller_types_and_typing_it_makes_the_document() -> None:
    scenario = load_scenario(SCENARIOS["paper-form"])
    intake = scenario.intake(TODAY, now=NOON)
    assert intake.kind == "paper" and intake.barcode_texts == ()
    pages = [field.page for field in intake.typed]
    assert pages == sorted(pages, key=[Page.CUSTOMER, Page.ACCOUNTS, Page.USERS, Page.SERVICES, Page.FEES].index)
    typed = paper_document()
    for field in intake.typed:
        node: Any = typed
        parts = field.pointer.strip("/").split("/")
        for part in parts[:-1]:
            if isinstance(node, list):
                while len(node) <= int(part):
                    node.append({})
                node = node[int(part)]
            else:
                node = node.setdefault(part, {})
        node[parts[-1]] = copy.deepcopy(field.value)
    for key in ("customer", "accounts", "users", "services", "fees"):
        assert typed[key] == intake.document[key], key
    assert {"/customer/uscc", "/accounts/0/number", "/users/2/credential"} <= {f.pointer for f in intake.typed}
    assert "/customer/kind" not in {f.pointer for f in intake.typed}  # a blank paper form already says "real"


def test_fixed_barcodes_are_used_as_they_are(tmp_path: Path) -> None:
    folder = _copy_standard(tmp_path)
    (folder / "old.txt").write_text("EF1:X:1:1:00000000:AAAA\n\n", encoding="ascii")
    path = _write(folder, _STANDARD.replace('document = "standard.json"', 'document = "standard.json"\nbarcodes = "old.txt"'))
    intake = load_scenario(path).intake(TODAY, now=NOON)
    assert intake.barcode_texts == ("EF1:X:1:1:00000000:AAAA",)


def test_the_documents_are_what_the_generator_makes() -> None:
    script = resource_path("scenarios", "make_scenarios.py")
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


# -- broken scenario files --------------------------------------------------------------------------------------

_STANDARD = """\
format = 1
name = "broken"
description = "a copy of the standard scenario, broken one way per test"
language = "zh"
intake = "eform"
document = "standard.json"
teller = "T0001"
supervisor = "S0001"
sign_off = "desk"
certificate_mode = "counter"
key_type = "rsa2048"

[expect]
ukeys = 2
letters = 3
max_teller_actions = 15

[faults]
pull_ukey_at_step = "key"
"""


def _copy_standard(tmp_path: Path) -> Path:
    shutil.copy(SCENARIOS["standard"].parent / "standard.json", tmp_path / "standard.json")
    return tmp_path


def _write(folder: Path, text: str) -> Path:
    path = folder / "broken.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "key", "line", "words"),
    [
        ('teller = "T0001"', 'teler = "T0001"', "teler", 7, "unknown key"),
        ('teller = "T0001"', 'teller = "S0001"', "teller", 7, "not a teller"),
        ('supervisor = "S0001"', 'supervisor = "T0002"', "supervisor", 8, "not a supervisor"),
        ('sign_off = "desk"', 'sign_off = "remote"', "sign_off", 9, '"desk" | "queue"'),
        ('intake = "eform"', 'intake = "scan"', "intake", 5, '"eform" | "paper"'),
        ('key_type = "rsa2048"', 'key_type = "sm2"', "key_type", 11, "rsa2048"),
        ("ukeys = 2", "ukeys = 3", "expect.ukeys", 14, "2 UKey user(s)"),
        ("letters = 3", "letters = 1", "expect.letters", 15, "3 new user(s)"),
        ("max_teller_actions = 15", 'max_teller_actions = "few"', "expect.max_teller_actions", 16, "whole number"),
        ("max_teller_actions = 15", "max_teller_action = 15", "expect.max_teller_action", 16, "unknown key"),
        ('pull_ukey_at_step = "key"', 'pull_ukey_at_step = "ledger"', "faults.pull_ukey_at_step", 19, '"key"'),
        ("format = 1", "format = 2", "format", 1, "format 1"),
        ('name = "broken"', 'name = "Broken Case"', "name", 2, "lower-case"),
        ('document = "standard.json"', 'document = "missing.json"', "document", 6, "no such file"),
        ("[expect]\nukeys = 2\nletters = 3\nmax_teller_actions = 15\n", "", "expect", None, "[expect] table is missing"),
        ('intake = "eform"', 'intake = "eform"\nbarcodes = 7', "barcodes", 6, "non-empty text"),
        ("[faults]", "[stock]\nletters = 2\n\n[faults]", "stock.letters", 19, "fewer than"),
    ],
)
def test_a_broken_scenario_is_refused_naming_the_line_and_the_key(
    tmp_path: Path, old: str, new: str, key: str, line: int | None, words: str
) -> None:
    assert old in _STANDARD
    path = _write(_copy_standard(tmp_path), _STANDARD.replace(old, new, 1))
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path, today=TODAY)
    error = refused.value
    assert error.key == key and error.line == line and error.path == path
    where = f"broken.toml, line {line}: {key}: " if line else f"broken.toml: {key}: "
    assert error.message_en.startswith(where) and words in error.message_en, error.message_en
    assert key in error.message_zh and error.code == "scenario_invalid"


def test_a_scenario_that_is_not_toml_is_refused_with_its_line(tmp_path: Path) -> None:
    path = _write(_copy_standard(tmp_path), _STANDARD.replace('sign_off = "desk"', "sign_off = desk"))
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path)
    assert refused.value.line == 9 and "not valid TOML" in refused.value.message_en


def test_a_scenario_whose_document_breaks_a_rule_is_refused_naming_the_field(tmp_path: Path) -> None:
    folder = _copy_standard(tmp_path)
    doc = json.loads((folder / "standard.json").read_text(encoding="utf-8"))
    doc["customer"]["uscc"] = doc["customer"]["uscc"][:-1] + ("0" if doc["customer"]["uscc"][-1] != "0" else "1")
    (folder / "standard.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        load_scenario(_write(folder, _STANDARD))
    assert refused.value.key == "document" and refused.value.line == 6
    assert "standard.json does not validate" in refused.value.message_en and "/customer/uscc" in refused.value.message_en


def test_a_scenario_signs_new_customers_on_only(tmp_path: Path) -> None:
    folder = _copy_standard(tmp_path)
    doc = json.loads((folder / "standard.json").read_text(encoding="utf-8"))
    doc["request"] = "modify"
    (folder / "standard.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        load_scenario(_write(folder, _STANDARD))
    assert refused.value.key == "document" and "new signing" in refused.value.message_en


def test_barcodes_belong_to_an_eform_only(tmp_path: Path) -> None:
    folder = _copy_standard(tmp_path)
    (folder / "old.txt").write_text("EF1:X:1:1:00000000:AAAA\n", encoding="ascii")
    text = _STANDARD.replace('intake = "eform"', 'intake = "paper"').replace(
        'document = "standard.json"', 'document = "standard.json"\nbarcodes = "old.txt"'
    )
    with pytest.raises(ScenarioError) as refused:
        load_scenario(_write(folder, text))
    assert refused.value.key == "barcodes" and refused.value.line == 7


def test_the_readme_example_error_is_what_the_loader_says(tmp_path: Path) -> None:
    readme = resource_path("scenarios", "README.md").read_text(encoding="utf-8")
    standard = SCENARIOS["standard"].read_text(encoding="utf-8")
    path = tmp_path / "standard.toml"
    path.write_text(standard.replace("ukeys = 2", "ukeys = 3"), encoding="utf-8")
    shutil.copy(SCENARIOS["standard"].parent / "standard.json", tmp_path)
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path)
    assert f"`{refused.value.message_en}`".replace("\n", " ") in readme.replace("\n", " ")


# -- the report ---------------------------------------------------------------------------------------------------


def test_the_step_clock_times_each_page_as_it_is_entered() -> None:
    ticks = iter([0.0, 1.5, 1.75, 4.0, 4.0])
    clock = StepClock(lambda: next(ticks))
    clock.enter(Page.INTAKE)
    clock.enter(Page.CUSTOMER)
    clock.enter(Page.ACCOUNTS)
    clock.enter(Page.CUSTOMER)  # Back
    assert clock.current == "customer"
    clock.stop()
    assert [(s.page, s.seconds) for s in clock.steps] == [("intake", 1.5), ("customer", 0.25), ("accounts", 2.25), ("customer", 0.0)]


def test_the_report_checks_the_expectations_and_round_trips_as_json() -> None:
    scenario: Scenario = load_scenario(SCENARIOS["standard"])
    report = AutopilotReport(
        scenario=scenario.name,
        outcome=Outcome.COMPLETED,
        application_id="AP20261123000001",
        agreement_no="AG20261123000004",
        teller_actions=12,
        supervisor_actions=6,
        media=MediaCount(ukeys=2, letters=3),
        started_at=NOON,
    )
    clock = StepClock(iter([0.0, 2.0, 3.0]).__next__)
    clock.enter(Page.INTAKE)
    clock.enter(Page.CUSTOMER)
    clock.stop()
    report.steps = clock.steps
    assert all(c.ok for c in report.check(scenario.expect))
    assert report.exit_code == 0
    data = json.loads(report.to_json())
    assert data["outcome"] == "completed" and data["ok"] is True and data["retyped_fields"] == [] and data["seconds"] == 3.0
    assert data["steps"] == [{"page": "intake", "seconds": 2.0}, {"page": "customer", "seconds": 1.0}]
    assert data["media"] == {"ukeys": 2, "letters": 3} and data["started_at"] == "2026-11-23T12:00:00+08:00"
    assert {c["name"] for c in data["checks"]} == {"outcome", "ukeys", "letters", "max_teller_actions", "max_retyped_fields"}
    assert AutopilotReport.from_json(report.to_json()).to_dict() == report.to_dict()

    report.teller_actions = 16
    report.retyped_fields = ["/customer/uscc"]
    report.add_error(EformError("expired", "Form expired.", "表单已过期。"), page="intake")
    report.add_error(RuntimeError("boom"))
    failed = {c.name for c in report.check(scenario.expect) if not c.ok}
    assert failed == {"max_teller_actions", "max_retyped_fields"}
    assert report.exit_code == 1
    assert report.errors == [
        ReportError("expired", "Form expired.", "表单已过期。", "intake"),
        ReportError("unexpected", "RuntimeError: boom", "RuntimeError：boom", None),
    ]
    assert "max_teller_actions" in report.summary("en") and "未通过" in report.summary("zh")


def test_a_run_that_did_not_complete_fails_its_checks_whatever_it_counted() -> None:
    report = AutopilotReport(scenario="standard", outcome=Outcome.FAILED, media=MediaCount(2, 3))
    unchecked = report.ok
    checks = report.check(load_scenario(SCENARIOS["standard"]).expect)
    assert not unchecked and [c.name for c in checks if not c.ok] == ["outcome"] and report.exit_code == 1


def test_a_demo_scenario_carries_its_faults() -> None:
    faults = load_scenario(SCENARIOS["demo-faults"]).faults
    assert faults.pull_ukey_at_step is Step.KEY and faults.return_once
