"""Regenerate the sample printable forms (eform-*.pdf) from the sample documents and their symbol texts.

Run from anywhere with the project's virtualenv: ``.venv/bin/python resources/samples/make_pdfs.py``.
The symbol texts (eform-*.txt) are read, never regenerated: they are decoded
and checked against the .json first, and the PDF is watermarked when they are
signed with the training key. Output is deterministic, so a rerun without a
layout change leaves the files byte for byte as they are; tests/unit/test_eform_pdf.py
fails when they are out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the checkout, when run as a script

from teller_client.documents.eform_form import render_eform_pdf  # noqa: E402
from teller_client.eform import TRAINING_KID, TrustedKeys, decode_symbols  # noqa: E402

SAMPLES = ("eform-small", "eform-large-group")


def sample_pdf(name: str, folder: Path = HERE) -> bytes:
    """The printable form of sample ``name`` from ``folder``'s .json and .txt."""
    document = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    symbols = (folder / f"{name}.txt").read_text(encoding="ascii").splitlines()
    form = decode_symbols(symbols, trusted=TrustedKeys(training=True), now=None)
    if form.document != document:
        raise SystemExit(f"{name}.txt does not carry {name}.json")
    return render_eform_pdf(document, symbols, training=form.kid == TRAINING_KID)


def main() -> int:
    for name in SAMPLES:
        path = HERE / f"{name}.pdf"
        data = sample_pdf(name)
        changed = not path.exists() or path.read_bytes() != data
        if changed:
            path.write_bytes(data)
        print(f"{path.name}: {len(data):,} bytes{' (written)' if changed else ' (unchanged)'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
