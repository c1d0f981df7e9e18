"""Append rows to an input sheet of the master at the zip level, losing nothing else.

Collecting returned forms adds rows to 评议记录. openpyxl's load-and-save would drop
shapes, x14 drop-downs, VML and more (see workbook.package), so this module edits only
the sheet's own XML, by text surgery, and copies every other part raw:

- the new rows go right after the last row that holds a value; an empty row already
  there (a styled row Excel left behind) is filled in place, keeping its height and its
  cells' styles; rows further down stay as they are;
- text is an inline string (`t="inlineStr"`, xml-escaped, xml:space="preserve"), so a
  value starting with '=', '+', '-' or '@' stays text and sharedStrings.xml is untouched;
- dates are serial numbers with a date style: the cell's, row's or column's own style
  when that is a date format, else a date format appended to styles.xml (append-only,
  through `package.merge_styles`, which reuses an equal entry);
- `<dimension ref>` grows to cover the new rows.

`append_to_master` does this through `safety.safe_replace`: it refuses a workbook open in
Excel, locks, backs up, writes beside, verifies and replaces atomically. The check
re-reads both files with python-calamine (the sheet's old rows unchanged, the new rows
present) and compares every other part of the zip (CRC and size).

Limits: a cell formula is never written; the sheet's autofilter range, Excel tables
(ListObjects) and defined names are not extended; characters XML cannot hold (control
characters other than tab and line breaks) are dropped from text.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import numbers
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from workbook import errors, package, render_xlsx, safety
from workbook.layout import column_letter
from workbook.ooxml import column_index, sheet_entries

# Sibling helpers of the package writer: the zip and XML text primitives it already trusts.
from workbook.package import _Package, _attrs, _decode, _elements, _encode, _ns_prefix, _open_zip, _root_prefix, _tag

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
FIRST_SAFE_DATE = dt.date(1900, 3, 1)  # earlier serials carry Excel's 1900 leap-year bug
DATE_FORMAT = "yyyy-mm-dd"
MAX_TEXT = 32_767  # characters Excel holds in one cell
MAX_ROW = 1_048_576
BUILTIN_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_VALUE = re.compile(r"<(?:[\w.-]+:)?(?:v|is|f)[\s>/]")
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

    @property
    def count(self) -> int:
        return self.last_row - self.first_row + 1

    @property
    def changed_parts(self) -> set[str]:
        return {self.part} | ({self.styles_part} if self.styles_changed and self.styles_part else set())


def clean_text(value: str) -> str:
    """Text as it can be stored: characters XML 1.0 cannot hold are dropped."""
    return _ILLEGAL_XML.sub("", value)


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
            merge = package.merge_styles(self.text, _date_format_styles())
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

def excel_serial(value: dt.date) -> float:
    """The Excel serial number of a date or datetime (1900 date system)."""
    if (value.date() if isinstance(value, dt.datetime) else value) < FIRST_SAFE_DATE:
        raise ValueError(f"date before {FIRST_SAFE_DATE} cannot be appended: {value!r}")
    moment = value.replace(tzinfo=None) if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
    return (moment - EXCEL_EPOCH) / dt.timedelta(days=1)


def _number_text(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"non-finite number cannot be appended: {value!r}")
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def cell_xml(ref: str, value: Any, style: int, prefix: str) -> str:
    """One `<c>` element: inline string, boolean, number or date serial (never a formula)."""
    c, v = _tag(prefix, "c"), _tag(prefix, "v")
    s_attr = f' s="{style}"' if style else ""
    if isinstance(value, str):
        text = clean_text(value)
        if len(text) > MAX_TEXT:
            raise ValueError(f"text over {MAX_TEXT} characters cannot go in cell {ref}")
        body = f'<{_tag(prefix, "is")}><{_tag(prefix, "t")} xml:space="preserve">{escape(text)}</{_tag(prefix, "t")}></{_tag(prefix, "is")}>'
        return f'<{c} r="{ref}"{s_attr} t="inlineStr">{body}</{c}>'
    if isinstance(value, bool):
        return f'<{c} r="{ref}"{s_attr} t="b"><{v}>{int(value)}</{v}></{c}>'
    if isinstance(value, (dt.date, dt.datetime)):
        return f'<{c} r="{ref}"{s_attr}><{v}>{_number_text(excel_serial(value))}</{v}></{c}>'
    if isinstance(value, numbers.Real):
        return f'<{c} r="{ref}"{s_attr}><{v}>{_number_text(float(value))}</{v}></{c}>'
    raise TypeError(f"cannot append {type(value).__name__} to cell {ref}: {value!r}")


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and clean_text(value) == "")


# --- the sheet's XML --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Row:
    """One `<row>` element of sheetData, by its place in the sheet text."""

    number: int
    start: int
    end: int
    attrs: str
    inner: str

    @property
    def has_value(self) -> bool:
        return _VALUE.search(self.inner) is not None


class _SheetEdit:
    """Text surgery on one worksheet part: new rows after the last row with a value."""

    def __init__(self, text: str, styles: _Styles):
        self.text, self.styles = text, styles
        self.prefix = _root_prefix(text, "worksheet")
        self.col_styles = self._column_styles()

    def _q(self, local: str) -> str:
        return _tag(self.prefix, local)

    def _column_styles(self) -> dict[int, int]:
        """0-based column -> the default style of that column (`<col style>`)."""
        styles: dict[int, int] = {}
        for match in _elements(self.text, self._q("col")):
            attrs = _attrs(match.group(0))
            if "style" in attrs:
                for col in range(int(attrs.get("min", "1")) - 1, int(attrs.get("max", "1"))):
                    styles[col] = int(attrs["style"])
        return styles

    def _sheet_data(self) -> tuple[int, int, str]:
        """(start, end) of sheetData's content in the text, opening it up if self-closing."""
        qname = self._q("sheetData")
        empty = re.search(rf"<{re.escape(qname)}\b([^>]*?)/>", self.text)
        if empty:
            self.text = self.text[: empty.start()] + f"<{qname}{empty.group(1)}></{qname}>" + self.text[empty.end():]
        opening = re.search(rf"<{re.escape(qname)}\b[^>]*>", self.text)
        if opening is None:
            raise ValueError("worksheet without sheetData")
        close = self.text.index(f"</{qname}>", opening.end())
        return opening.end(), close, self.text[opening.end(): close]

    def _rows(self, start: int, inner: str) -> list[_Row]:
        rows, previous = [], 0
        for match in _elements(inner, self._q("row")):
            number = _attrs(match.group(1)).get("r")
            previous = int(number) if number and number.isdigit() else previous + 1
            rows.append(_Row(previous, start + match.start(), start + match.end(), match.group(1), match.group(2) or ""))
        return rows

    def append(self, rows: list[list[Any]]) -> tuple[int, int]:
        """Insert the rows; return the first and last Excel row written."""
        start, end, inner = self._sheet_data()
        existing = self._rows(start, inner)
        last_value = max((r.number for r in existing if r.has_value), default=0)
        first = last_value + 1
        if first + len(rows) - 1 > MAX_ROW:
            raise ValueError("the sheet has no room for more rows")
        tail = [r for r in existing if r.number > last_value]
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
        """A new row, or an empty old row filled in (its height and cell styles kept)."""
        attrs = old.attrs if old else f' r="{number}"'
        attrs = re.sub(r'\s(?:spans|hidden)="[^"]*"', "", attrs)
        old_cells = self._old_cells(old)
        row_style = self._row_style(attrs)
        cells = dict(old_cells)
        for col, value in enumerate(values):
            if not _is_blank(value):
                ref = f"{column_letter(col)}{number}"
                style = self._style(value, old_cells.get(col, (None, ""))[0], row_style, self.col_styles.get(col))
                cells[col] = (style, cell_xml(ref, value, style, self.prefix))
        body = "".join(xml for _, (_, xml) in sorted(cells.items()))
        qname = self._q("row")
        return f"<{qname}{attrs}>{body}</{qname}>"

    def _old_cells(self, old: _Row | None) -> dict[int, tuple[int | None, str]]:
        """0-based column -> (style, element) of the cells of an empty old row."""
        cells = {}
        for match in _elements(old.inner if old else "", self._q("c")):
            attrs = _attrs(match.group(1))
            ref = re.match(r"([A-Z]+)", attrs.get("r", ""))
            if ref:
                style = int(attrs["s"]) if attrs.get("s", "").isdigit() else None
                cells[column_index(ref.group(1))] = (style, match.group(0))
        return cells

    @staticmethod
    def _row_style(attrs: str) -> int | None:
        parsed = _attrs(attrs)
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

