"""The desktop button's reader (macros.comread) gives the file reader's RawBook: error values and merges.

Each case builds the clean branch of conftest, changes it as Excel would save it (openpyxl's
merges keep the top-left value only; typed error values are `t="e"` cells), opens it in the
recording COM stand-in (tests/com_standin.py: error values come out as COM error numbers,
merged cells as Excel gives them) and compares `comread.read_raw` with `reader.read_book` of
the same file: the same rows, merges, findings and scores. On the clean branch: D001 16, D002 0,
D003 2 (tests/staffbooks.py).
"""

from __future__ import annotations

import com_cells
import com_standin as cs
import pytest
from conftest import TODAY
from staffbooks import CLEAN_MEMBERS, with_openpyxl

from macros import comread
from workbook import layout as L
from workbook.raw import CellError
from workbook.reader import read_book
from workplan.scoring import score
from workplan.validate import load, wanted_sheets


@pytest.fixture
def master(build, data):
    """Sign-ins A2:A4 (A01 for D001–D003) merged, groups D2:D3 merged, 活动计划 E4:F4 merged across,
    加减分!F2 #DIV/0! (D001's ledger row of 3 points), 活动签到!C2 (a name) #N/A."""
    def change(book):
        book[L.ATTENDANCE_SHEET].merge_cells("A2:A4")
        book[L.MEMBERS].merge_cells("D2:D3")
        book[L.ACTIVITIES].merge_cells("E4:F4")
        book[L.LEDGER]["F2"] = "#DIV/0!"
        book[L.ATTENDANCE_SHEET]["C2"] = "#N/A"
    return with_openpyxl(build(data), change)


EXPECTED_CODES = sorted([(L.ACTIVITIES, 4, "计划月份", "merged-across"), (L.ATTENDANCE_SHEET, 2, "姓名", "cell-error-text"),
                         (L.LEDGER, 2, "分值", "cell-error")])


def _blank_as_none(sheet):
    return [(row, [None if v == "" else v for v in cells]) for row, cells in sheet.rows]


def _outcome(raw):
    branch, report = load(raw, TODAY)
    scores = score(branch, report, branch.settings.cutoff_for(TODAY))
    return sorted(report.codes()), {m.member_id: m.total for m in scores.members}


@pytest.mark.parametrize("from_file", [False, True], ids=["merges-asked-of-excel", "merges-of-the-saved-file"])
def test_the_com_reader_gives_the_file_readers_rows_merges_and_markers(master, from_file):
    xl, wb = cs.open_book(master)
    raw, _ = comread.read_raw(wb, wanted_sheets(), master, cs.ComError, merges_from_file=from_file)
    assert bool(xl.members("MergeCells")) is not from_file  # the book is as saved: its file has the same merges
    expected = read_book(master, wanted_sheets())
    for name, sheet in expected.sheets.items():
        got = raw.sheets[name]
        assert (got.headers, _blank_as_none(got), got.merges) == (sheet.headers, _blank_as_none(sheet), sheet.merges), name
    assert raw.sheets[L.ATTENDANCE_SHEET].merges == [(2, 0, 4, 0)]
    assert [cells[0] for _, cells in raw.sheets[L.ATTENDANCE_SHEET].rows[:3]] == ["A01", "A01", "A01"]
    assert raw.sheets[L.LEDGER].rows[0][1][5] == CellError("#DIV/0!")
    assert raw.sheets[L.ATTENDANCE_SHEET].rows[0][1][2] == CellError("#N/A")


def test_findings_and_scores_are_those_of_the_file(master):
    _, wb = cs.open_book(master)
    raw, _ = comread.read_raw(wb, wanted_sheets(), master, cs.ComError)
    codes, members = _outcome(raw)
    assert (codes, members) == _outcome(read_book(master, wanted_sheets()))
    assert codes == EXPECTED_CODES
    assert members == {**CLEAN_MEMBERS, "D001": 13.0}  # the #DIV/0! ledger row is left out; the merged sign-ins count


