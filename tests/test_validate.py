"""One case per validation rule: change one thing in a clean branch, assert the exact finding.

Each finding is asserted as (sheet, Excel row, column, code). Rows: the first data row of a
sheet is Excel row 2.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from workbook import layout as L
from workbook.reader import read_book
from workplan import findings as F
from workplan.validate import load, wanted_sheets

from conftest import TODAY
from test_hostile_values import NEW_KINDS
from test_staff_input import KINDS_TESTED as STAFF_INPUT_KINDS

D = dt.date


def setting(data, key, value):
    for row in data[L.SETTINGS]:
        if row["项目"] == key:
            row["值"] = value


def drop(rows, **match):
    rows[:] = [r for r in rows if any(r.get(k) != v for k, v in match.items())]


def promise(data, number):
    return data[L.MEMBER_PROMISES][number - 1]


CASES = [
    # one cell at a time
    ("required", lambda d: d[L.MEMBERS][0].update(姓名=None), [(L.MEMBERS, 2, "姓名", "required")]),
    ("bad-date", lambda d: d[L.READING][0].update(完成日期="2026-02-30"), [(L.READING, 2, "完成日期", "bad-date")]),
    ("bad-number", lambda d: d[L.LEDGER][0].update(分值="三分"), [(L.LEDGER, 2, "分值", "bad-number")]),
    ("bad-int", lambda d: d[L.READING][0].update(笔记篇数=2.5), [(L.READING, 2, "笔记篇数", "bad-int")]),
    ("negative", lambda d: d[L.READING][0].update(笔记篇数=-1), [(L.READING, 2, "笔记篇数", "negative")]),
    ("bad-choice", lambda d: d[L.MEMBERS][0].update(性别="男性"), [(L.MEMBERS, 2, "性别", "bad-choice")]),
    ("bad-months", lambda d: d[L.ACTIVITIES][2].update(计划月份="13月"), [(L.ACTIVITIES, 4, "计划月份", "bad-months")]),
    ("duplicate-id", lambda d: d[L.RECOMMENDATIONS].append(dict(d[L.RECOMMENDATIONS][0])),
     [(L.RECOMMENDATIONS, 3, "推荐编号", "duplicate-id")]),
    # references
    ("unknown-member", lambda d: d[L.LEDGER][0].update(党员编号="D099"), [(L.LEDGER, 2, "党员编号", "unknown-member")]),
    ("name-mismatch", lambda d: d[L.READING][0].update(姓名="张四"), [(L.READING, 2, "姓名", "name-mismatch")]),
    ("unknown-group", lambda d: d[L.MEMBERS][2].update(党小组="三组"), [(L.MEMBERS, 4, "党小组", "unknown-group")]),
    ("no-group", lambda d: d[L.MEMBERS][2].update(党小组=None), [(L.MEMBERS, 4, "党小组", "no-group")]),
    ("unknown-organizer", lambda d: d[L.ACTIVITIES][2].update(组织者="三组"), [(L.ACTIVITIES, 4, "组织者", "unknown-organizer")]),
    ("unknown-activity", lambda d: d[L.ATTENDANCE_SHEET][0].update(活动编号="A09"),
     [(L.ATTENDANCE_SHEET, 2, "活动编号", "unknown-activity")]),
    ("duplicate-attendance", lambda d: d[L.ATTENDANCE_SHEET].append(dict(d[L.ATTENDANCE_SHEET][0])),
     [(L.ATTENDANCE_SHEET, 6, "党员编号", "duplicate-attendance")]),
    ("attendance-not-done", lambda d: d[L.ATTENDANCE_SHEET][0].update(活动编号="A03"),
     [(L.ATTENDANCE_SHEET, 2, "活动编号", "attendance-not-done")]),
    # activities
    ("done-without-date", lambda d: d[L.ACTIVITIES][0].update(实际日期=None), [(L.ACTIVITIES, 2, "实际日期", "done-without-date")]),
    ("no-plan", lambda d: d[L.ACTIVITIES][2].update(计划月份=None), [(L.ACTIVITIES, 4, "计划月份", "no-plan")]),
    ("plan-date-outside-months", lambda d: d[L.ACTIVITIES][2].update(计划日期=D(2026, 11, 5)),
     [(L.ACTIVITIES, 4, "计划日期", "plan-date-outside-months")]),
    ("months-outside-year", lambda d: setting(d, "年度结束日期", D(2026, 6, 30)),
     [(L.SETTINGS, 4, "值", "year-short"),  # half a year: said, and the months outside it too
      (L.ACTIVITIES, 3, "计划月份", "months-outside-year"), (L.ACTIVITIES, 4, "计划月份", "months-outside-year")]),
    # commitments
    ("stage-missing", lambda d: promise(d, 1).update(示诺日期=D(2026, 3, 13)), [(L.MEMBER_PROMISES, 2, "示诺日期", "stage-missing")]),
    ("stage-order", lambda d: promise(d, 1).update(审诺日期=D(2026, 2, 20)), [(L.MEMBER_PROMISES, 2, "审诺日期", "stage-order")]),
    ("promise-item", lambda d: promise(d, 1).update(承诺事项="教书育人"),
     [(L.MEMBER_PROMISES, 2, "承诺事项", "promise-item"), (L.MEMBER_PROMISES, None, "承诺事项", "promise-missing")]),
    ("promise-missing", lambda d: drop(d[L.MEMBER_PROMISES], 承诺编号="P011"),
     [(L.MEMBER_PROMISES, None, "承诺事项", "promise-missing")]),
    ("promise-no-deed", lambda d: drop(d[L.MEMBER_PROMISES], 承诺编号="P012"),
     [(L.MEMBER_PROMISES, None, "承诺类别", "promise-no-deed")]),
    ("fulfilment-without-review", lambda d: promise(d, 1).update(兑现情况="已兑现"),
     [(L.MEMBER_PROMISES, 2, "兑现情况", "fulfilment-without-review")]),
    ("review-without-fulfilment",
     lambda d: promise(d, 1).update(审诺日期=D(2026, 3, 6), 示诺日期=D(2026, 3, 13), 评诺日期=D(2026, 7, 3)),
     [(L.MEMBER_PROMISES, 2, "兑现情况", "review-without-fulfilment")]),
    ("aspect-missing", lambda d: [r.update(方面=L.ASPECTS[0]) for r in d[L.BRANCH_PROMISES][12:]],
     [(L.BRANCH_PROMISES, None, "方面", "aspect-missing")]),
    ("promises-not-started", lambda d: d[L.MEMBER_PROMISES].clear(), [(L.MEMBER_PROMISES, None, "承诺内容", "promises-not-started")]),
    ("promises-not-started-carried", lambda d: [r.update(完成说明="由2025年度转入") for r in d[L.BRANCH_PROMISES][3:]] and
     [r.update(完成说明="由2025年度转入；去年未完成") for r in d[L.BRANCH_PROMISES][:3]],
     [(L.BRANCH_PROMISES, None, "承诺内容", "promises-not-started")]),
    ("too-few-dimensions", lambda d: d[L.BRANCH_PROMISES].pop(),
     [(L.BRANCH_PROMISES, None, "工作层面", "too-few-dimensions")]),
    ("dynamic-without-date", lambda d: d[L.BRANCH_PROMISES][0].update(承诺方式="动态新增"),
     [(L.BRANCH_PROMISES, 2, "新增日期", "dynamic-without-date")]),
    # single records
    ("reading-order", lambda d: d[L.READING][0].update(完成日期=D(2026, 2, 1)), [(L.READING, 2, "完成日期", "reading-order")]),
    ("ledger-sign", lambda d: d[L.LEDGER][0].update(事项类别="违规违纪"), [(L.LEDGER, 2, "分值", "ledger-sign")]),
    ("ledger-needs-reason", lambda d: d[L.LEDGER][0].update(事由=None), [(L.LEDGER, 2, "事由", "required")]),
    ("ledger-needs-auditor", lambda d: d[L.LEDGER][0].update(审核人=None), [(L.LEDGER, 2, "审核人", "required")]),
    ("eval-object-member", lambda d: d[L.EVALUATIONS][0].update(评议对象="D099"),
     [(L.EVALUATIONS, 2, "评议对象", "eval-object-member")]),
    ("eval-object-branch", lambda d: d[L.EVALUATIONS][1].update(评议对象="学习好"),
     [(L.EVALUATIONS, 3, "评议对象", "eval-object-branch")]),
    ("eval-grade", lambda d: d[L.EVALUATIONS][0].update(等次="满意"), [(L.EVALUATIONS, 2, "等次", "eval-grade")]),
    ("eval-duplicate", lambda d: d[L.EVALUATIONS].append(dict(d[L.EVALUATIONS][0])),
     [(L.EVALUATIONS, 4, "评议对象", "eval-duplicate")]),
    ("date-outside-year", lambda d: d[L.LEDGER][0].update(日期=D(2025, 12, 20)), [(L.LEDGER, 2, "日期", "date-outside-year")]),
    # development pipeline
    ("dev-stage-missing", lambda d: d[L.DEVELOPMENT][0].update(确定积极分子日期=None),
     [(L.DEVELOPMENT, 2, "确定发展对象日期", "dev-stage-missing")]),
    ("dev-stage-order", lambda d: d[L.DEVELOPMENT][0].update(确定积极分子日期=D(2024, 3, 1)),
     [(L.DEVELOPMENT, 2, "确定积极分子日期", "dev-stage-order")]),
    ("dev-training-year", lambda d: d[L.DEVELOPMENT][0].update(确定发展对象日期=D(2025, 5, 31)),
     [(L.DEVELOPMENT, 2, "确定发展对象日期", "dev-training-year")]),
    ("dev-probation-year", lambda d: d[L.DEVELOPMENT][0].update(接收预备党员日期=D(2025, 7, 1), 转正日期=D(2026, 6, 30)),
     [(L.DEVELOPMENT, 2, "转正日期", "dev-probation-year")]),
    ("dev-too-young", lambda d: d[L.DEVELOPMENT][0].update(出生日期=D(2006, 3, 6)),
     [(L.DEVELOPMENT, 2, "申请入党日期", "dev-too-young")]),
    # 节假日
    ("holiday-order", lambda d: d[L.HOLIDAYS].append({"名称": "国庆节", "开始日期": D(2026, 10, 7), "结束日期": D(2026, 10, 1),
                                                      "类型": "法定节假日"}), [(L.HOLIDAYS, 2, "结束日期", "holiday-order")]),
    ("holiday-span", lambda d: d[L.HOLIDAYS].append({"名称": "暑假", "开始日期": D(2026, 7, 10), "结束日期": D(2027, 8, 31),
                                                     "类型": "学校假期"}), [(L.HOLIDAYS, 2, "结束日期", "holiday-span")]),
    ("holiday-overlap", lambda d: d[L.HOLIDAYS].extend([
        {"名称": "暑假", "开始日期": D(2026, 7, 10), "结束日期": D(2026, 8, 31), "类型": "学校假期"},  # holds 10 Oct: fine
        {"名称": "国庆节", "开始日期": D(2026, 10, 1), "结束日期": D(2026, 10, 7), "类型": "法定节假日"},
        {"名称": "国庆节调休上班", "开始日期": D(2026, 10, 7), "结束日期": D(2026, 10, 10), "类型": "调休上班"}]),
     [(L.HOLIDAYS, 4, "开始日期", "holiday-makeup-weekday"), (L.HOLIDAYS, 4, "开始日期", "holiday-overlap")]),
    ("holiday-makeup-weekday", lambda d: d[L.HOLIDAYS].append({"名称": "调休", "开始日期": D(2026, 10, 12), "类型": "调休上班"}),
     [(L.HOLIDAYS, 2, "开始日期", "holiday-makeup-weekday")]),
    # settings and rules
    ("setting-missing", lambda d: drop(d[L.SETTINGS], 项目="支部名称"), [(L.SETTINGS, None, "项目", "setting-missing")]),
    ("setting-blank", lambda d: setting(d, "支部名称", None), [(L.SETTINGS, 2, "值", "setting-blank")]),
    ("setting-bad", lambda d: setting(d, "每周刷新时间", "每周一"), [(L.SETTINGS, 6, "值", "setting-bad")]),
    ("rule-unknown", lambda d: d[L.RULES].append({"规则代码": "BONUS", "分值": 1}), [(L.RULES, 23, "规则代码", "rule-unknown")]),
    ("rule-missing", lambda d: drop(d[L.RULES], 规则代码="ABSENT"), [(L.RULES, None, "规则代码", "rule-missing")]),
]


def test_clean_branch_has_no_findings(validate, data):
    _, report = validate(data)
    assert report.codes() == []
    assert report.valid


@pytest.mark.parametrize("change, expected", [pytest.param(c, e, id=i) for i, c, e in CASES])
def test_rule(validate, data, change, expected):
    change(data)
    _, report = validate(data)
    assert report.codes() == expected


def test_every_finding_kind_is_exercised():
    covered = {code for _, _, expected in CASES for *_, code in expected}
    covered |= {"missing-sheet", "missing-column", "year-order"}  # tested below
    covered |= {"optional-sheet-missing"}  # a master without 节假日: tests/test_holidays.py
    covered |= {code for code in F.KINDS if code.startswith("form-")}  # returned forms: tests/test_forms.py
    covered |= NEW_KINDS | {"column-renamed", "sheet-renamed"}  # values out of range, renames: tests/test_hostile_*.py
    covered |= STAFF_INPUT_KINDS  # as Excel, WPS and openpyxl save them: tests/test_staff_input.py
    assert covered == set(F.KINDS)


def test_year_order(validate, data):
    setting(data, "年度结束日期", D(2025, 12, 31))
    _, report = validate(data)
    assert (L.SETTINGS, 4, "值", "year-order") in report.codes()


@pytest.mark.parametrize(
    "typed",
    ["2026-04-01", "2026/4/1", "2026.4.1", "2026年4月1日", " ２０２６年４月１日 ", "\u30002026-04-01\u3000", 46113, "46113"],
)
def test_every_date_form_is_read(validate, data, typed):
    data[L.READING][0]["完成日期"] = typed
    branch, report = validate(data)
    assert report.codes() == []
    assert branch.records(L.READING)[0]["完成日期"] == D(2026, 4, 1)


def test_tolerates_what_people_type(validate, data):
    data[L.ATTENDANCE_SHEET][0].update(党员编号="Ｄ００１", 姓名="\u3000张三 ")  # full-width code, spaces
    data[L.LEDGER][0]["分值"] = " 3 "  # a number stored as text
    data[L.MEMBERS][1]["性别"] = " 女\u3000"
    branch, report = validate(data)
    assert report.codes() == []
    assert branch.records(L.ATTENDANCE_SHEET)[0]["党员编号"] == "D001"
    assert branch.records(L.LEDGER)[0]["分值"] == 3.0


def _edit(path, sheet, change):
    book = openpyxl.load_workbook(path)
    change(book, book[sheet])
    book.save(path)


def test_missing_sheet(build, data):
    path = build(data)
    _edit(path, L.LEDGER, lambda book, ws: book.remove(ws))
    _, report = load(read_book(path, wanted_sheets()), TODAY)
    assert report.codes() == [(L.LEDGER, None, None, "missing-sheet")]
    assert report.structural


def test_missing_column(build, data):
    path = build(data)
    _edit(path, L.MEMBERS, lambda book, ws: setattr(ws["C1"], "value", "状态"))
    _, report = load(read_book(path, wanted_sheets()), TODAY)
    assert report.codes() == [(L.MEMBERS, 1, "性别", "missing-column")]
    assert report.findings[0].cell == "C1"


def test_a_misspelt_header_is_named_as_the_likely_rename(build, data):
    path = build(data)
    _edit(path, L.MEMBERS, lambda book, ws: setattr(ws["C1"], "value", "姓别"))
    _, report = load(read_book(path, wanted_sheets()), TODAY)
    assert report.codes() == [(L.MEMBERS, 1, "性别", "column-renamed")]
    assert report.findings[0].describe() == (
        "[错误] 党员名册!C1 缺少列“性别”（应在第 1 行，第 3 列）；第 1 行有一列“姓别”，可能是它被改了名。"
        "如果是，请把列标题“姓别”改回“性别”，列标题必须与模板完全一致。")


def test_header_with_stray_spaces_still_matches(build, data):
    path = build(data)
    _edit(path, L.MEMBERS, lambda book, ws: setattr(ws["A1"], "value", " 党员 编号\u3000"))
    _, report = load(read_book(path, wanted_sheets()), TODAY)
    assert report.codes() == []


def test_blank_rows_between_records_are_skipped(build, data):
    path = build(data)
    _edit(path, L.MEMBERS, lambda book, ws: ws.insert_rows(3, 2))
    branch, report = load(read_book(path, wanted_sheets()), TODAY)
    assert report.codes() == []
    assert [r.row for r in branch.records(L.MEMBERS)] == [2, 5, 6, 7]


def test_finding_locates_cell_and_says_what_to_do(validate, data):
    data[L.READING][0]["完成日期"] = "2026-02-30"
    _, report = validate(data)
    finding = report.findings[0]
    assert finding.flatten() == [
        "错误", "读书记录", "E2", "完成日期", "2026-02-30",
        "“完成日期”不是能识别的日期：2026-02-30",
        "请按 2026-03-05、2026/3/5 或 2026年3月5日 的格式填写",
    ]


def test_rows_with_errors_are_marked_for_scoring(validate, data):
    data[L.LEDGER][0]["审核人"] = None
    _, report = validate(data)
    assert report.bad_rows(L.LEDGER) == {2}
    assert report.bad_rows(L.READING) == set()
