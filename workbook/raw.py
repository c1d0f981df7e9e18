"""The workbook as typed, before any checking: plain dataclasses shared by the reader and the domain.

`workbook.reader` fills these from a file (python-calamine, or the streaming reader) and
`macros.live` from the book open in Excel; `workplan` takes them as its input. Nothing
here opens a file, so the domain can import it without loading a reading library.

Two kinds of cell are not values and are kept as markers, so that validation can say so
on the cell instead of reading a blank: an Excel error value (`CellError`, `#REF!`) and a
formula saved without its result (`NoCachedValue`). Merged ranges are given to every row
they cover by `fill_merged`, the one rule all readers apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .values import fold

# (first row, first column, last row, last column): Excel rows (1-based), 0-based columns.
Merge = tuple[int, int, int, int]


@dataclass(frozen=True)
class CellError:
    """A cell holding an Excel error value (#REF!, #N/A, #DIV/0! …) instead of a value."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class NoCachedValue:
    """A formula cell saved without its result (files written by programs that do not calculate)."""

    formula: str

    def __str__(self) -> str:
        return "=" + self.formula if self.formula else "（公式）"


MARKERS = (CellError, NoCachedValue)
# The error values Excel shows in a cell (what xlwings' err_to_str gives for one).
EXCEL_ERRORS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"))


def error_marker(value):
    """`CellError` for an error value read as its text (Excel through xlwings), the value itself otherwise."""
    return CellError(value) if isinstance(value, str) and value in EXCEL_ERRORS else value


@dataclass
class RawSheet:
    """One sheet as typed: headers of row 1 and the non-blank rows below, by Excel row.

    A blank cell is None or '' (depending on the reading path); `values.is_blank` takes both.
    `merges` are the sheet's merged ranges (their first column already filled down the rows).
    """

    name: str
    headers: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)

    def column_of(self, header: str) -> int | None:
        """0-based index of the first column with this header (spaces ignored), or None."""
        wanted = normalize_header(header)
        for index, name in enumerate(self.headers):
            if name == wanted:
                return index
        return None

    def columns_of(self, header: str) -> list[int]:
        """0-based indexes of every column with this header (a header typed twice has two)."""
        wanted = normalize_header(header)
        return [index for index, name in enumerate(self.headers) if name == wanted]


@dataclass
class RawBook:
    """The sheets of a workbook as typed, by sheet name; `date1904` for Mac's 1904 date system."""

    path: Path
    sheet_names: list[str]
    sheets: dict[str, RawSheet]
    date1904: bool = False

    def sheet(self, name: str) -> RawSheet | None:
        return self.sheets.get(name)


def normalize_header(value) -> str:
    """A header as compared with the contract: full-width folded, invisible characters and all spaces removed."""
    return fold(value, invisible=True).replace(" ", "")


def _blank(value) -> bool:
    return value is None or value == ""


def fill_merged(rows: list[tuple[int, list]], merges: list[Merge]) -> None:
    """Give a merged range's value to every row it covers, in its first column (in place).

    Excel keeps a merged range's value in its top-left cell only; staff who merge the 活动编号
    of an activity's sign-ins mean it for every row. `rows` are the non-blank rows as
    (Excel row, values), so a row held only by a merge (one running past the table) gets
    nothing and stays no record. A merge starting on the header row gives nothing; the
    other columns of a merge spanning several stay blank (validation warns about those).
    A covered cell that holds a value of its own keeps it.
    """
    if not merges or not rows:
        return
    by_row = {number: values for number, values in rows}
    for first_row, first_col, last_row, _ in merges:
        top = by_row.get(first_row)
        if first_row < 2 or top is None or first_col >= len(top) or _blank(top[first_col]):
            continue
        for number in range(first_row + 1, last_row + 1):
            values = by_row.get(number)
            if values is not None and first_col < len(values) and _blank(values[first_col]):
                values[first_col] = top[first_col]
