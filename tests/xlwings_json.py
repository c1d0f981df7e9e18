"""Running the Excel buttons through xlwings itself, without Excel.

xlwings' file-free remote engine takes the workbook as a JSON payload (what its VBA and
Office.js clients send) and returns the calls a macro made as a list of actions (what
those clients would then carry out in Excel). `payload_from_file` builds the payload from
a real master; `apply_actions` carries the actions out on a copy of the file with openpyxl,
the way Excel would (a leading apostrophe marks text), so the result can be compared with
what `sync.py` writes for the same file. Test code only.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import openpyxl
import python_calamine
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # a public school: noncommercial use

import xlwings as xw  # noqa: E402

_ENGINE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$")  # how the engine sends a datetime
_HYPERLINK = re.compile(r'^=HYPERLINK\("((?:[^"]|"")*)","((?:[^"]|"")*)"\)$')  # the one formula the buttons write


def _payload_value(value):
    """A cell as the VBA client sends it: dates as ISO with a trailing Z, whole floats as ints."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%dT00:00:00.000Z")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def payload_from_file(path: Path) -> dict:
    """The JSON an xlwings client would send for this workbook (values anchored at A1)."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    sheets = []
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        width = max((len(r) for r in rows), default=0)
        values = [[_payload_value(c) for c in r] + [""] * (width - len(r)) for r in rows] or [[]]
        sheets.append({"name": name, "values": values, "pictures": [], "tables": [], "charts": [],
                       "shapes": [], "notes": [], "visibility": "Visible"})
    book.close()
    return {"client": "VBA", "version": xw.__version__, "names": [], "sheets": sheets,
            "book": {"name": Path(path).name, "active_sheet_index": 0, "selection": "A1"}}


def json_book(path: Path):
    return xw.Book(json=payload_from_file(path))


def _excel_value(value):
    """A value as Excel stores it after the client sets it: 'text is text, dates are dates."""
    if isinstance(value, str):
        if value.startswith("'"):
            return value[1:]
        if _ENGINE_DATE.match(value):
            return dt.datetime.fromisoformat(value)
        return value or None
    return value


def _block(action):
    rows = range(action["start_row"] + 1, action["start_row"] + action["row_count"] + 1)
    cols = range(action["start_column"] + 1, action["start_column"] + action["column_count"] + 1)
    return rows, cols


def _cells(sheet, action):
    rows, cols = _block(action)
    return [sheet.cell(r, c) for r in rows for c in cols]


def _ref(action):
    rows, cols = _block(action)
    return f"{get_column_letter(cols[0])}{rows[0]}:{get_column_letter(cols[-1])}{rows[-1]}"


def _bounds(address: str) -> tuple[int, int, int, int]:
    """'$A$4:$XFD$32' -> (first row, first col, last row, last col), 1-based."""
    from openpyxl.utils.cell import range_boundaries

    c1, r1, c2, r2 = range_boundaries(address.replace("$", ""))
    return r1, c1, r2, c2


def _copy_formats(sheet, action) -> None:
    """copyFromRange "formats" over whole rows: styles, merges and row heights of the source rows."""
    source_address, kind = action["args"][1], action["args"][2]
    if kind != "formats":
        raise AssertionError(f"the test applier only copies formats, not {kind!r}")
    s1, _, s2, _ = _bounds(source_address)
    rows, _ = _block(action)
    if len(rows) != s2 - s1 + 1:
        raise AssertionError("copyFromRange: source and target differ in size")
    width = sheet.max_column
    for offset, row in enumerate(rows):
        for col in range(1, width + 1):
            source, target = sheet.cell(s1 + offset, col), sheet.cell(row, col)
            target._style = source._style
        height = sheet.row_dimensions[s1 + offset].height
        if height is not None:
            sheet.row_dimensions[row].height = height
    for merged in list(sheet.merged_cells.ranges):
        if s1 <= merged.min_row and merged.max_row <= s2:
            shift = rows[0] - s1
            sheet.merge_cells(start_row=merged.min_row + shift, start_column=merged.min_col,
                              end_row=merged.max_row + shift, end_column=merged.max_col)


