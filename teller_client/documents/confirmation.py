"""The confirmation the customer signs at the end of a one-stop signing: everything agreed and every item handed over.

:class:`Confirmation` is plain data a flow fills from the application
document (customer, accounts, users, services, fees) and the central
submission's answer (agreement number, e-banking customer ID, each user's
login ID and user number), plus what issuance handed over (UKey and
certificate serials, letter serials). Enumerations stay codes (``"admin"``,
``"pay"``, ``"corporate_online_banking"``, bundle ids) and are printed by
their Chinese names; an unknown code prints as it is.

:func:`render_confirmation` lays it out on A4: agreement number as text and
Code 128, application, customer, channels with bundle and function counts,
accounts and rights, users and roles (ID numbers masked), fees and waivers,
the UKeys and letters handed over, a notice when the e-form's signature was
not verified, the customer's declaration and signature boxes for the
customer (signatory and company seal), the teller and the supervisor. No
secret is ever part of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from teller_client.documents.a4_layout import EMPTY, SHADE, A4Document, Heading, TitleBlock, grid, masked_id, money, when
from teller_client.domain.bank_time import BANK_TIME
from teller_client.domain.catalogue import load_catalogue
from teller_client.domain.fees import FeeLine, FeeQuote
from teller_client.domain.value_labels import value_names

TITLE_ZH, TITLE_EN = "对公电子渠道签约确认书", "Confirmation of Corporate E-Channel Services"
COPIES = "本确认书一式两份，客户与银行各执一份。Two copies: one for the customer, one for the bank."
LETTER_KINDS = {"password": "登录密码函", "ukey_pin": "UKey 密码函"}
DECLARATION = (
    "本单位确认：上列签约渠道、功能、账户及权限、操作员及角色、费用均为本单位申请的内容，已核对无误；"
    "上列 UKey 及密码信函已由本单位当面领取，封口完好。本单位将妥善保管 UKey 及密码，操作员首次登录时修改初始密码；"
    "操作员凭证书或密码办理的业务均视为本单位的真实意思表示。"
)
DECLARATION_EN = (
    "We confirm the channels, functions, accounts and rights, users and roles and fees listed above as applied for, and that we "
    "received the UKeys and password letters listed, their seals intact. We keep UKeys and passwords safe and change each initial "
    "password at first login."
)
UNVERIFIED = (
    "注意：本申请所依据的电子填单未能验证银行签名（或按纸质申请录入），所列内容已由柜员与客户逐项核对。"
    "Note: the e-form's signature was not verified (or the application was entered from paper); "
    "the teller checked each item with the customer."
)


@dataclass(frozen=True)
class ServiceLine:
    """One channel as signed: bundle id (None for custom), mode code and the number of functions it opens."""

    channel: str
    bundle: str | None
    mode: str
    functions: int


@dataclass(frozen=True)
class AccountLine:
    number: str
    relation: str
    type: str
    currency: str
    rights: tuple[str, ...]


@dataclass(frozen=True)
class UserLine:
    """An operator: ``accounts`` empty means every signed account; login ID and user number come from the submission."""

    name: str
    id_type: str
    id_number: str
    role: str
    credential: str
    login_id: str = ""
    user_no: str = ""
    accounts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fees:
    items: tuple[FeeLine, ...]
    waiver_requested: bool = False
    waiver_approved: bool = False
    reason: str | None = None

    @property
    def total(self) -> Decimal:
        return sum((item.amount for item in self.items), Decimal("0.00"))

    @property
    def payable(self) -> Decimal:
        return Decimal("0.00") if self.waiver_requested and self.waiver_approved else self.total

    @classmethod
    def from_quote(cls, quote: FeeQuote, *, waiver_approved: bool) -> Fees:
        """The fees of a domain quote and the supervisor's decision on its waiver."""
        items = quote.lines
        return cls(items, quote.waiver_requested, waiver_approved, quote.waiver_reason)


@dataclass(frozen=True)
class UKeyHandover:
    user_name: str
    token_serial: str
    certificate_serial: str


