"""A streaming reader for one worksheet, for sheets python-calamine cannot take.

python-calamine builds a dense grid from the first to the last used cell; one stray value
at XFD1048576 makes it ask for hundreds of gigabytes and abort the process. This reader
walks the sheet's XML once and keeps only the cells in the first `max_cols` columns, so
the cost follows the cells actually present, not the sheet's extent. It is slower than
calamine per cell, so the reader uses it only when a sheet's extent is unreasonable, or
when calamine failed on the sheet (it panics on some numbers in date cells).

It gives what the calamine path gives: the same markers for error values and formulas
without a cached value (`raw.CellError`, `raw.NoCachedValue`), the merged ranges
(`<mergeCells>`), dates in the workbook's own date system (1900 or 1904). A number in a
date cell that is no date (-1e308) is kept as the number, for validation to report.

`merged_ranges` gives only the merged ranges of some sheets, without parsing a cell: the desktop
button takes them from the saved file when Excel says the book is as saved (`macros.comread`).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from xml.etree import ElementTree as ET

from .ooxml import NS_MAIN, column_index, sheet_entries
from .raw import CellError, Merge, NoCachedValue, normalize_header
from .values import EPOCH_1904, EXCEL_EPOCH

_M = f"{{{NS_MAIN}}}"
_REF = re.compile(r"([A-Z]+)(\d+)")
# Built-in number formats that show dates or times (ECMA-376 18.8.30, with the CJK ids).
_DATE_FORMAT_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_DATE_CODE = re.compile(r"[ymdhs]", re.IGNORECASE)
_LITERAL = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def shared_strings(zf: zipfile.ZipFile) -> list[str]:
    """The shared strings table, phonetic runs left out."""
    try:
        stream = zf.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    strings: list[str] = []
    with stream:
        for _, elem in ET.iterparse(stream):
            if elem.tag == f"{_M}si":
                strings.append("".join(t.text or "" for t in _texts(elem)))
                elem.clear()
    return strings


def _texts(si: ET.Element) -> Iterator[ET.Element]:
    for child in si:
        if child.tag == f"{_M}t":
            yield child
        elif child.tag == f"{_M}r":
            yield from child.iter(f"{_M}t")


def date_styles(zf: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell styles (cellXfs) whose number format shows a date."""
    try:
        root = ET.fromstring(zf.read("xl/styles.xml"))
    except KeyError:
        return set()
    custom = {
        int(fmt.get("numFmtId", "0")): _LITERAL.sub("", fmt.get("formatCode", ""))
        for fmt in root.iter(f"{_M}numFmt")
    }
    dated = set()
    xfs = root.find(f"{_M}cellXfs")
    for index, xf in enumerate(xfs if xfs is not None else []):
        fmt_id = int(xf.get("numFmtId", "0"))
        if fmt_id in _DATE_FORMAT_IDS or (fmt_id in custom and _DATE_CODE.search(custom[fmt_id])):
            dated.add(index)
    return dated


def read_rows(zf: zipfile.ZipFile, part: str, max_cols: int, date1904: bool = False,
              max_rows: int | None = None) -> tuple[list[tuple[int, list]], list[Merge]]:
    """(rows, merges): (Excel row number, values of the first max_cols columns) for rows with
    content there, and the merged ranges as (first row, first col, last row, last col).

    With `max_rows` the reading stops after that many rows with content (no merges then).
    """
    strings = shared_strings(zf)
    dated = date_styles(zf)
    epoch = EPOCH_1904 if date1904 else EXCEL_EPOCH
    rows: list[tuple[int, list]] = []
    merges: list[Merge] = []
    previous = 0
    with zf.open(part) as stream:
        for _, elem in ET.iterparse(stream):
            if elem.tag == f"{_M}mergeCell":
                merge = _merge(elem.get("ref", ""))
                if merge:
                    merges.append(merge)
                continue
            if elem.tag != f"{_M}row":
                continue
            previous = int(elem.get("r") or previous + 1)
            values = _row_values(elem, max_cols, strings, dated, epoch)
            elem.clear()
            if any(v is not None and v != "" for v in values):
                rows.append((previous, values))
                if max_rows is not None and len(rows) >= max_rows:
                    break
    return rows, merges


def _row_values(row: ET.Element, max_cols: int, strings: list[str], dated: set[int], epoch: dt.date) -> list:
    values: list = [None] * max_cols
    following = 0
    for cell in row.iter(f"{_M}c"):
        ref = cell.get("r")
        col = _position(ref)[0] if ref else following
        following = col + 1
        if col < max_cols:
            values[col] = _cell_value(cell, strings, dated, epoch)
    return values


def _merge(ref: str) -> Merge | None:
    """'A2:A4' -> (2, 0, 4, 0); None for anything else."""
    first, _, last = ref.partition(":")
    (col1, row1), (col2, row2) = _position(first), _position(last or first)
    return (row1, col1, row2, col2) if row1 and row2 else None


def _position(ref: str) -> tuple[int, int]:
    match = _REF.match(ref)
    if not match:
        return 0, 0
    return column_index(match.group(1)), int(match.group(2))


def _cell_value(cell: ET.Element, strings: list[str], dated: set[int], epoch: dt.date = EXCEL_EPOCH):
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{_M}t"))
    raw = cell.findtext(f"{_M}v")
    if kind == "e":
        return CellError(raw or "#N/A")
    formula = cell.find(f"{_M}f")
    if formula is not None and (raw is None or (raw == "" and kind != "str")):
        return NoCachedValue(formula.text or "")
    if raw is None or (raw == "" and kind != "str"):
        return None
    if kind == "s":
        return strings[int(raw)]
    if kind == "b":
        return raw == "1"
    if kind == "str":
        return raw
    if kind == "d":
        return dt.date.fromisoformat(raw[:10])
    number = float(raw)
    if int(cell.get("s", "0")) in dated:
        return _date(number, epoch)
    return number


def _date(number: float, epoch: dt.date):
    """The date of a serial in a date-styled cell; the number itself when no date has it (-1e308)."""
    try:
        return epoch + dt.timedelta(days=int(number))
    except (OverflowError, ValueError):
        return number


_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')
_CHUNK = 1 << 20


def merged_ranges(path, names: list[str]) -> dict[str, list[Merge]] | None:
    """The merged ranges of the sheets of the file at `path` named like `names` (spaces ignored, as the
    reader matches them), keyed by the file's own sheet name, sorted, as `read_rows` gives them; None
    when the file cannot be read. Only `<mergeCell ref>` is looked for, chunk by chunk: no cell is parsed."""
    wanted = {normalize_header(name) for name in names}
    try:
        with zipfile.ZipFile(path) as zf:
            found = {}
            for entry in sheet_entries(zf):
                if normalize_header(entry.name) in wanted:
                    found[entry.name] = sorted(_part_merges(zf, entry.part))
            return found
    except (OSError, KeyError, zipfile.BadZipFile, ET.ParseError):
        return None


def _part_merges(zf: zipfile.ZipFile, part: str) -> list[Merge]:
    merges, tail = [], b""
    with zf.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            window = tail + chunk
            cut = window.rfind(b"<")  # an element cut by the chunk's end is looked at with the next chunk
            head, tail = (window, b"") if cut < 0 else (window[:cut], window[cut:])
            merges += [m for ref in _MERGE_CELL.findall(head) if (m := _merge(ref.decode()))]
    merges += [m for ref in _MERGE_CELL.findall(tail) if (m := _merge(ref.decode()))]
    return merges
