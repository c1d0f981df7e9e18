"""Append rows to an input sheet of the master at the zip level, losing nothing else.

Collecting returned forms adds rows to 评议记录. openpyxl's load-and-save would drop
shapes, x14 drop-downs, VML and more (see workbook.package), so this module edits only
the sheet's own XML, by text surgery, and copies every other part raw:

- the new rows go right after the last row that holds a value in one of the sheet's
  contract columns, wherever they stand (`first_free_row`, the rule the Excel button uses
  too); a row already there (a styled empty row Excel left behind, or one with a note
  beside the table) is filled in place, keeping its height, its cells' styles and its
  other cells; rows further down stay as they are;
- text is an inline string (`t="inlineStr"`, xml-escaped, xml:space="preserve"), so a
  value starting with '=', '+', '-' or '@' stays text and sharedStrings.xml is untouched;
- dates are serial numbers with a date style: the cell's, row's or column's own style
  when that is a date format, else a date format appended to styles.xml (append-only,
  through `merge_styles`, which reuses an equal entry);
- `<dimension ref>` grows to cover the new rows;
- workbook.xml asks for a full recalculation on opening (`fullCalcOnLoad`), so formulas
  that count 评议记录 show the new rows; in a 1904-date-system workbook date serials count
  from 1904-01-01.

`append_to_master` does this through `safety.safe_replace`: it refuses a workbook open in
Excel, locks, backs up, writes beside, verifies and replaces atomically. The check
re-reads both files with python-calamine (the sheet reads as before with the new values
written in) and compares every other part of the zip (CRC and size); its message names
the master, not the temporary file.

Limits: a cell formula is never written; the sheet's autofilter range, Excel tables
(ListObjects) and defined names are not extended; characters XML cannot hold (control
characters other than tab and line breaks) are dropped from text. Values the caller gives
wrongly (a type we cannot write, NaN, a date before 1900-03-01, text over 32,767
characters) raise ValueError/TypeError; a sheet that cannot take the rows (full, or
without sheetData) raises errors.WriteFailed / errors.CorruptWorkbook in Chinese.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import numbers
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from workbook import errors, layout, package, render_xlsx, safety
from workbook.fingerprints import normalise_value, read_sheet_rows
from workbook.layout import column_letter
from workbook.ooxml import NS_STRICT, Package, column_index, open_zip, sheet_entries, uses_1904
from workbook.raw import normalize_header
from workbook.styles import merge_styles
from workbook.values import EPOCH_1904, EXCEL_EPOCH, is_blank
from workbook.xmltext import attrs, decode, elements, encode, ensure_full_calc, ns_prefix, root_prefix, tag
from workbook.zipout import copy_package

FIRST_SAFE_DATE = dt.date(1900, 3, 1)  # earlier serials carry Excel's 1900 leap-year bug
DATE_FORMAT = "yyyy-mm-dd"
MAX_TEXT = 32_767  # characters Excel holds in one cell
MAX_ROW = 1_048_576
BUILTIN_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


@dataclass(frozen=True)
class Appended:
    """Where the rows went: the sheet, its part, the first and last new Excel row."""

    sheet: str
    part: str
    first_row: int
    last_row: int
    styles_part: str | None
    styles_changed: bool
    workbook_part: str | None = None  # set when workbook.xml was edited (fullCalcOnLoad)

    @property
    def count(self) -> int:
        return self.last_row - self.first_row + 1

    @property
    def changed_parts(self) -> set[str]:
        styles = {self.styles_part} if self.styles_changed and self.styles_part else set()
        return {self.part} | styles | ({self.workbook_part} if self.workbook_part else set())


def clean_text(value: str) -> str:
    """Text as it can be stored: characters XML 1.0 cannot hold are dropped."""
    return _ILLEGAL_XML.sub("", value)


def _cleaned(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


# --- where the new rows go ------------------------------------------------------------------

def first_free_row(rows: Iterable[tuple[int, Sequence[Any]]], columns: Iterable[int] | None = None) -> int:
    """The Excel row where appended rows start: after the last row with a value in any of `columns`.

    `rows`: (Excel row, values from column A), as `raw.RawSheet.rows` holds them; the
    header row may be among them or not. `columns`: the 0-based positions of the sheet's
    contract columns where they actually stand (`contract_columns`, or a validated
    `Table.columns.values()`); None looks at every column. Blank is `values.is_blank`
    (None, "", spaces). Never above row 2: row 1 is the header.
    """
    wanted = None if columns is None else set(columns)
    last = 1
    for number, cells in rows:
        if number > last and any(not is_blank(_cleaned(v)) for col, v in enumerate(cells) if wanted is None or col in wanted):
            last = number
    return last + 1


def contract_columns(header: Sequence[Any], sheet: str) -> list[int] | None:
    """0-based positions of `sheet`'s contract columns in its header row (first of a repeated
    header); None when the sheet is not an input sheet of the contract or none is found."""
    spec = layout.SPECS.get(sheet)
    if spec is None:
        return None
    wanted, found = {normalize_header(h) for h in spec.headers}, {}
    for index, value in enumerate(header):
        found.setdefault(normalize_header(value), index)
    positions = sorted(found[h] for h in wanted if h in found)
    return positions or None


# --- styles: which cell formats are dates -------------------------------------------------

def is_date_format(code: str) -> bool:
    """True for a number format code that shows a date or time (yyyy-mm-dd, m/d, h:mm)."""
    plain = _QUOTED.sub("", code).lower()
    return plain != "general" and re.search(r"[ymdhs]", plain) is not None


class _Styles:
    """The master's cell formats: which are dates; a date format appended on first need."""

    def __init__(self, path: Path, text: str | None):
        self.path, self.text, self.changed = path, text, False
        self._date_xf: int | None = None
        self._dates = self._date_xfs(text) if text else set()

    @staticmethod
    def _date_xfs(text: str) -> set[int]:
        root = ET.fromstring(text.encode("utf-8"))
        ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
        q = (lambda local: f"{{{ns}}}{local}") if ns else (lambda local: local)
        codes = {int(el.get("numFmtId", "0")): el.get("formatCode", "") for el in root.iter(q("numFmt"))}
        xfs = root.find(q("cellXfs"))
        found = set()
        for index, xf in enumerate(xfs if xfs is not None else []):
            number = int(xf.get("numFmtId", "0"))
            if number in BUILTIN_DATE_FORMATS or (number in codes and is_date_format(codes[number])):
                found.add(index)
        return found

    def is_date(self, xf: int) -> bool:
        return xf in self._dates

    def date_xf(self) -> int:
        """A cell format showing yyyy-mm-dd: appended to styles.xml (or reused) once."""
        if self._date_xf is None:
            if self.text is None:
                raise errors.CorruptWorkbook(self.path, "缺少样式部件 styles.xml，无法写入日期")
            merge = merge_styles(self.text, _date_format_styles())
            self.changed = merge.text != self.text
            self.text, self._date_xf = merge.text, merge.xf_map[1]
        return self._date_xf


