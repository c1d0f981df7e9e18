"""Regular meetings (三会一课, 主题党日): the rules in 基本设置 and the days they give.

A rule is written the way a secretary would say it:
  每月10日 · 每月第1个周一 · 每月最后一个周五 · 每季度最后一个周四 · 3、6、9、12月25日 · 不安排
"每季度" means the last month of each quarter (3, 6, 9, 12月). A day that is not a working
day (a weekend or an official holiday, from the branch's holiday source) moves to the next working day of the month, or
the one before when the month has none left.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from workbook.values import fold

from .holidays import PACKAGE, Holidays

WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
NUMBERS = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}
_PERIOD = re.compile(r"^(每月|每季度|(?:\d{1,2}[、,，/])*\d{1,2}月)")
_DAY = re.compile(r"^(\d{1,2})[日号]$")
_NTH = re.compile(r"^第([1-4一二三四])个?(?:周|星期)([一二三四五六日天])$")
_LAST = re.compile(r"^最后一个?(?:周|星期)([一二三四五六日天])$")
NONE_WORDS = ("不安排", "无", "不开", "-", "—")


MONTHLY, QUARTERLY, YEARLY = "每月", "每季度", "每年"


@dataclass(frozen=True)
class Meeting:
    """One kind of regular meeting: its name, who holds it, the 活动计划 words that mean it, how often it is due."""

    name: str
    kind: str  # 类别 in 活动计划
    per_group: bool
    keywords: tuple[str, ...]  # words in 活动名称 that mean this meeting; empty: the 类别 alone
    default: str
    period: str = MONTHLY  # how often 组织生活落实 asks for it: each month, each quarter, once a year
    other_kinds: tuple[str, ...] = ()  # further 类别 under which staff type it


MEETINGS: tuple[Meeting, ...] = (
    Meeting("支委会", "三会一课", False, ("支委会",), "每月第1个周一"),
    Meeting("党小组会", "三会一课", True, ("党小组会", "小组会"), "每月第2个周三"),
    Meeting("支部党员大会", "三会一课", False, ("党员大会",), "每季度最后一个周四", QUARTERLY),
    Meeting("党课", "三会一课", False, ("党课",), "每季度最后一个周五", QUARTERLY),
    Meeting("主题党日", "主题党日", False, (), "每月10日"),  # any 主题党日 activity of the month
    Meeting("组织生活会", "三会一课", False, ("组织生活会",), "12月最后一个周四", YEARLY, ("其他",)),
    Meeting("民主评议党员", "三会一课", False, ("民主评议",), "12月最后一个周五", YEARLY, ("其他",)),
)


def is_meeting(meeting: Meeting, kind: str | None, name: str) -> bool:
    """Whether an 活动计划 row of this 类别 and 活动名称 is this meeting (one row may be two: 组织生活会暨民主评议党员)."""
    if kind != meeting.kind and kind not in meeting.other_kinds:
        return False
    return not meeting.keywords or any(word in name for word in meeting.keywords)


MEETING_HINT = "请写成“每月10日”“每月第1个周一”“每季度最后一个周四”“3、6、9、12月25日”，或填“不安排”"


@dataclass(frozen=True)
class MeetingRule:
    months: tuple[int, ...]
    day: int | None = None  # day of the month
    nth: int | None = None  # 1..4, or -1 for the last
    weekday: int | None = None  # 0 = Monday


def parse_rule(text: object) -> MeetingRule | None:
    """A rule from its Chinese wording; None for 不安排 or blank; ValueError when unreadable."""
    folded = fold(text).replace(" ", "") if text is not None else ""
    if not folded or folded in NONE_WORDS:
        return None
    period = _PERIOD.match(folded)
    if not period:
        raise ValueError(text)
    months = _months(period.group(1))
    rest = folded[period.end():].lstrip("的")
    if match := _DAY.match(rest):
        day = int(match.group(1))
        if not 1 <= day <= 31:
            raise ValueError(text)
        return MeetingRule(months, day=day)
    if match := _NTH.match(rest):
        return MeetingRule(months, nth=NUMBERS[match.group(1)], weekday=WEEKDAYS[match.group(2)])
    if match := _LAST.match(rest):
        return MeetingRule(months, nth=-1, weekday=WEEKDAYS[match.group(1)])
    raise ValueError(text)


def _months(period: str) -> tuple[int, ...]:
    if period == "每月":
        return tuple(range(1, 13))
    if period == "每季度":
        return (3, 6, 9, 12)
    months = tuple(int(m) for m in re.findall(r"\d{1,2}", period))
    if not all(1 <= m <= 12 for m in months):
        raise ValueError(period)
    return months


def day_in_month(rule: MeetingRule, year: int, month: int, holidays: Holidays = PACKAGE) -> dt.date:
    """The rule's day in one month, moved to a working day."""
    last = calendar.monthrange(year, month)[1]
    if rule.day is not None:
        day = dt.date(year, month, min(rule.day, last))
    else:
        days = [dt.date(year, month, d) for d in range(1, last + 1) if dt.date(year, month, d).weekday() == rule.weekday]
        day = days[-1] if rule.nth == -1 else days[min(rule.nth, len(days)) - 1]
    return to_workday(day, holidays)


def to_workday(day: dt.date, holidays: Holidays = PACKAGE) -> dt.date:
    """The day itself if a working day, else the next working day in its month, else the one before."""
    candidate = day
    while candidate.month == day.month and not holidays.is_workday(candidate):
        candidate += dt.timedelta(days=1)
    if candidate.month == day.month:
        return candidate
    candidate = day
    while not holidays.is_workday(candidate) and candidate.day > 1:
        candidate -= dt.timedelta(days=1)
    return candidate


def occurrences(rule: MeetingRule, start: dt.date, end: dt.date, holidays: Holidays = PACKAGE) -> list[dt.date]:
    """Every day the rule gives between start and end (inclusive)."""
    days = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        if month in rule.months:
            day = day_in_month(rule, year, month, holidays)
            if start <= day <= end:
                days.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days
