"""The printable A4 e-form (issue 5, part 2): embedded font, readable content, barcodes that decode, shipped samples up to date."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
import zxingcpp

from teller_client.cli import main
from teller_client.documents.barcodes import PDF417_MAX_CHARS, pdf417_symbol, qr_symbol, symbol_for
from teller_client.documents.eform_form import render_eform_pdf, write_eform_pdf
from teller_client.documents.fonts import FontMissingError, register_font
from teller_client.eform import make_symbols
from teller_client.eform.keys import training_private_key
from teller_client.errors import TellerError
from teller_client.resources import resource_path
from tests.support.documents import OWN_BASIC, account, valid_document

SAMPLES = resource_path("samples")
NAMES = ("eform-small", "eform-large-group")
TRAINING_KEY = str(resource_path("keys", "eform-training-ed25519.pem"))


def sample(name: str) -> tuple[dict[str, Any], list[str]]:
    document = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return document, (SAMPLES / f"{name}.txt").read_text(encoding="ascii").splitlines()


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    """Each sample rendered now, as the training form it is."""
    return {name: render_eform_pdf(*sample(name), training=True) for name in NAMES}


def poppler(tool: str, data: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(data)
    out = [] if tool == "pdffonts" else ["-"]
    result = subprocess.run([tool, *args, str(path), *out], capture_output=True, text=True, encoding="utf-8", timeout=60, check=True)
    return result.stdout


def page_count(data: bytes) -> int:
    return len(pdfium.PdfDocument(data))


def decoded(data: bytes) -> list[zxingcpp.Barcode]:
    """Every barcode zxing-cpp finds on the pages rendered at 200 dpi on white."""
    found: list[zxingcpp.Barcode] = []
    for page in pdfium.PdfDocument(data):
        image = page.render(scale=200 / 72, fill_color=(255, 255, 255, 255)).to_pil().convert("L")
        found += zxingcpp.read_barcodes(image)
    return found


# --- the shipped samples ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_shipped_sample_pdf_is_what_the_generator_makes_now(name: str, pdfs: dict[str, bytes]) -> None:
    shipped = (SAMPLES / f"{name}.pdf").read_bytes()
    assert shipped == pdfs[name], f"resources/samples/{name}.pdf is out of date: run .venv/bin/python resources/samples/make_pdfs.py"


def test_output_is_deterministic(pdfs: dict[str, bytes]) -> None:
    assert render_eform_pdf(*sample("eform-small"), training=True) == pdfs["eform-small"]


def test_sample_page_counts(pdfs: dict[str, bytes]) -> None:
    assert page_count(pdfs["eform-small"]) == 2  # barcodes on page 1, signatures on page 2
    assert page_count(pdfs["eform-large-group"]) == 4  # long tables break; the 8 barcodes get their own page


@pytest.mark.parametrize("name", NAMES)
def test_every_font_is_embedded(name: str, pdfs: dict[str, bytes], tmp_path: Path) -> None:
    lines = poppler("pdffonts", pdfs[name], tmp_path).splitlines()[2:]
    assert lines, "no fonts listed"
    for line in lines:
        assert line.split()[-5] == "yes", line  # columns: ... emb sub uni object ID
    assert not any("Helvetica" in line for line in lines)


def test_large_sample_text_is_readable(pdfs: dict[str, bytes], tmp_path: Path) -> None:
    document, _ = sample("eform-large-group")
    text = poppler("pdftotext", pdfs["eform-large-group"], tmp_path)
    assert "对公电子渠道一站式签约申请表" in text
    assert document["form_id"] in text
    assert document["customer"]["name"] in text
    assert document["customer"]["uscc"] in text
    assert document["customer"]["group_uscc"] in text
    for item in document["accounts"]:
        assert item["number"] in text
    for user in document["users"]:
        assert user["name"] in text and user["id_number"] in text  # the customer's own form: nothing masked
    for words in ("客户签章", "法定代表人或授权经办人签字", "日期", "条码 1/8", "条码 8/8", "虚拟客户（集团）", "现金管理资金池高级版"):
        assert words in text
    assert "第 4 页" in text  # page 1 says where the barcode page is, and every footer counts the pages


@pytest.mark.parametrize("name", NAMES)
def test_every_barcode_decodes_from_a_200_dpi_render(name: str, pdfs: dict[str, bytes]) -> None:
    _, symbols = sample(name)
    found = decoded(pdfs[name])
    assert sorted(b.text for b in found) == sorted(symbols)
    assert {b.format for b in found} == {zxingcpp.BarcodeFormat.QRCode}  # parts of about 700 characters: QR


def test_small_form_has_its_barcodes_on_page_one(pdfs: dict[str, bytes]) -> None:
    first = pdfium.PdfDocument(pdfs["eform-small"])[0]
    image = first.render(scale=200 / 72, fill_color=(255, 255, 255, 255)).to_pil()
    assert len(zxingcpp.read_barcodes(image)) == 2


# --- barcode types -----------------------------------------------------------------------------------------


def training_symbols(max_part_chars: int) -> list[str]:
    return make_symbols(valid_document(), training_private_key(), "TRAINING", max_part_chars)


@pytest.mark.parametrize("training", [False, True])
def test_short_parts_are_pdf417_and_decode_at_every_row_phase(training: bool) -> None:
    """zxing-cpp's PDF417 locator samples every 8th row and gives up on a page when a text line is the first
    thing it takes for a start pattern: the PDF417 pages keep text away, so every phase decodes."""
    symbols = training_symbols(400)
    assert len(symbols) > 2 and all(symbol_for(s).kind == "pdf417" for s in symbols)
    data = render_eform_pdf(valid_document(), symbols, training=training)
    found = decoded(data)
    assert sorted(b.text for b in found) == sorted(symbols)
    assert {b.format for b in found} == {zxingcpp.BarcodeFormat.PDF417}
    pages = [page.render(scale=200 / 72, fill_color=(255, 255, 255, 255)).to_pil().convert("L") for page in pdfium.PdfDocument(data)]
    for shift in range(1, 8):
        texts = [b.text for image in pages for b in zxingcpp.read_barcodes(image.crop((0, shift, image.width, image.height)))]
        assert sorted(texts) == sorted(symbols), f"rows shifted by {shift}"


def test_parts_too_long_for_pdf417_become_qr_codes_that_decode() -> None:
    symbols = training_symbols(1500)
    assert max(len(s) for s in symbols) > 1000
    assert all(symbol_for(s).kind == "qr" for s in symbols)
    found = decoded(render_eform_pdf(valid_document(), symbols, training=False))
    assert sorted(b.text for b in found) == sorted(symbols)
    assert {b.format for b in found} == {zxingcpp.BarcodeFormat.QRCode}


def test_type_threshold() -> None:
    assert symbol_for("A" * PDF417_MAX_CHARS).kind == "pdf417"
    assert symbol_for("A" * (PDF417_MAX_CHARS + 1)).kind == "qr"
    narrow = pdf417_symbol("EF1:" + "A2" * 250)
    assert narrow.module_height == 3 * narrow.module_width and narrow.width < 70 * 72 / 25.4  # at most 8 data columns
    with pytest.raises(TellerError) as too_long:
        pdf417_symbol("A" * 3000)
    assert too_long.value.code == "barcode_too_large"
    with pytest.raises(TellerError):
        qr_symbol("A" * 5000)


# --- watermark, layout ------------------------------------------------------------------------------------


def test_watermark_only_in_training(tmp_path: Path) -> None:
    document, symbols = sample("eform-small")
    training = poppler("pdftotext", render_eform_pdf(document, symbols, training=True), tmp_path, "-raw")
    real = poppler("pdftotext", render_eform_pdf(document, symbols, training=False), tmp_path, "-raw")
    assert training.count("TRAINING") >= 2 * 3  # three on each of the two pages
    assert "培训" in training
    assert "TRAINING" not in real and "培训" not in real
    assert document["customer"]["name"] in real


def test_long_tables_break_across_pages_with_their_header_repeated(tmp_path: Path) -> None:
    document = valid_document()
    numbers = [f"62220210010009{n:05d}" for n in range(90)]
    document["accounts"] = [account(n) for n in numbers]
    document["users"][1]["accounts"] = numbers  # one operator row taller than a page
    data = render_eform_pdf(document, training_symbols(800), training=False)
    text = poppler("pdftotext", data, tmp_path)
    assert all(n in text for n in numbers)
    assert page_count(data) >= 5
    assert text.count("开户行行号") >= 2  # the accounts table's header on each of its pages


def test_missing_or_odd_fields_print_as_a_dash(tmp_path: Path) -> None:
    document = valid_document()
    del document["customer"]["contact"]
    document["accounts"][0]["relation"] = "something_new"
    document["users"][0]["limits"] = None
    text = poppler("pdftotext", render_eform_pdf(document, [], training=False), tmp_path)
    assert "something_new" in text and "—" in text and OWN_BASIC in text


def test_missing_font_is_a_teller_error(tmp_path: Path) -> None:
    with pytest.raises(FontMissingError) as missing:
        register_font(tmp_path / "nowhere.ttc")
    assert missing.value.code == "font_missing" and "字体" in missing.value.message_zh
    broken = tmp_path / "broken.ttc"
    broken.write_bytes(b"not a font")
    with pytest.raises(FontMissingError):
        register_font(broken, name="BrokenFontForTest")


def test_write_to_an_unwritable_path_is_a_teller_error(tmp_path: Path) -> None:
    document, symbols = sample("eform-small")
    with pytest.raises(TellerError) as refused:
        write_eform_pdf(tmp_path / "no" / "such" / "dir.pdf", document, symbols, training=True)
    assert refused.value.code == "output_unwritable"


# --- the command ------------------------------------------------------------------------------------------


def test_generate_pdf_writes_the_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "form.pdf"
    args = ["eform", "generate", "--key", TRAINING_KEY, "--kid", "TRAINING", "--pdf", str(out), str(SAMPLES / "eform-large-group.json")]
    assert main(args) == 0
    assert capsys.readouterr().out == (SAMPLES / "eform-large-group.txt").read_text(encoding="ascii")
    assert out.read_bytes() == (SAMPLES / "eform-large-group.pdf").read_bytes()  # training key: watermarked like the sample
