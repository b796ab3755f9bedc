"""Barcodes read from scanned images, phone photos and PDF files (issue 5: scan from image, business-licence QR)."""

from __future__ import annotations

import io
import json
import random
import shutil
import struct
import subprocess
import threading
from datetime import datetime
from pathlib import Path

import pdf417gen
import pytest
import zxingcpp
from PIL import Image, ImageFilter
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from teller_client.domain.licence import uscc_from_licence_text
from teller_client.eform import EformError, TrustedKeys, decode_symbols
from teller_client.eform.images import (
    MAX_PAGES,
    MAX_ROTATIONS,
    BarcodeImageError,
    prepare_image,
    read_barcodes_from_file,
    read_barcodes_from_image,
)
from teller_client.eform.symbols import make_symbol
from teller_client.errors import CancelledError, TellerError
from teller_client.resources import resource_path

SAMPLES = resource_path("samples")
NOW = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
"""Before the samples' expiry."""
A4_200DPI = (1654, 2339)

rng = random.Random(20261123)


def ef1_parts(form_id: str, total: int, chars: int = 300) -> list[str]:
    """Symbol texts of the EF1 shape (CRC right; the payload is not a real form)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return [make_symbol(form_id, i, total, "".join(rng.choice(alphabet) for _ in range(chars))) for i in range(1, total + 1)]


def pdf417(text: str, scale: int = 2) -> Image.Image:
    """A PDF417 symbol as a scanner at about 200 dpi sees 0.25 mm modules."""
    return pdf417gen.render_image(pdf417gen.encode(text, columns=8, security_level=5), scale=scale, ratio=3, padding=8).convert("L")


def qr(text: str, scale: int = 4) -> Image.Image:
    return Image.fromarray(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M").to_image(scale=scale))


def page(rows: list[list[Image.Image]], size: tuple[int, int] = A4_200DPI) -> Image.Image:
    """A white page with the symbols laid out in rows from the top left."""
    canvas = Image.new("L", size, 255)
    y = 120
    for row in rows:
        x = 120
        for symbol in row:
            canvas.paste(symbol, (x, y))
            x += symbol.width + 80
        y += max(s.height for s in row) + 80
    return canvas


def rotated(image: Image.Image, degrees: float) -> Image.Image:
    return image.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def save(image: Image.Image, path: Path, **kw: object) -> Path:
    image.save(path, **kw)
    return path


def refused(code: str, path: Path) -> BarcodeImageError:
    with pytest.raises(BarcodeImageError) as info:
        read_barcodes_from_file(path)
    error = info.value
    assert error.code == code, error
    assert isinstance(error, TellerError) and error.name == path.name
    assert path.name in error.message_en and path.name in error.message_zh
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message_zh)
    assert error.message_en.isascii()
    return error


class CountingEvent(threading.Event):
    """A cancel event that counts the checks and reports "set" from check number ``after`` + 1 on."""

    def __init__(self, after: int = 10**9) -> None:
        super().__init__()
        self.after = after
        self.checks = 0

    def is_set(self) -> bool:
        self.checks += 1
        return self.checks > self.after


# --- pictures ---------------------------------------------------------------------------------------------


def test_one_qr_and_one_pdf417() -> None:
    assert read_barcodes_from_image(page([[qr("HELLO COUNTER")]])) == ["HELLO COUNTER"]
    [part] = ef1_parts("F1", 1)
    assert read_barcodes_from_image(page([[pdf417(part)]])) == [part]


def test_several_symbols_in_reading_order_once_each() -> None:
    parts = ef1_parts("EF20261122000001", 4, chars=200)
    image = page([[pdf417(parts[2]), pdf417(parts[0])], [qr(parts[3]), pdf417(parts[1])], [qr(parts[3])]])
    assert read_barcodes_from_image(image) == [parts[2], parts[0], parts[3], parts[1]]


def test_a_blank_picture_holds_nothing() -> None:
    assert read_barcodes_from_image(Image.new("L", (400, 300), 255)) == []
    assert read_barcodes_from_image(Image.new("RGB", (1, 1), "white")) == []


def test_png_transparent_background_is_put_on_white() -> None:
    symbol = qr("TRANSPARENT", scale=6)
    clear = Image.new("RGBA", symbol.size, (0, 0, 0, 0))  # transparent black: read as is, the picture is all dark
    clear.paste((0, 0, 0, 255), mask=Image.eval(symbol, lambda v: 255 - v))
    assert read_barcodes_from_image(clear) == ["TRANSPARENT"]


def test_sixteen_bit_grey_scan() -> None:
    symbol = qr("SIXTEEN BIT", scale=5)
    wide = Image.eval(symbol, lambda v: v).convert("I").point(lambda v: v * 257)
    assert wide.getextrema() == (0, 65535)
    assert read_barcodes_from_image(wide) == ["SIXTEEN BIT"]


def test_pdf417_skewed_by_3_degrees_is_read_by_rotating_back() -> None:
    parts = ef1_parts("EF20261122000002", 3, chars=500)
    image = rotated(page([[pdf417(p)] for p in parts]), 3)
    straight = zxingcpp.read_barcodes(image, formats=zxingcpp.barcode_formats_from_str("PDF417"))
    assert len(straight) < 3, "the test needs a skew zxing-cpp does not read by itself"
    assert read_barcodes_from_image(image) == parts


@pytest.mark.parametrize("degrees", [-3.0, 2.0, 5.0, -8.0, 10.0])
def test_every_symbol_of_a_skewed_page_is_read(degrees: float) -> None:
    parts = ef1_parts("EF20261122000003", 4, chars=150)
    image = rotated(page([[pdf417(parts[0]), pdf417(parts[1])], [pdf417(parts[2]), qr(parts[3])]]), degrees)
    assert sorted(read_barcodes_from_image(image)) == sorted(parts)  # zxing-cpp places a skewed PDF417 roughly


@pytest.mark.parametrize("degrees", [-4.0, 7.0])
def test_reading_order_is_the_upright_page_s(degrees: float) -> None:
    texts = [f"QR {n}" for n in range(6)]
    image = rotated(page([[qr(texts[0]), qr(texts[1]), qr(texts[2])], [qr(texts[3]), qr(texts[4])], [qr(texts[5])]]), degrees)
    assert read_barcodes_from_image(image) == texts


def test_a_form_with_parts_missing_gives_what_is_there() -> None:
    parts = ef1_parts("EF20261122000009", 3, chars=200)
    cancel = CountingEvent()
    assert read_barcodes_from_image(page([[pdf417(parts[0])], [pdf417(parts[2])]]), cancel=cancel) == [parts[0], parts[2]]
    assert cancel.checks <= 2 + 4  # the start, the straight attempt, small steps around the page's skew


def test_a_misread_part_is_passed_on_so_that_the_teller_hears_so(tmp_path: Path) -> None:
    good, other = ef1_parts("EF20261122000010", 2, chars=100)
    fields = other.split(":")
    fields[4] = "00000000" if fields[4] != "00000000" else "00000001"  # the check code no longer matches
    bad = ":".join(fields)
    path = save(page([[qr(good), qr(bad)]]), tmp_path / "misread.png")
    texts = read_barcodes_from_file(path)
    assert texts == [good, bad]
    with pytest.raises(EformError) as info:
        decode_symbols(texts, trusted=TrustedKeys(training=True), now=NOW)
    assert info.value.code == "crc_mismatch" and info.value.part == 2


def test_phone_photo_jpeg(tmp_path: Path) -> None:
    parts = ef1_parts("EF20261122000004", 2, chars=400)
    sheet = page([[pdf417(parts[0], scale=3)], [qr(parts[1], scale=6)]])
    photo = sheet.resize((int(sheet.width * 0.9), int(sheet.height * 0.9)), Image.Resampling.BILINEAR)
    photo = rotated(photo, -2).filter(ImageFilter.GaussianBlur(0.8))
    noise = Image.effect_noise(photo.size, 24)
    photo = Image.blend(photo, noise, 0.12).convert("RGB")
    path = save(photo, tmp_path / "IMG_0001.jpg", quality=75)
    assert read_barcodes_from_file(path) == parts


def test_exif_orientation_of_a_phone_photo(tmp_path: Path) -> None:
    left, right = ef1_parts("EF20261122000005", 2, chars=120)
    upright = page([[pdf417(left), pdf417(right)]], size=(1600, 900))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # the camera stores it sideways...
    exif = Image.Exif()
    exif[0x0112] = 6  # ...and says "turn me 90° clockwise to show"
    path = save(stored.convert("RGB"), tmp_path / "photo.jpg", exif=exif, quality=95)
    with Image.open(path) as image:
        assert prepare_image(image).width > prepare_image(image).height
    assert read_barcodes_from_file(path) == [left, right]  # side by side again, so left first


def test_multi_page_tiff(tmp_path: Path) -> None:
    first, second = ef1_parts("EF20261122000006", 2, chars=200)
    pages = [page([[pdf417(first)]]).convert("1"), page([[pdf417(second)]]).convert("1")]
    path = save(pages[0], tmp_path / "scan.tif", save_all=True, append_images=pages[1:], compression="group4", dpi=(200, 200))
    assert read_barcodes_from_file(path) == [first, second]


def test_bmp_and_licence_qr(tmp_path: Path) -> None:
    link = "http://www.gsxt.gov.cn/index.html?uniscid=91350200M000100Y48&entname=%E5%8E%A6"
    path = save(page([[qr(link)]], size=(800, 600)), tmp_path / "licence.bmp")
    [text] = read_barcodes_from_file(path)
    assert text == link and uscc_from_licence_text(text) == "91350200M000100Y48"


# --- PDF ------------------------------------------------------------------------------------------------


def pdf_with(pages: list[Image.Image], path: Path, **kw: object) -> Path:
    canvas = Canvas(str(path), pagesize=A4, **kw)
    for image in pages:
        canvas.drawImage(ImageReader(image.convert("RGB")), 0, 0, width=A4[0], height=A4[1])
        canvas.showPage()
    canvas.save()
    return path


def test_pdf_pages_in_order(tmp_path: Path) -> None:
    parts = ef1_parts("EF20261122000007", 3, chars=200)
    pages = [page([[pdf417(parts[0]), qr(parts[1])]]), page([[pdf417(parts[2])]]), Image.new("L", A4_200DPI, 255)]
    folder = tmp_path / "扫描件"  # PDFium's own file access fails on such paths on Windows
    folder.mkdir()
    assert read_barcodes_from_file(pdf_with(pages, folder / "申请表.pdf")) == parts


def test_pdf_password(tmp_path: Path) -> None:
    path = pdf_with([page([[qr("SECRET")]])], tmp_path / "locked.pdf", encrypt="secret")
    refused("pdf_password", path)


def test_pdf_damaged(tmp_path: Path) -> None:
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage")
    refused("pdf_damaged", tmp_path / "broken.pdf")


def test_pdf_too_many_pages(tmp_path: Path) -> None:
    canvas = Canvas(str(tmp_path / "long.pdf"), pagesize=A4)
    for _ in range(MAX_PAGES + 1):
        canvas.drawString(100, 100, "page")
        canvas.showPage()
    canvas.save()
    assert "21" in refused("too_many_pages", tmp_path / "long.pdf").message_en


# --- refusals ------------------------------------------------------------------------------------------------


def test_no_barcode(tmp_path: Path) -> None:
    error = refused("no_barcode", save(Image.new("RGB", (1240, 1754), "white"), tmp_path / "blank.png"))
    assert "300 dpi" in error.message_en and "300 dpi" in error.message_zh


def test_an_empty_image_and_an_empty_file(tmp_path: Path) -> None:
    refused("no_barcode", save(Image.new("L", (1, 1), 255), tmp_path / "dot.png"))
    (tmp_path / "empty.png").write_bytes(b"")
    refused("file_empty", tmp_path / "empty.png")


def test_a_text_file_renamed_png(tmp_path: Path) -> None:
    (tmp_path / "notes.png").write_text("这不是图片 not a picture\n" * 20, encoding="utf-8")
    refused("file_unsupported", tmp_path / "notes.png")


def test_formats_that_run_external_programs_are_not_opened(tmp_path: Path) -> None:
    (tmp_path / "form.eps").write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")
    refused("file_unsupported", tmp_path / "form.eps")


def test_a_missing_file_and_a_folder(tmp_path: Path) -> None:
    assert "does not exist" in refused("file_unreadable", tmp_path / "gone.png").message_en
    (tmp_path / "folder.png").mkdir()
    refused("file_unreadable", tmp_path / "folder.png")


def test_a_truncated_picture(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    page([[qr("TRUNCATED")]]).save(buffer, format="PNG")
    (tmp_path / "cut.png").write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    refused("image_damaged", tmp_path / "cut.png")


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_picture_too_large_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    width, height = 20_000, 7_000  # 140 megapixels, 8 bits a pixel: only the header is written
    header = struct.pack("<2sIHHI", b"BM", 54 + 1024 + width * height, 0, 0, 54 + 1024)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 0, width * height, 2835, 2835, 256, 0)
    (tmp_path / "huge.bmp").write_bytes(header + info + bytes(1024))
    refused("image_too_large", tmp_path / "huge.bmp")


# --- cancel and bounds ---------------------------------------------------------------------------------------


def test_cancel_before_start(tmp_path: Path) -> None:
    path = save(page([[qr("CANCELLED")]]), tmp_path / "scan.png")
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        read_barcodes_from_file(path, cancel=cancel)


def test_cancel_between_rotated_attempts() -> None:
    parts = ef1_parts("EF20261122000008", 2, chars=500)
    image = rotated(page([[pdf417(p)] for p in parts]), 3)
    cancel = CountingEvent(after=2)  # the start and the straight attempt pass; the first rotated one is stopped
    with pytest.raises(CancelledError):
        read_barcodes_from_image(image, cancel=cancel)
    assert cancel.checks == 3


def test_the_work_on_a_hopeless_file_is_bounded(tmp_path: Path) -> None:
    noise = Image.effect_noise((1200, 1600), 80).convert("L")
    pages = [noise] * 3
    path = save(pages[0], tmp_path / "noise.tif", save_all=True, append_images=pages[1:])
    cancel = CountingEvent()
    with pytest.raises(BarcodeImageError):
        read_barcodes_from_file(path, cancel=cancel)
    assert cancel.checks <= 1 + 3 + MAX_ROTATIONS


# --- the shipped sample forms (issue 5, "done when") ---------------------------------------------------------


def sample_pdf(name: str) -> Path:
    path = SAMPLES / f"{name}.pdf"
    assert path.is_file(), f"{path} is missing: it is made by teller_client/documents/eform_form.py"
    return path


def decoded(texts: list[str]) -> dict[str, object]:
    return decode_symbols(texts, trusted=TrustedKeys(training=True), now=NOW).document


def expected(name: str) -> dict[str, object]:
    document: dict[str, object] = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """The sample PDFs as ``pdftoppm -r 200 -png`` renders them, page by page."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    out: dict[str, list[Path]] = {}
    for name in ("eform-small", "eform-large-group"):
        folder = tmp_path_factory.mktemp(name)
        subprocess.run(["pdftoppm", "-r", "200", "-png", str(sample_pdf(name)), str(folder / "page")], check=True, timeout=120)
        out[name] = sorted(folder.glob("page*.png"))
        assert out[name]
    return out


