"""Speed of the services page on corporate online banking's 311 functions: fill, search, toggle (offscreen Qt).

    .venv/bin/python -m pytest tests/benchmarks/test_services_page_bench.py --benchmark-enable --benchmark-columns=min,median,max

* fill: a session bound to the page (channel list, bundle box, the whole tree built);
* search: a word typed into the search box (the tree rebuilt with the matches and the branches above them);
* toggle: Space on a menu, for a small application and a large group (the tree changed, the service written through the session, the whole application
  validated and hashed again, the page and the tree's boxes and counts updated).

In the normal test run (benchmarks disabled) each runs once, so they stay working.

(PySide6 6.12.0 is excluded by pyproject.toml: on Python 3.11 it dropped a reference to None on every void Qt call
and aborted these benchmarks after some ten thousand calls.)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from pytest_benchmark.fixture import BenchmarkFixture

from teller_client.flows.signing_session import SigningSession
from teller_client.ui.error_router import ErrorRouter
from teller_client.ui.wizard.page import WizardContext
from teller_client.ui.wizard.services_page import ServicesPage
from teller_client.ui.worker import WorkerPool
from tests.benchmarks.test_domain_bench import large_document
from tests.support.documents import TODAY, valid_document


def session(large: bool = False) -> SigningSession:
    """A valid application signing online banking with its standard bundle (68 of 311 functions); ``large``: a group
    with 20 accounts, 10 users and all 311 functions in custom mode."""
    document = large_document() if large else valid_document()
    return SigningSession(draft_id="bench", document=document, teller="T0001", source="eform", verified=True, today=TODAY)


@pytest.fixture
def page(qapp: QApplication) -> Iterator[ServicesPage]:
    context = WizardContext(workers=WorkerPool(), errors=ErrorRouter(interactive=False), store=lambda: None, session=lambda: None)
    widget = ServicesPage(context)
    widget.resize(1200, 800)
    widget.show()
    yield widget
    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def shown_rows(page: ServicesPage) -> int:
    tree = page.tree_view
    stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    count = 0
    while stack:
        item = stack.pop()
        count += 1
        stack.extend(item.child(i) for i in range(item.childCount()))
    return count


def test_bench_fill(benchmark: BenchmarkFixture, page: ServicesPage) -> None:
    sessions = iter([session() for _ in range(60)])

    def setup() -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (next(sessions),), {}

    benchmark.pedantic(page.bind, setup=setup, rounds=50, iterations=1)
    assert shown_rows(page) > 311


def test_bench_search(benchmark: BenchmarkFixture, page: ServicesPage) -> None:
    page.bind(session())
    everything = shown_rows(page)

    def setup() -> None:
        page.search.setText("")

    benchmark.pedantic(page.search.setText, args=("转账",), setup=setup, rounds=50, iterations=1)
    assert 0 < shown_rows(page) < everything


@pytest.mark.parametrize("large", [False, True], ids=["standard", "large_custom"])
def test_bench_toggle(benchmark: BenchmarkFixture, page: ServicesPage, large: bool) -> None:
    page.bind(session(large))
    page.tree_view.setCurrentItem(page.tree_view.item("account_enquiry"))
    tree = page.tree_view

    def space() -> None:
        QApplication.sendEvent(tree, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier, " "))

    benchmark.pedantic(space, rounds=50, iterations=1)
    assert page.session is not None and page.session.get("/services/0/mode") == "custom"
