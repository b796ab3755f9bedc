"""Password letters on the branch's pre-numbered mailer stock, and the calibration page that lines a printer up with it.

A letter carries the customer, the user's name masked (``张*``), the login ID
and user number, the initial login password or UKey PIN inside the mailer's
sealed area, its expiry and "change at first login", the letter serial as
Code 128 and text, and the bank's wording in Chinese with an English
subtitle. :class:`LetterLayout` says where the form is: page size, the
branch's calibration offsets and the sealed area, all in millimetres from
the form's top left corner (x to the right, y down). Everything printed,
calibration page included, is shifted by the offsets, so a printer that
feeds 2 mm low is corrected with ``offset_y_mm = -2``.

The default form is 241 × 140 mm (9½ × 5½ in), the usual continuous
pre-numbered password mailer (密码信封) of dot-matrix and laser mailer
printers, with its sealed area at x 138, y 34, 90 × 40 mm. The layout needs
a page of at least 200 × 135 mm, the sealed area below the header band and
above the wording band, and 90 mm beside it for the letter's text.

The secret. :func:`render_password_letter` reveals the :class:`Secret` only
while drawing it and returns the PDF as a ``bytearray`` the caller wipes
after printing; the ``BytesIO`` it was written to is zeroed. The limits, said
plainly: Python strings cannot be wiped, so the revealed text, reportlab's
copy in the page's content stream, the compressed stream and the joined
PDF bytes stay in memory until the garbage collector reuses it. Nothing
is written to disk and nothing holds them after the call. The font subset
does not tell which characters a secret uses: reportlab puts every printable
ASCII glyph into the first subset of every document (``ttfAsciiReadable``).

A preview shows :func:`sample_letter` with :data:`DUMMY_SECRET`, never a real
secret.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Literal

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from teller_client.documents.a4_layout import ACCENT, INK, MUTED, RULE, WARN, WATERMARK, WATERMARK_GREY, when
from teller_client.documents.code128 import code128
from teller_client.documents.fonts import document_fonts, draw_bold_string, string_width
from teller_client.domain.bank_time import BANK_TIME
from teller_client.logs import mask_name
from teller_client.secret import Secret

LetterKind = Literal["password", "ukey_pin"]

DUMMY_SECRET = "Ab3#Dummy"  # noqa: S105 - the preview's stand-in, never a real password
"""The only secret a preview or print test may show."""

MARGIN = 12.0
"""Left and right margin of the letter's text, mm."""
HEADER_BAND = 28.0
"""The bank's name, the title and the serial barcode live above this line (mm from the top)."""
WORDING_BAND = 36.0
"""The bank's wording and the footer live in this band at the foot of the form (mm)."""
TEXT_COLUMN = 90.0
"""The letter's text needs this much width beside the sealed area (mm)."""
GUTTER = 5.0
ROW_PITCH = 8.0
MIN_PAGE = (200.0, 135.0)
MAX_PAGE = (420.0, 420.0)
MAX_OFFSET = 20.0
MIN_SEALED = (40.0, 18.0)

TITLES = {"password": ("电子银行初始登录密码函", "E-banking initial password letter"), "ukey_pin": ("UKey 初始密码函", "UKey PIN letter")}
SECRET_LABELS = {"password": "初始登录密码 Initial login password", "ukey_pin": "UKey 初始 PIN 码 UKey initial PIN"}
CHANGE_NOTICES = {
    "password": ("首次登录须修改密码", "Change the password at first login"),
    "ukey_pin": ("请立即修改 UKey 密码", "Change the UKey PIN at once"),
}
WORDING = {
    "password": (
        "尊敬的客户：本函内为贵单位电子银行操作员的初始登录密码，仅限该操作员本人拆阅使用。请在密码有效期内首次登录，系统将要求立即修改密码。"
        "银行工作人员不会以任何方式向您索取密码。如发现本函封口破损或有拆封痕迹，请勿使用，并立即与经办网点联系。",
        "Dear customer, this letter holds the initial login password of your e-banking operator, to be opened by that operator only. "
        "Log in before it expires; you will be asked to change it at once. Bank staff never ask for your password. "
        "If the seal is broken, do not use the password and contact the branch.",
    ),
    "ukey_pin": (
        "尊敬的客户：本函内为贵单位操作员证书（UKey）的初始 PIN 码，仅限该操作员本人拆阅使用。"
        "请在首次使用 UKey 时立即修改 PIN 码，连续输错将锁定 UKey。"
        "银行工作人员不会以任何方式向您索取 PIN 码。如发现本函封口破损或有拆封痕迹，请勿使用，并立即与经办网点联系。",
        "Dear customer, this letter holds the initial PIN of your operator's certificate key (UKey), to be opened by that operator only. "
        "Change the PIN when you first use the UKey; repeated wrong PINs lock it. Bank staff never ask for your PIN. "
        "If the seal is broken, do not use it and contact the branch.",
    ),
}


