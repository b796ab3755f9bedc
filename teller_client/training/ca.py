"""The training certificate authority: a stand-in for the bank's CA.

The training central service (``teller-client serve-training``) answers
``POST /api/v1/certificate-orders/{reference_no}/issue`` with a certificate
from this CA, mints the certificates of pre-made UKeys for its stock, and
serves HTTPS on loopback with a server certificate from it. Nothing it signs
is trusted by anything except a client told to use ``ca-cert.pem`` as its CA
bundle: the CA's organization says ``TRAINING ONLY - not a real bank``.

What it checks in a certificate signing request (PKCS#10, PEM), in this
order, each failure a :class:`CsrInvalidError` with a stable ``reason``:

``unreadable``
    the text is not a PEM certificate request;
``bad_signature``
    the request's self-signature does not verify (it was altered, or whoever
    made it does not hold the private key);
``wrong_key_type``
    the key is not of the ordered family (RSA for ``rsa2048``, EC for
    ``ec_p256``), or of a kind the CA cannot read at all;
``wrong_key_size``
    right family, wrong size: an RSA modulus other than exactly 2048 bits, or
    an EC key on a curve other than P-256 (``secp256r1``).

The subject of an issued certificate always comes from the order (the
arguments of :meth:`TrainingCA.issue`), never from the request: a request
saying ``CN=attacker`` gets the order's names.

Where the UKey's serial is recorded
    Every end-entity certificate names the UKey that holds its key in its
    **SubjectAlternativeName**, as one ``otherName`` whose type-id is
    :data:`TOKEN_SERIAL_OID` (``1.3.6.1.4.1.55555.1.1``, a private arc used
    only for training) and whose value is a ``UTF8String`` with the serial
    (``openssl x509 -ext subjectAltName`` shows
    ``othername: 1.3.6.1.4.1.55555.1.1::<serial>``). A SAN rather than a
    private extension because the WebPKI profile of ``cryptography``'s
    client verifier (``PolicyBuilder().build_client_verifier()``) refuses an
    end-entity certificate without a SubjectAlternativeName, and the token
    is a fair "alternative name" of the holder. The SAN is non-critical
    because the subject is never empty. :func:`token_serial_of` reads it back.

Files (in the folder given to :meth:`TrainingCA.load_or_create`)
    ``ca-key.pem`` (PKCS#8, unencrypted, mode 0600 on POSIX), ``ca-cert.pem``
    (the client's CA bundle); :meth:`TrainingCA.server_certificate` adds
    ``server-cert.pem`` and ``server-key.pem`` to the folder it is given.
    Files are written to a temporary name and renamed, so a crash never
    leaves half a PEM behind.

Training only: keys are unencrypted on disk and pre-made UKey keys are handed
out as PEM. Qt is never imported here.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import os
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final, Literal, get_args

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes, PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from teller_client.errors import ConfigurationError, TellerError

log = logging.getLogger(__name__)

__all__ = [
    "CA_COMMON_NAME",
    "CA_ORGANIZATION",
    "PREMADE_ORGANIZATION",
    "TOKEN_SERIAL_OID",
    "CsrInvalidError",
    "CsrProblem",
    "IssuedCertificate",
    "KeyType",
    "PremadeCertificate",
    "TrainingCA",
    "token_serial_of",
    "verify_chain",
]

CA_COMMON_NAME: Final = "Teller Client Training CA"
CA_ORGANIZATION: Final = "TRAINING ONLY - not a real bank"
#: Organization of a pre-made certificate before the UKey is bound to a user.
PREMADE_ORGANIZATION: Final = "Pre-made UKey (training, not yet bound)"
#: type-id of the SubjectAlternativeName otherName that records the UKey serial (value: UTF8String).
TOKEN_SERIAL_OID: Final = x509.ObjectIdentifier("1.3.6.1.4.1.55555.1.1")

CA_KEY_FILE: Final = "ca-key.pem"
CA_CERT_FILE: Final = "ca-cert.pem"
SERVER_KEY_FILE: Final = "server-key.pem"
SERVER_CERT_FILE: Final = "server-cert.pem"

CA_VALIDITY: Final = timedelta(days=3652)  # ten years
SERVER_VALIDITY: Final = timedelta(days=365)
#: A server certificate closer than this to its end is replaced rather than reused.
SERVER_RENEW_MARGIN: Final = timedelta(days=7)
#: notBefore is set this far in the past, so a client whose clock is a little behind still accepts.
BACKDATE: Final = timedelta(minutes=5)

KeyType = Literal["rsa2048", "ec_p256"]
CsrProblem = Literal["unreadable", "bad_signature", "wrong_key_type", "wrong_key_size"]
_KEY_TYPES: Final[tuple[str, ...]] = get_args(KeyType)

_DEFAULT_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "unreadable": ("The certificate request is not a readable PEM PKCS#10 request.", "证书请求无法读取（不是 PEM 格式的 PKCS#10 请求）。"),
    "bad_signature": ("The certificate request's signature does not verify.", "证书请求的签名验证失败。"),
    "wrong_key_type": ("The certificate request's key is not of the ordered type.", "证书请求的密钥类型与订单不符。"),
    "wrong_key_size": ("The certificate request's key is not of the ordered size.", "证书请求的密钥长度与订单不符。"),
}


class CsrInvalidError(TellerError):
    """A certificate signing request was refused; ``reason`` says why in one stable word.

    The training service answers it with ``422 csr_invalid``. ``str(err)`` is
    an English sentence naming what is wrong (``message("zh")`` the Chinese
    one); neither ever contains key material.
    """

    code = "csr_invalid"

    def __init__(self, reason: CsrProblem, message_en: str | None = None, message_zh: str | None = None) -> None:
        default_en, default_zh = _DEFAULT_MESSAGES[reason]
        super().__init__(message_en or default_en, message_zh or default_zh)
        self.reason: CsrProblem = reason

    def __reduce__(self) -> tuple[type[CsrInvalidError], tuple[str, str, str]]:
        """Pickle with the reason, so the error survives a process pool."""
        return (type(self), (self.reason, self.message_en, self.message_zh))


@dataclass(frozen=True)
class IssuedCertificate:
    """An end-entity certificate as the service stores and returns it."""

    pem: str
    """The certificate, PEM."""
    serial_hex: str
    """Upper-case hex of the serial number, no ``0x`` (what the API calls ``certificate_serial``)."""
    not_after: datetime
    """End of validity, aware UTC."""
    public_key_sha256: str
    """Hex SHA-256 of the SubjectPublicKeyInfo DER: recognises "the same key" across requests."""


@dataclass(frozen=True)
class PremadeCertificate(IssuedCertificate):
    """A certificate minted in advance for a pre-made UKey, with the key the UKey would hold."""

    private_key_pem: str
    """PKCS#8 PEM, unencrypted: training only, a real pre-made UKey never lets its key out."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _der_utf8string(text: str) -> bytes:
    """DER ``UTF8String`` (tag 12) holding ``text``."""
    body = text.encode("utf-8")
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    else:
        size = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(size)]) + size
    return b"\x0c" + length + body


