"""``teller-client autopilot SCENARIO.toml``: the real window, driven through a scenario as a teller and a supervisor.

The autopilot opens a :class:`~teller_client.training.bench.TrainingBench` (the training service, SoftHSM blank
UKeys and letters in the teller's drawer, a printer sink), opens the real main window on it (offscreen, or visible
with ``--visible``), and drives the pages with key presses and clicks (:mod:`teller_client.ui.pilot`): sign-in,
the e-form scanned as a wedge scanner types it (or a paper form typed field by field), Next through the pages,
warnings confirmed where shown, sign-off at the desk (the supervisor signs in on the teller's screen and re-keys
the critical fields) or through the branch review queue (a supervisor's queue page), submission, every UKey and
letter handed over, the papers printed, finish. It counts the teller's and the supervisor's actions after the
scan, the fields the teller typed that the e-form already held, and times each page; the summary is the
:class:`~teller_client.flows.autopilot_report.AutopilotReport` (``--json`` prints it as JSON). With
``--screenshots DIR`` it saves a picture of every page (and the sign-off dialog) as it reaches it.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from teller_client.domain.bank_time import BANK_TIME
from teller_client.errors import TellerError
from teller_client.flows.autopilot_report import AutopilotReport, Outcome
from teller_client.flows.scenario import Scenario, load_scenario
from teller_client.training.bench import TrainingBench

log = logging.getLogger(__name__)


def run_autopilot(
    scenario_name: str,
    *,
    folder: Path | None = None,
    visible: bool = False,
    language: str | None = None,
    screenshots: Path | None = None,
    resume: bool = False,
    inspect: Callable[[TrainingBench, AutopilotReport], None] | None = None,
) -> AutopilotReport:
    """Run one scenario end to end; its report.

    ``resume``: reopen the bench in ``folder`` (left by a run that was killed) and go on with the open draft from
    where it stands, as a teller does after a restart. ``inspect`` is called with the bench and the report before
    the bench closes (tests check the training service's state there)."""
    if not visible:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    scenario = load_scenario(scenario_name)
    lang = language or scenario.language
    report = AutopilotReport(scenario.name, language=lang, started_at=datetime.now(BANK_TIME))
    work = folder or Path(tempfile.gettempdir()) / f"teller-autopilot-{os.getpid()}"
    bench = TrainingBench(work, reopen=True) if resume else TrainingBench(work, **scenario.bench_options())
    try:
        with bench:
            _drive(scenario, bench, report, lang=lang, visible=visible, screenshots=screenshots, resume=resume)
            report.check(scenario.expect)
            if inspect is not None:
                inspect(bench, report)
    except TellerError as exc:
        report.add_error(exc)
        report.check(scenario.expect)
    return report


def _drive(
    scenario: Scenario,
    bench: TrainingBench,
    report: AutopilotReport,
    *,
    lang: str,
    visible: bool,
    screenshots: Path | None,
    resume: bool,
) -> None:
    from PySide6.QtCore import QEventLoop, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from teller_client.ui.app import build_window
    from teller_client.ui.autopilot_driver import Driver
    from teller_client.ui.pilot import Pilot

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    previous_handler = qInstallMessageHandler(_qt_messages)
    window = build_window(True, bench.data_dir, lang=lang, interactive_errors=False, central_url=bench.central_url)
    errors: list[str] = []
    window.context.errors.shown.connect(lambda _title, text: errors.append(text))
    window.resize(1280, 860)
    window.show()
    pilot = Pilot()
    driver = Driver(scenario, bench, window, pilot, report, screenshots=screenshots, lang=lang, resume=resume)
    outcome: list[BaseException | None] = []
    loop = QEventLoop()  # its own loop: quitting it leaves the application's (a test's, say) untouched

    def finished(error: BaseException | None) -> None:
        outcome.append(error)
        loop.quit()

    pilot.finished.connect(finished)
    pilot.run(driver.script())
    if not outcome:
        loop.exec()
    driver.finish()
    window.close()
    qInstallMessageHandler(previous_handler)
    error = outcome[0] if outcome else None
    report.teller_actions = pilot.counts.actions.get("teller", 0)
    report.supervisor_actions = pilot.counts.actions.get("supervisor", 0)
    report.retyped_fields = list(driver.retyped)
    report.media = driver.media_count()
    report.application_id = driver.application_id
    report.agreement_no = driver.agreement_no
    if error is not None:
        report.add_error(error, driver.clock.current)
        for text in errors:
            report.add_error(TellerError(text, text, code="shown"), driver.clock.current)
    elif driver.rejected:
        report.outcome = Outcome.REJECTED
    else:
        report.outcome = Outcome.COMPLETED


def _qt_messages(_kind: object, _context: object, message: str) -> None:
    """Qt's own messages to the log; the offscreen platform's note about window size hints is dropped."""
    if "propagateSizeHints" not in message:
        log.info("Qt: %s", message)