@dataclass(frozen=True)
class LetterLayout:
    """The mailer form and the branch's calibration for one printer, in mm from the form's top left corner (y down)."""

    page_width_mm: float = 241.0
    page_height_mm: float = 140.0
    offset_x_mm: float = 0.0
    """Shift of everything printed: positive moves right."""
    offset_y_mm: float = 0.0
    """Shift of everything printed: positive moves down."""
    sealed_x_mm: float = 138.0
    sealed_y_mm: float = 34.0
    sealed_width_mm: float = 90.0
    sealed_height_mm: float = 40.0
    frame_sealed_area: bool = False
    """Draw the sealed area's outline on letters (plain stock without a pre-printed frame)."""

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name != "frame_sealed_area" and (
                isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            ):
                raise ValueError(f"{item.name}: 须为有限的数字（毫米）must be a finite number of millimetres, not {value!r}")
        width, height = self.page_width_mm, self.page_height_mm
        if not (MIN_PAGE[0] <= width <= MAX_PAGE[0] and MIN_PAGE[1] <= height <= MAX_PAGE[1]):
            raise ValueError(
                f"page_width_mm/page_height_mm: 纸张 {width:g} × {height:g} 毫米超出范围 page size out of range "
                f"({MIN_PAGE[0]:g}–{MAX_PAGE[0]:g} × {MIN_PAGE[1]:g}–{MAX_PAGE[1]:g} mm)"
            )
        for name in ("offset_x_mm", "offset_y_mm"):
            if abs(getattr(self, name)) > MAX_OFFSET:
                raise ValueError(f"{name}: 偏移 {getattr(self, name):g} 毫米超过 ±{MAX_OFFSET:g} an offset beyond ±{MAX_OFFSET:g} mm")
        x, y, w, h = self.sealed_area
        if w < MIN_SEALED[0] or h < MIN_SEALED[1]:
            raise ValueError(
                f"sealed_width_mm/sealed_height_mm: 密封区 {w:g} × {h:g} 毫米太小 the sealed area must be at least "
                f"{MIN_SEALED[0]:g} × {MIN_SEALED[1]:g} mm"
            )
        if x < 0 or x + w > width or y < HEADER_BAND or y + h > height - WORDING_BAND:
            raise ValueError(
                f"sealed_x_mm/sealed_y_mm: 密封区须在纸张内、页眉（{HEADER_BAND:g}）之下、页脚（距底边 {WORDING_BAND:g}）之上 "
                f"the sealed area must lie on the page, below the header band and above the wording band "
                f"(y {HEADER_BAND:g} to {height - WORDING_BAND:g} mm); it is x {x:g}, y {y:g}, {w:g} × {h:g} mm"
            )
        if self.text_column[1] < TEXT_COLUMN:
            raise ValueError(
                f"sealed_x_mm: 密封区旁须留出 {TEXT_COLUMN:g} 毫米宽的文字区 the sealed area must leave {TEXT_COLUMN:g} mm "
                "beside it for the letter's text"
            )

    @property
    def sealed_area(self) -> tuple[float, float, float, float]:
        """(x, y, width, height) of the sealed area on the form, mm, before offsets."""
        return self.sealed_x_mm, self.sealed_y_mm, self.sealed_width_mm, self.sealed_height_mm

    @property
    def sealed_area_printed(self) -> tuple[float, float, float, float]:
        """The sealed area where it is printed: shifted by the offsets."""
        return self.sealed_x_mm + self.offset_x_mm, self.sealed_y_mm + self.offset_y_mm, self.sealed_width_mm, self.sealed_height_mm

    @property
    def text_column(self) -> tuple[float, float]:
        """(x, width) of the letter's text: the wider side beside the sealed area, mm."""
        left = self.sealed_x_mm - GUTTER - MARGIN
        right = self.page_width_mm - MARGIN - (self.sealed_x_mm + self.sealed_width_mm + GUTTER)
        return (MARGIN, left) if left >= right else (self.sealed_x_mm + self.sealed_width_mm + GUTTER, right)

    @classmethod
    def from_settings(cls, values: Mapping[str, Any]) -> LetterLayout:
        """A layout from settings (keys named like the fields: ``page_width_mm``, ``offset_x_mm``, ...; missing keys keep defaults).

        Numbers may be given as numbers or numeric text; an unknown key, a value that is not a number or a layout that does
        not fit raises a :class:`ValueError` that names the key.
        """
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: 未知的信函版式设置 unknown letter layout setting; known: {', '.join(sorted(known))}")
        given: dict[str, Any] = {}
        for key, value in values.items():
            given[key] = _flag(key, value) if key == "frame_sealed_area" else _millimetres(key, value)
        return cls(**given)


