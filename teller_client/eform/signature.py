"""Line 2 of the payload: ``{"alg":"Ed25519","kid":...,"sig":...}`` over the exact bytes of line 1."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from teller_client.eform.errors import EformError
from teller_client.eform.keys import TRAINING_KID, TrustedKeys

ALG = "Ed25519"
_B64URL = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Verdict:
    verified: bool
    kid: str | None
    """The key that verified the form (``None`` when unverified)."""
    reason: EformError | None = None
    """Why the form is unverified (when unsigned forms are allowed)."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def signature_line(document_line: bytes, private_key: Ed25519PrivateKey, kid: str) -> bytes:
    """Line 2 for ``document_line``."""
    sig = b64url(private_key.sign(document_line))
    return json.dumps({"alg": ALG, "kid": kid, "sig": sig}, separators=(",", ":")).encode("ascii")


def _bad_signature(detail_en: str, detail_zh: str) -> EformError:
    return EformError(
        "bad_signature",
        f"The e-form's signature is not valid ({detail_en}): the printed form may have been altered or not come from the bank.",
        f"电子填单的签名无效（{detail_zh}）：纸质表单可能被改动，或不是本行系统打印的。",
    )


def _check(document_line: bytes, line: bytes | None, trusted: TrustedKeys) -> str:
    """The ``kid`` that verifies ``document_line``; raise why not."""
    if line is None:
        raise EformError(
            "unsigned",
            "The e-form is not signed, so it cannot be shown to come from the bank.",
            "电子填单没有签名，无法证明来自本行系统。",
        )
    try:
        fields = json.loads(line.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise _bad_signature("the signature line is not JSON", "签名行不是 JSON") from exc
    if not isinstance(fields, dict) or fields.get("alg") != ALG:
        raise _bad_signature("the algorithm is not Ed25519", "算法不是 Ed25519")
    kid, sig = fields.get("kid"), fields.get("sig")
    if not isinstance(kid, str) or not isinstance(sig, str) or not _B64URL.fullmatch(sig):
        raise _bad_signature("kid or sig missing or malformed", "kid 或 sig 缺失或格式错误")
    key = trusted.get(kid)
    if key is None:
        shown = kid[:40]
        if kid == TRAINING_KID:
            raise EformError(
                "unknown_key",
                "The e-form is signed with the training key, which is trusted only in training mode.",
                "电子填单由培训密钥签名，只有培训模式才信任该密钥。",
            )
        raise EformError(
            "unknown_key",
            f"The e-form is signed with key '{shown}', which this counter does not trust.",
            f"电子填单由密钥“{shown}”签名，本柜台不信任该密钥。",
        )
    try:
        signature = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
    except (binascii.Error, ValueError) as exc:
        raise _bad_signature("sig is not base64url", "sig 不是 base64url") from exc
    try:
        key.verify(signature, document_line)
    except InvalidSignature as exc:
        raise _bad_signature("the content does not match the signature", "内容与签名不符") from exc
    return kid


def verify(document_line: bytes, line: bytes | None, trusted: TrustedKeys, *, allow_unsigned: bool = False) -> Verdict:
    """Whether line 1 is signed by a trusted key; with ``allow_unsigned`` a failure gives an unverified verdict."""
    try:
        return Verdict(True, _check(document_line, line, trusted))
    except EformError as exc:
        if allow_unsigned:
            return Verdict(False, None, exc)
        raise