def test_merges_cost_one_call_a_sheet_without_and_a_few_a_range_with(master):
    """Book as saved: Saved, then no call for merges (the file's). Otherwise, without merges: MergeCells only.
    活动签到 (one range): MergeCells, FindFormat, Clear, MergeCells = True, then Find + Address + MergeArea +
    Address for the range, Find + Address back at the start, Clear."""
    xl, wb = cs.open_book(master)
    comread.read_raw(wb, {L.READING: 8}, master, cs.ComError)
    assert [member for _, _, member, _ in xl.log] == ["Sheets", "Saved", "Item", "UsedRange", "Address", "Value"]
    xl.log.clear()
    wb.changed()  # something typed since the save
    comread.read_raw(wb, {L.READING: 8}, master, cs.ComError)
    assert [member for _, _, member, _ in xl.log] == ["Sheets", "Saved", "Item", "UsedRange", "Address", "Value",
                                                      "MergeCells"]
    xl.log.clear()
    book = comread.ComBook(wb, wb.Sheets)
    comread.read_grid(book, L.ATTENDANCE_SHEET, 10)
    xl.log.clear()
    assert comread.read_merges(book, L.ATTENDANCE_SHEET) == [(2, 0, 4, 0)]
    assert [member for _, _, member, _ in xl.log] == [
        "MergeCells", "Application", "FindFormat", "Clear", "MergeCells", "Find", "Address", "MergeArea", "Address",
        "Find", "Address", "Clear"]
    assert xl.app.find_format.merge_cells is None  # the user's Ctrl+F is not left searching for merged cells


def test_an_excel_that_finds_every_merged_cell_gives_the_same_merges(master):
    xl, wb = cs.open_book(master)
    xl.find_each_merged_cell = True
    raw, _ = comread.read_raw(wb, wanted_sheets(), master, cs.ComError, merges_from_file=False)
    assert raw.sheets[L.ATTENDANCE_SHEET].merges == [(2, 0, 4, 0)]
    assert raw.sheets[L.MEMBERS].merges == [(2, 3, 3, 3)] and raw.sheets[L.ACTIVITIES].merges == [(4, 4, 4, 5)]
    assert len(xl.members("MergeArea")) == 3  # one per range: the other cells of a known range cost no MergeArea
    assert _outcome(raw)[0] == EXPECTED_CODES


def test_a_merge_made_since_the_last_save_is_read_from_the_open_book(build, data):
    """The button reads the book as it is open: 活动签到 A2:A4 merged in Excel and not yet saved (Excel
    empties A3 and A4, and the book is no longer as saved, so its merges are not the file's). Read as
    blanks, that would be two “活动编号不能为空” errors; read as merged, it is the clean branch."""
    master = build(data)
    _, wb = cs.open_book(master)
    sheet = next(s for s in wb.sheets if s.name == L.ATTENDANCE_SHEET)
    assert [sheet.cells[(row, 1)] for row in (2, 3, 4)] == ["A01", "A01", "A01"]
    sheet.Range("A2:A4").Merge()
    assert wb.Saved is False and (3, 1) not in sheet.cells
    raw, _ = comread.read_raw(wb, wanted_sheets(), master, cs.ComError)
    assert [cells[0] for _, cells in raw.sheets[L.ATTENDANCE_SHEET].rows] == ["A01", "A01", "A01", "A02"]
    assert _outcome(raw) == ([], CLEAN_MEMBERS)


def test_every_excel_error_number_is_a_cell_error(build, data):
    master = build(data)
    _, wb = cs.open_book(master)
    sheet = next(s for s in wb.sheets if s.name == L.LEDGER)
    for text, code in com_cells.ERROR_CODES.items():
        sheet.cells[(2, 6)] = code + com_cells.COM_ERROR_BASE
        raw, _ = comread.read_raw(wb, {L.LEDGER: 7}, master, cs.ComError)
        assert raw.sheets[L.LEDGER].rows[0][1][5] == CellError(text), text
