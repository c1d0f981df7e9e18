"""Checks on the activity plan: dates and months that can be placed in the year."""

from __future__ import annotations

from collections.abc import Iterator

from workbook import layout
from workbook.values import months_text

from .. import findings as F
from ..branch import Branch


def check_activity_dates(branch: Branch) -> Iterator[F.Finding]:
    """Each activity has a plan (months or a date) inside the year; a done one has its date."""
    table = branch.table(layout.ACTIVITIES)
    settings = branch.settings
    for record in table.records:
        months, planned = record["计划月份"], record["计划日期"]
        if record["状态"] == layout.DONE and record.blank("实际日期"):
            yield table.finding("done-without-date", record, "实际日期")
        if record.blank("计划月份") and record.blank("计划日期"):
            yield table.finding("no-plan", record, "计划月份")
        if months is not None:
            first_day, last_day = branch.month_dates(*months)
            if first_day < settings.year_start.replace(day=1) or last_day > settings.year_end or first_day > last_day:
                yield table.finding(
                    "months-outside-year", record, "计划月份", months_text(months),
                    start=settings.year_start, end=settings.year_end,
                )
            elif planned is not None and not first_day <= planned <= last_day:
                yield table.finding("plan-date-outside-months", record, "计划日期", planned, months=months_text(months))