def _parse_der_utf8string(der: bytes) -> str:
    """The text of a DER ``UTF8String``; ``ValueError`` if ``der`` is anything else."""
    if len(der) < 2 or der[0] != 0x0C:
        raise ValueError("The token serial entry does not hold a UTF8String.")
    first = der[1]
    if first < 0x80:
        length, start = first, 2
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or len(der) < 2 + count:
            raise ValueError("The token serial entry has a malformed length.")
        length, start = int.from_bytes(der[2 : 2 + count], "big"), 2 + count
    if len(der) != start + length:
        raise ValueError("The token serial entry's length does not match its content.")
    try:
        return der[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError("The token serial entry is not valid UTF-8.") from exc


def _spki_sha256(key: CertificatePublicKeyTypes) -> str:
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def _serial_128() -> int:
    """A random positive serial of exactly 128 bits (top bit set, so ``serial_hex`` is always 32 digits)."""
    return secrets.randbits(127) | (1 << 127)


def _key_usage(
    *, digital_signature: bool = False, key_encipherment: bool = False, key_cert_sign: bool = False, crl_sign: bool = False
) -> x509.KeyUsage:
    """A KeyUsage with only the named bits set (the others are never used here)."""
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=key_encipherment,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _private_pem(key: PrivateKeyTypes) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _write_file(path: Path, data: bytes, *, private: bool) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, then rename); 0600 for a private key."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600 if private else 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if private and os.name == "posix":
            os.chmod(tmp, 0o600)  # the umask cannot widen it, but say it explicitly
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _load_private_key(path: Path) -> ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError(f"{path.name} holds a {type(key).__name__}, not an EC or RSA key.")
    return key


