"""A new master from `init`: every input sheet, drop-downs, notes, frozen headers, defaults."""

from __future__ import annotations

import re
import subprocess

import openpyxl
import pytest

from workbook import layout, xlsm
from services.create import build_master, default_data, guide_row_height
from services.guide import GUIDE_LINES
from services.launchers import LAUNCHERS
from services.demo import demo_data
from workplan.rules import DEFAULT_RULES

from conftest import TODAY, soffice_convert


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    path = tmp_path_factory.mktemp("init") / "台账.xlsx"
    return build_master(path, default_data("青山镇中心学校党支部", 2026, ["一组", "二组"]))


def _lists(sheet):
    """Column letter -> drop-down source of each list validation on the sheet."""
    return {str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1 for v in sheet.data_validations.dataValidation}


def test_every_input_sheet_with_contract_headers(master):
    book = openpyxl.load_workbook(master)
    assert book.sheetnames == [layout.GUIDE, *layout.INPUT_SHEET_NAMES, layout.LISTS_SHEET]
    for spec in layout.INPUT_SHEETS:
        sheet = book[spec.name]
        assert [c.value for c in sheet[1]] == list(spec.headers)
        assert sheet.freeze_panes == "A2"
        assert all(cell.comment is not None for cell in sheet[1])


def test_every_list_column_has_a_dropdown_with_literal_or_named_source(master):
    book = openpyxl.load_workbook(master)
    for spec in layout.INPUT_SHEETS:
        lists = _lists(book[spec.name])
        for index, column in enumerate(spec.columns):
            if column.kind == layout.CHOICE:
                assert lists[layout.column_letter(index)] == '"' + ",".join(column.choices) + '"'
    assert _lists(book[layout.MEMBERS])["D"] == layout.GROUP_LIST_NAME
    assert book.defined_names[layout.GROUP_LIST_NAME].attr_text == layout.GROUP_LIST_REF.lstrip("=")


def _reference_lists(book):
    """(sheet, header) -> (list source, error style, first row) of every drop-down naming a defined name."""
    found = {}
    for sheet in book.worksheets:
        headers = {layout.column_letter(i): cell.value for i, cell in enumerate(sheet[1])}
        for v in sheet.data_validations.dataValidation:
            if not v.formula1.startswith('"'):
                first = str(v.sqref).split(":")[0]
                letter = first.rstrip("0123456789")
                found[(sheet.title, headers[letter])] = (v.formula1, v.errorStyle, int(first[len(letter):]))
    return found


EXPECTED_REFERENCE_LISTS = {
    ("党小组", "组长"): ("党员姓名列表", "information", 2),
    ("党员名册", "党小组"): ("小组名称列表", "information", 2),
    ("支部承诺", "责任人"): ("党员姓名列表", "information", 2),
    ("党员承诺", "党员编号"): ("党员编号列表", "warning", 2),
    ("活动计划", "组织者"): ("组织者列表", "warning", 2),
    ("活动计划", "负责人"): ("党员姓名列表", "information", 2),
    ("活动签到", "活动编号"): ("活动编号列表", "warning", 2),
    ("活动签到", "党员编号"): ("党员编号列表", "warning", 2),
    ("读书记录", "党员编号"): ("党员编号列表", "warning", 2),
    ("优秀推荐", "党员编号"): ("党员编号列表", "warning", 2),
    ("优秀推荐", "推荐人"): ("党员姓名列表", "information", 2),
    ("加减分", "党员编号"): ("党员编号列表", "warning", 2),
    ("加减分", "审核人"): ("党员姓名列表", "information", 2),
    ("发展党员", "培养联系人"): ("党员姓名列表", "information", 2),
}
EXPECTED_NAMES = {
    "小组名称列表": "党小组!$A$2:$A$500",
    "党员编号列表": "党员名册!$A$2:$A$2000",
    "党员姓名列表": "党员名册!$B$2:$B$2000",
    "活动编号列表": "活动计划!$A$2:$A$2000",
    "组织者列表": "下拉列表!$A$2:$A$501",
}


def _names(book):
    return {name: defined.attr_text for name, defined in book.defined_names.items()}


def _organizers(book):
    """The hidden helper sheet's formulas behind 组织者列表, and whether it is hidden."""
    sheet = book[layout.LISTS_SHEET]
    return [c.value for c in sheet["A"][1:5]], sheet.sheet_state


ORGANIZER_CELLS = (["支部", '=IF(党小组!A2="","",党小组!A2)', '=IF(党小组!A3="","",党小组!A3)',
                    '=IF(党小组!A4="","",党小组!A4)'], "hidden")


def test_reference_columns_have_lists_through_defined_names(master):
    book = openpyxl.load_workbook(master)
    assert _reference_lists(book) == EXPECTED_REFERENCE_LISTS
    assert _names(book) == EXPECTED_NAMES
    assert _organizers(book) == ORGANIZER_CELLS
    assert book[layout.LISTS_SHEET].max_row == 501


