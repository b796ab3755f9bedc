"""``teller-client eform decode|generate`` (contract section 5); wired into :mod:`teller_client.cli`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from teller_client.errors import TellerError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

EXIT_OK, EXIT_FAILED = 0, 2


def run_eform(args: argparse.Namespace, read_json: Callable[[str], Any]) -> int:
    """Run one ``eform`` action; a refusal is one line on stderr (code, then the reason in both languages), exit 2."""
    try:
        if args.eform_action == "decode":
            return _decode(args)
        if args.eform_action == "scan":
            return _scan(args)
        return _generate(args, read_json)
    except TellerError as exc:
        line = f"teller-client eform {args.eform_action}: {exc.code}: {exc.message_zh} / {exc.message_en}"
        print(" ".join(line.split()), file=sys.stderr)
        return EXIT_FAILED


def _usage(en: str, zh: str) -> TellerError:
    return TellerError(en, zh, code="bad_argument")


def _decode(args: argparse.Namespace) -> int:
    from teller_client.eform.decoder import decode_symbols
    from teller_client.eform.errors import EformError
    from teller_client.eform.keys import TrustedKeys

    files: dict[str, Path] = {}
    for item in args.trust:
        kid, sep, path = item.partition("=")
        if not sep or not kid or not path:
            raise _usage(f"--trust needs KID=PUBLIC_KEY.pem, not '{item}'", f"--trust 的格式须为 KID=公钥.pem，而不是“{item}”")
        files[kid] = Path(path)
    now = _parse_now(args.now) if args.now else None
    trusted = TrustedKeys.from_files(files, training=args.training)
    texts = _read_lines(args.file)
    try:
        form = decode_symbols(texts, trusted=trusted, allow_unsigned=args.allow_unsigned, now=now)
    except EformError as exc:
        if exc.code == "not_eform":
            line = next(n for n, text in enumerate(texts, 1) if text.strip() and not _is_eform(text))
            raise EformError(exc.code, f"Line {line}: {exc.message_en}", f"第 {line} 行：{exc.message_zh}") from exc
        raise
    print(json.dumps(form.document, ensure_ascii=False, indent=2))
    if not form.verified:
        print(
            "teller-client eform decode: unverified: 表单未经可信签名验证 / the form is not verified by a trusted signature",
            file=sys.stderr,
        )
    return EXIT_OK


def _scan(args: argparse.Namespace) -> int:
    """Every barcode text found in the files, one a line, in page and reading order."""
    from teller_client.eform.images import read_barcodes_from_file

    texts = [text for path in args.files for text in read_barcodes_from_file(path)]
    for text in texts:
        print(text)
    return EXIT_OK


def _is_eform(text: str) -> bool:
    from teller_client.eform.symbols import is_eform

    return is_eform(text)


def _parse_now(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise _usage(
            f"--now needs an RFC 3339 time with a zone, e.g. 2026-11-23T10:00:00+08:00, not '{text}'",
            f"--now 须为带时区的 RFC 3339 时间，例如 2026-11-23T10:00:00+08:00，而不是“{text}”",
        )
    return when


def _read_lines(name: str) -> list[str]:
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise TellerError(f"cannot read {name}: {exc}", f"无法读取 {name}：{exc}", code="input_unreadable") from exc
    # Symbol texts are ASCII; anything else is kept (and refused by the decoder) rather than failing here.
    return data.decode("utf-8", errors="replace").splitlines()


def _generate(args: argparse.Namespace, read_json: Callable[[str], Any]) -> int:
    from teller_client.eform.generator import make_symbols
    from teller_client.eform.keys import load_private_key

    if args.max_part_chars < 1:
        raise _usage("--max-part-chars must be positive", "--max-part-chars 须为正数")
    doc = read_json(args.file)
    if not isinstance(doc, dict):
        raise _usage(f"{args.file} is not a JSON object", f"{args.file} 不是 JSON 对象")
    key = load_private_key(args.key)
    symbols = make_symbols(doc, key, args.kid, args.max_part_chars)
    if args.pdf is not None:  # written before anything is printed: a refusal leaves standard output empty
        from teller_client.documents.eform_form import write_eform_pdf

        write_eform_pdf(args.pdf, doc, symbols, training=_is_training_key(key, args.kid))
    for text in symbols:
        print(text)
    return EXIT_OK


def _is_training_key(key: Ed25519PrivateKey, kid: str) -> bool:
    """Whether the form is signed with the shipped training key (by its ``kid`` or by the key itself): its PDF is watermarked."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from teller_client.eform.keys import TRAINING_KID, training_public_key

    if kid == TRAINING_KID:
        return True
    raw = (Encoding.Raw, PublicFormat.Raw)
    return bool(key.public_key().public_bytes(*raw) == training_public_key().public_bytes(*raw))
