"""The signing wizard as a Qt-free state machine: the order of the pages, what each needs, where Back and Next go.

A :class:`SigningState` is immutable; every move returns a new one or raises :class:`FlowRefused` with the reason
in both languages (the page shows it beside the Next button). Pages are thin: they show the state, write the
teller's input into the draft, and ask the state whether they may move.

* The pages a request kind uses (:data:`PAGES`): a closure skips accounts, users, services, fees and media.
* A section page (customer, accounts, users, services, fees) may be left forwards when the domain validation
  finds no error under its JSON pointer and every warning there is confirmed by the teller; Back is always
  allowed until the application is submitted.
* Review needs the whole application free of errors; sign-off needs the supervisor's approval of the exact
  snapshot; after submission nothing before it can be opened for editing (the step bar shows those pages
  locked), media must all be finished before completion.
* A supervisor's return brings the teller back to review with the reason; changing the draft drops an approval.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from teller_client.domain.model import RequestKind
from teller_client.domain.problems import Problem, Severity
from teller_client.errors import TellerError


class Page(StrEnum):
    START = "start"
    INTAKE = "intake"
    CUSTOMER = "customer"
    ACCOUNTS = "accounts"
    USERS = "users"
    SERVICES = "services"
    FEES = "fees"
    REVIEW = "review"
    SIGN_OFF = "sign_off"
    SUBMIT = "submit"
    MEDIA = "media"
    COMPLETION = "completion"


TITLES: dict[Page, tuple[str, str]] = {
    Page.START: ("开始", "Start"),
    Page.INTAKE: ("读取申请", "Intake"),
    Page.CUSTOMER: ("客户信息", "Customer"),
    Page.ACCOUNTS: ("签约账户", "Accounts"),
    Page.USERS: ("操作员", "Users"),
    Page.SERVICES: ("服务功能", "Services"),
    Page.FEES: ("费用", "Fees"),
    Page.REVIEW: ("复核", "Review"),
    Page.SIGN_OFF: ("主管审批", "Sign-off"),
    Page.SUBMIT: ("提交", "Submit"),
    Page.MEDIA: ("介质发放", "Media"),
    Page.COMPLETION: ("完成", "Completion"),
}

_ALL = tuple(Page)
PAGES: dict[RequestKind, tuple[Page, ...]] = {
    RequestKind.NEW: _ALL,
    RequestKind.MODIFY: _ALL,
    RequestKind.CLOSE: (Page.START, Page.INTAKE, Page.CUSTOMER, Page.REVIEW, Page.SIGN_OFF, Page.SUBMIT, Page.COMPLETION),
}

SECTIONS: dict[Page, str] = {
    Page.CUSTOMER: "/customer",
    Page.ACCOUNTS: "/accounts",
    Page.USERS: "/users",
    Page.SERVICES: "/services",
    Page.FEES: "/fees",
}
"""The part of the ``eform/1`` document each section page edits (its problems are those under this pointer)."""


class StepProgress(StrEnum):
    DONE = "done"
    CURRENT = "current"
    TODO = "todo"
    NEEDS_ATTENTION = "needs_attention"
    """Visited, and errors (or unconfirmed warnings) are waiting there."""
    LOCKED = "locked"
    """Before the submission: no longer editable."""


@dataclass(frozen=True)
class StepView:
    page: Page
    title_zh: str
    title_en: str
    progress: StepProgress
    problems: int


class FlowRefused(TellerError):
    """The move is not allowed now; the message says what is missing."""


def _refuse(code: str, en: str, zh: str) -> FlowRefused:
    return FlowRefused(en, zh, code=code)


def _submitted() -> FlowRefused:
    return _refuse("submitted", "The application was submitted: its pages can no longer be changed.", "申请已提交，之前的内容不能再修改。")


def problem_key(problem: Problem) -> str:
    """What the teller confirms when they accept a warning: the place and the kind, not the wording."""
    return f"{problem.pointer}#{problem.code}"


@dataclass(frozen=True)
class SigningState:
    request: RequestKind
    page: Page = Page.START
    visited: frozenset[Page] = frozenset({Page.START})
    problems: tuple[Problem, ...] = ()
    confirmed_warnings: frozenset[str] = frozenset()
    intake_done: bool = False
    approved_hash: str | None = None
    """The snapshot hash the supervisor approved; ``None`` until approved (and after any change)."""
    snapshot_hash: str | None = None
    returned_reason: str | None = None
    submitted: bool = False
    media_done: bool = False
    history: tuple[Page, ...] = field(default=(), repr=False)

    # -- what the pages are --------------------------------------------------------------------------------

    @property
    def pages(self) -> tuple[Page, ...]:
        return PAGES[self.request]

    @property
    def approved(self) -> bool:
        return self.approved_hash is not None and self.approved_hash == self.snapshot_hash

    def page_problems(self, page: Page) -> tuple[Problem, ...]:
        """The problems a page shows: its section's; review shows all, and those no section owns."""
        if page == Page.REVIEW:
            return self.problems
        prefix = SECTIONS.get(page)
        if prefix is None:
            return ()
        return tuple(p for p in self.problems if p.pointer == prefix or p.pointer.startswith(prefix + "/"))

    def blocking(self, page: Page) -> tuple[Problem, ...]:
        """Errors, and warnings not yet confirmed, that keep the teller on ``page``."""
        return tuple(p for p in self.page_problems(page) if p.severity is Severity.ERROR or problem_key(p) not in self.confirmed_warnings)

    def locked(self, page: Page) -> bool:
        return self.submitted and self.pages.index(page) <= self.pages.index(Page.SUBMIT)

    def steps(self) -> tuple[StepView, ...]:
        """The step bar: where the teller is and what is left (seed 004's progress)."""
        views = []
        current = self.pages.index(self.page)
        for index, page in enumerate(self.pages):
            if page == self.page:
                progress = StepProgress.CURRENT
            elif self.locked(page):
                progress = StepProgress.LOCKED
            elif page in self.visited and self.blocking(page):
                progress = StepProgress.NEEDS_ATTENTION
            elif index < current or page in self.visited:
                progress = StepProgress.DONE
            else:
                progress = StepProgress.TODO
            zh, en = TITLES[page]
            views.append(StepView(page, zh, en, progress, len(self.page_problems(page))))
        return tuple(views)

    # -- moving ------------------------------------------------------------------------------------------------

    def check_leave(self) -> None:
        """Raise :class:`FlowRefused` when the current page cannot be left forwards."""
        page = self.page
        if page == Page.INTAKE and not self.intake_done:
            raise _refuse(
                "intake_needed",
                "Scan the e-form, open a scanned file, or choose the paper form first.",
                "请先扫描电子填单、打开扫描件或选择纸质申请表。",
            )
        if page in SECTIONS and self.blocking(page):
            count = len(self.blocking(page))
            raise _refuse("page_has_problems", f"{count} problem(s) on this page need attention.", f"本页还有 {count} 处问题需要处理。")
        if page == Page.REVIEW:
            blocking = tuple(p for p in self.problems if p.severity is Severity.ERROR or problem_key(p) not in self.confirmed_warnings)
            if blocking:
                raise _refuse(
                    "application_has_problems",
                    f"The application still has {len(blocking)} problem(s); fix them before sign-off.",
                    f"申请还有 {len(blocking)} 处问题，处理后才能送审。",
                )
        if page == Page.SIGN_OFF and not self.approved:
            raise _refuse("approval_needed", "A supervisor must approve this application first.", "须先经主管审批。")
        if page == Page.SUBMIT and not self.submitted:
            raise _refuse("submission_needed", "Submit the application to the central service first.", "请先提交至中心系统。")
        if page == Page.MEDIA and not self.media_done:
            raise _refuse("media_pending", "Some UKeys or letters are not finished yet.", "还有 UKey 或密码信函未完成。")
        if page == Page.COMPLETION:
            raise _refuse("flow_finished", "This application is complete.", "该申请已办结。")

    def next(self) -> SigningState:
        self.check_leave()
        target = self.pages[self.pages.index(self.page) + 1]
        return replace(self, page=target, visited=self.visited | {target}, history=(*self.history, self.page))

    def back(self) -> SigningState:
        index = self.pages.index(self.page)
        if index == 0:
            raise _refuse("at_start", "This is the first page.", "已是第一页。")
        target = self.pages[index - 1]
        if self.locked(target):
            raise _refuse(
                "submitted", "The application was submitted: its pages can no longer be changed.", "申请已提交，之前的内容不能再修改。"
            )
        return replace(self, page=target, history=(*self.history, self.page))

    def go_to(self, page: Page) -> SigningState:
        """Jump to a page already reached (from the step bar or the review's "change" links)."""
        if page not in self.pages:
            raise _refuse("page_not_used", "This request does not use that page.", "此类申请不需要该页。")
        if page not in self.visited:
            raise _refuse("page_not_reached", "Go through the pages in order the first time.", "首次办理请按顺序填写。")
        if self.locked(page) and page != self.page:
            raise _refuse(
                "submitted", "The application was submitted: its pages can no longer be changed.", "申请已提交，之前的内容不能再修改。"
            )
        return replace(self, page=page, history=(*self.history, self.page))

    # -- what happened ----------------------------------------------------------------------------------------

    def with_intake(self) -> SigningState:
        return replace(self, intake_done=True)

    def with_problems(self, problems: tuple[Problem, ...] | list[Problem], snapshot_hash: str | None) -> SigningState:
        """The draft changed (or was checked again): new problems and hash; an approval of another snapshot lapses."""
        if self.submitted:
            raise _refuse("submitted", "The application was submitted: it can no longer be changed.", "申请已提交，不能再修改。")
        keys = {problem_key(p) for p in problems}
        return replace(
            self, problems=tuple(problems), snapshot_hash=snapshot_hash, confirmed_warnings=self.confirmed_warnings & frozenset(keys)
        )

    def confirm_warning(self, problem: Problem) -> SigningState:
        if not problem.overridable:
            raise _refuse("not_overridable", "An error cannot be confirmed away; correct it.", "错误不能确认跳过，请更正。")
        return replace(self, confirmed_warnings=self.confirmed_warnings | {problem_key(problem)})

    def with_approval(self, approved_hash: str) -> SigningState:
        if approved_hash != self.snapshot_hash:
            raise _refuse(
                "snapshot_changed",
                "The supervisor approved another version of this application; ask for approval again.",
                "主管审批的不是当前版本，请重新送审。",
            )
        return replace(self, approved_hash=approved_hash, returned_reason=None)

    def with_return(self, reason: str) -> SigningState:
        """The supervisor returned the application: back to review with the reason, approval gone."""
        return replace(self, approved_hash=None, returned_reason=reason, page=Page.REVIEW, history=(*self.history, self.page))

    def with_submission(self) -> SigningState:
        if not self.approved:
            raise _refuse("approval_needed", "A supervisor must approve this application first.", "须先经主管审批。")
        return replace(self, submitted=True)

    def with_media_done(self) -> SigningState:
        return replace(self, media_done=True)
