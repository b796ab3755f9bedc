"""Dual control of a signing session: sending its application for approval and reading the supervisor's decision.

The central service holds the application a supervisor signs off (see ``central-api.md``):

* The first time, the application is created there (``POST /applications``; the teller is its maker). The call is
  journaled first (kind :data:`CREATE_KIND`, subject the draft id), so a retry after a lost answer sends the same
  idempotency key and the service answers with the same application instead of making a second one.
* After a supervisor's return, the teller corrects the draft and sends it again: the application is changed
  (``PUT``), which puts it back in the queue (``pending_approval``).
* The decision is read back (``GET``): ``approved`` (the approval of the exact snapshot the draft has now:
  :meth:`~teller_client.flows.signing.SigningState.with_approval`), ``returned`` (with the supervisor's reason
  from the application's history: :meth:`~teller_client.flows.signing.SigningState.with_return`, the teller is
  brought back to review), ``rejected`` (the application is closed), or still ``pending_approval``.

The service keeps the document it was sent in normalised form, and its snapshot hash is computed the same way as the
client's (SHA-256 of the canonical JSON of the domain model's document,
:func:`~teller_client.domain.document.snapshot_hash`), so the hash it returns must be the session's own. A different
hash means the service changed the document (:data:`SERVICE_CHANGED`), or the teller changed the draft since it was
sent (:data:`DRAFT_CHANGED`); either way what the supervisor sees is not what the teller has, and this is said.

Threads: :meth:`ApprovalRequest.of`, :func:`accept` and :func:`waiver_requested` read or write the session (the GUI
thread); :func:`send`, :func:`fetch` and :meth:`QueueDecision.send` talk to the service (a worker). Nothing here
imports Qt.

The supervisor's side: at the teller's desk, :class:`~teller_client.flows.sign_off.DeskSignOff` (re-keyed fields,
journaled decision); from the branch review queue on their own computer, :class:`QueueDecision`.
"""

from __future__ import annotations

import copy
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from teller_client.api.client import CentralClient
from teller_client.api.models import ApplicationInfo
from teller_client.errors import ConfigurationError, TellerError
from teller_client.flows import media
from teller_client.flows.journaled import journaled_call
from teller_client.flows.signing import Page
from teller_client.flows.signing_session import SigningSession
from teller_client.store.journal import PENDING as JOURNAL_PENDING
from teller_client.store.journal import Journal

log = logging.getLogger(__name__)

CREATE_KIND = "application.create"
"""Journal kind of the creation of a session's application (subject: the draft id)."""

PENDING, APPROVED, RETURNED, REJECTED, SUBMITTED = "pending_approval", "approved", "returned", "rejected", "submitted"

SERVICE_CHANGED = "snapshot_mismatch"
"""Error code: the service's snapshot hash of the document it was sent is not the client's."""
DRAFT_CHANGED = "draft_changed_since_sent"
"""Error code: the teller changed the draft after sending it; the supervisor reviews the earlier version."""

DECISIONS = ("approve", "return", "reject")


class ApprovalRefused(TellerError):
    """The application cannot be sent, or a decision cannot be taken; the message says why."""


def _refuse(code: str, en: str, zh: str) -> ApprovalRefused:
    return ApprovalRefused(en, zh, code=code)


# -- the teller's side ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalRequest:
    """What one sending takes from the session: a copy, taken on the GUI thread, for the worker."""

    draft_id: str
    application_id: str | None
    status: str
    document: dict[str, Any] = field(repr=False)
    source: str
    form_id: str
    verified: bool
    snapshot_hash: str
    maker: str

    @classmethod
    def of(cls, session: SigningSession, maker: str | None = None) -> ApprovalRequest:
        """Refused when there is nothing a supervisor could approve (errors left, closed, already approved)."""
        state = session.state
        if session.status == REJECTED:
            raise _refuse(
                "application_rejected", "The supervisor rejected this application; it is closed.", "该申请已被主管拒绝，业务已终止。"
            )
        if state.submitted:
            raise _refuse("already_submitted", "The application was submitted already.", "申请已提交。")
        if session.application is None or state.snapshot_hash is None:
            raise _refuse(
                "application_incomplete",
                "The application cannot be read as a whole yet; complete the pages first.",
                "申请内容尚不完整，请先填写各页。",
            )
        if state.blocking(Page.REVIEW):
            raise _refuse(
                "application_has_problems",
                "The application still has problems; fix them on the review page before sign-off.",
                "申请还有问题，请先在复核页处理后再送审。",
            )
        if state.approved:
            raise _refuse("already_approved", "This version of the application is approved already.", "当前版本的申请已审批通过。")
        if session.request.value != "new":
            raise _refuse(
                "request_not_supported",
                "Changes and closures are sent from the after-sales screens; this wizard sends new signings.",
                "变更和注销请在售后功能中送审，本向导只办理新签约。",
            )
        return cls(
            draft_id=session.draft_id,
            application_id=session.application_id,
            status=session.status,
            document=copy.deepcopy(session.document),
            source=session.source if session.source in ("eform", "paper", "existing") else "paper",
            form_id=session.form_id,
            verified=session.verified,
            snapshot_hash=state.snapshot_hash,
            maker=maker or session.teller,
        )


