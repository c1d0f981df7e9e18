"""Reading workbooks: calamine for normal sheets, streaming for a stray cell at XFD1048576."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import xlsxwriter

from workbook import reader
from workbook.reader import read_book


def _write(path, rows, far_cell=False):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("党员名册")
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
            elif value is not None:
                sheet.write(r, c, value)
    if far_cell:
        sheet.write(1_048_575, 16_383, "stray")
    book.close()
    return path


ROWS = [["党员编号", " 姓名 ", "入党日期"], ["D001", "张三", dt.date(2020, 7, 1)], [None, None, None], ["D002", "李四", "2021/7/1"]]


def test_reads_headers_and_rows_by_excel_row(tmp_path):
    book = read_book(_write(tmp_path / "a.xlsx", ROWS))
    sheet = book.sheet("党员名册")
    assert sheet.headers == ["党员编号", "姓名", "入党日期"]
    assert [(row, cells[:3]) for row, cells in sheet.rows] == [
        (2, ["D001", "张三", dt.date(2020, 7, 1)]),
        (4, ["D002", "李四", "2021/7/1"]),
    ]


def test_stray_value_at_xfd1048576_is_read_without_the_dense_grid(tmp_path, monkeypatch):
    path = _write(tmp_path / "far.xlsx", ROWS, far_cell=True)
    used = []
    monkeypatch.setattr(reader._Calamine, "rows", lambda self, name, *args: used.append(name) or None)
    sheet = read_book(path, {"党员名册": 3}).sheet("党员名册")
    assert used == []  # calamine would try to allocate 1048576 x 16384 cells and abort the process
    assert [(row, cells[:3]) for row, cells in sheet.rows] == [
        (2, ["D001", "张三", dt.date(2020, 7, 1)]),
        (4, ["D002", "李四", "2021/7/1"]),
    ]


def test_sheet_without_dimension_element_is_streamed(tmp_path):
    path = _write(tmp_path / "a.xlsx", ROWS)
    stripped = tmp_path / "nodim.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:C4"/>', b"")
            dst.writestr(item, data)
    sheet = read_book(stripped).sheet("党员名册")
    assert [row for row, _ in sheet.rows] == [2, 4]
    assert sheet.rows[0][1][:3] == ["D001", "张三", dt.date(2020, 7, 1)]


def test_openpyxl_written_workbook_with_shared_strings(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "党员名册"
    for row in ROWS:
        sheet.append(row)
    sheet["C2"].number_format = "yyyy-mm-dd"
    book.save(tmp_path / "o.xlsx")
    rows = read_book(tmp_path / "o.xlsx").sheet("党员名册").rows
    assert rows[0][1][:3] == ["D001", "张三", dt.date(2020, 7, 1)]


def test_sheet_names_match_despite_stray_spaces(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "s.xlsx"))
    book.add_worksheet("党员名册 ").write_row(0, 0, ["党员编号"])
    book.close()
    assert read_book(tmp_path / "s.xlsx", {"党员名册": 1}).sheet("党员名册").headers == ["党员编号"]
