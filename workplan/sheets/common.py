"""The common look of a generated sheet: banner, title, one table, frozen header, A4 print.

Every generated sheet starts with the banner line (本表由程序生成…), a title line, then
the table's header row (the first row whose first cell is the table's first column
name, as the contract says) and its rows. Text typed by staff is kept as text by the
back ends; numbers and dates keep their kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from workbook.sheetmodel import BANNER, PrintSetup, SheetModel, Style

BANNER_ROW, TITLE_ROW, HEADER_ROW = 0, 1, 2
FIRST_DATA_ROW = HEADER_ROW + 1

BANNER_STYLE = Style(italic=True, color="#7F6000", fill="#FFF2CC", size=10)
TITLE_STYLE = Style(bold=True, size=14)
HEADER_STYLE = Style(bold=True, fill="#DDEBF7", border=True, align="center", valign="vcenter", wrap=True)
CELL = Style(border=True, valign="vcenter")
WRAP = Style(border=True, valign="vcenter", wrap=True)
NUMBER = Style(border=True, num_format="0", align="right", valign="vcenter")  # counts: people, votes, rows, ranks
SCORE_FORMAT = "0.00"  # the one number format of every score, on every generated sheet and the report
SCORE = Style(border=True, num_format=SCORE_FORMAT, align="right", valign="vcenter")
DATE = Style(border=True, num_format="yyyy-mm-dd", align="center", valign="vcenter")
CENTER = Style(border=True, align="center", valign="vcenter")
LINK = Style(border=True, color="#0563C1", underline=True, align="center", valign="vcenter")


def style_for(value: Any, default: Style = CELL) -> Style:
    """Dates as dates, a float (a score, an average) with two decimals, a whole number (a count) as it is."""
    if isinstance(value, (dt.date, dt.datetime)):
        return DATE
    if isinstance(value, float):
        return SCORE
    if isinstance(value, int) and not isinstance(value, bool):
        return NUMBER
    return default


def table_sheet(
    name: str,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    landscape: bool = False,
    column_styles: dict[int, Style] | None = None,
) -> SheetModel:
    """A generated sheet holding one table below the banner and a title line.

    A cell's style follows its value (`style_for`); `column_styles` (0-based column ->
    style) overrides that for whole columns, e.g. shares shown as percentages.
    """
    fixed = column_styles or {}
    model = SheetModel(name)
    last_col = max(len(headers) - 1, 0)
    model.merge(BANNER_ROW, 0, BANNER_ROW, last_col, BANNER, BANNER_STYLE)
    model.merge(TITLE_ROW, 0, TITLE_ROW, last_col, title, TITLE_STYLE)
    model.row_heights[TITLE_ROW] = 24
    model.put_row(HEADER_ROW, list(headers), HEADER_STYLE)
    model.row_heights[HEADER_ROW] = 30
    for offset, row in enumerate(rows):
        for col, value in enumerate(row):
            model.put(FIRST_DATA_ROW + offset, col, value, fixed[col] if col in fixed else style_for(value))
    for col, width in enumerate(widths):
        model.col_widths[col] = width
    model.freeze = (FIRST_DATA_ROW, 0)
    model.autofilter = (HEADER_ROW, 0, HEADER_ROW + max(len(rows), 1), last_col)
    model.print_setup = PrintSetup(landscape=landscape, repeat_rows=(HEADER_ROW, HEADER_ROW), header="&C" + name)
    return model


def sheet_link(sheet: str, cell: str = "A1") -> str:
    """A link target inside the workbook: 'sheet'!D7."""
    return "'" + sheet.replace("'", "''") + "'!" + cell