def needs_sending(session: SigningSession) -> bool:
    """Whether the supervisor has nothing to look at yet: never sent, or returned (then a changed version is sent)."""
    return session.application_id is None or session.status in (RETURNED, "editing")


def send(request: ApprovalRequest, central: CentralClient, journal: Journal) -> ApplicationInfo:
    """Put the application in front of a supervisor (worker thread); the service's answer, for :func:`accept`.

    New: created, journaled first (a lost answer is asked again with the same key, the same application comes
    back). Already there: its current state is read; a returned one is changed (``PUT``) and waits again; one
    waiting or decided is returned as it is (:func:`accept` tells the teller what it means).
    """
    if request.application_id is None:
        log.info("sending draft %s for approval (new application)", request.draft_id)
        _forget_other_version(journal, request)
        return journaled_call(
            journal,
            CREATE_KIND,
            subject=request.draft_id,
            actor=request.maker,
            request={"form_id": request.form_id, "source": request.source, "snapshot_hash": request.snapshot_hash},
            call=lambda key: central.create_application(
                request.document, source=request.source, form_id=request.form_id, verified=request.verified, idempotency_key=key
            ),
            record=lambda info: {"application_id": info.id, "snapshot_hash": info.snapshot_hash, "status": info.status},
        )
    current = central.application(request.application_id)
    if current.status == RETURNED:
        log.info("sending application %s again after a return", request.application_id)
        return central.update_application(request.application_id, request.document, verified=request.verified)
    return current


def _forget_other_version(journal: Journal, request: ApprovalRequest) -> None:
    """An unanswered creation of another version of this draft cannot be asked again (the key would be refused for
    the different body): it is abandoned, and the new version gets a key of its own. Whether the service made the
    earlier one is unknown; if it did, it waits in the branch queue and a supervisor rejects it."""
    for entry in journal.for_subject(request.draft_id):
        if entry.kind == CREATE_KIND and entry.state == JOURNAL_PENDING and entry.request.get("snapshot_hash") != request.snapshot_hash:
            log.warning("draft %s: an unanswered sending of an earlier version is abandoned", request.draft_id)
            journal.abandon(entry.idempotency_key)


def fetch(central: CentralClient, application_id: str) -> ApplicationInfo:
    """The application as the service has it now (worker thread)."""
    return central.application(application_id)


@dataclass(frozen=True)
class Decision:
    """Where the application stands at the service, as :func:`accept` applied it to the session."""

    status: str
    """``pending_approval``, ``approved``, ``returned``, ``rejected`` or ``submitted``."""
    application_id: str
    snapshot_hash: str
    reason: str | None = None
    """The supervisor's reason for a return or a rejection."""
    decided_by: str | None = None
    decided_at: datetime | None = None
    fee_waiver_approved: bool | None = None
    changed: bool = False
    """True when this answer moved the session on (a new approval, return or rejection)."""

    @property
    def waiting(self) -> bool:
        return self.status == PENDING


def _decision_entry(info: ApplicationInfo) -> tuple[str | None, str | None, datetime | None]:
    """The last decision in the application's history: (reason, actor, when)."""
    for entry in reversed(info.history):
        if entry.action in (APPROVED, RETURNED, REJECTED, "approve", "return", "reject"):
            return entry.reason, entry.actor, entry.at
    return None, None, None


