"""The typed content of a master workbook, with the look-ups every check and score needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from workbook import layout

from .holidays import Holidays, row_span
from .records import Record, Table
from .settings import Settings


@dataclass
class Branch:
    """Settings and typed input tables of one branch's workbook."""

    settings: Settings
    tables: dict[str, Table] = field(default_factory=dict)
    memo: dict = field(default_factory=dict, repr=False, compare=False)  # figures computed once (`counting.counted`)

    def table(self, name: str) -> Table:
        return self.tables[name]

    def records(self, name: str) -> list[Record]:
        return self.tables[name].records

    def _first_by(self, sheet: str, column: str) -> dict[str, Record]:
        """Records of a sheet by the value of one column; the first row of a duplicated value wins."""
        found: dict[str, Record] = {}
        for record in self.records(sheet):
            if record[column] is not None:
                found.setdefault(record[column], record)
        return found

    @cached_property
    def members(self) -> dict[str, Record]:
        """Roster records by 党员编号."""
        return self._first_by(layout.MEMBERS, "党员编号")

    @cached_property
    def groups(self) -> dict[str, Record]:
        return self._first_by(layout.GROUPS, "小组名称")

    @cached_property
    def activities(self) -> dict[str, Record]:
        return self._first_by(layout.ACTIVITIES, "活动编号")

    @cached_property
    def holidays(self) -> Holidays:
        """The holiday source of this branch: its 节假日 rows first, then the package, then weekends."""
        spans = (row_span(r["名称"], r["开始日期"], r["结束日期"], r["类型"]) for r in self.records(layout.HOLIDAYS))
        return Holidays(span for span in spans if span is not None)

    def member_label(self, member_id: str) -> str:
        """'D001 张三' for messages; the 编号 alone when the roster does not know it."""
        record = self.members.get(member_id)
        name = record["姓名"] if record else None
        return f"{member_id} {name}" if name else member_id

    def month_dates(self, first: int, last: int) -> tuple[dt.date, dt.date]:
        """The first day of month `first` and the last day of month `last`, inside the year."""
        start = self.settings.year_start
        year_of = lambda month: start.year if month >= start.month else start.year + 1  # noqa: E731
        first_day = dt.date(year_of(first), first, 1)
        last_year = year_of(last)
        next_month = dt.date(last_year + (last == 12), last % 12 + 1, 1)
        return first_day, next_month - dt.timedelta(days=1)
