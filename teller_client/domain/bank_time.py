"""The bank's time zone: Asia/Shanghai, UTC+08:00 all year.

China has had no daylight saving time since 1991, so a fixed offset is exact
and needs no time-zone database (Windows has none). Business dates, form
expiry and "nothing lives overnight" are all judged in this zone.
"""

from __future__ import annotations

from datetime import timedelta, timezone

BANK_TIME = timezone(timedelta(hours=8), "CST")
