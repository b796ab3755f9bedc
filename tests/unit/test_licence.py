"""The USCC in the QR code of a business licence (营业执照), and telling such a scan from others."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from teller_client.domain.identifiers import make_uscc, validate_uscc
from teller_client.domain.licence import looks_like_licence, uscc_from_licence_text
from teller_client.errors import InvalidIdentifierError, TellerError

USCC = "91350200M000100Y48"
OTHER = "91350200MA31ABCD0D"
WRONG_CHECK = "91350200M000100Y47"


def refused(text: str) -> InvalidIdentifierError:
    with pytest.raises(InvalidIdentifierError) as info:
        uscc_from_licence_text(text)
    error = info.value
    assert isinstance(error, TellerError)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message_zh) and error.message_en.isascii()
    return error


@pytest.mark.parametrize("text", [
    USCC,
    USCC.lower(),
    f"  {USCC}\r\n",
    "９１３５０２００Ｍ０００１００Ｙ４８",  # full-width, as some input methods type it
    f"统一社会信用代码：{USCC}\n名称：厦门示例贸易有限公司",
    f"统一社会信用代码{USCC}",
])  # fmt: skip
def test_code_as_text(text: str) -> None:
    assert uscc_from_licence_text(text) == USCC


@pytest.mark.parametrize("text", [
    f"http://www.gsxt.gov.cn/index.html?uniscid={USCC}&entname=x",
    f"https://www.gsxt.gov.cn/corp-query-entprise-info-xxx.html?creditCode={USCC}",
    f"http://gsxt.amr.xm.gov.cn/show?tyshxydm={USCC}&type=1",
    f"http://example.gov.cn/ent/detail.do?entUniscid={USCC}",
    f"http://example.gov.cn/ent/detail.do?UNISCID={USCC}",
    f"http://example.gov.cn/ent/detail.do?uniscid={USCC.lower()}&ts=1700000000",
    f"HTTP://WWW.GSXT.GOV.CN/INDEX.HTML?UNISCID={USCC}",  # a scanner with Caps Lock on
    f"http://example.gov.cn/#/detail?uniscid={USCC}",
    f"http://example.gov.cn/ent/{USCC}/detail",
    f"http://example.gov.cn/ent/detail/{USCC}.html",
    f"https://r.example.cn/jump?to=http%3A%2F%2Fwww.gsxt.gov.cn%2F%3Funiscid%3D{USCC}%26a%3D1",
])  # fmt: skip
def test_code_in_a_link(text: str) -> None:
    assert uscc_from_licence_text(text) == USCC


def test_a_named_parameter_wins_over_other_codes_in_the_text() -> None:
    assert uscc_from_licence_text(f"http://x.gov.cn/{OTHER}/q?creditCode={USCC}") == USCC


def test_several_codes_and_no_parameter_saying_which_are_refused() -> None:
    error = refused(f"{OTHER} {USCC}")
    assert error.code == "licence_ambiguous_uscc"
    assert USCC in error.message_en and USCC in error.message_zh


@pytest.mark.parametrize("text", [
    WRONG_CHECK,
    f"http://www.gsxt.gov.cn/index.html?uniscid={WRONG_CHECK}",
    f"统一社会信用代码：{WRONG_CHECK.lower()}",
])  # fmt: skip
def test_a_code_with_a_wrong_check_character_is_named(text: str) -> None:
    error = refused(text)
    assert error.code == "licence_uscc_check_character"
    assert error.check == "check_character"
    assert WRONG_CHECK in error.message_en and WRONG_CHECK in error.message_zh
    assert "check character" in error.message_en and "校验位" in error.message_zh


@pytest.mark.parametrize("text", [
    "",
    "   ",
    "https://www.gsxt.gov.cn/%7B8A3C6F0E2B7D4C1A9E5F%7D",  # newer licences: an opaque token only
    "http://www.gsxt.gov.cn/index.html?uniscid=&x=1",
    "91350200M000100Y4",  # 17 characters
    "91350200M000100Y488",  # 19 characters
    "6222021001000012345",  # an account number
    "EF1:EF20261122000123:1:2:FB30C8C9:PDNKKVG5NMJUCED767H5",
    "91350200M000100I48",  # I is not in the charset: not the shape of a code, so no check-character claim
])  # fmt: skip
def test_no_code(text: str) -> None:
    error = refused(text)
    assert error.code == "licence_no_uscc"
    assert "统一社会信用代码" in error.message_zh and "Unified Social Credit Code" in error.message_en


def test_long_garbage_is_refused_quickly() -> None:
    garbage = ("Zq9x/" * 40_000) + USCC  # far beyond any QR code: the code at the end is not looked at
    start = time.perf_counter()
    assert refused(garbage).code == "licence_no_uscc"
    assert refused("A" * 1_000_000).code == "licence_no_uscc"
    assert time.perf_counter() - start < 2


_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))


@settings(max_examples=400, deadline=None)
@given(st.text(_ALPHABET, max_size=300) | st.text("0123456789ABCDEFGHJKLMNPQRTUWXYabc=&?/:%. ", max_size=120))
def test_never_raises_anything_but_a_teller_error(text: str) -> None:
    try:
        code = uscc_from_licence_text(text)
    except TellerError:
        return
    assert validate_uscc(code) == code


@settings(max_examples=200, deadline=None)
@given(
    st.text(_CHARSET, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(_CHARSET, min_size=9, max_size=9),
    st.text(" /:?=&#%，。：\n营业执照", max_size=20),
    st.text(" /:?=&#%，。：\n营业执照", max_size=20),
)
def test_a_valid_code_between_separators_is_found(head: str, division: str, body: str, before: str, after: str) -> None:
    code = make_uscc(head + division + body)
    assert uscc_from_licence_text(f"{before}{code}{after}") == code


@pytest.mark.parametrize(("text", "expected"), [
    (USCC, True),
    (WRONG_CHECK, True),  # routed to the licence, which then says the check character is wrong
    (f"http://www.gsxt.gov.cn/index.html?uniscid={USCC}", True),
    ("https://www.gsxt.gov.cn/%7B8A3C6F0E2B7D4C1A9E5F%7D", True),  # says "no code in it, type it"
    (f"统一社会信用代码：{USCC.lower()}", True),
    ("EF1:EF20261122000123:1:2:FB30C8C9:PDNKKVG5NMJUCED767H5", False),
    (f"\x02EF1:{USCC}:1:1:00000000:AAAA\x03\r\n", False),  # STX/ETX of a serial scanner
    ("11010519491231002X", False),  # a resident ID number
    ("11010519491231002x\r\n", False),
    ("6222021001000012345", False),  # an account number
    ("UK2026000123", False),  # a UKey serial
    ("https://example.com/", False),
    ("", False),
])  # fmt: skip
def test_looks_like_licence(text: str, expected: bool) -> None:
    assert looks_like_licence(text) is expected


@settings(max_examples=300, deadline=None)
@given(st.text(_ALPHABET, max_size=300))
def test_looks_like_licence_never_raises(text: str) -> None:
    assert looks_like_licence(text) in (True, False)
