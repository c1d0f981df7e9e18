"""The 基本设置 sheet: branch name, the year, the cut-off date, the weekly refresh time.

The sheet is a list of 项目 | 值 pairs. `read_settings` returns the parsed settings and
the findings about missing or unreadable values; a setting that cannot be read falls
back to a sensible default so the rest of the work can still run.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from workbook import layout, values
from workbook.raw import CellError, NoCachedValue, RawSheet

from . import findings as F
from .meetings import MEETING_HINT, MeetingRule, parse_rule

WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_REFRESH = re.compile(r"^(?:周|星期|礼拜)([一二三四五六日天])\s*(\d{1,2})(?:[:：点时](\d{2})?)?分?$")
DEFAULT_KEEP = 20
CUTOFF_KEY = "积分截止日期"
DEFAULT_MASS_RATERS = 20
MAX_KEEP = 1000
MAX_MASS_RATERS = 999  # as many copies as `forms.MAX_RATERS`
MAX_YEAR_DAYS, MIN_YEAR_DAYS = 400, 300  # a year is about 365 days; a school year Sep-Aug too


@dataclass(frozen=True)
class RefreshTime:
    """A weekly moment: weekday (0 = Monday) and time of day."""

    weekday: int
    hour: int
    minute: int

    def __str__(self) -> str:
        return f"{WEEKDAY_NAMES[self.weekday]} {self.hour:02d}:{self.minute:02d}"


@dataclass(frozen=True)
class Settings:
    branch: str
    year_start: dt.date
    year_end: dt.date
    cutoff: dt.date | None
    refresh: RefreshTime
    keep_backups: int
    rows: dict[str, int]  # 项目 -> Excel row, for locating findings
    meetings: dict[str, MeetingRule | None] = field(default_factory=dict)
    mass_raters: int = DEFAULT_MASS_RATERS  # copies of the 群众评议 form the button hands out  # 支委会 -> rule (None: not held)

    def cutoff_for(self, today: dt.date) -> dt.date:
        """The date scores are counted up to: 积分截止日期, else today."""
        return self.cutoff or today

    def in_year(self, day: dt.date | None) -> bool:
        return day is not None and self.year_start <= day <= self.year_end


def parse_refresh(text: str) -> RefreshTime:
    """'周一 07:00', '星期三 18:30', '周五 7点' -> RefreshTime; ValueError otherwise."""
    match = _REFRESH.match(values.fold(text).replace(" ", ""))
    if not match:
        raise ValueError(text)
    hour, minute = int(match.group(2)), int(match.group(3) or 0)
    if hour > 23 or minute > 59:
        raise ValueError(text)
    return RefreshTime(WEEKDAYS[match.group(1)], hour, minute)


def settings_pairs(raw: RawSheet | None) -> dict[str, tuple[int, object]]:
    """项目 -> (Excel row, raw value) from the 基本设置 sheet."""
    pairs: dict[str, tuple[int, object]] = {}
    if raw is None:
        return pairs
    key_col, value_col = raw.column_of("项目"), raw.column_of("值")
    if key_col is None or value_col is None:
        return pairs
    for row, cells in raw.rows:
        key = values.choice(cells[key_col] if key_col < len(cells) else None)
        if key and key not in pairs:
            pairs[key] = (row, cells[value_col] if value_col < len(cells) else None)
    return pairs


def read_settings(raw: RawSheet | None, today: dt.date, date1904: bool = False) -> tuple[Settings, list[F.Finding]]:
    """The settings and the findings about them; unreadable values fall back to defaults.

    Dates must lie in 1900-2100 and the year must span about one year (more than
    MAX_YEAR_DAYS is an error and the year is taken as one year from its start, fewer than
    MIN_YEAR_DAYS a warning), so that nothing computed from them runs over more than a year.
    A value that is an Excel error (#REF!) or a formula without its result is a finding on
    its cell, never read as "left empty": an unusable 积分截止日期 says the scores run to today.
    `date1904`: a serial number typed in a date counts from 1904-01-01.
    """
    pairs = settings_pairs(raw)
    found: list[F.Finding] = []
    reader = _Reader(pairs, found, raw is not None, today)
    to_day = values.to_day_1904 if date1904 else values.to_day
    start = reader.get("年度开始日期", to_day, dt.date(today.year, 1, 1), "请填写日期，如 2026-01-01", True)
    end = reader.get("年度结束日期", to_day, dt.date(start.year, 12, 31), "请填写日期，如 2026-12-31", True)
    if end < start:
        found.append(F.make("year-order", layout.SETTINGS, row=pairs["年度结束日期"][0], column="值", col_index=1, value=end,
                            previous_value=start))
    end = _year_end(start, end, pairs, found)
    cutoff = reader.get(CUTOFF_KEY, to_day, None, "请填写日期，如 2026-06-30，或留空表示今天", False)
    _check_cutoff(cutoff, start, end, pairs, found)
    settings = Settings(
        branch=_one_line(reader.get("支部名称", values.text, "党支部", "请填写支部全称", True), pairs, found),
        year_start=start,
        year_end=end,
        cutoff=cutoff,
        refresh=reader.get("每周刷新时间", parse_refresh, RefreshTime(0, 7, 0), "请写成“周一 07:00”的形式", False),
        keep_backups=reader.get("备份保留份数", _count(MAX_KEEP), DEFAULT_KEEP, f"请填写 1 至 {MAX_KEEP} 的整数，如 20", False),
        rows={key: row for key, (row, _) in pairs.items()},
        mass_raters=reader.get("群众评议份数", _count(MAX_MASS_RATERS), DEFAULT_MASS_RATERS,
                               f"请填写 1 至 {MAX_MASS_RATERS} 的整数，如 20", False),
        meetings={key: reader.get(key, parse_rule, parse_rule(rule), MEETING_HINT, False, blank=None)
                  for key, rule, _ in layout.MEETING_KEYS},
    )
    return settings, found


def _year_end(start: dt.date, end: dt.date, pairs: dict, found: list[F.Finding]) -> dt.date:
    """The year's last day: `end`, or one year from `start` when the span is far longer than a year."""
    days = (end - start).days + 1
    row = pairs.get("年度结束日期", (None,))[0]
    if days > MAX_YEAR_DAYS:
        fallback = _one_year_from(start)
        found.append(F.make("year-span", layout.SETTINGS, row=row, column="值", col_index=1, value=end,
                            start=start, end=end, days=days, fallback=fallback))
        return fallback
    if 0 < days < MIN_YEAR_DAYS:
        found.append(F.make("year-short", layout.SETTINGS, row=row, column="值", col_index=1, value=end,
                            start=start, end=end, days=days))
    return end


def _one_year_from(start: dt.date) -> dt.date:
    """The day before the same date a year later (2026-01-01 -> 2026-12-31; 2024-02-29 -> 2025-02-28)."""
    try:
        return start.replace(year=start.year + 1) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


def _check_cutoff(cutoff: dt.date | None, start: dt.date, end: dt.date, pairs: dict, found: list[F.Finding]) -> None:
    """A 积分截止日期 outside the year is said: scores count only inside the year."""
    if cutoff is None or start <= cutoff <= end or end < start:
        return
    used = f"统计到年度结束日期 {end}" if cutoff > end else "没有可统计的记录（截止日期早于年度开始日期）"
    found.append(F.make("cutoff-outside-year", layout.SETTINGS, row=pairs["积分截止日期"][0], column="值", col_index=1,
                        value=cutoff, start=start, end=end, used=used))


def _one_line(name: str, pairs: dict, found: list[F.Finding]) -> str:
    """支部名称 on one line: a line break (Alt+Enter) is folded to a space, with a warning."""
    if "\n" not in name and "\r" not in name:
        return name
    folded = " ".join(name.split())
    found.append(F.make("setting-newline", layout.SETTINGS, row=pairs["支部名称"][0], column="值", col_index=1,
                        value=folded, key="支部名称"))
    return folded


def _count(most: int):
    """A parser of a whole number from 1 to `most` (ValueError otherwise)."""
    def parse(value) -> int | None:
        number = values.to_int(value)
        if number is not None and not 1 <= number <= most:
            raise ValueError(value)
        return number

    return parse


class _Reader:
    """Reads one setting at a time, recording a finding and using the default when needed."""

    def __init__(self, pairs: dict[str, tuple[int, object]], found: list[F.Finding], sheet_present: bool, today: dt.date):
        self.pairs, self.found, self.sheet_present, self.today = pairs, found, sheet_present, today

    def get(self, key: str, parse, default, hint: str, required: bool, blank="default"):
        """The parsed value; `default` when the row is missing or unreadable, `blank` when left empty."""
        if key not in self.pairs:
            if required and self.sheet_present:
                self.found.append(F.make("setting-missing", layout.SETTINGS, column="项目", col_index=0, value=key, hint=hint))
            return default
        row, raw = self.pairs[key]
        if isinstance(raw, (CellError, NoCachedValue)):
            code = "setting-cell-error" if isinstance(raw, CellError) else "setting-no-value"
            fallback = f"本次按今天（{self.today.isoformat()}）统计" if key == CUTOFF_KEY else "本次按默认值处理"
            self.found.append(F.make(code, layout.SETTINGS, row=row, column="值", col_index=1, value=raw, key=key, hint=hint,
                                     fallback=fallback))
            return default
        try:
            value = parse(raw)
        except values.OutOfRange:
            self.found.append(F.make("setting-out-of-range", layout.SETTINGS, row=row, column="值", col_index=1,
                                     value=values.display(raw), key=key, hint=hint))
            return default
        except (ValueError, KeyError):
            self.found.append(F.make("setting-bad", layout.SETTINGS, row=row, column="值", col_index=1, value=values.display(raw),
                                     key=key, hint=hint))
            return default
        if value is None and required:
            self.found.append(F.make("setting-blank", layout.SETTINGS, row=row, column="值", col_index=1, key=key, hint=hint))
            return default
        if value is None:
            return default if blank == "default" else blank
        return value

