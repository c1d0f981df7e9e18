"""三会一课 kept (组织生活落实): which required meetings were held, missed, or are not yet due.

Pure: the validated branch, the rows that count and the cut-off in, `OrgLife` out. The
rules are 基本设置's meeting rows (`workplan.meetings.MEETINGS`): a monthly meeting (支委会,
each group's 党小组会, 主题党日) is asked in each month its rule names, a quarterly one (支部
党员大会, 党课) in each quarter holding a month its rule names, a yearly one (组织生活会,
民主评议党员) once in the year; a rule `不安排` asks nothing. A period is due when its last
day lies on or before the cut-off (积分截止日期, else today).

A meeting is held in a period when an 活动计划 row that counts (no error leaving it out) is
the meeting (`meetings.is_meeting`: its 类别 and a word of its name), is organized by the
支部 (by the group for a 党小组会), is 已完成 and has its 实际日期 in the period, on or
before the cut-off. The first such row (by date) is the one shown and linked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from workbook import layout

from .branch import Branch
from .meetings import MEETINGS, MONTHLY, QUARTERLY, YEARLY, Meeting, is_meeting
from .records import Record

HELD, MISSED, NOT_DUE, NOT_ASKED = "已召开", "未召开", "未到期", "不要求"


@dataclass(frozen=True)
class Period:
    """A month, a quarter or the year, as far as it lies inside the work year."""

    kind: str  # MONTHLY, QUARTERLY, YEARLY
    label: str  # 2026年5月, 2026年第3季度, 全年
    first: dt.date
    last: dt.date
    months: tuple[tuple[int, int], ...]  # (year, month) it covers


@dataclass(frozen=True)
class Cell:
    period: Period
    state: str  # HELD, MISSED, NOT_DUE, NOT_ASKED
    day: dt.date | None = None
    code: str = ""
    row: int | None = None  # the 活动计划 row held, for the link


@dataclass(frozen=True)
class Requirement:
    """One required meeting of one organizer: its cells, one per period of its kind."""

    meeting: Meeting
    organizer: str
    cells: tuple[Cell, ...]

    @property
    def title(self) -> str:
        return f"{self.meeting.name}（{self.organizer}）" if self.meeting.per_group else self.meeting.name

    @property
    def held(self) -> int:
        return sum(c.state == HELD for c in self.cells)

    @property
    def missed(self) -> int:
        return sum(c.state == MISSED for c in self.cells)

    @property
    def required(self) -> int:
        """Periods asked for that are due, or held already: what 已开/应开 divides by."""
        return self.held + self.missed

    def cell(self, label: str) -> Cell | None:
        return next((c for c in self.cells if c.period.label == label), None)


@dataclass
class OrgLife:
    cutoff: dt.date
    months: list[Period] = field(default_factory=list)
    quarters: list[Period] = field(default_factory=list)
    year: Period | None = None
    requirements: list[Requirement] = field(default_factory=list)

    @property
    def held(self) -> int:
        return sum(r.held for r in self.requirements)

    @property
    def required(self) -> int:
        return sum(r.required for r in self.requirements)

    def missed_cells(self) -> list[tuple[Requirement, Cell]]:
        return [(r, c) for r in self.requirements for c in r.cells if c.state == MISSED]


def org_life(branch: Branch, activities: list[Record], cutoff: dt.date) -> OrgLife:
    """Every required meeting of the year and, per period, whether it was held (`activities`: the rows that count)."""
    settings = branch.settings
    months = _months(settings.year_start, settings.year_end)
    result = OrgLife(cutoff, months, _quarters(months), _year(settings.year_start, settings.year_end, months))
    periods = {MONTHLY: result.months, QUARTERLY: result.quarters, YEARLY: [result.year]}
    for meeting in MEETINGS:
        rule = settings.meetings.get(meeting.name)
        if rule is None:
            continue
        organizers = list(branch.groups) if meeting.per_group else [layout.BRANCH_ORGANIZER]
        for organizer in organizers:
            rows = _held_rows(meeting, organizer, activities, settings.year_start, cutoff)
            cells = tuple(_cell(period, rule.months, rows, cutoff) for period in periods[meeting.period])
            result.requirements.append(Requirement(meeting, organizer, cells))
    return result


def _held_rows(meeting: Meeting, organizer: str, activities: list[Record], start: dt.date, cutoff: dt.date) -> list[Record]:
    rows = [r for r in activities
            if r["状态"] == layout.DONE and r["实际日期"] and start <= r["实际日期"] <= cutoff
            and (r["组织者"] or "") == organizer and is_meeting(meeting, r["类别"], r["活动名称"] or "")]
    return sorted(rows, key=lambda r: (r["实际日期"], r.row))


def _cell(period: Period, rule_months: tuple[int, ...], rows: list[Record], cutoff: dt.date) -> Cell:
    held = next((r for r in rows if period.first <= r["实际日期"] <= period.last), None)
    if held is not None:
        return Cell(period, HELD, held["实际日期"], held["活动编号"] or "", held.row)
    if not any(month in rule_months for _, month in period.months):
        return Cell(period, NOT_ASKED)
    return Cell(period, MISSED if period.last <= cutoff else NOT_DUE)


def _months(start: dt.date, end: dt.date) -> list[Period]:
    """Each month the year touches (at most 13), clipped to the year."""
    periods, first = [], start.replace(day=1)
    while first <= end and len(periods) < 13:
        following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        periods.append(Period(MONTHLY, f"{first.year}年{first.month}月", max(first, start),
                              min(following - dt.timedelta(days=1), end), ((first.year, first.month),)))
        first = following
    return periods


def _quarters(months: list[Period]) -> list[Period]:
    """Calendar quarters (1-3月 …), as far as the year's months reach."""
    grouped: dict[tuple[int, int], list[Period]] = {}
    for month in months:
        year, number = month.months[0]
        grouped.setdefault((year, (number - 1) // 3 + 1), []).append(month)
    return [Period(QUARTERLY, f"{year}年第{quarter}季度", parts[0].first, parts[-1].last,
                   tuple(p.months[0] for p in parts)) for (year, quarter), parts in grouped.items()]


def _year(start: dt.date, end: dt.date, months: list[Period]) -> Period:
    return Period(YEARLY, "全年", start, end, tuple(p.months[0] for p in months))


def period_text(period: Period) -> str:
    """2026年5月, 2026年第3季度, 2026年度 (a school year: 2026—2027年度)."""
    if period.kind != YEARLY:
        return period.label
    first, last = period.first.year, period.last.year
    return f"{first}年度" if first == last else f"{first}—{last}年度"
