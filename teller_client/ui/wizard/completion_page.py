"""The completion page of the signing wizard (being built)."""

from __future__ import annotations

from teller_client.flows.signing import Page
from teller_client.ui.wizard.page import WizardPage


class CompletionPage(WizardPage):
    page = Page.COMPLETION
