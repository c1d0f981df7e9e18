"""The activity calendar with a fixed clock: ranges, holidays, make-up days, clashes, .ics.

2026's official arrangement (chinese-calendar): Mid-autumn 25–27 Sep, National Day 1–7 Oct;
Sunday 20 Sep and Saturday 10 Oct are make-up working days.
"""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from icalendar import Calendar as ICalendar

from workbook import layout as L
from workplan.calendar import OVERDUE, REGULAR, SUGGESTED, build_calendar
from workplan.counting import counted
from workplan.ics import to_ics
from workplan.meetings import day_in_month, parse_rule
from workplan.reminders import reminders

from conftest import load_data

D = dt.date


def setting(data, key, value):
    for row in data[L.SETTINGS]:
        if row["项目"] == key:
            row["值"] = value


def no_meetings(data):
    for key, _, _ in L.MEETING_KEYS:
        setting(data, key, "不安排")


def plan(data, code, months, organizer="支部", **more):
    data[L.ACTIVITIES].append({"活动编号": code, "活动名称": f"活动{code}", "类别": "其他", "组织者": organizer,
                               "计划月份": months, "状态": "计划中", **more})


def calendar_of(data, today):
    branch, report = load_data(data, today)
    assert report.errors == [], report.codes()
    return branch, build_calendar(branch, today, report.bad_rows(L.ACTIVITIES))


def reminders_of(data, today):
    """The reminders of a clean branch as the refresh computes them (counted rows, today)."""
    branch, report = load_data(data, today)
    assert report.errors == [], report.codes()
    calendar = build_calendar(branch, today, report.bad_rows(L.ACTIVITIES))
    return calendar, reminders(branch, calendar, today, counted(branch, report))


def item(calendar, code):
    return next(i for i in calendar.items if i.code == code)


def test_month_range_gets_a_working_day_in_its_first_month(data):
    no_meetings(data)
    plan(data, "B01", "4—7月")
    _, calendar = calendar_of(data, D(2026, 3, 1))
    b01 = item(calendar, "B01")
    assert (b01.day, b01.source, b01.months, b01.status) == (D(2026, 4, 10), SUGGESTED, (4, 7), "计划中")


def test_suggestion_starts_today_while_the_month_is_running(data):
    no_meetings(data)
    plan(data, "B01", "4-7月")
    _, calendar = calendar_of(data, D(2026, 6, 16))
    assert item(calendar, "B01").day == D(2026, 6, 16)


def test_national_day_week_and_its_makeup_saturday(data):
    no_meetings(data)
    setting(data, "主题党日", "每月10日")
    setting(data, "支委会", "每月1日")
    plan(data, "B01", "10月")
    _, calendar = calendar_of(data, D(2026, 9, 1))
    regular = {(i.title, i.day) for i in calendar.items if i.source == REGULAR and i.day.month == 10}
    # 1 Oct is a holiday: the committee moves to the first working day after the holiday, 8 Oct;
    # 10 Oct is a Saturday but a make-up working day, so 主题党日 stays on it.
    assert regular == {("支委会", D(2026, 10, 8)), ("主题党日", D(2026, 10, 10))}
    # the 支部 activity of October avoids 10 Oct (taken by 主题党日) and Sunday 11 Oct
    assert item(calendar, "B01").day == D(2026, 10, 12)


def test_makeup_sunday_counts_as_a_working_day():
    assert day_in_month(parse_rule("每月20日"), 2026, 9) == D(2026, 9, 20)
    assert day_in_month(parse_rule("每月25日"), 2026, 9) == D(2026, 9, 28)  # Mid-autumn 25–27 Sep


def test_a_clash_moves_to_another_day_for_the_same_organizer_only(data):
    no_meetings(data)
    plan(data, "B01", "5月")
    plan(data, "B02", "5月")
    plan(data, "B03", "5月", organizer="一组")
    _, calendar = calendar_of(data, D(2026, 1, 5))
    # 10 May 2026 is a Sunday: the first free working day from the 10th is Monday 11 May
    assert [item(calendar, c).day for c in ("B01", "B02", "B03")] == [D(2026, 5, 11), D(2026, 5, 12), D(2026, 5, 11)]


def test_typed_dates_win_and_typed_meetings_replace_the_regular_one(data):
    setting(data, "主题党日", "每月10日")
    data[L.ACTIVITIES].append({"活动编号": "Z05", "活动名称": "5月主题党日：参观纪念馆", "类别": "主题党日", "组织者": "支部",
                               "计划日期": D(2026, 5, 20), "状态": "计划中"})
    _, calendar = calendar_of(data, D(2026, 1, 5))
    may = [(i.title, i.day, i.source) for i in calendar.items if i.kind == "主题党日" and i.day.month == 5]
    assert may == [("5月主题党日：参观纪念馆", D(2026, 5, 20), "计划")]


def test_group_meetings_one_per_group(data):
    _, calendar = calendar_of(data, D(2026, 1, 5))
    march = sorted(i.title for i in calendar.items if i.source == REGULAR and i.day.month == 3 and "党小组会" in i.title)
    assert march == ["党小组会（一组）", "党小组会（二组）"]


def test_overdue_status(data):
    plan(data, "B01", "5月")
    _, calendar = calendar_of(data, D(2026, 6, 1))
    assert item(calendar, "B01").status == OVERDUE
    assert item(calendar, "A03").status == "计划中"


