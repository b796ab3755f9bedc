"""One function per section of a profile file: read it through a :class:`Table`, check it, build its dataclass.

Rules that tie two sections together (a token initialised at the counter needs an SO PIN) live in
:func:`check_together`. Every rule here is stated for branch IT in ``README.md``.
"""

from __future__ import annotations

import re
import string

from drivers.profiles.atr import AtrPattern, AtrPatternSyntaxError
from drivers.profiles.model import (
    DEVICE_KINDS,
    INITIAL_PIN_POLICIES,
    INITIALISATIONS,
    KEY_TYPES,
    LABEL_CHARSETS,
    LABEL_FIELDS,
    OS_NAMES,
    PIN_CHARSETS,
    PKCS11_LABEL_BYTES,
    SELECT_BY,
    SO_PIN_SOURCES,
    TRANSPORT_PIN_SOURCES,
    DeviceCaps,
    KeyRules,
    KeyType,
    LabelField,
    LibraryPaths,
    LocalisedName,
    SelectBy,
    SoPinRules,
    TokenMatch,
    TokenRules,
    UserPinRules,
)
from drivers.profiles.reader import Table
from drivers.profiles.text_rules import label_charset_problem

_WINDOWS_ABSOLUTE = re.compile(r"(?:[A-Za-z]:[\\/]|\\\\|%[A-Za-z_][A-Za-z0-9_()]*%)")
_POSIX_ABSOLUTE = re.compile(r"(?:/|\$\{?[A-Za-z_][A-Za-z0-9_]*)")
_DERIVATION = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_PIN_LENGTH = 255
"""CK_TOKEN_INFO's ulMaxPinLen is a CK_ULONG, but no token we know accepts more; SoftHSM2 reports 4..255."""
DEFAULT_GENERATED_PIN_LENGTH = 8


def read_name(table: Table) -> LocalisedName:
    name = LocalisedName(zh=table.text("zh"), en=table.text("en"))
    table.finish()
    return name


def read_library(table: Table) -> LibraryPaths:
    paths: dict[str, tuple[str, ...]] = {}
    for os_name in OS_NAMES:
        checker = _WINDOWS_ABSOLUTE if os_name == "windows" else _POSIX_ABSOLUTE
        found = []
        for key, value in table.texts(os_name, ()):
            if not checker.match(value):
                example = r"'%SystemRoot%\System32\vendor.dll' or 'C:\...'" if os_name == "windows" else "'/usr/lib/...'"
                raise table.error(
                    "bad_library_path", key,
                    f"{value!r} is not an absolute path; a bare name lets the OS load a library from anywhere, give {example}",
                )  # fmt: skip
            found.append(value)
        paths[os_name] = tuple(found)
    table.finish()
    if not any(paths.values()):
        raise table.error("missing_key", None, "name at least one PKCS#11 library path under windows, linux or macos")
    return LibraryPaths(windows=paths["windows"], linux=paths["linux"], macos=paths["macos"])


def read_atr_patterns(table: Table) -> tuple[AtrPattern, ...]:
    patterns = []
    for key, text in table.texts("atr", ()):
        try:
            patterns.append(AtrPattern.parse(text))
        except AtrPatternSyntaxError as exc:
            raise table.error("bad_atr_pattern", key, f"{text!r}: {exc}") from exc
    return tuple(patterns)


def read_token_matches(table: Table) -> tuple[TokenMatch, ...]:
    matches = []
    for entry in table.tables("tokens"):
        matches.append(TokenMatch(manufacturer=entry.text("manufacturer").strip(), model=_strip(entry.optional_text("model"))))
        entry.finish()
    return tuple(matches)


def _key_type(table: Table, name: str, value: str) -> KeyType:
    """``value`` as a key type; ``name`` is its key inside ``table`` for the error."""
    for known in KEY_TYPES:
        if value == known:
            return known
    raise table.error("unknown_key_type", name, f"unknown key type {value!r}; known: {', '.join(KEY_TYPES)}")