def _same_key(private_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, cert: x509.Certificate) -> bool:
    return _spki_sha256(private_key.public_key()) == _spki_sha256(cert.public_key())


def _check_order_key(key: CertificatePublicKeyTypes, key_type: str) -> None:
    """Raise :class:`CsrInvalidError` unless ``key`` is what ``key_type`` orders."""
    if key_type == "rsa2048":
        if not isinstance(key, rsa.RSAPublicKey):
            raise CsrInvalidError(
                "wrong_key_type",
                f"The certificate request holds a {_describe_key(key)} key, but the order is for an RSA 2048-bit key.",
                f"证书请求的密钥是 {_describe_key(key)}，订单要求 RSA 2048 位密钥。",
            )
        if key.key_size != 2048:
            raise CsrInvalidError(
                "wrong_key_size",
                f"The certificate request's RSA key has {key.key_size} bits; the order needs exactly 2048.",
                f"证书请求的 RSA 密钥为 {key.key_size} 位，订单要求正好 2048 位。",
            )
    else:
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise CsrInvalidError(
                "wrong_key_type",
                f"The certificate request holds a {_describe_key(key)} key, but the order is for an EC P-256 key.",
                f"证书请求的密钥是 {_describe_key(key)}，订单要求 EC P-256 密钥。",
            )
        if not isinstance(key.curve, ec.SECP256R1):
            raise CsrInvalidError(
                "wrong_key_size",
                f"The certificate request's EC key is on curve {key.curve.name} ({key.curve.key_size} bits); "
                "the order needs P-256 (secp256r1).",
                f"证书请求的 EC 密钥曲线为 {key.curve.name}（{key.curve.key_size} 位），订单要求 P-256（secp256r1）。",
            )


def _describe_key(key: CertificatePublicKeyTypes) -> str:
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size}-bit"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}"
    return type(key).__name__.removeprefix("_").removesuffix("PublicKey") or "unknown"


def _check_key_type(key_type: str) -> None:
    if key_type not in _KEY_TYPES:
        raise ValueError(f"Unknown key type {key_type!r}; expected one of {', '.join(_KEY_TYPES)}.")


def _check_token_serial(token_serial: str) -> None:
    if not token_serial or not token_serial.isprintable() or token_serial != token_serial.strip():
        raise ValueError("The token serial must be non-empty printable text without surrounding spaces.")


def _san_entry(hostname: str) -> x509.GeneralName:
    """An ``IPAddress`` entry for an address (``[::1]`` allowed), else a ``DNSName`` (IDNA-encoded)."""
    bare = hostname.strip()
    if bare.startswith("[") and bare.endswith("]"):
        bare = bare[1:-1]
    try:
        return x509.IPAddress(ipaddress.ip_address(bare))
    except ValueError:
        pass
    if not bare:
        raise ValueError("A server host name must not be empty.")
    return x509.DNSName(bare.lower().encode("idna").decode("ascii"))


