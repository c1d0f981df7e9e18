"""Wrapped line counts and row heights, counted by hand (a wide character is 2 units at 11 points)."""

from __future__ import annotations

import pytest

from workbook.sheetmodel import SheetModel, Style
from workbook.textfit import fit_rows, lines_height, needed_height, text_units, usable_units, wrapped_lines


def test_widths_count_cjk_double():
    assert text_units("党建ab1") == 7
    assert text_units("□，“”") == 8  # ambiguous marks are drawn wide by CJK fonts
    assert text_units("中中", size=5.5) == 2


def test_line_counts():
    # width 20: 20 * 0.95 = 19 units: 9 wide characters a line at 11 points, as in Excel
    assert usable_units(20) == pytest.approx(19)
    assert wrapped_lines("中" * 4, 8.43) == 1 and wrapped_lines("中" * 6, 13) == 1  # Excel's default column, and 13
    assert wrapped_lines("中" * 9, 20) == 1
    assert wrapped_lines("中" * 10, 20) == 2
    assert wrapped_lines("中" * 27, 20) == 3
    assert wrapped_lines("中" * 28, 20) == 4
    assert wrapped_lines("中\n\n中", 20) == 3  # explicit newlines, an empty line counts
    # at 9 points a wide character is 18/11 units: 11 to a line
    assert wrapped_lines("中" * 11, 20, 9) == 1 and wrapped_lines("中" * 12, 20, 9) == 2
    # Latin words are not broken: "abcdefgh " is 9 units, two words a line, the third on line 2
    assert wrapped_lines("abcdefgh abcdefgh abcdefgh", 20) == 2
    # a closing mark goes down with the character before it: 8 wide + "中，" does not fit line 1
    assert wrapped_lines("中" * 8 + "中，", 20) == 2
    # a Latin word longer than the line breaks inside it: 38 units fill exactly two lines of 19, 39 spill to a third
    assert wrapped_lines("a" * 19, 20) == 1 and wrapped_lines("a" * 38, 20) == 2 and wrapped_lines("a" * 39, 20) == 3
    assert wrapped_lines("中" * 5 + "a" * 28, 20) == 2  # 10 units used, 28 more: 38, still two lines


def test_heights():
    assert lines_height(1) == 19.5  # 11 * 1.45 + 3 = 18.95, up to whole pixels of 0.75 points
    assert lines_height(3, 9) == 42.75  # 3 * 9 * 1.45 + 3 = 42.15
    assert needed_height("中" * 9, 20) is None  # one line: the default row height does
    assert needed_height("中" * 10, 20) == pytest.approx(lines_height(2))
    assert needed_height("标题", 20, 14) == pytest.approx(lines_height(1, 14))
    assert lines_height(100) == 409.5  # Excel's tallest row


def test_fit_rows_grows_rows_merges_and_makes_overflowing_table_cells_wrap():
    model = SheetModel("s", col_widths={0: 20, 1: 10, 2: 10})
    model.put(0, 0, "中" * 30, Style(wrap=True))  # 4 lines
    model.row_heights[0] = 80  # taller already: kept
    model.put(1, 0, "中" * 30, Style(wrap=True))
    model.merge(2, 0, 2, 2, "中" * 36, Style(wrap=True))  # 40 units: 38 -> 19 a line, 2 lines
    model.put(3, 1, "中" * 6, Style(border=True))  # a table cell too narrow (9.5 units: 4 a line) -> wraps, 2 lines
    model.put(4, 1, "中" * 6)  # no border: text may run into the empty cell beside it
    model.merge(5, 0, 6, 0, "中" * 30, Style(wrap=True))  # two rows share 4 lines
    fit_rows(model)
    assert model.row_heights[0] == 80
    assert model.row_heights[1] == pytest.approx(lines_height(4))
    assert model.row_heights[2] == pytest.approx(lines_height(2))
    assert model.cells[(3, 1)].style == Style(border=True, wrap=True)
    assert model.row_heights[3] == pytest.approx(lines_height(2))
    assert 4 not in model.row_heights and model.cells[(4, 1)].style is None
    assert model.row_heights.get(5, 15) + model.row_heights[6] >= lines_height(4)
