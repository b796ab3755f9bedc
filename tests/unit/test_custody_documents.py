"""The handover slip and the end-of-day custody report (issue 7, documents): embedded font, content, masked receiver ID,
balance checks, barcodes that decode, deterministic output."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from teller_client.documents.custody import (
    CustodyLine,
    render_custody_report,
    render_handover_slip,
    sample_custody_report,
    sample_handover_slip,
)
from tests.unit.test_eform_pdf import poppler

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdffonts", "pdftotext", "pdftoppm")),
    reason="poppler-utils (pdffonts, pdftotext, pdftoppm) is not installed",
)


def flat_text(data: bytes, tmp_path: Path) -> str:
    return " ".join(poppler("pdftotext", data, tmp_path, "-layout").split())


def first_page_barcodes(data: bytes, tmp_path: Path) -> list[tuple[str, zxingcpp.BarcodeFormat]]:
    (tmp_path / "doc.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", str(tmp_path / "doc.pdf"), str(tmp_path / "p")], check=True)
    return [(b.text, b.format) for b in zxingcpp.read_barcodes(Image.open(next(tmp_path.glob("p*.png"))))]


@needs_poppler
@pytest.mark.parametrize("kind", ["slip", "report", "unbalanced_report"])
def test_the_chinese_font_is_embedded_and_no_other_font_is_used(kind: str, tmp_path: Path) -> None:
    data = {
        "slip": lambda: render_handover_slip(sample_handover_slip()),
        "report": lambda: render_custody_report(sample_custody_report()),
        "unbalanced_report": lambda: render_custody_report(sample_custody_report(balanced=False, training=False)),
    }[kind]()
    lines = poppler("pdffonts", data, tmp_path).splitlines()[2:]
    assert lines and all("WenQuanYiMicroHei" in line and line.split()[-5] == "yes" for line in lines), lines


# --- the handover slip -------------------------------------------------------------------------------------


@needs_poppler
def test_the_slip_says_what_left_the_branch_to_whom(tmp_path: Path) -> None:
    slip = sample_handover_slip()
    text = flat_text(render_handover_slip(slip), tmp_path)
    for words in (slip.slip_no, slip.customer_name, slip.customer_uscc, slip.agreement_no, slip.receiver_name, "居民身份证",
                  "2026-11-23 10:55", "张晓明（T0001）", "领取人签字", "经办柜员", "共 4 件：UKey 2 个，密码信函 2 封", "Page 1 of 1"):  # fmt: skip
        assert words in text, words
    for item in slip.items:
        assert item.serial in text and item.user_name in text
    assert "证书序列号 4F2A9C0D11E5B7A3" in text


@needs_poppler
def test_the_receivers_id_number_is_masked(tmp_path: Path) -> None:
    text = flat_text(render_handover_slip(sample_handover_slip()), tmp_path)
    assert "110105********002X" in text and "11010519491231002X" not in text
    passport = replace(sample_handover_slip(), receiver_id_type="passport", receiver_id_number="E12345678")
    text = flat_text(render_handover_slip(passport), tmp_path)
    assert "护照" in text and "E1*****78" in text and "E12345678" not in text


@needs_poppler
def test_the_slip_number_barcode_decodes(tmp_path: Path) -> None:
    slip = sample_handover_slip()
    assert first_page_barcodes(render_handover_slip(slip), tmp_path) == [(slip.slip_no, zxingcpp.BarcodeFormat.Code128)]


# --- the custody report -------------------------------------------------------------------------------------


def test_a_line_balances_when_the_counts_add_up_and_the_ledger_agrees() -> None:
    line = CustodyLine("T0001", "张晓明", "letter", opening=5, received=0, transferred_in=10, transferred_out=3, issued=4, spoiled=1,
                       returned=2, closing=5)  # fmt: skip
    assert line.expected_closing == 5 and line.balanced
    assert replace(line, ledger_closing=5).balanced
    assert not replace(line, ledger_closing=6).balanced  # counted right, but the central ledger says otherwise
    assert not replace(line, closing=4).balanced
    report = sample_custody_report()
    assert report.balanced and not sample_custody_report(balanced=False).balanced


@needs_poppler
def test_the_report_shows_each_holder_and_kind_and_the_spoiled_serials(tmp_path: Path) -> None:
    report = sample_custody_report(training=False)  # no watermark letters between the table's words
    text = flat_text(render_custody_report(report), tmp_path)
    for words in (report.report_no, report.branch_name, "2026-11-23", "核对结果：全部平衡", "网点库房 Vault", "张晓明", "T0001", "期初", "入库",
                  "调入", "调出", "发放", "作废", "退回", "期末", "中心账", "平衡 yes", "UK00000017", "LT00000033", "打印卡纸 printer jam",
                  "写入证书失败", "库管柜员", "复核主管", "林主管（S0001）", "作废清单（共 2 件）"):  # fmt: skip
        assert words in text, words
    assert "不平衡" not in text
    assert "UKey 40 20 2 10 0 0 2 50 50 平衡 yes" in text  # the vault's UKey row, column by column


@needs_poppler
def test_an_unbalanced_day_is_called_out(tmp_path: Path) -> None:
    text = flat_text(render_custody_report(sample_custody_report(balanced=False)), tmp_path)
    assert "有不平衡项" in text and "NOT balanced" in text
    assert "不平衡 no（应为 3）" in text


@needs_poppler
def test_the_report_number_barcode_decodes_and_output_is_deterministic(tmp_path: Path) -> None:
    report = sample_custody_report()
    data = render_custody_report(report)
    assert data == render_custody_report(sample_custody_report())
    assert render_handover_slip(sample_handover_slip()) == render_handover_slip(sample_handover_slip())
    assert first_page_barcodes(data, tmp_path) == [(report.report_no, zxingcpp.BarcodeFormat.Code128)]


@needs_poppler
def test_nothing_spoiled_says_so(tmp_path: Path) -> None:
    text = flat_text(render_custody_report(replace(sample_custody_report(training=False), spoiled=())), tmp_path)
    assert "本日无作废" in text and "作废清单（共 0 件）" in text and "TRAINING" not in text
