"""Ed25519 keys of the e-form service: the keys this client trusts, by ``kid``, and the shipped training pair."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from teller_client.eform.errors import EformError
from teller_client.resources import resource_path

TRAINING_KID = "TRAINING"
TRAINING_PRIVATE_KEY = ("keys", "eform-training-ed25519.pem")
TRAINING_PUBLIC_KEY = ("keys", "eform-training-ed25519.pub.pem")


def _key_error(path: Path, why_en: str, why_zh: str) -> EformError:
    return EformError("bad_key", f"Cannot use the key file {path}: {why_en}.", f"无法使用密钥文件 {path}：{why_zh}。")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _key_error(path, exc.strerror or str(exc), exc.strerror or str(exc)) from exc


def load_public_key(path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file (SubjectPublicKeyInfo)."""
    try:
        key = serialization.load_pem_public_key(_read(path))
    except ValueError as exc:
        raise _key_error(path, "not a PEM public key", "不是 PEM 格式的公钥") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise _key_error(path, "not an Ed25519 key", "不是 Ed25519 密钥")
    return key


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """An Ed25519 private key from an unencrypted PKCS#8 PEM file."""
    try:
        key = serialization.load_pem_private_key(_read(path), password=None)
    except (ValueError, TypeError) as exc:
        raise _key_error(path, "not an unencrypted PEM private key", "不是未加密的 PEM 私钥") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise _key_error(path, "not an Ed25519 key", "不是 Ed25519 密钥")
    return key


def training_public_key() -> Ed25519PublicKey:
    return load_public_key(resource_path(*TRAINING_PUBLIC_KEY))


def training_private_key() -> Ed25519PrivateKey:
    """The shipped training key (public on purpose: it signs practice forms only)."""
    return load_private_key(resource_path(*TRAINING_PRIVATE_KEY))


def raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class TrustedKeys(Mapping[str, Ed25519PublicKey]):
    """The verification keys of one deployment, by ``kid``.

    The shipped training key (``TRAINING``) is trusted only when ``training`` is true; configuring it
    (under any ``kid``) outside training mode is refused, since its private half is public.
    """

    def __init__(self, keys: Mapping[str, Ed25519PublicKey] | None = None, *, training: bool = False) -> None:
        self.training = training
        self._keys = dict(keys or {})
        training_key = training_public_key()
        if training:
            self._keys[TRAINING_KID] = training_key
        else:
            for kid, key in self._keys.items():
                if kid == TRAINING_KID or raw(key) == raw(training_key):
                    raise EformError(
                        "training_key",
                        f"The training key (kid {kid}) may be trusted only in training mode.",
                        f"培训密钥（kid {kid}）只能在培训模式下信任。",
                    )

    @classmethod
    def from_files(cls, files: Mapping[str, Path], *, training: bool = False) -> TrustedKeys:
        """Keys from PEM files, ``{kid: path}``."""
        return cls({kid: load_public_key(path) for kid, path in files.items()}, training=training)

    def __getitem__(self, kid: str) -> Ed25519PublicKey:
        return self._keys[kid]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)
