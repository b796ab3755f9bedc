"""Sign a form document and split it into symbol texts (training, tests, sample forms)."""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from teller_client.eform.errors import EformError
from teller_client.eform.payload import encode_payload
from teller_client.eform.signature import signature_line
from teller_client.eform.symbols import FORM_ID, MAX_PARTS, TAG, make_symbol

DEFAULT_MAX_PART_CHARS = 800


def document_line(doc: dict[str, Any]) -> bytes:
    """Line 1: the document as compact JSON."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def sign_document(doc: dict[str, Any], private_key: Ed25519PrivateKey, kid: str) -> str:
    """The payload string of ``doc`` signed by ``private_key`` under ``kid``."""
    line = document_line(doc)
    return encode_payload((line + b"\n" + signature_line(line, private_key, kid)).decode("utf-8"))


def split_payload(form_id: str, payload: str, max_part_chars: int = DEFAULT_MAX_PART_CHARS) -> list[str]:
    """The fewest symbol texts, each at most ``max_part_chars`` long, that carry ``payload``."""
    if not FORM_ID.fullmatch(form_id):
        raise EformError(
            "bad_format",
            f"The form number '{form_id[:40]}' is not 1 to 32 upper-case letters or digits.",
            f"表单编号“{form_id[:40]}”不是 1 到 32 位大写字母或数字。",
        )
    for total in range(1, MAX_PARTS + 1):
        room = max_part_chars - len(f"{TAG}:{form_id}:{total}:{total}:{0:08X}:")
        if room >= 1 and -(-len(payload) // room) <= total:
            size = -(-len(payload) // total)
            return [make_symbol(form_id, i + 1, total, payload[i * size : (i + 1) * size]) for i in range(total)]
    raise EformError(
        "too_many_parts",
        f"The form does not fit in {MAX_PARTS} barcodes of {max_part_chars} characters.",
        f"表单内容无法放入 {MAX_PARTS} 个 {max_part_chars} 字符的条码。",
    )


def make_symbols(doc: dict[str, Any], private_key: Ed25519PrivateKey, kid: str, max_part_chars: int = DEFAULT_MAX_PART_CHARS) -> list[str]:
    """The symbol texts of ``doc``, signed; ``FORM_ID`` is the document's ``form_id``."""
    form_id = doc.get("form_id")
    return split_payload(form_id if isinstance(form_id, str) else "", sign_document(doc, private_key, kid), max_part_chars)