def _date_format_styles() -> str:
    """The styles.xml of a tiny xlsxwriter book whose format 1 is a left-aligned date."""
    buffer = io.BytesIO()
    book = render_xlsx.new_workbook(buffer)
    date_format = book.add_format({"num_format": DATE_FORMAT, "align": "left"})
    book.add_worksheet().write_datetime(0, 0, dt.datetime(2026, 1, 1), date_format)
    book.close()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
        return zf.read("xl/styles.xml").decode("utf-8")


# --- cells --------------------------------------------------------------------------------

def excel_serial(value: dt.date, date1904: bool = False) -> float:
    """The Excel serial number of a date or datetime, in the 1900 or the 1904 date system."""
    day = value.date() if isinstance(value, dt.datetime) else value
    first = EPOCH_1904 if date1904 else FIRST_SAFE_DATE
    if day < first:
        raise ValueError(f"date before {first} cannot be appended: {value!r}")
    moment = value.replace(tzinfo=None) if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
    epoch = EPOCH_1904 if date1904 else EXCEL_EPOCH
    return (moment - dt.datetime.combine(epoch, dt.time())) / dt.timedelta(days=1)


def _number_text(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"non-finite number cannot be appended: {value!r}")
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def cell_xml(ref: str, value: Any, style: int, prefix: str, date1904: bool = False) -> str:
    """One `<c>` element: inline string, boolean, number or date serial (never a formula)."""
    c, v = tag(prefix, "c"), tag(prefix, "v")
    s_attr = f' s="{style}"' if style else ""
    if isinstance(value, str):
        text = clean_text(value)
        if len(text) > MAX_TEXT:
            raise ValueError(f"text over {MAX_TEXT} characters cannot go in cell {ref}")
        body = f'<{tag(prefix, "is")}><{tag(prefix, "t")} xml:space="preserve">{escape(text)}</{tag(prefix, "t")}></{tag(prefix, "is")}>'
        return f'<{c} r="{ref}"{s_attr} t="inlineStr">{body}</{c}>'
    if isinstance(value, bool):
        return f'<{c} r="{ref}"{s_attr} t="b"><{v}>{int(value)}</{v}></{c}>'
    if isinstance(value, (dt.date, dt.datetime)):
        return f'<{c} r="{ref}"{s_attr}><{v}>{_number_text(excel_serial(value, date1904))}</{v}></{c}>'
    if isinstance(value, numbers.Real):
        return f'<{c} r="{ref}"{s_attr}><{v}>{_number_text(float(value))}</{v}></{c}>'
    raise TypeError(f"cannot append {type(value).__name__} to cell {ref}: {value!r}")


