"""What the training service starts with: branch TRAIN01, its staff, three customers, the vault's stock.

Seeding runs once, on the first start with an empty database, in one
transaction (a crash leaves nothing half-made); later starts find the mark
and leave the data alone.

* Staff, all with the password ``training`` (salted scrypt hashes):
  T0001, T0002 (teller), S0001, S0002 (supervisor), M0001 (product manager),
  I0001 (branch IT).
* Three customers with active agreements, users and accounts: a trading
  company (one user locked, for practising unlocks), a group's parent
  company, and the group's virtual customer for cash management. Their
  USCCs are built with :func:`~teller_client.domain.identifiers.make_uscc`
  and pass every check, the organisation code included. Their certificate
  users hold real certificates from the training CA.
* The vault: 40 blank UKeys ``UK00000001``..., 10 pre-made certificate UKeys
  ``PM00000001``... (certificates minted by
  :meth:`~teller_client.training.ca.TrainingCA.mint_premade`; the private key
  and the certificate are written to ``<data>/premade/<token serial>.key.pem``
  and ``.cert.pem`` for loading into a SoftHSM token), and 200 letters
  ``LT00000001``.... They are "received" on the day before the business date,
  so the first day's reconciliation opens with them.
"""

from __future__ import annotations

import logging
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy.orm import Session

from teller_client.domain.identifiers import make_resident_id, make_uscc, org_code_check_character
from teller_client.training import clock
from teller_client.training.ca import TrainingCA
from teller_client.training.context import BRANCH_ID
from teller_client.training.db import (
    AgreementRow,
    AgreementUser,
    CertificateRow,
    CustomerAccount,
    CustomerRow,
    Staff,
    StockItem,
    get_meta,
    next_number,
    set_meta,
)
from teller_client.training.hashing import hash_secret
from teller_client.training.stock import VAULT, record_event

log = logging.getLogger(__name__)

TRAINING_PASSWORD = "training"  # noqa: S105 - the published password of the training users
STAFF: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("T0001", "林晓燕", ("teller",)),
    ("T0002", "陈志伟", ("teller",)),
    ("S0001", "黄建华", ("supervisor",)),
    ("S0002", "吴美玲", ("supervisor",)),
    ("M0001", "郑海峰", ("product_manager",)),
    ("I0001", "刘国栋", ("branch_it",)),
)
BLANK_UKEYS, PREMADE_UKEYS, LETTERS = 40, 10, 200
PREMADE_KEY_TYPE = "rsa2048"
PREMADE_FOLDER = "premade"


def training_uscc(body8: str) -> str:
    """A valid USCC of a Xiamen company (division 350200) whose organisation code is ``body8`` + its check."""
    check = org_code_check_character(body8)
    assert check is not None
    return make_uscc("91350200" + body8 + check)


_BAY = training_uscc("70543217")
_GROUP = training_uscc("MA2XKD31")
_GROUP_VIRTUAL = training_uscc("MA31PQ8R")

CUSTOMERS: tuple[dict[str, Any], ...] = (
    {
        "uscc": _BAY,
        "name": "厦门海湾物流有限公司",
        "kind": "real",
        "group_uscc": None,
        "channels": ["corporate_online_banking", "e_bills"],
        "accounts": [
            ("35001880000052011111", "own", "basic", "CNY", ["query", "pay", "collect"]),
            ("35001880000052022222", "own", "general", "CNY", ["query", "pay"]),
        ],
        "users": [
            ("陈美玲", "35020319850612301", "admin", "ukey", "active"),
            ("林俊杰", "35020319900101452", "maker", "ukey", "active"),
            ("王秀英", "44030419881111234", "checker", "ukey", "locked"),
            ("张伟", "35020219950305121", "viewer", "password", "active"),
        ],
    },
    {
        "uscc": _GROUP,
        "name": "福建鹭江实业集团有限公司",
        "kind": "real",
        "group_uscc": None,
        "channels": ["corporate_online_banking"],
        "accounts": [("35001880000061033333", "own", "basic", "CNY", ["query", "pay"])],
        "users": [
            ("周国强", "35010219750822331", "admin", "ukey", "active"),
            ("许丽娟", "35010219820430402", "authorizer", "ukey", "active"),
        ],
    },
    {
        "uscc": _GROUP_VIRTUAL,
        "name": "鹭江集团资金管理中心",
        "kind": "virtual",
        "group_uscc": _GROUP,
        "channels": ["cash_management", "corporate_online_banking"],
        "accounts": [
            ("35001880000061033333", "own", "basic", "CNY", ["query", "pay"]),
            ("35001880000073044444", "subsidiary", "general", "CNY", ["query", "pay", "collect"]),
            ("35001880000073055555", "subsidiary", "general", "USD", ["query"]),
        ],
        "users": [
            ("蔡志明", "35020619800915213", "admin", "ukey", "active"),
            ("郭晓红", "35020619870228442", "maker", "ukey", "active"),
            ("洪文斌", "35020619910707351", "checker", "ukey", "active"),
        ],
    },
)


