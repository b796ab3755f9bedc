"""The issuance saga: one certificate order made real on one UKey, exactly once, whatever happens on the way.

A saga is keyed by (reference number, token serial). Each step is written to the action journal *before*
its effect (:mod:`teller_client.flows.issuance_record`) and completed with what it made, so a saga started
again after a crash, a pulled UKey, a timeout or an error goes on from where it stopped:

counter-made (a blank UKey)
    ``ukey`` the UKey is present and in the teller's drawer (stock ledger) → ``initialise`` erase it, label
    it, set a random user PIN (only while no key was made on it) → ``key`` generate the key pair on the
    UKey under an id fixed by the order (an earlier attempt's key is found and reused, never a second one)
    → ``csr`` the request, signed by the UKey, journaled → ``issue`` with the authorization code (the same
    key again gets the same certificate) → ``install`` check the certificate (CA chain, this UKey's key,
    validity, UKey serial) and store it next to its key → ``verify`` read everything back: one key pair,
    one certificate, the key signs a challenge → ``ledger`` the central stock ledger shows the UKey issued
    → ``pin_handover`` the user PIN goes to the PIN letter.

pre-made (a UKey whose certificate the vendor made)
    ``ukey`` (a pre-made UKey of the drawer) → ``premade_check`` the UKey's certificate is the one the
    ledger lists for it and holds the UKey's key → ``bind`` → ``verify`` → ``ledger`` → ``pin_handover``.

Secrets: the user PIN is random (the vendor profile's rules), lives only in this object, goes to the
PIN letter and is wiped; it is never journaled. The authorization code is not journaled either: a saga
resumed in a new process does not have it, and when it still needs it (``issue`` not done) it stops with
``needs_authorization`` until a supervisor renews the code (:meth:`IssuanceSaga.reauthorize`), the same way
as for a code that expired overnight. A user PIN lost in a crash is replaced by the security officer
(``C_InitPIN``): keys and certificates stay, the PIN letter carries the new one.

Nothing here touches Qt; the wizard runs :meth:`IssuanceSaga.run` on a worker thread and shows the
:class:`StepEvent` s and the :class:`IssuanceOutcome`.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from drivers.host import DeviceCrashedError, DeviceHostError
from drivers.pkcs11 import Pkcs11Error
from drivers.pkcs11.model import KeyAlgorithm, KeyPairInfo
from drivers.profiles import LabelError, token_label
from teller_client.api.client import CentralClient
from teller_client.api.errors import ApiError, ExpiredError
from teller_client.errors import CancelledError, TellerError
from teller_client.flows import certificate_checks as checks
from teller_client.flows.device_errors import device_error
from teller_client.flows.issuance_record import UKEY_KIND, SagaRecord, chosen_ukeys
from teller_client.flows.token_gateway import TokenGateway
from teller_client.secret import Secret
from teller_client.store.journal import Journal

log = logging.getLogger(__name__)


class Step(StrEnum):
    UKEY = "ukey"
    INITIALISE = "initialise"
    KEY = "key"
    CSR = "csr"
    ISSUE = "issue"
    INSTALL = "install"
    PREMADE_CHECK = "premade_check"
    BIND = "bind"
    VERIFY = "verify"
    LEDGER = "ledger"
    PIN_HANDOVER = "pin_handover"


COUNTER_STEPS = (Step.UKEY, Step.INITIALISE, Step.KEY, Step.CSR, Step.ISSUE, Step.INSTALL, Step.VERIFY, Step.LEDGER, Step.PIN_HANDOVER)
PREMADE_STEPS = (Step.UKEY, Step.PREMADE_CHECK, Step.BIND, Step.VERIFY, Step.LEDGER, Step.PIN_HANDOVER)

Phase = Literal["begun", "applied", "done"]

REMOVED = frozenset({"token_not_present", "token_not_found", "token_not_recognized", "session_closed"})
"""Driver codes that mean "the UKey is not there (any more)": wait for it, then go on."""
PIN_LOST = frozenset({"pin_incorrect", "pin_locked", "pin_not_initialised", "pin_expired"})
"""Driver codes after which the security officer sets a new user PIN and the step is tried once more."""


@dataclass(frozen=True)
class CertificateJob:
    """One certificate order of a submitted application, as the saga needs it."""

    reference_no: str
    user_no: str
    key_type: str
    premade: bool
    agreement_no: str
    customer_no: str
    """The customer's e-banking number (``customer_ebank_id``): part of the UKey's label."""
    branch_no: str = ""


@dataclass(frozen=True)
class StepEvent:
    reference_no: str
    token_serial: str
    step: Step
    phase: Phase
    """``begun`` (journaled, effect not yet done), ``applied`` (effect done, not yet journaled), ``done``."""


class Status(StrEnum):
    ISSUED = "issued"
    NEEDS_UKEY = "needs_ukey"
    """The UKey is not present (pulled out): insert it and run again."""
    NEEDS_AUTHORIZATION = "needs_authorization"
    """The authorization code is expired, wrong or lost in a crash: a supervisor reauthorizes, then run again."""
    FAILED = "failed"
    """A step failed; :attr:`IssuanceOutcome.error` says why. Running again is always safe."""
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class IssuanceOutcome:
    status: Status
    step: Step | None = None
    error: TellerError | None = None
    certificate_serial: str | None = None


PinSink = Callable[[CertificateJob, str, Secret], None]
"""Receives (job, token serial, user PIN) and prints the PIN letter; the saga wipes the PIN when it returns."""


class _NeedAuthorization(Exception):
    def __init__(self, error: TellerError) -> None:
        super().__init__(error.message_en)
        self.error = error


class IssuanceSaga:
    """One certificate order on one UKey. Not thread-safe: one thread runs it; ``cancel`` stops it between calls."""

    def __init__(
        self,
        job: CertificateJob,
        token_serial: str,
        *,
        gateway: TokenGateway,
        central: CentralClient,
        journal: Journal,
        actor: str,
        pin_sink: PinSink,
        authorization_code: Secret | None = None,
        observer: Callable[[StepEvent], None] | None = None,
    ) -> None:
        self.job = job
        self.token_serial = token_serial
        self._gateway = gateway
        self._central = central
        self._journal = journal
        self._actor = actor
        self._pin_sink = pin_sink
        self._code = authorization_code
        self._observer = observer
        self._pin: Secret | None = None
        self._record = SagaRecord(journal, job.reference_no, token_serial)
        self._cancel: threading.Event | None = None

    @property
    def steps(self) -> tuple[Step, ...]:
        return PREMADE_STEPS if self.job.premade else COUNTER_STEPS

    @property
    def key_id(self) -> bytes:
        """The CKA_ID of the order's key pair: fixed by the order, so a resumed saga finds the key it made."""
        return hashlib.sha1(f"teller-client issuance {self.job.reference_no}".encode(), usedforsecurity=False).digest()

    @property
    def authorization_code(self) -> Secret | None:
        """The code this saga holds (after :meth:`reauthorize`), for the caller to keep for a later run."""
        return self._code

    def done_steps(self) -> list[Step]:
        self._record.reload()
        return [step for step in self.steps if self._record.done(step)]

    # -- running ----------------------------------------------------------------------------------------

    def run(self, cancel: threading.Event | None = None) -> IssuanceOutcome:
        """Do every step not yet done; stop at the first that cannot go on and say why."""
        self._cancel = cancel
        self._record.reload()
        step: Step | None = None
        try:
            for step in self.steps:
                if self._record.done(step):
                    continue
                if cancel is not None and cancel.is_set():
                    return IssuanceOutcome(Status.CANCELLED, step)
                self._run_step(step)
                self._record.reload()
            result = self._record.result(Step.VERIFY) or {}
            return IssuanceOutcome(Status.ISSUED, certificate_serial=result.get("certificate_serial"))
        except _NeedAuthorization as need:
            return IssuanceOutcome(Status.NEEDS_AUTHORIZATION, step, need.error)
        except CancelledError as exc:
            return IssuanceOutcome(Status.CANCELLED, step, exc)
        except (Pkcs11Error, DeviceHostError) as exc:
            return self._device_outcome(step, exc)
        except TellerError as exc:
            log.warning("issuance of order %s stopped at %s: %s", self.job.reference_no, step, exc.code)
            return IssuanceOutcome(Status.FAILED, step, exc)

    def reauthorize(self, supervisor: CentralClient, reason: str) -> None:
        """A supervisor renews the order's authorization code; the next :meth:`run` uses it."""
        entry = self._journal.begin(
            "issuance.reauthorize",
            subject=self._record.subject,
            actor=supervisor.user.id if supervisor.user else "",
            request={"reason": reason},
        )
        if entry.attempts > 1:  # a replayed answer carries no code: ask for a new one under a new key
            self._journal.abandon(entry.idempotency_key)
            entry = self._journal.begin("issuance.reauthorize", subject=self._record.subject, actor=entry.actor, request={"reason": reason})
        order = supervisor.reauthorize(self.job.reference_no, idempotency_key=entry.idempotency_key, reason=reason)
        self._journal.complete(entry.idempotency_key, {"expires_at": order.expires_at.isoformat()})
        if order.authorization_code is None:
            raise TellerError(
                "The central service gave no new code; ask again.", "中心未返回新的授权码，请重试。", code="reauthorization_empty"
            )
        self.set_authorization_code(order.authorization_code)

    def set_authorization_code(self, code: Secret) -> None:
        if self._code is not None and self._code is not code:
            self._code.wipe()
        self._code = code
        pending = self._record.pending(Step.ISSUE)
        if pending is not None:  # its body held the old code: the same key must not carry a different body
            self._journal.abandon(pending.idempotency_key)
            self._record.reload()

    def close(self) -> None:
        """Wipe the user PIN this saga holds (a later run sets a new one through the SO). The authorization code is
        left to whoever handed it over (:attr:`authorization_code`), who may keep it for the next run."""
        self._forget_pin()

    # -- one step -----------------------------------------------------------------------------------------

    def _run_step(self, step: Step) -> None:
        for attempt in range(3):
            try:
                if step == Step.ISSUE:
                    self._run_issue()
                elif step == Step.BIND:
                    self._run_bind()
                else:
                    self._run_device_step(step)
                return
            except DeviceCrashedError:
                if attempt:
                    raise
                log.warning("the UKey library's worker stopped during %s; trying the step again", step)
            except Pkcs11Error as exc:
                if exc.code not in PIN_LOST or attempt or step == Step.UKEY:
                    raise
                log.warning("the UKey refused the PIN during %s (%s); the security officer sets a new one", step, exc.code)
                self._forget_pin()

    def _run_device_step(self, step: Step) -> None:
        action: Callable[[], dict[str, Any]] = getattr(self, f"_step_{step.value}")
        self._journaled(step, {"token_serial": self.token_serial, "step": step.value}, lambda _key: action())

    def _journaled(self, step: Step, request: dict[str, Any], action: Callable[[str], dict[str, Any]]) -> None:
        """Journal the step, do it (``action`` gets the idempotency key to send), record what it made.

        A definite refusal by the central service fails the entry (nothing happened; a new attempt gets a new key);
        any other exception leaves it pending: the effect may have happened, and the retry resolves it (the same
        key again, or the step's own look at the UKey).
        """
        entry = self._journal.begin(f"issuance.{step.value}", subject=self._record.subject, actor=self._actor, request=request)
        self._emit(step, "begun")
        try:
            result = action(entry.idempotency_key)
        except ApiError as exc:
            self._journal.fail(entry.idempotency_key, exc.code or "refused")
            if isinstance(exc, ExpiredError) or exc.code == "authorization_code_invalid":
                self._drop_code()
                raise _NeedAuthorization(exc) from None
            raise
        self._emit(step, "applied")
        self._journal.complete(entry.idempotency_key, result)
        self._emit(step, "done")

    def _emit(self, step: Step, phase: Phase) -> None:
        if self._observer is not None:
            self._observer(StepEvent(self.job.reference_no, self.token_serial, step, phase))

    # -- the steps ------------------------------------------------------------------------------------------

    def _step_ukey(self) -> dict[str, Any]:
        self._check_other_ukeys()
        info = self._gateway.token(self.token_serial, cancel=self._cancel)
        item = next((i for i in self._central.stock(holder=self._actor, kind="ukey") if i.serial == self.token_serial), None)
        if item is None or item.state != "in_stock":
            raise TellerError(
                f"UKey {self.token_serial} is not in your drawer in the stock ledger; take one that is.",
                f"UKey {self.token_serial} 不在您名下的库存中，请使用登记在您名下的 UKey。",
                code="ukey_not_in_drawer",
            )
        if item.premade != self.job.premade:
            raise TellerError(
                "This order needs a blank UKey; this one holds a pre-made certificate."
                if not self.job.premade
                else "This order needs a pre-made certificate UKey; this one is blank.",
                "该订单须使用空白 UKey，此 UKey 为预制证书 UKey。"
                if not self.job.premade
                else "该订单须使用预制证书 UKey，此 UKey 为空白 UKey。",
                code="ukey_wrong_kind",
            )
        self._journal.complete(
            self._journal.begin(
                UKEY_KIND, subject=self.job.reference_no, actor=self._actor, request={"token_serial": self.token_serial}
            ).idempotency_key,
            {"token_serial": self.token_serial},
        )
        return {"token_serial": self.token_serial, "label": info.label, "certificate_serial": item.certificate_serial}

    def _step_initialise(self) -> dict[str, Any]:
        if self._record.begun(Step.KEY):  # never erase a UKey once a key may be on it
            raise TellerError("The UKey was prepared already.", "UKey 已初始化。", code="ukey_already_prepared")
        try:
            label = token_label(
                self._gateway.profile,
                customer_no=self.job.customer_no,
                user_no=self.job.user_no,
                branch_no=self.job.branch_no,
                token_serial=self.token_serial,
            )
        except LabelError as exc:
            raise TellerError(f"The UKey label cannot be made: {exc}.", f"无法生成 UKey 标签：{exc}。", code="ukey_label_invalid") from None
        self._forget_pin()
        pin = self._gateway.new_user_pin()
        self._gateway.initialise(self.token_serial, label, pin, cancel=self._cancel)
        self._pin = pin
        return {"label": label}

    def _step_key(self) -> dict[str, Any]:
        pin = self._user_pin()
        contents = self._gateway.contents(self.token_serial, pin, cancel=self._cancel)
        strays = [pair.key_id for pair in contents.key_pairs if pair.key_id != self.key_id]
        if strays and not self._record.begun(Step.CSR):  # an interrupted generation's leftovers: no certificate can exist
            self._gateway.delete_key_pairs(self.token_serial, pin, strays, cancel=self._cancel)
        algorithm = self._algorithm()
        pair = self._gateway.generate_key_pair(self.token_serial, pin, algorithm, self.key_id, self.job.user_no, cancel=self._cancel)
        return {"key_id": pair.key_id.hex(), "algorithm": pair.algorithm, "public_key_sha256": _spki_hash(pair)}

    def _step_csr(self) -> dict[str, Any]:
        subject = [("C", "CN"), ("O", self.job.agreement_no), ("CN", self.job.user_no)]  # the CA takes the subject from the order
        der = self._gateway.build_csr(self.token_serial, self._user_pin(), self.key_id, subject, cancel=self._cancel)
        return {
            "csr_pem": x509.load_der_x509_csr(der).public_bytes(serialization.Encoding.PEM).decode("ascii"),
            "csr_sha256": hashlib.sha256(der).hexdigest(),
        }

    def _step_install(self) -> dict[str, Any]:
        issued = self._record.result(Step.ISSUE) or {}
        pair = self._own_key_pair()
        checked = checks.check_issued(
            issued["certificate_pem"], issued["chain"], token_key_info=_spki(pair), token_serial=self.token_serial
        )
        self._gateway.install_certificate(
            self.token_serial, self._user_pin(), checked.der, self.job.user_no, self.key_id, cancel=self._cancel
        )
        return {"certificate_serial": checked.serial_hex, "not_after": checked.not_after.isoformat(), "issuer": checked.issuer}

    def _step_premade_check(self) -> dict[str, Any]:
        ledger_serial = (self._record.result(Step.UKEY) or {}).get("certificate_serial")
        contents = self._gateway.contents(self.token_serial, self._user_pin(), cancel=self._cancel)
        if len(contents.certificates) != 1:
            raise TellerError(
                f"A pre-made UKey must hold exactly one certificate; this one holds {len(contents.certificates)}.",
                f"预制证书 UKey 应有且仅有一张证书，该 UKey 有 {len(contents.certificates)} 张。",
                code="premade_certificate_count",
            )
        certificate = contents.certificates[0]
        pair = next((p for p in contents.key_pairs if p.key_id == certificate.key_id), None)
        if pair is None or pair.public_key_info is None:
            raise TellerError(
                "The pre-made certificate's key is not on the UKey.", "UKey 中没有预制证书对应的密钥。", code="premade_key_missing"
            )
        checked = checks.check_premade(
            certificate.der, token_key_info=pair.public_key_info, token_serial=self.token_serial, ledger_serial=ledger_serial
        )
        if not self._gateway.proves_possession(self.token_serial, self._user_pin(), pair.key_id, pair.public_key_info, cancel=self._cancel):
            raise TellerError("The UKey's key does not sign for its certificate.", "UKey 密钥与证书不匹配。", code="premade_key_mismatch")
        return {"certificate_serial": checked.serial_hex, "key_id": pair.key_id.hex(), "not_after": checked.not_after.isoformat()}

    def _step_verify(self) -> dict[str, Any]:
        pin = self._user_pin()
        contents = self._gateway.contents(self.token_serial, pin, cancel=self._cancel)
        expected = self._expected_certificate()
        key_id = bytes.fromhex(expected["key_id"])
        certificates = [checks.load_certificate(c.der) for c in contents.certificates]
        problems = []
        if len(contents.key_pairs) != 1 or contents.key_pairs[0].key_id != key_id:
            problems.append(f"{len(contents.key_pairs)} key pair(s)")
        if len(certificates) != 1 or checks.serial_hex(certificates[0]) != expected["certificate_serial"]:
            problems.append(f"{len(certificates)} certificate(s)")
        if problems:
            raise TellerError(
                f"Reading the UKey back found {', '.join(problems)} instead of exactly the one issued.",
                "回读 UKey 时发现其中的密钥或证书与签发结果不一致。",
                code="ukey_readback_mismatch",
            )
        [certificate] = certificates
        if not self._gateway.proves_possession(self.token_serial, pin, key_id, checks.public_key_info(certificate), cancel=self._cancel):
            raise TellerError("The UKey's key does not sign for its certificate.", "UKey 密钥与证书不匹配。", code="ukey_readback_mismatch")
        return {"certificate_serial": expected["certificate_serial"], "key_id": key_id.hex(), "label": contents.info.label}

    def _step_ledger(self) -> dict[str, Any]:
        item = next((i for i in self._central.stock(kind="ukey") if i.serial == self.token_serial), None)
        if item is None or item.state != "issued":
            raise TellerError(
                f"The stock ledger does not show UKey {self.token_serial} as issued; ask the supervisor to check the ledger.",
                f"库存账未显示 UKey {self.token_serial} 已出库，请主管核对库存账。",
                code="ukey_ledger_mismatch",
            )
        return {"token_serial": self.token_serial, "state": item.state}

    def _step_pin_handover(self) -> dict[str, Any]:
        pin = self._user_pin()
        try:
            self._pin_sink(self.job, self.token_serial, pin)
        finally:
            self._forget_pin()
        return {"handed_over": True}

    # -- the two central calls (the journal's idempotency key goes with them) ------------------------------------

    def _run_issue(self) -> None:
        if self._code is None:
            raise _NeedAuthorization(
                TellerError(
                    "The authorization code is no longer at hand (the client was restarted); a supervisor must reauthorize the order.",
                    "授权码已不在本机内存中（客户端曾重启），须主管重新授权。",
                    code="authorization_needed",
                )
            )
        csr = self._record.result(Step.CSR) or {}
        code = self._code

        def call(key: str) -> dict[str, Any]:
            result = self._central.issue_certificate(
                self.job.reference_no, authorization_code=code, csr_pem=csr["csr_pem"], token_serial=self.token_serial, idempotency_key=key
            )
            return {
                "certificate_pem": result.certificate,
                "chain": list(result.chain),
                "certificate_serial": result.certificate_serial,
                "not_after": result.not_after.isoformat(),
            }

        self._journaled(Step.ISSUE, {"token_serial": self.token_serial, "csr_sha256": csr["csr_sha256"]}, call)

    def _run_bind(self) -> None:
        checked = self._record.result(Step.PREMADE_CHECK) or {}
        serial = checked["certificate_serial"]

        def call(key: str) -> dict[str, Any]:
            result = self._central.bind_certificate(
                self.job.reference_no, token_serial=self.token_serial, certificate_serial=serial, idempotency_key=key
            )
            return {"certificate_serial": result.certificate_serial, "not_after": result.not_after.isoformat()}

        self._journaled(Step.BIND, {"token_serial": self.token_serial, "certificate_serial": serial}, call)

    # -- helpers ---------------------------------------------------------------------------------------------------

    def _user_pin(self) -> Secret:
        """The user PIN: the one this saga set, or (after a restart) a new one set by the security officer."""
        if self._pin is None:
            pin = self._gateway.new_user_pin()
            self._gateway.reset_user_pin(self.token_serial, pin, cancel=self._cancel)
            self._pin = pin
        return self._pin

    def _forget_pin(self) -> None:
        if self._pin is not None:
            self._pin.wipe()
        self._pin = None

    def _drop_code(self) -> None:
        if self._code is not None:
            self._code.wipe()
        self._code = None

    def _own_key_pair(self) -> KeyPairInfo:
        contents = self._gateway.contents(self.token_serial, self._user_pin(), cancel=self._cancel)
        pair = next((p for p in contents.key_pairs if p.key_id == self.key_id), None)
        if pair is None or pair.public_key_info is None:
            raise TellerError(
                "The key made for this order is no longer on the UKey.", "为该订单生成的密钥已不在 UKey 中。", code="ukey_key_missing"
            )
        return pair

    def _expected_certificate(self) -> dict[str, Any]:
        if self.job.premade:
            checked = self._record.result(Step.PREMADE_CHECK) or {}
            return {"certificate_serial": checked["certificate_serial"], "key_id": checked["key_id"]}
        installed = self._record.result(Step.INSTALL) or {}
        return {"certificate_serial": installed["certificate_serial"], "key_id": self.key_id.hex()}

    def _algorithm(self) -> KeyAlgorithm:
        algorithm: KeyAlgorithm | None = None
        if self.job.key_type == "rsa2048" and self._gateway.profile.keys.supports("rsa2048"):
            algorithm = "rsa2048"
        elif self.job.key_type == "ec_p256" and self._gateway.profile.keys.supports("ec_p256"):
            algorithm = "ec_p256"
        if algorithm is None:
            raise TellerError(
                f"This UKey model cannot make a {self.job.key_type} key.",
                f"该型号 UKey 不支持 {self.job.key_type} 密钥。",
                code="ukey_key_type_unsupported",
            )
        return algorithm

    def _check_other_ukeys(self) -> None:
        """A second UKey may replace the first only while no certificate can exist on the first."""
        for serial in chosen_ukeys(self._journal, self.job.reference_no):
            if serial == self.token_serial:
                continue
            other = SagaRecord(self._journal, self.job.reference_no, serial)
            if other.may_have_happened(Step.ISSUE) or other.may_have_happened(Step.BIND):
                raise TellerError(
                    f"This order's certificate may already be on UKey {serial}; go on with that UKey, or a supervisor cancels it.",
                    f"该订单的证书可能已写入 UKey {serial}，请继续使用该 UKey，或由主管撤销。",
                    code="ukey_switch_refused",
                )

    def _device_outcome(self, step: Step | None, exc: Pkcs11Error | DeviceHostError) -> IssuanceOutcome:
        error = device_error(exc)
        if isinstance(error, CancelledError):
            return IssuanceOutcome(Status.CANCELLED, step, error)
        if isinstance(exc, Pkcs11Error) and exc.code in REMOVED:
            wanted = TellerError(
                f"Insert UKey {self.token_serial} (user {self.job.user_no}) to go on. {error.message_en}",
                f"请插入 UKey {self.token_serial}（操作员 {self.job.user_no}）以继续。{error.message_zh}",
                code="ukey_needed",
            )
            return IssuanceOutcome(Status.NEEDS_UKEY, step, wanted)
        log.warning("issuance of order %s stopped at %s: %s", self.job.reference_no, step, error.code)
        return IssuanceOutcome(Status.FAILED, step, error)


def handed_over(journal: Journal, reference_no: str) -> tuple[str, str] | None:
    """(token serial, certificate serial) once the order's UKey is finished, PIN handed over; else ``None``."""
    serials = chosen_ukeys(journal, reference_no)
    if not serials:
        return None
    record = SagaRecord(journal, reference_no, serials[-1])
    verified = record.result(Step.VERIFY)
    if verified is None or not record.done(Step.PIN_HANDOVER):
        return None
    return serials[-1], str(verified["certificate_serial"])


def _spki(pair: KeyPairInfo) -> bytes:
    if pair.public_key_info is None:
        raise TellerError("The UKey holds no public key for the order's key.", "UKey 中缺少该密钥的公钥。", code="ukey_key_missing")
    return pair.public_key_info


def _spki_hash(pair: KeyPairInfo) -> str:
    return hashlib.sha256(_spki(pair)).hexdigest()
