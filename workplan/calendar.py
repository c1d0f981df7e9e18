"""The activity calendar: every activity and regular meeting of the year, each on a day.

Pure: a validated `Branch` and `today` in, `CalendarItem`s out. An activity's day is its
实际日期, else its 计划日期, else a suggested day: a working day of its planned month(s)
outside the school's vacations (holidays, make-up days and vacations from the branch's
holiday source: 节假日 first, chinese-calendar second, weekends last), not a day the same organizer
already has something on, inside the year, and not in the past while the month is still
running. Suggestions are shown, never written into 活动计划. Regular meetings come from the
rules in 基本设置; a month in which staff already typed that meeting into 活动计划 keeps
only the typed one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from workbook import layout

from .branch import Branch
from .holidays import PACKAGE, Holidays
from .meetings import MEETINGS, Meeting, is_meeting, occurrences
from .records import Record
from .scoring import planned_deadline

ACTUAL, PLANNED, SUGGESTED, REGULAR = "实际", "计划", "建议", "例会"
DONE, PLANNED_STATE, CANCELLED, OVERDUE = layout.DONE, layout.PLANNED, layout.CANCELLED, "逾期"
SUGGEST_FROM_DAY = 10  # suggestions start around the 10th, away from the month's first days


@dataclass(frozen=True)
class CalendarItem:
    """One thing on the calendar."""

    uid: str  # stable across runs, so a phone updates the event instead of duplicating it
    code: str  # 活动编号, or empty for a regular meeting
    title: str
    kind: str  # 类别
    organizer: str
    day: dt.date | None
    source: str  # 实际, 计划, 建议, 例会
    status: str  # 已完成, 计划中, 已取消, 逾期
    months: tuple[int, int] | None = None
    place: str = ""
    note: str = ""


@dataclass
class Calendar:
    year_start: dt.date
    year_end: dt.date
    items: list[CalendarItem] = field(default_factory=list)
    unknown_years: tuple[int, ...] = ()  # years whose official holidays are not known
    holidays: Holidays = field(default=PACKAGE, repr=False, compare=False)  # the source the dates came from

    @property
    def activities(self) -> list[CalendarItem]:
        return [i for i in self.items if i.source != REGULAR]

    _by_day: dict[dt.date, list[CalendarItem]] = field(default_factory=dict, repr=False, compare=False)
    _indexed: int = field(default=-1, repr=False, compare=False)

    def on(self, day: dt.date) -> list[CalendarItem]:
        """The items of one day (an index built once: the month grids ask for every day of the year)."""
        if self._indexed != len(self.items):
            self._by_day = defaultdict(list)
            for item in self.items:
                self._by_day[item.day].append(item)
            self._indexed = len(self.items)
        return list(self._by_day.get(day, ()))


def branch_key(branch: Branch) -> str:
    """A short stable key of the branch, so two branches' events never share a UID."""
    return hashlib.sha1(branch.settings.branch.encode("utf-8")).hexdigest()[:10]


def build_calendar(branch: Branch, today: dt.date, bad_rows: set[int] = frozenset()) -> Calendar:
    """Every activity (skipping rows with errors) and regular meeting of the year, dated."""
    settings = branch.settings
    key = branch_key(branch)
    activities = [r for r in branch.records(layout.ACTIVITIES) if r.row not in bad_rows and r["活动编号"]]
    taken: dict[str, set[dt.date]] = defaultdict(set)
    for record in activities:
        day = record["实际日期"] or record["计划日期"]
        if day:
            taken[record["组织者"] or ""].add(day)
    regular = list(_regular_items(branch, key, activities))
    for item in regular:
        taken[item.organizer].add(item.day)
    items = [_activity_item(branch, key, record, today, taken) for record in activities]
    years = range(settings.year_start.year, settings.year_end.year + 1)
    unknown = tuple(year for year in years if not branch.holidays.known_year(year))
    return Calendar(settings.year_start, settings.year_end, sorted(items + regular, key=_order), unknown, branch.holidays)


def _order(item: CalendarItem) -> tuple:
    return (item.day or dt.date.max, item.source == REGULAR, item.code, item.title)


