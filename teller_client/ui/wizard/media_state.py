"""What the media page shows of each item, read from the journal, and the names of the issuance steps (no widgets).

An :class:`ItemView` is one line of the media page: a certificate order (the UKey it went onto, the saga's steps
done, the certificate serial once handed over) or a password letter (the serial it was printed on). After a
restart :func:`read_item` rebuilds it from the journal alone, so the page shows where each item stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from teller_client.errors import TellerError
from teller_client.flows.issuance import COUNTER_STEPS, PREMADE_STEPS, Step, handed_over
from teller_client.flows.issuance_record import SagaRecord, chosen_ukeys
from teller_client.flows.letters import printed_serial
from teller_client.flows.media import ItemState, MediaItem, MediaPlan
from teller_client.i18n import N_
from teller_client.store.journal import Journal

STEP_NAMES: dict[Step, str] = {
    Step.UKEY: N_("Check UKey"),
    Step.INITIALISE: N_("Initialise"),
    Step.KEY: N_("Generate key"),
    Step.CSR: N_("Certificate request"),
    Step.ISSUE: N_("Issue certificate"),
    Step.INSTALL: N_("Install certificate"),
    Step.PREMADE_CHECK: N_("Check pre-made certificate"),
    Step.BIND: N_("Bind certificate"),
    Step.VERIFY: N_("Read back"),
    Step.LEDGER: N_("Stock ledger"),
    Step.PIN_HANDOVER: N_("Print PIN letter"),
}
"""The saga's steps as the teller reads them (English sources; translate with ``tr``)."""


class Mode(StrEnum):
    TODO = "todo"
    """Not begun, or stopped between steps (``interrupted``): the item's action starts or goes on."""
    CHOOSING = "choosing"
    """A certificate waits for the teller to insert a blank UKey and confirm it (Enter)."""
    WAITING = "waiting"
    """A certificate waits for its own UKey to come back; it goes on by itself when it does."""
    RUNNING = "running"
    AUTHORIZATION = "authorization"
    """The order's authorization code is gone or expired: a supervisor re-authorizes."""
    REPRINT = "reprint"
    """The letter was spoiled: a supervisor allows a reprint."""
    FAILED = "failed"
    DONE = "done"


@dataclass
class ItemView:
    item: MediaItem
    mode: Mode = Mode.TODO
    token: str | None = None
    """The UKey the certificate order went (or goes) onto."""
    done_steps: frozenset[Step] = field(default_factory=frozenset)
    current: Step | None = None
    interrupted: bool = False
    """Begun earlier and not finished (the journal says so)."""
    error: BaseException | None = None
    failed_at: Step | None = None
    certificate_serial: str | None = None
    letter_serial: str | None = None
    note: str = ""
    """A short English source (translated on screen) saying what just happened, e.g. after a cancel."""

    @property
    def is_certificate(self) -> bool:
        return self.item.kind == "certificate"

    @property
    def steps(self) -> tuple[Step, ...]:
        if not self.is_certificate:
            return ()
        return PREMADE_STEPS if self.item.premade else COUNTER_STEPS

    @property
    def done(self) -> bool:
        return self.mode == Mode.DONE


def read_item(plan: MediaPlan, journal: Journal, item: MediaItem) -> ItemView:
    """The item as the journal has it (disk: call on a worker)."""
    state = plan.state(journal, item)
    if item.kind == "certificate":
        finished = handed_over(journal, item.order)
        steps = PREMADE_STEPS if item.premade else COUNTER_STEPS
        if finished is not None:
            return ItemView(item, Mode.DONE, token=finished[0], done_steps=frozenset(steps), certificate_serial=finished[1])
        serials = chosen_ukeys(journal, item.order)
        token = serials[-1] if serials else None
        done: frozenset[Step] = frozenset()
        if token is not None:
            record = SagaRecord(journal, item.order, token)
            done = frozenset(step for step in steps if record.done(step))
        return ItemView(item, Mode.TODO, token=token, done_steps=done, interrupted=state == ItemState.IN_PROGRESS)
    serial = printed_serial(journal, item.order)
    if serial is not None:
        return ItemView(item, Mode.DONE, letter_serial=serial)
    return ItemView(item, Mode.TODO, interrupted=state == ItemState.IN_PROGRESS)


def plan_error() -> TellerError:
    return TellerError(
        "This application's submission is not in this counter's journal; its media cannot be handed over here.",
        "本机日志中没有该申请的提交记录，无法在本柜台发放介质。",
        code="media_plan_missing",
    )