@dataclass(frozen=True)
class LetterHandover:
    user_name: str
    letter_serial: str
    kind: str = "password"
    """``password`` (login password letter) or ``ukey_pin``."""


@dataclass(frozen=True)
class Confirmation:
    agreement_no: str
    application_id: str
    request: str
    """``new``, ``modify`` or ``close``."""
    customer_name: str
    customer_uscc: str
    customer_ebank_id: str
    services: tuple[ServiceLine, ...]
    accounts: tuple[AccountLine, ...]
    users: tuple[UserLine, ...]
    fees: Fees
    ukeys: tuple[UKeyHandover, ...]
    letters: tuple[LetterHandover, ...]
    bank_name: str
    branch_name: str
    teller_name: str
    teller_id: str
    supervisor_name: str
    supervisor_id: str
    signed_at: datetime
    eform_unverified: bool = False
    training: bool = False


def render_confirmation(data: Confirmation) -> bytes:
    """The confirmation as A4 PDF bytes (deterministic: the same data gives the same bytes)."""
    return _Layout(data).build()


class _Layout:
    def __init__(self, data: Confirmation) -> None:
        self.data = data
        self.doc = A4Document(title=TITLE_ZH, number=data.agreement_no, subject=data.customer_name, training=data.training)
        self.catalogue = load_catalogue()
        self.role, self.right, self.credential = value_names("role"), value_names("right"), value_names("credential")
        self.id_type, self.mode = value_names("id_type"), value_names("mode")

    def build(self) -> bytes:
        data, doc = self.data, self.doc
        story: list[Flowable] = [
            TitleBlock(TITLE_ZH, TITLE_EN, "协议编号 Agreement No.", data.agreement_no, training=data.training),
            Spacer(1, 3 * mm),
            self._meta(),
        ]
        if data.eform_unverified:
            story += [Spacer(1, 2 * mm), doc.note(UNVERIFIED, warning=True)]
        story += [Spacer(1, 2 * mm), *self._services(), *self._accounts(), *self._users(), *self._fees(), *self._media()]
        story += self._signatures()
        return doc.build(story)

    def _meta(self) -> Flowable:
        data, label = self.data, self.doc.label
        return self.doc.key_values(
            [
                (label("协议编号", "Agreement No."), data.agreement_no),
                (label("申请编号", "Application ID"), data.application_id),
                (label("客户名称", "Customer"), data.customer_name),
                (label("统一社会信用代码", "USCC"), data.customer_uscc),
                (label("电子银行客户号", "E-banking customer ID"), data.customer_ebank_id or EMPTY),
                (label("业务类型", "Request"), value_names("request").get(data.request, data.request)),
                (label("受理机构", "Bank / branch"), f"{data.bank_name}\n{data.branch_name}"),
                (label("签约日期", "Date"), data.signed_at.astimezone(BANK_TIME).strftime("%Y-%m-%d")),
            ]
        )

    def _services(self) -> list[Flowable]:
        doc = self.doc
        rows: list[list[Any]] = [
            doc.heads(("序号", "No."), ("签约渠道", "Channel"), ("产品套餐", "Bundle"), ("模式", "Mode"), ("开通功能", "Functions"))
        ]
        for n, line in enumerate(self.data.services, 1):
            channel = next((info.zh for key, info in self.catalogue.channels.items() if key.value == line.channel), line.channel)
            bundle = self.catalogue.bundles.get(line.bundle) if line.bundle else None
            bundle_name = bundle.zh if bundle else (line.bundle or "自选功能")
            rows.append([str(n), channel, bundle_name, self.mode.get(line.mode, line.mode), f"{line.functions} 项"])
        table = doc.table(rows, (10, 50, 60, 22, 26), grid())
        return [Heading(f"一、签约渠道及功能（共 {len(self.data.services)} 个渠道）", "Channels and services"), table, Spacer(1, 2 * mm)]

    def _accounts(self) -> list[Flowable]:
        doc = self.doc
        relation, kind, currency = value_names("relation"), value_names("account_type"), value_names("currency")
        rows: list[list[Any]] = [
            doc.heads(
                ("序号", "No."),
                ("账号", "Account"),
                ("账户关系", "Relation"),
                ("账户性质", "Type"),
                ("币种", "Currency"),
                ("账户权限", "Rights"),
            )
        ]
        for n, item in enumerate(self.data.accounts, 1):
            rights = "、".join(self.right.get(r, r) for r in item.rights) or EMPTY
            names = (relation.get(item.relation, item.relation), kind.get(item.type, item.type), currency.get(item.currency, item.currency))
            rows.append([str(n), item.number, *names, rights])
        table = doc.table(rows, (10, 52, 30, 30, 16, 30), grid())
        return [Heading(f"二、签约账户及权限（共 {len(self.data.accounts)} 个）", "Accounts and rights"), table, Spacer(1, 2 * mm)]

    def _users(self) -> list[Flowable]:
        doc = self.doc
        heads = (("序号", "No."), ("姓名", "Name"), ("证件号码", "ID (masked)"), ("角色", "Role"), ("认证方式", "Credential"))
        rows: list[list[Any]] = [doc.heads(*heads, ("登录 ID", "Login ID"), ("用户号", "User No."), ("可用账户", "Accounts"))]
        for n, user in enumerate(self.data.users, 1):
            accounts = "\n".join(user.accounts) if user.accounts else "全部签约账户"
            identity = f"{self.id_type.get(user.id_type, user.id_type)}\n{masked_id(user.id_number)}"
            role, credential = self.role.get(user.role, user.role), self.credential.get(user.credential, user.credential)
            rows.append([str(n), user.name, identity, role, credential, user.login_id or EMPTY, user.user_no or EMPTY, accounts])
        table = doc.table(rows, (8, 14, 30, 17, 20, 24, 18, 36), grid())
        return [Heading(f"三、操作员及角色（共 {len(self.data.users)} 位）", "Users and roles"), table, Spacer(1, 2 * mm)]

    def _fees(self) -> list[Flowable]:
        doc, fees = self.doc, self.data.fees
        number = doc.styles.number
        rows: list[list[Any]] = [
            doc.heads(("收费项目", "Item"), ("数量", "Qty"), ("单价（元）", "Unit (CNY)"), ("金额（元）", "Amount (CNY)"))
        ]
        for item in fees.items:
            figures = [doc.p(text, number) for text in (str(item.quantity), money(item.unit), money(item.amount))]
            rows.append([f"{item.zh}\n{item.en}", *figures])
        rows.append([doc.label("合计", "Total"), "", "", doc.p(money(fees.total), number)])
        if fees.waiver_requested:
            decision = "已获主管批准 approved" if fees.waiver_approved else "未获批准 not approved"
            rows.append([doc.label("减免申请", "Waiver"), f"{fees.reason or EMPTY}（{decision}）", "", ""])
        rows.append([doc.label("应付金额", "Payable"), "", "", doc.p(money(fees.payable), number)])
        last = len(rows) - 1
        commands = [*grid(), ("BACKGROUND", (0, len(fees.items) + 1), (0, last), SHADE), ("SPAN", (1, last), (2, last))]
        if fees.waiver_requested:
            commands.append(("SPAN", (1, last - 1), (3, last - 1)))
        table = doc.table(rows, (80, 16, 30, 30), commands)
        return [Heading("四、费用及减免", "Fees and waivers"), table, Spacer(1, 2 * mm)]

    def _media(self) -> list[Flowable]:
        doc, data = self.doc, self.data
        ukeys: list[list[Any]] = [
            doc.heads(("序号", "No."), ("操作员", "User"), ("UKey 序列号", "UKey serial"), ("证书序列号", "Certificate serial"))
        ]
        ukeys += [[str(n), u.user_name, u.token_serial, u.certificate_serial] for n, u in enumerate(data.ukeys, 1)]
        letters: list[list[Any]] = [doc.heads(("序号", "No."), ("操作员", "User"), ("信函编号", "Letter serial"), ("信函类型", "Letter"))]
        letters += [
            [str(n), item.user_name, item.letter_serial, LETTER_KINDS.get(item.kind, item.kind)] for n, item in enumerate(data.letters, 1)
        ]
        story: list[Flowable] = [
            Heading(f"五、交付介质（UKey {len(data.ukeys)} 个，密码信函 {len(data.letters)} 封）", "Media handed over")
        ]
        if data.ukeys:
            story += [doc.table(ukeys, (10, 28, 40, 80), grid()), Spacer(1, 2 * mm)]
        if data.letters:
            story += [doc.table(letters, (10, 28, 40, 80), grid()), Spacer(1, 2 * mm)]
        if not data.ukeys and not data.letters:
            story += [doc.p("本次未交付 UKey 或密码信函。No UKey or letter handed over.", doc.styles.body), Spacer(1, 2 * mm)]
        return story

    def _signatures(self) -> list[Flowable]:
        doc, data = self.doc, self.data
        boxes = doc.signature_boxes(
            [
                ("客户签章（公章）", "Company seal", ""),
                ("法定代表人或授权经办人签字", "Authorised signatory", ""),
                ("经办柜员", "Teller", f"{data.teller_name}（{data.teller_id}）"),
                ("复核主管", "Supervisor", f"{data.supervisor_name}（{data.supervisor_id}）"),
            ]
        )
        block: list[Flowable] = [
            Heading("六、客户确认", "Customer's confirmation"),
            doc.p(DECLARATION, doc.styles.body),
            doc.p(DECLARATION_EN, doc.styles.small),
            Spacer(1, 3 * mm),
            boxes,
            Spacer(1, 2 * mm),
            doc.p(f"打印时间 Printed：{when(data.signed_at)}　{COPIES}", doc.styles.small),
        ]
        return [KeepTogether(block)]


