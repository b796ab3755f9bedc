"""The printable A4 e-form: the one-stop signing application as the customer reads and signs it, with its ``EF1`` barcodes.

:func:`render_eform_pdf` lays out an ``eform/1`` document (contract
``shared/specs/eform-barcode.md``) and the symbol texts that carry it: title
and form times, customer, accounts, operators, services, fees, the
declaration with signature and seal boxes, and the barcodes, each labelled
"条码 i/N". QR codes go in a panel on the first page when they fit in one
row, else in a grid on barcode pages at the end (page 1 says which). PDF417
symbols always get barcode pages of their own, one symbol a row with nothing
printed above or between them (see ``_Form._pdf417_pages``). Nothing is masked:
this is the customer's own form. The document is read defensively (a
missing or odd field prints as "—"), because the generator may be given a
form before it is validated.

The page furniture (document template, frame, running header, footer,
watermark), the styles and the tables are ``a4_layout``'s, shared with the
confirmation and the custody documents; the page count in the footer comes
from laying the form out again (the barcode pages note needs it in the story).
Output is deterministic (reportlab ``invariant``), so the shipped sample
PDFs only change when the layout does.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)
from reportlab.platypus.doctemplate import LayoutError

from teller_client.documents.a4_layout import (
    ACCENT,
    EMPTY,
    FRAME_WIDTH,
    MUTED,
    RULE,
    A4Document,
    Heading,
    body_frame,
    draw_furniture,
    grid,
    money,
    when,
)
from teller_client.documents.barcodes import Symbol, SymbolFlowable, symbol_for
from teller_client.documents.fonts import draw_bold_string
from teller_client.domain.catalogue import load_catalogue
from teller_client.domain.labels import label
from teller_client.domain.value_labels import value_names
from teller_client.errors import TellerError

TITLE = "对公电子渠道一站式签约申请表"
TRAINING_FOOTER = "培训用表 · 不得用于真实业务"
SMALL_TEXT = (8, 11)
"""Size and leading of the notes for the teller (larger than the small print of the A4 documents)."""
PANEL_MAX_HEIGHT = 75 * mm
"""Barcodes go on page 1 when they fit one row no taller than this; else on barcode pages."""
PDF417_PAGE = "pdf417"
"""Page template of PDF417 barcode pages (no running header above the symbols)."""
PDF417_GAP = 10 * mm

# Chinese names of the contract's enumerations (section 4); unknown values print as they are.
REQUEST, CUSTOMER_KIND, ID_TYPE = value_names("request"), value_names("customer_kind"), value_names("id_type")
RELATION, ACCOUNT_TYPE, RIGHT = value_names("relation"), value_names("account_type"), value_names("right")
ROLE, CREDENTIAL, MODE, CURRENCY = value_names("role"), value_names("credential"), value_names("mode"), value_names("currency")

DECLARATION = (
    "本单位申请开通上述电子渠道服务，已阅读并同意贵行电子银行服务协议及相关业务规则。本单位确认：本表所填信息真实、准确、完整，"
    "上列账户及操作员均经本单位授权；操作员凭证书（UKey）或密码办理的业务均视为本单位的真实意思表示，本单位对其后果负责；"
    "本表所印条码由贵行在线填表系统生成并签名，其内容与本表所列信息一致。本单位将妥善保管证书、密码及本申请表。"
)
DATE_BLANKS = "年" + "&nbsp;" * 8 + "月" + "&nbsp;" * 8 + "日" + "&nbsp;" * 2
PANEL_NOTE = "柜面扫描：本表共 {count} 个条码，可按任意顺序扫描。条码内容经银行签名，与本表所列信息一致；请勿涂改、折叠或遮挡。"
PDF417_NOTE = "以上为本表全部 {count} 个条码，供柜面扫描，可按任意顺序扫描。条码内容经银行签名，与本表所列信息一致；请勿涂改、折叠或遮挡。"
PAGES_NOTE = "本表共 {count} 个条码，印于第 {pages} 页（条码页），供柜面扫描，可按任意顺序扫描；请勿涂改、折叠或遮挡。"


class FormLayoutError(TellerError):
    """The form cannot be laid out (a barcode or a table row larger than a page)."""

    code = "form_layout"


def render_eform_pdf(document: dict[str, Any], symbols: list[str], *, training: bool) -> bytes:
    """The printable form of ``document`` with the barcodes of ``symbols``, as PDF bytes; ``training`` adds the watermark."""
    form = _Form(document, [symbol_for(text) for text in symbols], training)
    pages = _Pages()
    for _ in range(3):  # page numbers are printed before they are known: lay out again until they are stable
        data, counted = form.build(pages)
        if counted == pages:
            return data
        pages = counted
    return data


def write_eform_pdf(path: Path, document: dict[str, Any], symbols: list[str], *, training: bool) -> None:
    """Write :func:`render_eform_pdf`'s output to ``path``; an unwritable path raises a :class:`TellerError`."""
    data = render_eform_pdf(document, symbols, training=training)
    try:
        path.write_bytes(data)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise TellerError(f"cannot write {path}: {reason}", f"无法写入 {path}：{reason}", code="output_unwritable") from exc


