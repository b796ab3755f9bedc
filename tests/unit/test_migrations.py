"""Alembic revisions of the local store: they reach head, match the live models, keep old data, and stand alone."""

from __future__ import annotations

import ast
import hashlib
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, inspect

import migrations
from teller_client.errors import StoreError
from teller_client.store.database import STORE_FILE, alembic_config, current_revision, head_revision, open_store
from teller_client.store.drafts import DraftRepository
from teller_client.store.journal import Journal
from teller_client.store.models import Base
from teller_client.store.settings import SettingsRepository

DATA = Path(__file__).resolve().parent.parent / "data"
REV0001 = DATA / "store-rev0001.sqlite"
VERSIONS = Path(migrations.__file__).resolve().parent / "versions"
TABLES = {"drafts", "draft_versions", "journal", "settings"}

# What tests/data/make_store_rev0001.py put in the fixture.
REV0001_DRAFT = "5b0e6f0a-3c1d-4e7a-9b52-0f6d2a8c1e01"


def _schema_diff(engine: Engine, metadata: MetaData = Base.metadata) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return list(compare_metadata(context, metadata))


def _run(engine: Engine, action: str, target: str) -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, action)(cfg, target)


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_an_empty_database_is_upgraded_to_head(tmp_path: Path) -> None:
    store = open_store(tmp_path / STORE_FILE)
    try:
        assert head_revision() == "0003"
        assert current_revision(store.engine) == head_revision()
        assert _tables(store.engine) == TABLES
    finally:
        store.close()
    # Nothing to back up in a new file.
    assert list(tmp_path.glob("*.bak")) == []


def test_the_live_models_match_the_migrated_schema(tmp_path: Path) -> None:
    store = open_store(tmp_path / STORE_FILE)
    try:
        assert _schema_diff(store.engine) == []
        # The comparison is live: against no models at all it reports every table as extra.
        removed = {diff[1].name for diff in _schema_diff(store.engine, MetaData()) if diff[0] == "remove_table"}
        assert removed == TABLES
    finally:
        store.close()


def test_a_release_0_1_0_store_is_upgraded_with_its_data(tmp_path: Path) -> None:
    checked_in = hashlib.sha256(REV0001.read_bytes()).hexdigest()
    path = tmp_path / STORE_FILE
    shutil.copy(REV0001, path)

    store = open_store(path)
    try:
        assert current_revision(store.engine) == head_revision()
        assert _schema_diff(store.engine) == []

        drafts = DraftRepository(store)
        [summary] = drafts.open_drafts()
        assert (summary.id, summary.source, summary.title, summary.version, summary.step) == (
            REV0001_DRAFT,
            "paper",
            "厦门示例贸易有限公司",
            2,
            "accounts",
        )
        assert summary.updated_at.isoformat() == "2026-11-20T01:20:30.250000+00:00"
        history = drafts.history(REV0001_DRAFT)
        assert [(v.version, v.step, v.saved_by) for v in history] == [(1, "customer", "T0001"), (2, "accounts", "T0001")]
        assert history[0].document["customer"]["uscc"] == "91350200M000100Y48"
        assert history[1].document["accounts"][0]["number"] == "6222021001000012345"
        # The stored hash agrees with today's hashing: saving the same document at the same step is no new version.
        assert drafts.save(REV0001_DRAFT, history[1].document, saved_by="T0002", step="accounts") == 2
        assert drafts.save(REV0001_DRAFT, {**history[1].document, "request": "change"}, saved_by="T0002", step="accounts") == 3

        assert SettingsRepository(store).get("printer.letter") == {"name": "柜台打印机 1", "tray": 2}

        journal = Journal(store)
        entry = journal.begin("submit_application", subject=REV0001_DRAFT, actor="T0002")
        assert [e.idempotency_key for e in journal.pending()] == [entry.idempotency_key]
        assert journal.complete(entry.idempotency_key, result={"ok": True}).state == "done"
    finally:
        store.close()

    # The file was copied, with SQLite's backup API, before the upgrade.
    [bak] = tmp_path.glob(f"{STORE_FILE}.before-{head_revision()}.*.bak")
    conn = sqlite3.connect(f"file:{bak}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
        assert conn.execute("SELECT count(*) FROM draft_versions WHERE draft_id = ?", (REV0001_DRAFT,)).fetchone() == (2,)
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "journal" not in tables
    finally:
        conn.close()

    assert hashlib.sha256(REV0001.read_bytes()).hexdigest() == checked_in, "the checked-in fixture must not change"


def test_opening_at_head_again_makes_no_backup(tmp_path: Path) -> None:
    path = tmp_path / STORE_FILE
    shutil.copy(REV0001, path)
    open_store(path).close()
    open_store(path).close()
    assert len(list(tmp_path.glob("*.bak"))) == 1


def test_downgrade_to_base_and_upgrade_again(tmp_path: Path) -> None:
    store = open_store(tmp_path / STORE_FILE)
    try:
        _run(store.engine, "downgrade", "0001")
        assert current_revision(store.engine) == "0001"
        assert _tables(store.engine) == {"drafts", "draft_versions", "settings"}

        _run(store.engine, "downgrade", "base")
        assert current_revision(store.engine) is None
        assert _tables(store.engine) == set()

        _run(store.engine, "upgrade", "head")
        assert current_revision(store.engine) == head_revision()
        assert _tables(store.engine) == TABLES
        assert _schema_diff(store.engine) == []
        # And the store works on the rebuilt schema.
        draft_id = DraftRepository(store).create(source="paper", created_by="T0001")
        assert DraftRepository(store).save(draft_id, {"schema": "eform/1"}, saved_by="T0001") == 1
    finally:
        store.close()


def test_a_file_that_is_not_a_database_raises_store_error(tmp_path: Path) -> None:
    path = tmp_path / STORE_FILE
    garbage = b"PK\x03\x04 this is a zip, not SQLite \xff\xfe" * 200
    path.write_bytes(garbage)
    with pytest.raises(StoreError) as excinfo:
        open_store(path)
    error = excinfo.value
    assert error.code == "store_error"
    assert str(path) in error.message("en")
    assert str(path) in error.message("zh")
    assert path.read_bytes() == garbage, "a file we cannot read is left as it was"


def _imported_modules(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("teller_client"):
            names.add(node.value)  # importlib.import_module("teller_client....") and the like
    return names


def test_revisions_stand_alone() -> None:
    revisions = sorted(VERSIONS.glob("*.py"))
    assert {p.name for p in revisions} >= {"0001_drafts_settings.py", "0002_journal.py"}
    for revision in revisions:
        imported = _imported_modules(revision.read_text(encoding="utf-8"))
        offending = {name for name in imported if name.split(".")[0] in {"teller_client", "migrations"} or name.startswith(".")}
        assert offending == set(), f"{revision.name} imports {offending}; revisions must not use the live code"
    assert _imported_modules("from teller_client.store.models import Draft") == {"teller_client.store.models"}
