"""Opening the local store: an SQLite file in WAL mode, migrated by Alembic to the current revision.

Before an upgrade the file is copied next to itself (SQLite's online backup,
consistent even with a WAL), so a failed upgrade never loses a teller's work.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

import migrations
from teller_client.errors import StoreError

log = logging.getLogger(__name__)

STORE_FILE = "store.sqlite"
BUSY_TIMEOUT_MS = 5000


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(migrations.__file__).parent))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", _on_connect)
    return engine


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def backup(path: Path, suffix: str) -> Path:
    """Copy the database with SQLite's backup API to ``<file>.<suffix>.bak`` and return that path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    target = path.with_name(f"{path.name}.{suffix}.{stamp}.bak")
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def upgrade(engine: Engine, path: Path | None = None) -> str | None:
    """Bring the database to the head revision; returns the backup made, if any."""
    head = head_revision()
    before = current_revision(engine)
    if before == head:
        return None
    copy = None
    if path is not None and path.exists() and path.stat().st_size > 0 and before is not None:
        copy = str(backup(path, f"before-{head}"))
        log.info("store backed up to %s before upgrading %s -> %s", copy, before, head)
    cfg = alembic_config(engine)
    with engine.connect() as conn:
        # Batch migrations on SQLite rebuild tables; with foreign keys on, dropping the old "drafts"
        # would cascade-delete every draft version. Keys are off while migrating and checked after.
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    if broken:
        raise StoreError(
            f"The store upgrade left {len(broken)} broken references; the copy made before it is {copy}.",
            f"数据库升级后有 {len(broken)} 处引用错误；升级前的备份为 {copy}。",
        )
    log.info("store upgraded %s -> %s", before or "empty", head)
    return copy


@dataclass
class Store:
    """The open local store. Repositories take it in their constructors."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on error."""
        with self.sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_store(path: Path) -> Store:
    """Open (creating and migrating as needed) the store at ``path``; every failure is a :class:`StoreError`."""
    engine: Engine | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(path)
        upgrade(engine, path)
    except BaseException as exc:
        if engine is not None:
            engine.dispose()
        if isinstance(exc, StoreError):
            raise
        library = exc.__class__.__module__.startswith(("sqlalchemy", "alembic"))
        if isinstance(exc, (OSError, sqlite3.Error)) or library:
            raise StoreError(
                f"The local store {path} cannot be opened or upgraded: {exc}",
                f"无法打开或升级本地数据库 {path}：{exc}",
            ) from exc
        raise
    return Store(path, engine, sessionmaker(engine, expire_on_commit=False))
