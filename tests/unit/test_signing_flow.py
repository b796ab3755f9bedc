"""The signing wizard's state machine with plain data: page order, gates, Back/Next, skips, locks, returns."""

from __future__ import annotations

import pytest

from teller_client.domain.model import RequestKind
from teller_client.domain.problems import Problem, Severity
from teller_client.flows.signing import FlowRefused, Page, SigningState, StepProgress


def error(pointer: str, code: str = "required") -> Problem:
    return Problem(pointer, code, "中文", "English")


def warning(pointer: str, code: str = "uscc_org_code") -> Problem:
    return Problem(pointer, code, "中文", "English", Severity.WARNING)


def walk_to(state: SigningState, page: Page) -> SigningState:
    while state.page != page:
        state = state.next()
    return state


def refused(move: object, code: str) -> FlowRefused:
    with pytest.raises(FlowRefused) as err:
        move()  # type: ignore[operator]
    assert err.value.code == code and err.value.message_zh and err.value.message_en
    return err.value


def test_a_new_signing_goes_through_every_page_in_order_once_each_gate_is_met() -> None:
    state = SigningState(RequestKind.NEW).next()
    assert state.page == Page.INTAKE
    refused(state.next, "intake_needed")
    state = walk_to(state.with_intake().with_problems([], "H1"), Page.SIGN_OFF)
    refused(state.next, "approval_needed")
    state = state.with_approval("H1").next()
    assert state.page == Page.SUBMIT
    refused(state.next, "submission_needed")
    state = state.with_submission().next()
    assert state.page == Page.MEDIA
    refused(state.next, "media_pending")
    state = state.with_media_done().next()
    assert state.page == Page.COMPLETION
    refused(state.next, "flow_finished")
    assert [v.progress for v in state.steps()][:-1] == [StepProgress.LOCKED] * 10 + [StepProgress.DONE]


def test_a_closure_skips_the_pages_it_does_not_need() -> None:
    state = SigningState(RequestKind.CLOSE).next().with_intake().with_problems([], "H").next()
    assert state.page == Page.CUSTOMER and state.next().page == Page.REVIEW
    assert Page.MEDIA not in state.pages and Page.ACCOUNTS not in state.pages
    refused(lambda: state.go_to(Page.ACCOUNTS), "page_not_used")


def test_a_section_with_an_error_keeps_the_teller_and_a_warning_needs_confirming() -> None:
    state = walk_to(SigningState(RequestKind.NEW).next().with_intake(), Page.CUSTOMER)
    org = warning("/customer/uscc")
    state = state.with_problems([error("/users/0/id_number"), org], "H")
    assert [p.pointer for p in state.page_problems(Page.CUSTOMER)] == ["/customer/uscc"]
    refused(state.next, "page_has_problems")
    state = state.confirm_warning(org).next().next()
    assert state.page == Page.USERS
    refused(state.next, "page_has_problems")
    refused(lambda: state.confirm_warning(error("/users/0/id_number")), "not_overridable")
    assert {v.page: v.progress for v in state.steps()}[Page.USERS] == StepProgress.CURRENT
    state = state.back()
    assert {v.page: v.progress for v in state.steps()}[Page.USERS] == StepProgress.NEEDS_ATTENTION
    # the teller fixes the ID number; the confirmed warning stays confirmed while it is still there
    state = state.with_problems([org], "H2").next().next()
    assert state.page == Page.SERVICES


def test_problems_no_section_owns_stop_the_review() -> None:
    state = walk_to(SigningState(RequestKind.NEW).next().with_intake().with_problems([], "H"), Page.REVIEW)
    state = state.with_problems([error("", "payroll_needs_basic_account")], "H2")
    assert state.page_problems(Page.REVIEW) and not state.page_problems(Page.SERVICES)
    refused(state.next, "application_has_problems")


def test_an_approval_is_for_one_snapshot_and_lapses_when_the_draft_changes() -> None:
    state = walk_to(SigningState(RequestKind.NEW).next().with_intake().with_problems([], "H1"), Page.SIGN_OFF)
    refused(lambda: state.with_approval("OTHER"), "snapshot_changed")
    approved = state.with_approval("H1")
    assert approved.approved
    changed = approved.with_problems([], "H2")
    assert not changed.approved
    refused(changed.next, "approval_needed")
    refused(changed.with_submission, "approval_needed")


def test_a_return_with_a_reason_brings_the_teller_back_to_review() -> None:
    state = walk_to(SigningState(RequestKind.NEW).next().with_intake().with_problems([], "H1"), Page.SIGN_OFF)
    returned = state.with_return("账户 2 的权限与申请表不符")
    assert returned.page == Page.REVIEW and returned.returned_reason == "账户 2 的权限与申请表不符" and not returned.approved
    assert returned.go_to(Page.ACCOUNTS).page == Page.ACCOUNTS  # the teller corrects the draft
    assert returned.with_approval("H1").returned_reason is None


def test_after_submission_nothing_before_it_opens_again() -> None:
    state = walk_to(SigningState(RequestKind.NEW).next().with_intake().with_problems([], "H"), Page.SIGN_OFF)
    state = state.with_approval("H").next().with_submission().next()
    assert state.page == Page.MEDIA
    refused(state.back, "submitted")
    refused(lambda: state.go_to(Page.USERS), "submitted")
    refused(lambda: state.with_problems([], "H3"), "submitted")


def test_the_step_bar_jumps_only_to_pages_already_reached() -> None:
    state = walk_to(SigningState(RequestKind.NEW).next().with_intake().with_problems([], "H"), Page.USERS)
    assert state.go_to(Page.CUSTOMER).page == Page.CUSTOMER
    refused(lambda: state.go_to(Page.FEES), "page_not_reached")
    steps = state.steps()
    assert [v.progress for v in steps[:5]] == [StepProgress.DONE] * 4 + [StepProgress.CURRENT]
    assert all(v.progress == StepProgress.TODO for v in steps[5:])
    assert steps[0].title_zh == "开始" and steps[-1].title_en == "Completion"
