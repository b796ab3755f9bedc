"""The e-form barcode codec (contract EF1): symbols, parts, payload limits, signature, form checks."""

from __future__ import annotations

import base64
import json
import random
import tracemalloc
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teller_client.eform import (
    EformError,
    NotAnEformError,
    PartAssembler,
    TrustedKeys,
    decode_symbols,
    make_symbols,
    parse_symbol,
    sign_document,
)
from teller_client.eform.generator import document_line, split_payload
from teller_client.eform.keys import training_private_key
from teller_client.eform.payload import MAX_TEXT_BYTES, decode_payload, encode_payload
from teller_client.eform.signature import signature_line
from teller_client.eform.symbols import make_symbol
from tests.support.documents import account, valid_document

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
BANK_KEY = Ed25519PrivateKey.generate()
TRUSTED = TrustedKeys({"BANK1": BANK_KEY.public_key()})


def decode(texts: list[str], trusted: TrustedKeys = TRUSTED, **kw: Any) -> Any:
    kw.setdefault("now", NOW)
    return decode_symbols(texts, trusted=trusted, **kw)


def refused(code: str, texts: list[str], **kw: Any) -> EformError:
    with pytest.raises(EformError) as info:
        decode(texts, **kw)
    assert info.value.code == code, info.value
    return info.value


def symbols_of_text(form_id: str, text: bytes, parts: int = 1) -> list[str]:
    """Symbols of an arbitrary (possibly hostile) decompressed text."""
    payload = base64.b32encode(zlib.compress(text, 9)).decode().rstrip("=")
    return symbols_of_payload(form_id, payload, parts)


def symbols_of_payload(form_id: str, payload: str, parts: int = 1) -> list[str]:
    size = -(-len(payload) // parts)
    return [make_symbol(form_id, i + 1, parts, payload[i * size : (i + 1) * size]) for i in range(parts)]


def signed_text(doc: dict[str, Any]) -> bytes:
    line = document_line(doc)
    return line + b"\n" + signature_line(line, BANK_KEY, "BANK1")


def symbols_if_they_fit(doc: dict[str, Any], max_chars: int) -> list[str] | None:
    """The symbols, or ``None`` when the form needs more than 16 parts (then refused with too_many_parts)."""
    try:
        return make_symbols(doc, BANK_KEY, "BANK1", max_part_chars=max_chars)
    except EformError as exc:
        if exc.code != "too_many_parts":
            raise
        return None


def big_document(accounts: int) -> dict[str, Any]:
    doc = valid_document()
    doc["accounts"] += [account(f"62220210010002{i:05d}") for i in range(accounts)]
    return doc


# -- round trips ------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra_accounts", [0, 5, 20, 60])
@pytest.mark.parametrize("max_chars", [120, 300, 800, 4000])
def test_round_trip_in_every_size_and_any_order(extra_accounts: int, max_chars: int) -> None:
    doc = big_document(extra_accounts)
    texts = symbols_if_they_fit(doc, max_chars)
    if texts is None:
        assert max_chars == 120
        return
    assert all(len(t) <= max_chars for t in texts) and 1 <= len(texts) <= 16
    random.Random(extra_accounts * max_chars).shuffle(texts)
    form = decode(texts)
    assert form.document == doc and form.verified and form.kid == "BANK1" and form.form_id == doc["form_id"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=40), st.integers(min_value=90, max_value=2000), st.randoms(use_true_random=False))
def test_round_trip_property(extra_accounts: int, max_chars: int, rnd: random.Random) -> None:
    doc = big_document(extra_accounts)
    texts = symbols_if_they_fit(doc, max_chars)
    if texts is None:
        return
    assert all(len(t) <= max_chars for t in texts)
    rnd.shuffle(texts)
    assert decode(texts).document == doc


def test_split_uses_the_fewest_parts_and_every_order_works() -> None:
    doc = valid_document()
    texts = make_symbols(doc, BANK_KEY, "BANK1", max_part_chars=400)
    assert len(texts) >= 3
    assert len(split_payload(doc["form_id"], sign_document(doc, BANK_KEY, "BANK1"), 400)) == len(texts)
    import itertools

    for order in itertools.permutations(texts):
        assert decode(list(order)).document == doc


