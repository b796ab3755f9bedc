"""The training CA: real keys, real certificates, a real TLS handshake; nothing mocked."""

from __future__ import annotations

import os
import pickle
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path
from typing import TypedDict, TypeVar

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import PolicyBuilder, Store  # cryptography >= 43, as pyproject pins

from teller_client.errors import ConfigurationError, TellerError
from teller_client.training.ca import (
    CA_COMMON_NAME,
    CA_ORGANIZATION,
    TOKEN_SERIAL_OID,
    CsrInvalidError,
    PremadeCertificate,
    TrainingCA,
    token_serial_of,
    verify_chain,
)

E = TypeVar("E", bound=x509.ExtensionType)


class Order(TypedDict):
    """The order data the service passes to ``TrainingCA.issue`` besides the request and key type."""

    common_name: str
    organization: str
    token_serial: str
    user_no: str


ORDER: Order = {"common_name": "张三", "organization": "某某科技有限公司", "token_serial": "UK-TRAIN-000123", "user_no": "U0001"}


def with_token(token_serial: str) -> Order:
    return {**ORDER, "token_serial": token_serial}


# -- helpers and fixtures --------------------------------------------------------------------------


def make_csr(key: CertificateIssuerPrivateKeyTypes, common_name: str = "attacker") -> str:
    """A PKCS#10 request made the way a UKey middleware would, with a subject the CA must ignore."""
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .sign(key, None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM).decode("ascii")


def der_to_csr_pem(der: bytes) -> str:
    return x509.load_der_x509_csr(der).public_bytes(serialization.Encoding.PEM).decode("ascii")


