"""Time in the training service: the wall clock in China Standard Time and the business date.

Two clocks, on purpose. Time stamps (history, audit, session expiry) come
from the wall clock, in +08:00. What "lives overnight" is decided by the
**business date** kept in the database, which the training clock
(``POST /training/clock``) moves forward: a certificate authorization or an
initial password belongs to the business date it was made on and expires at
its end, 23:59:59 +08:00. China has had no daylight saving time since 1991,
so a fixed offset is exact and needs no time-zone database (Windows has
none).
"""

from __future__ import annotations

from datetime import date, datetime, time

from teller_client.domain.bank_time import BANK_TIME

CHINA = BANK_TIME
"""Asia/Shanghai: UTC+08:00 all year (the domain's one definition)."""


def now() -> datetime:
    """The wall clock, aware, in +08:00, to the second (what the API shows)."""
    return datetime.now(CHINA).replace(microsecond=0)


def today() -> date:
    """The calendar date in Asia/Shanghai (the default business date)."""
    return datetime.now(CHINA).date()


def end_of_business_date(day: date) -> datetime:
    """23:59:59 +08:00 of ``day``: when what was made on that business date expires."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=CHINA)


def stamp(value: datetime) -> str:
    """RFC 3339 with offset, in +08:00, to the second."""
    return value.astimezone(CHINA).isoformat(timespec="seconds")