def _activity_item(branch: Branch, key: str, record: Record, today: dt.date, taken) -> CalendarItem:
    organizer = record["组织者"] or ""
    if record["实际日期"]:
        day, source = record["实际日期"], ACTUAL
    elif record["计划日期"]:
        day, source = record["计划日期"], PLANNED
    else:
        day, source = suggest_day(branch, record["计划月份"], today, taken[organizer]), SUGGESTED
        if day:
            taken[organizer].add(day)
    return CalendarItem(
        uid=f"{key}-activity-{record['活动编号']}@workbench",
        code=record["活动编号"],
        title=record["活动名称"] or record["活动编号"],
        kind=record["类别"] or "",
        organizer=organizer,
        day=day,
        source=source,
        status=activity_status(branch, record, today),
        months=record["计划月份"],
        place=record["地点"] or "",
        note=record["备注"] or "",
    )


def activity_status(branch: Branch, record: Record, today: dt.date) -> str:
    """已完成, 已取消, 逾期 (its planned month or date has passed) or 计划中."""
    state = record["状态"] or PLANNED_STATE
    if state in (DONE, CANCELLED):
        return state
    deadline = planned_deadline(branch, record)
    return OVERDUE if deadline is not None and deadline < today else PLANNED_STATE


def suggest_day(branch: Branch, months: tuple[int, int] | None, today: dt.date, busy: set[dt.date]) -> dt.date | None:
    """A working day outside the school's vacations in the planned month(s), free for the organizer, inside the year."""
    if months is None:
        return None
    settings = branch.settings
    first, last = branch.month_dates(*months)
    first, last = max(first, settings.year_start), min(last, settings.year_end)
    start = first.replace(day=min(SUGGEST_FROM_DAY, 28)) if first.day == 1 else first
    if start <= today <= last:
        start = today
    for day in _days(start, last):
        if branch.holidays.suggestable(day) and day not in busy:
            return day
    for day in _days(first, last):  # nothing free after the 10th (or today): any free working day
        if branch.holidays.suggestable(day) and day not in busy:
            return day
    return None


def _days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def _regular_items(branch: Branch, key: str, activities: list[Record]) -> Iterator[CalendarItem]:
    settings = branch.settings
    typed = _typed_meetings(branch, activities)
    for meeting in MEETINGS:
        rule = settings.meetings.get(meeting.name)
        if rule is None:
            continue
        organizers = list(branch.groups) if meeting.per_group else [layout.BRANCH_ORGANIZER]
        for day in occurrences(rule, settings.year_start, settings.year_end, branch.holidays):
            for organizer in organizers:
                if (meeting.name, organizer, day.year, day.month) in typed:
                    continue
                suffix = f"-{hashlib.sha1(organizer.encode('utf-8')).hexdigest()[:6]}" if meeting.per_group else ""
                yield CalendarItem(
                    uid=f"{key}-regular-{_ascii(meeting)}-{day:%Y-%m}{suffix}@workbench",
                    code="",
                    title=f"{meeting.name}（{organizer}）" if meeting.per_group else meeting.name,
                    kind=meeting.kind,
                    organizer=organizer,
                    day=day,
                    source=REGULAR,
                    status=PLANNED_STATE,
                )


def _ascii(meeting: Meeting) -> str:
    return {"支委会": "committee", "党小组会": "group", "支部党员大会": "assembly", "党课": "lecture", "主题党日": "partyday",
            "组织生活会": "orglife", "民主评议党员": "review"}[meeting.name]


def _typed_meetings(branch: Branch, activities: list[Record]) -> set[tuple[str, str, int, int]]:
    """(meeting, organizer, year, month) already typed into 活动计划."""
    typed = set()
    for record in activities:
        name, kind, organizer = record["活动名称"] or "", record["类别"], record["组织者"] or ""
        for meeting in MEETINGS:
            if not is_meeting(meeting, kind, name):
                continue
            for year, month in _record_months(branch, record):
                typed.add((meeting.name, organizer, year, month))
    return typed


def _record_months(branch: Branch, record: Record) -> list[tuple[int, int]]:
    day = record["实际日期"] or record["计划日期"]
    if day:
        return [(day.year, day.month)]
    if record["计划月份"]:
        first, last = branch.month_dates(*record["计划月份"])
        months = []
        while first <= last:
            months.append((first.year, first.month))
            first = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return months
    return []
