"""The workbook open in Excel, through xlwings: read its current contents, write sheets live.

`read_raw` turns the calling book (including edits not yet saved) into the same `RawBook`
the file reader gives, so the same pure pipeline runs on it. `write_sheets` renders
`SheetModel`s into the open book, replacing a generated sheet at its position: no file is
replaced behind Excel's back.

Engines: on Windows/macOS xlwings drives Excel through COM/AppleScript; in tests its
file-free remote engine (`xw.Book(json=...)`) records the same calls as actions. Cosmetics
the remote engine lacks (alignment, borders, drop-downs, protection, tab colour, print
setup) are applied through Excel's object model where it exists (`_excel_api`) and skipped
elsewhere. Text is written with a leading apostrophe, Excel's own "this is text" mark, so
a name like "=SUM(A1)" or "-李四" never becomes a formula.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from workbook import xlsm
from workbook.append import first_free_row
from workbook.layout import column_letter
from workbook.raw import RawBook, RawSheet, normalize_header
from workbook.reader import EXTRA_COLUMNS
from workbook.sheetmodel import Chart, SheetModel, Style

log = logging.getLogger("workbench.macros")
POINTS_PER_CHARACTER = 5.25  # the remote engine takes column widths in points, Excel in characters
DEFAULT_WIDTH, DEFAULT_HEIGHT = 8.43, 15.0  # Excel's default column width (characters) and row height (points)
TEXT_MARK = "'"
XL_VALIDATE_LIST, XL_VALID_ALERT_STOP, XL_BETWEEN = 3, 1, 1
XL_BY_ROWS, XL_PREVIOUS, XL_VALUES = 1, 2, -4163
ALIGN = {"left": -4131, "center": -4108, "right": -4152}
VALIGN = {"top": -4160, "vcenter": -4108, "bottom": -4107}


def is_remote(book) -> bool:
    """True for xlwings' file-free engine (tests), False for a real Excel."""
    return type(book.impl).__module__.endswith("_xlremote")


def _excel_api(action: Callable[[], Any]) -> None:
    """Run a cosmetic step through Excel's object model; skip it where the engine has none."""
    try:
        action()
    except (AttributeError, NotImplementedError, TypeError, KeyError) as exc:
        log.debug("cosmetic step skipped: %s", exc)


# --- reading -----------------------------------------------------------------------------

def read_raw(book, wanted: dict[str, int]) -> RawBook:
    """The sheets named in `wanted` (name -> contract columns) as typed, from the open book."""
    names = [sheet.name for sheet in book.sheets]
    by_norm = {normalize_header(name): name for name in names}
    sheets = {}
    for name, columns in wanted.items():
        actual = by_norm.get(normalize_header(name))
        if actual is not None:
            sheets[name] = _read_sheet(book.sheets[actual], columns + EXTRA_COLUMNS)
    return RawBook(Path(book.fullname or book.name), names, sheets)


def _read_sheet(sheet, width: int) -> RawSheet:
    last_row, last_col = _extent(sheet, width)
    if last_row == 0:
        return RawSheet(sheet.name, [])
    grid = sheet.range((1, 1), (last_row, last_col)).options(ndim=2).value
    headers = [normalize_header(v) for v in grid[0]]
    while headers and not headers[-1]:
        headers.pop()
    rows = [(index + 2, row) for index, row in enumerate(grid[1:]) if any(v is not None and v != "" for v in row)]
    return RawSheet(sheet.name, headers, rows)


def _extent(sheet, width: int) -> tuple[int, int]:
    """(last row, last column) with content in the first `width` columns.

    A stray value far down (XFD1048576) makes the used range huge; Excel's Find over our
    columns gives the true last row without reading the grid.
    """
    used = sheet.used_range
    last_row, last_col = used.last_cell.row, min(used.last_cell.column, width)
    if last_row == 1 and last_col == 1 and sheet.range("A1").value is None:
        return 0, 0
    found = []

    def find_last() -> None:
        cell = sheet.range((1, 1), (last_row, last_col)).api.Find(
            What="*", LookIn=XL_VALUES, SearchOrder=XL_BY_ROWS, SearchDirection=XL_PREVIOUS
        )
        found.append(cell.Row if cell is not None else 0)

    if not is_remote(sheet.book):
        _excel_api(find_last)
    return (found[0] if found else last_row), last_col


# --- writing -----------------------------------------------------------------------------

def write_sheets(book, models: list[SheetModel], owned: set[str]) -> list[str]:
    """Replace (at the same position) or add each generated sheet; returns the names written."""
    _excel_api(lambda: setattr(book.app, "screen_updating", False))
    try:
        for model in xlsm.with_refresh_buttons(models, book.name):
            sheet = _fresh_sheet(book, model.name, owned)
            render(sheet, model, remote=is_remote(book))
    finally:
        _excel_api(lambda: setattr(book.app, "screen_updating", True))
    return [m.name for m in models]