def read_keys(table: Table) -> KeyRules:
    types: list[KeyType] = []
    for key, value in table.texts("types"):
        key_type = _key_type(table, key, value)
        if key_type in types:
            raise table.error("bad_value", key, f"{value!r} is listed twice")
        types.append(key_type)
    if not types:
        raise table.error("bad_value", "types", "list at least one key type the token supports")
    default = _key_type(table, "default", table.text("default")) if table.has("default") else types[0]
    if default not in types:
        raise table.error("inconsistent", "default", f"{default!r} is not among keys.types")
    unsupported: list[tuple[KeyType, str]] = []
    reasons = table.table("unsupported", required=False)
    for name in reasons.names():
        key_type = _key_type(reasons, name, name)
        if key_type in types:
            raise reasons.error("inconsistent", name, f"{name!r} is also listed in keys.types")
        reason = reasons.raw(name)
        if not isinstance(reason, str) or not reason.strip():
            raise reasons.error("wrong_type", name, "give the reason as text")
        unsupported.append((key_type, reason.strip()))
    rules = KeyRules(
        types=tuple(types),
        default_type=default,
        on_token_keygen=table.flag("on_token_keygen"),
        unsupported=tuple(unsupported),
        max_key_pairs=table.optional_number("max_key_pairs", minimum=1, maximum=10_000),
        max_certificates=table.optional_number("max_certificates", minimum=1, maximum=10_000),
    )
    table.finish()
    return rules


def read_user_pin(table: Table) -> UserPinRules:
    min_length = table.number("min_length", minimum=1, maximum=MAX_PIN_LENGTH)
    max_length = table.number("max_length", minimum=1, maximum=MAX_PIN_LENGTH)
    if max_length < min_length:
        raise table.error("inconsistent", "max_length", f"{max_length} is below min_length {min_length}")
    generated = table.number(
        "generated_length", min(max(min_length, DEFAULT_GENERATED_PIN_LENGTH), max_length), minimum=1, maximum=MAX_PIN_LENGTH
    )
    if not min_length <= generated <= max_length:
        raise table.error("inconsistent", "generated_length", f"{generated} is outside min_length..max_length ({min_length}..{max_length})")
    transport = table.choice("transport", TRANSPORT_PIN_SOURCES, "none")
    transport_value = table.optional_text("transport_value")
    if transport == "default" and transport_value is None:
        raise table.error("missing_key", "transport_value", "transport = 'default' needs the vendor's transport PIN here")
    if transport != "default" and transport_value is not None:
        raise table.error("inconsistent", "transport_value", f"only transport = 'default' takes a value; transport is {transport!r}")
    rules = UserPinRules(
        min_length=min_length,
        max_length=max_length,
        charset=table.choice("charset", PIN_CHARSETS),
        generated_length=generated,
        initial=table.choice("initial", INITIAL_PIN_POLICIES, "random_by_client"),
        reject_trivial=table.flag("reject_trivial", True),
        forbidden=tuple(value for _, value in table.texts("forbidden", ())),
        max_attempts=table.optional_number("max_attempts", minimum=0, maximum=255),
        transport=transport,
        transport_value=transport_value,
    )
    table.finish()
    return rules


def read_so_pin(table: Table) -> SoPinRules:
    source = table.choice("source", SO_PIN_SOURCES)
    value = table.optional_text("value")
    derivation = table.optional_text("derivation")
    if source == "default" and value is None:
        raise table.error("missing_key", "value", "source = 'default' needs the SO PIN here")
    if source != "default" and value is not None:
        raise table.error("inconsistent", "value", f"only source = 'default' takes a value; source is {source!r}")
    if source == "derived":
        if derivation is None:
            raise table.error("missing_key", "derivation", "source = 'derived' needs the name of the derivation scheme")
        if not _DERIVATION.fullmatch(derivation):
            raise table.error("bad_value", "derivation", "a scheme name is lower-case letters, digits and '_'")
    elif derivation is not None:
        raise table.error("inconsistent", "derivation", f"only source = 'derived' takes a derivation; source is {source!r}")
    table.finish()
    return SoPinRules(source=source, value=value, derivation=derivation)


