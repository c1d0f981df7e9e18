"""Reading what staff typed as they meant it, in workbooks saved the way Excel, WPS and openpyxl save them.

Each case starts from the clean branch (findings [], D001 16, D002 0, D003 2; 一组 2 members,
average 8, total 11; 二组 1, 2, 2), changes one thing as an application would, and asserts the
exact findings and scores. Merged cells, Excel's dates in 计划月份, formulas without a cached
value, Excel error values, a repeated header, invisible characters.
"""

from __future__ import annotations

import datetime as dt

import pytest

from workbook import layout as L
from workbook import reader
from workbook.raw import CellError, NoCachedValue, fill_merged
from workplan import findings as F

from staffbooks import (CLEAN_GROUPS, CLEAN_MEMBERS, add_far_cell, replace_cell, settings_row, totals, validated,
                        with_openpyxl)

D = dt.date
# Finding kinds first exercised here (tests/test_validate.py checks every kind is exercised somewhere).
KINDS_TESTED = {"merged-across", "months-from-date", "cell-error", "cell-error-text", "formula-no-value",
                "formula-no-value-text", "setting-cell-error", "setting-no-value", "duplicate-header", "invisible-chars"}


@pytest.fixture
def master(build, data):
    return build(data)


def _merge(sheet, area):
    return lambda book: book[sheet].merge_cells(area)


def _stream_everything(monkeypatch):
    """Make the reader take the streaming path for every sheet, as for a sheet with a far cell."""
    monkeypatch.setattr(reader, "_fits_calamine", lambda scan: False)


# --- merged cells ------------------------------------------------------------------------------

def test_activity_code_merged_over_its_sign_ins_counts_for_every_row(master):
    """活动签到 A2:A4 (A01 for D001, D002, D003) merged: Excel keeps A01 in A2 only."""
    with_openpyxl(master, _merge(L.ATTENDANCE_SHEET, "A2:A4"))
    assert totals(master) == ([], CLEAN_MEMBERS, CLEAN_GROUPS)


def test_group_merged_over_its_members_keeps_the_group_sizes(master):
    with_openpyxl(master, lambda book: (book[L.MEMBERS].merge_cells("D2:D3"), book[L.MEMBERS].merge_cells("D4:D5")))
    assert totals(master) == ([], CLEAN_MEMBERS, CLEAN_GROUPS)


def test_a_merge_running_past_the_table_makes_no_records(master):
    """A5:A8 merged (A02 for D001 in row 5; rows 6–8 hold nothing else): no rows 6–8 appear."""
    with_openpyxl(master, _merge(L.ATTENDANCE_SHEET, "A5:A8"))
    branch, report = validated(master)
    assert report.codes() == []
    assert [r.row for r in branch.records(L.ATTENDANCE_SHEET)] == [2, 3, 4, 5]


def test_a_merge_over_several_columns_warns_and_fills_only_its_first(master):
    """活动计划 E4:F4 (A03's 计划月份 12月 and its blank 计划日期) merged: read as 12月, with a warning."""
    with_openpyxl(master, _merge(L.ACTIVITIES, "E4:F4"))
    codes, members, groups = totals(master)
    assert codes == [(L.ACTIVITIES, 4, "计划月份", "merged-across")]
    assert (members, groups) == (CLEAN_MEMBERS, CLEAN_GROUPS)
    finding = validated(master)[1].findings[0]
    assert (finding.level, finding.cell, finding.message) == (
        F.WARNING, "E4", "E4:F4 合并成了一个单元格，只有“计划月份”有值，“计划日期”读作空白")


def test_calamine_and_the_streaming_reader_read_merges_alike(master, monkeypatch):
    with_openpyxl(master, lambda book: (book[L.ATTENDANCE_SHEET].merge_cells("A2:A4"), book[L.MEMBERS].merge_cells("D2:D3")))

    def read():
        book = reader.read_book(master, {L.ATTENDANCE_SHEET: 5, L.MEMBERS: 10})
        return {name: ([(row, [None if v == "" else v for v in cells[:5]]) for row, cells in sheet.rows], sheet.merges)
                for name, sheet in book.sheets.items()}

    by_calamine = read()
    _stream_everything(monkeypatch)
    assert read() == by_calamine
    assert by_calamine[L.ATTENDANCE_SHEET][1] == [(2, 0, 4, 0)]
    assert [cells[0] for _, cells in by_calamine[L.ATTENDANCE_SHEET][0]] == ["A01", "A01", "A01", "A02"]


def test_merged_sign_ins_with_a_far_cell_go_through_the_streaming_reader(master, monkeypatch):
    with_openpyxl(master, _merge(L.ATTENDANCE_SHEET, "A2:A4"))
    add_far_cell(master, L.ATTENDANCE_SHEET)
    used = []
    real = reader._Calamine.rows
    monkeypatch.setattr(reader._Calamine, "rows", lambda self, name, *args: used.append(name) or real(self, name, *args))
    assert totals(master) == ([], CLEAN_MEMBERS, CLEAN_GROUPS)
    assert L.ATTENDANCE_SHEET not in used and L.MEMBERS in used