def test_too_large_for_16_parts_is_refused_by_the_generator() -> None:
    with pytest.raises(EformError) as info:
        make_symbols(big_document(60), BANK_KEY, "BANK1", max_part_chars=100)
    assert info.value.code == "too_many_parts"


# -- reading symbols --------------------------------------------------------------------------------


def test_scanner_noise_and_lower_case_are_tolerated() -> None:
    doc = valid_document()
    texts = make_symbols(doc, BANK_KEY, "BANK1", max_part_chars=500)
    noisy = [f"\x02\t {t.lower()}\r\n\x03" for t in texts]
    noisy[0] = noisy[0].swapcase()
    assert decode([*noisy, "", "  \r\n"]).document == doc


@pytest.mark.parametrize("text", ["", "6222021001000012345", "UKEY:12345", "EF2:ABC:1:1:00000000:AA", "xEF1:A:1:1:0:A"])
def test_other_texts_are_not_eforms(text: str) -> None:
    with pytest.raises(NotAnEformError) as info:
        parse_symbol(text)
    assert info.value.code == "not_eform"


@pytest.mark.parametrize(
    "text",
    [
        "EF1:ABC:1:1:00000000",
        "EF1::1:1:00000000:AA",
        "EF1:" + "A" * 33 + ":1:1:00000000:AA",
        "EF1:AB-C:1:1:00000000:AA",
        "EF1:ABC:0:1:00000000:AA",
        "EF1:ABC:2:1:00000000:AA",
        "EF1:ABC:X:1:00000000:AA",
        "EF1:ABC:1:1:0000000:AA",
        "EF1:ABC:1:1:0000000G:AA",
        "EF1:ABC:1:1:00000000:",
        "EF1:ABC:1: 1:00000000:AA",
    ],
)
def test_malformed_symbols_are_bad_format(text: str) -> None:
    with pytest.raises(EformError) as info:
        parse_symbol(text)
    assert info.value.code == "bad_format"


def test_seventeen_parts_are_refused() -> None:
    with pytest.raises(EformError) as info:
        parse_symbol(make_symbol("ABC", 1, 17, "AAAA"))
    assert info.value.code == "too_many_parts"
    assert parse_symbol(make_symbol("ABC", 16, 16, "AAAA")).total == 16


def test_data_outside_base32_is_refused() -> None:
    with pytest.raises(EformError) as info:
        parse_symbol(make_symbol("ABC", 1, 1, "AB18"))
    assert info.value.code == "bad_base32"


def test_huge_scanned_text_is_refused_without_work() -> None:
    with pytest.raises(EformError) as info:
        parse_symbol("EF1:ABC:1:1:00000000:" + "A" * 200_000)
    assert info.value.code == "too_large"


# -- assembling parts -------------------------------------------------------------------------------


