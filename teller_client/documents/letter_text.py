"""The password letter as ESC/P text, for dot-matrix mailer printers (the same letter as the PDF, in characters).

The form is a grid of characters: 10 per inch across (2.54 mm a column; a Chinese character takes two) and one
line every 30/180 inch (4.23 mm) down, the ESC/P defaults :func:`drivers.printing.escp_document` sets. Every item
is placed at the column and line nearest to where the PDF letter puts it (:class:`LetterLayout`, offsets
included), the secret inside the sealed area. The secret never becomes a Python string here: the lines carry a
placeholder of the secret's length, and the placeholder's bytes in the encoded job are overwritten in place
from the secret's own buffer (a password or PIN is ASCII, the same bytes in GB18030).
"""

from __future__ import annotations

import unicodedata

from drivers.printing import PrintJob, escp_document
from teller_client.documents.letters import TITLES, LetterLayout, PasswordLetter
from teller_client.logs import mask_name
from teller_client.secret import Secret

COLUMN_MM = 25.4 / 10
LINE_MM = 25.4 * 30 / 180
PLACEHOLDER = "#"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


class _Grid:
    def __init__(self, layout: LetterLayout) -> None:
        self.layout = layout
        self.lines: dict[int, list[tuple[int, str]]] = {}

    def put(self, x_mm: float, y_mm: float, text: str) -> None:
        column = max(0, round((x_mm + self.layout.offset_x_mm) / COLUMN_MM))
        line = max(0, round((y_mm + self.layout.offset_y_mm) / LINE_MM))
        self.lines.setdefault(line, []).append((column, text))

    def render(self) -> list[str]:
        out = []
        for number in range(max(self.lines, default=0) + 1):
            row = ""
            for column, text in sorted(self.lines.get(number, [])):
                row += " " * max(1 if row else 0, column - _width(row)) + text
            out.append(row.rstrip())
        return out


def letter_escp_job(letter: PasswordLetter, secret: Secret, layout: LetterLayout) -> PrintJob:
    """The letter as an ESC/P job; wipe the job's data after printing (it holds the secret)."""
    grid = _Grid(layout)
    zh_title, en_title = TITLES[letter.kind]
    grid.put(12, 10, f"{letter.bank_name}  {zh_title}")
    grid.put(12, 15, en_title + ("   培训专用 TRAINING ONLY" if letter.training else ""))
    grid.put(layout.page_width_mm - 70, 10, f"信函编号 No. {letter.letter_serial}")
    rows = [
        ("客户名称 Customer", letter.customer_name),
        ("用户姓名 User", mask_name(letter.user_name)),
        ("登录 ID Login ID", letter.login_id),
        ("用户号 User no.", letter.user_no),
    ]
    if letter.token_serial:
        rows.append(("UKey 序列号 UKey serial", letter.token_serial))
    if letter.expires_at is not None:
        rows.append(("有效期至 Valid until", f"{letter.expires_at:%Y-%m-%d %H:%M}"))
    for index, (label, value) in enumerate(rows):
        grid.put(12, 34 + index * 8.5, f"{label}：{value}")
    x, y, _, _ = layout.sealed_area
    grid.put(x + 4, y + 4, "初始密码 Initial password" if letter.kind == "password" else "UKey 初始 PIN")
    grid.put(x + 4, y + 16, PLACEHOLDER * len(secret))
    notice = (
        "首次登录须修改密码 Change the password at first login"
        if letter.kind == "password"
        else "请立即修改 UKey 密码 Change the PIN at once"
    )
    grid.put(12, layout.page_height_mm - 24, notice)
    grid.put(12, layout.page_height_mm - 16, f"{letter.branch_name}  本函由系统打印，无需盖章 Printed by the bank's system")
    lines = grid.render()
    data = escp_document(lines)
    marker = (PLACEHOLDER * len(secret)).encode("ascii")
    start = data.find(marker)
    if start < 0 or data.find(marker, start + 1) >= 0:
        raise ValueError("the secret's place on the letter is not unique")
    lent = secret.lend()
    try:
        data[start : start + len(lent)] = lent
    finally:
        lent[:] = bytes(len(lent))
    return PrintJob(data, title=f"{zh_title} {letter.letter_serial}", content_type="application/vnd.escp")
