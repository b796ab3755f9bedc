"""E-form barcodes: decoding the scanned parts, laying out the printable form, reading barcodes from pictures.

.venv/bin/python -m pytest tests/benchmarks/test_eform_bench.py --benchmark-enable
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from pytest_benchmark.fixture import BenchmarkFixture

from teller_client.documents.eform_form import render_eform_pdf
from teller_client.eform.decoder import decode_symbols
from teller_client.eform.images import read_barcodes_from_file
from teller_client.eform.keys import TrustedKeys
from teller_client.resources import resource_path

SAMPLES = resource_path("samples")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _parts(name: str) -> list[str]:
    return (SAMPLES / f"{name}.txt").read_text(encoding="ascii").splitlines()


def test_bench_decode_large_form(benchmark: BenchmarkFixture) -> None:
    """8 parts → verified, checked document (CRC, base32, zlib, Ed25519, schema, domain rules)."""
    trusted = TrustedKeys(training=True)
    form = benchmark(decode_symbols, _parts("eform-large-group"), trusted=trusted, now=NOW)
    assert form.verified and len(form.document["accounts"]) == 20


def test_bench_render_large_form_pdf(benchmark: BenchmarkFixture) -> None:
    document = json.loads((SAMPLES / "eform-large-group.json").read_text(encoding="utf-8"))
    pdf = benchmark(render_eform_pdf, document, _parts("eform-large-group"), training=True)
    assert pdf.startswith(b"%PDF")


def test_bench_read_barcodes_from_sample_pdf(benchmark: BenchmarkFixture) -> None:
    texts = benchmark(read_barcodes_from_file, SAMPLES / "eform-large-group.pdf")
    assert sorted(texts) == sorted(_parts("eform-large-group"))


@pytest.mark.parametrize("angle", [0, 3])
def test_bench_read_barcodes_from_a_scanned_page(benchmark: BenchmarkFixture, tmp_path: Path, angle: int) -> None:
    """The barcode page of the large sample as a 200 dpi scan, straight and rotated by 3 degrees."""
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-f", "4", "-l", "4", str(SAMPLES / "eform-large-group.pdf"), str(tmp_path / "p")],
        check=True,
    )
    page = next(tmp_path.glob("p*.png"))
    scan = tmp_path / "scan.png"
    Image.open(page).convert("L").rotate(angle, expand=True, fillcolor=255).save(scan)
    texts = benchmark(read_barcodes_from_file, scan)
    assert sorted(texts) == sorted(_parts("eform-large-group"))
