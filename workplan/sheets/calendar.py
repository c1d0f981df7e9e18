"""The 活动日历 sheet: a year overview (activities down, months across) and month grids.

Overview: one row per activity, its planned month or range filled and coloured by state
(done, planned, overdue, cancelled), with the day number where it has a date; one row per
kind of regular meeting. Month grids: Monday to Sunday, each day listing what falls on
it; weekends and official holidays shaded and named, make-up working days marked, the
school's vacations (学校假期 in 节假日) shaded with their name. Each
month starts a new printed page (A4 landscape).
"""

from __future__ import annotations

import calendar as cal
import datetime as dt
from collections import defaultdict

from workbook import layout
from workbook.sheetmodel import BANNER, PrintSetup, SheetModel, Style

from ..calendar import CANCELLED, DONE, OVERDUE, REGULAR, SUGGESTED, Calendar, CalendarItem
from ..holidays import Holidays
from .common import BANNER_STYLE, HEADER_STYLE, TITLE_STYLE

GRID_WIDTH = 12.5  # columns A..G: wide enough for a month grid's day cells
MONTH_WIDTH = 4.6  # columns H..S: the overview's months
PRINT_SCALE = 66  # the overview's 19 columns across one landscape A4 page
OVERVIEW_HEADERS = ("活动编号", "活动名称", "", "组织者", "状态", "日期", "日期来源")
FIRST_MONTH_COL = 7
STATE_FILLS = {DONE: "#C6EFCE", layout.PLANNED: "#BDD7EE", OVERDUE: "#FFC7CE", CANCELLED: "#D9D9D9"}
STATE_COLORS = {DONE: "#006100", layout.PLANNED: "#1F4E79", OVERDUE: "#9C0006", CANCELLED: "#595959"}
WEEKEND_FILL, HOLIDAY_FILL, MAKEUP_FILL, VACATION_FILL = "#F2F2F2", "#FCE4D6", "#E2EFDA", "#FFF2CC"
WEEKDAY_NAMES = ("一", "二", "三", "四", "五", "六", "日")
DAY_STYLE = Style(border=True, wrap=True, valign="top", size=9)
SMALL = Style(border=True, valign="vcenter", size=9)
SMALL_CENTER = Style(border=True, align="center", valign="vcenter", size=9)
OVERVIEW_ROW_HEIGHT = 12.5


def calendar_sheet(calendar: Calendar, branch_name: str, today: dt.date) -> SheetModel:
    """活动日历: the overview first, then one grid per month of the year."""
    model = SheetModel(layout.CALENDAR_SHEET)
    model.merge(0, 0, 0, FIRST_MONTH_COL + 11, BANNER, BANNER_STYLE)
    model.merge(1, 0, 1, FIRST_MONTH_COL + 11, f"{branch_name} 活动日历（{today.isoformat()} 刷新）", TITLE_STYLE)
    for col in range(FIRST_MONTH_COL):
        model.col_widths[col] = GRID_WIDTH
    for col in range(FIRST_MONTH_COL, FIRST_MONTH_COL + 12):
        model.col_widths[col] = MONTH_WIDTH
    row = _overview(model, calendar, 2)
    breaks = []
    for year, month in _months(calendar):
        breaks.append(row + 1)
        row = _month_grid(model, calendar, year, month, row + 1)
    model.freeze = None
    model.print_setup = PrintSetup(landscape=True, fit_width=False, page_breaks=tuple(breaks), scale=PRINT_SCALE,
                                   header="&C活动日历")
    return model


MAX_MONTHS = 13  # a year that does not start on the 1st touches 13 months; settings keep the year to about one


def _months(calendar: Calendar) -> list[tuple[int, int]]:
    """(year, month) of each month the year touches, never more than MAX_MONTHS."""
    months, day = [], calendar.year_start.replace(day=1)
    while day <= calendar.year_end and len(months) < MAX_MONTHS:
        months.append((day.year, day.month))
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def _overview(model: SheetModel, calendar: Calendar, row: int) -> int:
    """The legend, then the year at a glance; returns the last row used."""
    legend = "图例：颜色表示状态；格中数字为日期，●表示只定了月份；日期来源“建议”为程序建议的日期；月历中浅黄色为学校假期"
    model.merge(row, 0, row, FIRST_MONTH_COL - 1, legend, Style(italic=True, size=9))
    for offset, (state, fill) in enumerate(STATE_FILLS.items()):
        style = Style(fill=fill, color=STATE_COLORS[state], align="center", size=9, border=True)
        model.merge(row, FIRST_MONTH_COL + offset * 3, row, FIRST_MONTH_COL + offset * 3 + 1, state, style)
    row += 1
    model.put_row(row, list(OVERVIEW_HEADERS), HEADER_STYLE)
    model.merges.append((row, 1, row, 2))
    months = _months(calendar)[:12]
    for offset, (_, month) in enumerate(months):
        model.put(row, FIRST_MONTH_COL + offset, f"{month}月", HEADER_STYLE)
    for item in calendar.activities:
        row += 1
        _overview_row(model, row, item, months)
        model.row_heights[row] = OVERVIEW_ROW_HEIGHT
    for title, items in _regular_rows(calendar):
        row += 1
        _regular_row(model, row, title, items, months)
        model.row_heights[row] = OVERVIEW_ROW_HEIGHT
    return row