def _parts_of(path: Path, pkg: _Package, sheet: str) -> tuple[str, str | None]:
    """The zip names of the sheet's part and of styles.xml."""
    entry = next((e for e in sheet_entries(pkg.zip) if e.name == sheet), None)
    part = pkg.actual(entry.part) if entry else None
    if part is None:
        raise errors.MissingSheets(path, f"缺少工作表“{sheet}”")
    styles = next((r.target for r in pkg.rels(pkg.main_part()) if r.type.endswith("/styles")), None)
    return part, styles if styles in pkg.infos else None


def append_rows(src_path: str | Path, dst_path: str | Path, sheet: str, rows: list[list[Any]]) -> Appended:
    """Write a copy of the package with `rows` (values by column from A) appended to `sheet`.

    Values: str, int, float, bool, date, datetime; None or "" leaves the cell empty.
    Misuse (no rows, an unknown value type, a non-finite number) raises ValueError/TypeError.
    """
    src = Path(src_path)
    if not rows:
        raise ValueError("append_rows needs at least one row")
    with _open_zip(src) as zf:
        pkg = _Package(zf)
        part, styles_part = _parts_of(src, pkg, sheet)
        text, bom = _decode(pkg.read(part))
        if _ns_prefix(text, package.STRICT_NS) is not None:
            raise errors.WrongFileType(src, "Strict Open XML 格式的工作簿")
        styles_text, styles_bom = _decode(pkg.read(styles_part)) if styles_part else (None, False)
    styles = _Styles(src, styles_text)
    edit = _SheetEdit(text, styles)
    first, last = edit.append(rows)
    new_parts = {part: _encode(edit.text, bom)}
    if styles.changed:
        new_parts[styles_part] = _encode(styles.text, styles_bom)
    package.copy_package(src, dst_path, new_parts)
    return Appended(sheet, part, first, last, styles_part, styles.changed)


