from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.support.qt import _qt_objects_die_on_the_gui_thread  # noqa: F401 - an autouse fixture for every UI test
