"""The review page's text: the whole application on one page, as compact rich text (no widgets here).

Sections follow the wizard's pages (the form and its verification, customer, accounts, users, services, fees),
each headed by a ``page:<page>`` link the review page turns into a jump to that page. Tables stay compact so a
large group (20 accounts, 10 users) reads on one screen width; every value comes from the session's document as
it is, so even an application with problems shows what was typed. The problems themselves are grouped by the
page that owns them (:func:`owner`, :func:`grouped`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from html import escape
from typing import Any

from teller_client.domain.fees import quote
from teller_client.domain.labels import LABELS
from teller_client.domain.problems import Problem
from teller_client.domain.value_labels import value_names
from teller_client.flows.signing import SECTIONS, TITLES, Page
from teller_client.flows.signing_session import SigningSession
from teller_client.i18n import language, tr
from teller_client.ui.wizard.services_text import amount_text, money, summarise, zh_or_en

SECTION_PAGES = (Page.CUSTOMER, Page.ACCOUNTS, Page.USERS, Page.SERVICES, Page.FEES)
_TABLE = '<table cellspacing="0" cellpadding="3" border="1" style="border-collapse: collapse; border-color: #c8c8c8;">'
_HEAD = ' style="background: #eef1f6; font-weight: 600;"'
DASH = "—"


def short_hash(digest: str) -> str:
    """The first 12 hex characters of a snapshot hash in groups of four (what the teller reads to the supervisor)."""
    head = digest[:12]
    return " ".join(head[i : i + 4] for i in range(0, len(head), 4))


def owner(pointer: str) -> Page | None:
    """The section page whose fields a problem concerns; ``None`` for the form itself (id, dates, request)."""
    for page, prefix in SECTIONS.items():
        if pointer == prefix or pointer.startswith(prefix + "/"):
            return page
    return None


def grouped(problems: Iterable[Problem]) -> list[tuple[Page | None, list[Problem]]]:
    """Problems by owning page, in the wizard's order (the form's own last)."""
    groups: dict[Page | None, list[Problem]] = {}
    for problem in problems:
        groups.setdefault(owner(problem.pointer), []).append(problem)
    order: list[Page | None] = [*SECTION_PAGES, None]
    return [(page, groups[page]) for page in order if page in groups]


def title(page: Page | None) -> str:
    if page is None:
        return tr("The form itself")
    zh, en = TITLES[page]
    return zh if language() == "zh" else en


def field(pointer: str) -> str:
    """A field's name (``domain/labels.py``) in the teller's language, as a table or row heading."""
    zh, en = LABELS.get(pointer, (pointer, pointer))
    return zh if language() == "zh" else en[:1].upper() + en[1:]


def _text(value: Any) -> str:
    if value is None or value == "":
        return DASH
    return escape(str(value))


def _label(kind: str, value: Any) -> str:
    names = value_names(kind, language())
    return _text(names.get(value, value) if isinstance(value, str) else value)


def _stamp(value: Any) -> str:
    try:
        return escape(datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M"))
    except ValueError:
        return _text(value)


def _amount(value: Any) -> str:
    if value is None or value == "":
        return DASH
    try:
        return amount_text(Decimal(str(value)))
    except InvalidOperation:
        return _text(value)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: frozenset[int] = frozenset()) -> str:
    out = [_TABLE, "<tr>"]
    out += [f"<th{_HEAD}>{escape(h)}</th>" for h in headers]
    out.append("</tr>")
    for row in rows:
        out.append("<tr>")
        out += [f'<td align="right">{cell}</td>' if i in numeric else f"<td>{cell}</td>" for i, cell in enumerate(row)]
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def _pairs(rows: Iterable[tuple[str, str]]) -> str:
    body = "".join(f"<tr><td{_HEAD}>{escape(k)}</td><td>{v}</td></tr>" for k, v in rows)
    return f"{_TABLE}{body}</table>"


def _heading(page: Page | None, text: str, pages: Sequence[Page], count: str = "") -> str:
    link = ""
    if page is not None and page in pages:
        link = f' &nbsp; <a href="page:{page.value}">{escape(tr("change"))}</a>'
    extra = f' <span style="font-weight: normal; color: #555;">{escape(count)}</span>' if count else ""
    return f'<h3 style="margin-top: 14px; margin-bottom: 4px;">{escape(text)}{extra}{link}</h3>'


def _items(session: SigningSession, pointer: str) -> list[dict[str, Any]]:
    value = session.get(pointer)
    return [v if isinstance(v, dict) else {} for v in value] if isinstance(value, list) else []


def form_state(session: SigningSession) -> str:
    """Where the application came from and whether its e-form's signature was verified (plain text)."""
    if session.source == "eform":
        trust = tr("Signature verified.") if session.verified else tr("NOT verified: check every page against the signed paper form.")
        return tr("E-form {form}: {trust}").format(form=session.form_id, trust=trust)
    if session.source == "existing":
        return tr("Existing customer: a change to their e-channel services.")
    return tr("Paper form {form} typed at the counter (no e-form signature).").format(form=session.form_id)


