"""Tests of workbook.append: rows go into one input sheet, nothing else in the master moves."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import openpyxl
import pytest
import python_calamine
import xlsxwriter

from workbook import append, errors, layout, ooxml, xmltext
from workbook.safety import backups_of

SHEET = layout.EVALUATIONS
PART = "xl/worksheets/sheet11.xml"  # 评议记录 in a master built by services.create
TRICKY = ["=SUM(A1)", "+1", "@x", "-5", "  前后有空格  ", "a<b&c>\"d'"]
NEW_ROWS = [
    ["群众评议党员", "群众02（2026上半年）", "D002", "合格", "=SUM(A1)", dt.date(2026, 6, 30), "表1.xlsx"],
    ["党员评议支部", "D001（2026上半年）", "领导班子好", "满意", None, dt.date(2026, 6, 30), "+1"],
]


def parts(path):
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def grid(path, sheet=SHEET):
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    finally:
        book.close()


def test_every_other_part_stays_byte_identical(build, data, tmp_path):
    master = build(data)
    done = append.append_rows(master, tmp_path / "new.xlsx", SHEET, NEW_ROWS)
    assert (done.part, done.first_row, done.last_row, done.styles_changed) == (PART, 4, 5, False)
    before, after = parts(master), parts(tmp_path / "new.xlsx")
    assert list(after) == list(before)  # same parts, same order
    assert [name for name in before if before[name] != after[name]] == [PART]
    with zipfile.ZipFile(master) as old, zipfile.ZipFile(tmp_path / "new.xlsx") as new:
        stored = {i.filename: (i.CRC, i.compress_size, i.compress_type) for i in new.infolist()}
        assert [i.filename for i in old.infolist() if stored[i.filename] != (i.CRC, i.compress_size, i.compress_type)] == [PART]


def test_old_rows_read_back_the_same_and_new_rows_follow(build, data, tmp_path):
    master = build(data)
    new = tmp_path / "new.xlsx"
    append.append_rows(master, new, SHEET, NEW_ROWS)
    old_rows, new_rows = grid(master), grid(new)
    assert new_rows[:3] == old_rows
    assert new_rows[3:] == [
        ["群众评议党员", "群众02（2026上半年）", "D002", "合格", "=SUM(A1)", dt.date(2026, 6, 30), "表1.xlsx"],
        ["党员评议支部", "D001（2026上半年）", "领导班子好", "满意", "", dt.date(2026, 6, 30), "+1"],
    ]
    sheet_xml = parts(new)[PART].decode("utf-8")
    assert '<dimension ref="A1:G5"/>' in sheet_xml
    assert "<f>" not in sheet_xml


@pytest.mark.parametrize("text", TRICKY)
def test_text_stays_text(build, data, tmp_path, text):
    new = tmp_path / "new.xlsx"
    append.append_rows(build(data), new, SHEET, [["群众评议党员", "群众03", "D001", "合格", text]])
    cell = openpyxl.load_workbook(new)[SHEET]["E4"]
    assert (cell.value, cell.data_type) == (text, "s")


def test_dates_use_the_columns_date_style_and_values_keep_their_kind(build, data, tmp_path):
    new = tmp_path / "new.xlsx"
    append.append_rows(build(data), new, SHEET, [["群众评议党员", "群众04", 1001, True, 2.5, dt.datetime(2026, 7, 1, 8, 30)]])
    sheet = openpyxl.load_workbook(new)[SHEET]
    assert [c.value for c in sheet[4][:6]] == ["群众评议党员", "群众04", 1001, True, 2.5, dt.datetime(2026, 7, 1, 8, 30)]
    assert sheet["F4"].number_format == "yyyy-mm-dd"


def _plain_book(path, blank_rows: bool):
    """评议记录 without column styles; optionally with styled empty rows 3 to 5 (Excel leaves such rows)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet(SHEET)
    sheet.write_row(0, 0, layout.SPECS[SHEET].headers)
    sheet.write_row(1, 0, ["群众评议党员", "群众01", "D001", "优秀"])
    if blank_rows:
        yellow = book.add_format({"bg_color": "#FFFF00"})
        sheet.set_row(2, 30)
        for row in (2, 3, 4):
            sheet.write_blank(row, 4, None, yellow)
    book.add_worksheet("其他").write_string(0, 0, "不动")
    book.close()
    return path


def test_empty_styled_rows_are_filled_in_place(tmp_path):
    master = _plain_book(tmp_path / "m.xlsx", blank_rows=True)
    new = tmp_path / "new.xlsx"
    done = append.append_rows(master, new, SHEET, [["群众评议党员", "群众02", "D002", "合格", "好"], ["群众评议党员", "群众03"]])
    assert (done.first_row, done.last_row) == (3, 4)
    xml = parts(new)[PART.replace("11", "1")].decode("utf-8")
    assert re.findall(r'<row r="(\d+)"', xml) == ["1", "2", "3", "4", "5"]
    sheet = openpyxl.load_workbook(new)[SHEET]
    assert sheet.row_dimensions[3].height == 30
    assert sheet["E3"].value == "好" and sheet["E3"].fill.fgColor.rgb.endswith("FFFF00")
    assert sheet["E4"].value is None and sheet["E4"].fill.fgColor.rgb.endswith("FFFF00")
    assert sheet["E5"].fill.fgColor.rgb.endswith("FFFF00")
    assert sheet.max_row == 5


