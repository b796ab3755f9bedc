"""PKCS#10 building and public-key handling of the PKCS#11 driver, with software keys (no device needed).

The token-signed requests are in test_pkcs11.py; here the same builder signs with ``cryptography`` keys, and
OpenSSL and ``cryptography`` check the result.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from asn1crypto import core  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

from drivers.pkcs11 import build_csr, build_name, ecdsa_signature_to_der, key_id_for, same_public_key
from drivers.pkcs11.public_keys import describe_algorithm, ec_point_bytes, ec_public_key_info, rsa_public_key_info, verify_sha256

SUBJECT = [("C", "CN"), ("O", "福州测试贸易有限公司"), ("OU", "企业网银"), ("CN", "张三@0001"), ("serialNumber", "91350100M000100Y43")]

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def spki(key: PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def signer(key: PrivateKey) -> Callable[[bytes], bytes]:
    def sign(data: bytes) -> bytes:
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return key.sign(data, ec.ECDSA(hashes.SHA256()))

    return sign


@pytest.fixture(params=["rsa2048", "ec_p256"])
def software_key(request: pytest.FixtureRequest) -> PrivateKey:
    if request.param == "rsa2048":
        return rsa.generate_private_key(65537, 2048)
    return ec.generate_private_key(ec.SECP256R1())


def test_csr_verifies_and_keeps_the_subject_in_order(software_key: PrivateKey, tmp_path: Path) -> None:
    der = build_csr(spki(software_key), SUBJECT, signer(software_key))
    request = x509.load_der_x509_csr(der)
    assert request.is_signature_valid
    assert request.signature_hash_algorithm is not None and request.signature_hash_algorithm.name == "sha256"
    assert [(a.oid, a.value) for a in request.subject] == [
        (NameOID.COUNTRY_NAME, "CN"),
        (NameOID.ORGANIZATION_NAME, "福州测试贸易有限公司"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, "企业网银"),
        (NameOID.COMMON_NAME, "张三@0001"),
        (NameOID.SERIAL_NUMBER, "91350100M000100Y43"),
    ]
    assert request.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == spki(
        software_key
    )
    if shutil.which("openssl"):
        pem = tmp_path / "request.pem"
        pem.write_bytes(request.public_bytes(serialization.Encoding.PEM))
        checked = subprocess.run(["openssl", "req", "-verify", "-in", str(pem), "-noout"], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0 and "verify OK" in checked.stdout + checked.stderr


def test_name_encodings_follow_x520() -> None:
    name = build_name([("c", "CN"), ("common_name", "李四"), ("2.5.4.10", "O by OID"), ("1.2.156.1.2", "私有"), ("E", "a@b.cn")])
    rdns = [rdn[0] for rdn in name.chosen]
    printable, utf8, ia5 = 0x13, 0x0C, 0x16  # DER tags
    assert [atv["value"].dump()[0] for atv in rdns] == [printable, utf8, utf8, utf8, ia5]
    assert [atv["type"].dotted for atv in rdns] == ["2.5.4.6", "2.5.4.3", "2.5.4.10", "1.2.156.1.2", "1.2.840.113549.1.9.1"]
    assert core.UTF8String.load(rdns[3]["value"].dump()).native == "私有"


@pytest.mark.parametrize(
    "subject",
    [[], [("XX", "x")], [("C", "中国")], [("unique_identifier", "bits")], [("1.2.x", "bad oid")]],
)
def test_bad_subjects_are_refused(subject: list[tuple[str, str]]) -> None:
    with pytest.raises(ValueError):
        build_name(subject)


def test_ecdsa_raw_signature_becomes_der_and_verifies() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.sign(b"data", ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")  # what CKM_ECDSA returns
    assert ecdsa_signature_to_der(raw) == der
    assert verify_sha256(spki(key), b"data", ecdsa_signature_to_der(raw))
    assert not verify_sha256(spki(key), b"other", ecdsa_signature_to_der(raw))
    with pytest.raises(ValueError):
        ecdsa_signature_to_der(raw[:-1])


def test_public_key_info_from_token_attributes(software_key: PrivateKey) -> None:
    public = software_key.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        numbers = public.public_numbers()
        built = rsa_public_key_info(numbers.n.to_bytes(256, "big"), numbers.e.to_bytes(3, "big"))
        assert describe_algorithm(built) == "rsa2048"
    else:
        point = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        params = bytes.fromhex("06082a8648ce3d030107")  # namedCurve secp256r1
        built = ec_public_key_info(params, core.OctetString(point).dump())  # as the standard says
        assert ec_public_key_info(params, point) == built  # as some modules give it: the raw point
        assert ec_point_bytes(core.OctetString(point).dump()) == point == ec_point_bytes(point)
        assert describe_algorithm(built) == "ec_p256"
    assert built == spki(software_key)
    assert same_public_key(built, spki(software_key))


def test_key_id_is_the_subject_key_identifier_method_1(software_key: PrivateKey) -> None:
    expected = x509.SubjectKeyIdentifier.from_public_key(software_key.public_key()).digest
    assert key_id_for(spki(software_key)) == expected
    other = ec.generate_private_key(ec.SECP256R1())
    assert not same_public_key(spki(software_key), spki(other))
