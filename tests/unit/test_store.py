"""The local store on real SQLite files: pragmas, drafts, the action journal, settings, and surviving a crash."""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from teller_client.errors import StoreError
from teller_client.secret import Secret
from teller_client.store.database import STORE_FILE, Store, open_store
from teller_client.store.drafts import DraftRepository
from teller_client.store.journal import Journal
from teller_client.store.settings import SettingsRepository
from tests.support.documents import valid_document


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / STORE_FILE


@pytest.fixture
def store(path: Path) -> Iterator[Store]:
    s = open_store(path)
    yield s
    s.close()


def _tick() -> None:
    """Wait until the clock moves, so ``updated_at`` orders events even on a coarse (Windows) clock."""
    start = datetime.now(UTC)
    while datetime.now(UTC) == start:
        pass


# --- the file ------------------------------------------------------------------------------------------------------


def test_a_fresh_store_uses_wal_and_enforces_foreign_keys(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    # Not just the pragma's value: a version of a draft that does not exist is refused.
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO draft_versions (draft_id, version, saved_at, saved_by, step, document, snapshot_hash)"
                " VALUES ('no-such-draft', 1, '2026-11-23 00:00:00.000000', 'T0001', NULL, '{}', 'x')"
            )
        )


def test_every_new_connection_gets_the_pragmas(store: Store) -> None:
    store.engine.dispose()  # the pool's connections are gone; the next one is new
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


# --- drafts --------------------------------------------------------------------------------------------------------


def test_a_new_draft_is_open_with_no_version_yet(store: Store) -> None:
    drafts = DraftRepository(store)
    draft_id = drafts.create(source="paper", created_by="T0001", title="厦门示例贸易有限公司")
    assert uuid.UUID(draft_id).version == 4
    [summary] = drafts.open_drafts()
    assert summary.id == draft_id
    assert (summary.source, summary.status, summary.created_by, summary.title) == (
        "paper",
        "editing",
        "T0001",
        "厦门示例贸易有限公司",
    )
    assert summary.version == 0 and summary.step is None
    assert summary.updated_at.tzinfo is not None
    assert drafts.latest(draft_id) is None
    assert drafts.history(draft_id) == []


def test_create_refuses_an_unknown_source(store: Store) -> None:
    with pytest.raises(ValueError, match="source"):
        DraftRepository(store).create(source="fax", created_by="T0001")
    assert DraftRepository(store).open_drafts() == []


def test_saving_adds_a_version_only_when_the_document_or_step_changes(store: Store) -> None:
    drafts = DraftRepository(store)
    draft_id = drafts.create(source="eform", created_by="T0001", form_id="EF20261122000123", verified=True)
    doc = valid_document()

    assert drafts.save(draft_id, doc, saved_by="T0001", step="customer") == 1
    # The same document at the same step keeps the version, even with its keys in another order.
    reordered = dict(reversed(list(valid_document().items())))
    assert drafts.save(draft_id, reordered, saved_by="T0001", step="customer") == 1
    # Same document, the teller moved on a step: a new version, so resuming lands on the right page.
    assert drafts.save(draft_id, doc, saved_by="T0001", step="accounts") == 2
    changed = valid_document()
    changed["customer"]["contact"]["mobile"] = "13900139001"
    assert drafts.save(draft_id, changed, saved_by="T0002", step="accounts", title="改过的标题") == 3
    assert drafts.save(draft_id, changed, saved_by="T0002", step="accounts") == 3

    latest = drafts.latest(draft_id)
    assert latest is not None
    assert (latest.version, latest.step, latest.saved_by) == (3, "accounts", "T0002")
    assert latest.document == changed
    assert latest.saved_at.tzinfo is not None

    history = drafts.history(draft_id)
    assert [v.version for v in history] == [1, 2, 3]
    assert [v.step for v in history] == ["customer", "accounts", "accounts"]
    assert history[0].document == doc and history[2].document == changed
    assert history[0].snapshot_hash == history[1].snapshot_hash != history[2].snapshot_hash

    [summary] = drafts.open_drafts()
    assert (summary.version, summary.step, summary.title, summary.form_id, summary.verified) == (
        3,
        "accounts",
        "改过的标题",
        "EF20261122000123",
        True,
    )


