"""The wizard's pages, in the order of :class:`~teller_client.flows.signing.Page` (the start page is the window's)."""

from __future__ import annotations

from teller_client.flows.signing import Page
from teller_client.ui.wizard.accounts_page import AccountsPage
from teller_client.ui.wizard.completion_page import CompletionPage
from teller_client.ui.wizard.customer_page import CustomerPage
from teller_client.ui.wizard.fees_page import FeesPage
from teller_client.ui.wizard.intake_page import IntakePage
from teller_client.ui.wizard.media_page import MediaPage
from teller_client.ui.wizard.page import WizardPage
from teller_client.ui.wizard.review_page import ReviewPage
from teller_client.ui.wizard.services_page import ServicesPage
from teller_client.ui.wizard.sign_off_page import SignOffPage
from teller_client.ui.wizard.submit_page import SubmitPage
from teller_client.ui.wizard.users_page import UsersPage

PAGE_CLASSES: dict[Page, type[WizardPage]] = {
    Page.INTAKE: IntakePage,
    Page.CUSTOMER: CustomerPage,
    Page.ACCOUNTS: AccountsPage,
    Page.USERS: UsersPage,
    Page.SERVICES: ServicesPage,
    Page.FEES: FeesPage,
    Page.REVIEW: ReviewPage,
    Page.SIGN_OFF: SignOffPage,
    Page.SUBMIT: SubmitPage,
    Page.MEDIA: MediaPage,
    Page.COMPLETION: CompletionPage,
}
