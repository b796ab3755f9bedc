"""Custody documents of UKeys and password letters: the handover slip and the end-of-day custody report.

The **handover slip** records which items left the branch and to whom: the
customer, the person who took them (name and masked ID number), each UKey
and letter by serial, the teller and the time, with signature boxes for the
receiver and the teller. The **custody report** is the end-of-day
reconciliation: per holder (the vault, each teller's drawer) and kind the
opening count, received, transferred in and out, issued, spoiled, returned
and the closing count, whether it balances (and agrees with the central
ledger where that count is given), the spoiled serials with their reasons,
and signature boxes for the teller and the supervisor.

Counts follow the central reconciliation:
opening + received + transferred in − transferred out − issued − spoiled − returned = closing.
"Returned" is stock sent back out of the branch (faulty UKeys to the
supplier, unused letters to head office); a teller giving items back to the
vault is a transfer. Both documents are plain data in, A4 PDF bytes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from teller_client.documents.a4_layout import EMPTY, SHADE, A4Document, Heading, TitleBlock, grid, masked_id, when
from teller_client.domain.bank_time import BANK_TIME
from teller_client.domain.value_labels import value_names

ItemKind = Literal["ukey", "letter"]
KIND_NAMES: dict[str, tuple[str, str]] = {"ukey": ("UKey", "UKey"), "letter": ("密码信函", "Password letter")}
SLIP_TITLE = ("电子银行介质交接单", "Handover Slip of E-Banking Media")
REPORT_TITLE = ("UKey 及密码信函日终库存报告", "End-of-Day Custody Report: UKeys and Password Letters")
RECEIPT = (
    "本人代表上述客户当面领取以上物品，已核对序列号及数量，包装及密码信函封口完好。"
    "I received the items above for the customer, checked their serials and count, and found packaging and letter seals intact."
)


def kind_name(kind: str) -> str:
    zh, en = KIND_NAMES.get(kind, (kind, kind))
    return zh if zh == en else f"{zh} {en}"


@dataclass(frozen=True)
class HandedItem:
    """One item handed over: kind, serial, the operator it is for, and a detail (the certificate serial of a UKey)."""

    kind: ItemKind
    serial: str
    user_name: str = ""
    detail: str = ""


@dataclass(frozen=True)
class HandoverSlip:
    slip_no: str
    customer_name: str
    customer_uscc: str
    agreement_no: str
    receiver_name: str
    receiver_id_type: str
    receiver_id_number: str
    items: tuple[HandedItem, ...]
    teller_name: str
    teller_id: str
    handed_at: datetime
    bank_name: str
    branch_name: str
    training: bool = False


@dataclass(frozen=True)
class CustodyLine:
    """One holder's counts of one kind for the business day; ``ledger_closing`` is the central ledger's count when known."""

    holder: str
    """``vault`` or the teller's user ID."""
    holder_name: str
    kind: ItemKind
    opening: int
    received: int
    transferred_in: int
    transferred_out: int
    issued: int
    spoiled: int
    returned: int
    closing: int
    ledger_closing: int | None = None

    @property
    def expected_closing(self) -> int:
        return self.opening + self.received + self.transferred_in - self.transferred_out - self.issued - self.spoiled - self.returned

    @property
    def balanced(self) -> bool:
        return self.closing == self.expected_closing and self.ledger_closing in (None, self.closing)


@dataclass(frozen=True)
class SpoiledItem:
    kind: ItemKind
    serial: str
    holder_name: str
    reason: str
    at: datetime
    witness: str = ""


@dataclass(frozen=True)
class CustodyReport:
    report_no: str
    business_date: date
    lines: tuple[CustodyLine, ...]
    spoiled: tuple[SpoiledItem, ...]
    teller_name: str
    teller_id: str
    supervisor_name: str
    supervisor_id: str
    generated_at: datetime
    bank_name: str
    branch_name: str
    training: bool = False

    @property
    def balanced(self) -> bool:
        return all(line.balanced for line in self.lines)


# --- the handover slip -----------------------------------------------------------------------------------


