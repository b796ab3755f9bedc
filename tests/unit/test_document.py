from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from teller_client.domain.document import canonical_json, read_document, snapshot_hash, to_document
from teller_client.domain.model import AccountType, Credential, RequestKind, Role
from teller_client.domain.validation import validate
from tests.support.documents import TODAY, valid_document


def test_valid_document_reads_into_the_model() -> None:
    app, problems = read_document(valid_document(), TODAY)
    assert problems == []
    assert app is not None
    assert app.request is RequestKind.NEW
    assert app.customer.uscc == "91350200M000100Y48"
    assert app.accounts[0].type is AccountType.BASIC and app.accounts[0].can_pay
    assert app.users[0].role is Role.ADMIN and app.users[0].credential is Credential.UKEY
    assert app.users[1].accounts == ("6222021001000012345",)
    assert app.users[0].limits.per_txn == Decimal("500000.00")


def test_round_trip_is_exact_for_a_normalised_document() -> None:
    doc = valid_document()
    app, _ = read_document(doc, TODAY)
    assert app is not None
    out = to_document(app)
    assert out == doc
    again, problems = read_document(json.loads(json.dumps(out)), TODAY)
    assert problems == [] and again == app


def test_reading_normalises_identifiers_so_the_hash_is_stable() -> None:
    messy = valid_document()
    messy["customer"]["uscc"] = " 91350200m000100y48 "
    messy["customer"]["contact"]["mobile"] = "+86 138-0013-8000"
    messy["accounts"][0]["number"] = "6222 0210 0100 0012 345"
    messy["users"][0]["limits"]["per_txn"] = "500000"
    clean_app, _ = read_document(valid_document(), TODAY)
    messy_app, problems = read_document(messy, TODAY)
    assert problems == []
    assert clean_app is not None and messy_app is not None
    assert snapshot_hash(messy_app) == snapshot_hash(clean_app)


def test_canonical_json_sorts_keys_without_spaces_and_keeps_chinese_as_utf8() -> None:
    assert canonical_json({"b": 1, "a": {"y": "张三", "x": [1, 2]}}) == '{"a":{"x":[1,2],"y":"张三"},"b":1}'.encode()
    assert canonical_json({"b": 1, "a": 2}) == canonical_json({"a": 2, "b": 1})


