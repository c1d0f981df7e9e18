"""组织生活落实 (三会一课 kept) with a fixed clock: a branch with known meetings, hand-counted.

Today is 2026-07-15: January to June and the first two quarters are over (due); July, the
third quarter and the year still run. 主题党日 and 民主评议党员 are set to 不安排 (asked nothing).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import openpyxl

from workbook import layout as L
from workbook.render_xlsx import write_standalone
from workplan import pipeline
from workplan.orglife import HELD, MISSED, NOT_ASKED, NOT_DUE
from workplan.report import headline, year_report
from workplan.report_tables import report_sections
from workplan.sheets.orglife import HEADER_ROW

from conftest import raw_book, soffice_convert

D = dt.date
TODAY = D(2026, 7, 15)


def setting(data, key, value):
    for row in data[L.SETTINGS]:
        if row["项目"] == key:
            row["值"] = value


def done(code, name, day, kind="三会一课", organizer="支部"):
    return {"活动编号": code, "活动名称": name, "类别": kind, "组织者": organizer, "计划日期": day, "实际日期": day,
            "状态": "已完成"}


def meetings_data(data):
    setting(data, "主题党日", "不安排")
    setting(data, "民主评议党员", "不安排")
    rows = data[L.ACTIVITIES]
    for month, day in ((1, 5), (2, 2), (3, 2), (4, 6), (6, 1), (7, 6)):  # May's is missing
        rows.append(done(f"C{month:02d}", f"{month}月支委会", D(2026, month, day)))
    for month in range(1, 7):
        rows.append(done(f"G1-{month}", f"{month}月党小组会", D(2026, month, 12), organizer="一组"))
        if month != 6:
            rows.append(done(f"G2-{month}", f"二组{month}月小组会", D(2026, month, 13), organizer="二组"))
    rows.append({"活动编号": "G2-6", "活动名称": "6月党小组会", "类别": "三会一课", "组织者": "二组", "计划月份": "6月",
                 "状态": "计划中"})  # planned, never held
    rows.append(done("H1", "第一季度支部党员大会", D(2026, 3, 26)))
    rows.append({"活动编号": "H2", "活动名称": "第二季度支部党员大会", "类别": "三会一课", "组织者": "支部", "计划月份": "6月",
                 "状态": "已取消"})
    rows.append(done("K1", "专题党课", D(2026, 3, 27)))
    rows.append(done("K2", "七一党课", D(2026, 6, 30)))
    rows.append(done("O1", "组织生活会暨民主评议党员", D(2026, 1, 20), kind="其他"))
    rows.append(done("X1", "5月支委会（补记）", D(2026, 5, 8), kind="其他"))  # wrong 类别: not a 三会一课 row
    rows.append(done("X2", "一组支委会", D(2026, 5, 9), organizer="一组"))  # a group's: not the branch's 支委会
    return data


def refreshed(data, today=TODAY):
    result = pipeline.refresh(raw_book(data), today)
    assert result.report.errors == [], result.report.codes()
    return result


def states(requirement):
    return [(c.period.label, c.state, c.day) for c in requirement.cells]


def test_held_missed_and_not_due_for_each_month_and_quarter(data):
    life = refreshed(meetings_data(data)).orglife
    assert [(r.title, r.held, r.required) for r in life.requirements] == [
        ("支委会", 6, 7), ("党小组会（一组）", 6, 6), ("党小组会（二组）", 5, 6), ("支部党员大会", 1, 2), ("党课", 2, 2),
        ("组织生活会", 1, 1)]
    committee, group1, group2, assembly, lecture, yearly = life.requirements
    month = lambda m: f"2026年{m}月"  # noqa: E731
    assert states(committee) == [
        (month(1), HELD, D(2026, 1, 5)), (month(2), HELD, D(2026, 2, 2)), (month(3), HELD, D(2026, 3, 2)),
        (month(4), HELD, D(2026, 4, 6)), (month(5), MISSED, None), (month(6), HELD, D(2026, 6, 1)),
        (month(7), HELD, D(2026, 7, 6)), *((month(m), NOT_DUE, None) for m in range(8, 13))]
    assert states(group1) == [*((month(m), HELD, D(2026, m, 12)) for m in range(1, 7)),
                              *((month(m), NOT_DUE, None) for m in range(7, 13))]
    assert states(group2) == [*((month(m), HELD, D(2026, m, 13)) for m in range(1, 6)), (month(6), MISSED, None),
                              *((month(m), NOT_DUE, None) for m in range(7, 13))]
    assert states(assembly) == [("2026年第1季度", HELD, D(2026, 3, 26)), ("2026年第2季度", MISSED, None),
                                ("2026年第3季度", NOT_DUE, None), ("2026年第4季度", NOT_DUE, None)]
    assert states(lecture) == [("2026年第1季度", HELD, D(2026, 3, 27)), ("2026年第2季度", HELD, D(2026, 6, 30)),
                               ("2026年第3季度", NOT_DUE, None), ("2026年第4季度", NOT_DUE, None)]
    assert states(yearly) == [("全年", HELD, D(2026, 1, 20))]
    assert (life.held, life.required) == (21, 24)


def test_the_misses_are_reminders(data):
    result = refreshed(meetings_data(data))
    assert [(r.day, r.subject, r.who) for r in result.reminders if r.kind == "会议未开"] == [
        (D(2026, 5, 31), "2026年5月未召开支委会", "支部"),
        (D(2026, 6, 30), "2026年6月未召开党小组会（二组）", "二组"),
        (D(2026, 6, 30), "2026年第2季度未召开支部党员大会", "支部"),
    ]
    first = next(r for r in result.reminders if r.kind == "会议未开")
    assert first.detail == ("按“基本设置”，支委会每月一次；如已召开，请在“活动计划”登记（类别“三会一课”、名称含“支委会”、"
                            "组织者“支部”），状态改为“已完成”并填写实际日期")


def test_the_report_counts_equal_a_hand_count(data):
    report = year_report(refreshed(meetings_data(data)))
    assert [(m.name, m.organizer, m.period, m.required, m.held, m.missed) for m in report.meetings] == [
        ("支委会", "支部", "每月", 7, 6, ("2026年5月",)),
        ("党小组会（一组）", "一组", "每月", 6, 6, ()),
        ("党小组会（二组）", "二组", "每月", 6, 5, ("2026年6月",)),
        ("支部党员大会", "支部", "每季度", 2, 1, ("2026年第2季度",)),
        ("党课", "支部", "每季度", 2, 2, ()),
        ("组织生活会", "支部", "每年", 1, 1, ()),
    ]
    section = next(s for s in report_sections(report) if s.name == "三会一课")
    counts, missed = section.tables
    assert counts.rows[-1] == ["合计", "", "", 24, 21, 3, 21 / 24]
    assert missed.rows == [["支委会", "支部", "2026年5月"], ["党小组会（二组）", "二组", "2026年6月"],
                           ["支部党员大会", "支部", "2026年第2季度"]]
    figures = dict(headline(report))  # 概况 and the roll-up's row (its column 三会一课落实率)
    assert (figures["三会一课应开"], figures["三会一课已开"], figures["三会一课落实率"]) == (24, 21, 21 / 24)


def test_a_rule_asks_only_its_months_and_buhuanpai_asks_nothing(data):
    setting(data, "支委会", "3、6、9、12月25日")
    setting(data, "党小组会", "不安排")
    life = refreshed(meetings_data(data)).orglife
    assert [r.title for r in life.requirements] == ["支委会", "支部党员大会", "党课", "组织生活会"]
    committee = life.requirements[0]
    # asked in March and June only; the meetings held in other months still show as held
    assert [c.state for c in committee.cells[:7]] == [HELD, HELD, HELD, HELD, NOT_ASKED, HELD, HELD]
    assert (committee.held, committee.required) == (6, 6)


def test_the_sheet_cells_and_links(data):
    result = refreshed(meetings_data(data))
    model = next(s for s in result.sheets if s.name == L.ORGLIFE_SHEET)
    header = [model.cells[(HEADER_ROW, c)].value for c in range(3 + 12 + 4 + 1 + 3)]
    assert header == ["会议", "组织者", "要求", *(f"{m}月" for m in range(1, 13)), "第1季度", "第2季度", "第3季度", "第4季度",
                      "全年", "已开", "应开", "落实率"]
    row = [model.cells[(HEADER_ROW + 1, c)].value for c in range(len(header))]
    assert row == ["支委会", "支部", "每月", "5日", "2日", "2日", "6日", "未开", "1日", "6日", *["未到期"] * 5,
                   None, None, None, None, None, 6, 7, 6 / 7]
    assembly = [model.cells[(HEADER_ROW + 4, c)].value for c in range(len(header))]
    assert assembly[15:23] == ["3月26日", "未开", "未到期", "未到期", None, 1, 2, 0.5]
    activities = {r["活动编号"]: index + 2 for index, r in enumerate(data[L.ACTIVITIES])}
    assert model.cells[(HEADER_ROW + 1, 3)].link == f"'活动计划'!A{activities['C01']}"
    assert model.cells[(HEADER_ROW + 1, 7)].style.fill == "#FFC7CE"
    total = [model.cells[(HEADER_ROW + 7, c)].value if (HEADER_ROW + 7, c) in model.cells else None for c in range(len(header))]
    assert total[0] == "合计" and total[7] == "未开1" and total[8] == "未开1" and total[-3:] == [21, 24, 21 / 24]
    assert model.freeze == (HEADER_ROW + 1, 3) and model.print_setup.repeat_rows == (HEADER_ROW, HEADER_ROW)


def test_the_sheet_prints_on_one_landscape_page(data, tmp_path):
    result = refreshed(meetings_data(data))
    model = next(s for s in result.sheets if s.name == L.ORGLIFE_SHEET)
    path = write_standalone(tmp_path / "组织生活落实.xlsx", [model])
    book = openpyxl.load_workbook(path)
    sheet = book[L.ORGLIFE_SHEET]
    assert sheet.page_setup.orientation == "landscape" and sheet.freeze_panes == "D5" and sheet.print_title_rows == "$4:$4"
    pdf = soffice_convert(path, "pdf", tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M) and re.search(r"^Page size:\s+841.89 x 595.\d+ pts \(A4\)", info, re.M), info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "组织生活落实情况" in text and "未开" in text and "党小组会" in text and "落实率" in text


def test_a_meeting_missed_many_times_is_one_reminder_with_its_periods(data):
    """The clean branch types no meeting: 支委会 is missed each month from January to October (November has not
    ended on 26 Nov), one 近期提醒 row with the ten months in 名单, not ten rows."""
    result = pipeline.refresh(raw_book(data), dt.date(2026, 11, 26))
    rows = [r for r in result.reminders if r.kind == "会议未开"]
    assert [(r.subject, r.day) for r in rows] == [  # sorted by the day the last missed period ended
        ("党课 3 次未召开（2026年第1季度至2026年第3季度）", D(2026, 9, 30)),
        ("支部党员大会 3 次未召开（2026年第1季度至2026年第3季度）", D(2026, 9, 30)),
        ("主题党日 10 次未召开（2026年1月至2026年10月）", D(2026, 10, 31)),
        ("党小组会（一组） 10 次未召开（2026年1月至2026年10月）", D(2026, 10, 31)),
        ("党小组会（二组） 10 次未召开（2026年1月至2026年10月）", D(2026, 10, 31)),
        ("支委会 10 次未召开（2026年1月至2026年10月）", D(2026, 10, 31))]
    assert rows[-1].names == "、".join(f"2026年{m}月" for m in range(1, 11)) and all(r.passed for r in rows)
    assert len(result.orglife.missed_cells()) == 46
