"""Reading the workbook open in desktop Excel through its COM object (`book.api`), a few calls a sheet.

`read_raw(wb, wanted, path)` gives the same `RawBook` as the file reader, from the book as it
is open (edits not yet saved included): each wanted sheet costs four Excel calls (`Sheets(name)`,
`UsedRange`, `.Address`, `.Value`), seven when the used range does not start at A1 or reaches
far beyond our columns (a stray cell at XFD1048576: Excel's `Find` gives the true last row, and
only our columns are read). None of the four can go: the handle and the used range are two
objects, and the address must be known before `.Value` (it guards against the stray cell, and
the values alone do not say where the range starts).

Merged ranges are given to every row they cover, as the file reader does (`raw.fill_merged`).
Excel is asked once a click whether the book is as saved (`Saved`); if it is, the merges are
the saved file's (`xlsxstream.merged_ranges`, no Excel call: merging or unmerging cells makes
`Saved` False, so the file's merges are the book's). Otherwise an input sheet costs one more call
(`.MergeCells`), and a few a merged range when it has some (`read_merges`). The generated sheet
read back (积分历史) is not asked: its merges are our own titles, and nothing reads them. The
self-test asks Excel in every case, to compare Excel's merges with the file's. Sheets are looked
up by their contract name; only when one is not found are all names listed once (2 calls a
sheet), for the reader's tolerant matching ("党员名册 " with a trailing space).

What the click learns on the way (the sheet handles, the used ranges) is kept in `ComBook` for
the copy-in (`macros/desktop.py`), so no handle is asked for twice. Values are cleaned as the
file reader has them: Excel's dates (pywintypes, time-zone aware) as naive datetimes, error
values (COM error numbers) as `raw.CellError("#N/A")` (a finding on the cell, never a blank), empty
cells as None. Excel always holds a formula's result, so there is no `NoCachedValue` here.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbook.layout import INPUT_SHEETS
from workbook.raw import CellError, Merge, RawBook, RawSheet, fill_merged, normalize_header
from workbook.reader import EXTRA_COLUMNS
from workbook.xlsxstream import merged_ranges

log = logging.getLogger("workbench.macros")

MAX_CELLS = 2_000_000  # a used range bigger than this is checked with Find before it is read
SLACK_COLUMNS = 50  # a used range this much wider than our columns has a stray cell far right
XL_VALUES, XL_FORMULAS, XL_PART, XL_BY_ROWS, XL_NEXT, XL_PREVIOUS = -4163, -4123, 2, 1, 1, 2
TYPED_SHEETS = frozenset(spec.name for spec in INPUT_SHEETS)  # where staff's merged cells mean something
MAX_MERGE_HITS = 5_000  # a belt for the merge search: Find is asked at most this often a sheet
COM_ERRORS = {-2146826281: "#DIV/0!", -2146826246: "#N/A", -2146826259: "#NAME?", -2146826288: "#NULL!",
              -2146826252: "#NUM!", -2146826265: "#REF!", -2146826273: "#VALUE!", -2146826245: "#GETTING_DATA",
              -2146826230: "#SPILL!", -2146826229: "#CALC!", -2146826238: "#FIELD!"}


@dataclass
class ComBook:
    """The calling workbook's COM object and what one click has learnt about it."""

    wb: Any
    sheets: Any  # wb.Sheets
    handles: dict[str, Any] = field(default_factory=dict)  # actual sheet name -> Worksheet
    used: dict[str, Any] = field(default_factory=dict)  # actual sheet name -> its UsedRange
    names: list[str] | None = None  # every sheet name, once listed
    layout: tuple[tuple[str, ...], dict[str, int], int] | None = None  # (names asked, their positions, sheet count)
    fullname: str | None = None  # the workbook's FullName as Excel gave it (asked once, by the caller)
    file_merges: dict[str, list[Merge]] | None = None  # the saved file's merges, when Excel says it is as saved
    _app: Any = None
    _saved: bool | None = None

    @property
    def saved(self) -> bool:
        """Whether Excel says the book is as last saved (one call, asked once a click, before we change anything)."""
        if self._saved is None:
            self._saved = bool(self.wb.Saved)
        return self._saved

    @property
    def app(self):
        """The workbook's Excel (one call the first time)."""
        if self._app is None:
            self._app = self.wb.Application
        return self._app

    def sheet(self, name: str):
        """The Worksheet called `name` (one call the first time)."""
        if name not in self.handles:
            self.handles[name] = self.sheets(name)
        return self.handles[name]


def column_letter(col: int) -> str:
    """1-based column number as letters (1 -> A)."""
    text = ""
    while col:
        col, rest = divmod(col - 1, 26)
        text = chr(65 + rest) + text
    return text


def parse_address(address: str) -> tuple[int, int, int, int]:
    """'$B$2:$D$9' (or '$A$1') -> (first row, first col, last row, last col), 1-based."""
    cells = re.findall(r"\$?([A-Z]+)\$?(\d+)", address)
    if not cells:
        raise ValueError(f"not an address: {address!r}")

    def number(letters: str) -> int:
        value = 0
        for char in letters:
            value = value * 26 + ord(char) - 64
        return value

    (c1, r1), (c2, r2) = cells[0], cells[-1]
    return int(r1), number(c1), int(r2), number(c2)


