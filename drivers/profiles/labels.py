"""Token labels from a profile's ``token.label_format`` (``"{customer_no}-{user_no}"``).

A PKCS#11 label is at most 32 bytes of UTF-8, and many vendors accept less, or only ASCII; the profile says
which. A label that does not fit raises :class:`LabelError` rather than being cut: a cut label could name the
wrong customer.
"""

from __future__ import annotations

from drivers.profiles.errors import LabelError
from drivers.profiles.model import VendorProfile
from drivers.profiles.text_rules import label_charset_problem


def token_label(profile: VendorProfile, **fields: object) -> str:
    """The label for a token of ``profile``; ``fields`` are the format's fields (extra ones are ignored)."""
    rules = profile.token
    missing = [name for name in rules.label_fields if name not in fields or fields[name] is None]
    if missing:
        raise LabelError("missing_field", f"label format {rules.label_format!r} needs {', '.join(missing)}", profile_id=profile.id)
    label = rules.label_format.format_map({name: str(fields[name]).strip() for name in rules.label_fields})
    if not label.strip():
        raise LabelError("empty", "the label came out empty", profile_id=profile.id, label=label)
    size = len(label.encode("utf-8"))
    if size > rules.label_max_bytes:
        raise LabelError(
            "too_long", f"label {label!r} is {size} bytes; profile {profile.id} allows {rules.label_max_bytes}",
            profile_id=profile.id, label=label,
        )  # fmt: skip
    problem = label_charset_problem(label, rules.label_charset)
    if problem:
        raise LabelError(
            "invalid_chars", f"label {label!r} breaks label_charset {rules.label_charset!r}: {problem}", profile_id=profile.id, label=label
        )
    return label
