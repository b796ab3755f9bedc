"""Checks on a certificate before it goes on a UKey or is handed over: chain, key, validity, UKey serial.

A certificate from the central service is installed only when it is signed by the CA its chain ends in,
holds the very key the UKey made, is valid now, and names the UKey it is for. A pre-made UKey's certificate
is bound only when it is the one the stock ledger lists for that UKey. Every refusal is a
:class:`~teller_client.errors.TellerError` with code ``certificate_invalid`` and says which check failed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import core  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from teller_client.errors import TellerError

TOKEN_SERIAL_OID = x509.ObjectIdentifier("1.3.6.1.4.1.55555.1.1")
"""Where the central CA names the UKey in the certificate's SubjectAlternativeName (an ``otherName``)."""


@dataclass(frozen=True)
class CheckedCertificate:
    der: bytes
    serial_hex: str
    not_after: datetime
    issuer: str
    public_key_info: bytes


def _refuse(en: str, zh: str) -> TellerError:
    return TellerError(en, zh, code="certificate_invalid")


def load_certificate(data: str | bytes) -> x509.Certificate:
    """A PEM (text) or DER (bytes) certificate; ``certificate_invalid`` when it is neither."""
    try:
        if isinstance(data, str):
            return x509.load_pem_x509_certificate(data.encode("ascii"))
        return x509.load_der_x509_certificate(data)
    except (ValueError, UnicodeEncodeError):
        raise _refuse("The certificate cannot be read.", "证书无法解析。") from None


def public_key_info(cert: x509.Certificate) -> bytes:
    return cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def serial_hex(cert: x509.Certificate) -> str:
    return f"{cert.serial_number:X}"


def check_chain(cert: x509.Certificate, chain: list[x509.Certificate]) -> None:
    """Each certificate is signed by the next; the last one is self-signed (the CA)."""
    links = [cert, *chain]
    if not chain:
        raise _refuse("The certificate came without its CA chain.", "证书缺少签发机构证书链。")
    try:
        for child, parent in itertools.pairwise(links):
            child.verify_directly_issued_by(parent)
        links[-1].verify_directly_issued_by(links[-1])
    except (InvalidSignature, ValueError, TypeError):
        raise _refuse("The certificate does not verify against its CA chain.", "证书无法通过签发机构证书链验证。") from None


def token_serial_in(cert: x509.Certificate) -> str | None:
    """The UKey serial the certificate names, or ``None`` when it names none."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None
    for name in san.get_values_for_type(x509.OtherName):
        if name.type_id == TOKEN_SERIAL_OID:
            try:
                return str(core.UTF8String.load(name.value).native)
            except (ValueError, TypeError):
                raise _refuse("The certificate names its UKey in a form that cannot be read.", "证书中的 UKey 序列号无法解析。") from None
    return None


def check_issued(
    certificate_pem: str, chain_pem: list[str], *, token_key_info: bytes, token_serial: str, now: datetime | None = None
) -> CheckedCertificate:
    """The checks before installing a certificate the central service issued for the UKey's key."""
    cert = load_certificate(certificate_pem)
    check_chain(cert, [load_certificate(pem) for pem in chain_pem])
    return _checked(cert, token_key_info=token_key_info, token_serial=token_serial, now=now)


def check_premade(
    der: bytes, *, token_key_info: bytes, token_serial: str, ledger_serial: str | None, now: datetime | None = None
) -> CheckedCertificate:
    """The checks before binding a pre-made UKey's certificate: the ledger's certificate, on its UKey, for its key."""
    cert = load_certificate(der)
    if ledger_serial is None or serial_hex(cert).upper() != ledger_serial.upper():
        raise _refuse(
            "The certificate on this UKey is not the one the stock ledger lists for it.",
            "该 UKey 中的证书与库存登记的预制证书不符。",
        )
    return _checked(cert, token_key_info=token_key_info, token_serial=token_serial, now=now)


def _checked(cert: x509.Certificate, *, token_key_info: bytes, token_serial: str, now: datetime | None) -> CheckedCertificate:
    if public_key_info(cert) != token_key_info:
        raise _refuse("The certificate does not hold this UKey's key.", "证书中的公钥不是该 UKey 的密钥。")
    moment = now or datetime.now(UTC)
    if not cert.not_valid_before_utc <= moment <= cert.not_valid_after_utc:
        raise _refuse("The certificate is not valid now (check the computer's clock).", "证书当前不在有效期内（请检查本机时间）。")
    named = token_serial_in(cert)
    if named is not None and named != token_serial:
        raise _refuse(f"The certificate is for UKey {named}, not this one.", f"该证书属于 UKey {named}，不是当前 UKey。")
    return CheckedCertificate(
        der=cert.public_bytes(serialization.Encoding.DER),
        serial_hex=serial_hex(cert),
        not_after=cert.not_valid_after_utc,
        issuer=cert.issuer.rfc4514_string(),
        public_key_info=token_key_info,
    )
