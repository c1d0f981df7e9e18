"""Reading never takes the process down (issue 13, item 6).

python-calamine panics on some numbers in date cells (-1e308: pyo3's PanicException, a
BaseException, with an English backtrace on stderr) and aborts the process on a sheet that
holds a cell at XFD1048576 however small its <dimension> says it is (it allocates the whole
grid: 512 GiB). The reader scans each sheet's XML for its real extent first, streams such a
sheet, and reads a sheet calamine panicked on again with the streaming reader. The commands
that could abort run in a subprocess here, so a regression fails the test, not pytest.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

import reports
from services import rollup
from workbook import append, layout as L, reader, sheetscan
from workbook.sheetscan import scan_sheet
from workbook.raw import CellError, NoCachedValue

from conftest import TODAY
from staffbooks import CLEAN_GROUPS, CLEAN_MEMBERS, add_far_cell, rewrite_sheet, sheet_part, totals, with_openpyxl

ROOT = Path(__file__).resolve().parents[1]


def _date_cell(sheet: str, ref: str, value: float):
    def change(book):
        book[sheet][ref] = value
        book[sheet][ref].number_format = "yyyy-mm-dd"
    return change


def command(*argv: str) -> subprocess.CompletedProcess:
    """Run a command of ours in a fresh process (an abort must not take pytest with it)."""
    return subprocess.run([sys.executable, *argv, "--today", TODAY.isoformat()], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def master(build, data):
    return build(data)


def test_a_number_calamine_panics_on_is_read_by_the_streaming_reader(master, monkeypatch):
    with_openpyxl(master, _date_cell(L.LEDGER, "A2", -1e308))
    used = []
    real = reader._Calamine.rows
    monkeypatch.setattr(reader._Calamine, "rows", lambda self, name, *args: used.append(name) or real(self, name, *args))
    codes, members, _ = totals(master)
    assert codes == [(L.LEDGER, 2, "日期", "date-out-of-range")]
    assert members["D001"] == 13.0  # the ledger row is left out; every other sheet read as usual
    assert L.LEDGER not in used and L.MEMBERS in used  # the scan kept calamine away from it


def test_when_calamine_panics_anyway_the_sheet_is_read_again_and_the_panic_stays_off_the_terminal(
        master, monkeypatch, capfd):
    with_openpyxl(master, _date_cell(L.LEDGER, "A2", -1e308))
    monkeypatch.setattr(sheetscan, "PANIC_BELOW", float("-inf"))  # as if the scan missed it
    panics = []
    real = reader._Calamine._call

    def call(self, name, read):
        found = real(self, name, read)
        if found is None:  # calamine panicked: the caller streams the sheet
            panics.append(name)
        return found

    monkeypatch.setattr(reader._Calamine, "_call", call)
    codes, members, _ = totals(master)
    assert panics == [L.LEDGER]
    assert codes == [(L.LEDGER, 2, "日期", "date-out-of-range")] and members["D001"] == 13.0
    assert "panicked" not in capfd.readouterr().err  # calamine's English backtrace never reaches the terminal


def test_the_commands_survive_what_makes_calamine_panic_or_abort(master):
    with_openpyxl(master, _date_cell(L.LEDGER, "A2", -1e308))
    add_far_cell(master, L.ATTENDANCE_SHEET, keep_dimension=True)  # <dimension> still says A1:E5
    for argv in (("sync.py", "validate", str(master)), ("sync.py", "refresh", str(master)),
                 ("reports.py", str(master), "--no-pdf")):
        done = command(*argv)
        assert done.returncode == 1, (argv, done.stdout, done.stderr)  # the finding on 加减分!A2
        assert "加减分!A2 “日期”的日期 -1e+308 不在 1900 年至 2100 年之间" in done.stdout
        assert "panicked" not in done.stderr and "memory allocation" not in done.stderr and "Traceback" not in done.stderr


def test_a_far_cell_behind_a_small_dimension_is_streamed(master, monkeypatch):
    add_far_cell(master, L.LEDGER, keep_dimension=True)
    with zipfile.ZipFile(master) as zf:
        part = sheet_part(master, L.LEDGER)
        scan = scan_sheet(zf, part, (2, 7))
    assert (scan.last_row, scan.last_col) == (1_048_576, 16_384)
    used = []
    real = reader._Calamine.rows
    monkeypatch.setattr(reader._Calamine, "rows", lambda self, name, *args: used.append(name) or real(self, name, *args))
    assert totals(master) == ([], CLEAN_MEMBERS, CLEAN_GROUPS)
    assert L.LEDGER not in used and L.MEMBERS in used


def test_the_scan_finds_the_extent_and_the_cells_calamine_reads_as_blank(master):
    with_openpyxl(master, lambda book: (book[L.LEDGER].__setitem__("F2", "=1+2"), book[L.LEDGER].__setitem__("AB7", "#REF!")))
    with zipfile.ZipFile(master) as zf:
        scan = scan_sheet(zf, sheet_part(master, L.LEDGER), None)
    assert (scan.last_row, scan.last_col, scan.rowless) == (7, 28, False)
    assert scan.cells == {(2, 5): NoCachedValue("1+2"), (7, 27): CellError("#REF!")}


def test_a_cached_formula_and_a_cached_empty_text_are_not_reported(master):
    rewrite_sheet(master, L.LEDGER, lambda text: text.replace(
        "</sheetData>", '<row r="9"><c r="A9"><f>1+2</f><v>3</v></c><c r="B9" t="str"><f>""</f><v></v></c></row></sheetData>'))
    with zipfile.ZipFile(master) as zf:
        assert scan_sheet(zf, sheet_part(master, L.LEDGER), None).cells == {}


def test_collect_into_a_master_whose_votes_calamine_panics_on(master):
    """评议记录!F2 (评议日期) holds -1e12 in a date cell: finding the free row and checking the write read it."""
    with_openpyxl(master, _date_cell(L.EVALUATIONS, "F2", -1e12))
    vote = ["群众评议党员", "群众09（2026上半年）", "D002", "合格", None, dt.date(2026, 6, 29), "表9.xlsx"]
    done = append.append_to_master(master, L.EVALUATIONS, [vote]).result
    assert (done.first_row, done.last_row) == (4, 4)


def test_collect_goes_on_past_the_forms_that_used_to_stop_it(build, data):
    """Three copies: 01 normal, 02 with -1e308 in a date-formatted answer cell, 03 with a far cell."""
    master = build(data)
    assert command("sync.py", "forms", str(master), "--type", "群众评议", "--raters", "3").returncode == 0
    folder = master.parent / "评议表" / "群众评议_2026下半年"
    copies = sorted(folder.glob("*.xlsx"))
    for path, grade in zip(copies, ("优秀", -1e308, "合格")):
        book = openpyxl.load_workbook(path)
        sheet = book.worksheets[0]
        header = next(row for row in sheet.iter_rows() if row[0].value == "序号")
        target = sheet.cell(header[0].row + 1, header[0].column + 5)
        target.value = grade
        if not isinstance(grade, str):
            target.number_format = "yyyy-mm-dd"
        book.save(path)
    add_far_cell(copies[2], book.worksheets[0].title, keep_dimension=True)
    done = command("sync.py", "collect", str(master), str(folder))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "共 3 份表，计入 2 份，新增评议 2 条" in done.stdout
    assert "填了“-1e+308”，不在可选范围内" in done.stdout
    assert "panicked" not in done.stderr and "memory allocation" not in done.stderr


class _Panic(BaseException):
    """Stands for pyo3_runtime.PanicException (which derives from BaseException)."""


def test_the_roll_up_hands_back_a_native_panic_as_a_skipped_file(master, monkeypatch):
    def panic(path, wanted=None):
        raise _Panic("TimeDelta::milliseconds out of bounds")

    monkeypatch.setattr(rollup, "read_book", panic)
    result = rollup.read_branch(master, TODAY)
    assert "读取时遇到意外问题，已跳过。" in result.problem and "_Panic" in result.trace


def test_the_roll_up_reads_the_files_that_used_to_crash_it(capsys, build, data, tmp_path):
    folder = tmp_path / "各支部"
    folder.mkdir()
    for name, change in (("甲", None), ("乙", _date_cell(L.LEDGER, "A2", -1e308)), ("丙", "far")):
        next(row for row in data[L.SETTINGS] if row["项目"] == "支部名称")["值"] = f"{name}支部"
        path = build(data, f"{name}.xlsx")
        if change == "far":
            add_far_cell(path, L.READING, keep_dimension=True)
        elif change:
            with_openpyxl(path, change)
        path.replace(folder / f"{name}.xlsx")
    done = command("reports.py", "rollup", str(folder))
    assert "已生成汇总" in done.stdout and "（3 个支部" in done.stdout, done.stdout + done.stderr
    assert "memory allocation" not in done.stderr and "panicked" not in done.stderr