def render_handover_slip(slip: HandoverSlip) -> bytes:
    """The handover slip as A4 PDF bytes (deterministic)."""
    doc = A4Document(title=SLIP_TITLE[0], number=slip.slip_no, subject=slip.customer_name, training=slip.training)
    label = doc.label
    id_type = value_names("id_type").get(slip.receiver_id_type, slip.receiver_id_type)
    meta = doc.key_values(
        [
            (label("交接单号", "Slip No."), slip.slip_no),
            (label("交接时间", "Handed over at"), when(slip.handed_at)),
            (label("客户名称", "Customer"), slip.customer_name),
            (label("统一社会信用代码", "USCC"), slip.customer_uscc),
            (label("协议编号", "Agreement No."), slip.agreement_no or EMPTY),
            (label("经办网点", "Branch"), f"{slip.bank_name}\n{slip.branch_name}"),
            (label("领取人", "Received by"), slip.receiver_name),
            (label("领取人证件", "Receiver's ID"), f"{id_type}\n{masked_id(slip.receiver_id_number)}"),
        ]
    )
    rows: list[list[Any]] = [doc.heads(("序号", "No."), ("品种", "Kind"), ("序列号", "Serial"), ("操作员", "For user"), ("备注", "Note"))]
    for n, item in enumerate(slip.items, 1):
        note = f"证书序列号 {item.detail}" if item.kind == "ukey" and item.detail else item.detail
        rows.append([str(n), kind_name(item.kind), item.serial, item.user_name or EMPTY, note or EMPTY])
    counts = {kind: sum(1 for item in slip.items if item.kind == kind) for kind in KIND_NAMES}
    ukeys, letters, total = counts["ukey"], counts["letter"], len(slip.items)
    summary = f"共 {total} 件：UKey {ukeys} 个，密码信函 {letters} 封。{total} items: {ukeys} UKeys, {letters} letters."
    signatures = doc.signature_boxes(
        [("领取人签字", "Receiver's signature", slip.receiver_name), ("经办柜员", "Teller", f"{slip.teller_name}（{slip.teller_id}）")],
        height=22 * mm,
    )
    story: list[Flowable] = [
        TitleBlock(*SLIP_TITLE, "交接单号 Slip No.", slip.slip_no, training=slip.training),
        Spacer(1, 3 * mm),
        meta,
        Spacer(1, 2 * mm),
        Heading("交接物品", "Items handed over"),
        doc.table(rows, (10, 30, 40, 26, 54), grid()),
        Spacer(1, 2 * mm),
        doc.p(summary, doc.styles.body),
        Spacer(1, 4 * mm),
        KeepTogether([Heading("领取确认", "Receipt"), doc.p(RECEIPT, doc.styles.body), Spacer(1, 3 * mm), signatures]),
    ]
    return doc.build(story)


def sample_handover_slip(*, training: bool = True) -> HandoverSlip:
    """A slip with dummy data (two UKeys, two letters), for tests and ``print-test``."""
    return HandoverSlip(
        slip_no="HO20261123000004",
        customer_name="厦门示例贸易有限公司",
        customer_uscc="91350200M000100Y48",
        agreement_no="AG20261123000001",
        receiver_name="李四",
        receiver_id_type="resident_id",
        receiver_id_number="11010519491231002X",
        items=(
            HandedItem("ukey", "UK00000012", "王五", "4F2A9C0D11E5B7A3"),
            HandedItem("ukey", "PM00000003", "钱七", "7B01D44E9A2C6F18"),
            HandedItem("letter", "LT00000031", "赵六", "登录密码函"),
            HandedItem("letter", "LT00000032", "王五", "UKey 密码函"),
        ),
        teller_name="张晓明",
        teller_id="T0001",
        handed_at=datetime(2026, 11, 23, 10, 55, tzinfo=BANK_TIME),
        bank_name="示例银行",
        branch_name="厦门分行营业部",
        training=training,
    )


# --- the end-of-day report -------------------------------------------------------------------------------

BALANCED = "核对结果：全部平衡。Result: every holder and kind balances."
NOT_BALANCED = (
    "核对结果：有不平衡项（见“平衡”列），须查明原因后再签字。Result: NOT balanced (see the last column); find the cause before signing."
)
FORMULA = (
    "期末 = 期初 + 入库 + 调入 − 调出 − 发放 − 作废 − 退回；中心账为中心库存台账的期末数。"
    "Closing = opening + received + in − out − issued − spoiled − returned; ledger: the central stock ledger's closing count."
)
COUNT_COLUMNS = ("opening", "received", "transferred_in", "transferred_out", "issued", "spoiled", "returned", "closing")
COUNT_HEADS = (
    ("期初", "Opening"),
    ("入库", "Received"),
    ("调入", "In"),
    ("调出", "Out"),
    ("发放", "Issued"),
    ("作废", "Spoiled"),
    ("退回", "Returned"),
    ("期末", "Closing"),
)