def test_fill_merged_rules():
    rows = [(1, ["标题", None]), (2, ["A01", "x"]), (3, ["", "y"]), (4, [None, "z"]), (6, ["own", "w"])]
    fill_merged(rows, [(1, 1, 3, 1), (2, 0, 6, 0), (3, 1, 4, 1)])
    assert rows == [(1, ["标题", None]), (2, ["A01", "x"]), (3, ["A01", "y"]), (4, ["A01", "z"]), (6, ["own", "w"])]
    # the header merge (row 1) gives nothing; a covered cell with its own value keeps it; row 5 held nothing


# --- what Excel makes of 计划月份 ------------------------------------------------------------------

def _months(value, number_format=None, cell="E2"):
    def change(book):
        book[L.ACTIVITIES][cell] = value
        if number_format:
            book[L.ACTIVITIES][cell].number_format = number_format
    return change


def test_a_month_typed_as_2026年3月_is_an_excel_date_and_reads_as_march(master):
    """Typing 2026年3月 makes Excel store 2026-03-01 with the format yyyy"年"m"月"."""
    with_openpyxl(master, _months(dt.datetime(2026, 3, 1), 'yyyy"年"m"月"'))
    assert totals(master) == ([], CLEAN_MEMBERS, CLEAN_GROUPS)
    branch, _ = validated(master)
    assert branch.records(L.ACTIVITIES)[0]["计划月份"] == (3, 3)


def test_a_month_range_typed_with_its_year(master):
    with_openpyxl(master, _months("2026年4月—7月", cell="E3"))
    assert totals(master) == ([], CLEAN_MEMBERS, CLEAN_GROUPS)
    assert validated(master)[0].records(L.ACTIVITIES)[1]["计划月份"] == (4, 7)


def test_a_month_of_another_year_is_outside_the_year(master):
    with_openpyxl(master, _months(dt.datetime(2025, 3, 1), 'yyyy"年"m"月"'))
    codes, members, _ = totals(master)
    assert codes == [(L.ACTIVITIES, 2, "计划月份", "months-outside-year")]
    assert validated(master)[1].findings[0].value == "2025年3月"
    assert members == {"D001": 14.0, "D002": 0.0, "D003": 0.0}  # A01 left out: its sign-ins count nowhere


def test_4_7_turned_into_april_7th_reads_as_april_with_a_warning(master):
    with_openpyxl(master, _months(dt.datetime(2026, 3, 7), "m月d日"))
    codes, members, groups = totals(master)
    assert codes == [(L.ACTIVITIES, 2, "计划月份", "months-from-date")]
    assert (members, groups) == (CLEAN_MEMBERS, CLEAN_GROUPS)
    assert validated(master)[1].findings[0].message == "计划月份被 Excel 存成了日期 3月7日，按 2026年3月 计"


# --- formulas and Excel error values --------------------------------------------------------------

def test_a_formula_without_a_cached_value_is_a_finding_on_its_cell(master):
    """openpyxl writes 加减分!F2 =1+2 as <f>1+2</f><v /> (it never calculates): not a blank 分值."""
    with_openpyxl(master, lambda book: book[L.LEDGER].__setitem__("F2", "=1+2"))
    codes, members, groups = totals(master)
    assert codes == [(L.LEDGER, 2, "分值", "formula-no-value")]
    assert members["D001"] == 13.0 and groups["一组"] == (2, 6.5, 9.5)  # the row is left out, as its score needs 分值
    finding = validated(master)[1].findings[0]
    assert (finding.level, finding.cell, finding.value, finding.message, finding.suggestion) == (
        F.ERROR, "F2", "=1+2", "“分值”的公式没有计算结果（=1+2）", "公式没有计算结果：请在 Excel 或 WPS 中打开并保存一次")


def test_a_name_looked_up_by_a_formula_costs_no_sign_in(master):
    with_openpyxl(master, lambda book: book[L.ATTENDANCE_SHEET].__setitem__("C2", "=VLOOKUP(B2,党员名册!A:B,2,0)"))
    codes, members, _ = totals(master)
    assert codes == [(L.ATTENDANCE_SHEET, 2, "姓名", "formula-no-value-text")]
    assert members == CLEAN_MEMBERS
    assert validated(master)[1].findings[0].level == F.WARNING


def test_a_formula_with_its_cached_value_counts_by_that_value(master):
    replace_cell(master, L.LEDGER, "F2", '<c r="F2"><f>1+2</f><v>3</v></c>')
    assert totals(master) == ([], CLEAN_MEMBERS, CLEAN_GROUPS)


