"""Values out of range are findings on their cell, before anything is computed from them.

Each case puts one hostile value into the clean branch (in memory: the reader's job is
`tests/test_reader*.py`) and asserts the exact findings; the end-to-end cases run the real
command and assert what a user sees, the exit code, and that nothing runs longer than a year.
"""

from __future__ import annotations

import datetime as dt
import time

import icalendar
import pytest

import sync
from workbook import layout as L
from workplan import findings as F

from conftest import TODAY, load_data

D = dt.date
HUGE = "9" * 400


def setting(data, key, value):
    next(row for row in data[L.SETTINGS] if row["项目"] == key)["值"] = value


def ledger(column, value):
    return lambda d: d[L.LEDGER][0].update({column: value})


def rule(column, value):
    return lambda d: d[L.RULES][0].update({column: value})


def develop(column, value):
    return lambda d: d[L.DEVELOPMENT][0].update({column: value})


CELL_CASES = [
    # dates outside 1900-2100, as text, as an Excel date and as a date-formatted number
    ("year-1-text", ledger("日期", "0001-01-01"), [(L.LEDGER, 2, "日期", "date-out-of-range")]),
    ("year-9999-date", ledger("日期", dt.datetime(9999, 12, 31)), [(L.LEDGER, 2, "日期", "date-out-of-range")]),
    ("year-1899", ledger("日期", "1899-12-31"), [(L.LEDGER, 2, "日期", "date-out-of-range")]),
    ("year-2101", ledger("日期", D(2101, 1, 1)), [(L.LEDGER, 2, "日期", "date-out-of-range")]),
    ("serial-minus-1e308", ledger("日期", -1e308), [(L.LEDGER, 2, "日期", "date-out-of-range")]),
    ("serial-minus-5", ledger("日期", -5.0), [(L.LEDGER, 2, "日期", "date-out-of-range")]),
    ("serial-1e308", ledger("日期", 1e308), [(L.LEDGER, 2, "日期", "date-out-of-range")]),
    ("serial-nan", ledger("日期", float("nan")), [(L.LEDGER, 2, "日期", "date-out-of-range")]),
    ("time-only", ledger("日期", dt.time(0, 0)), [(L.LEDGER, 2, "日期", "date-is-time")]),
    ("time-noon", ledger("日期", dt.time(12, 0)), [(L.LEDGER, 2, "日期", "date-is-time")]),
    *[(f"development-{column}", develop(column, D(9999, 12, 31)), [(L.DEVELOPMENT, 2, column, "date-out-of-range")])
      for column in ("出生日期", "申请入党日期", "确定积极分子日期", "确定发展对象日期")],
    ("development-接收预备党员日期", develop("接收预备党员日期", D(9999, 12, 31)),
     [(L.DEVELOPMENT, 2, "接收预备党员日期", "date-out-of-range")]),
    ("development-转正日期", develop("转正日期", D(9999, 12, 31)), [(L.DEVELOPMENT, 2, "转正日期", "date-out-of-range")]),
    # numbers: not finite, or beyond the limit
    *[(f"ledger-{name}", ledger("分值", typed), [(L.LEDGER, 2, "分值", "bad-number")])
      for name, typed in (("nan", "nan"), ("inf", "inf"), ("-inf", "-inf"), ("1e309", "1e309"), ("400-digits", HUGE),
                          ("float-nan", float("nan")), ("float-inf", float("inf")))],
    ("ledger-1e300", ledger("分值", 1e300), [(L.LEDGER, 2, "分值", "number-out-of-range")]),
    ("ledger-1001", ledger("分值", 1001), [(L.LEDGER, 2, "分值", "number-out-of-range")]),
    ("ledger-minus-1e300-text", ledger("分值", "-1e300"), [(L.LEDGER, 2, "分值", "number-out-of-range")]),
    *[(f"rule-{column}-{name}", rule(column, typed), [(L.RULES, 2, column, code)])
      for column in ("分值", "上限")
      for name, typed, code in (("nan", "nan", "bad-number"), ("inf", "inf", "bad-number"), ("1e309", "1e309", "bad-number"),
                                ("400-digits", HUGE, "bad-number"), ("1e300", 1e300, "number-out-of-range"))],
    ("notes-1e300", lambda d: d[L.READING][0].update(笔记篇数=1e300), [(L.READING, 2, "笔记篇数", "number-out-of-range")]),
    # text: longer than a cell holds; a line break in a name
    ("text-32768", lambda d: d[L.LEDGER][0].update(事由="事" * 32_768), [(L.LEDGER, 2, "事由", "text-too-long")]),
    ("newline-name", lambda d: d[L.MEMBERS][0].update(姓名="张\n三"), [(L.MEMBERS, 2, "姓名", "newline-in-name")]),
    ("newline-activity", lambda d: d[L.ACTIVITIES][0].update(活动名称="专家\r\n报告会"),
     [(L.ACTIVITIES, 2, "活动名称", "newline-in-name")]),
    ("newline-book", lambda d: d[L.READING][0].update(书名="《红\n岩》"), [(L.READING, 2, "书名", "newline-in-name")]),
    ("newline-group", lambda d: d[L.GROUPS][0].update(小组名称="一\n组"),
     [(L.GROUPS, 2, "小组名称", "newline-in-name"), (L.MEMBERS, 2, "党小组", "unknown-group"),
      (L.MEMBERS, 3, "党小组", "unknown-group"), (L.ACTIVITIES, 3, "组织者", "unknown-organizer")]),
]