def clean(value: Any) -> Any:
    """A COM cell value as the file reader gives it."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in COM_ERRORS:
        return CellError(COM_ERRORS[value])  # a finding on its cell, as the file reader gives it
    if value == "":
        return None
    return value


def read_grid(book: ComBook, name: str, width: int) -> list[list[Any]]:
    """The rows of one sheet from A1, at most `width` columns wide (4 calls; 7 the careful way).

    Keeps the sheet's used range in `book.used` for `read_merges`."""
    sheet = book.sheet(name)
    used = book.used[name] = sheet.UsedRange
    r1, c1, r2, c2 = parse_address(used.Address)
    if r1 == 1 and c1 == 1 and c2 <= width + SLACK_COLUMNS and r2 * c2 <= MAX_CELLS:
        grid = used.Value
    else:  # starts below or right of A1, or a stray cell far away: read exactly our block
        block = f"A1:{column_letter(width)}{r2}"
        last = sheet.Range(block).Find(What="*", LookIn=XL_VALUES, SearchOrder=XL_BY_ROWS, SearchDirection=XL_PREVIOUS)
        if last is None:
            return []
        grid = sheet.Range(f"A1:{column_letter(width)}{last.Row}").Value
    if not isinstance(grid, tuple):
        grid = ((grid,),)
    return [[clean(v) for v in row[:width]] for row in grid]


def read_merges(book: ComBook, name: str) -> list[Merge]:
    """The merged ranges of a sheet's used range (read by `read_grid` first), as the file reader gives
    them: (first row, first col, last row, last col), rows 1-based, columns 0-based.

    No call when Excel says the book is as saved: the saved file's merges are the book's (`book.file_merges`,
    read by `read_raw`; merging or unmerging cells makes Excel's `Saved` False). Otherwise one call
    when the sheet has none (`UsedRange.MergeCells` is False; True or Null when some cells
    are merged). Otherwise Excel's own Find with a search format (`FindFormat.MergeCells`) walks the
    merged cells in row order until it comes back to the first one: about four calls a merged range
    (Find, the cell's Address, its MergeArea's Address), and the search format is cleared afterwards
    so the user's Ctrl+F is not left filtering on merged cells.
    """
    if book.file_merges is not None and name in book.file_merges:
        return book.file_merges[name]
    used = book.used[name]
    if used.MergeCells is False:
        return []
    cell_format = book.app.FindFormat
    cell_format.Clear()
    try:
        cell_format.MergeCells = True
        areas = _merged_areas(used)
    finally:
        cell_format.Clear()
    return sorted((r1, c1 - 1, r2, c2 - 1) for r1, c1, r2, c2 in areas)


def _merged_areas(used) -> list[tuple[int, int, int, int]]:
    """Every merged area Find reaches in `used` (1-based bounds). Works whether Find stops on each merged
    range once or on every cell of it: a cell inside an area already known costs no MergeArea call."""
    def find(after=None):
        options = {"What": "", "LookIn": XL_FORMULAS, "LookAt": XL_PART, "SearchOrder": XL_BY_ROWS,
                   "SearchDirection": XL_NEXT, "MatchCase": False, "SearchFormat": True}
        return used.Find(**options) if after is None else used.Find(After=after, **options)

    areas, first, previous, cell = [], None, None, find()
    for _ in range(MAX_MERGE_HITS):
        if cell is None:
            return areas
        address = cell.Address
        if address in (first, previous):  # Find wrapped round to where it started (or did not move on)
            return areas
        first, previous = first or address, address
        row, col = parse_address(address)[:2]
        if not any(r1 <= row <= r2 and c1 <= col <= c2 for r1, c1, r2, c2 in areas):
            areas.append(parse_address(cell.MergeArea.Address))
        cell = find(cell)
    log.warning("merge search stopped after %d cells of %s; later merged cells are read as they are", MAX_MERGE_HITS,
                used.Address)
    return areas


def raw_sheet(name: str, grid: list[list[Any]], merges: list[Merge] = ()) -> RawSheet:
    """A grid from A1 as the reader's RawSheet: normalised headers of row 1, non-blank rows below,
    merged ranges given to the rows they cover (`raw.fill_merged`, as the file reader does)."""
    if not grid:
        return RawSheet(name, [])
    headers = [normalize_header(v) for v in grid[0]]
    while headers and not headers[-1]:
        headers.pop()
    rows = [(index + 2, row) for index, row in enumerate(grid[1:]) if any(v is not None for v in row)]
    merges = list(merges)
    fill_merged(rows, merges)
    return RawSheet(name, headers, rows, merges)


def _actual_name(book: ComBook, wanted: str) -> str | None:
    """The sheet's name in the book, matched like the file reader (spaces ignored); lists names once."""
    if book.names is None:
        book.names = [sheet.Name for sheet in book.sheets]
    by_norm = {}
    for name in book.names:
        by_norm.setdefault(normalize_header(name), name)
    return by_norm.get(normalize_header(wanted))


def read_raw(wb, wanted: dict[str, int], path: Path, error=Exception, merges_from_file: bool = True
             ) -> tuple[RawBook, ComBook]:
    """The sheets named in `wanted` (name -> contract columns) as typed, and what was learnt.

    `error` is the COM error class (pywintypes.com_error on Windows) a missing sheet raises. With
    `merges_from_file` (the button) Excel is asked once whether the book is as saved, and if so the
    merged ranges are the saved file's; the self-test passes False to compare Excel's own with the file's.
    """
    book = ComBook(wb, wb.Sheets)
    if merges_from_file and path.is_file() and book.saved:
        book.file_merges = merged_ranges(path, [n for n in wanted if n in TYPED_SHEETS])
    sheets = {}
    for name, columns in wanted.items():
        actual = name
        try:
            book.sheet(actual)
        except error:
            actual = _actual_name(book, name)
            if actual is None:
                continue
        width = columns + EXTRA_COLUMNS
        grid = read_grid(book, actual, width)
        sheets[name] = raw_sheet(actual, grid, read_merges(book, actual) if grid and name in TYPED_SHEETS else [])
    return RawBook(path, book.names or [s.name for s in sheets.values()], sheets), book