def three_parts(doc: dict[str, Any] | None = None) -> list[str]:
    doc = doc or valid_document()
    texts = make_symbols(doc, BANK_KEY, "BANK1", max_part_chars=len(sign_document(doc, BANK_KEY, "BANK1")) // 3 + 40)
    assert len(texts) == 3
    return texts


def test_progress_and_duplicate_part_is_harmless() -> None:
    a, b, c = three_parts()
    asm = PartAssembler()
    assert asm.progress == (0, 0, [])
    assert asm.add(b) == (1, 3, [1, 3])
    assert asm.add(b.lower()) == (1, 3, [1, 3])
    assert asm.add(c) == (2, 3, [1])
    with pytest.raises(EformError) as info:
        asm.payload()
    assert info.value.code == "incomplete" and info.value.part == 1
    assert asm.add(a) == (3, 3, []) and asm.complete
    assert decode([a, b, b, c, a]).verified


def test_conflicting_part_is_refused_keeping_progress() -> None:
    a, b, c = three_parts()
    other = valid_document()
    other["customer"]["contact"]["mobile"] = "13800138001"
    b2 = three_parts(other)[1]
    assert b2 != b
    asm = PartAssembler()
    asm.add(a)
    asm.add(b)
    with pytest.raises(EformError) as info:
        asm.add(b2)
    assert info.value.code == "part_conflict" and info.value.part == 2
    assert asm.progress == (2, 3, [3])
    asm.add(c)
    assert asm.complete
    refused("part_conflict", [a, b, b2, c])


def test_conflicting_part_count_is_refused() -> None:
    a, _, _ = three_parts()
    asm = PartAssembler()
    asm.add(a)
    with pytest.raises(EformError) as info:
        asm.add(make_symbol("EF20261122000123", 2, 4, "AAAA"))
    assert info.value.code == "part_conflict"


def test_part_of_another_form_is_refused_keeping_progress() -> None:
    a, b, c = three_parts()
    other = valid_document()
    other["form_id"] = "EF20261122000999"
    x = three_parts(other)[0]
    asm = PartAssembler()
    asm.add(a)
    with pytest.raises(EformError) as info:
        asm.add(x)
    assert info.value.code == "other_form" and "EF20261122000999" in info.value.message_en
    assert asm.progress == (1, 3, [2, 3]) and asm.form_id == "EF20261122000123"
    asm.add(b)
    asm.add(c)
    asm.add(x)  # the first form is complete: a new form starts over
    assert asm.form_id == "EF20261122000999" and asm.progress == (1, 3, [2, 3])
    refused("other_form", [a, x, b, c])


def test_misread_part_is_refused_keeping_earlier_parts() -> None:
    a, b, c = three_parts()
    head, data = b.rsplit(":", 1)
    flipped = head + ":" + ("B" if data[0] != "B" else "C") + data[1:]
    asm = PartAssembler()
    asm.add(a)
    asm.add(c)
    with pytest.raises(EformError) as info:
        asm.add(flipped)
    assert info.value.code == "crc_mismatch" and info.value.part == 2
    assert asm.progress == (2, 3, [2])
    asm.add(b)
    assert asm.complete
    refused("crc_mismatch", [a, flipped, c])


def test_missing_parts_are_named() -> None:
    a, _, c = three_parts()
    err = refused("incomplete", [c, a])
    assert "2" in err.message_en and err.part == 2
    refused("incomplete", [])


# -- payload limits ---------------------------------------------------------------------------------


def test_zlib_bomb_is_refused_with_bounded_memory() -> None:
    bomb = zlib.compress(b"0" * 50_000_000, 9)
    payload = base64.b32encode(bomb).decode().rstrip("=")
    texts = symbols_of_payload("BOMB", payload, parts=4)
    tracemalloc.start()
    try:
        with pytest.raises(EformError) as info:
            decode(texts)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.code == "too_large"
    assert peak < 4_000_000, peak


def test_exactly_64_kib_is_accepted_one_byte_more_refused() -> None:
    doc = valid_document()
    doc["note"] = ""  # unknown extra fields are ignored
    doc["note"] = "x" * (MAX_TEXT_BYTES - len(signed_text(doc)))
    text = signed_text(doc)
    assert len(text) == MAX_TEXT_BYTES
    assert decode(symbols_of_text(doc["form_id"], text)).document == doc
    doc["note"] += "x"
    refused("too_large", symbols_of_text(doc["form_id"], signed_text(doc)))


def test_unfinished_and_trailing_zlib_streams_are_refused() -> None:
    stream = zlib.compress(signed_text(valid_document()))
    for broken in (stream[:-6], stream + b"\x00garbage", b"\x78\x9c\xff\xff\xff"):
        refused("bad_zlib", symbols_of_payload("EF20261122000123", base64.b32encode(broken).decode().rstrip("=")))


@pytest.mark.parametrize("payload", ["A", "ABC", "ABCDEF", "AAAAAAAAA"])
def test_impossible_base32_lengths_are_refused(payload: str) -> None:
    refused("bad_base32", symbols_of_payload("ABC", payload))


def test_bad_utf8_is_refused() -> None:
    refused("bad_utf8", symbols_of_text("ABC", b'{"a":"\xff\xfe"}'))


@pytest.mark.parametrize("text", [b"{not json", b"[1,2]", b'{"a":NaN}', b"[" * 60_000])
def test_bad_json_is_refused(text: bytes) -> None:
    refused("bad_json", symbols_of_text("ABC", text))


@pytest.mark.parametrize("text", [b"{}\n{}\n{}", b"\n{}", b"{}\n"])
def test_wrong_line_structure_is_refused(text: bytes) -> None:
    refused("bad_format", symbols_of_text("ABC", text))


def test_payload_helpers_round_trip() -> None:
    payload = decode_payload(encode_payload('{"a":1}\n{"b":2}'))
    assert payload.document == {"a": 1} and payload.signature_line == b'{"b":2}'


# -- signature --------------------------------------------------------------------------------------


def test_unsigned_form_is_refused_unless_allowed() -> None:
    doc = valid_document()
    texts = symbols_of_text(doc["form_id"], document_line(doc))
    refused("unsigned", texts)
    form = decode(texts, allow_unsigned=True)
    assert form.document == doc and not form.verified and form.kid is None


def test_unknown_kid_is_refused_unless_allowed() -> None:
    doc = valid_document()
    texts = make_symbols(doc, Ed25519PrivateKey.generate(), "OTHER")
    assert "OTHER" in refused("unknown_key", texts).message_en
    assert not decode(texts, allow_unsigned=True).verified


def test_key_under_another_kid_does_not_verify() -> None:
    doc = valid_document()
    texts = make_symbols(doc, Ed25519PrivateKey.generate(), "BANK1")
    refused("bad_signature", texts)


def test_tampered_document_line_is_a_bad_signature() -> None:
    doc = valid_document()
    text = signed_text(doc)
    tampered = text.replace(b"500000.00", b"900000.00")
    assert tampered != text
    refused("bad_signature", symbols_of_text(doc["form_id"], tampered))
    form = decode(symbols_of_text(doc["form_id"], tampered), allow_unsigned=True)
    assert not form.verified


@pytest.mark.parametrize(
    "line",
    [
        b"not json",
        b'{"alg":"RS256","kid":"BANK1","sig":"AA"}',
        b'{"alg":"Ed25519","kid":"BANK1"}',
        b'{"alg":"Ed25519","kid":"BANK1","sig":"A+/="}',
    ],
)
def test_malformed_signature_line_is_a_bad_signature(line: bytes) -> None:
    doc = valid_document()
    refused("bad_signature", symbols_of_text(doc["form_id"], document_line(doc) + b"\n" + line))


def test_training_key_only_in_training_mode() -> None:
    doc = valid_document()
    texts = make_symbols(doc, training_private_key(), "TRAINING")
    assert "training" in refused("unknown_key", texts, trusted=TrustedKeys()).message_en
    form = decode(texts, trusted=TrustedKeys(training=True))
    assert form.verified and form.kid == "TRAINING"
    with pytest.raises(EformError) as info:
        TrustedKeys({"BANK9": training_private_key().public_key()})
    assert info.value.code == "training_key"


# -- the document -----------------------------------------------------------------------------------


def test_expired_form_is_refused() -> None:
    doc = valid_document()
    texts = make_symbols(doc, BANK_KEY, "BANK1")
    assert decode(texts, now=datetime.fromisoformat("2026-12-19T23:59:59+08:00")).verified
    err = refused("expired", texts, now=datetime.fromisoformat("2026-12-20T00:00:00+08:00"))
    assert "/expires_at" in err.message_en


def test_form_id_mismatch_is_refused() -> None:
    doc = valid_document()
    texts = symbols_of_text("EF20261122000999", signed_text(doc))
    err = refused("form_id_mismatch", texts)
    assert "EF20261122000999" in err.message_en and "/form_id" in err.message_en


def test_invalid_form_is_refused_naming_the_field() -> None:
    doc = valid_document()
    doc["customer"]["uscc"] = "91350200M000100Y47"
    err = refused("invalid_form", make_symbols(doc, BANK_KEY, "BANK1"))
    assert "/customer/uscc uscc_check_character" in err.message_en
    assert "/customer/uscc" in err.message_zh
    assert [p.pointer for p in err.problems] == ["/customer/uscc"]  # type: ignore[attr-defined]


def test_missing_required_field_is_refused() -> None:
    doc = valid_document()
    del doc["users"]
    err = refused("invalid_form", make_symbols(doc, BANK_KEY, "BANK1"))
    assert "/users" in err.message_en


def test_document_json_is_compact_utf8() -> None:
    doc = valid_document()
    line = document_line(doc)
    assert b"\n" not in line and "厦门".encode() in line and json.loads(line) == doc