SETTING_CASES = [
    ("start-year-1", "年度开始日期", "0001-01-01", [(L.SETTINGS, 3, "值", "setting-out-of-range")]),
    ("start-9999", "年度开始日期", D(9999, 12, 31), [(L.SETTINGS, 3, "值", "setting-out-of-range")]),
    ("end-9999", "年度结束日期", "9999-12-31", [(L.SETTINGS, 4, "值", "setting-out-of-range")]),
    ("cutoff-9999", "积分截止日期", D(9999, 12, 31), [(L.SETTINGS, 5, "值", "setting-out-of-range")]),
    ("cutoff-1899", "积分截止日期", "1899-12-31", [(L.SETTINGS, 5, "值", "setting-out-of-range")]),
    ("cutoff-after-year", "积分截止日期", D(2027, 3, 1), [(L.SETTINGS, 5, "值", "cutoff-outside-year")]),
    ("end-two-years", "年度结束日期", D(2027, 12, 31), [(L.SETTINGS, 4, "值", "year-span")]),
    ("newline-branch", "支部名称", "青山镇\n中心学校党支部", [(L.SETTINGS, 2, "值", "setting-newline")]),
    ("keep-1e300", "备份保留份数", 1e300, [(L.SETTINGS, 7, "值", "setting-bad")]),
    ("raters-100000", "群众评议份数", 100_000, [(L.SETTINGS, 8, "值", "setting-bad")]),
]
NEW_KINDS = {"date-out-of-range", "date-is-time", "number-out-of-range", "text-too-long", "newline-in-name",
             "setting-out-of-range", "setting-newline", "year-span", "year-short", "cutoff-outside-year"}
HOSTILE_CASES = len(CELL_CASES) + len(SETTING_CASES)


@pytest.mark.parametrize("change, expected", [pytest.param(c, e, id=i) for i, c, e in CELL_CASES])
def test_a_hostile_cell_is_a_finding_on_it(data, change, expected):
    change(data)
    _, report = load_data(data)
    assert report.codes() == expected


@pytest.mark.parametrize("key, typed, expected", [pytest.param(k, t, e, id=i) for i, k, t, e in SETTING_CASES])
def test_a_hostile_setting_is_a_finding_and_falls_back(data, key, typed, expected):
    setting(data, key, typed)
    branch, report = load_data(data)
    assert report.codes() == expected
    settings = branch.settings
    assert settings.year_start <= settings.year_end <= settings.year_start + dt.timedelta(days=400)
    assert settings.cutoff is None or dt.date(1900, 1, 1) <= settings.cutoff <= dt.date(2100, 12, 31)
    assert "\n" not in settings.branch


def test_every_new_kind_is_tried():
    tried = {code for *_, expected in CELL_CASES for *_, code in expected}
    tried |= {code for *_, expected in SETTING_CASES for *_, code in expected}
    assert NEW_KINDS - tried == {"year-short"}  # year-short: tests/test_validate.py (months-outside-year)


@pytest.mark.parametrize("typed, shown", [
    (-1e308, "[错误] 加减分!A2 “日期”的日期 -1e+308 不在 1900 年至 2100 年之间。请核对年份，按 2026-03-05 的格式填写。"),
    (-5.0, "[错误] 加减分!A2 “日期”的日期 -5 不在 1900 年至 2100 年之间。请核对年份，按 2026-03-05 的格式填写。"),
    (dt.time(0, 0), "[错误] 加减分!A2 “日期”不是日期：单元格里是 0、负数或只有时间（00:00:00）。请填写日期，如 2026-03-05。"),
])
def test_a_bad_date_is_shown_as_typed_with_its_cell(data, typed, shown):
    data[L.LEDGER][0]["日期"] = typed
    _, report = load_data(data)
    assert [f.describe() for f in report.findings] == [shown]
    assert 2 in report.bad_rows(L.LEDGER)  # the row is left out of the scores


def test_an_absurd_score_says_the_limit(data):
    data[L.LEDGER][0]["分值"] = 1e300
    _, report = load_data(data)
    assert report.findings[0].describe() == (
        "[错误] 加减分!F2 “分值”的值 1e+300 超出合理范围（-1000 至 1000）。请核对数值，每一项不超过 1000；这一行没有计分。")


