"""PKCS#10 certification requests built with asn1crypto and signed by a callback (the token, in practice).

Independent of PKCS#11: :func:`build_csr` takes the ``SubjectPublicKeyInfo`` and a ``sign`` function that
receives the DER ``CertificationRequestInfo`` and returns the signature as X.509 carries it (RSA: the PKCS#1 v1.5
block; ECDSA: the DER ``Ecdsa-Sig-Value``; :func:`ecdsa_signature_to_der` turns a token's raw ``r || s`` into it).

The subject is a list of ``(attribute, value)`` pairs in DER order (most significant first, as in
``openssl req -subj /C=CN/O=.../CN=...``). An attribute is a short name (``CN``, ``O``, ``OU``, ``C``, ``ST``,
``L``, ``serialNumber``, ``emailAddress``, ...), an asn1crypto name (``common_name``) or a dotted OID.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal

from asn1crypto import algos, core, csr, keys, x509  # type: ignore[import-untyped]

SignatureAlgorithm = Literal["sha256_rsa", "sha256_ecdsa"]

SHORT_NAMES: dict[str, str] = {
    "CN": "common_name",
    "C": "country_name",
    "ST": "state_or_province_name",
    "S": "state_or_province_name",
    "L": "locality_name",
    "O": "organization_name",
    "OU": "organizational_unit_name",
    "STREET": "street_address",
    "SN": "surname",
    "GN": "given_name",
    "GIVENNAME": "given_name",
    "T": "title",
    "TITLE": "title",
    "SERIALNUMBER": "serial_number",
    "E": "email_address",
    "EMAIL": "email_address",
    "EMAILADDRESS": "email_address",
    "DC": "domain_component",
    "UID": "user_id",
    "POSTALCODE": "postal_code",
    "ORGANIZATIONIDENTIFIER": "organization_identifier",
    "BUSINESSCATEGORY": "business_category",
}
"""Short names (case-insensitive) to asn1crypto attribute names."""

_OID = re.compile(r"^[0-2](\.(0|[1-9][0-9]*))+$")
_PRINTABLE_ONLY = {"country_name", "serial_number", "dn_qualifier"}
_PRINTABLE = re.compile(r"^[A-Za-z0-9 '()+,\-./:=?]*$")


def attribute_type(name: str) -> str:
    """The asn1crypto name (or dotted OID) for a short name, asn1crypto name or dotted OID; ``ValueError`` if unknown."""
    if _OID.match(name):
        return str(x509.NameType.map(name))  # a known OID becomes its name; an unknown one stays dotted
    short = SHORT_NAMES.get(name.upper())
    if short is not None:
        return short
    if name in x509.NameType._map.values():
        return name
    raise ValueError(f"unknown subject attribute {name!r}: use a short name, an asn1crypto name or a dotted OID")


def build_name(subject: Sequence[tuple[str, str]]) -> x509.Name:
    """An X.501 name with one attribute per RDN, in the given order; UTF8String except where X.520 says otherwise."""
    if not subject:
        raise ValueError("the subject needs at least one attribute")
    rdns = []
    for name, text in subject:
        kind = attribute_type(name)
        value = _attribute_value(kind, text)
        rdns.append(x509.RelativeDistinguishedName([x509.NameTypeAndValue({"type": kind, "value": value})]))
    return x509.Name(name="", value=x509.RDNSequence(rdns))


def _attribute_value(kind: str, text: str) -> core.Asn1Value:
    spec = x509.NameTypeAndValue._oid_specs.get(kind)
    if spec is None:  # an OID asn1crypto does not know: a UTF8String
        return core.UTF8String(text)
    if spec is x509.DirectoryString:
        if kind in _PRINTABLE_ONLY:
            if not _PRINTABLE.match(text):
                raise ValueError(f"subject attribute {kind!r} takes PrintableString characters only")
            return x509.DirectoryString(name="printable_string", value=core.PrintableString(text))
        return x509.DirectoryString(name="utf8_string", value=core.UTF8String(text))
    if issubclass(spec, core.AbstractString):
        value: core.Asn1Value = spec(text)
        return value
    raise ValueError(f"subject attribute {kind!r} does not hold text")


def signature_algorithm_for(public_key_info: keys.PublicKeyInfo) -> SignatureAlgorithm:
    """SHA-256 with the key's own algorithm."""
    algorithm = public_key_info.algorithm
    if algorithm == "rsa":
        return "sha256_rsa"
    if algorithm == "ec":
        return "sha256_ecdsa"
    raise ValueError(f"no signature algorithm for {algorithm} keys")


def certification_request_info(
    public_key_info: bytes | keys.PublicKeyInfo, subject: Sequence[tuple[str, str]]
) -> csr.CertificationRequestInfo:
    """The to-be-signed part: version 1 (``v1``), subject, key, no attributes."""
    spki = public_key_info if isinstance(public_key_info, keys.PublicKeyInfo) else keys.PublicKeyInfo.load(public_key_info)
    return csr.CertificationRequestInfo(
        {"version": "v1", "subject": build_name(subject), "subject_pk_info": spki, "attributes": csr.CRIAttributes([])}
    )


def build_csr(
    public_key_info: bytes | keys.PublicKeyInfo,
    subject: Sequence[tuple[str, str]],
    sign: Callable[[bytes], bytes],
    *,
    signature_algorithm: SignatureAlgorithm | None = None,
) -> bytes:
    """The DER PKCS#10 request: ``sign`` gets the DER ``CertificationRequestInfo`` and returns the X.509 signature."""
    info = certification_request_info(public_key_info, subject)
    algorithm = signature_algorithm or signature_algorithm_for(info["subject_pk_info"])
    parameters = {"parameters": core.Null()} if algorithm == "sha256_rsa" else {}
    signature = sign(info.dump())
    request = csr.CertificationRequest(
        {
            "certification_request_info": info,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": algorithm, **parameters}),
            "signature": signature,
        }
    )
    return bytes(request.dump())


def ecdsa_signature_to_der(raw: bytes) -> bytes:
    """A PKCS#11 ``CKM_ECDSA`` signature (``r || s``, each the curve's size) as the DER ``Ecdsa-Sig-Value``."""
    if not raw or len(raw) % 2:
        raise ValueError("an ECDSA signature from the token is r || s of equal lengths")
    half = len(raw) // 2
    r = int.from_bytes(raw[:half], "big")
    s = int.from_bytes(raw[half:], "big")
    return bytes(algos.DSASignature({"r": r, "s": s}).dump())
