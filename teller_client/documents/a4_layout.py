"""What the A4 documents handed over the counter share: styles, headings, tables, signature boxes, page furniture.

The confirmation, the handover slip and the custody report are platypus
stories built by :meth:`A4Document.build`: every page gets the running
header (from page 2), the footer "第 x 页 / 共 y 页 · Page x of y" (counted by a
canvas that holds its pages until the end), and in training the diagonal
"培训 TRAINING" watermark under the content. The printable e-form
(``eform_form``) lays out its own page templates with the same pieces:
:meth:`A4Document.doc_template`, :func:`body_frame` and :func:`draw_furniture`.
Text is in the embedded WenQuanYi Micro Hei (tables too: their default,
Helvetica, would not be embedded). Output is deterministic (reportlab
``invariant``): the same data gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

from teller_client.documents.code128 import code128
from teller_client.documents.fonts import document_fonts, draw_bold_string, string_width
from teller_client.domain.bank_time import BANK_TIME
from teller_client.logs import mask_text

WATERMARK = "培训 TRAINING"
TRAINING_NOTE = "培训用 · 不得用于真实业务 Training only"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 16 * mm, 18 * mm, 18 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
EMPTY = "—"

INK = colors.HexColor("#1B1B1B")
ACCENT = colors.HexColor("#1F3A5F")
MUTED = colors.HexColor("#5A6270")
RULE = colors.HexColor("#8A93A3")
SHADE = colors.HexColor("#EEF1F5")
NOTE_SHADE = colors.HexColor("#F6F8FB")
WARN = colors.HexColor("#9A3412")
WARN_SHADE = colors.HexColor("#FFF4E5")
WATERMARK_GREY = colors.HexColor("#E3E3E3")


def when(value: datetime | None) -> str:
    """A time in bank time to the minute (a naive time is taken as bank time already)."""
    if value is None:
        return EMPTY
    return (value.astimezone(BANK_TIME) if value.tzinfo else value).strftime("%Y-%m-%d %H:%M")


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def masked_id(number: str) -> str:
    """An ID number as the logs mask it (resident ID: first six and last four kept); other documents keep two each side."""
    number = number.strip()
    masked = mask_text(number)
    if masked != number:
        return masked
    if len(number) <= 4:
        return "*" * len(number)
    keep = 2 if len(number) < 12 else 4
    return number[:keep] + "*" * (len(number) - 2 * keep) + number[-keep:]


@dataclass(frozen=True)
class Styles:
    font: str
    small_size: float = 7.5
    """Size and leading of ``small``, the grey notes."""
    small_leading: float = 10
    body: ParagraphStyle = field(init=False)
    small: ParagraphStyle = field(init=False)
    cell: ParagraphStyle = field(init=False)
    head: ParagraphStyle = field(init=False)
    number: ParagraphStyle = field(init=False)
    warn: ParagraphStyle = field(init=False)
    alert: ParagraphStyle = field(init=False)
    """A table cell in the warning colour."""

    def __post_init__(self) -> None:
        base = ParagraphStyle("body", fontName=self.font, fontSize=9, leading=13, textColor=INK, wordWrap="CJK")
        cell = ParagraphStyle("cell", parent=base, fontSize=8, leading=10.5)
        object.__setattr__(self, "body", base)
        object.__setattr__(
            self, "small", ParagraphStyle("small", parent=base, fontSize=self.small_size, leading=self.small_leading, textColor=MUTED)
        )
        object.__setattr__(self, "cell", cell)
        object.__setattr__(self, "head", ParagraphStyle("head", parent=cell, textColor=ACCENT))
        object.__setattr__(self, "number", ParagraphStyle("number", parent=cell, alignment=TA_RIGHT))
        object.__setattr__(self, "warn", ParagraphStyle("warn", parent=base, textColor=WARN))
        object.__setattr__(self, "alert", ParagraphStyle("alert", parent=cell, textColor=WARN))


class Heading(Flowable):
    """A section heading: an accent bar, the Chinese title in faux bold, the English (if any) in grey, a rule; kept with what follows."""

    def __init__(self, zh: str, en: str = "") -> None:
        super().__init__()
        self.zh, self.en = zh, en
        self.keepWithNext = True

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, 24

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.rect(0, 6, 3, 12, stroke=0, fill=1)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(0, 3, self.width, 3)
        canvas.restoreState()
        draw_bold_string(canvas, 8, 8, self.zh, 10.5, color=ACCENT)
        if self.en:
            canvas.saveState()
            canvas.setFont(document_fonts().regular, 8)
            canvas.setFillColor(MUTED)
            canvas.drawString(8 + string_width(self.zh, 10.5) + 6, 8, self.en)
            canvas.restoreState()


class TitleBlock(Flowable):
    """The document title (Chinese in faux bold, English under it) on the left, a Code 128 of its number on the right."""

    def __init__(self, zh: str, en: str, number_label: str, number: str, *, training: bool) -> None:
        super().__init__()
        self.zh, self.en, self.number_label, self.number, self.training = zh, en, number_label, number, training
        self.symbol = code128(number, bar_height=9 * mm)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, max(self.symbol.height + 11, 46)

    def draw(self) -> None:
        canvas = self.canv
        top = self.wrap(self.width, 0)[1]
        draw_bold_string(canvas, 0, top - 18, self.zh, 17, color=ACCENT)
        canvas.saveState()
        canvas.setFont(document_fonts().regular, 9.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(0, top - 32, self.en)
        if self.training:
            canvas.setFillColor(WARN)
            canvas.drawString(0, top - 44, TRAINING_NOTE)
        canvas.setFont(document_fonts().regular, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(self.width, top - 7, self.number_label)
        canvas.restoreState()
        self.symbol.draw(canvas, self.width - self.symbol.width + self.symbol.quiet, top - 10 - self.symbol.height)


def fit(text: str, width: float, size: float) -> str:
    """``text``, cut with an ellipsis to fit ``width`` points at ``size``."""
    if string_width(text, size) <= width:
        return text
    while text and string_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def grid(header_rows: int = 1, *, shade_columns: Sequence[int] = ()) -> list[tuple[Any, ...]]:
    """Table commands: thin grid, cells centred vertically, the header rows and ``shade_columns`` shaded."""
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE))
    commands += [("BACKGROUND", (column, 0), (column, -1), SHADE) for column in shade_columns]
    return commands


class A4Document:
    """One A4 document: its styles and table helpers, and :meth:`build` with the page furniture."""

    def __init__(self, *, title: str, number: str, subject: str, training: bool, small_text: tuple[float, float] = (7.5, 10)) -> None:
        """``small_text``: size and leading of the grey notes (``styles.small``)."""
        self.title, self.number, self.subject, self.training = title, number, subject, training
        self.font = document_fonts().regular
        self.styles = Styles(self.font, *small_text)
        self.split_in_row = False
        """Whether a table row may break inside (else a row taller than a page is a layout error)."""

    # content helpers

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph of plain text (escaped; newlines kept)."""
        return Paragraph(escape(text).replace("\n", "<br/>"), style or self.styles.cell)

    def label(self, zh: str, en: str) -> Paragraph:
        """A table label: Chinese, and the English in small grey under it."""
        return Paragraph(f'{escape(zh)}<br/><font size="6.5" color="#5A6270">{escape(en)}</font>', self.styles.head)

    def heads(self, *pairs: tuple[str, str]) -> list[Any]:
        """A table's header row: (Chinese, English) labels."""
        return [self.label(zh, en) for zh, en in pairs]

    def style(self, commands: list[tuple[Any, ...]]) -> TableStyle:
        """A table style in the document font (a table's default, Helvetica, is not embedded)."""
        return TableStyle([("FONTNAME", (0, 0), (-1, -1), self.font), *commands])

    def table(
        self,
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        commands: list[tuple[Any, ...]],
        *,
        repeat: int = 1,
        heights: Sequence[float | None] | None = None,
    ) -> Table:
        """A table across the frame: ``widths`` are relative; strings become paragraphs that wrap; header rows repeat on a new page."""
        total = sum(widths)
        table = Table(
            [[self.p(c) if isinstance(c, str) else c for c in row] for row in rows],
            colWidths=[w * FRAME_WIDTH / total for w in widths],
            rowHeights=heights,
            repeatRows=repeat,
            splitInRow=int(self.split_in_row),
            hAlign="LEFT",
        )
        table.setStyle(self.style(commands))
        return table

    def key_values(
        self, pairs: Sequence[tuple[Paragraph, str]], widths: Sequence[float] = (22, 40, 20, 40), *, whole_rows: Collection[int] = ()
    ) -> Table:
        """Label/value pairs two to a row; the pairs at the indexes ``whole_rows`` have a row to themselves, the value across it."""
        rows: list[list[Any]] = []
        spans: list[tuple[Any, ...]] = []
        pending: list[Any] = []
        for i, (key, value) in enumerate(pairs):
            if i in whole_rows:
                if pending:
                    rows.append([*pending, "", ""])
                    pending = []
                spans += [("SPAN", (1, len(rows)), (3, len(rows))), ("BACKGROUND", (1, len(rows)), (3, len(rows)), colors.white)]
                rows.append([key, value, "", ""])
                continue
            pending += [key, value]
            if len(pending) == 4:
                rows.append(pending)
                pending = []
        if pending:
            rows.append([*pending, "", ""])
        return self.table(rows, widths, grid(0, shade_columns=(0, 2)) + spans, repeat=0)

    def note(self, text: str, *, warning: bool = False) -> Table:
        """A notice in a shaded box across the page."""
        box = Table([[self.p(text, self.styles.warn if warning else self.styles.small)]], colWidths=[FRAME_WIDTH])
        edge, ground = (WARN, WARN_SHADE) if warning else (ACCENT, NOTE_SHADE)
        box.setStyle(self.style([("BOX", (0, 0), (-1, -1), 0.8 if warning else 0.6, edge), ("BACKGROUND", (0, 0), (-1, -1), ground)]))
        return box

    def signature_boxes(self, boxes: Sequence[tuple[str, str, str]], height: float = 26 * mm) -> Table:
        """Boxes side by side to sign in: (Chinese label, English label, printed name or "") each, "日期 Date" at the foot."""
        date = "日期 Date：" + "&nbsp;" * 6 + "年" + "&nbsp;" * 4 + "月" + "&nbsp;" * 4 + "日"
        heads = [self.label(zh, en) for zh, en, _ in boxes]
        names = [self.p(name, self.styles.cell) if name else "" for _, _, name in boxes]
        rows: list[list[Any]] = [heads, names, [Paragraph(date, self.styles.small) for _ in boxes]]
        return self.table(
            rows,
            [1] * len(boxes),
            [
                ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
                ("LINEAFTER", (0, 0), (-2, -1), 0.5, RULE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("VALIGN", (0, 2), (-1, 2), "BOTTOM"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
            ],
            repeat=0,
            heights=[None, height, None],
        )

    # the whole document

    def build(self, story: list[Flowable]) -> bytes:
        """Lay out ``story`` on A4 pages with header, footer and watermark; the PDF bytes."""
        buffer = io.BytesIO()
        template = self.doc_template(buffer)
        page = PageTemplate(id="page", frames=[body_frame()], onPage=lambda canvas, doc: self._under(canvas))
        template.addPageTemplates([page])
        template.build(story, canvasmaker=_numbered_canvas(self._footer))
        return buffer.getvalue()

    def doc_template(self, buffer: io.BytesIO) -> BaseDocTemplate:
        """An A4 document template writing to ``buffer``, with this document's metadata and font; no page templates yet."""
        return BaseDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=f"{self.title} {self.number}",
            author="teller-client",
            subject=self.subject,
            creator="teller-client",
            invariant=1,
            pageCompression=1,
            initialFontName=self.font,  # else every page's preamble names Helvetica, which is not embedded
            initialFontSize=9,
        )

    def _under(self, canvas: Canvas) -> None:
        """Drawn before a page's content: the watermark, and the running header from page 2."""
        header = (f"{self.title}　{self.subject}", self.number) if canvas.getPageNumber() > 1 else None
        draw_furniture(canvas, self.font, watermark=self.training, header=header)

    def _footer(self, canvas: Canvas, page: int, total: int) -> None:
        training = TRAINING_NOTE if self.training else ""
        draw_furniture(canvas, self.font, footer=(self.number, training, f"第 {page} 页 / 共 {total} 页  Page {page} of {total}"))


def body_frame() -> Frame:
    """The frame the content flows in: the page inside the margins."""
    return Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_WIDTH, PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM, 0, 0, 0, 0, id="body")


