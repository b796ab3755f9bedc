"""Add or change translations in a Qt Linguist ``.ts`` file (kept sorted, one context ``teller_client``).

    python packaging/tools/ts_add.py resources/translations/zh_CN/AREA.ts "English" "中文" ["English" "中文" ...]

Then recompile the ``.qm``: ``python -m teller_client.i18n``.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import escape

HEAD = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>", '<TS version="2.1" language="zh_CN" sourcelanguage="en">']


def main(argv: list[str]) -> None:
    path = Path(argv[0])
    if len(argv) % 2 != 1:
        raise SystemExit("give pairs of English and Chinese texts")
    texts: dict[str, str] = {}
    if path.exists():
        for message in ET.parse(path).getroot().iter("message"):  # noqa: S314 - our own resource
            texts[message.findtext("source") or ""] = message.findtext("translation") or ""
    texts.update(zip(argv[1::2], argv[2::2], strict=True))
    lines = [*HEAD, "<context>", "    <name>teller_client</name>"]
    for source in sorted(texts):
        lines += ["    <message>", f"        <source>{escape(source)}</source>"]
        lines += [f"        <translation>{escape(texts[source])}</translation>", "    </message>"]
    lines += ["</context>", "</TS>", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