# --- the sheet's XML --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Row:
    """One `<row>` element of sheetData, by its place in the sheet text."""

    number: int
    start: int
    end: int
    attrs: str
    inner: str


class _SheetEdit:
    """Text surgery on one worksheet part: new rows from a given row on (see `first_free_row`)."""

    def __init__(self, text: str, styles: _Styles, sheet: str, date1904: bool = False):
        self.text, self.styles, self.sheet, self.date1904 = text, styles, sheet, date1904
        self.prefix = root_prefix(text, "worksheet")
        self.col_styles = self._column_styles()

    def _q(self, local: str) -> str:
        return tag(self.prefix, local)

    def _column_styles(self) -> dict[int, int]:
        """0-based column -> the default style of that column (`<col style>`)."""
        styles: dict[int, int] = {}
        for match in elements(self.text, self._q("col")):
            col_attrs = attrs(match.group(0))
            if "style" in col_attrs:
                for col in range(int(col_attrs.get("min", "1")) - 1, int(col_attrs.get("max", "1"))):
                    styles[col] = int(col_attrs["style"])
        return styles

    def _sheet_data(self) -> tuple[int, int, str]:
        """(start, end) of sheetData's content in the text, opening it up if self-closing."""
        qname = self._q("sheetData")
        empty = re.search(rf"<{re.escape(qname)}\b([^>]*?)/>", self.text)
        if empty:
            self.text = self.text[: empty.start()] + f"<{qname}{empty.group(1)}></{qname}>" + self.text[empty.end():]
        opening = re.search(rf"<{re.escape(qname)}\b[^>]*>", self.text)
        if opening is None:
            raise errors.CorruptWorkbook(self.styles.path, f"工作表“{self.sheet}”缺少数据部分（sheetData）", "worksheet without sheetData")
        close = self.text.index(f"</{qname}>", opening.end())
        return opening.end(), close, self.text[opening.end(): close]

    def _rows(self, start: int, inner: str) -> list[_Row]:
        rows, previous = [], 0
        for match in elements(inner, self._q("row")):
            number = attrs(match.group(1)).get("r")
            previous = int(number) if number and number.isdigit() else previous + 1
            rows.append(_Row(previous, start + match.start(), start + match.end(), match.group(1), match.group(2) or ""))
        return rows

    def append(self, rows: list[list[Any]], first: int) -> tuple[int, int]:
        """Write the rows from Excel row `first` on; return the first and last Excel row written."""
        if first + len(rows) - 1 > MAX_ROW:
            raise errors.WriteFailed(self.styles.path, f"“{self.sheet}”已写到 Excel 的最后一行（第 {MAX_ROW} 行），放不下 {len(rows)} 行新内容",
                                     "sheet full")
        start, end, inner = self._sheet_data()
        tail = [r for r in self._rows(start, inner) if r.number >= first]
        tail_start = tail[0].start if tail else end
        by_number = {r.number: r for r in tail}
        pieces = {r.number: self.text[r.start: r.end] for r in tail}
        for offset, values in enumerate(rows):
            pieces[first + offset] = self._row_xml(first + offset, values, by_number.get(first + offset))
        body = "".join(pieces[number] for number in sorted(pieces))
        self.text = self.text[:tail_start] + body + self.text[end:]
        self._grow_dimension(first + len(rows) - 1, max((len(r) for r in rows), default=1) - 1)
        return first, first + len(rows) - 1

    def _row_xml(self, number: int, values: list[Any], old: _Row | None) -> str:
        """A new row, or an old row filled in (its height, its cells' styles and its other cells kept)."""
        row_attrs = old.attrs if old else f' r="{number}"'
        row_attrs = re.sub(r'\s(?:spans|hidden)="[^"]*"', "", row_attrs)
        old_cells = self._old_cells(old)
        row_style = self._row_style(row_attrs)
        cells = dict(old_cells)
        for col, value in enumerate(map(_cleaned, values)):
            if not is_blank(value):
                ref = f"{column_letter(col)}{number}"
                style = self._style(value, old_cells.get(col, (None, ""))[0], row_style, self.col_styles.get(col))
                cells[col] = (style, cell_xml(ref, value, style, self.prefix, self.date1904))
        body = "".join(xml for _, (_, xml) in sorted(cells.items()))
        qname = self._q("row")
        return f"<{qname}{row_attrs}>{body}</{qname}>"

    def _old_cells(self, old: _Row | None) -> dict[int, tuple[int | None, str]]:
        """0-based column -> (style, element) of the cells of an old row."""
        cells = {}
        for match in elements(old.inner if old else "", self._q("c")):
            cell_attrs = attrs(match.group(1))
            ref = re.match(r"([A-Z]+)", cell_attrs.get("r", ""))
            if ref:
                style = int(cell_attrs["s"]) if cell_attrs.get("s", "").isdigit() else None
                cells[column_index(ref.group(1))] = (style, match.group(0))
        return cells

    @staticmethod
    def _row_style(row_attrs: str) -> int | None:
        parsed = attrs(row_attrs)
        if parsed.get("customFormat") in ("1", "true") and parsed.get("s", "").isdigit():
            return int(parsed["s"])
        return None

    def _style(self, value: Any, cell: int | None, row: int | None, column: int | None) -> int:
        """The cell's own style, else the row's, else the column's; a date gets a date format."""
        style = next((s for s in (cell, row, column) if s is not None), 0)
        if isinstance(value, (dt.date, dt.datetime)) and not self.styles.is_date(style):
            return self.styles.date_xf()
        return style

    def _grow_dimension(self, last_row: int, last_col: int) -> None:
        qname = re.escape(self._q("dimension"))
        match = re.search(rf'(<{qname}\b[^>]*?\sref=")([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?(")', self.text)
        if match is None:
            return
        end_col = max(column_index(match.group(4) or match.group(2)), last_col)
        end_row = max(int(match.group(5) or match.group(3)), last_row)
        ref = f"{match.group(2)}{match.group(3)}:{column_letter(end_col)}{end_row}"
        self.text = self.text[: match.start()] + match.group(1) + ref + match.group(6) + self.text[match.end():]


