"""Forms on paper: boxes to tick where the screen has a drop-down, read back when ticked; pages
planned from row heights, about equally full; the banner left out of the print area."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

import sync
from workbook import layout as L
from workbook.pages import balanced_breaks, fits_width, greedy_breaks
from workplan import pipeline
from workplan.forms import MASS, READING_FORM, PROMISE_FORM, BRANCH as BRANCH_FORM
from workplan.sheets.forms import tick_text, untick

from conftest import raw_book

TODAY = dt.date(2026, 6, 30)
ROUND = "2026上半年"
GRADES = ("优秀", "合格", "基本合格", "不合格")


def test_tick_text_puts_as_many_boxes_on_a_line_as_fit():
    # at 9 points a wide character is 18/11 units; 19 units hold 19 * 0.95 = 18.05:
    # "优秀□ 合格□" is 13 units * 9/11 = 10.6, adding " 基本合格□" makes 24 * 9/11 = 19.6: a new line
    assert tick_text(GRADES, 19, 9) == "优秀□ 合格□\n基本合格□ 不合格□"
    assert tick_text(GRADES, 40, 9) == "优秀□ 合格□ 基本合格□ 不合格□"
    assert tick_text(("满意", "基本满意", "不满意"), 6, 9) == "满意□\n基本满意□\n不满意□"


@pytest.mark.parametrize("value, read", [
    ("优秀□ 合格□\n基本合格□ 不合格□", None),  # untouched: no answer
    ("优秀□　合格□ 基本合格□ 不合格□", None),  # spaces do not matter
    ("优秀□ 合格√\n基本合格□ 不合格□", "合格"),  # one box ticked: that choice
    ("优秀☑ 合格□\n基本合格□ 不合格□", "优秀"),
    ("优秀□ 合格□\n基本合格□ 不合格■", "不合格"),
    ("优秀√ 合格√\n基本合格□ 不合格□", "优秀√ 合格√\n基本合格□ 不合格□"),  # two ticked: as typed (a finding)
    ("优秀□ 很好√", "优秀□ 很好√"),  # not our boxes: as typed
    ("合格", "合格"), (None, None), (3, 3),
])
def test_untick_reads_a_box_ticked_on_screen(value, read):
    assert untick(value, GRADES) == read


def test_the_forms_fit_a4_at_full_size():
    assert all(fits_width(kind.widths, False) for kind in (MASS, BRANCH_FORM))
    assert all(fits_width(spec.widths, True) for spec in (READING_FORM, PROMISE_FORM))


def test_pages_break_evenly_without_a_short_last_page():
    rows = [30.0] + [20.0] * 9  # a 30-point title row, then 9 rows of 20 points; 200 points a page
    assert greedy_breaks(rows, 200) == [9]  # 30 + 8 * 20 = 190 on page 1, then one row alone
    assert balanced_breaks(rows, 200) == [5]  # 110 and 100 points: the page ends past half of 210
    rows = [30.0] + [20.0] * 25
    assert greedy_breaks(rows, 200) == [9, 19]  # 190, 200 and 140 points
    assert balanced_breaks(rows, 200) == [8, 17]  # 170, 180 and 180 points
    assert greedy_breaks(rows, 200, repeat=20) == [9, 18]  # the header again on each later page
    assert balanced_breaks(rows, 200, allowed={4, 9, 14, 19}) == [9, 19]  # only where allowed
    assert balanced_breaks([30.0] + [20.0] * 8, 200) == []  # one page: no break


def test_printed_forms_in_the_master_and_on_handed_out_copies(capsys, build, data, tmp_path):
    """The master's forms and a copy handed out: boxes to tick in the answer cells, a drop-down on them,
    pages by balanced breaks at 100%, printing from below the banner."""
    result = pipeline.refresh(raw_book(data), TODAY)
    sheets = {s.name: s for s in result.sheets}
    mass = sheets["群众评议表"]
    grade = MASS.grade_col
    answers = [mass.cells[(row, grade)].value for row in range(4, 7)]
    assert answers == [tick_text(GRADES, MASS.widths[grade], 9)] * 3  # D001, D002, D003
    assert mass.validations[0].choices == GRADES and mass.validations[0].first_col == grade
    assert (mass.print_setup.fit_width, mass.print_setup.scale, mass.print_setup.page_breaks) == (False, None, ())
    assert mass.print_first_row == 1
    annual = sheets["党员年度考评表"]
    assert sum(1 for c in annual.cells.values() if c.value == tick_text(GRADES, 39, 10)) == 3  # 考评等次 of each member
    master = build(data)
    assert sync.main(["forms", str(master), "--type", "群众评议", "--raters", "1", "--today", TODAY.isoformat()]) == 0
    copy = master.parent / "评议表" / f"群众评议_{ROUND}" / f"群众评议_{ROUND}_第01号.xlsx"
    sheet = openpyxl.load_workbook(copy).worksheets[0]
    assert [sheet.cell(r, grade + 1).value for r in range(4, 7)] == answers  # no banner on a copy: the table starts a row higher
    assert not sheet.print_area  # no banner to leave out
    capsys.readouterr()


def test_a_box_ticked_on_screen_is_collected_and_untouched_boxes_are_no_answer(capsys, build, data):
    master = build(data)
    assert sync.main(["forms", str(master), "--type", "群众评议", "--raters", "1", "--today", TODAY.isoformat()]) == 0
    folder = master.parent / "评议表" / f"群众评议_{ROUND}"
    copy = folder / f"群众评议_{ROUND}_第01号.xlsx"
    book = openpyxl.load_workbook(copy)
    sheet = book.worksheets[0]
    cell = sheet.cell(4, MASS.grade_col + 1)  # D001
    cell.value = cell.value.replace("优秀□", "优秀√")
    book.save(copy)
    capsys.readouterr()
    sync.main(["collect", str(master), str(folder), "--today", TODAY.isoformat()])
    out = capsys.readouterr().out
    assert "共 1 份表，计入 1 份，新增评议 1 条" in out
    assert "D002 李四 的“等次”没有填写" in out and "D003 王五 的“等次”没有填写" in out
    rows = openpyxl.load_workbook(master)[L.EVALUATIONS].iter_rows(values_only=True)
    assert [r[:4] for r in rows if r[1] == f"群众01（{ROUND}）"] == [("群众评议党员", f"群众01（{ROUND}）", "D001", "优秀")]
