"""The one holiday source: the 节假日 sheet first, the `chinese-calendar` package second, weekends last.

Staff copy the State Council's notice into 节假日 (法定节假日 and 调休上班 rows) and add the
school's own 寒假 and 暑假 (学校假期). A typed row wins over the package for its days. For a
year neither knows, Monday to Friday are working days and `known_year` says so, so that
callers can tell the user the dates are only approximate.

A 学校假期 day is still a working day as far as holidays go (a meeting may fall on it and a
dated activity in it is fine), but no date is suggested in it (`suggestable`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar

from workbook import layout

LEGAL, MAKEUP, VACATION = layout.HOLIDAY_KINDS
MAX_SPAN_DAYS = 366  # a longer row is a typo (a wrong year): it is reported and not used


@lru_cache(maxsize=None)
def package_knows(year: int) -> bool:
    """Whether the `chinese-calendar` package knows the official arrangement of `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class Span:
    """One 节假日 row: a named span of days of one kind."""

    name: str
    first: dt.date
    last: dt.date
    kind: str

    def days(self) -> Iterable[dt.date]:
        day = self.first
        while day <= self.last:
            yield day
            day += dt.timedelta(days=1)


class Holidays:
    """Working days, holiday names and school vacations, from typed spans and the package."""

    def __init__(self, spans: Iterable[Span] = ()):
        self._official: dict[dt.date, tuple[str, str]] = {}  # day -> (法定节假日 or 调休上班, name)
        self._vacation: dict[dt.date, str] = {}
        self._typed_years: set[int] = set()
        for span in spans:
            for day in span.days():
                if span.kind == VACATION:
                    self._vacation.setdefault(day, span.name)
                else:
                    self._official.setdefault(day, (span.kind, span.name))
                    self._typed_years.add(day.year)

    def known_year(self, year: int) -> bool:
        """Whether the official arrangement of `year` is known (typed in 节假日, or in the package)."""
        return year in self._typed_years or package_knows(year)

    def is_workday(self, day: dt.date) -> bool:
        """A school working day: a typed row, else the package when it knows the year, else Monday to Friday."""
        typed = self._official.get(day)
        if typed is not None:
            return typed[0] == MAKEUP
        if package_knows(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def holiday_name(self, day: dt.date) -> str | None:
        """The name of the official holiday on `day` (国庆节), or None."""
        typed = self._official.get(day)
        if typed is not None:
            return typed[1] if typed[0] == LEGAL else None
        if not package_knows(day.year):
            return None
        on_holiday, holiday = chinese_calendar.get_holiday_detail(day)
        if not on_holiday or holiday is None:
            return None
        return _CHINESE.get(str(holiday), str(holiday))

    def is_makeup_workday(self, day: dt.date) -> bool:
        """A weekend day that is a working day by the official arrangement (调休上班)."""
        return day.weekday() >= 5 and self.is_workday(day)

    def vacation(self, day: dt.date) -> str | None:
        """The name of the school vacation (寒假, 暑假) `day` lies in, or None."""
        return self._vacation.get(day)

    def suggestable(self, day: dt.date) -> bool:
        """A day a date may be suggested on: a working day outside the school's vacations."""
        return day not in self._vacation and self.is_workday(day)


PACKAGE = Holidays()  # the package alone: for a master without 节假日 rows, and the demo's dates


def is_workday(day: dt.date) -> bool:
    """A working day by the package alone (the demo's dates; a branch uses `Branch.holidays`)."""
    return PACKAGE.is_workday(day)


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


def package_spans(year: int) -> list[Span]:
    """The package's arrangement of `year` as a branch would type it from the notice: one 法定节假日
    row per holiday (国庆节 2026-10-01 to 2026-10-07), one 调休上班 row per make-up day; [] for a year it
    does not know."""
    if not package_knows(year):
        return []
    spans: list[Span] = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        name = PACKAGE.holiday_name(day)
        if name and spans and spans[-1].kind == LEGAL and spans[-1].name == name and spans[-1].last == day - dt.timedelta(days=1):
            spans[-1] = Span(name, spans[-1].first, day, LEGAL)
        elif name:
            spans.append(Span(name, day, day, LEGAL))
        elif PACKAGE.is_makeup_workday(day):
            _, holiday = chinese_calendar.get_holiday_detail(day)
            spans.append(Span(_CHINESE.get(str(holiday), "节假日") + "调休上班", day, day, MAKEUP))
        day += dt.timedelta(days=1)
    return spans


def row_span(name: str | None, first: dt.date | None, last: dt.date | None, kind: str | None) -> Span | None:
    """The span of one 节假日 row, or None when it cannot be used (no start or kind, ends before it starts, too long)."""
    if first is None or kind not in layout.HOLIDAY_KINDS:
        return None
    last = last or first
    if last < first or (last - first).days + 1 > MAX_SPAN_DAYS:
        return None
    return Span(name or kind, first, last, kind)
