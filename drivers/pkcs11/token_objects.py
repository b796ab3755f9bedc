"""Keys and certificates on a token, through a python-pkcs11 session: find, generate, sign, store, destroy.

The functions here let python-pkcs11's exceptions through; :class:`~drivers.pkcs11.connection.Connection`
translates them. Searches are always consumed to the end (an abandoned ``C_FindObjects`` leaves an operation
active on the session).
"""

from __future__ import annotations

import hashlib
import logging
import os
from typing import Any

from asn1crypto import algos, x509  # type: ignore[import-untyped]
from pkcs11 import Attribute, CertificateType, KeyType, Mechanism, MechanismFlag, ObjectClass, PrivateKey, PublicKey, Session
from pkcs11 import Object as TokenObject
from pkcs11.exceptions import AttributeReadOnly, AttributeSensitive, AttributeTypeInvalid, FunctionFailed
from pkcs11.types import SignMixin
from pkcs11.util.ec import encode_named_curve_parameters

from drivers.pkcs11.csr import ecdsa_signature_to_der
from drivers.pkcs11.errors import Pkcs11Error
from drivers.pkcs11.model import CertificateInfo, KeyAlgorithm, KeyPairInfo, PrivateKeyAttributes
from drivers.pkcs11.public_keys import describe_algorithm, ec_public_key_info, key_id_for, rsa_public_key_info

log = logging.getLogger(__name__)

_UNREADABLE = (AttributeSensitive, AttributeTypeInvalid, FunctionFailed)

PUBLIC_TEMPLATE: dict[Attribute, Any] = {
    Attribute.TOKEN: True,
    Attribute.PRIVATE: False,
    Attribute.VERIFY: True,
    Attribute.ENCRYPT: False,
    Attribute.WRAP: False,
}
PRIVATE_TEMPLATE: dict[Attribute, Any] = {
    Attribute.TOKEN: True,
    Attribute.PRIVATE: True,
    Attribute.SENSITIVE: True,
    Attribute.EXTRACTABLE: False,
    Attribute.SIGN: True,
    Attribute.DECRYPT: False,
    Attribute.UNWRAP: False,
    Attribute.DERIVE: False,
}
"""A signing key that never leaves the token: sensitive, not extractable, no decryption or key wrapping."""


def objects(session: Session, attrs: dict[Attribute, Any]) -> list[TokenObject]:
    return list(session.get_objects(attrs))


def private_keys(session: Session, key_id: bytes | None = None) -> list[PrivateKey]:
    attrs: dict[Attribute, Any] = {Attribute.CLASS: ObjectClass.PRIVATE_KEY}
    if key_id is not None:
        attrs[Attribute.ID] = key_id
    return [key for key in objects(session, attrs) if isinstance(key, PrivateKey)]


def public_keys(session: Session, key_id: bytes) -> list[PublicKey]:
    found = objects(session, {Attribute.CLASS: ObjectClass.PUBLIC_KEY, Attribute.ID: key_id})
    return [key for key in found if isinstance(key, PublicKey)]


def one_private_key(session: Session, key_id: bytes) -> PrivateKey:
    keys = private_keys(session, key_id)
    if not keys:
        raise Pkcs11Error("key_not_found", "No private key with this id is on the token (log in to see private keys).")
    if len(keys) > 1:
        raise Pkcs11Error("key_ambiguous")
    return keys[0]


def label_of(obj: TokenObject) -> str:
    try:
        return str(obj[Attribute.LABEL])
    except (*_UNREADABLE, UnicodeDecodeError):
        return ""


def public_key_info_of(key: TokenObject) -> bytes | None:
    """The DER SPKI from a public key, or from an RSA private key's public attributes; ``None`` if unreadable."""
    try:
        key_type = key[Attribute.KEY_TYPE]
        if key_type == KeyType.RSA:
            return rsa_public_key_info(bytes(key[Attribute.MODULUS]), bytes(key[Attribute.PUBLIC_EXPONENT]))
        if key_type == KeyType.EC and isinstance(key, PublicKey):
            return ec_public_key_info(bytes(key[Attribute.EC_PARAMS]), bytes(key[Attribute.EC_POINT]))
    except _UNREADABLE:
        return None
    return None


def key_pair_info(session: Session, private: PrivateKey) -> KeyPairInfo:
    key_id = bytes(private[Attribute.ID])
    publics = public_keys(session, key_id)
    spki = next((info for info in map(public_key_info_of, publics) if info is not None), None)
    if spki is None:
        spki = public_key_info_of(private)
    algorithm = describe_algorithm(spki) if spki is not None else str(getattr(private[Attribute.KEY_TYPE], "name", "unknown")).lower()
    return KeyPairInfo(
        key_id=key_id, label=label_of(private), algorithm=algorithm, public_key_info=spki, has_public_key_object=bool(publics)
    )