@pytest.mark.parametrize("name", ["eform-small", "eform-large-group"])
def test_sample_pdf_rendered_at_200_dpi_decodes_to_the_same_document(name: str, rendered: dict[str, list[Path]]) -> None:
    texts = [text for png in rendered[name] if (found := _texts_or_none(png)) for text in found]
    assert texts == (SAMPLES / f"{name}.txt").read_text(encoding="ascii").splitlines()
    assert decoded(texts) == expected(name)


@pytest.mark.parametrize("name", ["eform-small", "eform-large-group"])
def test_sample_pages_skewed_by_3_degrees_decode_to_the_same_document(name: str, rendered: dict[str, list[Path]], tmp_path: Path) -> None:
    texts: list[str] = []
    for png in rendered[name]:
        with Image.open(png) as image:
            skewed = save(rotated(image.convert("L"), 3), tmp_path / png.name)
        texts += _texts_or_none(skewed) or []
    assert sorted(texts) == sorted((SAMPLES / f"{name}.txt").read_text(encoding="ascii").splitlines())
    assert decoded(texts) == expected(name)


@pytest.mark.parametrize("name", ["eform-small", "eform-large-group"])
def test_sample_pdf_read_directly(name: str) -> None:
    texts = read_barcodes_from_file(sample_pdf(name))
    assert texts == (SAMPLES / f"{name}.txt").read_text(encoding="ascii").splitlines()
    assert decoded(texts) == expected(name)


def _texts_or_none(path: Path) -> list[str] | None:
    """The barcodes of one page, or ``None`` for a page without any (the form's text pages)."""
    try:
        return read_barcodes_from_file(path)
    except BarcodeImageError as exc:
        if exc.code != "no_barcode":
            raise
        return None
