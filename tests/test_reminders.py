"""近期提醒 with a fixed clock: a deadline that passed says so, in red, first; many names go to 名单."""

from __future__ import annotations

import datetime as dt

from workbook import layout as L
from workbook.textfit import fit_rows, needed_height
from workplan.calendar import build_calendar
from workplan.counting import counted
from workplan.reminders import reminders
from workplan.sheets.common import FIRST_DATA_ROW
from workplan.sheets.reminders import HEADERS, PASSED_COLOR, PASSED_FILL, WIDTHS, reminders_sheet

from conftest import load_data

D = dt.date


def reminders_of(data, today):
    branch, report = load_data(data, today)
    assert report.errors == [], report.codes()
    calendar = build_calendar(branch, today, report.bad_rows(L.ACTIVITIES))
    return reminders(branch, calendar, today, counted(branch, report))


def test_a_probation_that_ended_148_days_ago_reads_so_and_comes_first(data):
    data[L.MEMBERS][1]["入党日期"] = D(2025, 6, 1)  # 预备党员 D002: a year on 2026-06-01
    today = D(2026, 10, 27)  # 29 + 31 + 31 + 30 + 27 = 148 days later
    found = reminders_of(data, today)
    first = found[0]
    assert (first.kind, first.day, first.subject, first.who, first.passed) == ("预备期已满", D(2026, 6, 1), "D002 李四", "一组", True)
    assert first.detail == "预备期已满 148 天，尚未办理转正（2025-06-01 接收为预备党员，2026-06-01 满一年）；请尽快讨论转正"
    assert not any(r.kind == "预备期将满" for r in found)


def test_probation_in_the_development_sheet_and_on_the_day_itself(data):
    data[L.DEVELOPMENT][0].update(确定发展对象日期=D(2025, 6, 3), 接收预备党员日期=D(2025, 10, 20))
    data[L.MEMBERS][1]["入党日期"] = D(2025, 10, 27)
    found = [r for r in reminders_of(data, D(2026, 10, 27)) if r.kind.startswith("预备期")]
    assert [(r.kind, r.subject, r.passed, r.detail) for r in found] == [
        ("预备期已满", "周七", True, "预备期已满 7 天，尚未办理转正（2025-10-20 接收为预备党员，2026-10-20 满一年）；请尽快讨论转正"),
        ("预备期将满", "D002 李四", False, "2025-10-27 接收为预备党员，预备期今天满，请准备转正讨论"),
    ]


def test_the_sheet_shows_passed_rows_in_red_and_names_in_their_own_column(data):
    data[L.MEMBERS][1]["入党日期"] = D(2025, 6, 1)
    today = D(2026, 10, 27)
    found = reminders_of(data, today)
    sheet = reminders_sheet(found, today)
    assert sheet.values()[FIRST_DATA_ROW - 1] == list(HEADERS)
    passed = [r for r in found if r.passed]
    assert [r.kind for r in passed] == ["预备期已满", "承诺环节"]  # the commitments have waited since 2026-02-26
    assert "其中 2 条已过期限，红色标出，排在最前" in sheet.values()[1][0]
    for offset, reminder in enumerate(found):
        style = sheet.cells[(FIRST_DATA_ROW + offset, 0)].style
        assert (style.fill, style.color) == ((PASSED_FILL, PASSED_COLOR) if reminder.passed else (None, None))
    stage = FIRST_DATA_ROW + 1
    assert sheet.values()[stage][3:6:2] == ["2 名党员", "D001 张三、D002 李四"]


def test_a_long_name_list_is_counted_and_listed_in_full_in_a_row_tall_enough(data):
    names = [f"D{n:03d}" for n in range(5, 35)]
    for number, member_id in enumerate(names):
        data[L.MEMBERS].append({"党员编号": member_id, "姓名": f"成员{number:02d}", "性别": "男", "党小组": "一组",
                                "政治面貌": "正式党员", "在册状态": "离退休"})
        data[L.MEMBER_PROMISES].append({"承诺编号": f"Q{number:03d}", "党员编号": member_id, "姓名": f"成员{number:02d}",
                                        "承诺类别": "实事承诺", "承诺事项": "课后服务", "承诺内容": "内容",
                                        "承诺日期": D(2026, 2, 26)})
    today = D(2026, 6, 15)
    branch, report = load_data(data, today)
    calendar = build_calendar(branch, today, report.bad_rows(L.ACTIVITIES))
    stage = next(r for r in reminders(branch, calendar, today, counted(branch, report)) if r.kind == "承诺环节")
    assert stage.who == "32 名党员"
    assert stage.names == "、".join(["D001 张三", "D002 李四", *(f"{m} 成员{n:02d}" for n, m in enumerate(names))])
    sheet = fit_rows(reminders_sheet([stage], today))
    height = needed_height(stage.names, WIDTHS[5])
    assert height > 100  # 32 names of 11 units and a 、 each: about 9 lines in 50 units
    assert sheet.row_heights[FIRST_DATA_ROW] >= height
