"""The issuance saga's rig: a training central service, SoftHSM blank UKeys in the teller's drawer, a client store.

Everything is real: orders come from an application submitted to the training service over HTTP, blank UKeys
are SoftHSM tokens initialised with the SoftHSM profile's SO PIN ("from the factory") whose serials are received
from the supplier into the vault and handed to the teller's drawer with a witness, the saga drives the tokens
through a :class:`~teller_client.flows.token_gateway.TokenGateway` (worker process), and the journal is a real
SQLite store. :meth:`IssuanceRig.ukey_objects` cross-checks a token with OpenSC's ``pkcs11-tool``, and
:meth:`IssuanceRig.issued_in_central` reads the training service's own database.

Fixtures: ``issuance_central`` (module: one training service), ``issuance`` (the rig, per test).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from drivers.profiles import VendorProfile, load_profiles, profile_by_id
from teller_client.api.client import CentralClient
from teller_client.api.models import Submission
from teller_client.flows.issuance import CertificateJob, IssuanceSaga, PinSink, StepEvent
from teller_client.flows.token_gateway import GatewayTimeouts, TokenGateway
from teller_client.secret import Secret
from teller_client.store.database import Store, open_store
from teller_client.store.journal import Journal
from teller_client.training.server import TrainingServer
from tests.support.central import BUSINESS_DATE, TRAINING_PASSWORD, ContractRecorder
from tests.support.documents import valid_document
from tests.support.softhsm import SoftHsm


def key() -> str:
    return str(uuid.uuid4())


@dataclass
class CentralForIssuance:
    server: TrainingServer
    contract: ContractRecorder

    def client(self, user_id: str) -> CentralClient:
        client = CentralClient(self.server.url, session=self.contract.session(), workstation_id="TEST-WS-01")
        client.login(user_id, TRAINING_PASSWORD)
        return client


@dataclass
class IssuanceRig:
    central: CentralForIssuance
    softhsm: SoftHsm
    profile: VendorProfile
    store: Store
    teller: CentralClient
    supervisor: CentralClient
    witness: CentralClient
    gateway: TokenGateway
    pins: dict[str, Secret] = field(default_factory=dict)
    """The last PIN handed over per token serial (what the PIN letter would carry)."""
    handovers: list[tuple[str, str]] = field(default_factory=list)
    """(reference no, token serial) per PIN handed over."""

    @property
    def journal(self) -> Journal:
        return Journal(self.store)

    def submission(self, *, premade: bool = False, key_type: str = "rsa2048") -> Submission:
        doc = valid_document()
        doc["form_id"] = "EF" + uuid.uuid4().hex[:12].upper()
        app = self.teller.create_application(doc, source="eform", form_id=doc["form_id"], verified=True, idempotency_key=key())
        self.supervisor.decide(app.id, snapshot_hash=app.snapshot_hash, decision="approve", idempotency_key=key())
        mode = "premade" if premade else "counter"
        return self.teller.submit(app.id, idempotency_key=key(), certificate_mode=mode, key_type=key_type)

    def job(self, submission: Submission, index: int = 0) -> CertificateJob:
        order = submission.certificate_orders[index]
        return CertificateJob(
            reference_no=order.reference_no,
            user_no=order.user_no,
            key_type=order.key_type,
            premade=order.premade,
            agreement_no=submission.agreement_no,
            customer_no=submission.customer_ebank_id,
        )

    def blank_ukey(self, label: str = "BLANK") -> str:
        """A blank UKey from the factory (SO PIN set, no user PIN), received into the vault and put in the teller's drawer."""
        assert self.profile.so_pin.value is not None
        token = self.softhsm.create_blank_token(label, so_pin=self.profile.so_pin.value)
        self.receive([token.serial])
        return token.serial

    def premade_ukey(self, key_type: str = "rsa2048") -> str:
        """A pre-made certificate UKey as the vendor's factory makes it: key made on the token, certified, stored
        next to the key, user PIN set to a factory PIN nobody at the branch knows; received into the teller's drawer."""
        assert self.profile.so_pin.value is not None and self.teller.user is not None
        token = self.softhsm.create_blank_token("FACTORY", so_pin=self.profile.so_pin.value)
        factory_pin, key_id = Secret("97531864"), bytes.fromhex("50524d")
        self.gateway.initialise(token.serial, "PREMADE", factory_pin)
        self.gateway.generate_key_pair(token.serial, factory_pin, key_type, key_id, "premade")  # type: ignore[arg-type]
        der = self.gateway.build_csr(token.serial, factory_pin, key_id, [("CN", "PREMADE")])
        csr = x509.load_der_x509_csr(der).public_bytes(serialization.Encoding.PEM).decode()
        made = self.teller.make_training_premade_ukey(token_serial=token.serial, key_type=key_type, csr_pem=csr, idempotency_key=key())
        cert = x509.load_pem_x509_certificate(made["certificate"].encode()).public_bytes(serialization.Encoding.DER)
        self.gateway.install_certificate(token.serial, factory_pin, cert, "premade", key_id)
        factory_pin.wipe()
        self.teller.move_stock(
            kind="ukey", serials=[token.serial], from_holder="vault", to_holder=self.teller.user.id, reason="test stock",
            witness_token=self.witness.token(), idempotency_key=key(),
        )  # fmt: skip
        return token.serial

    def receive(self, serials: list[str], *, kind: str = "ukey") -> None:
        """Serials from the supplier into the vault, then into the teller's drawer, each move witnessed."""
        assert self.teller.user is not None
        for source, target in (("supplier", "vault"), ("vault", self.teller.user.id)):
            self.teller.move_stock(
                kind=kind, serials=serials, from_holder=source, to_holder=target, reason="test stock",
                witness_token=self.witness.token(), idempotency_key=key(),
            )  # fmt: skip

    def letters_to_drawer(self, count: int) -> None:
        """``count`` letters of the vault (seeded by the training service) into the teller's drawer, witnessed."""
        assert self.teller.user is not None
        serials = [i.serial for i in self.teller.stock(holder="vault", kind="letter", state="in_stock")][:count]
        self.teller.move_stock(
            kind="letter", serials=serials, from_holder="vault", to_holder=self.teller.user.id, reason="drawer",
            witness_token=self.witness.token(), idempotency_key=key(),
        )  # fmt: skip

    def pin_sink(self, job: CertificateJob, token_serial: str, pin: Secret) -> None:
        self.pins[token_serial] = Secret(pin.reveal())  # the saga wipes its own; the test keeps a copy to log in with
        self.handovers.append((job.reference_no, token_serial))

    def saga(
        self,
        job: CertificateJob,
        token_serial: str,
        code: Secret | None,
        *,
        observer: Callable[[StepEvent], None] | None = None,
        gateway: TokenGateway | None = None,
        pin_sink: PinSink | None = None,
    ) -> IssuanceSaga:
        assert self.teller.user is not None
        return IssuanceSaga(
            job,
            token_serial,
            gateway=gateway or self.gateway,
            central=self.teller,
            journal=self.journal,
            actor=self.teller.user.id,
            pin_sink=pin_sink or self.pin_sink,
            authorization_code=code,
            observer=observer,
        )

    def ukey_objects(self, serial: str) -> dict[str, int]:
        """Counts of private keys, public keys and certificates on the token, by ``pkcs11-tool`` with the handed-over PIN."""
        [slot] = [s for s in self.softhsm.slots() if s.serial == serial]
        listing = self.softhsm.pkcs11_tool(
            "--slot", str(slot.slot_id), "--login", "--pin", self.pins[serial].reveal(), "--list-objects"
        ).stdout
        return {
            "private_keys": listing.count("Private Key Object"),
            "public_keys": listing.count("Public Key Object"),
            "certificates": listing.count("Certificate Object"),
        }

    def issued_in_central(self, reference_no: str) -> list[tuple[str, str, str]]:
        """(certificate serial, token serial, state) of every certificate the central service made for the order."""
        with sqlite3.connect(self.central.server.data_dir / "central.sqlite") as db:
            rows = db.execute("SELECT serial_hex, token_serial, state FROM certificates WHERE reference_no = ?", (reference_no,))
            return [tuple(row) for row in rows]  # type: ignore[misc]


@pytest.fixture(scope="module")
def issuance_central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralForIssuance]:
    contract = ContractRecorder()
    with TrainingServer(tmp_path_factory.mktemp("central"), business_date=BUSINESS_DATE) as server:
        yield CentralForIssuance(server, contract)
    assert not contract.violations, "\n".join(contract.violations)


@pytest.fixture
def issuance(issuance_central: CentralForIssuance, softhsm: SoftHsm, tmp_path: Path) -> Iterator[IssuanceRig]:
    profile = profile_by_id("softhsm2", load_profiles())
    assert profile is not None
    store = open_store(tmp_path / "client" / "teller.sqlite")
    gateway = TokenGateway(profile, str(softhsm.module), timeouts=GatewayTimeouts(quick=20.0, initialise=30.0, generate=60.0, sign=20.0))
    rig = IssuanceRig(
        central=issuance_central,
        softhsm=softhsm,
        profile=profile,
        store=store,
        teller=issuance_central.client("T0001"),
        supervisor=issuance_central.client("S0001"),
        witness=issuance_central.client("T0002"),
        gateway=gateway,
    )
    try:
        yield rig
    finally:
        gateway.close()
        for pin in rig.pins.values():
            pin.wipe()
