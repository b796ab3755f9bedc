from __future__ import annotations

from decimal import Decimal

from teller_client.domain.catalogue import load_catalogue
from teller_client.domain.document import read_document
from teller_client.domain.fees import quote
from teller_client.domain.model import Application, Channel
from tests.support.documents import TODAY, group_document, user, valid_document


def _app(doc: dict) -> Application:  # type: ignore[type-arg]
    app, problems = read_document(doc, TODAY)
    assert app is not None, problems
    return app


def test_annual_bundle_fees_and_a_ukey_per_certificate_user() -> None:
    cat = load_catalogue()
    q = quote(_app(group_document()), cat)
    bundle_fees = cat.bundles["payments_standard"].annual_fee + cat.bundles["cash_pool_standard"].annual_fee
    assert [line.code for line in q.lines] == ["annual:corporate_online_banking", "annual:cash_management", "ukey"]
    assert q.lines[-1].quantity == 3
    assert q.total == bundle_fees + 3 * cat.ukey_fee.unit_fee
    assert not q.needs_supervisor_approval
    assert q.payable() == q.total


def test_custom_mode_is_charged_the_channel_custom_fee_and_password_users_need_no_key() -> None:
    cat = load_catalogue()
    doc = valid_document()
    doc["services"] = [{"channel": "e_bills", "bundle": None, "mode": "custom", "functions": ["e_bill_operations.issue.entry"]}]
    doc["users"].append(user("孙八", "110101197501010012", "viewer", "password"))
    q = quote(_app(doc), cat)
    assert q.lines[0].unit == cat.channels[Channel.E_BILLS].custom_annual_fee
    assert q.lines[1].quantity == 3  # four users, one of them password-only
    assert q.lines[1].amount == 3 * cat.ukey_fee.unit_fee


def test_waiver_is_a_request_for_the_supervisor() -> None:
    cat = load_catalogue()
    doc = valid_document()
    doc["fees"] = {"waiver_requested": True, "reason": "战略客户首年减免"}
    q = quote(_app(doc), cat)
    assert q.total > Decimal("0")
    assert q.needs_supervisor_approval
    assert q.payable(waiver_approved=False) == q.total
    assert q.payable(waiver_approved=True) == Decimal("0.00")
    assert q.waiver_reason == "战略客户首年减免"


def test_waiver_on_nothing_needs_no_approval() -> None:
    cat = load_catalogue()
    doc = valid_document()
    doc["services"] = [{"channel": "e_bills", "bundle": "ebills_standard", "mode": "standard", "functions": []}]
    doc["users"] = [user("孙八", "110101197501010012", "viewer", "password")]
    doc["fees"] = {"waiver_requested": True, "reason": "x"}
    q = quote(_app(doc), cat)
    assert cat.bundles["ebills_standard"].annual_fee == Decimal("0.00")
    assert q.total == Decimal("0.00") and not q.needs_supervisor_approval
