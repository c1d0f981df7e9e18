"""A streaming reader for one worksheet, for sheets python-calamine cannot take.

python-calamine builds a dense grid from the first to the last used cell; one stray value
at XFD1048576 makes it ask for hundreds of gigabytes and abort the process. This reader
walks the sheet's XML once and keeps only the cells in the first `max_cols` columns, so
the cost follows the cells actually present, not the sheet's extent. It is slower than
calamine per cell, so the reader uses it only when a sheet's extent is unreasonable.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from xml.etree import ElementTree as ET

from .ooxml import NS_MAIN, column_index
from .values import EXCEL_EPOCH

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


def iter_rows(zf: zipfile.ZipFile, part: str, max_cols: int) -> Iterator[tuple[int, list]]:
    """Yield (Excel row number, values of the first max_cols columns) for rows with content there."""
    strings = shared_strings(zf)
    dated = date_styles(zf)
    with zf.open(part) as stream:
        for _, elem in ET.iterparse(stream):
            if elem.tag != f"{_M}row":
                continue
            values: list = [None] * max_cols
            for cell in elem.iter(f"{_M}c"):
                col, row = _position(cell.get("r", ""))
                if col < max_cols:
                    values[col] = _cell_value(cell, strings, dated)
            row_number = int(elem.get("r") or row)
            elem.clear()
            if any(v is not None and v != "" for v in values):
                yield row_number, values


def _position(ref: str) -> tuple[int, int]:
    match = _REF.match(ref)
    if not match:
        return 0, 0
    return column_index(match.group(1)), int(match.group(2))


def _cell_value(cell: ET.Element, strings: list[str], dated: set[int]):
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{_M}t"))
    raw = cell.findtext(f"{_M}v")
    if raw is None:
        return None
    if kind == "s":
        return strings[int(raw)]
    if kind == "b":
        return raw == "1"
    if kind in ("str", "e"):
        return raw
    if kind == "d":
        return dt.date.fromisoformat(raw[:10])
    number = float(raw)
    if int(cell.get("s", "0")) in dated:
        return EXCEL_EPOCH + dt.timedelta(days=int(number))
    return number