def test_snapshot_hash_is_sha256_of_canonical_json() -> None:
    app, _ = read_document(valid_document(), TODAY)
    assert app is not None
    # Spelled out independently of the code: a change to the canonical form would void every signed-off snapshot.
    body = json.dumps(valid_document(), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert snapshot_hash(app) == hashlib.sha256(body).hexdigest()


def test_any_change_changes_the_snapshot_hash() -> None:
    base, _ = read_document(valid_document(), TODAY)
    changed_doc = valid_document()
    changed_doc["accounts"][1]["rights"] = ["query"]
    changed, _ = read_document(changed_doc, TODAY)
    assert base is not None and changed is not None
    assert snapshot_hash(base) != snapshot_hash(changed)


def test_unknown_fields_are_ignored() -> None:
    doc = valid_document()
    doc["printed_by"] = "form service 2.3"
    doc["customer"]["industry"] = "trade"
    app, problems = read_document(doc, TODAY)
    assert problems == [] and app is not None
    assert "printed_by" not in to_document(app)


def test_missing_and_mistyped_fields_are_named_by_pointer() -> None:
    doc = valid_document()
    del doc["customer"]["uscc"]
    doc["users"][2]["role"] = "boss"
    doc["accounts"][1]["rights"] = "pay"
    doc["users"][0]["limits"]["daily"] = 2000000  # a number, not a decimal string
    doc["created_at"] = "2026-11-20 09:12"
    app, problems = read_document(doc, TODAY)
    assert app is None
    found = {(p.pointer, p.code) for p in problems}
    assert found == {
        ("/customer/uscc", "required"),
        ("/users/2/role", "not_allowed"),
        ("/accounts/1/rights", "wrong_type"),
        ("/users/0/limits/daily", "wrong_type"),
        ("/created_at", "datetime_format"),
    }


def test_not_an_object() -> None:
    app, problems = read_document(["eform/1"], TODAY)
    assert app is None and [p.code for p in problems] == ["wrong_type"]


def test_a_deliberately_broken_application_lists_every_problem_in_both_languages() -> None:
    doc = valid_document()
    doc["customer"]["uscc"] = "91350200M000100Y47"  # check character changed
    doc["customer"]["legal_rep"]["id_number"] = "110105491231002"  # legacy 15 digits
    doc["customer"]["contact"]["mobile"] = "1380013800"
    doc["accounts"][1]["currency"] = "RMB"
    doc["accounts"].append({"number": "6222021001000012345", "relation": "other_bank", "type": "basic",
                            "currency": "CNY", "bank_code": None, "rights": ["query"]})  # fmt: skip
    doc["users"][2]["id_number"] = "440304198811112340"
    doc["users"][1]["accounts"] = ["6222021001000055555"]
    doc["users"][1]["limits"] = {"per_txn": "3000000.00", "daily": "2000000.00"}
    doc["users"][2]["credential"] = "password"
    doc["users"][2]["role"] = "authorizer"
    doc["users"][0]["role"] = "viewer"
    doc["services"].append({"channel": "bank_direct_link", "bundle": "payments_advanced", "mode": "standard", "functions": []})
    doc["fees"] = {"waiver_requested": True, "reason": None}
    report = validate(doc, today=TODAY)
    assert not report.ok
    found = [(p.pointer, p.code) for p in report.problems]
    assert found == [
        ("/customer/uscc", "uscc_check_character"),
        ("/customer/legal_rep/id_number", "resident_id_legacy"),
        ("/customer/contact/mobile", "mobile_format"),
        ("/accounts/1/currency", "currency_unknown"),
        ("/accounts/2/number", "duplicate_account"),
        ("/accounts/2/relation", "basic_account_not_own"),
        ("/accounts/2/bank_code", "other_bank_needs_bank_code"),
        ("/users/1/limits/per_txn", "limit_order"),
        ("/users/1/accounts/0", "user_account_unknown"),
        ("/users/2/id_number", "resident_id_check_character"),
        ("/users/2/credential", "payment_rights_need_certificate"),
        ("/services/1/bundle", "bundle_unknown"),
        ("/services/1/channel", "direct_link_needs_bank_code"),
        ("/fees/reason", "waiver_needs_reason"),
    ]
    for p in report.problems:
        assert p.message_zh and p.message_en and p.message_zh != p.message_en
        assert any("\u4e00" <= ch <= "\u9fff" for ch in p.message_zh), p
        assert p.message_en.isascii(), p
    assert report.to_dict()["problems"][0] == {
        "field": "/customer/uscc",
        "code": "uscc_check_character",
        "severity": "error",
        "message": report.problems[0].message_en,
        "message_zh": report.problems[0].message_zh,
    }


def test_organisation_code_warning_does_not_block() -> None:
    doc = valid_document()
    doc["customer"]["uscc"] = "91350200MA31ABCD1G"
    report = validate(doc, today=TODAY)
    assert report.ok
    assert [(p.pointer, p.code, p.overridable) for p in report.warnings] == [("/customer/uscc", "uscc_org_code", True)]
    assert report.at("/customer") == report.warnings


def test_expiry_before_creation_and_bad_form_id() -> None:
    doc = valid_document()
    doc["expires_at"] = "2026-11-01T00:00:00+08:00"
    doc["form_id"] = "ef-1"
    codes = {(p.pointer, p.code) for p in validate(doc, today=TODAY).problems}
    assert codes == {("/expires_at", "expires_before_created"), ("/form_id", "form_id_format")}
