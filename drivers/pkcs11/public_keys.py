"""Public keys as DER ``SubjectPublicKeyInfo``: built from token attributes, compared, identified, verified.

No PKCS#11 here: RSA keys come from ``CKA_MODULUS``/``CKA_PUBLIC_EXPONENT``, EC keys from ``CKA_EC_PARAMS``/
``CKA_EC_POINT`` (DER OCTET STRING as the standard says, or the raw point as some modules give it).
A key's default ``CKA_ID`` is the SHA-1 of its ``subjectPublicKey`` bits: RFC 5280's method (1) for the Subject
Key Identifier, so a certificate made by a CA that uses that method names its key on the token.
"""

from __future__ import annotations

import hashlib

from asn1crypto import core, keys, x509  # type: ignore[import-untyped]
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from drivers.pkcs11.errors import Pkcs11Error


def rsa_public_key_info(modulus: bytes, public_exponent: bytes) -> bytes:
    key = keys.RSAPublicKey({"modulus": int.from_bytes(modulus, "big"), "public_exponent": int.from_bytes(public_exponent, "big")})
    return bytes(keys.PublicKeyInfo({"algorithm": {"algorithm": "rsa", "parameters": core.Null()}, "public_key": key}).dump())


def ec_point_bytes(ec_point: bytes) -> bytes:
    """The raw point from ``CKA_EC_POINT``, whether the module wrapped it in a DER OCTET STRING or not."""
    if len(ec_point) >= 2 and ec_point[0] == 0x04:
        try:
            inner = core.OctetString.load(ec_point, strict=True).native
        except ValueError:
            inner = None
        if isinstance(inner, bytes) and inner and inner[0] in (0x02, 0x03, 0x04):
            return inner
    return ec_point


def ec_public_key_info(ec_params: bytes, ec_point: bytes) -> bytes:
    parameters = keys.ECDomainParameters.load(ec_params)
    spki = keys.PublicKeyInfo({"algorithm": {"algorithm": "ec", "parameters": parameters}, "public_key": ec_point_bytes(ec_point)})
    return bytes(spki.dump())


def key_id_for(public_key_info: bytes) -> bytes:
    """SHA-1 of the ``subjectPublicKey`` BIT STRING's contents (RFC 5280 4.2.1.2, method 1)."""
    spki = keys.PublicKeyInfo.load(public_key_info)
    return hashlib.sha1(spki["public_key"].contents[1:], usedforsecurity=False).digest()  # skip the unused-bits byte


def describe_algorithm(public_key_info: bytes) -> str:
    """``rsa2048``, ``ec_p256``, or the like for other sizes and curves."""
    spki = keys.PublicKeyInfo.load(public_key_info)
    if spki.algorithm == "rsa":
        return f"rsa{spki.bit_size}"
    if spki.algorithm == "ec":
        curve = spki.curve[1]
        return "ec_p256" if curve == "secp256r1" else f"ec_{curve}"
    return str(spki.algorithm)


def same_public_key(a: bytes, b: bytes) -> bool:
    """Whether two ``SubjectPublicKeyInfo`` hold the same key (encodings of the parameters may differ)."""
    return _normal_form(a) == _normal_form(b)


def _normal_form(public_key_info: bytes) -> tuple[object, ...]:
    spki = keys.PublicKeyInfo.load(public_key_info)
    if spki.algorithm == "rsa":
        native = spki["public_key"].parsed.native
        return ("rsa", native["modulus"], native["public_exponent"])
    if spki.algorithm == "ec":
        return ("ec", spki.curve[1], bytes(spki["public_key"]))
    return (spki.algorithm, spki["public_key"].dump())


def certificate_public_key_info(certificate: bytes) -> bytes:
    """The DER ``SubjectPublicKeyInfo`` of a DER certificate; ``certificate_invalid`` if it does not parse."""
    try:
        cert = x509.Certificate.load(certificate, strict=True)
        return bytes(cert.public_key.dump())
    except (ValueError, TypeError) as exc:
        raise Pkcs11Error("certificate_invalid", operation="read_certificate") from exc


def verify_sha256(public_key_info: bytes, data: bytes, signature: bytes) -> bool:
    """Whether ``signature`` (X.509 encoding) is a SHA-256 RSA PKCS#1 v1.5 or ECDSA signature of ``data``."""
    key = serialization.load_der_public_key(public_key_info)
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True
