from __future__ import annotations

import gc
import os
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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
