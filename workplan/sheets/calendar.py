"""The 活动日历 sheet: a year overview (activities down, months across) and month grids.

Overview: one row per activity, its planned month or range filled and coloured by state
(done, planned, overdue, cancelled), with the day number where it has a date; one row per
kind of regular meeting. Month grids: Monday to Sunday, each day listing what falls on
it, each item marked with its state (✓ ○ ！ ×, the legend gives their colours); weekends
and official holidays shaded and named, make-up working days marked, the school's
vacations (学校假期 in 节假日) shaded with their name, the ISO week
(第48周) on the first day of each row. Each month is one printed page (A4 landscape): the
week rows share the page, a busy week taller, and day text prints at 9 points or more.
The overview and the grids share the columns: each day spans two or three of them.
"""

from __future__ import annotations

import calendar as cal
import dataclasses
import datetime as dt
from collections import defaultdict

from workbook import layout
from workbook.sheetmodel import BANNER, PrintSetup, SheetModel, Style
from workbook.textfit import MAX_HEIGHT, lines_height, wrapped_lines

from ..calendar import CANCELLED, DONE, OVERDUE, REGULAR, SUGGESTED, Calendar, CalendarItem
from ..holidays import Holidays
from .common import BANNER_STYLE, HEADER_STYLE, TITLE_STYLE

PRINT_SCALE = 66  # one scale for the sheet: the overview's rows on one landscape A4 page
# Every column belongs to one day of a month grid: Monday is A:B, Tuesday C:D, Wednesday E:G,
# then three month columns of the overview a day (H:J … Q:S), so each day is 20.4 units wide.
COLUMN_WIDTHS = (6, 14.4, 7, 13.4, 6, 6, 8.4) + (6.8,) * 12
DAY_COLUMNS = ((0, 1), (2, 3), (4, 6), (7, 9), (10, 12), (13, 15), (16, 18))
LAST_COL = len(COLUMN_WIDTHS) - 1
PAGE_POINTS = 700  # the rows of a month page, before the print scale (A4 landscape: 487 pt / 0.66 = 738)
DAY_SIZE = 14  # points; printed at 66% that is 9.2 points
MONTH_TITLE_HEIGHT, LEGEND_HEIGHT, WEEKDAY_HEIGHT = 28, 22, 22
OVERVIEW_HEADERS = ("活动编号", "活动名称", "", "组织者", "状态", "日期", "日期来源")
FIRST_MONTH_COL = 7
STATE_FILLS = {DONE: "#C6EFCE", layout.PLANNED: "#BDD7EE", OVERDUE: "#FFC7CE", CANCELLED: "#D9D9D9"}
STATE_COLORS = {DONE: "#006100", layout.PLANNED: "#1F4E79", OVERDUE: "#9C0006", CANCELLED: "#595959"}
STATE_MARKS = {DONE: "✓", layout.PLANNED: "○", OVERDUE: "！", CANCELLED: "×"}  # before each item of a day
WEEKEND_FILL, HOLIDAY_FILL, MAKEUP_FILL, VACATION_FILL = "#F2F2F2", "#FCE4D6", "#E2EFDA", "#FFF2CC"
WEEKDAY_NAMES = ("一", "二", "三", "四", "五", "六", "日")
DAY_STYLE = Style(border=True, wrap=True, valign="top", size=DAY_SIZE)
SMALL = Style(border=True, valign="vcenter", size=9)
SMALL_CENTER = Style(border=True, align="center", valign="vcenter", size=9)
OVERVIEW_ROW_HEIGHT = 12.5