def _overview_row(model: SheetModel, row: int, item: CalendarItem, months: list[tuple[int, int]]) -> None:
    state_style = Style(border=True, align="center", fill=STATE_FILLS[item.status], color=STATE_COLORS[item.status], size=9)
    model.put(row, 0, item.code, SMALL_CENTER)
    model.merge(row, 1, row, 2, item.title, SMALL)
    model.put(row, 3, item.organizer, SMALL)
    model.put(row, 4, item.status, state_style)
    model.put(row, 5, item.day.isoformat() if item.day else "", SMALL_CENTER)
    model.put(row, 6, item.source if item.day else "", SMALL_CENTER)
    for offset, (year, month) in enumerate(months):
        covered = item.months and item.months[0] <= month <= item.months[1]
        on_day = item.day and (item.day.year, item.day.month) == (year, month)
        if covered or on_day:
            text = f"{item.day.day}日" if on_day else "●"
            model.put(row, FIRST_MONTH_COL + offset, text, state_style)
        else:
            model.put(row, FIRST_MONTH_COL + offset, None, SMALL_CENTER)


def _regular_rows(calendar: Calendar) -> list[tuple[str, list[CalendarItem]]]:
    rows: dict[str, list[CalendarItem]] = defaultdict(list)
    for item in calendar.items:
        if item.source == REGULAR:
            rows[item.title.split("（")[0]].append(item)
    return list(rows.items())


def _regular_row(model: SheetModel, row: int, title: str, items: list[CalendarItem], months) -> None:
    style = Style(border=True, align="center", fill="#EDEDED", color="#404040", size=9)
    model.put(row, 0, "例会", SMALL_CENTER)
    model.merge(row, 1, row, 2, title, SMALL)
    model.put(row, 3, items[0].organizer if len({i.organizer for i in items}) == 1 else "各党小组", SMALL)
    model.put(row, 4, "例会", SMALL_CENTER)
    model.put(row, 5, "", SMALL_CENTER)
    model.put(row, 6, "基本设置", SMALL_CENTER)
    days = {(i.day.year, i.day.month): i.day.day for i in items}
    for offset, key in enumerate(months):
        model.put(row, FIRST_MONTH_COL + offset, f"{days[key]}日" if key in days else None, style if key in days else SMALL_CENTER)


def _month_grid(model: SheetModel, calendar: Calendar, year: int, month: int, row: int) -> int:
    """One month, Monday to Sunday; returns the last row used."""
    model.merge(row, 0, row, 6, f"{year}年{month}月", Style(bold=True, size=13, align="center"))
    model.put_row(row + 1, [f"星期{d}" for d in WEEKDAY_NAMES], HEADER_STYLE)
    for week_offset, week in enumerate(cal.Calendar(firstweekday=0).monthdatescalendar(year, month)):
        grid_row = row + 2 + week_offset
        model.row_heights[grid_row] = 62
        for col, day in enumerate(week):
            model.put(grid_row, col, _day_text(calendar, day) if day.month == month else None,
                      _day_style(calendar.holidays, day, month))
    return row + 2 + len(cal.Calendar(firstweekday=0).monthdatescalendar(year, month)) - 1


def _day_text(calendar: Calendar, day: dt.date) -> str:
    """The day number (with its holiday), then what falls on the day; per-group meetings in one line."""
    lines = [str(day.day) + _day_label(calendar.holidays, day)]
    regular: dict[str, int] = defaultdict(int)
    for item in calendar.on(day):
        if item.source == REGULAR:
            regular[item.title.split("（")[0]] += 1
            continue
        mark = "（建议）" if item.source == SUGGESTED else ("（已取消）" if item.status == CANCELLED else "")
        lines.append(f"· {item.title}{mark}")
    for title, count in regular.items():
        lines.append(f"· {title}" + (f"（{count}个小组）" if count > 1 else ""))
    return "\n".join(lines)


def _day_label(holidays: Holidays, day: dt.date) -> str:
    name = holidays.holiday_name(day)
    if name:
        return f" {name}"
    if holidays.is_makeup_workday(day):
        return " 调休上班"
    vacation = holidays.vacation(day)
    return f" {vacation}" if vacation and (day.day == 1 or holidays.vacation(day - dt.timedelta(days=1)) != vacation) else ""


def _day_style(holidays: Holidays, day: dt.date, month: int) -> Style:
    if day.month != month:
        return Style(border=True, fill="#FFFFFF")
    fill = day_fill(holidays, day)
    return Style(border=True, wrap=True, valign="top", size=9, fill=fill) if fill else DAY_STYLE


def day_fill(holidays: Holidays, day: dt.date) -> str | None:
    """The shade of a day cell: official holiday, make-up day, school vacation, weekend, or none."""
    if holidays.holiday_name(day):
        return HOLIDAY_FILL
    if holidays.is_makeup_workday(day):
        return MAKEUP_FILL
    if holidays.vacation(day):
        return VACATION_FILL
    if not holidays.is_workday(day):
        return WEEKEND_FILL
    return None
