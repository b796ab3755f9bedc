from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from teller_client.cli import EXIT_FAILED, EXIT_OK, EXIT_PROBLEMS, main
from tests.support.documents import valid_document


def _write(tmp_path: Path, doc: object) -> str:
    path = tmp_path / "form.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_validate_a_valid_form_prints_its_snapshot_hash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", _write(tmp_path, valid_document()), "--today", "2026-11-23"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("有效，快照哈希 ") and len(out.split()[-1]) == 64


def test_validate_lists_every_problem_with_pointer_code_and_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_document()
    doc["customer"]["uscc"] = "91350200M000100Y47"
    doc["users"][1]["credential"] = "password"
    assert main(["validate", _write(tmp_path, doc), "--today", "2026-11-23", "--lang", "en"]) == EXIT_PROBLEMS
    captured = capsys.readouterr()
    lines = [line.split("\t") for line in captured.out.splitlines()]
    assert [(f[0], f[1], f[2]) for f in lines] == [
        ("error", "/customer/uscc", "uscc_check_character"),
        ("error", "/users/1/credential", "payment_rights_need_certificate"),
    ]
    assert "check character" in lines[0][3]
    assert captured.err.strip() == "2 error(s)"


def test_validate_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_document()
    del doc["customer"]["legal_rep"]["id_number"]
    assert main(["validate", _write(tmp_path, doc), "--json"]) == EXIT_PROBLEMS
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["problems"] == [
        {"field": "/customer/legal_rep/id_number", "code": "required", "severity": "error",
         "message": "Required field 'legal representative's ID number' is missing.",
         "message_zh": "必填项“法定代表人证件号码”缺失。"},
    ]  # fmt: skip


def test_unreadable_and_non_json_input_fail_with_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "missing.json")]) == EXIT_FAILED
    assert "无法读取" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "eform/1",', encoding="utf-8")
    assert main(["validate", str(bad)]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "不是有效的 JSON" in err and "line 1" in err


def test_catalogue_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalogue", "--json"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["counts"] == {"menus": 30, "groups": 138, "functions": 526}
    assert len(data["bundles"]) == 14


def test_store_info_and_upgrade(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELLER_DATA_DIR", str(tmp_path))
    assert main(["store", "info", "--training"]) == EXIT_OK
    assert "not created yet" in capsys.readouterr().out
    assert main(["store", "upgrade", "--training"]) == EXIT_OK
    assert "revision 0003 (head 0003)" in capsys.readouterr().out
    assert (tmp_path / "training" / "store.sqlite").exists()


def test_console_entry_point_runs_as_a_process(tmp_path: Path) -> None:
    env = {**os.environ, "TELLER_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "teller_client.cli", "validate", "-", "--lang", "en", "--today", "2026-11-23"],
        input=json.dumps(valid_document()), capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("valid, snapshot hash ")


def test_settings_set_get_list_and_refuse_secrets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELLER_DATA_DIR", str(tmp_path))
    assert main(["settings", "set", "central.url", "https://central.example.bank"]) == EXIT_OK
    assert main(["settings", "set", "ui.idle_lock_minutes", "5"]) == EXIT_OK
    capsys.readouterr()
    assert main(["settings", "get", "ui.idle_lock_minutes"]) == EXIT_OK
    assert capsys.readouterr().out.strip() == "5"
    assert main(["settings", "list"]) == EXIT_OK
    assert capsys.readouterr().out.splitlines() == ['central.url\t"https://central.example.bank"', "ui.idle_lock_minutes\t5"]
    assert main(["settings", "set", "central.password", "hunter2"]) == EXIT_FAILED
    assert "no secrets" in capsys.readouterr().err