def _millimetres(key: str, value: Any) -> float:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise ValueError(f"{key}: 须为数字（毫米）must be a number of millimetres, not {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{key}: 须为有限的数字（毫米）must be a finite number of millimetres, not {value!r}")
    return float(value)


def _flag(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.strip().lower() in ("true", "1", "yes")
    raise ValueError(f"{key}: 须为 true 或 false must be true or false, not {value!r}")


@dataclass(frozen=True)
class PasswordLetter:
    """What a letter says besides its secret. ``user_name`` is printed masked; ``token_serial`` only on UKey PIN letters."""

    letter_serial: str
    kind: LetterKind
    customer_name: str
    user_name: str
    login_id: str
    user_no: str
    expires_at: datetime | None
    bank_name: str
    branch_name: str
    training: bool
    token_serial: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in TITLES:
            raise ValueError(f"kind: 信函类型须为 password 或 ukey_pin, not {self.kind!r}")


def render_password_letter(letter: PasswordLetter, secret: Secret, layout: LetterLayout) -> bytearray:
    """The letter as PDF in memory; the caller prints it and wipes the returned ``bytearray`` (see the module's limits)."""
    buffer = io.BytesIO()
    sheet = _Sheet(buffer, layout, title=f"{TITLES[letter.kind][0]} {letter.letter_serial}")
    if letter.training:
        sheet.watermark()
    sheet.header(letter)
    sheet.details(letter)
    if layout.frame_sealed_area:
        sheet.sealed_frame(dashed=False)
    sheet.secret(letter.kind, secret)
    sheet.wording(letter)
    sheet.finish()
    view = buffer.getbuffer()
    try:
        pdf = bytearray(view)
        view[:] = bytes(len(view))
    finally:
        view.release()
    buffer.close()
    return pdf


def render_calibration_page(layout: LetterLayout) -> bytes:
    """A grid every 5 mm (numbered every 10 mm), the form's edge, the sealed area's frame and a sample serial, all offset."""
    buffer = io.BytesIO()
    sheet = _Sheet(buffer, layout, title="信函打印校准页 Letter calibration page")
    sheet.calibration_grid()
    sheet.sealed_frame(dashed=True, caption=True)
    sheet.serial(sample_letter().letter_serial)
    sheet.calibration_note()
    sheet.finish()
    return buffer.getvalue()


def sample_letter(kind: LetterKind = "password", *, training: bool = True) -> PasswordLetter:
    """A letter with dummy data for the layout preview and ``print-test``: print it only with :data:`DUMMY_SECRET`."""
    return PasswordLetter(
        letter_serial="LT00000031",
        kind=kind,
        customer_name="厦门示例贸易有限公司",
        user_name="赵六",
        login_id="3500000042002",
        user_no="U00000102",
        expires_at=datetime(2026, 11, 30, 23, 59, tzinfo=BANK_TIME),
        bank_name="示例银行",
        branch_name="厦门分行营业部",
        training=training,
        token_serial="UK00000012" if kind == "ukey_pin" else None,
    )


class _Sheet:
    """One page of the mailer form: positions in mm from the form's top left, drawn shifted by the layout's offsets."""

    def __init__(self, buffer: io.BytesIO, layout: LetterLayout, *, title: str) -> None:
        self.layout = layout
        self.font = document_fonts().regular
        self.height = layout.page_height_mm
        self.canvas = Canvas(
            buffer,
            pagesize=(layout.page_width_mm * mm, layout.page_height_mm * mm),
            invariant=1,
            pageCompression=1,
            initialFontName=self.font,  # type: ignore[arg-type]  # the stub says float; else each page names Helvetica
            initialFontSize=9,
        )
        self.canvas.setTitle(title)
        self.canvas.setAuthor("teller-client")
        self.canvas.setCreator("teller-client")
        self.canvas.translate(layout.offset_x_mm * mm, -layout.offset_y_mm * mm)

    def x(self, x_mm: float) -> float:
        return x_mm * mm

    def y(self, y_mm: float) -> float:
        """A distance from the form's top, as reportlab's y (up from the bottom)."""
        return (self.height - y_mm) * mm

    def finish(self) -> None:
        self.canvas.showPage()
        self.canvas.save()

    def text(self, x_mm: float, y_mm: float, text: str, size: float, *, color: colors.Color = INK, align: str = "left") -> None:
        canvas = self.canvas
        canvas.setFont(self.font, size)
        canvas.setFillColor(color)
        draw = {"left": canvas.drawString, "right": canvas.drawRightString, "centre": canvas.drawCentredString}[align]
        draw(self.x(x_mm), self.y(y_mm), text)

    def ground(self, x_mm: float, y_mm: float, w_mm: float, h_mm: float) -> None:
        """A white rectangle (x, y from the top left, mm) for text over the calibration grid."""
        self.canvas.saveState()
        self.canvas.setFillColor(colors.white)
        self.canvas.rect(self.x(x_mm), self.y(y_mm + h_mm), w_mm * mm, h_mm * mm, stroke=0, fill=1)
        self.canvas.restoreState()

    # the letter

    def watermark(self) -> None:
        canvas = self.canvas
        canvas.saveState()
        canvas.setFillColor(WATERMARK_GREY)
        canvas.setFont(self.font, 40)
        for fraction in (0.3, 0.75):
            canvas.saveState()
            canvas.translate(self.x(self.layout.page_width_mm * fraction), self.y(self.height * 0.62))
            canvas.rotate(25)
            canvas.drawCentredString(0, 0, WATERMARK)
            canvas.restoreState()
        canvas.restoreState()

    def header(self, letter: PasswordLetter) -> None:
        zh, en = TITLES[letter.kind]
        draw_bold_string(self.canvas, self.x(MARGIN), self.y(14), letter.bank_name, 14, color=ACCENT)
        bank_width = string_width(letter.bank_name, 14) / mm
        self.text(MARGIN + bank_width + 4, 14, f"{zh}  {en}", 9.5, color=ACCENT)
        if letter.training:
            self.text(MARGIN, 21, "培训专用 · 不得用于真实业务 Training only, not valid", 8, color=WARN)
        self.serial(letter.letter_serial)
        self.canvas.setStrokeColor(RULE)
        self.canvas.setLineWidth(0.5)
        self.canvas.line(self.x(MARGIN), self.y(HEADER_BAND - 3), self.x(self.layout.page_width_mm - MARGIN), self.y(HEADER_BAND - 3))

    def serial(self, serial: str) -> None:
        """The serial as Code 128 (text under the bars) at the top right, its bars ending at the right margin."""
        symbol = code128(serial, bar_height=8 * mm)
        right = self.layout.page_width_mm - MARGIN
        left_mm = right - symbol.bars_width / mm - symbol.quiet / mm
        symbol.draw(self.canvas, self.x(left_mm), self.y(6) - symbol.height)
        self.ground(left_mm - 17, 7, 16.5, 8.5)
        self.text(left_mm - 1, 10.5, "信函编号", 7.5, color=MUTED, align="right")
        self.text(left_mm - 1, 14, "Letter No.", 6.5, color=MUTED, align="right")

    def details(self, letter: PasswordLetter) -> None:
        x, width = self.layout.text_column
        rows: list[tuple[str, str, str]] = [
            ("客户名称", "Customer", letter.customer_name),
            ("用户姓名", "User", mask_name(letter.user_name)),
            ("登录 ID", "Login ID", letter.login_id),
            ("用户号", "User No.", letter.user_no),
        ]
        if letter.kind == "ukey_pin" and letter.token_serial:
            rows.append(("UKey 序列号", "UKey serial", letter.token_serial))
        rows.append(("有效期至", "Valid until", when(letter.expires_at) if letter.expires_at else "以银行系统为准 as set by the bank"))
        top = HEADER_BAND + 5
        value_x = x + 26
        for n, (zh, en, value) in enumerate(rows):
            y = top + n * ROW_PITCH
            self.text(x, y, zh, 8.5, color=MUTED)
            self.text(x, y + 3, en, 6, color=MUTED)
            size = _fitting_size(value, (width - 26) * mm, 13 if zh == "登录 ID" else 11, 7)
            if zh == "登录 ID":
                draw_bold_string(self.canvas, self.x(value_x), self.y(y + 0.5), value, size, color=INK)
            else:
                self.text(value_x, y + 0.5, value, size)
        zh_notice, en_notice = CHANGE_NOTICES[letter.kind]
        y = top + len(rows) * ROW_PITCH + 1
        draw_bold_string(self.canvas, self.x(x), self.y(y), zh_notice, 11, color=WARN)
        self.text(x + string_width(zh_notice, 11) / mm + 3, y, en_notice, 8.5, color=WARN)

    def secret(self, kind: LetterKind, secret: Secret) -> None:
        """The label and the secret, centred in the sealed area; the secret revealed only for the drawing call."""
        x, y, w, h = self.layout.sealed_area
        self.text(x + w / 2, y + min(7.0, h / 4), SECRET_LABELS[kind], 8, color=MUTED, align="centre")
        canvas = self.canvas
        canvas.saveState()
        canvas.setFillColor(INK)
        value = secret.reveal()
        try:
            spacing = 1.5
            size = _fitting_size(value, (w - 8) * mm - spacing * len(value), 20, 9)
            width = string_width(value, size) + spacing * (len(value) - 1)
            text = canvas.beginText(self.x(x + w / 2) - width / 2, self.y(y + h / 2 + min(7.0, h / 4) / 2) - size * 0.35)
            text.setFont(self.font, size)
            text.setCharSpace(spacing)
            text.textOut(value)
            canvas.drawText(text)
        finally:
            del value
        canvas.restoreState()

    def sealed_frame(self, *, dashed: bool, caption: bool = False) -> None:
        x, y, w, h = self.layout.sealed_area
        canvas = self.canvas
        canvas.saveState()
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.8)
        if dashed:
            canvas.setDash(3, 2)
        canvas.rect(self.x(x), self.y(y + h), w * mm, h * mm, stroke=1, fill=0)
        canvas.restoreState()
        if caption:
            self.ground(x + 2, y + h - 6.5, w - 4, 5)
            self.text(x + w / 2, y + h - 3, f"密封区 Sealed area: x {x:g}, y {y:g}, {w:g} × {h:g} mm", 7, color=ACCENT, align="centre")

    def wording(self, letter: PasswordLetter) -> None:
        zh, en = WORDING[letter.kind]
        width = (self.layout.page_width_mm - 2 * MARGIN) * mm
        body = ParagraphStyle("wording", fontName=self.font, fontSize=7.5, leading=10, textColor=INK, wordWrap="CJK")
        english = ParagraphStyle("wording-en", parent=body, fontSize=6.5, leading=8.2, textColor=MUTED, wordWrap=None)
        bottom = self.height - 11
        y = self.y(bottom)
        for paragraph in (Paragraph(en, english), Paragraph(zh, body)):
            _, used = paragraph.wrapOn(self.canvas, width, 40 * mm)
            paragraph.drawOn(self.canvas, self.x(MARGIN), y)
            y += used + 1.5
        self.canvas.setStrokeColor(RULE)
        self.canvas.setLineWidth(0.5)
        self.canvas.line(self.x(MARGIN), y + 2, self.x(self.layout.page_width_mm - MARGIN), y + 2)
        footer = f"经办网点 Branch：{letter.branch_name}　·　本函由系统打印，无需盖章 Printed by the bank's system, no stamp needed"
        self.text(MARGIN, self.height - 6, footer, 6.5, color=MUTED)

    # the calibration page

    def calibration_grid(self) -> None:
        canvas = self.canvas
        width, height = self.layout.page_width_mm, self.layout.page_height_mm
        canvas.saveState()
        for step in range(0, int(max(width, height)) + 1, 5):
            major = step % 10 == 0
            canvas.setStrokeColor(RULE if major else colors.HexColor("#C9CED6"))
            canvas.setLineWidth(0.4 if major else 0.2)
            if step <= width:
                canvas.line(self.x(step), self.y(0), self.x(step), self.y(height))
            if step <= height:
                canvas.line(self.x(0), self.y(step), self.x(width), self.y(step))
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.8)
        canvas.line(self.x(10), self.y(0), self.x(10), self.y(height))  # the reference lines the instructions measure
        canvas.line(self.x(0), self.y(10), self.x(width), self.y(10))
        canvas.setStrokeColor(colors.black)
        canvas.rect(self.x(0), self.y(height), width * mm, height * mm, stroke=1, fill=0)
        canvas.restoreState()
        for step in range(10, int(width), 10):
            self.text(step + 0.6, 3.2, str(step), 6, color=ACCENT)
        for step in range(10, int(height), 10):
            self.text(0.8, step - 0.6, str(step), 6, color=ACCENT)

    def calibration_note(self) -> None:
        layout = self.layout
        x, width = layout.text_column
        x, width, top = x + 2, min(width - 4, 115), HEADER_BAND + 4
        canvas = self.canvas
        canvas.saveState()
        canvas.setFillColor(colors.white)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.6)
        canvas.rect(self.x(x), self.y(top + 47), width * mm, 47 * mm, stroke=1, fill=1)
        canvas.restoreState()
        draw_bold_string(self.canvas, self.x(x + 3), self.y(top + 6), "信函打印校准页 Letter calibration page", 10, color=ACCENT)
        lines = [
            f"纸张 Form {layout.page_width_mm:g} × {layout.page_height_mm:g} mm；当前偏移 offsets now: "
            f"x {layout.offset_x_mm:+g} mm, y {layout.offset_y_mm:+g} mm",
            "1. 在信函纸上打印本页，量出 10 毫米刻度线到纸张左边的实际距离 dx、到上边的距离 dy。",
            "   Print this page on the mailer stock; measure dx, dy from the paper's left and top edges to the 10 mm lines.",
            "2. 设置 offset_x_mm = 当前值 + 10 − dx，offset_y_mm = 当前值 + 10 − dy，再打印本页核对。",
            "   Set offset_x_mm = now + 10 − dx and offset_y_mm = now + 10 − dy, then print again to check.",
            "3. 虚线框须与信封上的密封区重合。The dashed frame must match the mailer's sealed area.",
        ]
        for n, line in enumerate(lines):
            self.text(
                x + 3,
                top + 12 + n * 5.4,
                line,
                7 if not line.startswith("   ") else 6.3,
                color=INK if not line.startswith("   ") else MUTED,
            )


def _fitting_size(text: str, width: float, largest: float, smallest: float) -> float:
    """The largest font size from ``largest`` down to ``smallest`` at which ``text`` fits ``width`` points."""
    size = largest
    while size > smallest and string_width(text, size) > width:
        size -= 0.5
    return size
