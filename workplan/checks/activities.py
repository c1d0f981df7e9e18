"""Checks on the activity plan: dates and months that can be placed in the year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from workbook import layout
from workbook.values import months_text

from .. import findings as F
from ..branch import Branch


def check_activity_dates(branch: Branch) -> Iterator[F.Finding]:
    """Each activity has a plan (months or a date) inside the year; a done one has its date."""
    table = branch.table(layout.ACTIVITIES)
    for record in table.records:
        months, planned = record["计划月份"], record["计划日期"]
        if record["状态"] == layout.DONE and record.blank("实际日期"):
            yield table.finding("done-without-date", record, "实际日期")
        if record.blank("计划月份") and record.blank("计划日期"):
            yield table.finding("no-plan", record, "计划月份")
        if months is not None:
            yield from _planned_months(branch, table, record, months, planned)


def _planned_months(branch: Branch, table, record, months, planned) -> Iterator[F.Finding]:
    """The months lie in the year (in the years staff named, if they named one); the 计划日期 in them.

    A 计划月份 that Excel stored as a date other than the 1st (typing 4-7 gives 4月7日) is read as
    its month, with a warning, since staff may have meant 4—7月.
    """
    settings = branch.settings
    first_day, last_day = branch.month_dates(*months)
    named = getattr(months, "year", None), getattr(months, "last_year", None)
    if (first_day < settings.year_start.replace(day=1) or last_day > settings.year_end or first_day > last_day
            or (named[0] and named[0] != first_day.year) or (named[1] and named[1] != last_day.year)):
        yield table.finding("months-outside-year", record, "计划月份", months_text(months),
                            start=settings.year_start, end=settings.year_end)
        return
    if getattr(months, "day", None) not in (None, 1):
        day = dt.date(months.year, months[0], months.day)
        yield table.finding("months-from-date", record, "计划月份", f"{day.month}月{day.day}日", months=months_text(months))
    if planned is not None and not first_day <= planned <= last_day:
        yield table.finding("plan-date-outside-months", record, "计划日期", planned, months=months_text(months))

