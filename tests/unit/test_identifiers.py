from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teller_client.domain import identifiers as ids
from teller_client.domain.identifiers import USCC_CHARSET, validate_resident_id, validate_uscc
from teller_client.errors import InvalidIdentifierError, TellerError

VALID_USCC = [
    "91350200M000100Y48",  # the e-form contract's example
    "91350200MA31ABCD0D",
    "91350200MA2Y3K4LX9",
    "91350200123456788X",
]


@pytest.mark.parametrize("value", VALID_USCC)
def test_valid_uscc_is_returned(value: str) -> None:
    assert validate_uscc(value) == value


def test_uscc_is_trimmed_and_upper_cased() -> None:
    assert validate_uscc("  91350200m000100y48\u3000") == "91350200M000100Y48"


def test_changed_uscc_check_character_is_refused_naming_the_check() -> None:
    with pytest.raises(InvalidIdentifierError) as err:
        validate_uscc("91350200M000100Y47")
    assert isinstance(err.value, TellerError)
    assert err.value.code == "uscc_check_character"
    assert err.value.check == "check_character"
    assert "校验位" in err.value.message_zh
    assert "check character" in err.value.message_en


def test_mistyped_body_character_is_caught_by_the_check_character() -> None:
    with pytest.raises(InvalidIdentifierError) as err:
        validate_uscc("91350200M000101Y48")
    assert err.value.check == "check_character"


@pytest.mark.parametrize(("value", "check"), [
    ("91350200M000100Y4", "length"),
    ("91350200M000100Y488", "length"),
    ("", "length"),
    ("91350200M000100I48", "charset"),  # I is not in GB 32100's charset
    ("91350200M0001O0Y48", "charset"),
    ("9135020SM000100Y48", "charset"),
    ("913502A0M000100Y48", "division"),
])  # fmt: skip
def test_malformed_uscc(value: str, check: str) -> None:
    with pytest.raises(InvalidIdentifierError) as err:
        validate_uscc(value)
    assert err.value.check == check


def test_uscc_charset_error_names_position_and_character() -> None:
    with pytest.raises(InvalidIdentifierError) as err:
        validate_uscc("91350200M000100I48")
    assert "16" in err.value.message_zh and "I" in err.value.message_zh


def test_organisation_code_part_is_checked_separately() -> None:
    assert ids.uscc_org_code_ok("91350200M000100Y48")
    # valid USCC check character, but characters 9-17 fail GB 11714: still a valid USCC
    assert validate_uscc("91350200MA31ABCD1G") == "91350200MA31ABCD1G"
    assert not ids.uscc_org_code_ok("91350200MA31ABCD1G")


def test_uscc_weights_are_powers_of_three_mod_31() -> None:
    assert ids.USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(USCC_CHARSET) == 31 and not set("IOSVZ") & set(USCC_CHARSET)


@given(
    head=st.text(alphabet=USCC_CHARSET, min_size=2, max_size=2),
    division=st.text(alphabet="0123456789", min_size=6, max_size=6),
    org=st.text(alphabet=USCC_CHARSET, min_size=9, max_size=9),
    other=st.sampled_from(USCC_CHARSET),
)
def test_any_uscc_with_its_check_character_validates_and_any_other_does_not(head: str, division: str, org: str, other: str) -> None:
    value = ids.make_uscc(head + division + org)
    assert validate_uscc(value) == value
    if other != value[17]:
        with pytest.raises(InvalidIdentifierError):
            validate_uscc(value[:17] + other)


VALID_IDS = ["11010519491231002X", "350203198506123013", "440304198811112349", "110101197501010012"]


@pytest.mark.parametrize("value", VALID_IDS)
def test_valid_resident_id(value: str) -> None:
    assert validate_resident_id(value, date(2026, 11, 23)) == value


def test_resident_id_lower_case_x_is_normalised() -> None:
    assert validate_resident_id(" 11010519491231002x ") == "11010519491231002X"


def test_changed_resident_id_check_character_is_refused_naming_the_check() -> None:
    with pytest.raises(InvalidIdentifierError) as err:
        validate_resident_id("110105194912310021")
    assert err.value.code == "resident_id_check_character"
    assert "校验位" in err.value.message_zh and "check character" in err.value.message_en


def test_legacy_15_digit_number_is_refused_with_its_own_message() -> None:
    with pytest.raises(InvalidIdentifierError) as err:
        validate_resident_id("110105491231002")
    assert err.value.code == "resident_id_legacy"
    assert "15" in err.value.message_zh and "18" in err.value.message_zh


@pytest.mark.parametrize(("first17", "code"), [
    ("11010519490231002", "resident_id_birth_date"),   # 31 Feb: no such day
    ("11010518991231002", "resident_id_birth_date"),   # before 1900
    ("11010520301231002", "resident_id_birth_future"),  # born in 2030
    ("99010519491231002", "resident_id_region"),
])  # fmt: skip
def test_resident_id_with_a_valid_check_but_impossible_content(first17: str, code: str) -> None:
    with pytest.raises(InvalidIdentifierError) as err:
        validate_resident_id(ids.make_resident_id(first17), date(2026, 11, 23))
    assert err.value.code == code