def test_saving_an_unknown_draft_raises_draft_not_found(store: Store) -> None:
    drafts = DraftRepository(store)
    with pytest.raises(StoreError) as excinfo:
        drafts.save("no-such-draft", valid_document(), saved_by="T0001")
    assert excinfo.value.code == "draft_not_found"
    assert "no-such-draft" in excinfo.value.message("en")
    with pytest.raises(StoreError) as excinfo:
        drafts.set_status("no-such-draft", "submitted")
    assert excinfo.value.code == "draft_not_found"
    assert drafts.history("no-such-draft") == []
    assert drafts.latest("no-such-draft") is None


def test_open_drafts_are_newest_first_and_filter_by_teller(store: Store) -> None:
    drafts = DraftRepository(store)
    first = drafts.create(source="paper", created_by="T0001")
    _tick()
    second = drafts.create(source="eform", created_by="T0002")
    _tick()
    third = drafts.create(source="existing", created_by="T0001")
    assert [d.id for d in drafts.open_drafts()] == [third, second, first]

    _tick()
    drafts.save(first, valid_document(), saved_by="T0001", step="customer")  # touching a draft makes it the newest
    assert [d.id for d in drafts.open_drafts()] == [first, third, second]
    assert [d.id for d in drafts.open_drafts(created_by="T0001")] == [first, third]
    assert [d.id for d in drafts.open_drafts(created_by="T0002")] == [second]
    assert drafts.open_drafts(created_by="T9999") == []


def test_a_draft_leaves_the_open_list_when_its_status_closes_it(store: Store) -> None:
    drafts = DraftRepository(store)
    kept = drafts.create(source="paper", created_by="T0001")
    done = drafts.create(source="paper", created_by="T0001")
    drafts.save(done, valid_document(), saved_by="T0001")

    drafts.set_status(done, "returned")  # still open: back with the teller
    assert {d.id for d in drafts.open_drafts()} == {kept, done}
    drafts.set_status(done, "completed")
    assert [d.id for d in drafts.open_drafts()] == [kept]
    # Closed, not deleted: its history is still there.
    assert [v.version for v in drafts.history(done)] == [1]


def test_saved_drafts_survive_closing_and_reopening(path: Path) -> None:
    store = open_store(path)
    drafts = DraftRepository(store)
    draft_id = drafts.create(source="paper", created_by="T0001")
    doc = valid_document()
    drafts.save(draft_id, doc, saved_by="T0001", step="customer")
    store.engine.dispose()  # no close(), no further save: only what the repository committed

    again = open_store(path)
    try:
        latest = DraftRepository(again).latest(draft_id)
        assert latest is not None and latest.version == 1 and latest.document == doc and latest.step == "customer"
        assert [d.id for d in DraftRepository(again).open_drafts()] == [draft_id]
    finally:
        again.close()