@dataclass
class _Pages:
    """What the previous layout pass found: page count and the barcode pages (0 when on page 1)."""

    total: int = 0
    barcodes_from: int = 0


# --- reading the document -----------------------------------------------


def _get(doc: Any, *path: str) -> Any:
    for key in path:
        doc = doc.get(key) if isinstance(doc, dict) else None
    return doc


def _text(value: Any) -> str:
    if value is None or value == "" or isinstance(value, (dict, list)):
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _named(names: dict[str, str], value: Any) -> str:
    return names.get(value, _text(value)) if isinstance(value, str) else _text(value)


def _items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _when(value: Any) -> str:
    """An RFC 3339 time as bank time, to the minute; anything else as it is."""
    if not isinstance(value, str):
        return _text(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return when(moment) if moment.tzinfo else value


def _money(value: Any) -> str:
    try:
        return money(Decimal(str(value))) if value is not None else EMPTY
    except InvalidOperation:
        return _text(value)


def _zh(pointer: str) -> str:
    return label(pointer).zh


# --- small flowables -------------------------------------------------------


class _Title(Flowable):
    """The form title, centred in faux bold, with an optional training line under it."""

    def __init__(self, training: bool) -> None:
        super().__init__()
        self.training = training

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, 30 if self.training else 24

    def draw(self) -> None:
        top = 30 if self.training else 24
        draw_bold_string(self.canv, self.width / 2, top - 17, TITLE, 17, align="centre", color=ACCENT)
        if self.training:
            draw_bold_string(self.canv, self.width / 2, 1, "培训专用 · 不得用于真实业务", 9, align="centre", color=MUTED)


class _PageMarker(Flowable):
    """Zero-size flowable that records the page it lands on."""

    def __init__(self, record: Callable[[int], None]) -> None:
        super().__init__()
        self.record = record

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.record(self.canv.getPageNumber())


# --- the form -------------------------------------------------------------


class _Form:
    def __init__(self, document: dict[str, Any], symbols: list[Symbol], training: bool) -> None:
        self.doc = document
        self.symbols = symbols
        self.training = training
        self.catalogue = load_catalogue()
        self.form_id = _text(document.get("form_id"))
        self.customer_name = _text(_get(document, "customer", "name"))
        self.a4 = A4Document(title=TITLE, number=self.form_id, subject=self.customer_name, training=training, small_text=SMALL_TEXT)
        self.styles = self.a4.styles
        self.caption = ParagraphStyle("caption", parent=self.styles.body, fontSize=9, leading=11, alignment=TA_CENTER)
        self.on_first_page = self._panel_fits()

    def build(self, pages: _Pages) -> tuple[bytes, _Pages]:
        """One layout pass, printing the page numbers of ``pages``; returns the PDF and the numbers it found."""
        found = _Pages()
        buffer = io.BytesIO()
        template = self.a4.doc_template(buffer)
        frame = body_frame()

        def decorate(canvas: Canvas, doc: BaseDocTemplate, *, header: bool = True) -> None:
            found.total = max(found.total, canvas.getPageNumber())
            self._decorate(canvas, canvas.getPageNumber(), pages.total, header=header)

        def barcodes_start(page: int) -> None:
            found.barcodes_from = page

        try:
            template.addPageTemplates(
                [
                    PageTemplate(id="form", frames=[frame], onPage=decorate),
                    PageTemplate(id=PDF417_PAGE, frames=[frame], onPage=lambda canvas, doc: decorate(canvas, doc, header=False)),
                ]
            )
            template.build(self._story(pages, barcodes_start))
        except LayoutError as exc:
            # a table row taller than a page: let rows break inside (only then: a row reads better kept whole)
            if not self.a4.split_in_row:
                self.a4.split_in_row = True
                return self.build(pages)
            raise FormLayoutError(
                f"The form {self.form_id} cannot be laid out on A4: {exc}", f"表单 {self.form_id} 无法在 A4 纸上排版：{exc}"
            ) from exc
        return buffer.getvalue(), found

    # page furniture

    def _decorate(self, canvas: Canvas, page: int, total: int, *, header: bool) -> None:
        form_no = f"表单编号 {self.form_id}"
        draw_furniture(
            canvas,
            self.a4.font,
            watermark=self.training,
            header=(f"{TITLE}　{self.customer_name}", form_no) if page > 1 and header else None,
            footer=(form_no, TRAINING_FOOTER if self.training else "", f"第 {page} 页 / 共 {total or page} 页"),
        )

    # the story

    def _story(self, pages: _Pages, barcodes_start: Callable[[int], None]) -> list[Flowable]:
        story: list[Flowable] = [_Title(self.training), Spacer(1, 3 * mm), self._meta(), Spacer(1, 3 * mm)]
        if self.symbols:
            story += self._panel() if self.on_first_page else [self._pages_note(pages), Spacer(1, 1 * mm)]
        story += self._customer()
        story += self._accounts()
        story += self._users()
        story += self._services()
        story += self._fees()
        story += self._signatures()
        if self.symbols and not self.on_first_page:
            pdf417 = any(s.kind == "pdf417" for s in self.symbols)
            pages_of_symbols = self._pdf417_pages() if pdf417 else self._qr_pages()
            story += [NextPageTemplate(PDF417_PAGE if pdf417 else "form"), PageBreak(), _PageMarker(barcodes_start), *pages_of_symbols]
        return story

    def _key_values(self, pairs: list[tuple[str, str]], widths: Sequence[float] = (24, 38, 20, 38)) -> Table:
        """Label/value pairs two to a row; a pair whose label starts with "*" has a row to itself."""
        labelled = [(self.a4.p(key.removeprefix("*"), self.styles.head), value) for key, value in pairs]
        whole_rows = {i for i, (key, _) in enumerate(pairs) if key.startswith("*")}
        return self.a4.key_values(labelled, widths, whole_rows=whole_rows)

    def _meta(self) -> Table:
        doc = self.doc
        return self._key_values(
            [
                (_zh("/form_id"), self.form_id),
                (_zh("/request"), _named(REQUEST, doc.get("request"))),
                (_zh("/created_at"), _when(doc.get("created_at"))),
                (_zh("/expires_at"), _when(doc.get("expires_at"))),
            ]
        )

    def _customer(self) -> list[Flowable]:
        customer = self.doc.get("customer")
        rep, contact = _get(customer, "legal_rep"), _get(customer, "contact")
        pairs = [
            ("*" + _zh("/customer/name"), self.customer_name),
            (_zh("/customer/uscc"), _text(_get(customer, "uscc"))),
            (_zh("/customer/kind"), _named(CUSTOMER_KIND, _get(customer, "kind"))),
        ]
        if _get(customer, "group_uscc") or _get(customer, "kind") == "virtual":
            pairs.append(("*" + _zh("/customer/group_uscc"), _text(_get(customer, "group_uscc"))))
        pairs += [
            (_zh("/customer/legal_rep/name"), _text(_get(rep, "name"))),
            ("证件类型及号码", f"{_named(ID_TYPE, _get(rep, 'id_type'))}\n{_text(_get(rep, 'id_number'))}"),
            (_zh("/customer/contact/name"), _text(_get(contact, "name"))),
            (_zh("/customer/contact/mobile"), _text(_get(contact, "mobile"))),
            (_zh("/customer/contact/email"), _text(_get(contact, "email"))),
            (_zh("/customer/contact/address"), _text(_get(contact, "address"))),
        ]
        return [Heading("一、客户信息"), self._key_values(pairs), Spacer(1, 2 * mm)]

    def _accounts(self) -> list[Flowable]:
        accounts = _items(self.doc.get("accounts"))
        notes = [_account_note(item) for item in accounts]
        rows: list[list[Any]] = [["序号", "账号", "账户关系", "账户性质", "币种", "开户行行号", "账户权限", "备注"]]
        for n, item in enumerate(accounts, 1):
            rights = item.get("rights")
            rows.append(
                [
                    str(n),
                    _text(item.get("number")),
                    _named(RELATION, item.get("relation")),
                    _named(ACCOUNT_TYPE, item.get("type")),
                    _named(CURRENCY, item.get("currency")),
                    _text(item.get("bank_code")),
                    "、".join(_named(RIGHT, r) for r in rights) if isinstance(rights, list) and rights else EMPTY,
                    notes[n - 1],
                ]
            )
        widths: tuple[float, ...] = (26, 101, 56, 60, 36, 70, 64, 91.6)  # points
        if not any(notes):  # no notes: no empty column
            rows = [row[:-1] for row in rows]
            widths = (26, 118, 70, 72, 44, 92, 82.6)
        table = self.a4.table(rows, widths, grid())
        return [Heading(f"二、签约账户（共 {len(accounts)} 个）"), table, Spacer(1, 2 * mm)]

    def _users(self) -> list[Flowable]:
        users = _items(self.doc.get("users"))
        rows: list[list[Any]] = [["序号", "姓名", "证件类型及号码", "手机号码", "角色", "认证方式", "可用账户", "限额（元）"]]
        for n, item in enumerate(users, 1):
            accounts = item.get("accounts")
            if accounts == "all":
                usable = "全部签约账户"
            elif isinstance(accounts, list) and accounts:
                usable = "\n".join(_text(a) for a in accounts)
            else:
                usable = EMPTY
            limits = item.get("limits")
            limit_lines = [f"单笔 {_money(_get(limits, 'per_txn'))}", f"日累计 {_money(_get(limits, 'daily'))}"]
            rows.append(
                [
                    str(n),
                    _text(item.get("name")),
                    f"{_named(ID_TYPE, item.get('id_type'))}\n{_text(item.get('id_number'))}",
                    _text(item.get("mobile")),
                    _named(ROLE, item.get("role")),
                    _named(CREDENTIAL, item.get("credential")),
                    usable,
                    "\n".join(limit_lines) if isinstance(limits, dict) else EMPTY,
                ]
            )
        # widths in points fitted to the longest usual content (21-digit account, 18-character ID) with 3 pt padding
        padding = [("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
        table = self.a4.table(rows, (24, 42, 86, 55, 48, 62, 99, 88.6), grid() + padding)
        return [Heading(f"三、操作员（共 {len(users)} 位）"), table, Spacer(1, 2 * mm)]

    def _services(self) -> list[Flowable]:
        services = _items(self.doc.get("services"))
        rows: list[list[Any]] = [["序号", _zh("/services/*/channel"), _zh("/services/*/bundle"), _zh("/services/*/mode"), "功能"]]
        for n, item in enumerate(services, 1):
            rows.append(
                [
                    str(n),
                    self._channel(item.get("channel")),
                    self._bundle(item.get("bundle")),
                    _named(MODE, item.get("mode")),
                    self._functions(item),
                ]
            )
        table = self.a4.table(rows, (26, 100, 160, 60, 158.6), grid())
        return [Heading(f"四、签约业务（共 {len(services)} 项）"), table, Spacer(1, 2 * mm)]

    def _channel(self, value: Any) -> str:
        for channel, info in self.catalogue.channels.items():
            if channel.value == value:
                return str(info.zh)
        return _text(value)

    def _bundle(self, value: Any) -> str:
        bundle = self.catalogue.bundles.get(value) if isinstance(value, str) else None
        return bundle.zh if bundle is not None else _text(value)

    def _functions(self, item: dict[str, Any]) -> str:
        functions = item.get("functions")
        if item.get("mode") == "custom":
            return f"自选功能 {len(functions)} 项" if isinstance(functions, list) else EMPTY
        name = item.get("bundle")
        bundle = self.catalogue.bundles.get(name) if isinstance(name, str) else None
        return f"套餐内功能 {len(bundle.functions)} 项" if bundle is not None else EMPTY

    def _fees(self) -> list[Flowable]:
        fees = self.doc.get("fees")
        waiver = _get(fees, "waiver_requested")
        pairs = [
            (_zh("/fees/waiver_requested"), _text(waiver) if isinstance(waiver, bool) else EMPTY),
            (_zh("/fees/reason"), _text(_get(fees, "reason"))),
        ]
        return [Heading("五、费用"), self._key_values(pairs, (24, 20, 20, 56)), Spacer(1, 2 * mm)]

    def _signatures(self) -> list[Flowable]:
        styles = self.styles
        boxes: list[list[Any]] = [
            [
                self.a4.p("客户签章（公章）", styles.head),
                self.a4.p("法定代表人或授权经办人签字", styles.head),
                self.a4.p("日期", styles.head),
            ],
            ["", "", Paragraph(DATE_BLANKS, ParagraphStyle("date", parent=styles.body, alignment=TA_RIGHT))],
        ]
        sign = self.a4.table(
            boxes,
            (70, 70, 40),
            [
                ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
                ("LINEAFTER", (0, 0), (1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, 0), "TOP"),
                ("VALIGN", (0, 1), (-1, 1), "BOTTOM"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 1), (-1, 1), 6),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
            ],
            repeat=0,
            heights=[None, 30 * mm],  # the signing space
        )
        bank = self.a4.table(
            [["以下由银行填写", "受理网点", "", "经办", "", "复核", ""]],
            (24, 16, 40, 10, 30, 10, 30),
            [
                *grid(0, shade_columns=(0, 1, 3, 5)),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ],
            repeat=0,
        )
        block = [
            Heading("六、客户声明及签章"),
            self.a4.p(DECLARATION, styles.body),
            Spacer(1, 3 * mm),
            sign,
            Spacer(1, 3 * mm),
            bank,
        ]
        return [KeepTogether(block)]

    # barcodes

    def _caption(self, index: int) -> Paragraph:
        return self.a4.p(f"条码 {index}/{len(self.symbols)}", self.caption)

    def _panel_fits(self) -> bool:
        if not self.symbols or any(s.kind == "pdf417" for s in self.symbols):  # PDF417 wants a page of its own: see _pdf417_pages
            return False
        widths = sum(s.width for s in self.symbols) + 4 * mm * (len(self.symbols) - 1)
        return bool(widths <= FRAME_WIDTH and max(s.height for s in self.symbols) <= PANEL_MAX_HEIGHT)

    def _panel(self) -> list[Flowable]:
        """The barcodes in one row on page 1, under a note for the teller."""
        cells: list[Any] = [[SymbolFlowable(s), self._caption(i)] for i, s in enumerate(self.symbols, 1)]
        widths = [s.width + 4 * mm for s in self.symbols]
        row = Table([cells], colWidths=widths, hAlign="CENTER")
        row.setStyle(
            self.a4.style(
                [("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                 ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]
            )
        )  # fmt: skip
        note = self.a4.note(PANEL_NOTE.format(count=len(self.symbols)))
        return [KeepTogether([note, Spacer(1, 2 * mm), row]), Spacer(1, 2 * mm)]

    def _pages_note(self, pages: _Pages) -> Table:
        first, last = pages.barcodes_from or 99, pages.total or 99
        where = str(first) if first == last else f"{first}–{last}"
        return self.a4.note(PAGES_NOTE.format(count=len(self.symbols), pages=where))

    def _qr_pages(self) -> list[Flowable]:
        """QR barcode pages: a heading, then the symbols in a grid that continues on further pages."""
        per_row = max(1, int(FRAME_WIDTH // (max(s.width for s in self.symbols) + 6 * mm)))
        cells: list[Any] = [[SymbolFlowable(s), Spacer(1, 1 * mm), self._caption(i)] for i, s in enumerate(self.symbols, 1)]
        rows = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
        rows[-1] += [""] * (per_row - len(rows[-1]))
        table = Table(rows, colWidths=[FRAME_WIDTH / per_row] * per_row, hAlign="CENTER")
        table.setStyle(
            self.a4.style(
                [("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("TOPPADDING", (0, 0), (-1, -1), 3 * mm), ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm)]
            )
        )  # fmt: skip
        note = PANEL_NOTE.format(count=len(self.symbols))
        return [Heading("条码页（柜面扫描用）"), self.a4.note(note), Spacer(1, 2 * mm), table]

    def _pdf417_pages(self) -> list[Flowable]:
        """PDF417 barcode pages: one symbol a row from the top of the page, its label beside it, the note after the last.

        zxing-cpp's PDF417 locator scans a page top down and gives up on the whole page when the first
        thing that looks like a start pattern is a line of text (it does for one row phase in eight),
        so no text is printed above a symbol or between two: no page header, labels beside the symbols.
        """
        width = max(s.width for s in self.symbols)
        rows = [[SymbolFlowable(s), self.a4.p(f"条码 {i}/{len(self.symbols)}", self.styles.body)] for i, s in enumerate(self.symbols, 1)]
        table = Table(rows, colWidths=[width + 6 * mm, FRAME_WIDTH - width - 6 * mm], hAlign="LEFT")
        table.setStyle(
            self.a4.style(
                [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                 ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), PDF417_GAP)]
            )
        )  # fmt: skip
        return [table, self.a4.note(PDF417_NOTE.format(count=len(self.symbols)))]


def _account_note(item: dict[str, Any]) -> str:
    notes: list[str] = []
    if item.get("expires_on"):
        notes.append(f"有效期至 {_text(item.get('expires_on'))}")
    if item.get("fx_capable") is True:
        notes.append("可办理结售汇")
    return "；".join(notes) or ""
