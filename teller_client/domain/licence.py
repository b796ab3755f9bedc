"""The Unified Social Credit Code in the QR code of a business licence (营业执照).

The QR code printed on a licence usually holds a link to the national
enterprise credit information system (``www.gsxt.gov.cn``) with the USCC as a
query parameter (``uniscid``, ``creditCode``, ``tyshxydm``, ...); some local
systems put the code in the path or print it as plain text. Newer licences
may hold only an opaque token: then no code can be read and the teller types
it from the licence.

Pure: no I/O. Every refusal is an :class:`InvalidIdentifierError` with a
stable ``code`` and a message in Chinese and English.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, unquote, urlsplit

from teller_client.domain.identifiers import USCC_CHARSET, _fail, validate_resident_id, validate_uscc
from teller_client.errors import InvalidIdentifierError

MAX_TEXT_CHARS = 8192
"""A QR code holds at most 7089 characters; only this much of a scanned text is examined."""

USCC_PARAMETERS = frozenset(
    {"uniscid", "entuniscid", "creditcode", "tyshxydm", "shxydm", "uscc", "socialcreditcode", "unifiedsocialcreditcode", "xydm"}
)
"""Query parameter names (compared in lower case) that carry the code in the links of licence QR codes."""

LICENCE_HOSTS = ("gsxt.gov.cn", "gsxt.saic.gov.cn")
"""Hosts of the national enterprise credit information system that licence QR codes link to."""

_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{18}(?![A-Za-z0-9])")
_JUNK = "".join(chr(c) for c in range(0x21)) + "\x7f\x85\xa0\u2028\u2029\u3000\ufeff"
"""White space and control characters a scanner or an input method adds around the text."""
_REGISTRATION_AUTHORITIES = frozenset("123456789ANY")
"""First character of a USCC (GB 32100 registration authority code)."""


def _normalise(text: str) -> str:
    """Full-width letters and digits to ASCII, at most :data:`MAX_TEXT_CHARS` characters."""
    return unicodedata.normalize("NFKC", text[: MAX_TEXT_CHARS * 2])[:MAX_TEXT_CHARS]


def _uscc_shaped(token: str) -> bool:
    """18 characters of the GB 32100 charset, a registration authority code first, a 6-digit division code."""
    value = token.upper()
    return len(value) == 18 and value[0] in _REGISTRATION_AUTHORITIES and value[2:8].isdigit() and all(ch in USCC_CHARSET for ch in value)


def _parameter_values(text: str) -> list[str]:
    """Values of the known USCC parameters in the query and fragment of every link in ``text``."""
    values: list[str] = []
    for piece in re.split(r"\s+", text):
        if "=" not in piece:
            continue
        try:
            parts = urlsplit(piece)
        except ValueError:
            continue
        for section in (parts.query, parts.fragment.rpartition("?")[2], parts.fragment):
            for key, value in parse_qsl(section, keep_blank_values=False):
                if key.strip().lower() in USCC_PARAMETERS:
                    values.append(value.strip())
    return values


def _candidates(text: str) -> tuple[list[str], list[str]]:
    """(values of named parameters, every 18-character token), each in order of appearance, no repeats."""
    decoded = unquote(text)
    named = _unique([*_parameter_values(text), *_parameter_values(decoded)])
    tokens = _unique([match.group(0) for source in (text, decoded) for match in _TOKEN.finditer(source)])
    return named, tokens


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _valid(candidates: list[str]) -> list[str]:
    found: list[str] = []
    for candidate in candidates:
        try:
            code = validate_uscc(candidate)
        except InvalidIdentifierError:
            continue
        if code not in found:
            found.append(code)
    return found


def uscc_from_licence_text(text: str) -> str:
    """The normalised USCC held by the scanned text of a business licence's QR code.

    Named link parameters win over codes found elsewhere in the text. Refuses with
    ``licence_uscc_check_character`` when a code is there but its check character is wrong,
    ``licence_ambiguous_uscc`` when the text holds several different valid codes and no named
    parameter says which, and ``licence_no_uscc`` otherwise.
    """
    clean = _normalise(text)
    named, tokens = _candidates(clean)
    from_parameters = _valid(named)
    if from_parameters:
        return from_parameters[0]
    elsewhere = _valid(tokens)
    if len(elsewhere) == 1:
        return elsewhere[0]
    if len(elsewhere) > 1:
        raise _fail("licence_ambiguous_uscc", "ambiguous", codes=", ".join(elsewhere[:3]))
    misread = [c.upper() for c in named if _uscc_shaped(c)] + [t.upper() for t in tokens if _uscc_shaped(t)]
    if misread:
        raise _fail("licence_uscc_check_character", "check_character", uscc=misread[0])
    raise _fail("licence_no_uscc", "not_found")


def looks_like_licence(text: str) -> bool:
    """Whether a scanned text should be read as a business licence QR code (for routing scans).

    True for a text that is not an e-form barcode and either links to the national enterprise credit
    information system or holds a USCC-shaped token (even one with a wrong check character, so that the
    teller is told so). A bare 18-character resident ID number is not taken for a licence.
    """
    clean = _normalise(text).strip(_JUNK)
    if clean[:4].upper() == "EF1:":  # the e-form tag (teller_client.eform.symbols.TAG; domain does not import eform)
        return False
    named, tokens = _candidates(clean)
    if any(_uscc_shaped(c) for c in named):
        return True
    lowered = clean.lower()
    if any(host in lowered for host in LICENCE_HOSTS):
        return True
    shaped = [t for t in tokens if _uscc_shaped(t)]
    if not shaped:
        return False
    bare_resident_id = clean == shaped[0] and not _valid(shaped) and _is_resident_id(clean)
    return not bare_resident_id


def _is_resident_id(text: str) -> bool:
    try:
        validate_resident_id(text)
    except InvalidIdentifierError:
        return False
    return True
