"""Checks on the development pipeline (发展党员) against the rule-book's intervals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from workbook import layout

from .. import findings as F
from ..branch import Branch
from .promises import _stage_order

MIN_AGE = 18


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year.

    Past the last year a date can hold, the last day there is (dates are checked to lie in
    1900-2100 before any check runs; this keeps the rule total).
    """
    if not dt.MINYEAR <= day.year + years <= dt.MAXYEAR:
        return dt.date.max if years > 0 else dt.date.min
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_development(branch: Branch) -> Iterator[F.Finding]:
    """Stages in order; a year of training before 发展对象; a year of probation; 18 at application."""
    table = branch.table(layout.DEVELOPMENT)
    for record in table.records:
        yield from _stage_order(table, record, layout.DEVELOPMENT_STAGES, "dev-stage-missing", "dev-stage-order")
        yield from _year_between(table, record, "确定积极分子日期", "确定发展对象日期", "dev-training-year")
        yield from _year_between(table, record, "接收预备党员日期", "转正日期", "dev-probation-year")
        birth, applied = record["出生日期"], record["申请入党日期"]
        if birth and applied and applied < add_years(birth, MIN_AGE):
            yield table.finding("dev-too-young", record, "申请入党日期", applied, birth=birth)


def _year_between(table, record, earlier: str, later: str, code: str) -> Iterator[F.Finding]:
    first, second = record[earlier], record[later]
    if first and second and first <= second < add_years(first, 1):
        yield table.finding(code, record, later, second, previous_value=first)
