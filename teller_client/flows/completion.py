"""The completion page's papers: the confirmation for signatures and the handover slip, from what really happened.

Everything agreed comes from the application (domain model) and the central submission (agreement number,
e-banking customer number, login IDs); everything handed over comes from the journal — the UKey each certificate
order went onto and its certificate serial (the issuance saga's read-back), the letter serial each password went
onto (the letter's confirmation ``printed``). Nothing is typed again, and an item not finished is not listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from teller_client.documents.confirmation import (
    AccountLine,
    Confirmation,
    Fees,
    LetterHandover,
    ServiceLine,
    UKeyHandover,
    UserLine,
)
from teller_client.documents.custody import HandedItem, HandoverSlip
from teller_client.domain.bank_time import BANK_TIME
from teller_client.domain.catalogue import Catalogue, load_catalogue
from teller_client.domain.fees import quote
from teller_client.domain.model import Account, Application
from teller_client.flows.issuance import handed_over
from teller_client.flows.letters import printed_serial
from teller_client.flows.media import MediaPlan
from teller_client.store.journal import Journal


@dataclass(frozen=True)
class Desk:
    """Who and where: printed on the papers."""

    bank_name: str
    branch_name: str
    teller_id: str
    teller_name: str
    supervisor_id: str
    supervisor_name: str
    training: bool


def handed_ukeys(journal: Journal, plan: MediaPlan) -> list[tuple[str, str, str]]:
    """(user name, token serial, certificate serial) of every certificate item finished."""
    found = []
    for item in plan.items:
        done = handed_over(journal, item.order) if item.kind == "certificate" else None
        if done is not None:
            found.append((item.user_name, *done))
    return found


def handed_letters(journal: Journal, plan: MediaPlan) -> list[tuple[str, str]]:
    """(user name, letter serial) of every password letter printed."""
    found = []
    for item in plan.items:
        serial = printed_serial(journal, item.order) if item.kind == "letter" else None
        if serial is not None:
            found.append((item.user_name, serial))
    return found


def confirmation(
    application: Application,
    plan: MediaPlan,
    journal: Journal,
    desk: Desk,
    *,
    waiver_approved: bool = False,
    eform_unverified: bool = False,
    now: datetime | None = None,
    catalogue: Catalogue | None = None,
) -> Confirmation:
    catalogue = catalogue or load_catalogue()
    login = {item.user_no: item.login_id for item in plan.items}
    user_nos = _user_numbers(application, plan)
    return Confirmation(
        agreement_no=plan.agreement_no,
        application_id=plan.application_id,
        request=application.request.value,
        customer_name=application.customer.name,
        customer_uscc=application.customer.uscc,
        customer_ebank_id=plan.customer_no,
        services=tuple(
            ServiceLine(s.channel.value, s.bundle, s.mode.value, len(catalogue.service_functions(s))) for s in application.services
        ),
        accounts=tuple(
            AccountLine(a.number, a.relation.value, a.type.value, a.currency, tuple(r.value for r in a.rights))
            for a in application.accounts
        ),
        users=tuple(
            UserLine(
                u.name,
                u.id_type.value,
                u.id_number,
                u.role.value,
                u.credential.value,
                login.get(user_nos.get(u.name, ""), ""),
                user_nos.get(u.name, ""),
                u.account_numbers(application),
            )
            for u in application.users
        ),
        fees=Fees.from_quote(quote(application, catalogue), waiver_approved=waiver_approved),
        ukeys=tuple(UKeyHandover(*entry) for entry in handed_ukeys(journal, plan)),
        letters=tuple(LetterHandover(name, serial) for name, serial in handed_letters(journal, plan)),
        bank_name=desk.bank_name,
        branch_name=desk.branch_name,
        teller_name=desk.teller_name,
        teller_id=desk.teller_id,
        supervisor_name=desk.supervisor_name,
        supervisor_id=desk.supervisor_id,
        signed_at=now or datetime.now(BANK_TIME),
        eform_unverified=eform_unverified,
        training=desk.training,
    )


def handover_slip(
    application: Application,
    plan: MediaPlan,
    journal: Journal,
    desk: Desk,
    *,
    receiver_name: str,
    receiver_id_type: str,
    receiver_id_number: str,
    now: datetime | None = None,
) -> HandoverSlip:
    items = [HandedItem("ukey", token, name, f"证书序列号 {certificate}") for name, token, certificate in handed_ukeys(journal, plan)]
    items += [HandedItem("letter", serial, name, "登录密码函") for name, serial in handed_letters(journal, plan)]
    moment = now or datetime.now(BANK_TIME)
    return HandoverSlip(
        slip_no=f"HO{moment:%Y%m%d}{plan.application_id[-6:]}",
        customer_name=application.customer.name,
        customer_uscc=application.customer.uscc,
        agreement_no=plan.agreement_no,
        receiver_name=receiver_name,
        receiver_id_type=receiver_id_type,
        receiver_id_number=receiver_id_number,
        items=tuple(items),
        teller_name=desk.teller_name,
        teller_id=desk.teller_id,
        handed_at=moment,
        bank_name=desk.bank_name,
        branch_name=desk.branch_name,
        training=desk.training,
    )


def _account_line(account: Account) -> AccountLine:
    rights = tuple(r.value for r in account.rights)
    return AccountLine(account.number, account.relation.value, account.type.value, account.currency, rights)


def _user_numbers(application: Application, plan: MediaPlan) -> dict[str, str]:
    """Application users' names → their user numbers from the submission (names are unique within one application)."""
    return {item.user_name: item.user_no for item in plan.items if item.user_name}