def _label_fields(table: Table, label_format: str) -> tuple[LabelField, ...]:
    fields: list[LabelField] = []
    try:
        parsed = list(string.Formatter().parse(label_format))
    except ValueError as exc:
        raise table.error("bad_label_format", "label_format", f"{label_format!r} does not parse: {exc}") from exc
    for _literal, field_name, _spec, conversion in parsed:
        if field_name is None:
            continue
        known = next((name for name in LABEL_FIELDS if name == field_name), None)
        if known is None:
            raise table.error("bad_label_format", "label_format", f"unknown field {{{field_name}}}; known: {', '.join(LABEL_FIELDS)}")
        if conversion is not None:
            raise table.error("bad_label_format", "label_format", f"conversions such as !{conversion} are not allowed")
        if known not in fields:
            fields.append(known)
    try:
        label_format.format_map(dict.fromkeys(fields, "0"))
    except (ValueError, KeyError, IndexError) as exc:
        raise table.error("bad_label_format", "label_format", f"{label_format!r} cannot be formatted: {exc}") from exc
    return tuple(fields)


def read_token(table: Table) -> TokenRules:
    label_format = table.text("label_format")
    fields = _label_fields(table, label_format)
    charset = table.choice("label_charset", LABEL_CHARSETS, "alphanumeric_dash")
    literal = "".join(part[0] for part in string.Formatter().parse(label_format))
    problem = label_charset_problem(literal, charset)
    if problem:
        raise table.error("inconsistent", "label_format", f"the fixed text of the format breaks label_charset {charset!r}: {problem}")
    select_by: list[SelectBy] = []
    for key, value in table.texts("select_by", ("serial", "label")):
        chosen = next((name for name in SELECT_BY if name == value), None)
        if chosen is None:
            hint = " (slot numbers change as tokens come and go)" if value.startswith("slot") else ""
            raise table.error("bad_value", key, f"select by one of {', '.join(SELECT_BY)}, not {value!r}{hint}")
        if chosen in select_by:
            raise table.error("bad_value", key, f"{value!r} is listed twice")
        select_by.append(chosen)
    if not select_by:
        raise table.error("bad_value", "select_by", "list serial, label or both")
    rules = TokenRules(
        initialisation=table.choice("initialisation", INITIALISATIONS),
        label_format=label_format,
        label_fields=fields,
        label_max_bytes=table.number("label_max_bytes", PKCS11_LABEL_BYTES, minimum=1, maximum=PKCS11_LABEL_BYTES),
        label_charset=charset,
        select_by=tuple(select_by),
    )
    table.finish()
    return rules


def read_device(table: Table) -> DeviceCaps:
    caps = DeviceCaps(
        kind=table.choice("kind", DEVICE_KINDS),
        button_to_sign=table.flag("button_to_sign", False),
        display=table.flag("display", False),
        pin_pad=table.flag("pin_pad", False),
        confirm_timeout_seconds=table.optional_number("confirm_timeout_seconds", minimum=1, maximum=600),
    )
    if caps.confirm_timeout_seconds is not None and not caps.button_to_sign:
        raise table.error("inconsistent", "confirm_timeout_seconds", "only a device with button_to_sign = true waits for a press")
    table.finish()
    return caps


def check_together(top: Table, token: TokenRules, user_pin: UserPinRules, so_pin: SoPinRules) -> None:
    """The rules that span sections; each error names the key to change."""
    if token.initialisation in ("at_counter", "either") and so_pin.source == "not_needed":
        raise top.error(
            "inconsistent", "so_pin.source",
            f"token.initialisation = {token.initialisation!r} initialises tokens at the counter, which needs an SO PIN",
        )  # fmt: skip
    if token.initialisation in ("pre_initialised", "either") and user_pin.transport == "none":
        raise top.error(
            "inconsistent", "user_pin.transport",
            "a pre-initialised token arrives with a user PIN: say where it comes from (stock_record, default or so_reset)",
        )  # fmt: skip
    if token.initialisation == "at_counter" and user_pin.transport != "none":
        raise top.error("inconsistent", "user_pin.transport", "a token initialised at the counter has no transport PIN; use 'none'")
    if user_pin.transport == "so_reset" and so_pin.source == "not_needed":
        raise top.error(
            "inconsistent", "user_pin.transport", "transport = 'so_reset' resets the user PIN with the SO PIN, which is 'not_needed'"
        )


def _strip(value: str | None) -> str | None:
    return value.strip() if value is not None else None
