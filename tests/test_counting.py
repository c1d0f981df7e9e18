"""Who is scored and what counts: one definition, used by every sheet, 近期提醒 and the report.

The clean branch (conftest): D001 张三 and D002 李四 in 一组, D003 王五 (离退休) in 二组, D004
赵六 转出. Scores D001 16, D002 0, D003 2; 一组 2 members, average 8, total 11.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from services.demo import demo_data
from workbook import layout as L
from workbook.sheetmodel import SheetModel
from workplan import pipeline
from workplan.annual import annual_blocks
from workplan.counting import LeftOut, awaiting_review, counted
from workplan.report import year_report
from workplan.scoring import score
from workplan.sheets.scores import member_scores_sheet
from workplan.sheets.validation import MEMBER_LEFT_OUT, effect

from conftest import TODAY, load_data, raw_book

TRANSFERRED = LeftOut("党员", L.MEMBERS, 5, "H5", "D004", "赵六", "在册状态为“转出”，不计分")


def scored(data, today=TODAY):
    branch, report = load_data(data, today)
    scores = score(branch, report, today)
    members = {m.member_id: m.total for m in scores.members}
    groups = {g.group: (g.members, g.average, g.total) for g in scores.groups}
    return report, scores, members, groups


def test_a_wrong_gender_is_reported_and_the_member_scored(data):
    data[L.MEMBERS][0]["性别"] = "男性"
    report, scores, members, groups = scored(data)
    assert report.codes() == [(L.MEMBERS, 2, "性别", "bad-choice")]
    assert members == {"D001": 16.0, "D002": 0.0, "D003": 2.0}
    assert groups["一组"] == (2, 8.0, 11.0)
    assert effect(report.findings[0]) == ""  # 校验结果's 计分影响: nothing left out
    assert scores.left_out == [TRANSFERRED]


def test_an_unknown_group_leaves_the_member_out_and_says_where(data):
    data[L.MEMBERS][1]["党小组"] = "三组"
    report, scores, members, groups = scored(data)
    assert report.codes() == [(L.MEMBERS, 3, "党小组", "unknown-group")]
    assert members == {"D001": 16.0, "D003": 2.0}
    assert groups["一组"] == (1, 16.0, 19.0)
    assert effect(report.findings[0]) == MEMBER_LEFT_OUT
    assert scores.left_out == [
        LeftOut("党员", L.MEMBERS, 3, "D3", "D002", "李四", "党小组“三组”在“党小组”表中不存在"), TRANSFERRED,
        LeftOut("记录", L.MEMBER_PROMISES, 14, "B14", "D002", "李四", "党员 D002 不计分，本表中该党员的 12 条记录都不计入（此为第一条）"),
        LeftOut("记录", L.ATTENDANCE_SHEET, 3, "B3", "D002", "李四", "党员 D002 不计分，这条记录不计入"),
    ]


def test_a_blank_standing_leaves_the_member_out(data):
    data[L.MEMBERS][2]["在册状态"] = None
    report, scores, members, _ = scored(data)
    assert report.codes() == [(L.MEMBERS, 4, "在册状态", "required")]
    assert members == {"D001": 16.0, "D002": 0.0}
    assert scores.left_out[0] == LeftOut("党员", L.MEMBERS, 4, "H4", "D003", "王五", "“在册状态”不能为空")


def test_a_blank_name_is_reported_and_the_member_scored_by_his_code(data):
    data[L.MEMBERS][1]["姓名"] = None
    report, _, members, _ = scored(data)
    assert report.codes() == [(L.MEMBERS, 3, "姓名", "required")]
    assert members == {"D001": 16.0, "D002": 0.0, "D003": 2.0}
    branch, _ = load_data(data)
    assert branch.member_label("D002") == "D002"


def test_a_member_without_a_group_is_scored_and_listed_as_in_no_group(data):
    data[L.MEMBERS][2]["党小组"] = None
    report, scores, members, groups = scored(data)
    assert report.codes() == [(L.MEMBERS, 4, "党小组", "no-group")]
    assert members["D003"] == 2.0 and groups["二组"] == (0, 0.0, 0.0)
    assert scores.left_out == [TRANSFERRED, LeftOut("小组", L.MEMBERS, 4, "D4", "D003", "王五",
                                                    "未填写党小组：计个人积分，不计入小组平均分")]


def test_records_with_errors_and_records_of_unscored_members_are_listed(data):
    data[L.LEDGER][0]["审核人"] = None
    data[L.ATTENDANCE_SHEET].append({"活动编号": "A01", "党员编号": "D004", "姓名": "赵六", "出勤": "出席"})
    _, scores, members, _ = scored(data)
    assert members["D001"] == 13.0
    assert scores.left_out == [
        TRANSFERRED,
        LeftOut("记录", L.ATTENDANCE_SHEET, 6, "B6", "D004", "赵六", "党员 D004 不计分，这条记录不计入"),
        LeftOut("记录", L.LEDGER, 2, "G2", "D001", "张三", "“审核人”不能为空"),
    ]


def test_the_list_below_the_member_scores(data):
    data[L.MEMBERS][0]["性别"] = "男性"
    _, scores, _, _ = scored(data)
    model = member_scores_sheet(scores)
    value = lambda row, col: model.cells[(row, col)].value  # noqa: E731
    assert [value(r, 0) for r in (3, 4, 5)] == ["D001", "D003", "D002"]  # Excel rows 4–6
    assert all((6, c) not in model.cells for c in range(16))  # Excel row 7 blank
    assert value(7, 0) == "未计入积分的党员和记录（共 1 项）：改正后下次刷新即计入"
    assert [value(8, c) for c in range(6)] == ["类别", "工作表", "单元格", "党员编号", "姓名", "原因"]
    assert [value(9, c) for c in range(6)] == ["党员", "党员名册", "H5", "D004", "赵六", "在册状态为“转出”，不计分"]
    assert model.cells[(9, 2)].link == model.cells[(9, 1)].link == "'党员名册'!H5"
    assert model.autofilter == (2, 0, 5, 15)  # the filter stays on the main table
    assert (9, 5, 9, 15) in model.merges


def test_nothing_below_the_table_when_nothing_is_left_out(data):
    data[L.MEMBERS] = data[L.MEMBERS][:3]
    _, scores, _, _ = scored(data)
    assert scores.left_out == []
    assert member_scores_sheet(scores).max_row == 5


# --- the same members and rows everywhere -------------------------------------------------------

def _sheet_ids(model: SheetModel, header: str) -> set:
    """The values below the column headed `header` of a generated sheet (its first table)."""
    where = next(((r, c) for (r, c), cell in sorted(model.cells.items()) if cell.value == header), None)
    if where is None:
        return set()
    row, col = where
    found = set()
    while (row := row + 1, col) in model.cells and model.cells[(row, col)].value not in ("", None):
        found.add(model.cells[(row, col)].value)
    return found


CHANGES = {
    "clean": lambda d: None,
    "gender": lambda d: d[L.MEMBERS][0].update(性别="男性"),
    "unknown group": lambda d: d[L.MEMBERS][1].update(党小组="三组"),
    "blank standing": lambda d: d[L.MEMBERS][2].update(在册状态=None),
    "back from transfer": lambda d: d[L.MEMBERS][3].update(在册状态="在职"),
    "repeated code": lambda d: d[L.MEMBERS].append(dict(d[L.MEMBERS][1], 姓名="李四二")),
    "sign-in of the transferred": lambda d: d[L.ATTENDANCE_SHEET].append(
        {"活动编号": "A02", "党员编号": "D004", "姓名": "赵六", "出勤": "出席"}),
    "commitment of the transferred": lambda d: d[L.MEMBER_PROMISES].append(
        {"承诺编号": "P900", "党员编号": "D004", "姓名": "赵六", "承诺类别": "实事承诺", "承诺事项": "x", "承诺内容": "x",
         "承诺日期": dt.date(2026, 2, 26)}),
    "no group": lambda d: d[L.MEMBERS][2].update(党小组=None),
}


@pytest.mark.parametrize("change", list(CHANGES.values()), ids=list(CHANGES))
def test_every_sheet_and_the_report_count_the_same_members(data, change):
    change(data)
    result = pipeline.refresh(raw_book(data), TODAY)
    ids = {m.member_id for m in result.scores.members}
    sheets = {m.name: m for m in result.sheets}
    assert ids == counted(result.branch, result.report).ids
    assert _sheet_ids(sheets["个人积分"], "党员编号") == ids
    assert _sheet_ids(sheets["群众评议表"], "党员编号") == ids
    assert {row.target for row in result.tally.members} == ids
    assert {block.heading[0][1] for block in annual_blocks(result.branch, result.report, result.scores, result.tally)} == ids
    assert _sheet_ids(sheets["读书考评表"], "党员编号") <= ids and _sheet_ids(sheets["承诺评议表"], "党员编号") <= ids
    figures = year_report(result)
    assert figures.members == len(ids)
    assert {t.key for t in figures.attendance.members} == ids
    assert figures.attendance.overall.total == sum(t.total for t in figures.attendance.members)
    assert {m.member_id for m in figures.recommendations.members} <= ids
    waiting = len(awaiting_review(counted(result.branch, result.report).rows(L.MEMBER_PROMISES), TODAY))
    assert _notice_waiting(sheets["公示表"]) == figures.promises.reached["承诺"] - figures.promises.reached["审诺"] == waiting


def _notice_waiting(model: SheetModel) -> int:
    text = next(c.value for c in model.cells.values() if isinstance(c.value, str) and "欢迎师生" in c.value)
    found = re.search(r"另有 (\d+) 项党员承诺尚未审诺", text)
    return int(found.group(1)) if found else 0


# --- the demo -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo():
    return pipeline.refresh(raw_book(demo_data(TODAY)), TODAY)


def test_the_demos_d006_is_scored_and_his_gender_still_reported(demo):
    assert (L.MEMBERS, 7, "性别", "bad-choice") in demo.report.codes()
    d006 = next(m for m in demo.scores.members if m.member_id == "D006")
    assert (d006.name, d006.group, d006.total, d006.rank) == ("曾慧东", "中心小学党小组", 82.8, 22)
    assert len(demo.scores.members) == 39
    assert [(g.group, g.members, g.average, g.total, g.rank) for g in demo.scores.groups] == [
        ("中心小学党小组", 10, 89.68, 131.68, 1), ("东山小学党小组", 10, 87.31, 129.31, 2),
        ("西河小学党小组", 9, 89.04, 126.04, 3), ("离退休教师党小组", 10, 56.22, 104.22, 4)]


def test_the_demos_three_counts_of_commitments_awaiting_review_agree(demo):
    sheets = {m.name: m for m in demo.sheets}
    stage = next(r for r in demo.reminders if r.subject == "承诺停在“承诺”")
    figures = year_report(demo)
    assert _notice_waiting(sheets["公示表"]) == 49
    assert stage.detail == "29 名党员的 49 项承诺已超过 30 天尚未审诺（尚未审诺的共 49 项），请安排审诺"
    assert figures.promises.reached["承诺"] - figures.promises.reached["审诺"] == 49
    assert figures.members == 39


def test_the_demos_left_out_list(demo):
    assert [(line.kind, line.sheet, line.cell) for line in demo.scores.left_out] == [
        ("党员", L.MEMBERS, "H31"), ("记录", L.MEMBER_PROMISES, "J4"), ("记录", L.ACTIVITIES, "E108"),
        ("记录", L.ATTENDANCE_SHEET, "B1662"), ("记录", L.ATTENDANCE_SHEET, "B1663"), ("记录", L.ATTENDANCE_SHEET, "B1664"),
        ("记录", L.ATTENDANCE_SHEET, "A1665"), ("记录", L.READING, "E4"), ("记录", L.LEDGER, "G2")]
    assert demo.scores.left_out[0].reason == "在册状态为“转出”，不计分"