class TrainingCA:
    """The training CA: one EC P-256 key and self-signed certificate kept in a folder.

    Make it with :meth:`load_or_create`; the same folder gives the same CA
    every time, so certificates issued yesterday still verify today and the
    client's CA bundle (:attr:`certificate_path`) does not change.
    """

    _folder_lock: Final = threading.Lock()  # creation and server-certificate files, within one process

    def __init__(
        self,
        folder: Path,
        key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
        certificate: x509.Certificate,
        *,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        """Wrap an already loaded key and certificate; use :meth:`load_or_create` instead."""
        if not _same_key(key, certificate):
            raise ValueError("The CA key does not belong to the CA certificate.")
        self._folder = folder
        self._key = key
        self._cert = certificate
        self._clock = clock
        self.certificate_pem: str = _cert_pem(certificate)
        self.certificate_path: Path = folder / CA_CERT_FILE

    # -- the CA itself ---------------------------------------------------------------------------

    @classmethod
    def load_or_create(cls, folder: Path, *, clock: Callable[[], datetime] = _utc_now) -> TrainingCA:
        """The CA kept in ``folder``, created there the first time.

        ``clock`` (aware UTC) is for tests; validity periods use the wall
        clock by default, because TLS peers check them against theirs.

        Raises :class:`~teller_client.errors.ConfigurationError` when the
        folder holds a certificate without its key, or a key that does not
        match the certificate: the CA is damaged and silently replacing it
        would invalidate every certificate it issued.
        """
        folder = Path(folder)
        key_path, cert_path = folder / CA_KEY_FILE, folder / CA_CERT_FILE
        with cls._folder_lock:
            if cert_path.exists():
                return cls._load(folder, clock)
            if key_path.exists():
                log.warning("Training CA folder %s has a key but no certificate; making a new CA", folder)
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            key, cert = cls._make_ca(clock())
            _write_file(key_path, _private_pem(key), private=True)  # key first: a crash leaves no orphan certificate
            _write_file(cert_path, _cert_pem(cert).encode("ascii"), private=False)
            log.info("Created the training CA in %s (serial %X)", folder, cert.serial_number)
            return cls(folder, key, cert, clock=clock)

    @classmethod
    def _load(cls, folder: Path, clock: Callable[[], datetime]) -> TrainingCA:
        key_path, cert_path = folder / CA_KEY_FILE, folder / CA_CERT_FILE
        damaged = "The training CA in {folder} is damaged ({what}). Delete the folder to make a new training CA."
        damaged_zh = "{folder} 中的培训 CA 已损坏（{what}）。删除该文件夹即可重新生成培训 CA。"
        if not key_path.exists():
            what = f"{CA_CERT_FILE} without {CA_KEY_FILE}"
            raise ConfigurationError(damaged.format(folder=folder, what=what), damaged_zh.format(folder=folder, what=what))
        try:
            key = _load_private_key(key_path)
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            what = f"unreadable: {exc}"
            raise ConfigurationError(damaged.format(folder=folder, what=what), damaged_zh.format(folder=folder, what=what)) from exc
        if not _same_key(key, cert):
            what = f"{CA_KEY_FILE} does not match {CA_CERT_FILE}"
            raise ConfigurationError(damaged.format(folder=folder, what=what), damaged_zh.format(folder=folder, what=what))
        return cls(folder, key, cert, clock=clock)

    @staticmethod
    def _make_ca(now: datetime) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, CA_ORGANIZATION),
                x509.NameAttribute(NameOID.COMMON_NAME, CA_COMMON_NAME),
            ]
        )
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(_serial_128())
            .not_valid_before(now - BACKDATE)
            .not_valid_after(now + CA_VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                _key_usage(key_cert_sign=True, crl_sign=True),
                critical=True,
            )
            .add_extension(ski, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
            .sign(key, hashes.SHA256())
        )
        return key, cert

    def chain(self) -> list[str]:
        """What the API returns as ``chain``: the PEMs above the end-entity certificate, ending with the CA."""
        return [self.certificate_pem]

    # -- end-entity certificates -----------------------------------------------------------------

    @staticmethod
    def csr_public_key_sha256(csr_pem: str) -> str:
        """Hex SHA-256 of the request's SubjectPublicKeyInfo, to tell "the same key again" from a new one.

        Raises :class:`CsrInvalidError` (``unreadable``) when ``csr_pem`` is
        not a PEM PKCS#10 request, or (``wrong_key_type``) when its key is of
        a kind that cannot be read. The signature is not checked here.
        """
        return _spki_sha256(_public_key_of(_load_csr(csr_pem)))

    def issue(
        self,
        csr_pem: str,
        *,
        common_name: str,
        organization: str,
        key_type: str,
        token_serial: str,
        user_no: str,
        days: int = 730,
    ) -> IssuedCertificate:
        """Sign a user's certificate for the key in ``csr_pem``; the subject comes from the arguments.

        The request must be a PEM PKCS#10 request whose signature verifies and
        whose key is what ``key_type`` (``"rsa2048"`` or ``"ec_p256"``)
        orders, else :class:`CsrInvalidError`. The subject is
        ``C=CN, O=organization, CN=common_name, serialNumber=user_no``
        whatever the request says. The certificate is valid for ``days`` days
        but never beyond the CA itself. ``ValueError`` for a bad argument
        (unknown ``key_type``, empty ``token_serial``, a name too long for
        X.509, ``days`` < 1): those are the caller's faults, not the request's.
        """
        _check_token_serial(token_serial)
        if days < 1:
            raise ValueError("A certificate must be valid for at least one day.")
        key = self._checked_csr_key(csr_pem, key_type)
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, user_no),
            ]
        )
        return self._sign_end_entity(key, subject, rsa_key=key_type == "rsa2048", token_serial=token_serial, days=days)

    def premade_for_csr(self, csr_pem: str, *, key_type: str, token_serial: str, common_name: str = "PREMADE") -> IssuedCertificate:
        """A pre-made certificate for a key a UKey made itself (the training "factory"); subject as :meth:`mint_premade`."""
        _check_token_serial(token_serial)
        key = self._checked_csr_key(csr_pem, key_type)
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, PREMADE_ORGANIZATION),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )
        return self._sign_end_entity(key, subject, rsa_key=key_type == "rsa2048", token_serial=token_serial, days=730)

    def _checked_csr_key(self, csr_pem: str, key_type: str) -> CertificatePublicKeyTypes:
        """The request's key, after its signature and the ordered key type are checked (:class:`CsrInvalidError`)."""
        _check_key_type(key_type)
        csr = _load_csr(csr_pem)
        key = _public_key_of(csr)
        try:
            signature_ok = csr.is_signature_valid
        except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
            signature_ok = False
        if not signature_ok:
            raise CsrInvalidError(
                "bad_signature",
                "The certificate request's signature does not verify: it was altered, or not made with its key.",
                "证书请求的签名验证失败：请求被改动过，或不是用其中的密钥签名的。",
            )
        _check_order_key(key, key_type)
        return key

    def mint_premade(self, *, key_type: str, token_serial: str, common_name: str = "PREMADE") -> PremadeCertificate:
        """A certificate made in advance for a pre-made UKey, with the key pair generated here.

        Same extensions as :meth:`issue`; the subject is
        ``C=CN, O=`` :data:`PREMADE_ORGANIZATION` ``, CN=common_name`` because
        the user is not known until the UKey is bound.
        """
        _check_key_type(key_type)
        _check_token_serial(token_serial)
        private_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
        if key_type == "rsa2048":
            private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            private_key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, PREMADE_ORGANIZATION),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )
        issued = self._sign_end_entity(
            private_key.public_key(), subject, rsa_key=key_type == "rsa2048", token_serial=token_serial, days=730
        )
        return PremadeCertificate(
            pem=issued.pem,
            serial_hex=issued.serial_hex,
            not_after=issued.not_after,
            public_key_sha256=issued.public_key_sha256,
            private_key_pem=_private_pem(private_key).decode("ascii"),
        )

    def _sign_end_entity(
        self, key: CertificatePublicKeyTypes, subject: x509.Name, *, rsa_key: bool, token_serial: str, days: int
    ) -> IssuedCertificate:
        now = self._clock()
        not_after = min(now + timedelta(days=days), self._cert.not_valid_after_utc)
        builder = (
            self._builder(key, subject, now, not_after)
            .add_extension(
                _key_usage(digital_signature=True, key_encipherment=rsa_key),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.OtherName(TOKEN_SERIAL_OID, _der_utf8string(token_serial))]), critical=False)
        )
        cert = builder.sign(self._key, hashes.SHA256())
        return IssuedCertificate(
            pem=_cert_pem(cert),
            serial_hex=f"{cert.serial_number:X}",
            not_after=cert.not_valid_after_utc,
            public_key_sha256=_spki_sha256(key),
        )

    def _builder(self, key: CertificatePublicKeyTypes, subject: x509.Name, now: datetime, not_after: datetime) -> x509.CertificateBuilder:
        """Everything an end-entity certificate from this CA shares: issuer, serial, validity, key identifiers."""
        ca_ski = self._cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self._cert.subject)
            .public_key(key)
            .serial_number(_serial_128())
            .not_valid_before(max(now - BACKDATE, self._cert.not_valid_before_utc))
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key), critical=False)
        )

    # -- the service's own TLS certificate -------------------------------------------------------

    def server_certificate(self, folder: Path, hostnames: Sequence[str] = ("localhost", "127.0.0.1", "::1")) -> tuple[Path, Path]:
        """The training service's TLS certificate and key: ``(folder/server-cert.pem, folder/server-key.pem)``.

        Made once and reused while it was signed by this CA, covers every name
        in ``hostnames`` and has more than :data:`SERVER_RENEW_MARGIN` left;
        otherwise replaced. Addresses become ``IPAddress`` entries of the
        SubjectAlternativeName, other names ``DNSName`` entries (clients
        match the SAN, not the CN). EC P-256 key, serverAuth, one year.
        """
        if isinstance(hostnames, str):
            raise TypeError("hostnames must be a sequence of names, not one string.")
        entries = list(dict.fromkeys(_san_entry(name) for name in hostnames))
        if not entries:
            raise ValueError("A server certificate needs at least one host name.")
        folder = Path(folder)
        cert_path, key_path = folder / SERVER_CERT_FILE, folder / SERVER_KEY_FILE
        with self._folder_lock:
            if self._server_files_usable(cert_path, key_path, entries):
                return cert_path, key_path
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            key = ec.generate_private_key(ec.SECP256R1())
            now = self._clock()
            first = entries[0].value
            subject = x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, CA_ORGANIZATION),
                    x509.NameAttribute(NameOID.COMMON_NAME, str(first)),
                ]
            )
            not_after = min(now + SERVER_VALIDITY, self._cert.not_valid_after_utc)
            cert = (
                self._builder(key.public_key(), subject, now, not_after)
                .add_extension(
                    _key_usage(digital_signature=True),
                    critical=True,
                )
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .add_extension(x509.SubjectAlternativeName(entries), critical=False)
                .sign(self._key, hashes.SHA256())
            )
            _write_file(key_path, _private_pem(key), private=True)
            _write_file(cert_path, _cert_pem(cert).encode("ascii"), private=False)
            log.info("Made the training service's TLS certificate in %s (serial %X)", folder, cert.serial_number)
            return cert_path, key_path

    def _server_files_usable(self, cert_path: Path, key_path: Path, entries: list[x509.GeneralName]) -> bool:
        """Whether the server files on disk can be served again as they are."""
        if not (cert_path.exists() and key_path.exists()):
            return False
        try:
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            key = _load_private_key(key_path)
            cert.verify_directly_issued_by(self._cert)
            names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except (ValueError, TypeError, UnsupportedAlgorithm, InvalidSignature, x509.ExtensionNotFound):
            return False
        now = self._clock()
        return (
            _same_key(key, cert)
            and cert.not_valid_before_utc <= now
            and cert.not_valid_after_utc - now > SERVER_RENEW_MARGIN
            and all(entry in names for entry in entries)
        )


