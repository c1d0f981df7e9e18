"""The batched cell-block writer (macros.blocks) on xlwings' remote engine: few actions, the same sheet.

The actions are carried out on a copy of the file by tests/xlwings_json.py, the way a client
would, and the result is compared with what the file writer renders for the same model.
"""

from __future__ import annotations

import openpyxl
import pytest

import macros
from macros import blocks
from services.create import build_master
from services.demo import demo_data
from workbook import render_xlsx
from workbook.sheetmodel import PrintSetup, SheetModel, Style

from conftest import TODAY
from xlwings_json import apply_actions, json_book

BOLD, FILL = Style(bold=True), Style(fill="#FFF2CC")


def test_cover_takes_rectangles_and_paints_empty_cells_only_where_allowed():
    required = {(0, 0): True, (0, 1): True, (1, 0): True, (1, 1): True, (3, 0): True}
    assert blocks.cover(required, set()) == [((0, 0, 1, 1), True), ((3, 0, 3, 0), True)]
    assert blocks.cover(required, {(2, 0), (2, 1)}) == [((0, 0, 2, 1), True), ((3, 0, 3, 0), True)]
    assert blocks.cover(required, {(2, 0), (2, 1), (3, 1)}) == [((0, 0, 3, 1), True)]
    assert blocks.fewest({(0, c): 1 for c in range(3)} | {(r, 0): 1 for r in range(3)}, set()) == [
        ((0, 0, 0, 2), 1), ((1, 0, 2, 0), 1)]
    assert blocks.cover({(0, 0): "a", (0, 1): "b"}, set()) == [((0, 0, 0, 0), "a"), ((0, 1, 0, 1), "b")]


def test_one_row_merges_of_the_same_columns_become_one_merge_across():
    merges = [(3, 0, 3, 2), (4, 0, 4, 2), (5, 0, 5, 2), (7, 0, 7, 2), (3, 4, 5, 4)]
    assert blocks.merge_groups(merges) == [((3, 0, 5, 2), True), ((7, 0, 7, 2), False), ((3, 4, 5, 4), False)]


def test_runs_of_equal_sizes():
    assert blocks.value_runs({0: 20, 1: 20, 2: 30, 4: 30}) == [(0, 1, 20), (2, 2, 30), (4, 4, 30)]


def paged_model() -> SheetModel:
    """Three printed pages of 4 rows; pages 2 and 3 look alike (page 1 has a title)."""
    model = SheetModel("评议测试", print_setup=PrintSetup(page_breaks=(4, 8)))
    model.merge(0, 0, 0, 2, "标题", Style(bold=True, size=16))
    for page in range(3):
        top = page * 4
        if page:
            model.merge(top, 0, top, 2, f"第{page + 1}页", BOLD)
        for row in range(top + 1, top + 4):
            model.put(row, 0, f"党员{row}", FILL)
            model.put(row, 1, row * 1.5, Style(num_format="0.00"))
            model.row_heights[row] = 24
    return model


def render_remote(tmp_path, model):
    source = tmp_path / "m.xlsx"
    build_master(source, demo_data(TODAY))
    book = json_book(source)
    sheet = book.sheets.add(model.name, after=book.sheets[-1])
    blocks.render(sheet, model, remote=True)
    target = tmp_path / "out.xlsx"
    apply_actions(source, target, book.json())
    return book.json()["actions"], openpyxl.load_workbook(target)[model.name]


def test_pages_that_look_like_page_two_are_copied_from_it(tmp_path):
    model = paged_model()
    actions, sheet = render_remote(tmp_path, model)
    copies = [a for a in actions if a["func"] == "copyFromRange"]
    assert [(a["start_row"], a["row_count"], a["args"][1:3]) for a in copies] == [(8, 4, ["$A$5:$XFD$8", "formats"])]
    standalone = tmp_path / "file.xlsx"
    render_xlsx.write_standalone(standalone, [model])
    expected = openpyxl.load_workbook(standalone)[model.name]
    for row in range(1, 13):
        for col in range(1, 4):
            got, want = sheet.cell(row, col), expected.cell(row, col)
            assert got.value == want.value, (row, col)
            assert (got.font.b, got.fill.fgColor.rgb[-6:] if got.fill.fill_type else None, got.number_format) == \
                (want.font.b, want.fill.fgColor.rgb[-6:] if want.fill.fill_type else None, want.number_format), (row, col)
        assert sheet.row_dimensions[row].height == expected.row_dimensions[row].height, row
    assert sorted(str(r) for r in sheet.merged_cells.ranges) == sorted(str(r) for r in expected.merged_cells.ranges)


def test_links_travel_in_the_value_block_and_text_stays_text(tmp_path):
    model = SheetModel("链接测试")
    model.put(0, 0, "D7", link="'党员名册'!D7")
    model.put(0, 1, "=王五")
    model.put(1, 0, "长" * 300, link="'党员名册'!D8")
    actions, sheet = render_remote(tmp_path, model)
    values = next(a for a in actions if a["func"] == "setValues" and a["values"][0][0] is not None)["values"]
    assert values[0][:2] == ['=HYPERLINK("#\'党员名册\'!D7","D7")', "'=王五"]
    assert [a["args"][0] for a in actions if a["func"] == "addHyperlink"] == ["#'党员名册'!D8"]  # too long for a formula
    assert (sheet["A1"].value, sheet["A1"].hyperlink.target, sheet["B1"].value) == ("D7", "#'党员名册'!D7", "=王五")


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_a_refresh_of_the_demo_takes_fewer_than_a_thousand_actions(tmp_path, suffix):
    path = tmp_path / f"demo{suffix}"
    build_master(path, demo_data(TODAY))
    book = json_book(path)
    done = macros.refresh(book, TODAY)
    actions = book.json()["actions"]
    assert done.message.startswith("发现错误 11 条，警告 1 条。")
    assert len(actions) < 1000
    # 党员年度考评表 (39 members): 38 of pages 2–39 look alike (since the demo records its 支委会 and 党小组会),
    # one drawn, 37 copied; the forms now break into pages too, and 公示表 has 6 alike (5 copied), 承诺评议表 2 (1 copied)
    assert sum(a["func"] == "copyFromRange" for a in actions) == 37 + 5 + 1
    assert sum(a["func"] == "setValues" for a in actions) == 14  # one block a sheet
