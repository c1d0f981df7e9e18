"""Official Chinese holidays and make-up working days, from the `chinese-calendar` package.

The package knows only the years the State Council has announced. For any other year
these functions fall back to "Monday to Friday are working days" and `known_year`
says so, so that callers can tell the user the dates are only approximate.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=None)
def known_year(year: int) -> bool:
    """Whether the official holiday arrangement of `year` is known."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_workday(day: dt.date) -> bool:
    """A school working day: official arrangement when known, else Monday to Friday."""
    if known_year(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def holiday_name(day: dt.date) -> str | None:
    """The Chinese name of the official holiday on `day` (国庆节), or None."""
    if not known_year(day.year):
        return None
    on_holiday, holiday = chinese_calendar.get_holiday_detail(day)
    if not on_holiday or holiday is None:
        return None
    return _CHINESE.get(str(holiday), str(holiday))


def is_makeup_workday(day: dt.date) -> bool:
    """A weekend day that is a working day by the official arrangement (调休上班)."""
    return day.weekday() >= 5 and is_workday(day)


_CHINESE = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
