"""A new master from `init`: every input sheet, drop-downs, notes, frozen headers, defaults."""

from __future__ import annotations

import openpyxl
import pytest

from workbook import layout
from services.create import build_master, default_data
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
    assert book.sheetnames == [layout.GUIDE, *layout.INPUT_SHEET_NAMES]
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


def test_libreoffice_opens_init_and_demo_and_keeps_dropdowns(master, tmp_path):
    demo = build_master(tmp_path / "示例.xlsx", demo_data(TODAY))
    for path in (master, demo):
        pdf = soffice_convert(path, "pdf", tmp_path / "pdf")
        assert pdf.read_bytes().startswith(b"%PDF")
    resaved = soffice_convert(master, "xlsx:Calc MS Excel 2007 XML", tmp_path / "resaved")
    book = openpyxl.load_workbook(resaved)
    assert _lists(book[layout.MEMBERS])["C"] == '"男,女"'
    assert _lists(book[layout.MEMBERS])["D"] == layout.GROUP_LIST_NAME
