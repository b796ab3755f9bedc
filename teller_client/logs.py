"""Logging that redacts by default.

* Personal data is masked in every record: resident ID numbers, mobiles,
  account numbers (any run of 8 or more digits), e-mail local parts, and
  names passed as :class:`PersonalName` arguments.
* Secrets never reach a log: a :class:`~teller_client.secret.Secret`
  argument prints as ``******``, and JSON or ``key=value`` text whose key names
  a secret (password, PIN, authorization code, token) has its value removed.
* Raw device and HTTP traffic is logged only at :data:`TRACE`, below DEBUG,
  and off unless branch IT turns it on.

The masking runs in a :class:`logging.Filter` on the handlers this module
installs, so third-party loggers are masked too.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path
from typing import Any

from teller_client.secret import SECRET_FIELD_NAMES, Secret

TRACE = 5
logging.addLevelName(TRACE, "TRACE")

_SECRET_KEYS = "(?:" + "|".join(sorted(SECRET_FIELD_NAMES, key=len, reverse=True)) + ")"
_QUOTED = r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'"""
_BARE = r"[^\s,;&}\]]+"
# JSON and Python's dict repr (single quotes); the value may be a string or a bare number.
_SECRET_JSON = re.compile(rf"""(["']{_SECRET_KEYS}["']\s*:\s*)(?:{_QUOTED}|{_BARE})""", re.IGNORECASE)
# key=value and key: value; a quoted value goes whole, spaces and all; an already masked one is left.
_SECRET_KV = re.compile(rf"\b({_SECRET_KEYS}\s*[=:]\s*)(?:{_QUOTED}|(?!\*){_BARE})", re.IGNORECASE)
_BEARER = re.compile(r"((?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![\d-])(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?![\d-])")
_DIGITS = re.compile(r"(?<![0-9A-Za-z])(\d{4})(\d*)(\d{4})(?![0-9A-Za-z])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_MASK = "******"


class PersonalName(str):
    """A person's name, masked in logs as ``张*`` (first character kept)."""

    __slots__ = ()


def mask_name(name: str) -> str:
    name = name.strip()
    if not name:
        return name
    return name[0] + "*" * max(1, min(len(name) - 1, 3))


def mask_text(text: str) -> str:
    """Mask secrets and personal data in free text."""
    text = _SECRET_JSON.sub(rf'\1"{_MASK}"', text)
    text = _SECRET_KV.sub(rf"\1{_MASK}", text)
    text = _BEARER.sub(rf"\1{_MASK}", text)
    text = _RESIDENT_ID.sub(r"\1********\2", text)
    text = _MOBILE.sub(r"\1****\2", text)
    # 8 digits or more (account numbers): keep the first and last four, or only the last four of eight.
    text = _DIGITS.sub(lambda m: (m.group(1) if m.group(2) else "****") + "*" * len(m.group(2)) + m.group(3), text)
    return _EMAIL.sub(r"***\1", text)


def _mask_arg(arg: Any) -> Any:
    if isinstance(arg, Secret):
        return _MASK
    if isinstance(arg, PersonalName):
        return mask_name(arg)
    return arg


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and exception text) with personal data masked and secrets removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple):
            args = tuple(_mask_arg(a) for a in args)
        elif isinstance(args, dict):
            args = {k: _mask_arg(v) for k, v in args.items()}
        try:
            message = record.msg % args if args else str(record.msg)
        except (TypeError, ValueError):
            message = f"{record.msg} {args!r}"
        record.msg = mask_text(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # Format the traceback now so its text can be masked too; the formatter then reuses exc_text.
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


def configure_logging(log_dir: Path | None, level: int = logging.INFO, *, console: bool = True) -> None:
    """Install redacting handlers on the root logger: a rotating file in ``log_dir`` and the console."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_teller", False):
            root.removeHandler(handler)
            handler.close()  # else the old log file stays open (and locked, on Windows)
    handlers: list[logging.Handler] = []
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(log_dir / "teller-client.log", maxBytes=5_000_000, backupCount=10, encoding="utf-8")
        )
    if console:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.addFilter(RedactingFilter())
        handler.setFormatter(logging.Formatter(FORMAT))
        handler._teller = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    # Alembic narrates every migration step at INFO; the store logs the upgrade itself.
    logging.getLogger("alembic").setLevel(max(level, logging.WARNING))
