"""The training central service over real HTTP, driven with plain ``requests``.

Every response is checked against the OpenAPI document (status, media type
and body) by :meth:`Api.call`, refusals included, so the service cannot drift
from the contract without a test failing. One server serves most of the
module; moving the training clock and TLS get servers of their own.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from teller_client.api.contract import load_contract
from teller_client.training.ca import TrainingCA
from teller_client.training.hashing import PASSWORD_ALPHABET
from teller_client.training.seed import CUSTOMERS, training_uscc
from teller_client.training.server import TrainingServer
from tests.support.documents import ORG_CODE_WARNING_USCC, valid_document

pytestmark = pytest.mark.integration

TRAINING_DAY = date(2026, 11, 23)
_AUTO = object()


# -- a contract-checking client ---------------------------------------------------------------------


class Api:
    """Plain ``requests`` against one server; every response is checked against the contract."""

    def __init__(self, base_url: str, verify: bool | str = True) -> None:
        self.base = base_url + "/api/v1"
        self.http = requests.Session()
        self.verify = verify  # per request: REQUESTS_CA_BUNDLE in the environment would override Session.verify
        self.checked = 0

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        key: Any = _AUTO,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
    ) -> requests.Response:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if key is _AUTO:
            key = str(uuid.uuid4()) if method == "POST" and path != "/sessions" else None
        if key is not None:
            sent["Idempotency-Key"] = key
        response = self.http.request(
            method, self.base + path, json=json, params=params, headers=sent, data=data, timeout=30, verify=self.verify
        )
        self.check(response)
        return response

    def check(self, response: requests.Response) -> None:
        """Assert that the response is one the contract documents: status, media type and body schema."""
        method = str(response.request.method)
        path = urlparse(str(response.request.url)).path
        content_type = response.headers.get("Content-Type", "")
        body = response.json() if response.content else None
        if response.status_code >= 400:
            assert content_type.startswith("application/problem+json"), (method, path, response.status_code, content_type)
            assert body["status"] == response.status_code and body["type"].endswith("/" + body["code"])
        elif body is not None:
            assert content_type.startswith("application/json"), (method, path, content_type)
        errors = load_contract().response_errors(method, path, response.status_code, content_type, body)
        assert not errors, f"{method} {path} -> {response.status_code}: " + "; ".join(f"{e.pointer or '/'}: {e.message}" for e in errors)
        self.checked += 1

    def login(self, user_id: str, password: str = "training", workstation_id: str = "WS-TRAIN-01") -> Staff:
        response = self.call("POST", "/sessions", json={"user_id": user_id, "password": password, "workstation_id": workstation_id})
        expect(response, 201)
        return Staff(self, response.json()["token"], user_id)


@dataclass
class Staff:
    """One logged-in employee."""

    api: Api
    token: str
    user_id: str

    def get(self, path: str, **params: str) -> requests.Response:
        return self.api.call("GET", path, token=self.token, params=params or None)

    def post(self, path: str, json: Any = None, *, key: Any = _AUTO, **kwargs: Any) -> requests.Response:
        return self.api.call("POST", path, token=self.token, json=json, key=key, **kwargs)

    def put(self, path: str, json: Any) -> requests.Response:
        return self.api.call("PUT", path, token=self.token, json=json)


def expect(response: requests.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert the status (and the problem code of a refusal); the body, or {} when there is none."""
    body = response.json() if response.content else {}
    assert response.status_code == status, (response.status_code, body)
    if code is not None:
        assert body["code"] == code, body
    return body


# -- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def training_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrainingServer]:
    with TrainingServer(tmp_path_factory.mktemp("central"), business_date=TRAINING_DAY) as server:
        yield server


@pytest.fixture(scope="module")
def training_api(training_server: TrainingServer) -> Api:
    return Api(training_server.url)


@pytest.fixture(scope="module")
def staff(training_api: Api) -> dict[str, Staff]:
    """T0001, T0002, S0001, S0002 logged in once for the module."""
    return {u: training_api.login(u) for u in ("T0001", "T0002", "S0001", "S0002")}


# -- helpers ----------------------------------------------------------------------------------------


def fresh_document(**changes: Any) -> dict[str, Any]:
    doc = valid_document()
    doc["form_id"] = "EF" + uuid.uuid4().hex[:12].upper()
    doc.update(changes)
    return doc


def new_application(teller: Staff, doc: dict[str, Any] | None = None) -> dict[str, Any]:
    doc = doc or fresh_document()
    return expect(teller.post("/applications", {"source": "eform", "form_id": doc["form_id"], "verified": True, "document": doc}), 201)


