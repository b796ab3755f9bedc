"""``teller-client eform decode|generate`` (contract section 5) and the shipped samples."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from teller_client.cli import main
from teller_client.eform import TrustedKeys, decode_symbols, make_symbols
from teller_client.eform.keys import training_private_key
from teller_client.resources import resource_path
from tests.support.documents import valid_document
from tests.support.entry_point import ENTRY_POINT

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = resource_path("samples")
TRAINING_KEY = str(resource_path("keys", "eform-training-ed25519.pem"))
NOW = "2026-11-23T10:00:00+08:00"


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    assert ENTRY_POINT.exists(), f"the package is not installed in this environment ({ENTRY_POINT} missing)"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [str(ENTRY_POINT), "eform", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.fixture
def bank_key(tmp_path: Path) -> tuple[Path, Path]:
    key = Ed25519PrivateKey.generate()
    private, public = tmp_path / "bank.pem", tmp_path / "bank.pub.pem"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


@pytest.mark.parametrize("name", ["eform-small", "eform-large-group"])
def test_shipped_samples_decode_in_training_mode(name: str) -> None:
    expected = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    texts = (SAMPLES / f"{name}.txt").read_text(encoding="ascii").splitlines()
    assert all(len(t) <= 800 for t in texts)
    if name == "eform-large-group":
        assert len(texts) > 2 and len(expected["accounts"]) == 20 and len(expected["users"]) == 10
    assert texts == make_symbols(expected, training_private_key(), "TRAINING")  # Ed25519 is deterministic
    form = decode_symbols(reversed(texts), trusted=TrustedKeys(training=True), now=None)
    assert form.document == expected and form.verified and form.kid == "TRAINING"


def test_small_sample_is_the_test_document_valid_until_2036() -> None:
    doc = valid_document()
    doc["expires_at"] = "2036-12-31T00:00:00+08:00"
    assert json.loads((SAMPLES / "eform-small.json").read_text(encoding="utf-8")) == doc


def test_decode_sample_through_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eform", "decode", "--training", str(SAMPLES / "eform-large-group.txt")]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out) == json.loads((SAMPLES / "eform-large-group.json").read_text(encoding="utf-8"))
    assert out.err == ""


def test_decode_subprocess_stdin_and_refusals() -> None:
    texts = (SAMPLES / "eform-small.txt").read_text(encoding="ascii")
    ok = run_cli("decode", "--training", "-", stdin="\n".join(reversed(texts.splitlines())))
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["form_id"] == "EF20261122000123"
    no_training = run_cli("decode", str(SAMPLES / "eform-small.txt"))
    assert no_training.returncode == 2 and no_training.stdout == ""
    assert len(no_training.stderr.splitlines()) == 1 and "unknown_key" in no_training.stderr
    expired = run_cli("decode", "--training", "--now", "2037-01-01T00:00:00Z", str(SAMPLES / "eform-small.txt"))
    assert expired.returncode == 2 and len(expired.stderr.splitlines()) == 1 and "expired" in expired.stderr


def test_generate_then_decode_with_a_trusted_key(tmp_path: Path, bank_key: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    private, public = bank_key
    form = tmp_path / "form.json"
    form.write_text(json.dumps(valid_document(), ensure_ascii=False), encoding="utf-8")
    assert main(["eform", "generate", "--key", str(private), "--kid", "BANK1", "--max-part-chars", "300", str(form)]) == 0
    texts = capsys.readouterr().out.splitlines()
    assert len(texts) > 1 and all(len(t) <= 300 for t in texts)
    symbols = tmp_path / "symbols.txt"
    symbols.write_text("\r\n".join(reversed(texts)), encoding="ascii")
    assert main(["eform", "decode", "--trust", f"BANK1={public}", "--now", NOW, str(symbols)]) == 0
    assert json.loads(capsys.readouterr().out) == valid_document()
    assert main(["eform", "decode", "--now", NOW, str(symbols)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown_key" in err and "BANK1" in err
    assert main(["eform", "decode", "--allow-unsigned", "--now", NOW, str(symbols)]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out) == valid_document() and "unverified" in out.err


@pytest.mark.parametrize(
    ("change", "code", "named"),
    [
        (lambda lines: lines[:1], "incomplete", "2"),
        (lambda lines: [lines[0][:-3] + "AAA", *lines[1:]], "crc_mismatch", "1"),
        (lambda lines: ["6222021001000012345", *lines], "not_eform", "1"),
    ],
)
def test_decode_refusals_are_one_line_naming_the_part(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: object, code: str, named: str
) -> None:
    lines = make_symbols(valid_document(), training_private_key(), "TRAINING", max_part_chars=400)
    path = tmp_path / "s.txt"
    path.write_text("\n".join(change(lines)), encoding="ascii")  # type: ignore[operator]
    assert main(["eform", "decode", "--training", "--now", NOW, str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f": {code}: " in err and named in err


def test_decode_invalid_form_names_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_document()
    doc["customer"]["uscc"] = "91350200M000100Y47"
    path = tmp_path / "s.txt"
    path.write_text("\n".join(make_symbols(doc, training_private_key(), "TRAINING")), encoding="ascii")
    assert main(["eform", "decode", "--training", "--now", NOW, str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid_form" in err and "/customer/uscc" in err


def test_training_key_cannot_be_trusted_outside_training(capsys: pytest.CaptureFixture[str]) -> None:
    public = resource_path("keys", "eform-training-ed25519.pub.pem")
    assert main(["eform", "decode", "--trust", f"X={public}", str(SAMPLES / "eform-small.txt")]) == 2
    assert "training_key" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--trust", "nokid"], ["--now", "2026-11-23"], ["--trust", "K=/nonexistent.pem"]])
def test_decode_bad_arguments(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eform", "decode", *args, str(SAMPLES / "eform-small.txt")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_generate_pdf_prints_the_symbols_and_writes_the_sample_form(tmp_path: Path) -> None:
    out = tmp_path / "o.pdf"
    result = run_cli("generate", "--key", TRAINING_KEY, "--kid", "TRAINING", "--pdf", str(out), str(SAMPLES / "eform-small.json"))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (SAMPLES / "eform-small.txt").read_text(encoding="ascii")
    assert out.read_bytes() == (SAMPLES / "eform-small.pdf").read_bytes()


def test_generate_pdf_to_an_unwritable_path_is_a_one_line_refusal(tmp_path: Path) -> None:
    result = run_cli("generate", "--key", TRAINING_KEY, "--kid", "TRAINING", "--pdf", str(tmp_path), str(SAMPLES / "eform-small.json"))
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and ": output_unwritable: " in result.stderr


@pytest.mark.parametrize(("kid", "watermarked"), [("BANK1", False), ("TRAINING", True)])
def test_generate_pdf_is_watermarked_only_with_the_training_key(
    tmp_path: Path, bank_key: tuple[Path, Path], capsys: pytest.CaptureFixture[str], kid: str, watermarked: bool
) -> None:
    out = tmp_path / "o.pdf"
    key = TRAINING_KEY if watermarked else str(bank_key[0])
    assert main(["eform", "generate", "--key", key, "--kid", kid, "--pdf", str(out), str(SAMPLES / "eform-small.json")]) == 0
    capsys.readouterr()
    text = subprocess.run(
        ["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, encoding="utf-8", timeout=60, check=True
    ).stdout
    assert "厦门示例贸易有限公司" in text
    assert ("TRAINING" in text) is watermarked


def test_generate_subprocess_matches_the_sample() -> None:
    result = run_cli("generate", "--key", TRAINING_KEY, "--kid", "TRAINING", str(SAMPLES / "eform-small.json"))
    assert result.returncode == 0 and result.stdout == (SAMPLES / "eform-small.txt").read_text(encoding="ascii")


@pytest.mark.parametrize("name", ["eform-small", "eform-large-group"])
def test_scan_prints_the_barcode_texts_of_a_sample_pdf_and_they_decode(name: str) -> None:
    scanned = run_cli("scan", str(SAMPLES / f"{name}.pdf"))
    assert scanned.returncode == 0, scanned.stderr
    assert sorted(scanned.stdout.splitlines()) == sorted((SAMPLES / f"{name}.txt").read_text(encoding="ascii").splitlines())
    decoded = run_cli("decode", "--training", "-", stdin=scanned.stdout)
    assert decoded.returncode == 0, decoded.stderr
    assert json.loads(decoded.stdout) == json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def test_scan_refuses_a_file_that_is_no_picture_in_one_line(tmp_path: Path) -> None:
    fake = tmp_path / "form.png"
    fake.write_text("not a picture", encoding="utf-8")
    result = run_cli("scan", str(fake))
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "form.png" in result.stderr