def _form(session: SigningSession, pages: Sequence[Page]) -> str:
    colour = "#8a1010" if session.source == "eform" and not session.verified else "#1a5e20" if session.verified else "#333"
    rows = [
        (tr("Form source"), f'<span style="color: {colour}; font-weight: 600;">{escape(form_state(session))}</span>'),
        (field("/request"), _label("request", session.get("/request"))),
        (field("/expires_at"), _stamp(session.get("/expires_at"))),
    ]
    if session.application_id:
        rows.append((tr("Central application number"), _text(session.application_id)))
    return _heading(None, tr("The form"), pages) + _pairs(rows)


def _customer(session: SigningSession, pages: Sequence[Page]) -> str:
    def get(pointer: str) -> Any:
        return session.get("/customer" + pointer)

    rows = [
        (field("/customer/name"), _text(get("/name"))),
        (field("/customer/uscc"), _text(get("/uscc"))),
        (field("/customer/kind"), _label("customer_kind", get("/kind"))),
    ]
    if get("/group_uscc"):
        rows.append((field("/customer/group_uscc"), _text(get("/group_uscc"))))
    rows.append(
        (
            field("/customer/legal_rep"),
            f"{_text(get('/legal_rep/name'))}, {_label('id_type', get('/legal_rep/id_type'))} {_text(get('/legal_rep/id_number'))}",
        )
    )
    contact = [_text(get("/contact/name")), _text(get("/contact/mobile"))]
    contact += [_text(get(p)) for p in ("/contact/email", "/contact/address") if get(p)]
    rows.append((field("/customer/contact"), ", ".join(contact)))
    return _heading(Page.CUSTOMER, title(Page.CUSTOMER), pages) + _pairs(rows)


def _accounts(session: SigningSession, pages: Sequence[Page]) -> str:
    accounts = _items(session, "/accounts")
    rows = []
    for i, a in enumerate(accounts, 1):
        rights = a.get("rights")
        rights_text = ", ".join(_label("right", r) for r in rights) if isinstance(rights, list) and rights else DASH
        rows.append(
            [
                str(i),
                _text(a.get("number")),
                _label("relation", a.get("relation")),
                _label("account_type", a.get("type")),
                _text(a.get("currency")),
                rights_text,
                _text(a.get("bank_code")),
                _text(a.get("expires_on")),
            ]
        )
    headers = [
        "#",
        *(field(f"/accounts/*/{key}") for key in ("number", "relation", "type", "currency", "rights", "bank_code", "expires_on")),
    ]
    count = f"({len(accounts)})"
    body = _table(headers, rows, frozenset({0})) if rows else f"<p>{escape(tr('No accounts.'))}</p>"
    return _heading(Page.ACCOUNTS, title(Page.ACCOUNTS), pages, count) + body