def approve(supervisor: Staff, app: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {"snapshot_hash": app["snapshot_hash"], "decision": "approve", **extra}
    return expect(supervisor.post(f"/applications/{app['id']}/approvals", body), 200)


def submitted(teller: Staff, supervisor: Staff, submission: dict[str, Any] | None = None) -> dict[str, Any]:
    app = new_application(teller)
    approve(supervisor, app)
    return expect(teller.post(f"/applications/{app['id']}/submission", submission), 201)


def to_drawer(holder: Staff, witness: Staff, kind: str, count: int, *, premade: bool = False) -> list[str]:
    items = holder.get("/stock", holder="vault", kind=kind, state="in_stock").json()["items"]
    serials = [i["serial"] for i in items if i["premade"] == premade][:count]
    move = {
        "kind": kind,
        "serials": serials,
        "from_holder": "vault",
        "to_holder": holder.user_id,
        "reason": "drawer for the day",
        "witness_token": witness.token,
    }
    expect(holder.post("/stock/movements", move), 201)
    return serials


def csr_for(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, common_name: str = "whatever the UKey says") -> str:
    request = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
    return request.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def issue(teller: Staff, reference_no: str, code: str | None, csr: str, token: str, **kwargs: Any) -> requests.Response:
    body = {"authorization_code": code or "WRONG", "csr": csr, "token_serial": token}
    return teller.post(f"/certificate-orders/{reference_no}/issue", body, **kwargs)


def stock_state(someone: Staff, serial: str) -> dict[str, Any]:
    [item] = [i for i in someone.get("/stock").json()["items"] if i["serial"] == serial]
    return dict(item)


# -- sessions ---------------------------------------------------------------------------------------


def test_login_logout_and_refusals(training_server: TrainingServer, training_api: Api) -> None:
    health = expect(training_api.call("GET", "/health"), 200)
    assert health == {"status": "ok", "version": health["version"], "business_date": "2026-11-23", "training": True}

    ok = expect(training_api.call("POST", "/sessions", json={"user_id": "S0001", "password": "training", "workstation_id": "WS-7"}), 201)
    assert ok["user"] == {"id": "S0001", "name": ok["user"]["name"], "roles": ["supervisor"], "branch_id": "TRAIN01"}
    assert ok["business_date"] == "2026-11-23" and ok["expires_at"].endswith("+08:00")
    wrong_password = expect(
        training_api.call("POST", "/sessions", json={"user_id": "T0001", "password": "nope", "workstation_id": "WS-7"}),
        401,
        "invalid_credentials",
    )
    unknown_user = expect(
        training_api.call("POST", "/sessions", json={"user_id": "X9999", "password": "training", "workstation_id": "WS-7"}),
        401,
        "invalid_credentials",
    )
    assert wrong_password["detail"] == unknown_user["detail"]  # nobody learns which user ids exist
    expect(training_api.call("POST", "/sessions", json={"user_id": "T0001", "password": "training"}), 422, "validation_failed")
    long_secret = "s3cret-" * 20  # over the schema's 128 characters: refused without being quoted back
    refused = training_api.call("POST", "/sessions", json={"user_id": "T0001", "password": long_secret, "workstation_id": "WS-7"})
    assert expect(refused, 422, "validation_failed")["errors"][0]["field"] == "/password" and long_secret not in refused.text

    expect(training_api.call("GET", "/catalogue"), 401, "unauthenticated")
    expect(training_api.call("GET", "/catalogue", token="made-up"), 401, "unauthenticated")
    token = ok["token"]
    expect(training_api.call("GET", "/approvals", token=token), 200)
    expect(training_api.call("DELETE", "/sessions/current", token=token), 204)
    expect(training_api.call("GET", "/approvals", token=token), 401, "unauthenticated")

    # a session past its eight hours: only the clock in the database is changed
    late = training_api.login("T0002")
    with sqlite3.connect(training_server.data_dir / "central.sqlite") as db:
        digest = hashlib.sha256(late.token.encode()).hexdigest()
        db.execute("UPDATE sessions SET expires_at = '2000-01-01T00:00:00.000000+08:00' WHERE token_sha256 = ?", (digest,))
    db.close()
    expect(late.get("/stock"), 401, "session_expired")


def test_catalogue_with_etag(staff: dict[str, Staff], training_api: Api) -> None:
    teller = staff["T0001"]
    first = teller.get("/catalogue")
    body = expect(first, 200)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and len(etag) == 66
    assert {c["id"] for c in body["channels"]} >= {"corporate_online_banking", "cash_management"}
    again = training_api.call("GET", "/catalogue", token=teller.token, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content


# -- applications and dual control ------------------------------------------------------------------------


def test_create_return_change_approve_submit(staff: dict[str, Staff]) -> None:
    teller, other_teller, supervisor = staff["T0001"], staff["T0002"], staff["S0001"]
    app = new_application(teller)
    assert app["status"] == "pending_approval" and app["maker"] == "T0001" and app["request"] == "new"
    assert app["fees"]["total"] == app["fees"]["payable"] and app["fees"]["waiver_approved"] is None
    assert app["id"] in [i["id"] for i in expect(supervisor.get("/approvals", status="pending"), 200)["items"]]
    expect(teller.get("/approvals"), 403, "not_a_supervisor")

    decision = {"snapshot_hash": app["snapshot_hash"], "decision": "return"}
    expect(supervisor.post(f"/applications/{app['id']}/approvals", decision), 422, "reason_required")
    expect(supervisor.post(f"/applications/{app['id']}/approvals", {**decision, "reason": "   "}), 422, "reason_required")
    returned = expect(supervisor.post(f"/applications/{app['id']}/approvals", {**decision, "reason": "联系人手机号有误"}), 200)
    assert returned["status"] == "returned" and returned["history"][-1]["reason"] == "联系人手机号有误"

    doc = returned["document"]
    doc["customer"]["contact"]["mobile"] = "+86 139 0000 1111"  # normalised by the service
    expect(other_teller.put(f"/applications/{app['id']}", {"document": doc}), 403, "not_the_maker")
    changed = expect(teller.put(f"/applications/{app['id']}", {"document": doc}), 200)
    assert changed["status"] == "pending_approval" and changed["snapshot_hash"] != app["snapshot_hash"]
    assert changed["document"]["customer"]["contact"]["mobile"] == "13900001111"
    expect(teller.put(f"/applications/{app['id']}", {"document": doc}), 409, "invalid_state")

    expect(teller.post(f"/applications/{app['id']}/submission"), 409, "not_approved")
    approved = approve(supervisor, changed)
    assert approved["status"] == "approved"
    submission = expect(teller.post(f"/applications/{app['id']}/submission", {"certificate_mode": "counter"}), 201)
    assert submission["application_id"] == app["id"] and len(submission["users"]) == 3
    assert len(submission["certificate_orders"]) == 3 and len(submission["letter_orders"]) == 3
    for order in submission["certificate_orders"]:
        assert len(order["reference_no"]) == 10 and order["reference_no"].isdigit()
        assert len(order["authorization_code"]) >= 8 and order["expires_at"] == "2026-11-23T23:59:59+08:00" and not order["premade"]
    final = expect(teller.get(f"/applications/{app['id']}"), 200)
    assert final["status"] == "submitted" and final["agreement_no"] == submission["agreement_no"]
    assert [h["action"] for h in final["history"]] == ["created", "returned", "changed", "approved", "submitted"]
    assert all(h["workstation_id"] == "WS-TRAIN-01" for h in final["history"])
    expect(teller.post(f"/applications/{app['id']}/submission"), 409, "not_approved")
    expect(teller.get("/applications/AP00000000000000"), 404, "application_not_found")

    customer = expect(teller.get("/customers", uscc=final["uscc"]), 200)
    assert submission["agreement_no"] in [a["agreement_no"] for a in customer["agreements"]]


def test_document_problems_are_named_field_by_field(staff: dict[str, Staff], training_api: Api) -> None:
    teller = staff["T0001"]
    bad = fresh_document()
    bad["customer"]["uscc"] = "91350200M000100Y47"
    bad["users"][0]["mobile"] = "123"
    problem = expect(teller.post("/applications", {"source": "paper", "form_id": "P1", "verified": False, "document": bad}), 422)
    assert problem["code"] == "validation_failed"
    fields = {(e["field"], e["code"]) for e in problem["errors"]}
    assert ("/document/customer/uscc", "uscc_check_character") in fields
    assert any(f == "/document/users/0/mobile" for f, _ in fields)

    rule = fresh_document(fees={"waiver_requested": True, "reason": None})
    problem = expect(teller.post("/applications", {"source": "paper", "form_id": "P1", "verified": False, "document": rule}), 422)
    assert problem["code"] == "rule_violated"
    assert ("/document/fees/reason", "waiver_needs_reason") in {(e["field"], e["code"]) for e in problem["errors"]}

    warned = fresh_document()
    warned["customer"]["uscc"] = ORG_CODE_WARNING_USCC
    app = new_application(teller, warned)
    assert [(w["field"], w["code"], w["severity"]) for w in app["warnings"]] == [("/document/customer/uscc", "uscc_org_code", "warning")]

    schema = expect(teller.post("/applications", {"source": "fax", "form_id": "P1", "document": {}}), 422, "validation_failed")
    assert {e["field"] for e in schema["errors"]} >= {"", "/source"}
    garbage = training_api.call(
        "POST", "/applications", token=teller.token, data=b"{not json", headers={"Content-Type": "application/json"}, key=str(uuid.uuid4())
    )
    expect(garbage, 400, "invalid_json")
    expect(
        staff["S0001"].post("/applications", {"source": "eform", "form_id": "X", "verified": True, "document": warned}), 403, "not_a_teller"
    )


def test_the_maker_never_approves_and_a_teller_is_no_supervisor(staff: dict[str, Staff]) -> None:
    teller = staff["T0001"]
    app = new_application(teller)
    decision = {"snapshot_hash": app["snapshot_hash"], "decision": "approve"}
    expect(teller.post(f"/applications/{app['id']}/approvals", decision), 403, "maker_cannot_approve")
    expect(staff["T0002"].post(f"/applications/{app['id']}/approvals", decision), 403, "not_a_supervisor")
    assert expect(teller.get(f"/applications/{app['id']}"), 200)["status"] == "pending_approval"


def test_a_stale_snapshot_is_refused(staff: dict[str, Staff]) -> None:
    app = new_application(staff["T0001"])
    stale = {"snapshot_hash": "0" * 64, "decision": "approve"}
    expect(staff["S0002"].post(f"/applications/{app['id']}/approvals", stale), 409, "snapshot_changed")
    approve(staff["S0002"], app)
    expect(
        staff["S0001"].post(f"/applications/{app['id']}/approvals", {**stale, "snapshot_hash": app["snapshot_hash"]}), 409, "invalid_state"
    )


def test_a_fee_waiver_needs_the_supervisors_decision(staff: dict[str, Staff]) -> None:
    app = new_application(staff["T0001"], fresh_document(fees={"waiver_requested": True, "reason": "战略客户，首年免费"}))
    assert app["fees"]["waiver_requested"] and app["fees"]["payable"] == app["fees"]["total"] != "0.00"
    queued = [i for i in expect(staff["S0001"].get("/approvals"), 200)["items"] if i["id"] == app["id"]]
    assert queued[0]["fee_waiver_requested"] is True
    body = {"snapshot_hash": app["snapshot_hash"], "decision": "approve", "fee_waiver_approved": None}
    expect(staff["S0001"].post(f"/applications/{app['id']}/approvals", body), 422, "waiver_decision_required")
    approved = approve(staff["S0001"], app, fee_waiver_approved=True)
    assert approved["fees"]["waiver_approved"] is True and approved["fees"]["payable"] == "0.00"


# -- idempotency ------------------------------------------------------------------------------------------


def test_idempotency_keys(staff: dict[str, Staff], training_api: Api) -> None:
    teller, supervisor = staff["T0001"], staff["S0001"]
    doc, key = fresh_document(), str(uuid.uuid4())
    body = {"source": "eform", "form_id": "EF1", "verified": True, "document": doc}
    first = teller.post("/applications", body, key=key)
    again = teller.post("/applications", body, key=key)
    assert expect(first, 201)["id"] == expect(again, 201)["id"]
    assert "Idempotent-Replayed" not in first.headers and again.headers["Idempotent-Replayed"] == "true"
    queue = expect(supervisor.get("/approvals"), 200)["items"]
    assert [i["id"] for i in queue].count(first.json()["id"]) == 1
    assert len([i for i in queue if i["snapshot_hash"] == first.json()["snapshot_hash"]]) == 1  # one application, not two

    expect(teller.post("/applications", {**body, "form_id": "EF2"}, key=key), 422, "idempotency_key_reused")
    expect(teller.post(f"/applications/{first.json()['id']}/submission", None, key=key), 422, "idempotency_key_reused")
    expect(teller.post("/applications", body, key=None), 400, "idempotency_key_required")
    expect(teller.post("/applications", body, key="not-a-uuid"), 400, "idempotency_key_invalid")
    # keys belong to their user: another user's same key is a new request
    other = {"snapshot_hash": first.json()["snapshot_hash"], "decision": "approve"}
    assert expect(supervisor.post(f"/applications/{first.json()['id']}/approvals", other, key=key), 200)["status"] == "approved"

    # the same key sent twice at the same moment still makes one application
    race_key, race_doc = str(uuid.uuid4()), fresh_document()
    race_body = {"source": "eform", "form_id": "EF3", "verified": True, "document": race_doc}
    answers: list[requests.Response] = []

    headers = {"Authorization": f"Bearer {teller.token}", "Idempotency-Key": race_key}

    def send() -> None:
        answers.append(requests.post(training_api.base + "/applications", json=race_body, headers=headers, timeout=30))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for answer in answers:
        training_api.check(answer)
    assert sorted(a.status_code for a in answers) == [201, 201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert sorted(a.headers.get("Idempotent-Replayed", "") for a in answers) == ["", "true"]


# -- certificates ------------------------------------------------------------------------------------------


def test_a_certificate_is_made_on_a_blank_ukey(training_server: TrainingServer, staff: dict[str, Staff]) -> None:
    teller, supervisor, witness = staff["T0001"], staff["S0001"], staff["T0002"]
    submission = submitted(teller, supervisor)
    order, second = submission["certificate_orders"][:2]
    [token] = to_drawer(teller, witness, "ukey", 1)
    key = rsa_key()
    csr = csr_for(key)

    expect(issue(teller, "0000000000", order["authorization_code"], csr, token), 404, "order_not_found")
    expect(issue(teller, order["reference_no"], "WRONGCODE1", csr, token), 403, "authorization_code_invalid")
    bad_csr = expect(issue(teller, order["reference_no"], order["authorization_code"], "not a csr", token), 422, "csr_invalid")
    assert bad_csr["errors"][0]["field"] == "/csr" and bad_csr["errors"][0]["code"] == "unreadable"
    small = csr_for(ec.generate_private_key(ec.SECP256R1()))
    wrong_type = expect(issue(teller, order["reference_no"], order["authorization_code"], small, token), 422, "csr_invalid")
    assert wrong_type["errors"][0]["code"] == "wrong_key_type"
    expect(issue(teller, order["reference_no"], order["authorization_code"], csr, "UK99999999"), 409, "token_not_in_stock")
    [premade_token] = to_drawer(teller, witness, "ukey", 1, premade=True)  # in the drawer, but no blank UKey
    expect(issue(teller, order["reference_no"], order["authorization_code"], csr, premade_token), 409, "token_not_in_stock")

    result = expect(issue(teller, order["reference_no"], order["authorization_code"], csr, token), 201)
    cert = x509.load_pem_x509_certificate(result["certificate"].encode())
    ca = x509.load_pem_x509_certificate(TrainingCA.load_or_create(training_server.data_dir / "ca").certificate_pem.encode())
    assert x509.load_pem_x509_certificate(result["chain"][-1].encode()) == ca
    cert.verify_directly_issued_by(ca)
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()  # type: ignore[union-attr]
    user = next(u for u in submission["users"] if u["user_no"] == order["user_no"])
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == user["name"]
    assert cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == order["user_no"]
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "厦门示例贸易有限公司"
    assert result["certificate_serial"] == f"{cert.serial_number:X}" and result["token_serial"] == token
    assert stock_state(teller, token)["state"] == "issued"

    same = expect(issue(teller, order["reference_no"], order["authorization_code"], csr, token), 201)
    assert same["certificate"] == result["certificate"]
    other = csr_for(rsa_key())
    expect(issue(teller, order["reference_no"], order["authorization_code"], other, token), 409, "already_issued")
    # another order's code does not open this one
    expect(issue(teller, second["reference_no"], order["authorization_code"], other, token), 403, "authorization_code_invalid")


def test_reauthorization_by_a_supervisor(staff: dict[str, Staff]) -> None:
    teller, supervisor, witness = staff["T0001"], staff["S0002"], staff["T0002"]
    order = submitted(teller, supervisor)["certificate_orders"][0]
    expect(teller.post(f"/certificate-orders/{order['reference_no']}/reauthorization", {"reason": "lost"}), 403, "not_a_supervisor")
    renewed = expect(supervisor.post(f"/certificate-orders/{order['reference_no']}/reauthorization", {"reason": "客户遗失授权码"}), 201)
    assert renewed["authorization_code"] not in (None, order["authorization_code"])
    [token] = to_drawer(teller, witness, "ukey", 1)
    csr = csr_for(rsa_key())
    expect(issue(teller, order["reference_no"], order["authorization_code"], csr, token), 403, "authorization_code_invalid")
    first = expect(issue(teller, order["reference_no"], renewed["authorization_code"], csr, token), 201)
    # a client that lost the answer and the code: a new code fetches the same certificate for the same key, never another
    again = expect(supervisor.post(f"/certificate-orders/{order['reference_no']}/reauthorization", None), 201)
    assert expect(issue(teller, order["reference_no"], again["authorization_code"], csr, token), 201)["certificate"] == first["certificate"]
    expect(issue(teller, order["reference_no"], again["authorization_code"], csr_for(rsa_key()), token), 409, "already_issued")


def test_a_premade_certificate_ukey_is_bound(staff: dict[str, Staff]) -> None:
    teller, supervisor, witness = staff["T0002"], staff["S0002"], staff["T0001"]
    submission = submitted(teller, supervisor, {"certificate_mode": "premade", "key_type": "rsa2048"})
    order = submission["certificate_orders"][0]
    assert order["premade"]
    [token] = to_drawer(teller, witness, "ukey", 1, premade=True)
    [blank] = to_drawer(teller, witness, "ukey", 1)
    minted = stock_state(teller, token)
    assert minted["premade"] and minted["certificate_serial"]

    expect(issue(teller, order["reference_no"], order["authorization_code"], csr_for(rsa_key()), blank), 409, "invalid_state")
    path = f"/certificate-orders/{order['reference_no']}/binding"
    expect(teller.post(path, {"token_serial": blank, "certificate_serial": minted["certificate_serial"]}), 409, "token_not_in_stock")
    mismatch = expect(teller.post(path, {"token_serial": token, "certificate_serial": "ABCDEF"}), 422, "certificate_mismatch")
    assert mismatch["errors"][0]["field"] == "/certificate_serial"
    bound = expect(teller.post(path, {"token_serial": token, "certificate_serial": minted["certificate_serial"]}), 201)
    assert bound["certificate_serial"] == minted["certificate_serial"] and bound["token_serial"] == token
    assert stock_state(teller, token)["state"] == "issued"
    counter_order = submitted(teller, supervisor)["certificate_orders"][0]
    expect(
        teller.post(f"/certificate-orders/{counter_order['reference_no']}/binding", {"token_serial": token, "certificate_serial": "AB"}),
        409,
        "invalid_state",
    )


# -- letters ---------------------------------------------------------------------------------------------


def test_a_password_is_released_once_and_reprinted_with_a_supervisor(staff: dict[str, Staff]) -> None:
    teller, supervisor, other_supervisor, witness = staff["T0001"], staff["S0001"], staff["S0002"], staff["T0002"]
    submission = submitted(teller, supervisor)
    letter = submission["letter_orders"][0]
    assert letter["state"] == "pending" and letter["letter_serial"] is None
    first, second = to_drawer(teller, witness, "letter", 2)
    path = f"/letter-orders/{letter['letter_order_id']}"

    not_mine = expect(teller.post(f"{path}/release", {"letter_serial": "LT00000200", "printer_id": "PRN-1"}), 409, "serial_not_held")
    assert not_mine["errors"][0]["field"] == "/letter_serial"
    key = str(uuid.uuid4())
    released = expect(teller.post(f"{path}/release", {"letter_serial": first, "printer_id": "PRN-1"}, key=key), 201)
    password = released["initial_password"]
    assert len(password) == 10 and set(password) <= set(PASSWORD_ALPHABET)
    assert released["password_expires_at"] == "2026-11-23T23:59:59+08:00"
    login = next(u["login_id"] for u in submission["users"] if u["user_no"] == letter["user_no"])
    assert released["login_id"] == login
    replay = teller.post(f"{path}/release", {"letter_serial": first, "printer_id": "PRN-1"}, key=key)
    assert expect(replay, 201)["initial_password"] is None and replay.headers["Idempotent-Replayed"] == "true"
    expect(teller.post(f"{path}/release", {"letter_serial": first, "printer_id": "PRN-1"}), 409, "already_released")
    expect(teller.post(f"{path}/release", {"letter_serial": second, "printer_id": "PRN-2"}), 409, "already_released")

    expect(teller.post(f"{path}/confirmation", {"letter_serial": second, "outcome": "printed"}), 409, "serial_mismatch")
    printed = expect(teller.post(f"{path}/confirmation", {"letter_serial": first, "outcome": "printed"}), 200)
    assert printed["state"] == "printed" and printed["letter_serial"] == first
    assert stock_state(teller, first)["state"] == "issued"

    expect(teller.post(f"{path}/reprint", {"reason": "客户遗失"}), 403, "not_a_supervisor")
    expect(supervisor.post(f"{path}/reprint", {"reason": " "}), 422, "reason_required")
    allowed = expect(supervisor.post(f"{path}/reprint", {"reason": "信封破损，客户要求重打"}), 200)
    assert allowed["state"] == "reprint_allowed"
    again = expect(teller.post(f"{path}/release", {"letter_serial": second, "printer_id": "PRN-1"}), 201)
    assert again["initial_password"] != password
    expect(teller.post(f"{path}/release", {"letter_serial": second, "printer_id": "PRN-1"}), 409, "already_released")
    spoiled = expect(teller.post(f"{path}/confirmation", {"letter_serial": second, "outcome": "spoiled"}), 200)
    assert spoiled["state"] == "spoiled" and stock_state(teller, second)["state"] == "spoiled"

    # a supervisor who printed the letter may not allow its reprint; another supervisor may
    other_letter = submission["letter_orders"][1]["letter_order_id"]
    [own] = to_drawer(supervisor, other_supervisor, "letter", 1)
    expect(supervisor.post(f"/letter-orders/{other_letter}/release", {"letter_serial": own, "printer_id": "PRN-9"}), 201)
    expect(supervisor.post(f"/letter-orders/{other_letter}/reprint", {"reason": "卡纸"}), 403, "maker_cannot_approve")
    expect(other_supervisor.post(f"/letter-orders/{other_letter}/reprint", {"reason": "卡纸"}), 200)
    assert stock_state(supervisor, own)["state"] == "spoiled"  # released, never confirmed: that sheet is void
    expect(teller.post("/letter-orders/LO00000000000000/release", {"letter_serial": own, "printer_id": "P"}), 404, "letter_order_not_found")


# -- after-sales ---------------------------------------------------------------------------------------------


def test_customer_lookup_and_after_sales(staff: dict[str, Staff]) -> None:
    teller, supervisor, witness = staff["T0002"], staff["S0002"], staff["T0001"]
    bay = CUSTOMERS[0]["uscc"]
    customer = expect(teller.get("/customers", uscc=bay.lower()), 200)
    assert customer["name"] == "厦门海湾物流有限公司" and customer["agreements"][0]["status"] == "active"
    expect(teller.get("/customers", uscc=training_uscc("99999999")), 404, "customer_not_found")
    expect(teller.get("/customers", uscc="123"), 422, "validation_failed")
    virtual = expect(teller.get("/customers", uscc=CUSTOMERS[2]["uscc"]), 200)
    assert virtual["kind"] == "virtual" and virtual["group_uscc"] == CUSTOMERS[1]["uscc"]

    agreement = customer["agreements"][0]["agreement_no"]
    locked = next(u for u in customer["users"] if u["state"] == "locked")
    unlocked = expect(teller.post(f"/agreements/{agreement}/unlocks", {"user_no": locked["user_no"], "reason": "密码输错三次"}), 200)
    assert unlocked["state"] == "active" and unlocked["user_no"] == locked["user_no"]
    expect(teller.post(f"/agreements/{agreement}/unlocks", {"user_no": "U99999999"}), 422, "user_not_found")
    expect(teller.post("/agreements/AG00000000000000/unlocks", {"user_no": locked["user_no"]}), 404, "agreement_not_found")

    # an information change of the group's agreement: same checks, same dual control; new operators get orders
    group = expect(teller.get("/customers", uscc=CUSTOMERS[1]["uscc"]), 200)
    group_agreement = group["agreements"][0]["agreement_no"]
    change = fresh_document(request="modify")
    change["customer"].update(uscc=CUSTOMERS[1]["uscc"], name=CUSTOMERS[1]["name"])
    body = {"source": "paper", "form_id": "C1", "verified": False, "document": change}
    app = expect(teller.post(f"/agreements/{group_agreement}/changes", body), 201)
    assert app["request"] == "modify" and app["agreement_no"] == group_agreement and app["status"] == "pending_approval"
    expect(teller.post(f"/applications/{app['id']}/approvals", {"snapshot_hash": app["snapshot_hash"], "decision": "approve"}), 403)
    approve(supervisor, app)
    signed = expect(teller.post(f"/applications/{app['id']}/submission"), 201)
    assert signed["agreement_no"] == group_agreement and signed["customer_ebank_id"] == group["customer_ebank_id"]
    assert len(signed["certificate_orders"]) == 3 and len(signed["letter_orders"]) == 3
    after_change = expect(teller.get("/customers", uscc=CUSTOMERS[1]["uscc"]), 200)
    states = {u["name"]: u["state"] for u in after_change["users"]}
    assert states == {"周国强": "closed", "许丽娟": "closed", "王五": "active", "赵六": "active", "钱七": "active"}
    foreign = fresh_document(request="modify")
    expect(
        teller.post(f"/agreements/{agreement}/changes", {"source": "paper", "form_id": "C2", "verified": False, "document": foreign}),
        422,
        "rule_violated",
    )
    new_kind = fresh_document()
    new_kind["customer"]["uscc"] = bay
    wrong = expect(
        teller.post(f"/agreements/{agreement}/changes", {"source": "paper", "form_id": "C3", "verified": False, "document": new_kind}), 422
    )
    assert ("/document/request", "request_not_allowed") in {(e["field"], e["code"]) for e in wrong["errors"]}

    # replace a certificate and reset a password; closure waits until both are done
    holder = next(u for u in customer["users"] if u["credential"] == "ukey" and u["state"] == "active")
    order = expect(
        teller.post(f"/agreements/{agreement}/certificate-replacements", {"user_no": holder["user_no"], "reason": "UKey 损坏"}), 201
    )
    reset = expect(teller.post(f"/agreements/{agreement}/password-resets", {"user_no": holder["user_no"]}), 201)
    assert reset["state"] == "pending"
    blocked = expect(teller.post(f"/agreements/{agreement}/closure", {"reason": "客户申请注销"}), 409, "open_obligations")
    assert {e["code"] for e in blocked["errors"]} == {"open_certificate_order", "open_letter_order"}

    [token] = to_drawer(teller, witness, "ukey", 1)
    new_cert = expect(issue(teller, order["reference_no"], order["authorization_code"], csr_for(rsa_key()), token), 201)
    [sheet] = to_drawer(teller, witness, "letter", 1)
    expect(teller.post(f"/letter-orders/{reset['letter_order_id']}/release", {"letter_serial": sheet, "printer_id": "PRN-1"}), 201)
    expect(teller.post(f"/letter-orders/{reset['letter_order_id']}/confirmation", {"letter_serial": sheet, "outcome": "printed"}), 200)
    after = next(u for u in expect(teller.get("/customers", uscc=bay), 200)["users"] if u["user_no"] == holder["user_no"])
    assert after["certificate_serial"] == new_cert["certificate_serial"] != holder["certificate_serial"]

    closed = expect(teller.post(f"/agreements/{agreement}/closure", {"reason": "客户申请注销"}), 200)
    assert closed["status"] == "closed"
    assert new_cert["certificate_serial"] in closed["revoked_certificates"]
    assert holder["certificate_serial"] not in closed["revoked_certificates"]  # revoked already, when replaced
    expect(teller.post(f"/agreements/{agreement}/closure", {"reason": "again"}), 409, "invalid_state")
    users = expect(teller.get("/customers", uscc=bay), 200)["users"]
    assert {u["state"] for u in users} == {"closed"}


# -- stock --------------------------------------------------------------------------------------------------


def test_a_movement_needs_a_witness_and_held_serials(staff: dict[str, Staff], training_api: Api) -> None:
    teller = staff["T0001"]
    move = {"kind": "ukey", "serials": ["UK00000040"], "from_holder": "vault", "to_holder": "T0001", "reason": "drawer"}
    for witness in (None, teller.token, "made-up-token"):
        expect(teller.post("/stock/movements", {**move, "witness_token": witness}), 403, "witness_required")
    logged_out = training_api.login("S0002", workstation_id="WS-9")
    expect(training_api.call("DELETE", "/sessions/current", token=logged_out.token), 204)
    expect(teller.post("/stock/movements", {**move, "witness_token": logged_out.token}), 403, "witness_required")
    assert stock_state(teller, "UK00000040")["holder"] == "vault"

    missing = {**move, "serials": ["UK00000040", "UK77777777", "LT00000001"], "witness_token": staff["S0001"].token}
    problem = expect(teller.post("/stock/movements", missing), 409, "serial_not_held")
    assert [e["field"] for e in problem["errors"]] == ["/serials/1", "/serials/2"]
    assert "UK77777777" in problem["errors"][0]["message"]
    expect(teller.post("/stock/movements", {**move, "to_holder": "Z9999", "witness_token": staff["S0001"].token}), 422, "validation_failed")


def test_a_day_of_movements_reconciles(staff: dict[str, Staff]) -> None:
    clerk, witness, supervisor = staff["T0002"], staff["S0001"], staff["S0002"]
    before = expect(clerk.get("/stock/reconciliation"), 200)
    assert before["balanced"] and before["date"] == "2026-11-23"

    def moved(kind: str, serials: list[str], source: str, target: str, who: Staff = clerk, seen_by: Staff = witness) -> dict[str, Any]:
        body = {
            "kind": kind,
            "serials": serials,
            "from_holder": source,
            "to_holder": target,
            "reason": "日终前整理",
            "witness_token": seen_by.token,
        }
        return expect(who.post("/stock/movements", body), 201)

    received = moved("ukey", ["UK10000001", "UK10000002", "UK10000003"], "supplier", "vault", who=supervisor, seen_by=witness)
    assert received["witness"] == "S0001" and received["actor"] == "S0002" and received["business_date"] == "2026-11-23"
    again = {k: received[k] for k in ("kind", "serials", "from_holder", "to_holder", "reason")}
    expect(supervisor.post("/stock/movements", {**again, "witness_token": witness.token}), 409, "serial_not_held")  # known serials
    letters = to_drawer(clerk, witness, "letter", 6)
    moved("letter", letters[4:], "T0002", "vault", seen_by=supervisor)
    moved("letter", [letters[3]], "T0002", "spoiled")
    moved("ukey", ["UK10000003"], "vault", "supplier", who=supervisor)

    report = expect(clerk.get("/stock/reconciliation", date="2026-11-23"), 200)
    assert report["balanced"] and all(line["balanced"] for line in report["lines"])
    lines = {(x["holder"], x["kind"]): x for x in report["lines"]}
    vault_keys = lines[("vault", "ukey")]
    assert (vault_keys["received"], vault_keys["returned"]) == (3, 1)
    drawer = lines[("T0002", "letter")]
    assert (drawer["transferred_in"] - before_in(before, "T0002"), drawer["spoiled"] - before_spoiled(before, "T0002")) == (6, 1)
    assert drawer["closing"] == len(clerk.get("/stock", holder="T0002", kind="letter", state="in_stock").json()["items"])

    yesterday = expect(clerk.get("/stock/reconciliation", date="2026-11-22"), 200)
    assert yesterday["balanced"]
    seeded = {(x["holder"], x["kind"]): (x["received"], x["closing"]) for x in yesterday["lines"]}
    assert seeded == {("vault", "letter"): (200, 200), ("vault", "ukey"): (50, 50)}
    expect(clerk.get("/stock/reconciliation", date="2026-11-24"), 422, "validation_failed")
    expect(clerk.get("/stock", kind="floppy"), 422, "validation_failed")


def before_in(report: dict[str, Any], holder: str) -> int:
    return sum(x["transferred_in"] for x in report["lines"] if x["holder"] == holder and x["kind"] == "letter")


def before_spoiled(report: dict[str, Any], holder: str) -> int:
    return sum(x["spoiled"] for x in report["lines"] if x["holder"] == holder and x["kind"] == "letter")


# -- nothing lives overnight (a server of its own: the clock moves) ------------------------------------------------------


def test_authorizations_and_passwords_do_not_live_overnight(tmp_path: Path) -> None:
    with TrainingServer(tmp_path / "central", business_date=TRAINING_DAY) as server:
        api = Api(server.url)
        teller, supervisor, witness = api.login("T0001"), api.login("S0001"), api.login("T0002")
        submission = submitted(teller, supervisor)
        order = submission["certificate_orders"][0]
        [token] = to_drawer(teller, witness, "ukey", 1)
        [sheet, spare] = to_drawer(teller, witness, "letter", 2)
        first_letter, second_letter = (o["letter_order_id"] for o in submission["letter_orders"][:2])
        expect(teller.post(f"/letter-orders/{first_letter}/release", {"letter_serial": sheet, "printer_id": "PRN-1"}), 201)

        expect(teller.post("/training/clock", {"business_date": "2026-11-23"}), 422, "date_not_after")
        moved = expect(witness.post("/training/clock", {"business_date": "2026-11-24"}), 200)
        assert moved == {"business_date": "2026-11-24", "expired": {"authorizations": 3, "passwords": 1, "letter_orders": 3}}
        assert expect(api.call("GET", "/health"), 200)["business_date"] == "2026-11-24"

        csr = csr_for(rsa_key())
        expect(issue(teller, order["reference_no"], order["authorization_code"], csr, token), 410, "authorization_expired")
        release = {"letter_serial": spare, "printer_id": "PRN-1"}
        expect(teller.post(f"/letter-orders/{second_letter}/release", release), 410, "letter_order_expired")
        expect(teller.post(f"/certificate-orders/{order['reference_no']}/reauthorization", {"reason": "x"}), 403, "not_a_supervisor")
        renewed = expect(supervisor.post(f"/certificate-orders/{order['reference_no']}/reauthorization", {"reason": "客户次日来取"}), 201)
        assert renewed["expires_at"] == "2026-11-24T23:59:59+08:00"
        expect(issue(teller, order["reference_no"], order["authorization_code"], csr, token), 403, "authorization_code_invalid")
        expect(issue(teller, order["reference_no"], renewed["authorization_code"], csr, token), 201)

        report = expect(teller.get("/stock/reconciliation"), 200)
        assert report["date"] == "2026-11-24" and report["balanced"]
        drawer = {(x["holder"], x["kind"]): x for x in report["lines"]}[("T0001", "ukey")]
        assert (drawer["opening"], drawer["issued"], drawer["closing"]) == (1, 1, 0)


# -- TLS ----------------------------------------------------------------------------------------------------


def test_tls_is_trusted_only_with_the_training_ca(tmp_path: Path) -> None:
    with TrainingServer(tmp_path / "central", tls=True, business_date=TRAINING_DAY) as server:
        assert server.url.startswith("https://127.0.0.1:") and server.ca_bundle is not None and server.ca_bundle.exists()
        api = Api(server.url, verify=str(server.ca_bundle))
        assert expect(api.call("GET", "/health"), 200)["training"] is True
        assert expect(api.call("GET", "/stock", token=api.login("T0001").token), 200)["items"]
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(server.url + "/api/v1/health", timeout=10)
        api.http.close()  # an idle TLS keep-alive connection would hold the shutdown for its grace period


# -- the audit log, and no secret at rest --------------------------------------------------------------------


def test_the_audit_log_records_changes_and_no_secret_is_at_rest(training_server: TrainingServer, staff: dict[str, Staff]) -> None:
    teller, supervisor, witness = staff["T0002"], staff["S0001"], staff["T0001"]
    submission = submitted(teller, supervisor)
    code = submission["certificate_orders"][0]["authorization_code"]
    [sheet] = to_drawer(teller, witness, "letter", 1)
    key = str(uuid.uuid4())
    letter = submission["letter_orders"][0]["letter_order_id"]
    password = expect(teller.post(f"/letter-orders/{letter}/release", {"letter_serial": sheet, "printer_id": "PRN-1"}, key=key), 201)[
        "initial_password"
    ]
    expect(teller.post(f"/applications/{new_application(teller)['id']}/approvals", {"snapshot_hash": "0" * 64, "decision": "approve"}), 403)
    unwitnessed = {"kind": "letter", "serials": [sheet], "from_holder": "T0002", "to_holder": "vault", "reason": "x", "witness_token": None}
    expect(teller.post("/stock/movements", unwitnessed), 403, "witness_required")

    path = training_server.data_dir / "central.sqlite"
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT user_id, workstation_id, action, target, idempotency_key FROM audit_log").fetchall()
    db.close()
    actions = {r[2] for r in rows}
    assert {"session.login", "application.created", "application.approved", "application.submitted", "stock.movement"} <= actions
    assert {"letter.released", "certificate.issued", "refused.maker_cannot_approve", "refused.witness_required"} <= actions
    release = next(r for r in rows if r[2] == "letter.released" and r[4] == key)
    assert release[:2] == ("T0002", "WS-TRAIN-01") and release[3] == f"letter-order/{letter}"

    stored = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    for secret in (password, code, teller.token):
        assert secret.encode() not in stored, "a secret is stored in clear"