def generate_key_pair(session: Session, algorithm: KeyAlgorithm, key_id: bytes | None, label: str) -> KeyPairInfo:
    """A key pair made on the token; without ``key_id`` its id becomes :func:`key_id_for` of the public key."""
    temporary = key_id is None
    generation_id = os.urandom(20) if key_id is None else key_id
    public_template = dict(PUBLIC_TEMPLATE)
    if algorithm == "rsa2048":
        key_type, bits = KeyType.RSA, 2048
    elif algorithm == "ec_p256":
        key_type, bits = KeyType.EC, None
        public_template[Attribute.EC_PARAMS] = encode_named_curve_parameters("secp256r1")
    else:
        raise ValueError(f"unknown key algorithm {algorithm!r}")
    public, private = session.generate_keypair(
        key_type,
        bits,
        id=generation_id,
        label=label,
        store=True,
        capabilities=MechanismFlag.SIGN | MechanismFlag.VERIFY,
        public_template=public_template,
        private_template=dict(PRIVATE_TEMPLATE),
    )
    if temporary:
        spki = public_key_info_of(public)
        if spki is not None:
            final_id = key_id_for(spki)
            try:
                public[Attribute.ID] = final_id
                private[Attribute.ID] = final_id
            except AttributeReadOnly:
                log.warning("the token does not let CKA_ID change: the new key pair keeps a random id")
    return key_pair_info(session, private)


def private_key_attributes(private: PrivateKey) -> PrivateKeyAttributes:
    def read(attribute: Attribute) -> bool | None:
        try:
            return bool(private[attribute])
        except _UNREADABLE:
            return None

    return PrivateKeyAttributes(
        sensitive=bool(read(Attribute.SENSITIVE)),
        extractable=bool(read(Attribute.EXTRACTABLE)),
        always_sensitive=read(Attribute.ALWAYS_SENSITIVE),
        never_extractable=read(Attribute.NEVER_EXTRACTABLE),
        local=read(Attribute.LOCAL),
        token=bool(read(Attribute.TOKEN)),
        private=bool(read(Attribute.PRIVATE)),
        can_sign=bool(read(Attribute.SIGN)),
        can_decrypt=bool(read(Attribute.DECRYPT)),
    )


def sign_sha256(private: PrivateKey | SignMixin, data: bytes, mechanisms: set[Mechanism]) -> bytes:
    """A SHA-256 signature of ``data`` in X.509's encoding, made by the token.

    RSA: ``CKM_SHA256_RSA_PKCS``, or the token's ``CKM_RSA_PKCS`` over a DigestInfo made here. EC: hashed here, then
    ``CKM_ECDSA`` (SoftHSM and many cards have no ``CKM_ECDSA_SHA256``), the raw ``r || s`` DER-encoded.
    """
    if not isinstance(private, SignMixin):
        raise Pkcs11Error("mechanism_not_supported", "This key may not sign (CKA_SIGN is false).", operation="sign")
    key_type = private[Attribute.KEY_TYPE]
    if key_type == KeyType.RSA:
        if Mechanism.SHA256_RSA_PKCS in mechanisms or Mechanism.RSA_PKCS not in mechanisms:
            return bytes(private.sign(data, mechanism=Mechanism.SHA256_RSA_PKCS))
        digest_info = algos.DigestInfo({"digest_algorithm": {"algorithm": "sha256"}, "digest": hashlib.sha256(data).digest()})
        return bytes(private.sign(digest_info.dump(), mechanism=Mechanism.RSA_PKCS))
    if key_type == KeyType.EC:
        if Mechanism.ECDSA in mechanisms or Mechanism.ECDSA_SHA256 not in mechanisms:
            raw = bytes(private.sign(hashlib.sha256(data).digest(), mechanism=Mechanism.ECDSA))
        else:
            raw = bytes(private.sign(data, mechanism=Mechanism.ECDSA_SHA256))
        return ecdsa_signature_to_der(raw)
    raise Pkcs11Error("mechanism_not_supported", "The driver signs with RSA and EC keys only.")


def certificates(session: Session, key_id: bytes | None = None) -> list[CertificateInfo]:
    attrs: dict[Attribute, Any] = {Attribute.CLASS: ObjectClass.CERTIFICATE}
    if key_id is not None:
        attrs[Attribute.ID] = key_id
    found = []
    for cert in objects(session, attrs):
        try:
            if cert[Attribute.CERTIFICATE_TYPE] != CertificateType.X_509:
                continue
            found.append(CertificateInfo(key_id=bytes(cert[Attribute.ID]), label=label_of(cert), der=bytes(cert[Attribute.VALUE])))
        except _UNREADABLE:
            continue
    return found


def store_certificate(session: Session, der: bytes, key_id: bytes, label: str) -> CertificateInfo:
    cert = x509.Certificate.load(der)
    tbs = cert["tbs_certificate"]
    session.create_object(
        {
            Attribute.CLASS: ObjectClass.CERTIFICATE,
            Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
            Attribute.TOKEN: True,
            Attribute.PRIVATE: False,
            Attribute.ID: key_id,
            Attribute.LABEL: label,
            Attribute.SUBJECT: tbs["subject"].dump(),
            Attribute.ISSUER: tbs["issuer"].dump(),
            Attribute.SERIAL_NUMBER: tbs["serial_number"].dump(),
            Attribute.VALUE: der,
        }
    )
    return CertificateInfo(key_id=key_id, label=label, der=der)


def destroy(session: Session, key_id: bytes, classes: tuple[ObjectClass, ...]) -> int:
    count = 0
    for object_class in classes:
        for obj in objects(session, {Attribute.CLASS: object_class, Attribute.ID: key_id}):
            obj.destroy()
            count += 1
    return count