def test_a_year_far_longer_than_one_is_taken_as_one_year_from_its_start(data):
    setting(data, "年度开始日期", D(1900, 1, 6))
    branch, report = load_data(data)
    assert report.findings[0].describe() == (
        "[错误] 基本设置!B4 年度从 1900-01-06 到 2026-12-31 共 46381 天，不是一年。"
        "年度起止应相隔约一年，如 2026-01-01 至 2026-12-31；本次按 1900-01-06 至 1901-01-05 计算。")
    assert (branch.settings.year_start, branch.settings.year_end) == (D(1900, 1, 6), D(1901, 1, 5))


def test_a_long_text_is_quoted_short(data):
    data[L.LEDGER][0]["事由"] = "事" * 40_000
    _, report = load_data(data)
    finding = report.findings[0]
    assert finding.message == "“事由”太长（40000 个字，一个单元格最多 32767 个字）"
    assert finding.value == "事" * F.SHOWN_LIMIT + "…（共 40000 个字）"


def test_a_line_break_in_a_name_is_folded_and_the_member_still_counts(data):
    data[L.MEMBERS][0]["姓名"] = "张\n三"
    branch, report = load_data(data)
    assert branch.members["D001"]["姓名"] == "张 三"
    assert report.valid and report.findings[0].describe() == (
        "[警告] 党员名册!B2 “姓名”中有换行，已按空格读作“张 三”。请删除换行（单元格内的换行是按 Alt+Enter 输入的）。")


# --- end to end: the real command ------------------------------------------------------------------

def refresh(capsys, path, today=TODAY):
    started = time.perf_counter()
    code = sync.main(["refresh", str(path), "--today", today.isoformat()])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err and "程序遇到意外问题" not in out.out
    return code, out.out, time.perf_counter() - started


@pytest.mark.parametrize("start", ["0001-01-01", D(1900, 1, 6)])
def test_a_year_from_the_year_1_or_1900_refreshes_one_year(capsys, build, data, start):
    setting(data, "年度开始日期", start)
    path = build(data)
    code, out, seconds = refresh(capsys, path)
    assert code == 1 and "已写入" in out
    assert seconds < 60  # it used to run for more than 25 minutes; the figure itself is in benchmarks
    events = icalendar.Calendar.from_ical((path.parent / "活动日历.ics").read_bytes()).walk("VEVENT")
    meetings = sorted(e.decoded("dtstart") for e in events if "活动编号" not in str(e.get("description")))
    assert (meetings[-1] - meetings[0]).days <= 400  # the regular meetings of one year, not of 127 (10,184 events)
    assert len(events) < 100


def test_a_line_break_in_the_branch_name_writes_a_valid_calendar_file(capsys, build, data):
    setting(data, "支部名称", "青山镇\n中心学校党支部")
    path = build(data)
    code, out, _ = refresh(capsys, path)
    assert code == 0 and "[警告] 基本设置!B2 基本设置“支部名称”中有换行，已按空格读作“青山镇 中心学校党支部”" in out
    calendar = icalendar.Calendar.from_ical((path.parent / "活动日历.ics").read_bytes())
    assert str(calendar["x-wr-calname"]) == "青山镇 中心学校党支部活动日历"


def test_a_name_of_32767_characters_is_written_and_read_back(capsys, build, data):
    data[L.MEMBERS][0]["姓名"] = "张" * 32_767
    code, out, _ = refresh(capsys, build(data))
    assert code == 0 and "已写入" in out  # the messages quoting it are cut, so every cell fits and verifies


@pytest.mark.parametrize("typed", ["nan", "1e309", HUGE])
def test_a_score_that_is_no_number_leaves_its_row_out_and_the_refresh_writes(capsys, build, data, typed):
    data[L.LEDGER][0]["分值"] = typed
    code, out, _ = refresh(capsys, build(data))
    assert code == 1 and "[错误] 加减分!F2 “分值”应是数字" in out and "已写入" in out


def test_a_cutoff_before_1900_is_a_finding_not_a_failed_check(capsys, build, data):
    setting(data, "积分截止日期", "1899-12-31")
    code, out, _ = refresh(capsys, build(data))
    assert code == 1 and "已写入" in out and "~workbench-" not in out
    assert "[错误] 基本设置!B5 基本设置“积分截止日期”的日期 1899-12-31 不在 1900 年至 2100 年之间" in out


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01"])
def test_today_outside_1900_to_2100_is_refused(capsys, build, data, day):
    path = build(data)
    before = path.read_bytes()
    with pytest.raises(SystemExit) as stopped:
        sync.main(["refresh", str(path), "--today", day])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"命令写法有误：参数 --today 有误：日期“{day}”超出范围，请写 1900 年至 2100 年之间的日期，如 2026-03-05")
    assert path.read_bytes() == before
