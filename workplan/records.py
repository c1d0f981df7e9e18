"""Typed records: the raw rows of an input sheet read against its column contract.

`type_sheet` turns a `RawSheet` into a `Table` of `Record`s whose values have their
kind (dates, numbers, codes, list values), and yields a finding for every cell that
cannot be read: a missing or repeated column, a blank required value, a bad date or
number, a value outside its list, a duplicate code, an Excel error value or a formula
without its result, a merged range that swallowed other columns. A cell that cannot be
read is None in the record. Invisible characters pasted along with a code or a name are
removed, with a warning on the cell.

Values out of range are found here too, before anything is computed from them: a date
outside 1900-2100 or a date cell holding only a time, a number beyond its column's limit,
text longer than a cell can hold. A line break in a name is folded to a space, with a
warning.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from workbook import layout, values
from workbook.layout import Column, SheetSpec, column_letter
from workbook.raw import CellError, NoCachedValue, RawSheet, normalize_header
from workbook.sheetmodel import TEXT_LIMIT

from . import findings as F


class _Unread(Exception):
    """Raised by a parser for a cell holding a marker (an error value, a formula without its result)."""

    def __init__(self, marker: Any):
        super().__init__(str(marker))
        self.marker = marker


class _Invisible(Exception):
    """Raised by a code or name parser when it removed invisible characters: the value, and which."""

    def __init__(self, value: Any, chars: str):
        super().__init__(chars)
        self.value, self.chars = value, chars


MARKERS = (CellError, NoCachedValue)


def _guarded(parse, cleaned: bool):
    """`parse`, saying so (by exception) for a marker and for invisible characters removed.

    Exceptions are not cached, so the common cells pay nothing: these checks run once per
    distinct value, inside the cache.
    """
    def parse_value(raw):
        if raw.__class__ in MARKERS:
            raise _Unread(raw)
        value = parse(raw)
        if cleaned and raw.__class__ is str and not raw.isprintable():
            hidden = values.invisible(raw)
            if hidden:
                raise _Invisible(value, hidden)
        return value

    return parse_value


def _cached(parse, cleaned: bool = False):
    """Parse each distinct raw value once: big sheets repeat the same codes and words."""
    guarded = _guarded(parse, cleaned)
    cached = lru_cache(maxsize=1 << 16, typed=True)(guarded)

    def parse_value(raw):
        try:
            return cached(raw)
        except TypeError:  # an unhashable value: parse it directly
            return guarded(raw)

    return parse_value


PARSERS = {
    layout.TEXT: _cached(values.text),
    layout.NAME: _cached(values.name, cleaned=True),
    layout.ID: _cached(values.code, cleaned=True),
    layout.DATE: _cached(values.to_day),
    layout.INT: _cached(values.to_int),
    layout.NUMBER: _cached(values.to_number),
    layout.CHOICE: _cached(values.choice, cleaned=True),
    layout.MONTHS: _cached(values.to_months),
}
PARSERS_1904 = {**PARSERS, layout.DATE: _cached(values.to_day_1904)}  # a workbook in the 1904 date system
FREE_TEXT = frozenset((layout.TEXT, layout.NAME))
BAD_CODES = {
    layout.DATE: "bad-date",
    layout.INT: "bad-int",
    layout.NUMBER: "bad-number",
    layout.MONTHS: "bad-months",
}


class Record(dict):
    """One row of an input sheet: typed values by column header (a missing column reads None).

    A dict, so that `record["党员编号"]` in the checks and scores is a plain dict look-up.
    """

    __slots__ = ("sheet", "row", "unread")

    def __init__(self, sheet: str, row: int, values: dict[str, Any] | None = None):
        if values:
            self.update(values)
        self.sheet, self.row = sheet, row
        self.unread: dict[str, Any] | None = None  # column -> what was typed, for cells that could not be read

    def mark_unread(self, column: str, typed: Any) -> None:
        if self.unread is None:
            self.unread = {}
        self.unread[column] = typed

    def blank(self, column: str) -> bool:
        """Nothing typed in the column (as opposed to something typed that could not be read)."""
        return self[column] is None and (self.unread is None or column not in self.unread)

    def __missing__(self, column: str) -> None:
        return None

    def get(self, column: str, default: Any = None) -> Any:
        value = dict.get(self, column)
        return default if value is None else value


@dataclass
class Table:
    """The typed rows of one input sheet, and where each contract column stands."""

    spec: SheetSpec
    records: list[Record] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)
    present: bool = True

    @property
    def name(self) -> str:
        return self.spec.name

    def col(self, column: str) -> int | None:
        return self.columns.get(column)

    def finding(self, code: str, record: Record | None, column: str | None = None, value: Any = "", **params) -> F.Finding:
        """A finding on one cell of this sheet: the record's row, the column's letter.

        `record` None means no row is known (the finding names the column only); an empty
        record (a row whose cells were all blank or unreadable) still has its row.
        """
        return F.make(
            code,
            self.name,
            row=record.row if record is not None else None,
            column=column,
            col_index=self.col(column) if column else None,
            value=values.display(value),
            **params,
        )

    def column_finding(self, code: str, column: str, value: Any = "", **params) -> F.Finding:
        """A finding about a whole column of this sheet (no row): what the column lacks as a whole."""
        return self.finding(code, None, column, value, **params)


def missing_table(spec: SheetSpec) -> Table:
    return Table(spec, present=False)


def type_sheet(raw: RawSheet, spec: SheetSpec, date1904: bool = False) -> tuple[Table, list[F.Finding]]:
    """The typed table of one sheet and the findings about its columns and cells.

    `date1904`: the workbook counts date serials from 1904 (a number typed in a date column).
    """
    table = Table(spec, columns={c.name: raw.column_of(c.name) for c in spec.columns if raw.column_of(c.name) is not None})
    found = list(_missing_columns(table, raw.headers))
    found.extend(_repeated_headers(raw, table))
    parsers = PARSERS_1904 if date1904 else PARSERS
    plan = [(column, table.columns[column.name], parsers[column.kind]) for column in spec.columns if column.name in table.columns]
    for row, cells in raw.rows:
        table.records.append(_type_row(table, plan, row, cells, found))
    found.extend(_duplicates(table))
    found.extend(_merged_across(raw, table))
    return table, found


def _repeated_headers(raw: RawSheet, table: Table) -> Iterator[F.Finding]:
    """A contract header typed twice: only its first column is read, which may be the wrong one."""
    for column in table.spec.columns:
        positions = raw.columns_of(column.name)
        for later in positions[1:]:
            yield F.make("duplicate-header", table.name, row=1, column=column.name, col_index=later, value=column.name,
                         first=column_letter(positions[0]))


def _merged_across(raw: RawSheet, table: Table) -> Iterator[F.Finding]:
    """A merged range over several columns: only its first column has the value, the others read blank."""
    names = {index: name for name, index in table.columns.items()}
    wide = [m for m in raw.merges if m[0] >= 2 and m[3] > m[1] and any(c in names for c in range(m[1] + 1, m[3] + 1))]
    if not wide:
        return
    rows = dict(raw.rows)
    for first_row, first_col, last_row, last_col in wide:
        cells = rows.get(first_row, [])
        value = cells[first_col] if first_col < len(cells) else None
        if values.is_blank(value):
            continue
        others = "、".join(names[c] for c in range(first_col + 1, last_col + 1) if c in names)
        area = f"{column_letter(first_col)}{first_row}:{column_letter(last_col)}{last_row}"
        yield F.make("merged-across", table.name, row=first_row, column=names.get(first_col, column_letter(first_col)),
                     col_index=first_col, value=values.display(value), cells=area, others=others)


def _missing_columns(table: Table, headers: list[str]) -> Iterator[F.Finding]:
    """A contract column not in row 1; "did you mean" when an unknown header there looks like it (编号 for 党员编号)."""
    known = {normalize_header(c.name) for c in table.spec.columns}
    unknown = {header: index for index, header in enumerate(headers) if header and header not in known}
    for index, column in enumerate(table.spec.columns):
        if column.name in table.columns or column.extra:
            continue
        close = difflib.get_close_matches(column.name, list(unknown), n=1, cutoff=0.5)
        if close:
            yield F.make("column-renamed", table.name, row=1, column=column.name, col_index=unknown.pop(close[0]),
                         value=close[0], expected=index + 1)
        else:
            yield F.make("missing-column", table.name, row=1, column=column.name, col_index=index, expected=index + 1)


def _type_row(table: Table, plan: list, row: int, cells: list, found: list[F.Finding]) -> Record:
    """One row typed column by column (the hot loop of a large workbook: kept lean)."""
    record = Record(table.name, row)
    width = len(cells)
    for column, index, parse in plan:
        raw = cells[index] if index < width else None
        if raw is None or raw == "":
            record[column.name] = None
            if column.required:
                found.append(table.finding("required", record, column.name))
            continue
        value, problem = _type_cell(table, record, column, parse, raw, found)
        record[column.name] = value
        if problem:
            if value is None:  # typed, but it could not be read (a warning keeps its value)
                record.mark_unread(column.name, raw)
            found.append(problem)
    return record


def _marker_finding(table: Table, record: Record, column: Column, marker: Any) -> F.Finding:
    """An error value or a formula without its result: an error where the row's counting needs the
    column (required, typed, or a member's key), a warning in optional free text (姓名 beside a 编号)."""
    needed = (column.required or column.kind not in FREE_TEXT
              or (table.name == layout.MEMBERS and column.name in layout.MEMBER_KEY_COLUMNS))
    code = "cell-error" if isinstance(marker, CellError) else "formula-no-value"
    return table.finding(code if needed else code + "-text", record, column.name, marker)


def _type_cell(table: Table, record: Record, column: Column, parse, raw: Any,
               found: list[F.Finding]) -> tuple[Any, F.Finding | None]:
    """The value of one cell and the problem that makes it unreadable (notes go straight to `found`)."""
    try:
        value = parse(raw)
    except values.TimeNotDate:
        return None, table.finding("date-is-time", record, column.name, raw)
    except values.OutOfRange:
        return None, table.finding("date-out-of-range", record, column.name, raw)
    except ValueError:
        return None, table.finding(BAD_CODES.get(column.kind, "bad-number"), record, column.name, raw)
    except _Unread as unread:
        if table.name == layout.SETTINGS and column.name == "值":  # read_settings says it, once, with its fallback
            return None, None
        return None, _marker_finding(table, record, column, unread.marker)
    except _Invisible as cleaned:
        value = cleaned.value
        if value is not None:
            found.append(table.finding("invisible-chars", record, column.name, value, chars=cleaned.chars))
    if value is None:
        problem = table.finding("required", record, column.name) if column.required else None
        return None, problem
    if column.kind in FREE_TEXT:
        return _checked_text(table, record, column, value)
    if column.kind == layout.CHOICE and column.strict and value not in column.choices:
        return None, table.finding("bad-choice", record, column.name, raw, choices="、".join(column.choices))
    if column.kind == layout.INT and value < 0:
        return None, table.finding("negative", record, column.name, raw)
    if column.limit is not None and abs(value) > column.limit:
        return None, table.finding("number-out-of-range", record, column.name, raw, limit=f"{column.limit:g}")
    return value, None


def _checked_text(table: Table, record: Record, column: Column, value: str) -> tuple[Any, F.Finding | None]:
    """Text longer than a cell holds is refused; a line break in a name is folded, with a warning."""
    if len(value) > TEXT_LIMIT:
        return None, table.finding("text-too-long", record, column.name, value, length=len(value), limit=TEXT_LIMIT)
    if column.one_line and ("\n" in value or "\r" in value):
        folded = " ".join(value.split())
        return folded, table.finding("newline-in-name", record, column.name, folded)
    return value, None


def _duplicates(table: Table) -> Iterator[F.Finding]:
    for column in table.spec.columns:
        if not column.unique or column.name not in table.columns:
            continue
        first_row: dict[Any, int] = {}
        for record in table.records:
            value = record[column.name]
            if value is None:
                continue
            if value in first_row:
                yield table.finding("duplicate-id", record, column.name, value, first=first_row[value])
            else:
                first_row[value] = record.row