def load(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def ext(cert: x509.Certificate, kind: type[E]) -> x509.Extension[E]:
    return cert.extensions.get_extension_for_class(kind)


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> TrainingCA:
    return TrainingCA.load_or_create(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def rsa2048() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec256() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def keys(rsa2048: rsa.RSAPrivateKey, ec256: ec.EllipticCurvePrivateKey) -> dict[str, CertificateIssuerPrivateKeyTypes]:
    return {"rsa2048": rsa2048, "ec_p256": ec256}


class Clock:
    """A settable clock for validity tests (aware UTC)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


# -- the CA itself ---------------------------------------------------------------------------------


def test_ca_is_created_once_and_reloaded_identical(tmp_path: Path) -> None:
    first = TrainingCA.load_or_create(tmp_path)
    key_before = (tmp_path / "ca-key.pem").read_bytes()
    again = TrainingCA.load_or_create(tmp_path)

    assert again.certificate_pem == first.certificate_pem
    assert (tmp_path / "ca-key.pem").read_bytes() == key_before
    assert first.certificate_path == tmp_path / "ca-cert.pem"
    assert first.certificate_path.read_text(encoding="ascii") == first.certificate_pem
    assert load(again.certificate_pem).serial_number == load(first.certificate_pem).serial_number
    # the reloaded CA signs with the same key: its certificates verify against the first one's certificate
    premade = again.mint_premade(key_type="ec_p256", token_serial="UK1")
    verify_chain(premade.pem, first.certificate_pem)


def test_ca_certificate_profile(ca: TrainingCA) -> None:
    cert = load(ca.certificate_pem)
    assert cert.subject == cert.issuer
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == CA_COMMON_NAME
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == CA_ORGANIZATION
    key = cert.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)
    assert timedelta(days=3650) <= cert.not_valid_after_utc - cert.not_valid_before_utc <= timedelta(days=3654)
    basic = ext(cert, x509.BasicConstraints)
    assert basic.critical and basic.value == x509.BasicConstraints(ca=True, path_length=0)
    usage = ext(cert, x509.KeyUsage)
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign and not usage.value.digital_signature
    ski = ext(cert, x509.SubjectKeyIdentifier).value
    assert ski == x509.SubjectKeyIdentifier.from_public_key(key)
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)
    cert.verify_directly_issued_by(cert)  # self-signed


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_ca_key_file_is_readable_by_its_owner_only(ca: TrainingCA) -> None:
    key_path = ca.certificate_path.with_name("ca-key.pem")
    assert key_path.stat().st_mode & 0o777 == 0o600
    assert b"BEGIN PRIVATE KEY" in key_path.read_bytes()  # PKCS#8


def test_chain_ends_with_the_ca(ca: TrainingCA) -> None:
    assert ca.chain() == [ca.certificate_pem]


def test_a_certificate_without_its_key_is_a_damaged_ca(tmp_path: Path) -> None:
    TrainingCA.load_or_create(tmp_path)
    (tmp_path / "ca-key.pem").unlink()
    with pytest.raises(ConfigurationError, match="damaged"):
        TrainingCA.load_or_create(tmp_path)


def test_a_key_from_another_ca_is_a_damaged_ca(tmp_path: Path) -> None:
    TrainingCA.load_or_create(tmp_path / "a")
    TrainingCA.load_or_create(tmp_path / "b")
    (tmp_path / "a" / "ca-key.pem").write_bytes((tmp_path / "b" / "ca-key.pem").read_bytes())
    with pytest.raises(ConfigurationError, match="does not match"):
        TrainingCA.load_or_create(tmp_path / "a")


def test_a_key_without_a_certificate_is_replaced_by_a_new_ca(tmp_path: Path) -> None:
    TrainingCA.load_or_create(tmp_path)
    (tmp_path / "ca-cert.pem").unlink()  # e.g. a crash between writing the key and the certificate
    fresh = TrainingCA.load_or_create(tmp_path)
    assert TrainingCA.load_or_create(tmp_path).certificate_pem == fresh.certificate_pem


# -- issuing from a CSR ----------------------------------------------------------------------------


@pytest.mark.parametrize("key_type", ["rsa2048", "ec_p256"])
def test_issue_takes_the_subject_from_the_order_not_the_csr(
    ca: TrainingCA, keys: dict[str, CertificateIssuerPrivateKeyTypes], key_type: str
) -> None:
    csr_pem = make_csr(keys[key_type])
    issued = ca.issue(csr_pem, key_type=key_type, **ORDER)
    cert = load(issued.pem)

    assert cert.subject == x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORDER["organization"]),
            x509.NameAttribute(NameOID.COMMON_NAME, ORDER["common_name"]),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, ORDER["user_no"]),
        ]
    )
    assert b"attacker" not in cert.public_bytes(serialization.Encoding.DER)
    assert cert.issuer == load(ca.certificate_pem).subject


@pytest.mark.parametrize("key_type", ["rsa2048", "ec_p256"])
def test_issued_certificate_profile(ca: TrainingCA, keys: dict[str, CertificateIssuerPrivateKeyTypes], key_type: str) -> None:
    issued = ca.issue(make_csr(keys[key_type]), key_type=key_type, **ORDER)
    cert = load(issued.pem)
    ca_cert = load(ca.certificate_pem)

    assert cert.version == x509.Version.v3
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)
    assert 0 < cert.serial_number < 2**128 and cert.serial_number.bit_length() == 128
    assert issued.serial_hex == format(cert.serial_number, "X") and issued.serial_hex.isupper() and len(issued.serial_hex) == 32
    assert issued.not_after == cert.not_valid_after_utc and issued.not_after.tzinfo is not None
    assert issued.not_after.utcoffset() == timedelta(0)
    assert timedelta(days=729) < issued.not_after - datetime.now(UTC) <= timedelta(days=730)
    assert cert.not_valid_before_utc <= datetime.now(UTC)

    basic = ext(cert, x509.BasicConstraints)
    assert basic.critical and basic.value.ca is False
    usage = ext(cert, x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    assert usage.value.key_encipherment is (key_type == "rsa2048")
    assert list(ext(cert, x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    aki = ext(cert, x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == ext(ca_cert, x509.SubjectKeyIdentifier).value.digest
    assert ext(cert, x509.SubjectKeyIdentifier).value == x509.SubjectKeyIdentifier.from_public_key(cert.public_key())
    san = ext(cert, x509.SubjectAlternativeName)
    assert not san.critical
    assert san.value.get_values_for_type(x509.OtherName)[0].type_id == TOKEN_SERIAL_OID
    assert cert.public_key() == keys[key_type].public_key()


@pytest.mark.parametrize("key_type", ["rsa2048", "ec_p256"])
def test_issued_certificate_verifies_against_the_ca(
    ca: TrainingCA, keys: dict[str, CertificateIssuerPrivateKeyTypes], key_type: str
) -> None:
    issued = ca.issue(make_csr(keys[key_type]), key_type=key_type, **ORDER)
    cert, ca_cert = load(issued.pem), load(ca.certificate_pem)

    cert.verify_directly_issued_by(ca_cert)
    verify_chain(issued.pem, ca.chain()[-1])
    # full RFC 5280 / WebPKI path validation with the client-auth profile (it insists on a SubjectAlternativeName)
    verified = PolicyBuilder().store(Store([ca_cert])).build_client_verifier().verify(cert, [])
    assert verified.chain == [cert, ca_cert]


def test_token_serial_is_read_back(ca: TrainingCA, ec256: ec.EllipticCurvePrivateKey) -> None:
    issued = ca.issue(make_csr(ec256), key_type="ec_p256", **with_token("ÜK 序列号-42"))
    assert token_serial_of(issued.pem) == "ÜK 序列号-42"
    assert token_serial_of(ca.certificate_pem) is None


def test_a_long_token_serial_survives_the_der_long_length_form(ca: TrainingCA, ec256: ec.EllipticCurvePrivateKey) -> None:
    serial = "S" * 300
    issued = ca.issue(make_csr(ec256), key_type="ec_p256", **with_token(serial))
    assert token_serial_of(issued.pem) == serial


def test_the_same_csr_twice_gives_the_same_key_hash(ca: TrainingCA, rsa2048: rsa.RSAPrivateKey) -> None:
    csr_pem = make_csr(rsa2048)
    one = ca.issue(csr_pem, key_type="rsa2048", **ORDER)
    two = ca.issue(csr_pem, key_type="rsa2048", **ORDER)
    assert one.public_key_sha256 == two.public_key_sha256 == TrainingCA.csr_public_key_sha256(csr_pem)
    assert len(one.public_key_sha256) == 64
    assert one.serial_hex != two.serial_hex
    other = TrainingCA.csr_public_key_sha256(make_csr(rsa.generate_private_key(public_exponent=65537, key_size=2048)))
    assert other != one.public_key_sha256


def test_csr_public_key_sha256_of_garbage_is_unreadable() -> None:
    with pytest.raises(CsrInvalidError) as caught:
        TrainingCA.csr_public_key_sha256("not a request")
    assert caught.value.reason == "unreadable"


def test_validity_never_outlasts_the_ca(tmp_path: Path, ec256: ec.EllipticCurvePrivateKey) -> None:
    clock = Clock(datetime.now(UTC))
    TrainingCA.load_or_create(tmp_path, clock=clock)
    clock.now += timedelta(days=3000)  # about eight years on: less than 730 days left
    late = TrainingCA.load_or_create(tmp_path, clock=clock)
    issued = late.issue(make_csr(ec256), key_type="ec_p256", **ORDER)
    assert issued.not_after == load(late.certificate_pem).not_valid_after_utc


def test_days_sets_the_validity(ca: TrainingCA, ec256: ec.EllipticCurvePrivateKey) -> None:
    issued = ca.issue(make_csr(ec256), key_type="ec_p256", days=30, **ORDER)
    assert timedelta(days=29) < issued.not_after - datetime.now(UTC) <= timedelta(days=30)


# -- refused requests ------------------------------------------------------------------------------


def _tampered_signature(key: CertificateIssuerPrivateKeyTypes) -> str:
    """A request whose signature has one bit flipped inside the signature BIT STRING."""
    csr = x509.load_pem_x509_csr(make_csr(key).encode("ascii"))
    der = bytearray(csr.public_bytes(serialization.Encoding.DER))
    start = bytes(der).rfind(csr.signature)
    assert start > 0 and start + len(csr.signature) == len(der)  # the signature is the request's last field
    der[start + len(csr.signature) - 2] ^= 0x01  # inside the value (for ECDSA: inside the INTEGER s, DER stays valid)
    return der_to_csr_pem(bytes(der))


def _tampered_subject(key: CertificateIssuerPrivateKeyTypes) -> str:
    """A request whose signed part was changed after signing (CN=attacker -> CN=attackez)."""
    der = x509.load_pem_x509_csr(make_csr(key).encode("ascii")).public_bytes(serialization.Encoding.DER)
    assert der.count(b"attacker") == 1
    return der_to_csr_pem(der.replace(b"attacker", b"attackez"))


REFUSALS: dict[str, tuple[Callable[[dict[str, CertificateIssuerPrivateKeyTypes]], str], str, str]] = {
    # name: (how to make the request, ordered key type, expected reason)
    "ec_for_rsa_order": (lambda k: make_csr(k["ec_p256"]), "rsa2048", "wrong_key_type"),
    "rsa_for_ec_order": (lambda k: make_csr(k["rsa2048"]), "ec_p256", "wrong_key_type"),
    "ed25519": (lambda k: make_csr(ed25519.Ed25519PrivateKey.generate()), "ec_p256", "wrong_key_type"),
    "rsa1024": (lambda k: make_csr(rsa.generate_private_key(public_exponent=65537, key_size=1024)), "rsa2048", "wrong_key_size"),
    "rsa3072": (lambda k: make_csr(rsa.generate_private_key(public_exponent=65537, key_size=3072)), "rsa2048", "wrong_key_size"),
    "ec_p384": (lambda k: make_csr(ec.generate_private_key(ec.SECP384R1())), "ec_p256", "wrong_key_size"),
    "tampered_rsa_signature": (lambda k: _tampered_signature(k["rsa2048"]), "rsa2048", "bad_signature"),
    "tampered_ec_signature": (lambda k: _tampered_signature(k["ec_p256"]), "ec_p256", "bad_signature"),
    "tampered_subject": (lambda k: _tampered_subject(k["ec_p256"]), "ec_p256", "bad_signature"),
    "garbage": (lambda k: "hello, I am a certificate request", "ec_p256", "unreadable"),
    "empty": (lambda k: "", "ec_p256", "unreadable"),
    "pem_of_garbage": (lambda k: "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", "ec_p256", "unreadable"),
    "truncated": (lambda k: make_csr(k["ec_p256"])[:200] + "\n-----END CERTIFICATE REQUEST-----\n", "ec_p256", "unreadable"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_bad_requests_are_refused_with_the_right_reason(
    ca: TrainingCA, keys: dict[str, CertificateIssuerPrivateKeyTypes], case: str
) -> None:
    make, key_type, reason = REFUSALS[case]
    with pytest.raises(CsrInvalidError) as caught:
        ca.issue(make(keys), key_type=key_type, **ORDER)
    err = caught.value
    assert err.reason == reason
    assert err.code == "csr_invalid" and isinstance(err, TellerError)
    text = str(err)
    assert text[0].isupper() and text.endswith(".") and "certificate request" in text
    assert err.message("zh") != text


def test_a_certificate_is_not_a_request(ca: TrainingCA) -> None:
    with pytest.raises(CsrInvalidError) as caught:
        ca.issue(ca.certificate_pem, key_type="ec_p256", **ORDER)
    assert caught.value.reason == "unreadable"


def test_wrong_size_message_names_the_sizes(ca: TrainingCA) -> None:
    with pytest.raises(CsrInvalidError, match=r"1024 bits; the order needs exactly 2048"):
        ca.issue(make_csr(rsa.generate_private_key(public_exponent=65537, key_size=1024)), key_type="rsa2048", **ORDER)


def test_csr_invalid_error_survives_pickling() -> None:
    err = pickle.loads(pickle.dumps(CsrInvalidError("bad_signature", "Altered.", "被改动。")))
    assert (err.reason, str(err), err.message("zh")) == ("bad_signature", "Altered.", "被改动。")
    assert str(CsrInvalidError("unreadable")).startswith("The certificate request")


@pytest.mark.parametrize(
    "change",
    [{"key_type": "rsa4096"}, {"token_serial": ""}, {"token_serial": " UK1"}, {"days": 0}, {"common_name": "x" * 65}],
    ids=["unknown_key_type", "empty_token", "padded_token", "zero_days", "cn_too_long"],
)
def test_bad_order_arguments_are_the_callers_fault(ca: TrainingCA, ec256: ec.EllipticCurvePrivateKey, change: dict[str, object]) -> None:
    arguments: dict[str, object] = {**ORDER, "key_type": "ec_p256", **change}
    with pytest.raises(ValueError) as caught:
        ca.issue(make_csr(ec256), **arguments)  # type: ignore[arg-type]
    assert not isinstance(caught.value, CsrInvalidError)


# -- verify_chain ----------------------------------------------------------------------------------


def test_verify_chain_refuses_another_cas_certificate(tmp_path: Path, ca: TrainingCA, ec256: ec.EllipticCurvePrivateKey) -> None:
    other = TrainingCA.load_or_create(tmp_path)  # same names, different key
    issued = other.issue(make_csr(ec256), key_type="ec_p256", **ORDER)
    verify_chain(issued.pem, other.certificate_pem)
    with pytest.raises(ValueError, match="signature"):
        verify_chain(issued.pem, ca.certificate_pem)
    with pytest.raises(ValueError):
        verify_chain("garbage", ca.certificate_pem)


def test_verify_chain_refuses_a_different_issuer_name(ca: TrainingCA, ec256: ec.EllipticCurvePrivateKey) -> None:
    issued = ca.issue(make_csr(ec256), key_type="ec_p256", **ORDER)
    with pytest.raises(ValueError, match="not issued by this CA"):
        verify_chain(ca.certificate_pem, issued.pem)  # the CA certificate was not issued by the user


# -- pre-made UKeys --------------------------------------------------------------------------------


@pytest.mark.parametrize("key_type", ["rsa2048", "ec_p256"])
def test_mint_premade_gives_a_key_that_matches_its_certificate(ca: TrainingCA, key_type: str) -> None:
    premade = ca.mint_premade(key_type=key_type, token_serial="UK-PRE-0007")
    assert isinstance(premade, PremadeCertificate)
    assert premade.private_key_pem.startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8, unencrypted
    key = serialization.load_pem_private_key(premade.private_key_pem.encode("ascii"), password=None)
    if key_type == "rsa2048":
        assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    else:
        assert isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1)
    cert = load(premade.pem)
    assert cert.public_key() == key.public_key()
    assert premade.public_key_sha256 == TrainingCA.csr_public_key_sha256(make_csr(key))
    assert token_serial_of(premade.pem) == "UK-PRE-0007"
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "PREMADE"
    assert list(ext(cert, x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert ext(cert, x509.KeyUsage).value.key_encipherment is (key_type == "rsa2048")
    assert int(premade.serial_hex, 16) == cert.serial_number
    verify_chain(premade.pem, ca.certificate_pem)
    # the key really is the certificate's: a signature made with it verifies with the certificate's key
    public = cert.public_key()
    if isinstance(key, rsa.RSAPrivateKey):
        assert isinstance(public, rsa.RSAPublicKey)
        public.verify(key.sign(b"proof", padding.PKCS1v15(), hashes.SHA256()), b"proof", padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(public, ec.EllipticCurvePublicKey)
        public.verify(key.sign(b"proof", ec.ECDSA(hashes.SHA256())), b"proof", ec.ECDSA(hashes.SHA256()))


# -- the service's TLS certificate -----------------------------------------------------------------


def test_server_certificate_profile(ca: TrainingCA, tmp_path: Path) -> None:
    cert_path, key_path = ca.server_certificate(tmp_path / "tls")
    assert (cert_path, key_path) == (tmp_path / "tls" / "server-cert.pem", tmp_path / "tls" / "server-key.pem")
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    san = ext(cert, x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert san.get_values_for_type(x509.IPAddress) == [ip_address("127.0.0.1"), ip_address("::1")]
    assert list(ext(cert, x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert ext(cert, x509.BasicConstraints).value.ca is False
    assert timedelta(days=364) < cert.not_valid_after_utc - datetime.now(UTC) <= timedelta(days=365)
    verify_chain(cert_path.read_text(encoding="ascii"), ca.certificate_pem)
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert key.public_key() == cert.public_key()
    if os.name == "posix":
        assert key_path.stat().st_mode & 0o777 == 0o600
    ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert_path, key_path)
    ca_cert = load(ca.certificate_pem)
    for subject in (x509.DNSName("localhost"), x509.IPAddress(ip_address("127.0.0.1")), x509.IPAddress(ip_address("::1"))):
        PolicyBuilder().store(Store([ca_cert])).build_server_verifier(subject).verify(cert, [])


def test_server_certificate_is_reused_while_valid(ca: TrainingCA, tmp_path: Path) -> None:
    first = ca.server_certificate(tmp_path)
    before = [path.read_bytes() for path in first]
    assert ca.server_certificate(tmp_path) == first
    assert [path.read_bytes() for path in first] == before
    assert ca.server_certificate(tmp_path, ["localhost"]) == first  # already covered
    assert [path.read_bytes() for path in first] == before


def test_server_certificate_is_replaced_for_new_names(ca: TrainingCA, tmp_path: Path) -> None:
    cert_path, _ = ca.server_certificate(tmp_path)
    before = cert_path.read_bytes()
    ca.server_certificate(tmp_path, ["teller-training.example", "[::1]"])
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    assert cert_path.read_bytes() != before
    san = ext(cert, x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["teller-training.example"]
    assert san.get_values_for_type(x509.IPAddress) == [ip_address("::1")]


def test_server_certificate_is_replaced_when_the_ca_changes(ca: TrainingCA, tmp_path: Path) -> None:
    cert_path, _ = ca.server_certificate(tmp_path / "tls")
    other = TrainingCA.load_or_create(tmp_path / "other-ca")
    other.server_certificate(tmp_path / "tls")
    verify_chain(cert_path.read_text(encoding="ascii"), other.certificate_pem)
    with pytest.raises(ValueError):
        verify_chain(cert_path.read_text(encoding="ascii"), ca.certificate_pem)


def test_server_certificate_is_replaced_near_its_end(tmp_path: Path) -> None:
    clock = Clock(datetime.now(UTC))
    ca = TrainingCA.load_or_create(tmp_path / "ca", clock=clock)
    cert_path, _ = ca.server_certificate(tmp_path / "tls")
    before = cert_path.read_bytes()
    clock.now += timedelta(days=300)
    assert ca.server_certificate(tmp_path / "tls") and cert_path.read_bytes() == before
    clock.now += timedelta(days=60)  # five days left
    ca.server_certificate(tmp_path / "tls")
    assert cert_path.read_bytes() != before


# -- a real TLS handshake --------------------------------------------------------------------------


@contextmanager
def tls_server(cert_path: Path, key_path: Path) -> Iterator[tuple[str, int]]:
    """A tiny TLS server on 127.0.0.1 that greets every client that completes the handshake."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    with context.wrap_socket(conn, server_side=True) as tls:
                        tls.sendall(b"hello")
                except (ssl.SSLError, OSError):
                    pass  # the client refused us: that is what some tests want

    thread = threading.Thread(target=serve, name="tls-test-server", daemon=True)
    thread.start()
    try:
        host, port = listener.getsockname()[:2]
        yield host, port
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def greet(address: tuple[str, int], context: ssl.SSLContext, server_hostname: str) -> bytes:
    with (
        socket.create_connection(address, timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=server_hostname) as tls,
    ):
        return tls.recv(5)


@pytest.fixture(scope="module")
def server_address(ca: TrainingCA, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    with tls_server(*ca.server_certificate(tmp_path_factory.mktemp("tls"))) as address:
        yield address


@pytest.mark.parametrize("hostname", ["localhost", "127.0.0.1"])
def test_tls_handshake_succeeds_with_the_training_ca_bundle(ca: TrainingCA, server_address: tuple[str, int], hostname: str) -> None:
    client = ssl.create_default_context(cafile=str(ca.certificate_path))
    client.verify_flags |= ssl.VERIFY_X509_STRICT  # Python 3.13's default: RFC 5280 strictness (AKI, critical bits)
    assert greet(server_address, client, hostname) == b"hello"


def test_tls_handshake_fails_with_the_system_trust_store(server_address: tuple[str, int]) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        greet(server_address, ssl.create_default_context(), "localhost")


def test_tls_handshake_fails_for_a_name_not_in_the_certificate(ca: TrainingCA, server_address: tuple[str, int]) -> None:
    client = ssl.create_default_context(cafile=str(ca.certificate_path))
    with pytest.raises(ssl.SSLCertVerificationError, match="match"):
        greet(server_address, client, "bank.example")
