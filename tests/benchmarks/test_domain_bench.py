"""Speed of the domain layer and the store. Run with figures:

    .venv/bin/python -m pytest tests/benchmarks --benchmark-enable --benchmark-columns=min,median,max

In the normal test run (benchmarks disabled) each runs once, so they stay working.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytest_benchmark.fixture import BenchmarkFixture

from teller_client.domain.catalogue import _load, load_catalogue
from teller_client.domain.document import read_document, snapshot_hash
from teller_client.domain.identifiers import make_resident_id
from teller_client.domain.validation import validate
from teller_client.resources import resource_path
from teller_client.store.database import open_store
from teller_client.store.drafts import DraftRepository
from tests.support.documents import TODAY, account, user, valid_document


def large_document() -> dict[str, Any]:
    """A large group's form: 20 accounts, 10 users, custom mode with every corporate online banking function."""
    doc = valid_document()
    doc["customer"]["kind"] = "virtual"
    doc["customer"]["group_uscc"] = "91350200MA31ABCD0D"
    doc["accounts"] = [account("6222021001000012345", "own", "basic")] + [
        account(f"62220210010001{i:05d}", "subsidiary" if i % 2 else "own", "general") for i in range(1, 20)
    ]
    doc["accounts"][-1]["currency"] = "USD"  # the custom selection includes FX functions
    roles = ["admin", "maker", "checker", "authorizer", "viewer"] * 2
    doc["users"] = [
        user(
            f"操作员{i}",
            make_resident_id(f"35020319900101{i:03d}"),
            role,
            accounts=[a["number"] for a in doc["accounts"][: 2 + i]],
        )
        for i, role in enumerate(roles)
    ]
    cat = load_catalogue()
    doc["services"] = [
        {"channel": "corporate_online_banking", "bundle": None, "mode": "custom",
         "functions": [f.id for f in cat.functions.values() if "corporate_online_banking" in f.channels]},
        {"channel": "cash_management", "bundle": "cash_pool_advanced", "mode": "advanced", "functions": []},
    ]  # fmt: skip
    return doc


def test_large_document_is_valid() -> None:
    report = validate(large_document(), today=TODAY)
    assert report.ok, report.problems


def test_bench_validate_small(benchmark: BenchmarkFixture) -> None:
    doc = valid_document()
    report = benchmark(validate, doc, None, TODAY)
    assert report.ok


def test_bench_validate_large(benchmark: BenchmarkFixture) -> None:
    doc = large_document()
    report = benchmark(validate, doc, None, TODAY)
    assert report.ok


def test_bench_snapshot_hash_large(benchmark: BenchmarkFixture) -> None:
    app, _ = read_document(large_document(), TODAY)
    assert app is not None
    assert len(benchmark(snapshot_hash, app)) == 64


def test_bench_load_catalogue(benchmark: BenchmarkFixture) -> None:
    cat = benchmark(_load, resource_path("catalogue"))
    assert cat.counts == (30, 138, 526)


def test_bench_save_draft_version(benchmark: BenchmarkFixture, tmp_path: Path) -> None:
    store = open_store(tmp_path / "store.sqlite")
    drafts = DraftRepository(store)
    draft = drafts.create(source="eform", created_by="T0001")
    doc = large_document()
    counter = iter(range(10**9))

    def save() -> int:
        doc["form_id"] = f"EF{next(counter)}"  # a change each time, so each save writes a version
        return drafts.save(draft, doc, saved_by="T0001", step="services")

    assert benchmark(save) >= 1
    store.close()