def test_a_date_style_is_added_once_when_the_column_has_none(tmp_path):
    master = _plain_book(tmp_path / "m.xlsx", blank_rows=False)
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    done = append.append_rows(master, first, SHEET, [["群众评议党员", "群众02", "D002", "合格", "", dt.date(2026, 6, 30)]])
    assert done.styles_changed
    assert openpyxl.load_workbook(first)[SHEET]["F3"].value == dt.datetime(2026, 6, 30)
    again = append.append_rows(first, second, SHEET, [["群众评议党员", "群众03", "D002", "合格", "", dt.date(2026, 7, 1)]])
    assert not again.styles_changed
    assert parts(second)["xl/styles.xml"] == parts(first)["xl/styles.xml"]


def test_a_sheet_with_a_namespace_prefix(build, data, tmp_path):
    master = build(data)
    prefixed = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(master) as src, zipfile.ZipFile(prefixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == PART:
                text = xmltext.with_prefix(content.decode("utf-8"), "x")
                content = text.replace(f'xmlns="{ooxml.NS_MAIN}"', f'xmlns:x="{ooxml.NS_MAIN}"').encode("utf-8")
            dst.writestr(info, content)
    new = tmp_path / "new.xlsx"
    done = append.append_rows(prefixed, new, SHEET, NEW_ROWS)
    append.verify_appended(prefixed, new, done, NEW_ROWS)
    assert "<x:row r=\"4\"><x:c r=\"A4\"" in parts(new)[PART].decode("utf-8")


def test_append_to_master_backs_up_verifies_and_replaces(build, data):
    master = build(data)
    write = append.append_to_master(master, SHEET, NEW_ROWS, now=dt.datetime(2026, 6, 30, 9, 0))
    assert write.result.count == 2
    assert backups_of(master) == [write.backup]
    assert grid(master)[:3] == grid(write.backup)
    assert grid(master)[3][1] == "群众02（2026上半年）"


@pytest.mark.parametrize("owner", ["~$master.xlsx", ".~lock.master.xlsx#"])
def test_a_workbook_open_in_excel_is_not_written(build, data, owner):
    master = build(data)
    (master.parent / owner).write_bytes(b"owner")
    before = master.read_bytes()
    with pytest.raises(errors.WorkbookOpen):
        append.append_to_master(master, SHEET, NEW_ROWS)
    assert master.read_bytes() == before
    assert backups_of(master) == []


def test_verify_refuses_rows_that_do_not_read_back(build, data, tmp_path):
    master = build(data)
    new = tmp_path / "new.xlsx"
    done = append.append_rows(master, new, SHEET, NEW_ROWS)
    with pytest.raises(errors.WriteFailed) as refused:
        append.verify_appended(master, new, done, [NEW_ROWS[1], NEW_ROWS[0]])
    assert refused.value.path == str(master)  # the master the user knows, not the file written beside it
    assert f"写入 {master} 时检查未通过（追加到“评议记录”的行读回与写入的不一致），原工作簿没有改动。" in refused.value.user_message()


# --- where appended rows start: one rule for the file and the button ---------------------------

@pytest.mark.parametrize("columns, first", [([0, 1, 2], 5), ([0], 3), (None, 8), ([], 2)])
def test_first_free_row_looks_only_at_the_contract_columns(columns, first):
    rows = [(1, ["评议类型", "评议人", "评议对象"]), (2, ["群众评议党员", "群众01", "D001"]), (4, [None, "  ", "D002"]),
            (7, [None, None, None, None, "备注：这里不是表格"])]
    assert append.first_free_row(rows, columns) == first


def test_contract_columns_are_found_where_they_stand():
    header = ["备注", *layout.SPECS[SHEET].headers[:3], "评议人"]
    assert append.contract_columns(header, SHEET) == [1, 2, 3]
    assert append.contract_columns(header, "其他") is None


def _book_with_a_note_below(path):
    """评议记录 with a staff column 备注 first, two votes, and a note in 备注 at row 6 (not a contract column)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet(SHEET)
    sheet.write_row(0, 0, ["备注", *layout.SPECS[SHEET].headers])
    sheet.write_row(1, 0, [None, "群众评议党员", "群众01", "D001", "优秀"])
    sheet.write_row(2, 0, [None, "群众评议党员", "群众02", "D001", "合格"])
    sheet.write_string(5, 0, "以上为上半年")
    book.close()
    return path


def test_rows_go_after_the_last_value_in_a_contract_column_and_keep_other_cells(tmp_path):
    master = _book_with_a_note_below(tmp_path / "m.xlsx")
    new = tmp_path / "new.xlsx"
    rows = [[None, "群众评议党员", f"群众0{n}", "D002", "合格"] for n in range(3, 7)]
    done = append.append_rows(master, new, SHEET, rows)
    assert (done.first_row, done.last_row) == (4, 7)
    append.verify_appended(master, new, done, rows)
    assert [row[:5] for row in grid(new)[3:7]] == [
        ["", "群众评议党员", "群众03", "D002", "合格"], ["", "群众评议党员", "群众04", "D002", "合格"],
        ["以上为上半年", "群众评议党员", "群众05", "D002", "合格"], ["", "群众评议党员", "群众06", "D002", "合格"]]
    raw = [(number, row) for number, row in enumerate(grid(master), 1)]
    assert append.first_free_row(raw, append.contract_columns(raw[0][1], SHEET)) == done.first_row  # what the button calls


@pytest.mark.parametrize("rows, error", [([], ValueError), ([[float("nan")]], ValueError), ([[object()]], TypeError),
                                         ([[dt.date(1900, 1, 1)]], ValueError)])
def test_misuse_raises(build, data, tmp_path, rows, error):
    with pytest.raises(error):
        append.append_rows(build(data), tmp_path / "new.xlsx", SHEET, rows)
    assert not (tmp_path / "new.xlsx").exists()


def test_unknown_sheet_is_a_missing_sheet(build, data, tmp_path):
    with pytest.raises(errors.MissingSheets):
        append.append_rows(build(data), tmp_path / "new.xlsx", "没有这张表", NEW_ROWS)