def _set_values(sheet, action) -> None:
    for i, row in enumerate(action["values"]):
        for j, value in enumerate(row):
            link = _HYPERLINK.match(value) if isinstance(value, str) else None
            cell = sheet.cell(action["start_row"] + 1 + i, action["start_column"] + 1 + j,
                              link.group(2).replace('""', '"') if link else _excel_value(value))
            if link:
                cell.hyperlink = link.group(1).replace('""', '"')
                cell.data_type = "s"
            elif isinstance(value, str) and value.startswith("'"):
                cell.data_type = "s"  # Excel's text mark: never a formula
            elif isinstance(value, str) and value.startswith("="):
                raise AssertionError(f"{value!r} would become a formula in Excel")


def apply_actions(source: Path, target: Path, actions: dict) -> list[tuple]:
    """Carry the actions out on a copy of `source` saved as `target`; returns alerts and charts."""
    book = openpyxl.load_workbook(source, keep_vba=source.suffix == ".xlsm")
    seen: list[tuple] = []
    for action in actions["actions"]:
        sheet = book.worksheets[action["sheet_position"]] if action["sheet_position"] is not None else None
        _apply(book, sheet, action, seen)
    book.save(target)
    return seen


def _apply(book, sheet, action, seen) -> None:
    func, args = action["func"], action["args"]
    if func == "setValues":
        _set_values(sheet, action)
    elif func == "addSheet":
        book.create_sheet(args[1], args[0])
    elif func == "sheetDelete":
        book.remove(sheet)
    elif func == "setNumberFormat":
        for cell in _cells(sheet, action):
            cell.number_format = args[0]
    elif func == "setRangeColor":
        for cell in _cells(sheet, action):
            cell.fill = PatternFill("solid", fgColor=args[0].lstrip("#").upper())
    elif func == "setFontProperty":
        _font(sheet, action, *args)
    elif func == "setColumnWidth":
        for col in _block(action)[1]:
            sheet.column_dimensions[get_column_letter(col)].width = args[0] / 5.25
    elif func == "setRowHeight":
        for row in _block(action)[0]:
            sheet.row_dimensions[row].height = args[0]
    elif func == "rangeMerge":
        if args[0] is True:  # across: each row on its own
            rows, cols = _block(action)
            for row in rows:
                sheet.merge_cells(start_row=row, start_column=cols[0], end_row=row, end_column=cols[-1])
        else:
            sheet.merge_cells(_ref(action))
    elif func == "setRangeColors":
        for i, row in enumerate(args[0]):
            for j, color in enumerate(row):
                cell = sheet.cell(action["start_row"] + 1 + i, action["start_column"] + 1 + j)
                if color is None:
                    cell.fill = PatternFill()
                elif color != "keep":
                    cell.fill = PatternFill("solid", fgColor=color.lstrip("#").upper())
    elif func == "copyFromRange":
        _copy_formats(sheet, action)
    elif func == "setWrapText":
        pass  # layout only
    elif func == "addHyperlink":
        cell = sheet.cell(action["start_row"] + 1, action["start_column"] + 1)
        cell.hyperlink = args[0]
        cell.value = args[1]
    elif func == "freezePaneAtRange":
        sheet.freeze_panes = args[0]
    elif func in ("alert", "addChart", "setChartType", "setChartSourceData"):
        seen.append((func, sheet.title if sheet is not None else None, *args))
    elif func != "setScreenUpdating":
        raise AssertionError(f"the test applier does not know the action {func!r}")


def _font(sheet, action, attribute, value) -> None:
    for cell in _cells(sheet, action):
        current = {k: getattr(cell.font, k) for k in ("name", "size", "bold", "italic", "color")}
        current[attribute] = value.lstrip("#").upper() if attribute == "color" else value
        cell.font = Font(**current)