def accept(session: SigningSession, info: ApplicationInfo, *, sent_hash: str | None = None) -> Decision:
    """Apply the service's answer to the session (GUI thread); raises when the hashes say the versions differ.

    ``sent_hash`` is the snapshot hash of the document just sent (:attr:`ApprovalRequest.snapshot_hash`): the
    service's must be the same, or it changed the document. The application id is stored even then, so a second
    sending never makes a second application.
    """
    if session.application_id not in (None, info.id):
        raise _refuse(
            "another_application",
            f"The service answered about application {info.id}, but this draft is application {session.application_id}.",
            f"中心系统返回的是申请 {info.id}，而本草稿对应申请 {session.application_id}。",
        )
    session.application_id = info.id
    reason, actor, when = _decision_entry(info)
    waiver = info.fees.get("waiver_approved") if isinstance(info.fees, dict) else None
    waiver_approved = waiver if isinstance(waiver, bool) else None
    state = session.state
    old_status = session.status
    decision = Decision(info.status, info.id, info.snapshot_hash, reason, actor, when, waiver_approved)

    if sent_hash is not None and info.snapshot_hash != sent_hash:
        session.status = info.status if info.status in (PENDING, APPROVED, RETURNED, REJECTED) else session.status
        log.error("application %s: the service's snapshot hash differs from the one sent", info.id)
        raise _refuse(
            SERVICE_CHANGED,
            "The central service's copy of this application is not the one sent (its snapshot hash differs): "
            "the service changed the document. Do not go on; call branch IT.",
            "中心系统保存的申请与发送的内容不一致（快照摘要不同），中心系统改动了申请内容。请勿继续办理，并联系网点科技人员。",
        )

    if info.status == PENDING:
        session.status = PENDING
        if info.snapshot_hash != state.snapshot_hash:
            raise _draft_changed()
        return _with(decision, changed=old_status != PENDING)
    if info.status in (APPROVED, SUBMITTED):
        if info.snapshot_hash != state.snapshot_hash:
            session.status = info.status
            raise _draft_changed(approved=True)
        fresh = not state.approved
        if fresh:
            session.state = state.with_approval(info.snapshot_hash)
        session.status = info.status if info.status == APPROVED or state.submitted else APPROVED
        return _with(decision, changed=fresh or old_status != session.status)
    if info.status == RETURNED:
        text = (reason or "").strip()
        fresh = old_status != RETURNED or state.returned_reason != text
        if fresh:
            session.state = state.with_return(text)
        session.status = RETURNED
        return _with(decision, changed=fresh)
    if info.status == REJECTED:
        session.status = REJECTED
        return _with(decision, changed=old_status != REJECTED)
    raise _refuse(
        "unexpected_status",
        f"The central service says the application is '{info.status}'.",
        f"中心系统显示该申请的状态为“{info.status}”。",
    )


def _with(decision: Decision, *, changed: bool) -> Decision:
    return Decision(
        decision.status,
        decision.application_id,
        decision.snapshot_hash,
        decision.reason,
        decision.decided_by,
        decision.decided_at,
        decision.fee_waiver_approved,
        changed,
    )


def _draft_changed(*, approved: bool = False) -> ApprovalRefused:
    if approved:  # an approved application can no longer be returned nor changed at the service
        return _refuse(
            DRAFT_CHANGED,
            "The supervisor approved the version before the latest change. Undo the change to submit the approved version; "
            "a different application needs a new signing.",
            "主管审批通过的是修改前的版本。如需提交已审批的版本，请撤销修改；如内容确需变更，须重新办理签约。",
        )
    return _refuse(
        DRAFT_CHANGED,
        "The draft was changed after it was sent: the supervisor has the earlier version. "
        "Ask the supervisor to return it, then send it again.",
        "草稿在送审后又被修改，主管审批的是修改前的版本。请主管将申请退回后重新送审。",
    )


def waiver_requested(session: SigningSession) -> bool:
    """Whether the customer asks for a fee waiver the supervisor decides on at sign-off."""
    fees = session.get("/fees")
    return isinstance(fees, dict) and bool(fees.get("waiver_requested"))


# -- the supervisor's side, from the branch review queue ----------------------------------------------------------------