def render_custody_report(report: CustodyReport) -> bytes:
    """The end-of-day custody report as A4 PDF bytes (deterministic)."""
    doc = A4Document(title=REPORT_TITLE[0], number=report.report_no, subject=report.branch_name, training=report.training)
    label, styles = doc.label, doc.styles
    meta = doc.key_values(
        [
            (label("营业日期", "Business date"), report.business_date.isoformat()),
            (label("报告编号", "Report No."), report.report_no),
            (label("经办网点", "Branch"), f"{report.bank_name}\n{report.branch_name}"),
            (label("生成时间", "Generated at"), when(report.generated_at)),
        ]
    )
    verdict = BALANCED if report.balanced else NOT_BALANCED
    story: list[Flowable] = [
        TitleBlock(*REPORT_TITLE, "报告编号 Report No.", report.report_no, training=report.training),
        Spacer(1, 3 * mm),
        meta,
        Spacer(1, 2 * mm),
        doc.note(verdict, warning=not report.balanced),
        Spacer(1, 2 * mm),
        Heading("库存变动", "Stock movements"),
        _counts_table(doc, report),
        Spacer(1, 1 * mm),
        doc.p(FORMULA, styles.small),
        Spacer(1, 3 * mm),
        Heading(f"作废清单（共 {len(report.spoiled)} 件）", "Spoiled items"),
    ]
    if report.spoiled:
        heads = (("序号", "No."), ("品种", "Kind"), ("序列号", "Serial"), ("保管人", "Holder"), ("作废原因", "Reason"))
        rows: list[list[Any]] = [doc.heads(*heads, ("时间", "Time"), ("见证人", "Witness"))]
        for n, item in enumerate(report.spoiled, 1):
            rows.append(
                [str(n), KIND_NAMES[item.kind][0], item.serial, item.holder_name, item.reason, when(item.at), item.witness or EMPTY]
            )
        story.append(doc.table(rows, (8, 22, 24, 22, 46, 24, 16), grid()))
    else:
        story.append(doc.p("本日无作废。Nothing spoiled today.", styles.body))
    signatures = doc.signature_boxes(
        [
            ("库管柜员", "Custodian teller", f"{report.teller_name}（{report.teller_id}）"),
            ("复核主管", "Supervisor", f"{report.supervisor_name}（{report.supervisor_id}）"),
        ],
        height=22 * mm,
    )
    story += [Spacer(1, 4 * mm), KeepTogether([Heading("签字确认", "Signatures"), signatures])]
    return doc.build(story)


def _counts_table(doc: A4Document, report: CustodyReport) -> Flowable:
    number = doc.styles.number
    heads = doc.heads(("保管人", "Holder"), ("品种", "Kind"), *COUNT_HEADS, ("中心账", "Ledger"), ("平衡", "Balanced"))
    rows: list[list[Any]] = [heads]
    commands = [*grid(), ("LEFTPADDING", (2, 0), (-2, -1), 2.5), ("RIGHTPADDING", (2, 0), (-2, -1), 2.5)]
    for line in report.lines:
        counts = [doc.p(str(getattr(line, column)), number) for column in COUNT_COLUMNS]
        ledger = doc.p(str(line.ledger_closing) if line.ledger_closing is not None else EMPTY, number)
        verdict = "平衡 yes" if line.balanced else f"不平衡 no（应为 {line.expected_closing}）"
        holder = line.holder_name if line.holder == "vault" else f"{line.holder_name}\n{line.holder}"
        rows.append(
            [holder, KIND_NAMES[line.kind][0], *counts, ledger, doc.p(verdict, doc.styles.cell if line.balanced else doc.styles.alert)]
        )
    for kind, (zh, _) in KIND_NAMES.items():
        totals = [sum(getattr(line, column) for line in report.lines if line.kind == kind) for column in COUNT_COLUMNS]
        if any(line.kind == kind for line in report.lines):
            rows.append([doc.label("合计", "Total"), zh, *(doc.p(str(total), number) for total in totals), "", ""])
            commands.append(("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), SHADE))
    return doc.table(rows, (24, 14, 10, 10, 10, 10, 10, 10, 10, 10, 10, 24), commands)


def sample_custody_report(*, training: bool = True, balanced: bool = True) -> CustodyReport:
    """A day of issuing, spoiling and returning in dummy data; ``balanced=False`` miscounts one drawer."""
    at = datetime(2026, 11, 23, 17, 40, tzinfo=BANK_TIME)
    drawer_letters = 3 if balanced else 2
    return CustodyReport(
        report_no="CR20261123TRAIN01",
        business_date=date(2026, 11, 23),
        lines=(
            CustodyLine("vault", "网点库房 Vault", "ukey", 40, 20, 2, 10, 0, 0, 2, 50, 50),
            CustodyLine("vault", "网点库房 Vault", "letter", 200, 0, 3, 10, 0, 0, 0, 193, 193),
            CustodyLine("T0001", "张晓明", "ukey", 0, 0, 10, 2, 7, 1, 0, 0, 0),
            CustodyLine("T0001", "张晓明", "letter", 0, 0, 10, 3, 3, 1, 0, drawer_letters, 3),
        ),
        spoiled=(
            SpoiledItem(
                "ukey",
                "UK00000017",
                "张晓明",
                "写入证书失败，UKey 无法识别 certificate write failed",
                at.replace(hour=11, minute=5),
                "S0001",
            ),
            SpoiledItem("letter", "LT00000033", "张晓明", "打印卡纸 printer jam", at.replace(hour=14, minute=22), "S0002"),
        ),
        teller_name="张晓明",
        teller_id="T0001",
        supervisor_name="林主管",
        supervisor_id="S0001",
        generated_at=at,
        bank_name="示例银行",
        branch_name="厦门分行营业部",
        training=training,
    )
