"""Typed records: the raw rows of an input sheet read against its column contract.

`type_sheet` turns a `RawSheet` into a `Table` of `Record`s whose values have their
kind (dates, numbers, codes, list values), and yields a finding for every cell that
cannot be read: a missing column, a blank required value, a bad date or number, a value
outside its list, a duplicate code. A cell that cannot be read is None in the record.

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
from workbook.layout import Column, SheetSpec
from workbook.raw import RawSheet, normalize_header
from workbook.sheetmodel import TEXT_LIMIT

from . import findings as F


def _cached(parse):
    """Parse each distinct raw value once: big sheets repeat the same codes and words."""
    cached = lru_cache(maxsize=1 << 16, typed=True)(parse)

    def parse_value(raw):
        try:
            return cached(raw)
        except TypeError:  # an unhashable value: parse it directly
            return parse(raw)

    return parse_value


PARSERS = {
    layout.TEXT: _cached(values.text),
    layout.ID: _cached(values.code),
    layout.DATE: _cached(values.to_day),
    layout.INT: _cached(values.to_int),
    layout.NUMBER: _cached(values.to_number),
    layout.CHOICE: _cached(values.choice),
    layout.MONTHS: _cached(values.to_months),
}
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


def type_sheet(raw: RawSheet, spec: SheetSpec) -> tuple[Table, list[F.Finding]]:
    """The typed table of one sheet and the findings about its columns and cells."""
    table = Table(spec, columns={c.name: raw.column_of(c.name) for c in spec.columns if raw.column_of(c.name) is not None})
    found = list(_missing_columns(table, raw.headers))
    plan = [(column, table.columns[column.name], PARSERS[column.kind]) for column in spec.columns if column.name in table.columns]
    for row, cells in raw.rows:
        table.records.append(_type_row(table, plan, row, cells, found))
    found.extend(_duplicates(table))
    return table, found


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
        value, problem = _type_cell(table, record, column, parse, raw)
        record[column.name] = value
        if problem:
            if value is None:  # typed, but it could not be read (a warning keeps its value)
                record.mark_unread(column.name, raw)
            found.append(problem)
    return record


def _type_cell(table: Table, record: Record, column: Column, parse, raw: Any) -> tuple[Any, F.Finding | None]:
    try:
        value = parse(raw)
    except values.TimeNotDate:
        return None, table.finding("date-is-time", record, column.name, raw)
    except values.OutOfRange:
        return None, table.finding("date-out-of-range", record, column.name, raw)
    except ValueError:
        return None, table.finding(BAD_CODES.get(column.kind, "bad-number"), record, column.name, raw)
    if value is None:
        problem = table.finding("required", record, column.name) if column.required else None
        return None, problem
    if column.kind == layout.TEXT:
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