def _load_csr(csr_pem: str) -> x509.CertificateSigningRequest:
    """Parse a PEM PKCS#10 request, or :class:`CsrInvalidError` (``unreadable``)."""
    try:
        csr = x509.load_pem_x509_csr(csr_pem.encode("utf-8"))
    except (ValueError, TypeError, UnicodeError, AttributeError) as exc:
        raise CsrInvalidError(
            "unreadable",
            "The certificate request is not a readable PEM PKCS#10 request (-----BEGIN CERTIFICATE REQUEST-----).",
            "证书请求无法读取（应为 PEM 格式的 PKCS#10 请求，以 -----BEGIN CERTIFICATE REQUEST----- 开头）。",
        ) from exc
    return csr


def _public_key_of(csr: x509.CertificateSigningRequest) -> CertificatePublicKeyTypes:
    """The request's public key, or :class:`CsrInvalidError` (``wrong_key_type``) for a kind that cannot be read."""
    try:
        return csr.public_key()
    except (UnsupportedAlgorithm, ValueError) as exc:
        raise CsrInvalidError(
            "wrong_key_type",
            "The certificate request's key is of a kind this CA does not accept (only RSA 2048 and EC P-256).",
            "证书请求的密钥类型不受支持（只接受 RSA 2048 和 EC P-256）。",
        ) from exc


