"""A teller typing a paper form in the real window, to be killed: ``python -m tests.support.typing_child DATA_DIR URL``.

Opens the main window (training mode, the given training service), signs in T0001, starts a paper form, goes to
the customer page and types the company name key by key into its field. After the last key it prints ``typed``
and the moment of the last key press, then keeps running (the test SIGKILLs it). It does not wait for the save:
the test finds out whether the draft holds what was typed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLineEdit

from teller_client.flows.signing import Page
from teller_client.secret import Secret
from teller_client.ui.app import build_window
from teller_client.ui.pilot import send_key

NAME = "厦门同安精工机械厂"


def main() -> int:
    data_dir, url = Path(sys.argv[1]), sys.argv[2]
    app = QApplication(sys.argv[:1])
    window = build_window(True, data_dir, central_url=url, interactive_errors=False)
    window.show()
    steps = iter(["sign_in", "paper", "next", "type", "done"])
    state = {"step": next(steps)}

    def tick() -> None:
        step = state["step"]
        if step == "sign_in" and window.endpoint is not None and window.store is not None:
            window.login_page.user_id.setText("T0001")
            window.login_page.password.setText(Secret("training").reveal())
            window.sign_in()
            state["step"] = next(steps)
        elif step == "paper" and window.session is not None:
            window.new_paper_form()
            state["step"] = next(steps)
        elif step == "next" and window.wizard.session is not None:
            window.wizard.next()
            state["step"] = next(steps)
        elif step == "type" and window.wizard.session is not None and window.wizard.session.state.page == Page.CUSTOMER:
            field = window.wizard.pages[Page.CUSTOMER].findChild(QLineEdit, "customer_name")
            field.setFocus()
            for ch in NAME:
                send_key(field, 0, ch)
            print(f"typed {time.time():.6f} {window.wizard.session.draft_id}", flush=True)
            state["step"] = next(steps)

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(20)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