def _user_accounts(value: Any) -> str:
    if value == "all":
        return escape(tr("every account"))
    if not isinstance(value, list):
        return _text(value)
    tails = ", ".join("…" + escape(str(n)[-5:]) for n in value)
    return f"{len(value)}: {tails}" if value else DASH


def _users(session: SigningSession, pages: Sequence[Page]) -> str:
    users = _items(session, "/users")
    rows = []
    for i, u in enumerate(users, 1):
        raw_limits = u.get("limits")
        limits: dict[str, Any] = raw_limits if isinstance(raw_limits, dict) else {}
        rows.append(
            [
                str(i),
                _text(u.get("name")),
                _label("role", u.get("role")),
                _label("credential", u.get("credential")),
                f"{_label('id_type', u.get('id_type'))} {_text(u.get('id_number'))}",
                _text(u.get("mobile")),
                _user_accounts(u.get("accounts")),
                _amount(limits.get("per_txn")),
                _amount(limits.get("daily")),
            ]
        )
    headers = [
        "#",
        *(field(f"/users/*/{key}") for key in ("name", "role", "credential", "id_number", "mobile", "accounts")),
        tr("{limit} (CNY)").format(limit=field("/users/*/limits/per_txn")),
        tr("{limit} (CNY)").format(limit=field("/users/*/limits/daily")),
    ]
    count = f"({len(users)})"
    body = _table(headers, rows, frozenset({0, 7, 8})) if rows else f"<p>{escape(tr('No users.'))}</p>"
    return _heading(Page.USERS, title(Page.USERS), pages, count) + body


def _services(session: SigningSession, pages: Sequence[Page]) -> str:
    rows = []
    for i, entry in enumerate(_items(session, "/services"), 1):
        summary = summarise(entry, session.catalogue)
        rows.append([str(i), escape(summary.channel), escape(summary.offer), f"{summary.checked}/{summary.total}"])
    headers = ["#", field("/services/*/channel"), tr("Bundle or mode"), tr("Functions checked")]
    body = _table(headers, rows, frozenset({0, 3})) if rows else f"<p>{escape(tr('No channels.'))}</p>"
    return _heading(Page.SERVICES, title(Page.SERVICES), pages) + body


def _fees(session: SigningSession, pages: Sequence[Page]) -> str:
    app = session.application
    parts = [_heading(Page.FEES, title(Page.FEES), pages)]
    if app is None:
        parts.append(f"<p>{escape(tr('The fees are computed once the application can be read.'))}</p>")
    else:
        fee_quote = quote(app, session.catalogue)
        rows = [
            [escape(zh_or_en(line.zh, line.en)), str(line.quantity), amount_text(line.unit), amount_text(line.amount)]
            for line in fee_quote.lines
        ]
        rows.append([f"<b>{escape(tr('Total fees'))}</b>", "", "", f"<b>{escape(money(fee_quote.total))}</b>"])
        parts.append(_table([tr("Fee item"), tr("Units"), tr("Unit price (CNY)"), tr("Amount (CNY)")], rows, frozenset({1, 2, 3})))
    if session.get("/fees/waiver_requested"):
        reason = _text(session.get("/fees/reason"))
        requested = escape(tr("Waiver or discount requested; the supervisor decides at sign-off."))
        parts.append(f'<p style="color: #8a5a00; font-weight: 600;">{requested}<br>{escape(tr("Waiver reason:"))} {reason}</p>')
    else:
        parts.append(f"<p>{escape(tr('No waiver or discount requested.'))}</p>")
    return "".join(parts)


def summary_html(session: SigningSession) -> str:
    """The whole application as rich text for a read-only text browser."""
    pages = session.state.pages
    parts = [_form(session, pages), _customer(session, pages)]
    for page, build in ((Page.ACCOUNTS, _accounts), (Page.USERS, _users), (Page.SERVICES, _services), (Page.FEES, _fees)):
        if page in pages or (page is not Page.FEES and session.get(SECTIONS[page])):
            parts.append(build(session, pages))
    return "".join(parts)