def test_committed_work_survives_a_crash(path: Path, tmp_path: Path) -> None:
    """Copy the files as a killed process leaves them (WAL not checkpointed) and open the copy."""
    store = open_store(path)
    drafts = DraftRepository(store)
    draft_id = drafts.create(source="paper", created_by="T0001")
    doc = valid_document()
    drafts.save(draft_id, doc, saved_by="T0001", step="customer")
    changed = valid_document()
    changed["fees"]["waiver_requested"] = True
    drafts.save(draft_id, changed, saved_by="T0001", step="fees")
    key = Journal(store).begin("submit_application", subject=draft_id, actor="T0001").idempotency_key

    wal = path.with_name(path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0, "the commits should still be in the WAL, as after a crash"
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    shutil.copy(path, crashed / STORE_FILE)
    shutil.copy(wal, crashed / wal.name)
    store.close()

    recovered = open_store(crashed / STORE_FILE)
    try:
        history = DraftRepository(recovered).history(draft_id)
        assert [(v.version, v.step) for v in history] == [(1, "customer"), (2, "fees")]
        assert history[-1].document == changed
        assert [e.idempotency_key for e in Journal(recovered).pending()] == [key]
    finally:
        recovered.close()


# --- the journal ---------------------------------------------------------------------------------------------------


def _raw_journal(path: Path) -> list[tuple[str, str, str, int, str]]:
    """The journal as another process sees it: only what was committed."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT idempotency_key, kind, subject, attempts, state FROM journal ORDER BY id").fetchall()
    finally:
        conn.close()


def test_begin_commits_a_pending_entry_before_the_effect(store: Store, path: Path) -> None:
    entry = Journal(store).begin("issue_ukey", subject="D1/U1", actor="T0001", request={"serial": "HS0001", "用户": "王五"})
    assert uuid.UUID(entry.idempotency_key).version == 4
    assert (entry.kind, entry.subject, entry.state, entry.attempts, entry.actor) == ("issue_ukey", "D1/U1", "pending", 1, "T0001")
    assert entry.request == {"serial": "HS0001", "用户": "王五"}
    assert entry.result is None and entry.error_code is None
    # Already durable when begin() returns, i.e. before the caller performs the effect.
    assert _raw_journal(path) == [(entry.idempotency_key, "issue_ukey", "D1/U1", 1, "pending")]


def test_a_retry_while_pending_reuses_the_key(store: Store) -> None:
    journal = Journal(store)
    first = journal.begin("submit_application", subject="D1", actor="T0001", request={"n": 1})
    retry = journal.begin("submit_application", subject="D1", actor="T0001", request={"n": 1})
    assert retry.idempotency_key == first.idempotency_key
    assert retry.attempts == 2
    assert retry.state == "pending"
    # Another subject, or another kind for the same subject, is another action.
    other_subject = journal.begin("submit_application", subject="D2", actor="T0001")
    other_kind = journal.begin("print_letter", subject="D1", actor="T0001")
    keys = {first.idempotency_key, other_subject.idempotency_key, other_kind.idempotency_key}
    assert len(keys) == 3
    assert other_subject.attempts == other_kind.attempts == 1


def test_complete_stores_the_result_and_the_next_begin_gets_a_new_key(store: Store) -> None:
    journal = Journal(store)
    entry = journal.begin("submit_application", subject="D1", actor="T0001")
    done = journal.complete(entry.idempotency_key, result={"application_id": "A-0001", "状态": "已受理"})
    assert done.state == "done"
    assert done.result == {"application_id": "A-0001", "状态": "已受理"}
    stored = journal.get(entry.idempotency_key)
    assert stored is not None and stored.state == "done" and stored.result == done.result

    again = journal.begin("submit_application", subject="D1", actor="T0001")
    assert again.idempotency_key != entry.idempotency_key
    assert again.attempts == 1
    assert [e.state for e in journal.for_subject("D1")] == ["done", "pending"]


def test_fail_records_the_error_code_and_ends_the_entry(store: Store) -> None:
    journal = Journal(store)
    entry = journal.begin("submit_application", subject="D1", actor="T0001")
    failed = journal.fail(entry.idempotency_key, "duplicate_application")
    assert (failed.state, failed.error_code, failed.result) == ("failed", "duplicate_application", None)
    assert journal.pending() == []
    assert journal.begin("submit_application", subject="D1", actor="T0001").idempotency_key != entry.idempotency_key


def test_finishing_an_unknown_key_raises(store: Store) -> None:
    with pytest.raises(StoreError) as excinfo:
        Journal(store).complete(str(uuid.uuid4()))
    assert excinfo.value.code == "journal_entry_not_found"
    assert Journal(store).get("no-such-key") is None


def test_pending_lists_unfinished_entries_oldest_first(store: Store) -> None:
    journal = Journal(store)
    a = journal.begin("submit_application", subject="D1", actor="T0001")
    b = journal.begin("issue_ukey", subject="D1/U1", actor="T0001")
    c = journal.begin("print_letter", subject="D1", actor="T0001")
    d = journal.begin("issue_ukey", subject="D1/U2", actor="T0001")
    journal.complete(b.idempotency_key)
    journal.abandon(d.idempotency_key)
    journal.begin("submit_application", subject="D1", actor="T0001")  # a retry of a keeps a's place
    assert [e.idempotency_key for e in journal.pending()] == [a.idempotency_key, c.idempotency_key]


def test_the_journal_survives_reopening(path: Path) -> None:
    store = open_store(path)
    entry = Journal(store).begin("submit_application", subject="D1", actor="T0001", request={"draft": "D1"})
    store.engine.dispose()

    again = open_store(path)
    try:
        journal = Journal(again)
        [pending] = journal.pending()
        assert (pending.idempotency_key, pending.request, pending.attempts) == (entry.idempotency_key, {"draft": "D1"}, 1)
        # After the restart the retry asks again with the same key.
        retry = journal.begin("submit_application", subject="D1", actor="T0001")
        assert (retry.idempotency_key, retry.attempts) == (entry.idempotency_key, 2)
    finally:
        again.close()


# --- settings ------------------------------------------------------------------------------------------------------


def test_settings_hold_json_values(store: Store) -> None:
    settings = SettingsRepository(store)
    assert settings.get("printer") is None
    assert settings.get("printer", {"name": None}) == {"name": None}

    settings.set("printer", {"name": "柜台打印机 1", "tray": 2, "duplex": False})
    settings.set("recent_forms", ["EF20261122000123", "EF20261122000124"])
    settings.set("branch.name", "厦门分行营业部")
    settings.set("timeout_s", 30)
    assert settings.get("printer") == {"name": "柜台打印机 1", "tray": 2, "duplex": False}
    assert settings.get("recent_forms") == ["EF20261122000123", "EF20261122000124"]
    assert settings.get("branch.name") == "厦门分行营业部"

    settings.set("timeout_s", 45)  # overwrite
    assert settings.all() == {
        "branch.name": "厦门分行营业部",
        "printer": {"name": "柜台打印机 1", "tray": 2, "duplex": False},
        "recent_forms": ["EF20261122000123", "EF20261122000124"],
        "timeout_s": 45,
    }
    assert list(settings.all()) == sorted(settings.all())
    # Stored as readable JSON text, Chinese included.
    with store.engine.connect() as conn:
        raw = conn.execute(text("SELECT value FROM settings WHERE key = 'branch.name'")).scalar_one()
    assert json.loads(raw) == "厦门分行营业部" and "厦门" in raw


def test_settings_survive_reopening(path: Path) -> None:
    store = open_store(path)
    SettingsRepository(store).set("printer", {"name": "柜台打印机 1"})
    store.close()
    again = open_store(path)
    try:
        assert SettingsRepository(again).get("printer") == {"name": "柜台打印机 1"}
    finally:
        again.close()


def test_two_pending_attempts_of_one_action_cannot_exist(tmp_path: Path) -> None:
    """The database itself refuses a second unfinished entry for the same kind and subject."""
    store = open_store(tmp_path / "store.sqlite")
    journal = Journal(store)
    first = journal.begin("submit_application", subject="D9", actor="T0001")
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO journal (idempotency_key, kind, subject, state, attempts, actor, request, created_at, updated_at) "
                "VALUES ('other', 'submit_application', 'D9', 'pending', 1, 'T0002', '{}', '2026-11-23', '2026-11-23')"
            )
        )
    assert journal.begin("submit_application", subject="D9", actor="T0002").idempotency_key == first.idempotency_key
    journal.complete(first.idempotency_key)
    assert journal.begin("submit_application", subject="D9", actor="T0002").idempotency_key != first.idempotency_key
    store.close()


@pytest.mark.parametrize(
    "request_body",
    [
        {"letter_serial": "L0001", "initial_password": "Abc12345"},
        {"order": {"reference_no": "R1", "authorization_code": "123456"}},
        {"users": [{"user_no": "U1", "PIN": "1234"}]},
        {"pin_holder": Secret("1234")},
    ],
)
def test_the_journal_refuses_to_keep_a_secret(tmp_path: Path, request_body: dict[str, object]) -> None:
    store = open_store(tmp_path / "store.sqlite")
    journal = Journal(store)
    with pytest.raises(ValueError, match="no secrets"):
        journal.begin("release_letter", subject="LO1", actor="T0001", request=request_body)
    assert journal.pending() == []
    store.close()


def test_settings_refuse_secrets(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store.sqlite")
    settings = SettingsRepository(store)
    with pytest.raises(ValueError, match="no secrets"):
        settings.set("printer.password", "hunter2")
    with pytest.raises(ValueError, match="no secrets"):
        settings.set("central", {"url": "https://x", "token": "abc"})
    settings.set("printer.letters", {"name": "LQ-630K", "offset_mm": [1.5, -0.5]})
    assert settings.all() == {"printer.letters": {"name": "LQ-630K", "offset_mm": [1.5, -0.5]}}
    store.close()


def test_the_wizard_state_and_central_id_are_kept_with_the_draft(store: Store) -> None:
    drafts = DraftRepository(store)
    draft = drafts.create(source="eform", created_by="T0001")
    assert drafts.wizard(draft) == ({}, None)
    drafts.set_wizard(draft, {"page": "review", "confirmed": ["/users/0#x"]}, application_id="APP-1", status="pending_approval")
    assert drafts.wizard(draft) == ({"page": "review", "confirmed": ["/users/0#x"]}, "APP-1")
    assert drafts.summary(draft).status == "pending_approval"
    with pytest.raises(ValueError, match="unknown draft status"):
        drafts.set_status(draft, "approved-ish")
