"""Scans reach the window here: keyboard-wedge bursts, a serial scanner's lines, barcodes found in an image file.

:class:`ScanController` feeds every scanned text to one
:class:`~teller_client.flows.scanning.ScanSession` and shows what it means in
the :class:`~teller_client.ui.scan_panel.ScanPanel`: progress of the e-form,
a refusal (with a beep; the parts already read are kept), the finished form
read and checked on a worker and saved as a draft, or a business licence whose
customer is looked up in the :class:`~teller_client.ui.customer_lookup.CustomerLookup`.
Reading image files and looking customers up run on the worker pool; the GUI
thread only shows results.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from drivers.scanner import ScannerState
from teller_client.api.errors import NotFoundError
from teller_client.domain.licence import uscc_from_licence_text
from teller_client.eform.decoder import DecodedForm
from teller_client.errors import TellerError
from teller_client.flows.scanning import EformPolicy, SavedForm, ScanKind, ScanResult, ScanSession, read_form, save_as_draft
from teller_client.i18n import sentences, tr
from teller_client.store.database import Store
from teller_client.store.settings import SettingsRepository
from teller_client.ui.central import SignedIn
from teller_client.ui.customer_lookup import CustomerLookup
from teller_client.ui.error_router import ErrorRouter, error_text
from teller_client.ui.scan_panel import ScanPanel
from teller_client.ui.scan_wedge import WedgeDetector
from teller_client.ui.serial_link import SerialLink
from teller_client.ui.worker import Job, WorkerPool

log = logging.getLogger(__name__)

IMAGE_FILTER = "*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.pdf"


@dataclass
class ScanHost:
    """What the controller needs from the window."""

    widget: QWidget
    workers: WorkerPool
    errors: ErrorRouter
    training: bool
    store: Callable[[], Store | None]
    session: Callable[[], SignedIn | None]
    """The signed-in, unlocked teller's session; ``None`` while signed out or locked."""
    drafts_changed: Callable[[], None]
    notify: Callable[[str], None]
    """A short message in the status bar."""