def seed(session: Session, ca: TrainingCA, data_dir: Path, business_date: date) -> bool:
    """Seed an empty training database; ``False`` (nothing done) when it was seeded before."""
    if get_meta(session, "seeded") is not None:
        return False
    set_meta(session, "business_date", business_date.isoformat())
    password = hash_secret(TRAINING_PASSWORD)  # one hash for all: they share the published password anyway
    for user_id, name, roles in STAFF:
        session.add(Staff(user_id=user_id, name=name, roles=list(roles), branch_id=BRANCH_ID, password_hash=password))
    signed_on = business_date - timedelta(days=400)
    for customer in CUSTOMERS:
        _customer(session, ca, customer, signed_on)
    _stock(session, ca, data_dir, business_date - timedelta(days=1))
    set_meta(session, "seeded", clock.stamp(clock.now()))
    log.info("Seeded the training service: branch %s, business date %s", BRANCH_ID, business_date)
    return True


def _customer(session: Session, ca: TrainingCA, spec: dict[str, Any], signed_on: date) -> None:
    ebank_id = f"35{next_number(session, 'customer_ebank'):08d}"
    session.add(
        CustomerRow(
            uscc=spec["uscc"],
            name=spec["name"],
            kind=spec["kind"],
            group_uscc=spec["group_uscc"],
            customer_ebank_id=ebank_id,
            branch_id=BRANCH_ID,
        )
    )
    session.flush()  # no ORM relationships: parents are flushed before the rows that point at them
    for number, relation, type_, currency, rights in spec["accounts"]:
        session.add(
            CustomerAccount(customer_uscc=spec["uscc"], number=number, relation=relation, type=type_, currency=currency, rights=rights)
        )
    agreement_no = f"AG{signed_on:%Y%m%d}{next_number(session, 'agreement'):06d}"
    session.add(
        AgreementRow(
            agreement_no=agreement_no,
            customer_uscc=spec["uscc"],
            branch_id=BRANCH_ID,
            status="active",
            channels=spec["channels"],
            signed_on=signed_on,
            closed_on=None,
            application_id=None,
        )
    )
    session.flush()
    for i, (name, id17, role, credential, state) in enumerate(spec["users"], start=1):
        user_no = f"U{next_number(session, 'agreement_user'):08d}"
        serial = None
        if credential == "ukey":
            token = f"UKS{next_number(session, 'seeded_token'):07d}"
            serial = _seeded_certificate(session, ca, agreement_no, user_no, name, spec["name"], token)
        session.add(
            AgreementUser(
                user_no=user_no,
                agreement_no=agreement_no,
                login_id=f"{ebank_id}{i:03d}",
                name=name,
                id_type="resident_id",
                id_number=make_resident_id(id17),
                role=role,
                credential=credential,
                state=state,
                certificate_serial=serial,
            )
        )


def _seeded_certificate(session: Session, ca: TrainingCA, agreement_no: str, user_no: str, name: str, company: str, token: str) -> str:
    """A real certificate from the training CA for a seeded user (EC P-256: quick to make)."""
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user_no)]))
        .sign(key, hashes.SHA256())
        .public_bytes(serialization.Encoding.PEM)
        .decode("ascii")
    )
    cert = ca.issue(csr, common_name=name, organization=company, key_type="ec_p256", token_serial=token, user_no=user_no)
    session.add(
        CertificateRow(
            serial_hex=cert.serial_hex,
            agreement_no=agreement_no,
            user_no=user_no,
            reference_no=None,
            token_serial=token,
            state="active",
            not_after=cert.not_after,
            revoked_at=None,
        )
    )
    return cert.serial_hex


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)


def _stock(session: Session, ca: TrainingCA, data_dir: Path, received_on: date) -> None:
    premade_dir = data_dir / PREMADE_FOLDER
    premade_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    items: list[StockItem] = []
    for n in range(1, BLANK_UKEYS + 1):
        items.append(StockItem(serial=f"UK{n:08d}", kind="ukey", branch_id=BRANCH_ID, holder=VAULT, state="in_stock", premade=False))
    for n in range(1, PREMADE_UKEYS + 1):
        serial = f"PM{n:08d}"
        cert = ca.mint_premade(key_type=PREMADE_KEY_TYPE, token_serial=serial)
        _write_private(premade_dir / f"{serial}.key.pem", cert.private_key_pem)
        (premade_dir / f"{serial}.cert.pem").write_text(cert.pem, encoding="ascii")
        items.append(
            StockItem(
                serial=serial,
                kind="ukey",
                branch_id=BRANCH_ID,
                holder=VAULT,
                state="in_stock",
                premade=True,
                key_type=PREMADE_KEY_TYPE,
                certificate_serial=cert.serial_hex,
                certificate_pem=cert.pem,
                certificate_not_after=cert.not_after,
            )
        )
    for n in range(1, LETTERS + 1):
        items.append(StockItem(serial=f"LT{n:08d}", kind="letter", branch_id=BRANCH_ID, holder=VAULT, state="in_stock", premade=False))
    for item in items:
        session.add(item)
        record_event(session, received_on, item, "received", VAULT)
