"""Small helpers for the parts of an .xlsx/.xlsm package: which part holds which sheet.

Only what the reader and the file checks need: the workbook's sheet list, the part of
each sheet, and a cheap look at a sheet's declared extent. Read-only.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree as ET

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


@dataclass(frozen=True)
class SheetEntry:
    name: str
    part: str  # path inside the zip, e.g. xl/worksheets/sheet1.xml
    state: str  # visible, hidden, veryHidden


def workbook_part(zf: zipfile.ZipFile) -> str:
    """The path of the workbook part, from the package relationships."""
    rels = ET.fromstring(zf.read("_rels/.rels"))
    for rel in rels.iter(f"{{{NS_PKG_REL}}}Relationship"):
        if rel.get("Type", "").endswith("/officeDocument"):
            return rel.get("Target", "").lstrip("/")
    raise KeyError("officeDocument")


def rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(base_part: str, target: str) -> str:
    """A relationship target resolved against the part that owns the relationship."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def sheet_entries(zf: zipfile.ZipFile) -> list[SheetEntry]:
    """The workbook's sheets in tab order, with the zip part of each."""
    wb_part = workbook_part(zf)
    book = ET.fromstring(zf.read(wb_part))
    rels = ET.fromstring(zf.read(rels_path(wb_part)))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{{{NS_PKG_REL}}}Relationship")}
    entries = []
    for sheet in book.iter(f"{{{NS_MAIN}}}sheet"):
        rel_id = sheet.get(f"{{{NS_REL}}}id")
        entries.append(
            SheetEntry(sheet.get("name", ""), resolve(wb_part, targets.get(rel_id, "")), sheet.get("state", "visible"))
        )
    return entries


def column_index(letters: str) -> int:
    """0-based index of an Excel column: A -> 0, XFD -> 16383."""
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def declared_extent(zf: zipfile.ZipFile, part: str) -> tuple[int, int] | None:
    """(last row, last column count) from the sheet's <dimension> element, or None when absent."""
    with zf.open(part) as stream:
        head = stream.read(4096)
    match = _DIMENSION.search(head)
    if not match:
        return None
    last_col, last_row = (match.group(3), match.group(4)) if match.group(3) else (match.group(1), match.group(2))
    return int(last_row), column_index(last_col.decode()) + 1