# --- the write --------------------------------------------------------------------------------

def _parts_of(path: Path, pkg: Package, sheet: str) -> tuple[str, str | None]:
    """The zip names of the sheet's part and of styles.xml."""
    entry = next((e for e in sheet_entries(pkg.zip) if e.name == sheet), None)
    part = pkg.actual(entry.part) if entry else None
    if part is None:
        raise errors.MissingSheets(path, f"缺少工作表“{sheet}”")
    styles = next((r.target for r in pkg.rels(pkg.main_part()) if r.type.endswith("/styles")), None)
    return part, styles if styles in pkg.infos else None


def append_rows(src_path: str | Path, dst_path: str | Path, sheet: str, rows: list[list[Any]]) -> Appended:
    """Write a copy of the package with `rows` (values by column from A) appended to `sheet`.

    The rows start at `first_free_row` of the sheet as python-calamine reads it, looking at
    the sheet's contract columns (every column for a sheet outside the contract).
    Values: str, int, float, bool, date, datetime; None or "" leaves the cell empty.
    Misuse (no rows, an unknown value type, a non-finite number) raises ValueError/TypeError.
    """
    src = Path(src_path)
    if not rows:
        raise ValueError("append_rows needs at least one row")
    with open_zip(src) as zf:
        pkg = Package(zf)
        part, styles_part = _parts_of(src, pkg, sheet)
        text, bom = decode(pkg.read(part))
        if ns_prefix(text, NS_STRICT) is not None:
            raise errors.WrongFileType(src, "Strict Open XML 格式的工作簿")
        styles_text, styles_bom = decode(pkg.read(styles_part)) if styles_part else (None, False)
        main = pkg.main_part()
        main_text, main_bom = decode(pkg.read(main))
        date1904 = uses_1904(zf)
    styles = _Styles(src, styles_text)
    edit = _SheetEdit(text, styles, sheet, date1904)
    first, last = edit.append(rows, _first_row(src, sheet))
    new_parts = {part: encode(edit.text, bom)}
    if styles.changed:
        new_parts[styles_part] = encode(styles.text, styles_bom)
    full_calc = ensure_full_calc(main_text, root_prefix(main_text, "workbook"), package.WORKBOOK_AFTER_NAMES[1:])
    if full_calc != main_text:
        new_parts[main] = encode(full_calc, main_bom)
    copy_package(src, dst_path, new_parts)
    return Appended(sheet, part, first, last, styles_part, styles.changed, main if full_calc != main_text else None)


