from __future__ import annotations

import ast
from pathlib import Path

import pytest

from teller_client.domain.labels import LABELS
from teller_client.domain.messages import MESSAGES, placeholders
from teller_client.i18n import QM_NAME, catalogue, compile_qm, read_ts, ts_sources
from teller_client.resources import resource_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_both_languages_use_the_same_placeholders(code: str) -> None:
    zh, en = MESSAGES[code]
    assert placeholders(zh) - {"expected_zh"} == placeholders(en) - {"expected_en"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
    assert en.isascii()


CODE_ARG = {"_fail": 0, "problem": 1, "add": 1}
"""Which positional argument of each builder is the problem code."""


def test_every_code_used_in_the_domain_has_a_message() -> None:
    used: set[str] = set()
    for path in (ROOT / "teller_client" / "domain").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name in CODE_ARG and len(node.args) > CODE_ARG[name]:
                arg = node.args[CODE_ARG[name]]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    used.add(arg.value)
    assert len(used) > 40, "the scan found too few codes: it is broken"
    assert used <= set(MESSAGES), used - set(MESSAGES)


def test_labels_are_bilingual() -> None:
    for key, (zh, en) in LABELS.items():
        assert key.startswith("/")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) and en.isascii()


def _tr_literals() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "teller_client").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("tr", "N_") and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant):
                    found.add(arg.value)
                else:  # a value marked elsewhere with N_(); an f-string here is a mistake
                    assert not isinstance(arg, ast.JoinedStr), f"{path}:{node.lineno}: tr() of an f-string; use .format"
    return found


def test_every_ui_string_has_a_chinese_translation_with_the_same_placeholders() -> None:
    zh = catalogue("zh")
    sources = _tr_literals()
    missing = sorted(sources - set(zh))
    assert not missing, missing
    for source in sources:
        assert placeholders(source) == placeholders(zh[source]), source
    assert not set(zh) - sources, f"unused translations: {sorted(set(zh) - sources)}"


def test_every_code_is_documented_for_users() -> None:
    doc = resource_path("docs", "problem-codes.md").read_text(encoding="utf-8")
    missing = [code for code in MESSAGES if f"`{code}`" not in doc]
    assert not missing, f"add these to resources/docs/problem-codes.md: {missing}"


def test_every_value_of_the_contracts_enumerations_has_a_name_in_both_languages() -> None:
    from teller_client.domain import model
    from teller_client.domain.value_labels import VALUE_LABELS, value_names

    enums = {
        "request": model.RequestKind, "customer_kind": model.CustomerKind, "id_type": model.IdType,
        "relation": model.AccountRelation, "account_type": model.AccountType, "right": model.AccountRight,
        "role": model.Role, "credential": model.Credential, "mode": model.ServiceMode,
    }  # fmt: skip
    for kind, enum in enums.items():
        assert set(VALUE_LABELS[kind]) == {member.value for member in enum}, kind
        for zh, en in VALUE_LABELS[kind].values():
            assert zh and en and zh != en
    assert value_names("role", "en")["admin"] == "administrator"
    assert value_names("role")["admin"] == "企业管理员"


def test_the_compiled_qm_is_made_from_the_ts_sources(tmp_path: Path) -> None:
    """Whoever edits a .ts recompiles (``python -m teller_client.i18n``); lrelease's output is deterministic."""
    fresh = compile_qm(tmp_path / "fresh.qm")
    assert fresh.read_bytes() == resource_path("translations", QM_NAME).read_bytes(), "run: python -m teller_client.i18n"


def test_each_source_is_translated_in_one_ts_file_only() -> None:
    seen: dict[str, str] = {}
    for path in ts_sources():
        for source in read_ts(path):
            assert source not in seen, f"{source!r} in both {seen[source]} and {path.name}"
            seen[source] = path.name