def _fresh_sheet(book, name: str, owned: set[str]):
    """An empty sheet called `name` where the old one stood (or after the last sheet)."""
    names = [s.name for s in book.sheets]
    if name in names:
        if name not in owned:
            raise ValueError(f"{name} is not a generated sheet")
        index = names.index(name)
        book.sheets[name].delete()
        if index > 0:  # "after the sheet before it": xlwings' remote engine places `before=` one too early
            return book.sheets.add(name, after=book.sheets[index - 1])
    return book.sheets.add(name, after=book.sheets[-1])


def render(sheet, model: SheetModel, remote: bool = False) -> None:
    """Write one model into an empty sheet."""
    grid = [[_cell_value(v) for v in row] for row in model.values()]
    if grid:
        sheet.range((1, 1)).value = grid
    _sizes(sheet, model, remote)
    for (r1, c1, r2, c2), style in _style_blocks(model):
        _style(sheet.range((r1 + 1, c1 + 1), (r2 + 1, c2 + 1)), style)
    for r1, c1, r2, c2 in model.merges:
        sheet.range((r1 + 1, c1 + 1), (r2 + 1, c2 + 1)).merge()
    for (row, col), cell in sorted(model.cells.items()):
        if cell.link:
            sheet.range((row + 1, col + 1)).add_hyperlink("#" + cell.link, str(cell.value), cell.link)
    _conditional_as_fills(sheet, model)
    for chart in model.charts:
        _chart(sheet, chart, _position(model, chart.row, chart.col))
    _finish(sheet, model)


def _cell_value(value: Any) -> Any:
    if isinstance(value, str):
        return TEXT_MARK + value if value else None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return value


def _sizes(sheet, model: SheetModel, remote: bool) -> None:
    for col, width in model.col_widths.items():
        sheet.range((1, col + 1)).column_width = width * POINTS_PER_CHARACTER if remote else width
    for row, height in model.row_heights.items():
        sheet.range((row + 1, 1)).row_height = height


def _style_blocks(model: SheetModel) -> Iterator[tuple[tuple[int, int, int, int], Style]]:
    """Rectangles of cells sharing one style: runs along rows, merged down when identical."""
    runs: dict[tuple[int, int, Style], list[int]] = {}
    for row in range(model.max_row + 1):
        for c1, c2, style in _row_runs(model, row):
            runs.setdefault((c1, c2, style), []).append(row)
    for (c1, c2, style), rows in runs.items():
        start = previous = rows[0]
        for row in rows[1:] + [None]:
            if row is not None and row == previous + 1:
                previous = row
                continue
            yield (start, c1, previous, c2), style
            if row is not None:
                start = previous = row


def _row_runs(model: SheetModel, row: int) -> Iterator[tuple[int, int, Style]]:
    run_start, run_style = None, None
    for col in range(model.max_col + 2):
        cell = model.cells.get((row, col))
        style = cell.style if cell else None
        if style != run_style:
            if run_style is not None:
                yield run_start, col - 1, run_style
            run_start, run_style = col, style
    if run_style is not None:
        yield run_start, model.max_col, run_style


def _style(rng, style: Style) -> None:
    if style.num_format:
        rng.number_format = style.num_format
    if style.bold:
        rng.font.bold = True
    if style.italic:
        rng.font.italic = True
    if style.size:
        rng.font.size = style.size
    if style.color:
        rng.font.color = style.color
    if style.fill:
        rng.color = style.fill
    if style.wrap:
        rng.wrap_text = True
    if style.align:
        _excel_api(lambda: setattr(rng.api, "HorizontalAlignment", ALIGN[style.align]))
    if style.valign:
        _excel_api(lambda: setattr(rng.api, "VerticalAlignment", VALIGN[style.valign]))
    if style.border:
        _excel_api(lambda: setattr(rng.api.Borders, "LineStyle", 1))
    if not style.locked:
        _excel_api(lambda: setattr(rng.api, "Locked", False))


def _conditional_as_fills(sheet, model: SheetModel) -> None:
    """A live sheet is rewritten on every refresh, so a conditional colour is applied as a fill."""
    for rule in model.conditional:
        for (row, col), cell in model.cells.items():
            if rule.first_row <= row <= rule.last_row and rule.first_col <= col <= rule.last_col and cell.value == rule.equals:
                rng = sheet.range((row + 1, col + 1))
                rng.color = rule.fill
                if rule.color:
                    rng.font.color = rule.color


