"""The language of the UI: Simplified Chinese by default, English on request.

Source strings are English; ``resources/translations/zh_CN.json`` maps each
to its Chinese text. Use placeholders, never f-strings, inside ``tr``::

    tr("Draft saved at {time}").format(time=stamp)

A unit test checks that every ``tr("...")`` literal in the code has a Chinese
translation with the same placeholders.
"""

from __future__ import annotations

import json
from functools import lru_cache

from teller_client.resources import resource_path

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

_current = DEFAULT_LANGUAGE


@lru_cache(maxsize=4)
def catalogue(lang: str) -> dict[str, str]:
    if lang == "en":
        return {}
    path = resource_path("translations", "zh_CN.json")
    with path.open(encoding="utf-8") as fh:
        data: dict[str, str] = json.load(fh)
    return data


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; use one of {LANGUAGES}")
    _current = lang


def language() -> str:
    return _current


def N_(source: str) -> str:
    """Mark ``source`` for translation where it is defined; translate it later with ``tr``."""
    return source


def sentences(*parts: str) -> str:
    """Sentences one after another: with a space in English, without one in Chinese."""
    return ("" if _current == "zh" else " ").join(p for p in parts if p)


def tr(source: str) -> str:
    """``source`` (English) in the current language."""
    return catalogue(_current).get(source, source)