def test_reference_lists_survive_an_openpyxl_save(master, tmp_path):
    openpyxl.load_workbook(master).save(tmp_path / "resaved.xlsx")
    book = openpyxl.load_workbook(tmp_path / "resaved.xlsx")
    assert _reference_lists(book) == EXPECTED_REFERENCE_LISTS
    assert _names(book) == EXPECTED_NAMES
    assert _organizers(book) == ORGANIZER_CELLS


def test_organizer_list_reads_the_groups_typed_now(master):
    values = openpyxl.load_workbook(master, data_only=True)[layout.LISTS_SHEET]
    assert [c.value for c in values["A"][1:5]] == ["支部", "一组", "二组", None]


def test_defaults_prefilled(master):
    book = openpyxl.load_workbook(master)
    rules = [[c.value for c in row] for row in book[layout.RULES].iter_rows(min_row=2)]
    assert [(r[0], r[2], r[3]) for r in rules] == [(r.code, r.value, r.cap) for r in DEFAULT_RULES]
    activities = [[c.value for c in row[:5]] for row in book[layout.ACTIVITIES].iter_rows(min_row=2)]
    assert len(activities) == 13  # ten activities, three of them once per group
    assert activities[2] == ["A03-1", "学雷锋“我为绿色家园添彩笔”活动", "十个一", "一组", "3月"]
    assert activities[-1] == ["A10-2", "省内一日红色旅行考察学习活动", "十个一", "二组", "4—7月"]
    settings = {row[0].value: row[1].value for row in book[layout.SETTINGS].iter_rows(min_row=2)}
    assert settings["支部名称"] == "青山镇中心学校党支部"
    assert settings["年度开始日期"].date().isoformat() == "2026-01-01"


def test_guide_explains_every_input_sheet(master):
    sheet = openpyxl.load_workbook(master)[layout.GUIDE]
    text = "\n".join(str(c.value) for c in sheet["A"] if c.value)
    for spec in layout.INPUT_SHEETS:
        assert f"【{spec.name}】" in text


def test_guide_speaks_to_teachers_of_the_buttons_and_launchers_they_see(master):
    lines = [str(c.value) for c in openpyxl.load_workbook(master)[layout.GUIDE]["A"] if c.value]
    text = "\n".join(lines)
    for word in ("README", "命令行", "sync.py", "reports.py", "python", "Python", "init", "xlwings", "终端"):
        assert word not in text, word
    assert [f"“{a.caption}”：" in text for a in xlsm.ACTIONS] == [True] * 6
    assert [f"“{name}.cmd”" in text for name, _ in LAUNCHERS] == [True] * 4
    for sheet in layout.GENERATED_SHEETS:
        assert sheet in text


def test_guide_wraps_within_portrait_a4_and_its_rows_hold_their_lines(master):
    """70 characters of Calibri and the buttons' 18 (470 points) fit portrait A4's 494; each row is as tall as its
    wrapped lines by the rule of every generated sheet (workbook/textfit.py): the longest line (rule 3 on
    drop-downs, 154 characters, 305 units) takes 5 lines of 66.5 units (70 × 0.95): 5 × 11 × 1.45 + 3 = 82.75
    points, 83.25 in whole pixels."""
    sheet = openpyxl.load_workbook(master)[layout.GUIDE]
    assert sheet.column_dimensions["A"].width == pytest.approx(70.71, abs=0.01)  # xlsxwriter adds the padding
    assert sheet.page_setup.orientation == "portrait" and sheet.sheet_properties.pageSetUpPr.fitToPage
    cells = [c for c in sheet["A"][2:] if c.value]
    assert all(c.alignment.wrap_text for c in cells)
    longest = max(cells, key=lambda c: len(c.value))
    assert longest.value.startswith("3. 带下拉箭头") and sheet.row_dimensions[longest.row].height == 83.25
    assert all(abs(sheet.row_dimensions[c.row].height - guide_row_height(c.value, 12 if c.value.startswith("■") else 11))
               < 0.75 for c in cells)  # to the pixel


def test_libreoffice_opens_init_and_demo_and_keeps_dropdowns(master, tmp_path):
    demo = build_master(tmp_path / "示例.xlsx", demo_data(TODAY))
    for path in (master, demo):
        pdf = soffice_convert(path, "pdf", tmp_path / "pdf")
        assert pdf.read_bytes().startswith(b"%PDF")
    # 使用说明 prints whole: every line of it is in the PDF's text, none cut at the right edge
    printed = re.sub(r"\s", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
    assert all(re.sub(r"\s", "", line) in printed for line in GUIDE_LINES)
    resaved = soffice_convert(master, "xlsx:Calc MS Excel 2007 XML", tmp_path / "resaved")
    book = openpyxl.load_workbook(resaved)
    assert _lists(book[layout.MEMBERS])["C"] == '"男,女"'
    assert _lists(book[layout.MEMBERS])["D"] == layout.GROUP_LIST_NAME
    # LibreOffice keeps every list over a defined name (it shortens the ranges to about 1,000 rows)
    assert {key: (source, style) for key, (source, style, _) in _reference_lists(book).items()} == {
        key: (source, style) for key, (source, style, _) in EXPECTED_REFERENCE_LISTS.items()}
    assert _names(book) == EXPECTED_NAMES
    assert _organizers(book) == ORGANIZER_CELLS