# --- checking what was written -----------------------------------------------------------------

def _normalised(row: list[Any]) -> list[str | None]:
    """A row as compared after reading back: normalised values, trailing blanks dropped."""
    values = [package.normalise_value(clean_text(v) if isinstance(v, str) else v) for v in row]
    while values and values[-1] is None:
        values.pop()
    return values


def _padded(rows: list[list[Any]], width: int) -> list[list[Any]]:
    return [list(row) + [""] * (width - len(row)) for row in rows]


def verify_appended(old_path: str | Path, new_path: str | Path, done: Appended, rows: list[list[Any]]) -> None:
    """The new file holds the old rows unchanged, the new rows, and every other part as before.

    Raises errors.WriteFailed saying what differs.
    """
    old = package.read_sheet_rows(old_path, [done.sheet]).get(done.sheet, [])
    new = package.read_sheet_rows(new_path, [done.sheet]).get(done.sheet, [])
    width = max((len(r) for r in old + new), default=0)
    kept = done.first_row - 1
    if _padded(old[:kept], width) != _padded(new[:kept], width):
        raise errors.WriteFailed(new_path, f"“{done.sheet}”原有的行在新文件中发生了变化", "existing rows changed")
    if [_normalised(r) for r in new[kept: done.last_row]] != [_normalised(r) for r in rows]:
        raise errors.WriteFailed(new_path, f"追加到“{done.sheet}”的行读回与写入的不一致", "appended rows differ")
    _check_other_parts(old_path, new_path, done.changed_parts)


def _check_other_parts(old_path: str | Path, new_path: str | Path, changed: set[str]) -> None:
    with _open_zip(old_path) as old_zip, _open_zip(new_path) as new_zip:
        old = {i.filename: (i.CRC, i.file_size) for i in old_zip.infolist()}
        new = {i.filename: (i.CRC, i.file_size) for i in new_zip.infolist()}
    if set(old) != set(new):
        raise errors.WriteFailed(new_path, "新文件的组成与原文件不同", f"parts added or removed: {sorted(set(old) ^ set(new))}")
    for name, entry in old.items():
        if name not in changed and new[name] != entry:
            raise errors.WriteFailed(new_path, "原有内容在新文件中发生了变化", f"part {name} changed")


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