def test_unknown_year_falls_back_to_weekends_and_says_so(data):
    for row in data[L.SETTINGS]:
        if row["项目"] in ("年度开始日期", "年度结束日期"):
            row["值"] = D(2031, 1, 1) if row["项目"] == "年度开始日期" else D(2031, 12, 31)
    data[L.ACTIVITIES] = []
    data[L.ATTENDANCE_SHEET] = []
    no_meetings(data)
    plan(data, "B01", "10月")
    calendar, found = reminders_of(data, D(2031, 9, 1))
    assert calendar.unknown_years == (2031,)
    assert item(calendar, "B01").day == D(2031, 10, 10)  # a Friday: National Day is unknown for 2031
    kinds = [r.kind for r in found]
    assert "日历提示" in kinds


def test_reminders_of_every_kind(data):
    today = D(2026, 6, 15)
    no_meetings(data)
    plan(data, "S01", "6月", 计划日期=D(2026, 6, 20))  # within 14 days
    plan(data, "L01", "4月")  # overdue
    data[L.ACTIVITIES][1]["实际日期"] = D(2026, 4, 15)  # A02 done ...
    data[L.ATTENDANCE_SHEET] = [r for r in data[L.ATTENDANCE_SHEET] if r["活动编号"] != "A02"]  # ... nobody signed in
    data[L.MEMBERS][1]["入党日期"] = D(2025, 7, 1)  # 预备党员 D002: probation ends 1 Jul 2026
    data[L.DEVELOPMENT].append({"姓名": "吴九", "申请入党日期": D(2025, 1, 5), "确定积极分子日期": D(2025, 6, 1)})
    _, found = reminders_of(data, today)
    assert [(r.kind, r.day, r.subject, r.passed) for r in found] == [  # deadlines passed first
        ("逾期活动", D(2026, 4, 10), "L01 活动L01", True),
        ("承诺环节", D(2026, 2, 26), "承诺停在“承诺”", True),
        ("近期活动", D(2026, 6, 20), "活动S01", False),
        ("预备期将满", D(2026, 7, 1), "D002 李四", False),
        ("积极分子满一年", D(2026, 6, 1), "吴九", False),
        ("未签到", D(2026, 4, 15), "A02 学雷锋活动", False),
    ]
    stage = next(r for r in found if r.kind == "承诺环节")
    assert (stage.who, stage.names, stage.detail) == (
        "2 名党员", "D001 张三、D002 李四", "2 名党员的 24 项承诺已超过 30 天尚未审诺（尚未审诺的共 24 项），请安排审诺")


def _events(ics: bytes) -> dict[str, tuple]:
    return {str(e["uid"]): (e.decoded("dtstart"), str(e["summary"]), str(e["status"]))
            for e in ICalendar.from_ical(ics).walk("VEVENT")}


def test_ics_parses_back_with_the_same_events_and_stable_uids(data):
    plan(data, "B01", "5月")
    data[L.ACTIVITIES][2].update(计划月份="6月", 状态="已取消")
    branch, calendar = calendar_of(data, D(2026, 1, 5))
    first = _events(to_ics(calendar, "测试支部", dt.datetime(2026, 1, 5, 8, 0)))
    dated = [i for i in calendar.items if i.day]
    assert len(first) == len(dated) == len(calendar.items)
    assert first[item(calendar, "A01").uid] == (D(2026, 3, 10), "专家报告会", "CONFIRMED")
    assert first[item(calendar, "A03").uid][2] == "CANCELLED"
    plan(data, "B02", "9月")  # a later run with one more activity and another time stamp
    _, later = calendar_of(data, D(2026, 2, 1))
    second = _events(to_ics(later, "测试支部", dt.datetime(2026, 2, 1, 8, 0)))
    assert set(second) - set(first) == {item(later, "B02").uid}
    assert all(second[uid] == event for uid, event in first.items())


@pytest.fixture(scope="module")
def refreshed_demo(tmp_path_factory):
    import sync

    path = tmp_path_factory.mktemp("cal") / "示例.xlsx"
    sync.main(["demo", str(path), "--today", "2026-11-26"])
    return path


def test_calendar_sheet_prints_and_a_page_renders(refreshed_demo, tmp_path):
    import openpyxl

    from conftest import soffice_convert

    book = openpyxl.load_workbook(refreshed_demo)
    for name in book.sheetnames:
        if name != L.CALENDAR_SHEET:
            del book[name]  # LibreOffice prints a hidden sheet that has a print area
    only = tmp_path / "日历.xlsx"
    book.save(only)
    pdf = soffice_convert(only, "pdf", tmp_path)
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "3", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 3 and all(p.stat().st_size > 5_000 for p in pages)

    def page_text(number):
        command = ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout

    # the year's rows (the demo types its 支委会 and 党小组会 each month: 100-odd rows): three pages
    overview = page_text(1) + page_text(2) + page_text(3)
    assert "活动日历" in page_text(1) and "12月" in page_text(1) and "A10-4" in overview and "2026年1月" not in overview
    assert "本表由程序生成" not in overview  # the banner is for the screen
    january = page_text(4)
    assert "2026年1月" in january and "元旦（第1周）" in january and "调休上班" in january  # then a month per page
    assert "图例：✓ 已完成" in january and "法定节假日" in january and "学校假期" in january  # the legend on every month
    assert "国庆节" in page_text(13) and "2026年10月" in page_text(13)
    assert "2026年12月" in page_text(15) and "第49周" in page_text(15)  # 12月 1日 is in ISO week 49


def test_calendar_command_writes_sheets_and_ics(refreshed_demo, capsys):
    import sync

    code = sync.main(["calendar", str(refreshed_demo), "--today", "2026-11-26"])
    out = capsys.readouterr().out
    assert code == 1  # the demo has its planted errors
    assert "更新 活动日历、近期提醒" in out
    ics = (refreshed_demo.parent / "活动日历.ics").read_bytes()
    assert len(_events(ics)) > 90
