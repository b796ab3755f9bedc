"""Remake the autopilot scenarios' documents (``*.json`` beside this script); optionally print their e-forms for a day.

Run from anywhere with the project's virtualenv::

    .venv/bin/python resources/scenarios/make_scenarios.py              # rewrite standard.json, large-group.json, paper-form.json
    .venv/bin/python resources/scenarios/make_scenarios.py --check      # exit 1 when a document is not what this script makes
    .venv/bin/python resources/scenarios/make_scenarios.py --print OUT [--business-date 2026-11-23]
                                        # OUT/<scenario>.txt (symbol texts) and .pdf (the printable form), stamped for
                                        # that business date and signed with the training key: for a scanner demo

The documents are deterministic: every identifier is built with the domain's own check-character functions
(USCC with a valid organisation code, resident ID numbers), so they pass every check of ``teller-client validate``
with no warning. Their ``created_at`` / ``expires_at`` are placeholders: the autopilot stamps them relative to the
training business date when it runs and generates the barcode texts then (see README.md), so the scenarios never
expire and no symbol texts are kept here.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the checkout, when run as a script

from teller_client.domain.identifiers import make_resident_id, make_uscc, org_code_check_character  # noqa: E402

CREATED = "2026-11-20T09:30:00+08:00"
EXPIRES = "2027-11-25T00:00:00+08:00"
"""Placeholders (valid, so the file validates on its own); replaced at run time by :meth:`Scenario.intake`."""
LIMITS = {"per_txn": "500000.00", "daily": "2000000.00"}


def uscc(body8: str) -> str:
    """A valid USCC of a Xiamen company (division 350200) whose organisation code is ``body8`` + its check character."""
    check = org_code_check_character(body8)
    assert check is not None, body8
    return make_uscc("91350200" + body8 + check)


def resident_id(birth: str, sequence: int, region: str = "350203") -> str:
    return make_resident_id(f"{region}{birth}{sequence:03d}")


def account(
    number: str, relation: str = "own", type_: str = "general", rights: tuple[str, ...] = ("query", "pay"), **extra: Any
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "number": number,
        "relation": relation,
        "type": type_,
        "currency": "CNY",
        "bank_code": None,
        "rights": list(rights),
    }
    doc.update(extra)
    return doc


def user(name: str, id_number: str, mobile: str, role: str, credential: str, accounts: Any = "all") -> dict[str, Any]:
    return {
        "name": name,
        "id_type": "resident_id",
        "id_number": id_number,
        "mobile": mobile,
        "role": role,
        "credential": credential,
        "accounts": accounts,
        "limits": dict(LIMITS),
    }


def document(
    form_id: str, customer: dict[str, Any], accounts: list[dict[str, Any]], users: list[dict[str, Any]], services: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "schema": "eform/1",
        "form_id": form_id,
        "created_at": CREATED,
        "expires_at": EXPIRES,
        "request": "new",
        "customer": customer,
        "accounts": accounts,
        "users": users,
        "services": services,
        "fees": {"waiver_requested": False, "reason": None},
    }


def standard() -> dict[str, Any]:
    """E-form: a trading company, 2 own accounts, 3 users (2 UKey, 1 password), online banking's standard bundle."""
    basic, general = "35001880000700010001", "35001880000700010002"
    return document(
        "EFTRAINSTD0001",
        {
            "name": "厦门鹭岛贸易有限公司",
            "uscc": uscc("MA8K3T5P"),
            "kind": "real",
            "group_uscc": None,
            "legal_rep": {"name": "陈国华", "id_type": "resident_id", "id_number": resident_id("19720415", 31)},
            "contact": {
                "name": "林晓梅",
                "mobile": "13905920101",
                "email": "finance@ludao-trade.example.cn",
                "address": "厦门市思明区鹭江道88号",
            },
        },
        [account(basic, "own", "basic"), account(general, "own", "general")],
        [
            user("陈志明", resident_id("19800312", 15), "13905920102", "admin", "ukey"),
            user("黄丽华", resident_id("19880607", 24), "13905920103", "maker", "ukey", [basic]),
            user("吴晓东", resident_id("19930921", 57), "13905920104", "viewer", "password"),
        ],
        [{"channel": "corporate_online_banking", "bundle": "payments_standard", "mode": "standard", "functions": []}],
    )