def _position(model: SheetModel, row: int, col: int) -> tuple[float, float]:
    """(left, top) in points of a cell, from the model's widths and heights (no round trip to Excel)."""
    left = sum(model.col_widths.get(c, DEFAULT_WIDTH) * POINTS_PER_CHARACTER + 3.75 for c in range(col))
    top = sum(model.row_heights.get(r, DEFAULT_HEIGHT) for r in range(row))
    return left, top


def _chart(sheet, spec: Chart, where: tuple[float, float]) -> None:
    """A native chart of the value columns; the category labels are set through Excel's object model."""
    first = spec.series[0]
    chart = sheet.charts.add(where[0], where[1], spec.width * 0.75, spec.height * 0.75)
    chart.chart_type = "column_clustered" if spec.kind == "bar" else "line_markers"
    columns = [s.col for s in spec.series]
    top = first.name_row if first.name_row is not None else first.first_row
    chart.set_source_data(sheet.range((top + 1, min(columns) + 1), (first.last_row + 1, max(columns) + 1)))
    labels = sheet.range((first.first_row + 1, first.category_col + 1), (first.last_row + 1, first.category_col + 1))

    def set_labels() -> None:
        collection = chart.api[1].SeriesCollection()
        for index in range(1, collection.Count + 1):
            collection.Item(index).XValues = labels.api

    _excel_api(set_labels)
    _excel_api(lambda: setattr(chart.api[1], "HasTitle", True))
    _excel_api(lambda: setattr(chart.api[1].ChartTitle, "Text", spec.title))


def _finish(sheet, model: SheetModel) -> None:
    if model.freeze:
        row, col = model.freeze
        _excel_api(lambda: sheet.freeze_panes.freeze_at(f"{column_letter(col)}{row + 1}"))
    for validation in model.validations:
        rng = sheet.range((validation.first_row + 1, validation.first_col + 1), (validation.last_row + 1, validation.last_col + 1))
        _excel_api(lambda rng=rng, v=validation: _list_validation(rng, v.choices))
    if model.tab_color:
        _excel_api(lambda: setattr(sheet.api.Tab, "Color", _bgr(model.tab_color)))
    for button in model.buttons:
        left, top = _position(model, button.row, button.col)
        _excel_api(lambda b=button, x=left, y=top: _add_button(sheet, b, x, y))
    _excel_api(lambda: _page_setup(sheet, model))
    if model.protect:
        _excel_api(lambda: sheet.api.Protect(DrawingObjects=True, Contents=True, AllowFormattingColumns=True,
                                             AllowFormattingRows=True, AllowFiltering=True))


def _add_button(sheet, button, left: float, top: float) -> None:
    control = sheet.api.Buttons().Add(left, top, button.width * 0.75, button.height * 0.75)
    control.Caption = button.caption
    control.OnAction = button.macro


def _list_validation(rng, choices: tuple[str, ...]) -> None:
    rng.api.Validation.Delete()
    rng.api.Validation.Add(Type=XL_VALIDATE_LIST, AlertStyle=XL_VALID_ALERT_STOP, Operator=XL_BETWEEN, Formula1=",".join(choices))


def _page_setup(sheet, model: SheetModel) -> None:
    setup, page = model.print_setup, sheet.api.PageSetup
    page.PaperSize = 9
    page.Orientation = 2 if setup.landscape else 1
    if setup.repeat_rows:
        page.PrintTitleRows = f"${setup.repeat_rows[0] + 1}:${setup.repeat_rows[1] + 1}"
    if setup.scale:
        page.Zoom = setup.scale
    elif setup.fit_width:
        page.Zoom = False
        page.FitToPagesWide, page.FitToPagesTall = 1, False


def _bgr(color: str) -> int:
    """'#RRGGBB' as Excel's BGR colour number."""
    red, green, blue = int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)
    return red + green * 256 + blue * 65536


def append_rows(book, sheet_name: str, rows: list[list[Any]], columns: Iterable[int]) -> tuple[int, int]:
    """Add rows below the last row with content in the sheet's contract `columns` (0-based), by the
    same rule as the file writer (`append.first_free_row`); returns the (first, last) Excel row."""
    columns = list(columns)
    sheet = book.sheets[sheet_name]
    first = first_free_row(_read_sheet(sheet, max(columns) + 1).rows, columns)
    sheet.range((first, 1)).value = [[_cell_value(v) for v in row] for row in rows]
    return first, first + len(rows) - 1


def alert(book, message: str, title: str = "党建工作台账") -> None:
    """One short message box in Excel (in tests: an `alert` action)."""
    book.app.alert(message, title=title)