def test_birth_date_today_is_accepted_and_tomorrow_is_not() -> None:
    value = ids.make_resident_id("11010520261123001")
    assert validate_resident_id(value, date(2026, 11, 23)) == value
    with pytest.raises(InvalidIdentifierError):
        validate_resident_id(value, date(2026, 11, 22))


@pytest.mark.parametrize("value", ["11010519491231002", "1101051949123100211", "11010519491231002Y", "1101051949123A002X"])
def test_resident_id_shape_errors(value: str) -> None:
    with pytest.raises(InvalidIdentifierError) as err:
        validate_resident_id(value)
    assert err.value.code in {"resident_id_length", "resident_id_charset"}


@given(
    st.text(alphabet="0123456789", min_size=17, max_size=17),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 11, 23)),
    st.sampled_from("0123456789X"),
)
def test_mod_11_2_accepts_only_its_check_character(digits: str, born: date, other: str) -> None:
    first17 = "350203" + born.strftime("%Y%m%d") + digits[:3]
    check = ids.resident_id_check_character(first17)
    # ISO 7064 MOD 11-2: the weighted sum of all 18 characters (X = 10) is 1 modulo 11.
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert (sum(int(c) * w for c, w in zip(first17, weights, strict=True)) + (10 if check == "X" else int(check))) % 11 == 1
    assert validate_resident_id(first17 + check, date(2026, 11, 23)) == first17 + check
    if other != check:
        with pytest.raises(InvalidIdentifierError):
            validate_resident_id(first17 + other, date(2026, 11, 23))


@pytest.mark.parametrize(("id_type", "value"), [
    ("passport", "E12345678"),
    ("passport", "ea1234567"),
    ("hk_macao_permit", "H12345678"),
    ("hk_macao_permit", "M1234567890"),
    ("taiwan_permit", "12345678"),
    ("foreign_permanent_resident", "USA123456789012"),
    ("foreign_permanent_resident", ids.make_resident_id("93110019800101001")),
])  # fmt: skip
def test_other_id_documents(id_type: str, value: str) -> None:
    assert ids.validate_id_number(id_type, value) == value.upper()


@pytest.mark.parametrize(("id_type", "value", "code"), [
    ("passport", "E12", "passport_format"),
    ("passport", "E1234567#", "passport_format"),
    ("hk_macao_permit", "X12345678", "hk_macao_permit_format"),
    ("taiwan_permit", "1234567", "taiwan_permit_format"),
    ("foreign_permanent_resident", "US123456789012", "foreign_permanent_resident_format"),
    ("foreign_permanent_resident", "931100198001010010", "resident_id_check_character"),
])  # fmt: skip
def test_other_id_documents_refused(id_type: str, value: str, code: str) -> None:
    with pytest.raises(InvalidIdentifierError) as err:
        ids.validate_id_number(id_type, value)
    assert err.value.code == code


@pytest.mark.parametrize(("value", "expected"), [
    ("13800138000", "13800138000"),
    ("138-0013-8000", "13800138000"),
    ("+86 138 0013 8000", "13800138000"),
])  # fmt: skip
def test_mobile(value: str, expected: str) -> None:
    assert ids.validate_mobile(value) == expected


@pytest.mark.parametrize("value", ["12800138000", "1380013800", "138001380001", "0592-5551234"])
def test_mobile_refused(value: str) -> None:
    with pytest.raises(InvalidIdentifierError, match="11"):
        ids.validate_mobile(value)


def test_email() -> None:
    assert ids.validate_email(" Finance@Example.CN ") == "Finance@example.cn"
    for bad in ["finance", "a@b", "a b@c.cn", "a..b@c.cn", ".a@c.cn", "a@-c.cn"]:
        with pytest.raises(InvalidIdentifierError):
            ids.validate_email(bad)


def test_account_numbers() -> None:
    assert ids.validate_account_number("6222 0210 0100 0012 345") == "6222021001000012345"
    for bad in ["1234567", "6222A21001000012345", "1" * 33]:
        with pytest.raises(InvalidIdentifierError) as err:
            ids.validate_account_number(bad)
        assert err.value.code == "account_number_format"
        assert bad not in err.value.message_zh  # the number is not echoed into messages


def test_bank_codes_currencies_amounts() -> None:
    assert ids.validate_bank_code("301290000007") == "301290000007"
    for bad in ["30129000000", "3012900000071", "30129000000A"]:
        with pytest.raises(InvalidIdentifierError):
            ids.validate_bank_code(bad)
    assert ids.validate_currency("usd") == "USD"
    with pytest.raises(InvalidIdentifierError):
        ids.validate_currency("RMB")  # a common mistake: the ISO code is CNY
    assert str(ids.validate_amount("500000")) == "500000.00"
    for bad in ["0", "0.00", "-1.00", "1.234", "1e5", "abc", "1,000.00"]:
        with pytest.raises(InvalidIdentifierError):
            ids.validate_amount(bad)