def large_group() -> dict[str, Any]:
    """E-form: a group's virtual customer for cash management, 20 accounts, 10 users (7 UKey, 3 password)."""
    own = [f"350018800007002{n:05d}" for n in range(1, 9)]
    subsidiary = [f"350018800007003{n:05d}" for n in range(1, 13)]
    accounts = [account(own[0], "own", "basic", ("query", "pay", "collect"))]
    accounts += [account(number, "own", "general") for number in own[1:]]
    accounts += [
        account(number, "subsidiary", "general", ("query",) if n % 3 == 2 else ("query", "pay")) for n, number in enumerate(subsidiary)
    ]
    accounts[-1]["currency"] = "USD"
    people = [
        ("郑海涛", "19750108", 11, "admin", "ukey", "all"),
        ("许美玲", "19820519", 22, "maker", "ukey", own[:4]),
        ("蔡俊杰", "19850826", 33, "maker", "ukey", own[4:] + subsidiary[:4]),
        ("洪雅琴", "19790330", 44, "checker", "ukey", "all"),
        ("庄建国", "19701211", 55, "authorizer", "ukey", "all"),
        ("苏婉婷", "19910714", 66, "checker", "ukey", subsidiary),
        ("柯志强", "19870203", 77, "maker", "ukey", subsidiary[4:]),
        ("叶文静", "19950925", 88, "viewer", "password", "all"),
        ("施嘉豪", "19960617", 99, "viewer", "password", own),
        ("李秋萍", "19890428", 101, "viewer", "password", subsidiary),
    ]
    users = [
        user(name, resident_id(birth, seq), f"139059202{i:02d}", role, cred, accounts_)
        for i, (name, birth, seq, role, cred, accounts_) in enumerate(people)
    ]
    return document(
        "EFTRAINGRP0001",
        {
            "name": "鹭江海丝集团资金结算中心",
            "uscc": uscc("MA9LJ8R3"),
            "kind": "virtual",
            "group_uscc": uscc("MA9LJ7Q2"),
            "legal_rep": {"name": "郑海涛", "id_type": "resident_id", "id_number": resident_id("19750108", 11)},
            "contact": {
                "name": "王佳怡",
                "mobile": "13905920299",
                "email": "treasury@haisi-group.example.cn",
                "address": "厦门市湖里区海丝大道1号",
            },
        },
        accounts,
        users,
        [
            {"channel": "corporate_online_banking", "bundle": "payments_advanced", "mode": "advanced", "functions": []},
            {"channel": "cash_management", "bundle": "cash_pool_standard", "mode": "standard", "functions": []},
        ],
    )


def paper_form() -> dict[str, Any]:
    """Paper: a small workshop, 1 account, 3 users (2 UKey, 1 password), typed at the counter from the paper form."""
    basic = "35001880000700040001"
    return document(
        "PFTRAIN0001",
        {
            "name": "厦门同安精工机械厂",
            "uscc": uscc("MA7DXN4H"),
            "kind": "real",
            "group_uscc": None,
            "legal_rep": {"name": "杨德才", "id_type": "resident_id", "id_number": resident_id("19680902", 13, "350212")},
            "contact": {"name": "杨敏", "mobile": "13905920401", "email": None, "address": "厦门市同安区工业集中区5号"},
        },
        [account(basic, "own", "basic")],
        [
            user("杨德才", resident_id("19680902", 13, "350212"), "13905920402", "admin", "ukey"),
            user("杨敏", resident_id("19920311", 28, "350212"), "13905920401", "maker", "ukey"),
            user("刘春燕", resident_id("19900716", 46, "350212"), "13905920403", "viewer", "password"),
        ],
        [{"channel": "corporate_online_banking", "bundle": "payments_standard", "mode": "standard", "functions": []}],
    )


DOCUMENTS = {"standard": standard, "large-group": large_group, "paper-form": paper_form}


def text(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def write(check: bool) -> int:
    stale = []
    for name, make in DOCUMENTS.items():
        path = HERE / f"{name}.json"
        wanted = text(make())
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != wanted:
            stale.append(path.name)
            if not check:
                path.write_text(wanted, encoding="utf-8")
        print(f"{path.name}: {'out of date' if check and current != wanted else 'written' if current != wanted else 'unchanged'}")
    return 1 if check and stale else 0


def print_forms(out: Path, business_date: date | None) -> int:
    """Each e-form scenario's symbol texts and printable form, stamped for ``business_date`` (default: today in China)."""
    from teller_client.documents.eform_form import render_eform_pdf
    from teller_client.flows.scenario import load_scenario, shipped_scenarios

    out.mkdir(parents=True, exist_ok=True)
    for path in shipped_scenarios():
        scenario = load_scenario(path)
        if scenario.intake_kind != "eform":
            continue
        intake = scenario.intake(business_date)
        (out / f"{scenario.name}.txt").write_text("\n".join(intake.barcode_texts) + "\n", encoding="ascii")
        (out / f"{scenario.name}.pdf").write_bytes(render_eform_pdf(intake.document, list(intake.barcode_texts), training=True))
        print(f"{scenario.name}: {len(intake.barcode_texts)} barcode(s), valid until {intake.document['expires_at']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say whether the documents are up to date (exit 1 if not)")
    parser.add_argument("--print", dest="out", type=Path, metavar="OUT", help="write stamped symbol texts and PDFs there")
    parser.add_argument("--business-date", type=date.fromisoformat, help="the training business date to stamp for (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    if args.out is not None:
        return print_forms(args.out, args.business_date)
    return write(args.check)


if __name__ == "__main__":
    raise SystemExit(main())
