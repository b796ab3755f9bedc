"""Build ``store-rev0001.sqlite``: a local store as release 0.1.0 left it (schema revision 0001) with data in it.

Run once from the repository root and commit the output::

    .venv/bin/python tests/data/make_store_rev0001.py

The schema comes from running the Alembic revisions up to ``0001`` on a new
file; the rows are written with plain SQL in the format SQLAlchemy's SQLite
``DateTime`` uses, so nothing here depends on today's live models (or on
``teller_client`` at all). ``tests/unit/test_migrations.py`` copies the file
and upgrades the copy to head; the checked-in file is never modified.
Refuses to overwrite an existing file unless given ``--force``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text

HERE = Path(__file__).resolve().parent
TARGET = HERE / "store-rev0001.sqlite"
MIGRATIONS = HERE.parent.parent / "migrations"

DRAFT_ID = "5b0e6f0a-3c1d-4e7a-9b52-0f6d2a8c1e01"
TELLER = "T0001"
SETTING_KEY = "printer.letter"
SETTING_VALUE = {"name": "柜台打印机 1", "tray": 2}

# Two saves of one paper application: the customer step, then the accounts step.
VERSION_1 = {
    "schema": "eform/1",
    "request": "new",
    "customer": {"name": "厦门示例贸易有限公司", "uscc": "91350200M000100Y48", "kind": "real"},
}
VERSION_2 = {**VERSION_1, "accounts": [{"number": "6222021001000012345", "relation": "own", "type": "basic", "currency": "CNY"}]}


def canonical(doc: object) -> str:
    """The store's document format: sorted keys, no spaces, UTF-8 text."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    # As release 0.1.0 opened its store.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def build(target: Path) -> None:
    engine = create_engine(f"sqlite:///{target}")
    event.listen(engine, "connect", _pragmas)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO drafts (id, source, form_id, verified, title, status, created_by, created_at, updated_at,"
                    " current_version) VALUES (:id, 'paper', NULL, 0, :title, 'editing', :by,"
                    " '2026-11-20 01:12:00.000000', '2026-11-20 01:20:30.250000', 2)"
                ),
                {"id": DRAFT_ID, "title": "厦门示例贸易有限公司", "by": TELLER},
            )
            for version, step, saved_at, doc in (
                (1, "customer", "2026-11-20 01:15:00.000000", VERSION_1),
                (2, "accounts", "2026-11-20 01:20:30.250000", VERSION_2),
            ):
                body = canonical(doc)
                conn.execute(
                    text(
                        "INSERT INTO draft_versions (draft_id, version, saved_at, saved_by, step, document, snapshot_hash)"
                        " VALUES (:id, :version, :saved_at, :by, :step, :document, :hash)"
                    ),
                    {
                        "id": DRAFT_ID,
                        "version": version,
                        "saved_at": saved_at,
                        "by": TELLER,
                        "step": step,
                        "document": body,
                        "hash": hashlib.sha256(body.encode("utf-8")).hexdigest(),
                    },
                )
            conn.execute(
                text("INSERT INTO settings (key, value, updated_at) VALUES (:key, :value, '2026-11-20 01:00:00.000000')"),
                {"key": SETTING_KEY, "value": json.dumps(SETTING_VALUE, ensure_ascii=False, sort_keys=True)},
            )
    finally:
        engine.dispose()  # the last connection checkpoints the WAL into the file


def main(argv: list[str]) -> int:
    if TARGET.exists() and "--force" not in argv:
        print(f"{TARGET} exists; it is a checked-in fixture. Pass --force to rebuild it.", file=sys.stderr)
        return 1
    TARGET.unlink(missing_ok=True)
    build(TARGET)
    for leftover in (TARGET.with_name(TARGET.name + "-wal"), TARGET.with_name(TARGET.name + "-shm")):
        if leftover.exists():
            print(f"unexpected {leftover}", file=sys.stderr)
            return 1
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