def _first_row(path: Path, sheet: str) -> int:
    """Where rows appended to `sheet` start: `first_free_row` over its contract columns."""
    grid = read_sheet_rows(path, [sheet]).get(sheet, [])
    return first_free_row(enumerate(grid, 1), contract_columns(grid[0] if grid else [], sheet))


# --- checking what was written -----------------------------------------------------------------

def _normalised(rows: list[list[Any]]) -> list[list[str | None]]:
    """Rows as compared after reading back: normalised values, trailing blanks and blank rows dropped."""
    found = []
    for row in rows:
        values = [normalise_value(_cleaned(v)) for v in row]
        while values and values[-1] is None:
            values.pop()
        found.append(values)
    while found and not found[-1]:
        found.pop()
    return found


def _written_in(old: list[list[Any]], first_row: int, rows: list[list[Any]]) -> list[list[Any]]:
    """The grid `old` with the non-blank values of `rows` written from Excel row `first_row` on."""
    grid = [list(row) for row in old]
    grid += [[] for _ in range(first_row - 1 + len(rows) - len(grid))]
    for offset, values in enumerate(rows):
        target = grid[first_row - 1 + offset]
        for col, value in enumerate(values):
            if not is_blank(_cleaned(value)):
                target.extend([None] * (col + 1 - len(target)))
                target[col] = value
    return grid


def verify_appended(old_path: str | Path, new_path: str | Path, done: Appended, rows: list[list[Any]]) -> None:
    """The new file reads as the old one with the rows written in, and every other part is as before.

    Raises errors.WriteFailed saying what differs, naming the master (`old_path`), not the
    temporary file.
    """
    old = read_sheet_rows(old_path, [done.sheet]).get(done.sheet, [])
    new = read_sheet_rows(new_path, [done.sheet]).get(done.sheet, [])
    expected = _written_in(old, done.first_row, rows)
    kept, last = done.first_row - 1, done.last_row
    if _normalised(new[:kept]) != _normalised(expected[:kept]) or _normalised(new[last:]) != _normalised(expected[last:]):
        raise errors.WriteFailed(old_path, f"“{done.sheet}”原有的行在新文件中发生了变化", "existing rows changed")
    if _normalised(new[kept:last]) != _normalised(expected[kept:last]):
        raise errors.WriteFailed(old_path, f"追加到“{done.sheet}”的行读回与写入的不一致", "appended rows differ")
    package.check_parts_kept(old_path, new_path, done.changed_parts, old_path, no_new_parts=True)


def append_to_master(path: str | Path, sheet: str, rows: list[list[Any]], keep: int = 20,
                     now: dt.datetime | safety.Clock | None = None) -> safety.SafeWrite:
    """Append rows to an input sheet of the master itself: refuse if open, lock, back up,
    write beside, verify, replace. Returns `safety.SafeWrite` with the `Appended` as result."""
    written: list[Appended] = []

    def write(new_path: Path) -> Appended:
        written.append(append_rows(path, new_path, sheet, rows))
        return written[-1]

    def verify(new_path: Path) -> None:
        verify_appended(path, new_path, written[-1], rows)

    return safety.safe_replace(path, write, verify, keep=keep, now=now)
