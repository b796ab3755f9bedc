"""The language of the UI: Simplified Chinese by default, English on request.

Source strings are English. Their Chinese texts are Qt Linguist sources,
``resources/translations/zh_CN/*.ts`` (one file per area of the program, all in
the context ``teller_client``), compiled by ``pyside6-lrelease`` into
``resources/translations/teller_client_zh_CN.qm`` (``python -m
teller_client.i18n`` recompiles it). The desktop program translates through a
``QTranslator`` loaded from the ``.qm`` (see ``ui/translations.py``, which also
loads Qt's own translations for standard dialogs); code without Qt (the command
line, documents) reads the ``.ts`` sources. Use placeholders, never f-strings,
inside ``tr``::

    tr("Draft saved at {time}").format(time=stamp)

Unit tests check that every ``tr("...")`` literal in the code has a Chinese
translation with the same placeholders, and that the ``.qm`` matches the sources.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from teller_client.resources import resource_path

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

CONTEXT = "teller_client"
QM_NAME = "teller_client_zh_CN.qm"

_current = DEFAULT_LANGUAGE
_lookup: Callable[[str], str] | None = None


def ts_sources() -> list[Path]:
    return sorted(resource_path("translations", "zh_CN").glob("*.ts"))


def read_ts(path: Path) -> dict[str, str]:
    """The finished translations of one Qt Linguist ``.ts`` file (source -> translation)."""
    out: dict[str, str] = {}
    for message in ET.parse(path).getroot().iter("message"):  # noqa: S314 - our own shipped resource
        source = message.findtext("source")
        node = message.find("translation")
        if source is None or node is None or node.get("type") in ("unfinished", "obsolete", "vanished") or not node.text:
            continue
        out[source] = node.text
    return out


@lru_cache(maxsize=4)
def catalogue(lang: str) -> dict[str, str]:
    if lang == "en":
        return {}
    data: dict[str, str] = {}
    for path in ts_sources():
        data.update(read_ts(path))
    return data


def use_lookup(lookup: Callable[[str], str] | None) -> None:
    """Translate Chinese through ``lookup`` (the GUI's ``QTranslator``); ``None`` reads the ``.ts`` sources again."""
    global _lookup
    _lookup = lookup


def compile_qm(target: Path | None = None) -> Path:
    """Compile the ``.ts`` sources into one ``.qm`` with Qt's ``lrelease`` (shipped with PySide6)."""
    target = target or resource_path("translations", QM_NAME)
    tool = Path(sys.executable).with_name("pyside6-lrelease")
    command = [str(tool) if tool.exists() else "pyside6-lrelease", *map(str, ts_sources()), "-qm", str(target)]
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603 - our own tool and files
    return target


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
    if _current == "en":
        return source
    if _lookup is not None:
        return _lookup(source) or source
    return catalogue(_current).get(source, source)


if __name__ == "__main__":
    print(compile_qm())