def test_error_values_are_findings_and_a_broken_cutoff_is_not_silently_today(master):
    """基本设置!B5 (积分截止日期) #REF!, 加减分!F2 #DIV/0!, 读书记录!A2 #N/A; today 2026-11-28."""
    def change(book):
        book[L.SETTINGS][f"B{settings_row('积分截止日期')}"] = "#REF!"
        book[L.LEDGER]["F2"] = "#DIV/0!"
        book[L.READING]["A2"] = "#N/A"
    with_openpyxl(master, change)
    codes, members, _ = totals(master, D(2026, 11, 28))
    assert codes == [(L.READING, 2, "党员编号", "cell-error"), (L.LEDGER, 2, "分值", "cell-error"),
                     (L.SETTINGS, 5, "值", "setting-cell-error")]
    assert members["D001"] == 9.0  # his book (1 + 3) and his ledger row (3) are left out
    branch, report = validated(master, D(2026, 11, 28))
    assert branch.settings.cutoff_for(D(2026, 11, 28)) == D(2026, 11, 28)
    cutoff = report.findings[-1]
    assert (cutoff.level, cutoff.cell, cutoff.message) == (F.ERROR, "B5", "基本设置“积分截止日期”是 Excel 错误值 #REF!")
    assert cutoff.suggestion.endswith("本次按今天（2026-11-28）统计")
    assert all(f.level == F.ERROR for f in report.findings)


def test_a_settings_formula_without_its_result(master):
    with_openpyxl(master, lambda book: book[L.SETTINGS].__setitem__(f"B{settings_row('积分截止日期')}", "=TODAY()"))
    codes, members, _ = totals(master)
    assert codes == [(L.SETTINGS, 5, "值", "setting-no-value")]
    assert members == CLEAN_MEMBERS


def test_an_error_value_in_a_name_beside_a_code_is_a_warning(master):
    with_openpyxl(master, lambda book: book[L.ATTENDANCE_SHEET].__setitem__("C2", "#N/A"))
    codes, members, _ = totals(master)
    assert codes == [(L.ATTENDANCE_SHEET, 2, "姓名", "cell-error-text")]
    assert members == CLEAN_MEMBERS


def test_the_streaming_reader_gives_the_same_markers(master, monkeypatch):
    """openpyxl's <v /> used to crash the streaming reader (float('')): the file was called corrupt."""
    with_openpyxl(master, lambda book: (book[L.LEDGER].__setitem__("F2", "=1+2"), book[L.READING].__setitem__("A2", "#N/A")))
    add_far_cell(master, L.LEDGER)
    add_far_cell(master, L.READING)
    codes, members, _ = totals(master)
    assert codes == [(L.READING, 2, "党员编号", "cell-error"), (L.LEDGER, 2, "分值", "formula-no-value")]
    _stream_everything(monkeypatch)
    sheets = reader.read_book(master, {L.LEDGER: 7, L.READING: 8}).sheets
    assert sheets[L.LEDGER].rows[0][1][5] == NoCachedValue("1+2")
    assert sheets[L.READING].rows[0][1][0] == CellError("#N/A")


# --- headers and invisible characters -----------------------------------------------------------

def test_a_repeated_header_is_an_error_on_the_second(master):
    with_openpyxl(master, lambda book: book[L.ATTENDANCE_SHEET].__setitem__("F1", "出勤"))
    codes, members, _ = totals(master)
    assert codes == [(L.ATTENDANCE_SHEET, 1, "出勤", "duplicate-header")]
    assert members == CLEAN_MEMBERS
    finding = validated(master)[1].findings[0]
    assert (finding.cell, finding.message) == ("F1", "列标题“出勤”重复（D 列已有），程序只读取 D 列")


def test_a_repeated_header_inserted_before_the_real_one_says_which_is_read(master):
    def change(book):
        sheet = book[L.ATTENDANCE_SHEET]
        sheet.insert_cols(4)
        sheet["D1"] = "出勤"
        for row in range(2, 6):
            sheet[f"D{row}"] = "缺席"
    with_openpyxl(master, change)
    codes, members, _ = totals(master)
    assert codes == [(L.ATTENDANCE_SHEET, 1, "出勤", "duplicate-header")]
    assert validated(master)[1].findings[0].cell == "E1"
    assert members == {"D001": 11.0, "D002": -1.0, "D003": -1.0}  # read as typed in D, the column the finding names


def test_invisible_characters_are_removed_with_a_warning_on_the_cell(master):
    def change(book):
        roster = book[L.MEMBERS]
        roster["A2"], roster["A3"], roster["D4"] = "D001\u200b", "\ufeffD002", "二组\u200b"
        roster["A5"] = "D004_x0007_"  # a control character, as Excel stores it in the XML
        roster["A1"] = "党员编号\u200b"
    with_openpyxl(master, change)
    codes, members, groups = totals(master)
    assert codes == [(L.MEMBERS, 2, "党员编号", "invisible-chars"), (L.MEMBERS, 3, "党员编号", "invisible-chars"),
                     (L.MEMBERS, 4, "党小组", "invisible-chars"), (L.MEMBERS, 5, "党员编号", "invisible-chars")]
    assert (members, groups) == (CLEAN_MEMBERS, CLEAN_GROUPS)
    messages = [f.message for f in validated(master)[1].findings]
    assert messages[0] == "“党员编号”中有看不见的字符（零宽空格 U+200B），已去除，按“D001”读取"
    assert messages[1] == "“党员编号”中有看不见的字符（字节顺序标记（BOM） U+FEFF），已去除，按“D002”读取"
    assert messages[3] == "“党员编号”中有看不见的字符（控制字符 U+0007），已去除，按“D004”读取"