def draw_furniture(
    canvas: Canvas,
    font: str,
    *,
    watermark: bool = False,
    header: tuple[str, str] | None = None,
    footer: tuple[str, str, str] | None = None,
) -> None:
    """A page's furniture, the canvas state kept: the diagonal training ``watermark``, the running ``header`` (left, right; the left
    cut to fit) and the ``footer`` (left, centre or "", right), both in 8 pt grey with a thin rule."""
    canvas.saveState()
    if watermark:
        _draw_watermark(canvas, font)
    if header or footer:
        canvas.setFont(font, 8)
        canvas.setFillColor(MUTED)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
    if header:
        left, right = header
        top = PAGE_HEIGHT - MARGIN_TOP + 6 * mm
        canvas.drawString(MARGIN_X, top, fit(left, FRAME_WIDTH - string_width(right, 8) - 6 * mm, 8))
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, top, right)
        canvas.line(MARGIN_X, top - 2 * mm, PAGE_WIDTH - MARGIN_X, top - 2 * mm)
    if footer:
        left, centre, right = footer
        bottom = MARGIN_BOTTOM - 9 * mm
        canvas.line(MARGIN_X, bottom + 4 * mm, PAGE_WIDTH - MARGIN_X, bottom + 4 * mm)
        canvas.drawString(MARGIN_X, bottom, left)
        if centre:
            canvas.drawCentredString(PAGE_WIDTH / 2, bottom, centre)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, bottom, right)
    canvas.restoreState()


def _draw_watermark(canvas: Canvas, font: str) -> None:
    """The training watermark, three times down the page, diagonally in light grey."""
    canvas.saveState()
    canvas.setFillColor(WATERMARK_GREY)
    canvas.setFont(font, 54)
    for y in (0.25, 0.55, 0.85):
        canvas.saveState()
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT * y)
        canvas.rotate(35)
        canvas.drawCentredString(0, -18, WATERMARK)
        canvas.restoreState()
    canvas.restoreState()


def _numbered_canvas(footer: Callable[[Canvas, int, int], None]) -> type[Canvas]:
    """A canvas class that keeps its pages until ``save`` and then draws ``footer(canvas, page, total)`` on each."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # what Canvas.showPage does after writing the page

        def save(self) -> None:
            total = len(self._held)
            for state in self._held:
                self.__dict__.update(state)
                footer(self, self.getPageNumber(), total)
                super().showPage()
            super().save()

    return NumberedCanvas