def verify_chain(cert_pem: str, ca_pem: str) -> None:
    """Raise ``ValueError`` unless ``cert_pem`` was signed by the CA certificate ``ca_pem``.

    Checks that the issuer name is the CA's subject and the signature verifies
    with the CA's key (``Certificate.verify_directly_issued_by``). It does not
    look at validity dates or key usages; a full path validation is
    ``cryptography.x509.verification.PolicyBuilder``'s job.
    """
    try:
        cert = x509.load_pem_x509_certificate(cert_pem.encode("ascii"))
        ca = x509.load_pem_x509_certificate(ca_pem.encode("ascii"))
    except (ValueError, UnicodeError) as exc:
        raise ValueError(f"Not a PEM certificate: {exc}") from exc
    try:
        cert.verify_directly_issued_by(ca)
    except InvalidSignature as exc:
        raise ValueError("The certificate's signature does not verify with the CA's key.") from exc
    except (TypeError, UnsupportedAlgorithm) as exc:
        raise ValueError(f"The certificate cannot be checked against this CA: {exc}") from exc
    except ValueError as exc:
        raise ValueError(f"The certificate was not issued by this CA: {exc}") from exc


def token_serial_of(cert_pem: str) -> str | None:
    """The UKey serial recorded in a certificate from this CA, or ``None`` when it has none.

    Reads the SubjectAlternativeName ``otherName`` with type-id
    :data:`TOKEN_SERIAL_OID`. ``ValueError`` when ``cert_pem`` is not a
    certificate or the entry is malformed.
    """
    try:
        cert = x509.load_pem_x509_certificate(cert_pem.encode("ascii"))
    except UnicodeError as exc:
        raise ValueError("Not a PEM certificate.") from exc
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None
    for other in names.get_values_for_type(x509.OtherName):
        if other.type_id == TOKEN_SERIAL_OID:
            return _parse_der_utf8string(other.value)
    return None
