"""The customer's signing confirmation (issue 7, documents): embedded font, everything agreed and handed over, masked ID numbers,
the agreement number as a Code 128 that decodes, page numbers, deterministic output."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from teller_client.documents.confirmation import AccountLine, Fees, render_confirmation, sample_confirmation
from teller_client.domain.fees import FeeLine, FeeQuote
from tests.unit.test_eform_pdf import page_count, poppler

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdffonts", "pdftotext", "pdftoppm")),
    reason="poppler-utils (pdffonts, pdftotext, pdftoppm) is not installed",
)


def flat_text(data: bytes, tmp_path: Path) -> str:
    """pdftotext -layout with every run of white space made one space (wrapped cells read as one line)."""
    return " ".join(poppler("pdftotext", data, tmp_path, "-layout").split())


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_confirmation(sample_confirmation())


@needs_poppler
def test_the_chinese_font_is_embedded_and_no_other_font_is_used(pdf: bytes, tmp_path: Path) -> None:
    lines = poppler("pdffonts", pdf, tmp_path).splitlines()[2:]
    assert lines and all("WenQuanYiMicroHei" in line and line.split()[-5] == "yes" for line in lines), lines


@needs_poppler
def test_everything_agreed_and_handed_over_is_printed(pdf: bytes, tmp_path: Path) -> None:
    data = sample_confirmation()
    text = flat_text(pdf, tmp_path)
    expected = [data.agreement_no, data.application_id, data.customer_name, data.customer_uscc, data.customer_ebank_id, "新签约",
                "公司网银", "网银支付标准版", "标准版", "68 项", "电子票据", "自选功能", "12 项", "查询、支付、收款", "基本存款账户",
                "企业管理员", "录入员", "审核员", "证书（UKey）", "无证书（密码）", "全部签约账户", "战略客户首年减免", "已获主管批准",
                "1,020.00", "0.00", "UKey 工本费", "登录密码函", "UKey 密码函", "客户签章（公章）", "法定代表人或授权经办人签字",
                "经办柜员", "复核主管", "张晓明（T0001）", "林主管（S0001）", "2026-11-23", "第 1 页 / 共 2 页", "Page 2 of 2"]  # fmt: skip
    for item in (*data.accounts, *data.users):
        expected += [item.number] if isinstance(item, AccountLine) else [item.name, item.login_id, item.user_no]
    for ukey in data.ukeys:
        expected += [ukey.token_serial, ukey.certificate_serial]
    expected += [letter.letter_serial for letter in data.letters]
    for words in expected:
        assert words in text, words


@needs_poppler
def test_id_numbers_are_masked(pdf: bytes, tmp_path: Path) -> None:
    text = flat_text(pdf, tmp_path)
    assert "350203********3013" in text and "350203********4529" in text and "E1*****78" in text
    for user in sample_confirmation().users:
        assert user.id_number not in text


@needs_poppler
def test_the_unverified_notice_only_when_the_data_says_so(pdf: bytes, tmp_path: Path) -> None:
    assert "未能验证" not in flat_text(pdf, tmp_path)
    flagged = flat_text(render_confirmation(replace(sample_confirmation(), eform_unverified=True)), tmp_path)
    assert "电子填单未能验证银行签名" in flagged and "signature was not verified" in flagged


@needs_poppler
def test_the_agreement_number_barcode_decodes_at_300_dpi(pdf: bytes, tmp_path: Path) -> None:
    (tmp_path / "doc.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", str(tmp_path / "doc.pdf"), str(tmp_path / "p")], check=True)
    found = zxingcpp.read_barcodes(Image.open(next(tmp_path.glob("p*.png"))))
    assert [(b.text, b.format) for b in found] == [(sample_confirmation().agreement_no, zxingcpp.BarcodeFormat.Code128)]


def test_same_data_gives_the_same_bytes(pdf: bytes) -> None:
    assert render_confirmation(sample_confirmation()) == pdf


@needs_poppler
def test_the_training_watermark_only_in_training(tmp_path: Path) -> None:
    training = poppler("pdftotext", render_confirmation(sample_confirmation(training=True)), tmp_path, "-raw")
    real = poppler("pdftotext", render_confirmation(sample_confirmation(training=False)), tmp_path, "-raw")
    assert training.count("TRAINING") >= 3 and "培训用" in training
    assert "TRAINING" not in real and "培训" not in real


@needs_poppler
def test_long_lists_break_across_pages_with_headers_and_page_counts(tmp_path: Path) -> None:
    numbers = [f"62220210010009{n:05d}" for n in range(80)]
    accounts = tuple(AccountLine(number, "own", "general", "CNY", ("query",)) for number in numbers)
    data = render_confirmation(replace(sample_confirmation(), accounts=accounts))
    pages = page_count(data)
    text = flat_text(data, tmp_path)
    assert pages >= 3 and all(number in text for number in numbers)
    assert text.count("账户关系") >= 2  # the header row again on the next page
    assert f"第 {pages} 页 / 共 {pages} 页" in text and text.count(f"/ 共 {pages} 页") == pages
    assert re.search(r"对公电子渠道签约确认书\s+厦门示例贸易有限公司", text)  # running header from page 2


def test_fees_from_a_domain_quote_follow_the_supervisors_decision() -> None:
    quote = FeeQuote((FeeLine("annual:e_bills", "电子票据标准版 年费", "E-bills annual fee", 1, Decimal("0.00")),
                      FeeLine("ukey", "UKey 工本费", "UKey", 3, Decimal("60.00"))), True, "首年减免")  # fmt: skip
    approved, refused = Fees.from_quote(quote, waiver_approved=True), Fees.from_quote(quote, waiver_approved=False)
    assert approved.total == refused.total == Decimal("180.00") == quote.total
    assert approved.payable == Decimal("0.00") and refused.payable == Decimal("180.00")
    assert approved.reason == "首年减免" and approved.items[1].amount == Decimal("180.00")