class ScanController(QObject):
    form_saved = Signal(object)
    """A scanned e-form was read and saved (:class:`SavedForm`)."""
    form_refused = Signal(object)
    """The complete form was refused (the :class:`TellerError`)."""
    customer_found = Signal(object)
    """The central service's customer (``dict``) after a lookup."""
    scan_refused = Signal(object)
    """One scan was refused (the :class:`TellerError`)."""
    serial_text = Signal(str)
    """A line from the serial scanner (emitted on its reader thread, handled on the GUI thread)."""
    scanner_status = Signal(str)
    """The serial scanner's connection in words ('' when none is configured)."""

    def __init__(self, host: ScanHost, panel: ScanPanel, lookup: CustomerLookup) -> None:
        super().__init__(host.widget)
        self.host = host
        self.panel = panel
        self.lookup = lookup
        self.session = ScanSession()
        self.wedge = WedgeDetector(self)
        self.wedge.scanned.connect(lambda text: self.feed(text, "keyboard"))
        self.wedge.broken.connect(self._broken)
        self.serial_text.connect(lambda text: self.feed(text, "serial"))
        self.serial = SerialLink(host.workers, self)
        self.serial.scanned.connect(self.serial_text)
        self.serial.state_changed.connect(self._serial_state)
        panel.image_requested.connect(self.choose_image)
        panel.reset_requested.connect(self.reset)
        panel.cancel_requested.connect(self.cancel)
        lookup.search_requested.connect(self.find_customer)
        self._job: Job | None = None
        self._lookup_job: Job | None = None

    def install(self) -> None:
        self.wedge.install()

    def uninstall(self) -> None:
        self.wedge.uninstall()
        self.serial.stop()
        self.cancel()

    def start_serial(self, store: Store) -> None:
        """Open the configured serial scanner, if any (settings ``scanner.serial_*``)."""
        self.serial.start(SettingsRepository(store).get, self._serial_failed)

    def _serial_failed(self, exc: BaseException) -> None:
        self.scanner_status.emit("")
        self.host.errors.report(exc)

    def _serial_state(self, state: str, detail: str) -> None:
        self.scanner_status.emit(self.serial.status_text())
        if ScannerState(state).is_note and self.host.session() is not None:
            self._broken(detail)

    # -- scans ------------------------------------------------------------------------------

    def feed(self, text: str, source: str = "keyboard") -> ScanResult | None:
        """One scanned text; ``None`` when no teller is at work (signed out, locked) and it was dropped."""
        if self.host.session() is None:
            QApplication.beep()
            self.host.notify(tr("Sign in before scanning; the scan was ignored."))
            return None
        result = self.session.feed(text)
        log.info("scan from %s: %s (form %s, part %s)", source, result.kind.value, result.form_id, result.part)
        self._show(result)
        return result

    def _show(self, result: ScanResult) -> None:
        panel, (received, total, missing) = self.panel, result.progress
        if result.kind is ScanKind.PART:
            panel.show_progress(result.form_id or "", received, total, missing)
        elif result.kind is ScanKind.DUPLICATE:
            part = result.part
            panel.show_progress(
                result.form_id or "", received, total, missing, note=lambda: tr("Part {part} was already read.").format(part=part)
            )
        elif result.kind is ScanKind.COMPLETE:
            panel.show_progress(result.form_id or "", received, total, missing)
            self._read_form(result.texts, result.form_id or "")
        elif result.kind is ScanKind.LICENCE:
            assert result.uscc is not None
            self._look_up(result.uscc)
        else:
            assert result.error is not None
            self._refuse(result.error, keep_progress=total > 0)

    def _refuse(self, error: TellerError, *, keep_progress: bool) -> None:
        QApplication.beep()
        self.panel.show_error(lambda: error_text(error), keep_progress=keep_progress)
        self.scan_refused.emit(error)

    def _broken(self, partial: str) -> None:
        if self.host.session() is None:
            return
        error = TellerError(
            "The scan stopped before its end; scan the barcode again.", "扫描中途中断，请重新扫描该条码。", code="scan_incomplete"
        )
        log.info("keyboard scan broken off after %d characters", len(partial))
        self._refuse(error, keep_progress=self.session.progress.total > 0)

    def reset(self) -> None:
        self.session.reset()
        self.panel.show_idle()

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None
            self._show_progress_again()

    def _show_progress_again(self) -> None:
        received, total, missing = self.session.progress
        if total:
            self.panel.show_progress(self.session.form_id or "", received, total, missing)
        else:
            self.panel.show_idle()

    # -- the complete form: checked and saved on a worker -------------------------------------

    def _read_form(self, texts: tuple[str, ...], form_id: str) -> None:
        store, signed_in, training = self.host.store(), self.host.session(), self.host.training
        teller = signed_in.login.user.id if signed_in is not None else ""

        def work(_cancel: threading.Event) -> tuple[DecodedForm, SavedForm | None]:
            policy = EformPolicy.read(SettingsRepository(store).get if store is not None else _no_settings, training=training)
            form = read_form(texts, policy)
            return form, save_as_draft(store, form, teller) if store is not None else None

        self.panel.show_busy(lambda: tr("Checking form {form}...").format(form=form_id))
        self._job = self.host.workers.submit(work, self._form_read, self._form_failed)

    def _form_read(self, result: tuple[DecodedForm, SavedForm | None]) -> None:
        self._job = None
        form, saved = result
        self.session.reset()
        document = form.document
        name = str((document.get("customer") or {}).get("name", ""))
        accounts, users = len(document.get("accounts") or []), len(document.get("users") or [])
        form_id, new = form.form_id, saved is not None and saved.new

        def done() -> str:
            head = tr("Form {form} read: {name}, {accounts} account(s), {users} user(s).").format(
                form=form_id, name=name, accounts=accounts, users=users
            )
            trust = tr("Signature verified.")
            if not form.verified:
                trust = tr("NOT verified: unsigned forms are allowed by this branch's settings.")
            kept = tr("Saved as a new draft.") if new else tr("This form is already an open draft.")
            return sentences(head, trust, kept)

        self.panel.show_done(done)
        if saved is not None:
            self.host.drafts_changed()
            self.form_saved.emit(saved)

    def _form_failed(self, exc: BaseException) -> None:
        self._job = None
        self.session.reset()  # the parts are authentic or not as a whole: the teller rescans or types the form
        if isinstance(exc, TellerError):
            self._refuse(exc, keep_progress=False)
            self.form_refused.emit(exc)
        else:
            self.panel.show_idle()
            self.host.errors.report(exc)

    # -- image files ------------------------------------------------------------------------------

    def choose_image(self) -> None:
        if self.host.session() is None:
            return
        name, _ = QFileDialog.getOpenFileName(
            self.host.widget, tr("Scan from image"), "", tr("Scanned images and PDF ({patterns})").format(patterns=IMAGE_FILTER)
        )
        if name:
            self.scan_image(Path(name))

    def scan_image(self, path: Path) -> None:
        """Decode every barcode in ``path`` (image or PDF) on a worker, then feed them as scans."""
        from teller_client.eform.images import read_barcodes_from_file

        if self._job is not None or self.host.session() is None:
            return
        self.panel.show_busy(lambda: tr("Reading barcodes from {name}...").format(name=path.name), cancellable=True)
        work = lambda cancel: read_barcodes_from_file(path, cancel=cancel)  # noqa: E731
        self._job = self.host.workers.submit(work, self._image_read, self._image_failed)

    def _image_read(self, texts: list[str]) -> None:
        self._job = None
        self._show_progress_again()
        for text in texts:
            result = self.feed(text, "image")
            if result is None or result.kind is ScanKind.COMPLETE:
                break

    def _image_failed(self, exc: BaseException) -> None:
        self._job = None
        if isinstance(exc, TellerError) and exc.code == "cancelled":
            return
        if isinstance(exc, TellerError):
            self._refuse(exc, keep_progress=self.session.progress.total > 0)
        else:
            self.panel.show_idle()
            self.host.errors.report(exc)

    # -- business licence -------------------------------------------------------------------------

    def find_customer(self, text: str) -> None:
        """Look up the customer whose USCC is ``text`` or is in it (a scanned licence link)."""
        if self.host.session() is None:
            return
        try:
            uscc = uscc_from_licence_text(text)
        except TellerError as exc:
            refused = exc
            self.lookup.show_error(lambda: error_text(refused))
            return
        self._look_up(uscc)

    def _look_up(self, uscc: str) -> None:
        """Ask the central service for the customer with this (already checked) USCC, on a worker."""
        signed_in = self.host.session()
        if signed_in is None:
            return
        if self._lookup_job is not None:
            self._lookup_job.cancel()
        self.lookup.show_searching(uscc)
        client = signed_in.client

        def done(customer: dict[str, Any]) -> None:
            self._lookup_job = None
            self.lookup.show_found(customer)
            self.customer_found.emit(customer)

        def failed(exc: BaseException) -> None:
            self._lookup_job = None
            if isinstance(exc, NotFoundError):
                self.lookup.show_not_found(uscc)
            elif isinstance(exc, TellerError):
                self.lookup.show_error(lambda: error_text(exc))
            else:
                self.lookup.show_error(lambda: tr("The lookup failed."))
                self.host.errors.report(exc)

        self._lookup_job = self.host.workers.submit(lambda _cancel: client.customer(uscc), done, failed)


def _no_settings(_key: str) -> Any:
    return None