def calendar_sheet(calendar: Calendar, branch_name: str, today: dt.date) -> SheetModel:
    """活动日历: the overview first, then one grid per month of the year."""
    model = SheetModel(layout.CALENDAR_SHEET)
    model.merge(0, 0, 0, LAST_COL, BANNER, BANNER_STYLE)
    model.merge(1, 0, 1, LAST_COL, f"{branch_name} 活动日历（{today.isoformat()} 刷新）", TITLE_STYLE)
    model.col_widths.update(enumerate(COLUMN_WIDTHS))
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
    model.put(row, 5, item.day.strftime("%m-%d") if item.day else "", SMALL_CENTER)  # the year is the sheet's
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
    """One month on one page: title, legend, Monday to Sunday, week rows sharing the page; returns the last row."""
    model.merge(row, 0, row, LAST_COL, f"{year}年{month}月", Style(bold=True, size=16, align="center", valign="vcenter"))
    model.row_heights[row] = MONTH_TITLE_HEIGHT
    _month_legend(model, row + 1)
    for col, (first, last) in enumerate(DAY_COLUMNS):
        model.merge(row + 2, first, row + 2, last, f"星期{WEEKDAY_NAMES[col]}", dataclasses.replace(HEADER_STYLE, size=12))
    model.row_heights[row + 2] = WEEKDAY_HEIGHT
    weeks = cal.Calendar(firstweekday=0).monthdatescalendar(year, month)
    texts = [[_day_text(calendar, day, week) if day.month == month else None for day in week] for week in weeks]
    for offset, height in enumerate(week_heights(texts, PAGE_POINTS - MONTH_TITLE_HEIGHT - LEGEND_HEIGHT - WEEKDAY_HEIGHT)):
        grid_row = row + 3 + offset
        model.row_heights[grid_row] = height
        for col, day in enumerate(weeks[offset]):
            first, last = DAY_COLUMNS[col]
            model.merge(grid_row, first, grid_row, last, texts[offset][col], _day_style(calendar.holidays, day, month))
    return row + 2 + len(weeks)


def week_heights(texts: list[list[str | None]], room: float) -> list[float]:
    """Heights of the week rows: the page shared equally, a week whose busiest day needs more keeping that."""
    width = sum(COLUMN_WIDTHS[DAY_COLUMNS[0][0]: DAY_COLUMNS[0][1] + 1])
    needs = [max([lines_height(wrapped_lines(t, width, DAY_SIZE), DAY_SIZE) for t in week if t] or [0]) for week in texts]
    busy = [need for need in needs if need > room / len(needs)]  # weeks taller than an equal share keep their need
    quiet = len(needs) - len(busy)
    share = max(room - sum(busy), 0) / quiet if quiet else 0
    return [min(max(need, share), MAX_HEIGHT) for need in needs]


def _month_legend(model: SheetModel, row: int) -> None:
    """The legend of a month page, one key under each weekday: the states' marks in the overview's
    colours (✓ 已完成 ○ 计划中 ！逾期 × 已取消), then the shades of holidays, make-up days, vacations.

    The keys span the days' columns, so the legend, the weekday row and the weeks merge alike
    (the buttons merge each day's column of a month in one call)."""
    keys = [(f"图例：{STATE_MARKS[state]} {state}" if not offset else f"{STATE_MARKS[state]} {state}", fill)
            for offset, (state, fill) in enumerate(STATE_FILLS.items())]
    keys += [("法定节假日", HOLIDAY_FILL), ("调休上班", MAKEUP_FILL), ("学校假期", VACATION_FILL)]
    for (first, last), (text, fill) in zip(DAY_COLUMNS, keys):
        model.merge(row, first, row, last, text, Style(fill=fill, border=True, align="center", valign="vcenter", size=12))
    model.row_heights[row] = LEGEND_HEIGHT


def _day_text(calendar: Calendar, day: dt.date, week: list[dt.date] | None = None) -> str:
    """The day number (with its holiday, and the ISO week on the first day of a row), then what falls
    on the day, each with its state's mark; per-group meetings in one line."""
    first_of_row = week is not None and day == next(d for d in week if d.month == day.month)
    lines = [str(day.day) + _day_label(calendar.holidays, day) + (f"（第{day.isocalendar().week}周）" if first_of_row else "")]
    regular: dict[str, int] = defaultdict(int)
    for item in calendar.on(day):
        if item.source == REGULAR:
            regular[item.title.split("（")[0]] += 1
            continue
        mark = "（建议）" if item.source == SUGGESTED else ""
        lines.append(f"{STATE_MARKS.get(item.status, '·')} {item.title}{mark}")
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
        return dataclasses.replace(DAY_STYLE, fill="#FFFFFF")  # as a day cell, so a month's cells style alike
    fill = day_fill(holidays, day)
    return dataclasses.replace(DAY_STYLE, fill=fill) if fill else DAY_STYLE


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
