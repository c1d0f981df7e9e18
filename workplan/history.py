"""积分历史: one block of group scores per ISO week in which a refresh ran.

Pure: the rows already in the sheet (as read back), this week's label, the cut-off and
the group scores in; the new rows out. A second refresh in the same week replaces that
week's block; earlier weeks stay as they were.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from workbook import values

WEEK = re.compile(r"^\d{4}-W\d{2}$")


@dataclass(frozen=True)
class HistoryRow:
    week: str  # ISO week, 2026-W48
    cutoff: dt.date
    group: str
    total: float
    rank: int


def week_label(day: dt.date) -> str:
    """The ISO week of a day: 2026-W48."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_title(week: str) -> str:
    """An ISO week as a person reads it: 2026-W48 -> 第48周（11月23日—29日）; other text as it is."""
    if not WEEK.match(week):
        return week
    year, number = int(week[:4]), int(week[-2:])
    try:
        monday = dt.date.fromisocalendar(year, number, 1)
    except ValueError:
        return week
    sunday = monday + dt.timedelta(days=6)
    end = f"{sunday.day}日" if sunday.month == monday.month else f"{sunday.month}月{sunday.day}日"
    return f"第{number}周（{monday.month}月{monday.day}日—{end}）"


def parse_history(rows: Sequence[Sequence]) -> list[HistoryRow]:
    """History rows from the sheet's table (below its header row); rows that do not read are skipped."""
    parsed = []
    for cells in rows:
        cells = list(cells) + [None] * 5
        week = values.text(cells[0]) or ""
        try:
            cutoff, total, rank = values.to_date(cells[1]), values.to_number(cells[3]), values.to_int(cells[4])
        except ValueError:
            continue
        group = values.text(cells[2])
        if WEEK.match(week) and cutoff and group and total is not None and rank is not None:
            parsed.append(HistoryRow(week, cutoff, group, total, rank))
    return parsed


def update_history(old: Sequence[HistoryRow], week: str, cutoff: dt.date, groups: Sequence) -> list[HistoryRow]:
    """`old` without `week`'s block, plus this week's block; weeks in order, groups by rank."""
    kept = [row for row in old if row.week != week]
    block = [HistoryRow(week, cutoff, g.group, g.total, g.rank) for g in sorted(groups, key=lambda g: (g.rank, g.group))]
    return sorted(kept + block, key=lambda row: row.week)


def pivot(rows: Sequence[HistoryRow]) -> tuple[list[str], list[str], list[list[float | None]]]:
    """Weeks down, groups across, totals in the cells (None where a group has no row that week)."""
    weeks = sorted({row.week for row in rows})
    groups = list(dict.fromkeys(row.group for row in rows))
    cell = {(row.week, row.group): row.total for row in rows}
    return weeks, groups, [[cell.get((week, group)) for group in groups] for week in weeks]