@dataclass(frozen=True)
class QueueDecision:
    """A supervisor's decision from the branch review queue, with its idempotency key.

    The queue page keeps the object while an answer is lost and sends the same decision again with the same key
    (:meth:`same`), so the service acts once. The maker is refused here before the service is asked (the service
    refuses too); a return or a rejection needs a reason; approving a requested fee waiver needs its decision.
    """

    application_id: str
    snapshot_hash: str
    maker: str
    decision: str
    reason: str | None = None
    fee_waiver_requested: bool = False
    fee_waiver_approved: bool | None = None
    key: str = field(default_factory=lambda: str(uuid.uuid4()))

    def same(self, other: QueueDecision) -> bool:
        """The same decision on the same snapshot (whatever the key)."""
        return (
            self.application_id,
            self.snapshot_hash,
            self.decision,
            (self.reason or "").strip(),
            self.fee_waiver_approved,
        ) == (other.application_id, other.snapshot_hash, other.decision, (other.reason or "").strip(), other.fee_waiver_approved)

    def check(self, supervisor_id: str) -> None:
        if self.decision not in DECISIONS:
            raise ValueError(f"unknown decision {self.decision!r}")
        if supervisor_id == self.maker:
            raise _refuse("maker_cannot_approve", "The maker of an application never approves it.", "经办人不能审批自己经办的申请。")
        if self.decision in ("return", "reject") and not (self.reason or "").strip():
            if self.decision == "return":
                raise _refuse("reason_required", "Say why the application goes back to the teller.", "请填写退回原因。")
            raise _refuse("reason_required", "Say why the application is rejected.", "请填写拒绝原因。")
        if self.decision == "approve" and self.fee_waiver_requested and self.fee_waiver_approved is None:
            raise _refuse(
                "waiver_decision_required",
                "The customer asks for a fee waiver: approve or refuse it with the application.",
                "客户申请了费用减免，请在审批时同意或不同意减免。",
            )

    def send(self, central: CentralClient) -> ApplicationInfo:
        """Send the decision (worker thread); the same key on every attempt of this object."""
        if central.user is None:
            raise ValueError("the supervisor must be signed in")
        self.check(central.user.id)
        return central.decide(
            self.application_id,
            snapshot_hash=self.snapshot_hash,
            decision=self.decision,
            reason=None if self.decision == "approve" else (self.reason or "").strip(),
            fee_waiver_approved=self.fee_waiver_approved if self.decision == "approve" and self.fee_waiver_requested else None,
            idempotency_key=self.key,
        )


# -- submission -----------------------------------------------------------------------------------------------------------

CERTIFICATE_MODES = ("counter", "premade")
"""``counter``: keys and certificates made on blank UKeys at the counter; ``premade``: pre-made certificate UKeys bound."""
KEY_TYPES = ("rsa2048", "ec_p256")


@dataclass(frozen=True)
class SubmissionOptions:
    certificate_mode: str = "counter"
    key_type: str = "rsa2048"

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> SubmissionOptions:
        """The counter's settings ``ukey.certificate_mode`` and ``ukey.key_type`` (defaults when unset)."""
        mode = settings.get("ukey.certificate_mode") or "counter"
        key_type = settings.get("ukey.key_type") or "rsa2048"
        if mode not in CERTIFICATE_MODES:
            raise ConfigurationError(
                f"The setting ukey.certificate_mode is {mode!r}; it must be counter or premade. Branch IT must correct it.",
                f"设置项 ukey.certificate_mode 的值 {mode!r} 无效，应为 counter 或 premade，请联系网点科技人员更正。",
                code="setting_invalid",
            )
        if key_type not in KEY_TYPES:
            raise ConfigurationError(
                f"The setting ukey.key_type is {key_type!r}; it must be rsa2048 or ec_p256. Branch IT must correct it.",
                f"设置项 ukey.key_type 的值 {key_type!r} 无效，应为 rsa2048 或 ec_p256，请联系网点科技人员更正。",
                code="setting_invalid",
            )
        return cls(str(mode), str(key_type))


def submit_approved(
    central: CentralClient, journal: Journal, actor: str, application_id: str, customer_name: str, options: SubmissionOptions
) -> media.MediaPlan:
    """Submit the approved application (worker thread): :func:`teller_client.flows.media.submit`, journaled first, a
    lost answer asked again with the same key; the authorization codes stay in the plan, in memory."""
    return media.submit(
        central, journal, actor, application_id, customer_name, certificate_mode=options.certificate_mode, key_type=options.key_type
    )
