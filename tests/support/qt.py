"""Qt objects left by a test die on the GUI thread: an autouse fixture for every module whose tests make windows.

``tests/ui/conftest.py`` uses it for the UI tests; device test modules that open windows import it by name.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent


@pytest.fixture(autouse=True)
def _qt_objects_die_on_the_gui_thread() -> Iterator[None]:
    """Delete the windows a test leaves behind here, on the GUI thread.

    pytest-qt closes them and calls ``deleteLater()``, which only happens when
    an event loop next runs. Until then a window is Python-owned garbage in a
    reference cycle (signal connections to lambdas), and the cyclic garbage
    collector, which runs on whichever thread happens to allocate, could
    delete it on a worker thread of the next test: a segfault.
    """
    yield
    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
