"""The 节假日 sheet: the one holiday source (节假日 first, chinese-calendar second, weekends last).

A fixed clock throughout. The package knows 2026 but not 2027: a 2027 branch gets its holidays
from the rows staff type. 1 Oct 2027 is a Friday, so the National Day week runs Friday 1 to
Thursday 7 Oct and Saturday 9 Oct is the make-up working day typed below.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
from icalendar import Calendar as ICalendar

from workbook import layout as L
from workbook.reader import read_book
from workplan import findings as F
from workplan.calendar import SUGGESTED, build_calendar
from workplan.counting import counted
from workplan.ics import to_ics
from workplan.pipeline import refresh, wanted_for_refresh
from workplan.reminders import reminders, unknown_year_message
from workplan.sheets.calendar import HOLIDAY_FILL, MAKEUP_FILL, VACATION_FILL, calendar_sheet
from workplan.validate import load

from conftest import load_data, raw_book

D = dt.date
NATIONAL_DAY_2027 = {"名称": "国庆节", "开始日期": D(2027, 10, 1), "结束日期": D(2027, 10, 7), "类型": "法定节假日"}
MAKEUP_2027 = {"名称": "国庆节调休", "开始日期": D(2027, 10, 9), "类型": "调休上班", "备注": "上周四的班"}
SUMMER_2027 = {"名称": "暑假", "开始日期": D(2027, 7, 10), "结束日期": D(2027, 8, 31), "类型": "学校假期"}


def setting(data, key, value):
    for row in data[L.SETTINGS]:
        if row["项目"] == key:
            row["值"] = value


def year_2027(data, holidays=()):
    """The clean branch moved to 2027, no regular meetings, no activities: only what a test plans."""
    setting(data, "年度开始日期", D(2027, 1, 1))
    setting(data, "年度结束日期", D(2027, 12, 31))
    for key, _, _ in L.MEETING_KEYS:
        setting(data, key, "不安排")
    data[L.ACTIVITIES], data[L.ATTENDANCE_SHEET] = [], []
    data[L.MEMBER_PROMISES] = [{**p, "承诺日期": D(2027, 2, 26)} for p in data[L.MEMBER_PROMISES]]
    for row in data[L.READING] + data[L.RECOMMENDATIONS] + data[L.EVALUATIONS] + data[L.LEDGER]:
        for key, value in row.items():
            if isinstance(value, dt.date):
                row[key] = value.replace(year=2027)
    data[L.HOLIDAYS] = [dict(row) for row in holidays]
    return data


def plan(data, code, months=None, organizer="支部", **more):
    data[L.ACTIVITIES].append({"活动编号": code, "活动名称": f"活动{code}", "类别": "其他", "组织者": organizer,
                               "计划月份": months, "状态": "计划中", **more})


def calendar_of(data, today):
    branch, report = load_data(data, today)
    assert report.codes() == []
    return branch, report, build_calendar(branch, today, report.bad_rows(L.ACTIVITIES))


def days_of(calendar, *codes):
    found = {i.code: i for i in calendar.items}
    return [(found[c].day, found[c].source) for c in codes]


def test_national_day_week_from_the_sheet_and_its_makeup_saturday(data):
    year_2027(data, [NATIONAL_DAY_2027, MAKEUP_2027])
    for code in ("B01", "B02", "B03", "B04"):
        plan(data, code, "9—10月")
    branch, _, calendar = calendar_of(data, D(2027, 9, 30))
    # from today (Thursday 30 Sep): the rest days 1-7 Oct are skipped, Friday 8, the make-up Saturday 9,
    # then (Sunday 10 is a weekend) Monday 11
    assert days_of(calendar, "B01", "B02", "B03", "B04") == [
        (D(2027, 9, 30), SUGGESTED), (D(2027, 10, 8), SUGGESTED), (D(2027, 10, 9), SUGGESTED), (D(2027, 10, 11), SUGGESTED)]
    assert calendar.unknown_years == ()
    assert branch.holidays.holiday_name(D(2027, 10, 4)) == "国庆节"
    assert branch.holidays.is_makeup_workday(D(2027, 10, 9)) and not branch.holidays.is_workday(D(2027, 10, 10))


def test_without_the_sheet_rows_2027_falls_back_to_weekends(data):
    year_2027(data)
    for code in ("B01", "B02", "B03", "B04"):
        plan(data, code, "9—10月")
    _, _, calendar = calendar_of(data, D(2027, 9, 30))
    # nobody typed the notice: Friday 1 Oct is suggested, then Monday 4 and Tuesday 5
    assert days_of(calendar, "B01", "B02", "B03", "B04") == [
        (D(2027, 9, 30), SUGGESTED), (D(2027, 10, 1), SUGGESTED), (D(2027, 10, 4), SUGGESTED), (D(2027, 10, 5), SUGGESTED)]


def test_regular_meetings_move_off_the_typed_holidays(data):
    year_2027(data, [NATIONAL_DAY_2027, MAKEUP_2027])
    setting(data, "主题党日", "每月1日")
    setting(data, "支委会", "每月9日")
    _, _, calendar = calendar_of(data, D(2027, 9, 1))
    october = sorted((i.title, i.day) for i in calendar.items if i.day.month == 10)
    assert october == [("主题党日", D(2027, 10, 8)), ("支委会", D(2027, 10, 9))]


def test_summer_vacation_keeps_a_month_only_activity_out(data):
    year_2027(data, [SUMMER_2027])
    plan(data, "B01", "7月")
    plan(data, "B02", "8月")
    plan(data, "B03", "7月", 计划日期=D(2027, 7, 20))  # a dated activity in the vacation is fine
    _, _, calendar = calendar_of(data, D(2027, 6, 1))
    # from the 10th of July everything is 暑假: the first free working day before it, Thursday 1 July;
    # August lies wholly in the vacation: no day is suggested
    assert days_of(calendar, "B01", "B02", "B03") == [
        (D(2027, 7, 1), SUGGESTED), (None, SUGGESTED), (D(2027, 7, 20), "计划")]


def test_without_2027_rows_the_notice_appears(data):
    year_2027(data, [{**SUMMER_2027}])  # a 学校假期 row does not announce the official holidays
    plan(data, "B01", "10月")
    branch, report, calendar = calendar_of(data, D(2027, 9, 1))
    assert calendar.unknown_years == (2027,)
    notices = [(r.kind, r.subject, r.detail) for r in reminders(branch, calendar, D(2027, 9, 1), counted(branch, report))
               if r.kind == "日历提示"]
    assert notices == [("日历提示", "2027 年节假日",
                        "2027 年的法定节假日还没有填入“节假日”表（程序自带的节假日安排里也没有这一年），建议日期只避开了周末；"
                        "国务院公布放假通知后，请把 2027 年的法定节假日和调休上班日逐行填入“节假日”表")]
    assert unknown_year_message(calendar) == ("注意：2027 年的法定节假日安排尚未收录，日历中的建议日期只避开了周末；"
                                              "请把放假通知填入“节假日”表。")


def test_with_2027_rows_no_notice(data):
    year_2027(data, [NATIONAL_DAY_2027])
    branch, report, calendar = calendar_of(data, D(2027, 9, 1))
    assert "日历提示" not in [r.kind for r in reminders(branch, calendar, D(2027, 9, 1), counted(branch, report))]
    assert unknown_year_message(calendar) == ""


def test_a_typed_row_wins_over_the_package(data):
    """2026 is in the package: a school that keeps 5 Oct 2026 open (say by a local notice) types it."""
    data[L.HOLIDAYS] = [{"名称": "补课", "开始日期": D(2026, 10, 5), "类型": "调休上班"}]
    branch, report = load_data(data)
    assert [c for *_, c in report.codes()] == ["holiday-makeup-weekday"]  # a Monday: said, and used
    assert branch.holidays.is_workday(D(2026, 10, 5)) and not branch.holidays.is_workday(D(2026, 10, 6))
    assert branch.holidays.holiday_name(D(2026, 10, 6)) == "国庆节"


def test_calendar_sheet_shades_the_vacation_and_the_typed_days(data):
    year_2027(data, [NATIONAL_DAY_2027, MAKEUP_2027, SUMMER_2027])
    _, _, calendar = calendar_of(data, D(2027, 9, 1))
    model = calendar_sheet(calendar, "测试支部", D(2027, 9, 1))
    by_text = {}
    for (row, col), cell in model.cells.items():
        if isinstance(cell.value, str) and cell.value[:1].isdigit():
            day_line = cell.value.split("\n")[0].split("（第")[0]  # the first day of a row also names its ISO week
            by_text.setdefault(day_line, []).append(cell.style.fill if cell.style else None)
    assert by_text["10 暑假"] == [VACATION_FILL]  # the vacation's first day carries its name
    assert by_text["1 暑假"] == [VACATION_FILL]  # and so does the first day of each month in it
    assert by_text["4 国庆节"] == [HOLIDAY_FILL]
    assert by_text["9 调休上班"] == [MAKEUP_FILL]
    assert "学校假期" in next(c.value for c in model.cells.values() if isinstance(c.value, str) and c.value.startswith("图例"))


def test_ics_carries_the_dates_from_the_sheet(data):
    year_2027(data, [NATIONAL_DAY_2027])
    plan(data, "B01", "9—10月")
    _, _, calendar = calendar_of(data, D(2027, 9, 30))
    plan(data, "B02", "10月", 计划日期=D(2027, 10, 9))
    events = {str(e["summary"]): e.decoded("dtstart") for e in ICalendar.from_ical(
        to_ics(calendar, "测试支部", dt.datetime(2027, 10, 1, 8))).walk("VEVENT")}
    assert events == {"活动B01": D(2027, 9, 30)}


def test_a_master_without_the_sheet_warns_and_keeps_working(data, build, tmp_path):
    path = build(data)
    book = openpyxl.load_workbook(path)
    del book[L.HOLIDAYS]
    old = tmp_path / "旧总台账.xlsx"
    book.save(old)
    result = refresh(read_book(old, wanted_for_refresh()), D(2026, 11, 26))
    assert result.runnable and result.report.valid
    assert result.report.codes() == [(L.HOLIDAYS, None, None, "optional-sheet-missing")]
    finding = result.report.findings[0]
    assert finding.level == F.WARNING
    assert finding.describe() == (
        "[警告] 节假日 没有“节假日”工作表，日历只按程序自带的法定节假日安排和周末排日子。"
        "请新建一张名为“节假日”的工作表，第 1 行依次填写列标题：名称、开始日期、结束日期、类型、备注，"
        "再照国务院的放假通知和学校的寒暑假逐行填写（也可以新建一份总台账，把其中的“节假日”表复制过来）。")
    assert result.calendar.unknown_years == () and result.scores is not None


def test_in_memory_book_without_the_sheet(data):
    raw = raw_book(data)
    raw.sheet_names.remove(L.HOLIDAYS)
    del raw.sheets[L.HOLIDAYS]
    _, report = load(raw, D(2026, 11, 26))
    assert report.codes() == [(L.HOLIDAYS, None, None, "optional-sheet-missing")]
