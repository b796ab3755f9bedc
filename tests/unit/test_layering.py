"""The "never imports" column of docs/architecture.md, enforced."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

QT = ("PySide6", "shiboken6")
NEVER: dict[str, tuple[str, ...]] = {
    "teller_client/domain": (*QT, "requests", "httpx", "sqlalchemy", "alembic", "drivers", "teller_client.store",
                             "teller_client.api", "teller_client.ui", "teller_client.flows", "teller_client.training"),
    "teller_client/eform": QT,
    "teller_client/api": QT,
    "teller_client/store": QT,
    "teller_client/flows": ("PySide6.QtWidgets", "PySide6.QtGui", "teller_client.ui"),
    "teller_client/documents": QT,
    "teller_client/training": QT,
    "drivers": (*QT, "teller_client"),
    "migrations": ("teller_client",),
}  # fmt: skip


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _violations(folder: str, banned: tuple[str, ...]) -> list[str]:
    out = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for name in imports(path):
            if any(name == b or name.startswith(b + ".") for b in banned):
                out.append(f"{path.relative_to(ROOT)} imports {name}")
    return out


@pytest.mark.parametrize("folder", sorted(NEVER))
def test_layer_never_imports(folder: str) -> None:
    assert _violations(folder, NEVER[folder]) == []


def test_the_check_catches_a_violation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "teller_client" / "domain"
    bad.mkdir(parents=True)
    (bad / "oops.py").write_text("from PySide6.QtWidgets import QWidget\n", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert _violations("teller_client/domain", NEVER["teller_client/domain"]) == ["teller_client/domain/oops.py imports PySide6.QtWidgets"]
