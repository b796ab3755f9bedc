"""Password letters, the calibration page and Code 128 (issue 7, documents): embedded font, content, the secret where the layout says,
serial barcodes that decode, deterministic output, layout settings checked."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from reportlab.lib.units import mm

from teller_client.documents.code128 import MODULE, QUIET_MODULES, Code128Error, code128, code128_pattern
from teller_client.documents.letters import (
    DUMMY_SECRET,
    LetterLayout,
    PasswordLetter,
    render_calibration_page,
    render_password_letter,
    sample_letter,
)
from teller_client.secret import Secret
from tests.unit.test_eform_pdf import poppler

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdffonts", "pdftotext", "pdftoppm")),
    reason="poppler-utils (pdffonts, pdftotext, pdftoppm) is not installed",
)
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
OTHER_SECRET = "Zq7@Other"


def letter_pdf(letter: PasswordLetter | None = None, secret: str = DUMMY_SECRET, layout: LetterLayout | None = None) -> bytes:
    with Secret(secret) as held:
        return bytes(render_password_letter(letter or sample_letter(), held, layout or LetterLayout()))


def words(data: bytes, tmp_path: Path) -> dict[str, tuple[float, float, float, float]]:
    """Each word pdftotext finds, with its box in points from the page's top left (the last one of a repeated word)."""
    found = WORD.findall(poppler("pdftotext", data, tmp_path, "-bbox"))
    return {text: (float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1, text in found}


def barcodes_at_300_dpi(data: bytes, tmp_path: Path) -> list[zxingcpp.Barcode]:
    (tmp_path / "doc.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(tmp_path / "doc.pdf"), str(tmp_path / "page")], check=True, timeout=60)
    return [barcode for page in sorted(tmp_path.glob("page*.png")) for barcode in zxingcpp.read_barcodes(Image.open(page))]


# --- the letter ---------------------------------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("kind", ["letter", "ukey_pin_letter", "calibration"])
def test_the_chinese_font_is_embedded_and_no_other_font_is_used(kind: str, tmp_path: Path) -> None:
    data = {
        "letter": lambda: letter_pdf(),
        "ukey_pin_letter": lambda: letter_pdf(sample_letter("ukey_pin")),
        "calibration": lambda: render_calibration_page(LetterLayout()),
    }[kind]()
    lines = poppler("pdffonts", data, tmp_path).splitlines()[2:]
    assert lines and all("WenQuanYiMicroHei" in line and line.split()[-5] == "yes" for line in lines), lines


@needs_poppler
def test_letter_says_what_the_customer_needs_and_masks_the_user_name(tmp_path: Path) -> None:
    letter = sample_letter()
    text = " ".join(poppler("pdftotext", letter_pdf(letter), tmp_path, "-layout").split())  # wrapped lines joined
    for expected in (letter.customer_name, letter.login_id, letter.user_no, letter.letter_serial, letter.bank_name, letter.branch_name,
                     "2026-11-30 23:59", "首次登录须修改密码", "Change the password at first login", "初始登录密码", "尊敬的客户",
                     "Bank staff never ask for your password", DUMMY_SECRET, "赵*"):  # fmt: skip
        assert expected in text, expected
    assert letter.user_name not in text  # the full name is never printed


@needs_poppler
def test_ukey_pin_letter_names_the_token_and_asks_for_a_pin_change(tmp_path: Path) -> None:
    letter = sample_letter("ukey_pin")
    text = poppler("pdftotext", letter_pdf(letter), tmp_path, "-layout")
    assert "请立即修改 UKey 密码" in text and "UKey 初始 PIN 码" in text
    assert letter.token_serial and letter.token_serial in text
    assert "首次登录须修改密码" not in text


@needs_poppler
def test_the_secret_is_inside_the_sealed_area_and_moves_by_exactly_the_offsets(tmp_path: Path) -> None:
    still, shifted = LetterLayout(), LetterLayout(offset_x_mm=3.5, offset_y_mm=-2.0)
    boxes = {}
    for layout in (still, shifted):
        box = words(letter_pdf(layout=layout), tmp_path)[DUMMY_SECRET]
        x, y, w, h = (value * mm for value in layout.sealed_area_printed)
        assert x <= box[0] and box[2] <= x + w and y <= box[1] and box[3] <= y + h, (box, layout.sealed_area_printed)
        boxes[layout] = box
    dx, dy = 3.5 * mm, -2.0 * mm
    moved = [b - a for a, b in zip(boxes[still], boxes[shifted], strict=True)]
    assert moved == pytest.approx([dx, dy, dx, dy], abs=0.01)


@needs_poppler
def test_a_sealed_area_elsewhere_holds_the_secret_and_nothing_else(tmp_path: Path) -> None:
    layout = LetterLayout(sealed_x_mm=12, sealed_y_mm=40, sealed_width_mm=70, sealed_height_mm=30)  # text column moves to the right
    found = words(letter_pdf(sample_letter(training=False), layout=layout), tmp_path)  # no watermark crossing the area
    x, y, w, h = (value * mm for value in layout.sealed_area_printed)
    inside = {text for text, (x0, y0, x1, y1) in found.items() if x0 < x + w and x1 > x and y0 < y + h and y1 > y}
    assert DUMMY_SECRET in inside
    assert inside <= {DUMMY_SECRET, "初始登录密码", "Initial", "login", "password"}, inside


@needs_poppler
def test_the_serial_barcode_decodes_at_300_dpi(tmp_path: Path) -> None:
    letter = replace(sample_letter(), letter_serial="LT00004711")
    found = barcodes_at_300_dpi(letter_pdf(letter, layout=LetterLayout(offset_x_mm=-4, offset_y_mm=3)), tmp_path)
    assert [(b.text, b.format) for b in found] == [("LT00004711", zxingcpp.BarcodeFormat.Code128)]


def test_same_letter_gives_the_same_bytes_and_a_bytearray_to_wipe() -> None:
    with Secret(DUMMY_SECRET) as secret:
        first = render_password_letter(sample_letter(), secret, LetterLayout())
        assert isinstance(first, bytearray) and first.startswith(b"%PDF")
        assert render_password_letter(sample_letter(), secret, LetterLayout()) == first
        assert not secret.wiped  # the caller owns the secret and wipes it
    assert DUMMY_SECRET.encode() not in first  # the page content is compressed, not plain text
    first[:] = bytes(len(first))
    assert not any(first)


def test_the_font_subset_does_not_depend_on_the_secret() -> None:
    """Every printable ASCII glyph is embedded whatever the secret: only the page's content stream differs."""
    streams = [re.findall(rb"stream\r?\n(.*?)endstream", letter_pdf(secret=s), re.S) for s in (DUMMY_SECRET, OTHER_SECRET)]
    assert len(streams[0]) == len(streams[1])
    assert sum(a != b for a, b in zip(*streams, strict=True)) == 1


@needs_poppler
def test_the_training_watermark_only_on_training_letters(tmp_path: Path) -> None:
    training = poppler("pdftotext", letter_pdf(sample_letter(training=True)), tmp_path, "-raw")
    real = poppler("pdftotext", letter_pdf(sample_letter(training=False)), tmp_path, "-raw")
    assert "TRAINING" in training and "培训专用" in training
    assert "TRAINING" not in real and "培训" not in real


def test_a_letter_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        replace(sample_letter(), kind="sms")  # type: ignore[arg-type]


# --- the calibration page -------------------------------------------------------------------------------------


@needs_poppler
def test_calibration_page_shows_the_grid_the_frame_and_the_serial_shifted_by_the_offsets(tmp_path: Path) -> None:
    still, shifted = LetterLayout(), LetterLayout(offset_x_mm=-4.0, offset_y_mm=2.5, page_height_mm=152.0)
    text = poppler("pdftotext", render_calibration_page(shifted), tmp_path, "-layout")
    for expected in ("信函打印校准页", "密封区", "x -4 mm, y +2.5 mm", "241 × 152 mm", "offset_x_mm", "150", "230", "LT00000031"):
        assert expected in text, expected
    first, second = (words(render_calibration_page(layout), tmp_path)["密封区"] for layout in (still, shifted))
    assert second[0] - first[0] == pytest.approx(-4.0 * mm, abs=0.01)
    assert second[1] - first[1] == pytest.approx(2.5 * mm, abs=0.01)
    found = barcodes_at_300_dpi(render_calibration_page(shifted), tmp_path)
    assert [b.text for b in found] == [sample_letter().letter_serial]
    assert render_calibration_page(shifted) == render_calibration_page(shifted)


# --- layout settings ---------------------------------------------------------------------------------------------


def test_layout_from_settings_reads_numbers_and_numeric_text() -> None:
    layout = LetterLayout.from_settings({"page_width_mm": "241", "page_height_mm": 152, "offset_x_mm": -1.5, "offset_y_mm": " 0.5 ",
                                         "frame_sealed_area": "true"})  # fmt: skip
    assert (layout.page_width_mm, layout.page_height_mm, layout.offset_x_mm, layout.offset_y_mm) == (241.0, 152.0, -1.5, 0.5)
    assert layout.frame_sealed_area is True
    assert LetterLayout.from_settings({}) == LetterLayout()
    assert layout.sealed_area_printed == (136.5, 34.5, 90.0, 40.0)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"page_width_mm": "wide"}, "page_width_mm: 须为数字"),
        ({"page_width_mm": float("nan")}, "page_width_mm: 须为有限的数字"),
        ({"offset_x_mm": True}, "offset_x_mm: 须为有限的数字"),
        ({"offset_y_mm": None}, "offset_y_mm: 须为有限的数字"),
        ({"page_width_mm": 150}, "page size out of range"),
        ({"page_height_mm": 500}, "page size out of range"),
        ({"offset_x_mm": -25}, "offset_x_mm: 偏移 -25 毫米超过 ±20"),
        ({"sealed_width_mm": 20}, "the sealed area must be at least 40 × 18 mm"),
        ({"sealed_x_mm": 160}, "the sealed area must lie on the page"),
        ({"sealed_y_mm": 10}, "below the header band"),
        ({"sealed_y_mm": 80}, "above the wording band"),
        ({"sealed_x_mm": 60}, "must leave 90 mm beside it"),
        ({"frame_sealed_area": "maybe"}, "frame_sealed_area: 须为 true 或 false"),
        ({"page_widht_mm": 241}, "page_widht_mm: 未知的信函版式设置 unknown letter layout setting"),
    ],
)
def test_bad_layout_settings_are_refused_with_the_key_named(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        LetterLayout.from_settings(values)


# --- Code 128 ------------------------------------------------------------------------------------------------------


def test_code128_pattern_and_size() -> None:
    pattern = code128_pattern("LT00000031")
    assert set(pattern) == {"0", "1"} and pattern.startswith("11010010000")  # start code B
    assert pattern.endswith("1100011101011")  # stop pattern and final bar
    assert (len(pattern) - 13) % 11 == 0
    symbol = code128("LT00000031")
    assert symbol.module_width == MODULE and 0.25 * mm <= MODULE <= 0.33 * mm
    assert symbol.width == pytest.approx((len(pattern) + 2 * QUIET_MODULES) * MODULE)


@pytest.mark.parametrize("text", ["", "信函编号", "A" * 49, "LT\n01"])
def test_code128_refuses_text_it_cannot_carry(text: str) -> None:
    with pytest.raises(Code128Error) as refused:
        code128_pattern(text)
    assert refused.value.code == "barcode_text" and "Code 128" in refused.value.message_zh