def sample_confirmation(*, training: bool = True) -> Confirmation:
    """A complete confirmation with dummy data (three users, two UKeys, one letter, a waiver), for tests and ``print-test``."""
    basic, general = "6222021001000012345", "6222021001000067890"
    return Confirmation(
        agreement_no="AG20261123000001",
        application_id="AP20261123000007",
        request="new",
        customer_name="厦门示例贸易有限公司",
        customer_uscc="91350200M000100Y48",
        customer_ebank_id="3500000042",
        services=(
            ServiceLine("corporate_online_banking", "payments_standard", "standard", 68),
            ServiceLine("e_bills", None, "custom", 12),
        ),
        accounts=(
            AccountLine(basic, "own", "basic", "CNY", ("query", "pay", "collect")),
            AccountLine(general, "own", "general", "CNY", ("query",)),
        ),
        users=(
            UserLine("王五", "resident_id", "350203198506123013", "admin", "ukey", "3500000042001", "U00000101"),
            UserLine("赵六", "resident_id", "350203199001014529", "maker", "password", "3500000042002", "U00000102", (basic,)),
            UserLine("钱七", "passport", "E12345678", "checker", "ukey", "3500000042003", "U00000103"),
        ),
        fees=Fees(
            (
                FeeLine(
                    "annual:corporate_online_banking",
                    "网银支付标准版 年费",
                    "Online banking payments, standard annual fee",
                    1,
                    Decimal("300.00"),
                ),
                FeeLine("annual:e_bills", "电子票据（自定义）年费", "E-bills (custom) annual fee", 1, Decimal("600.00")),
                FeeLine("ukey", "UKey 工本费", "UKey (certificate key)", 2, Decimal("60.00")),
            ),
            waiver_requested=True,
            waiver_approved=True,
            reason="战略客户首年减免",
        ),
        ukeys=(
            UKeyHandover("王五", "UK00000012", "4F2A9C0D11E5B7A3"),
            UKeyHandover("钱七", "PM00000003", "7B01D44E9A2C6F18"),
        ),
        letters=(LetterHandover("赵六", "LT00000031"), LetterHandover("王五", "LT00000032", "ukey_pin")),
        bank_name="示例银行",
        branch_name="厦门分行营业部",
        teller_name="张晓明",
        teller_id="T0001",
        supervisor_name="林主管",
        supervisor_id="S0001",
        signed_at=datetime(2026, 11, 23, 10, 42, tzinfo=BANK_TIME),
        eform_unverified=False,
        training=training,
    )
