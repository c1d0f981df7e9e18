"""The parts of an .xlsx/.xlsm package: which part holds which sheet, relationships, content types.

Read-only. The reader and the file checks use the sheet list, the part of each sheet and a
cheap look at a sheet's declared extent; the writers (`workbook.package`, `workbook.append`)
use `Package` (parts by case-insensitive name, their relationships and the graph they form)
and `ContentTypes`. Targets are resolved once, by `resolve`, for everybody.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree as ET

from workbook import errors

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKSHEET_REL = NS_REL + "/worksheet"
STYLES_REL = NS_REL + "/styles"
_DATE1904 = re.compile(rb'<(?:[\w.-]+:)?workbookPr\b[^>]*?\sdate1904\s*=\s*["\'](1|true)["\']')
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


def sheet_entries(zf: zipfile.ZipFile) -> list[SheetEntry]:
    """The workbook's sheets in tab order, with the zip part of each."""
    wb_part = workbook_part(zf)
    book = ET.fromstring(zf.read(wb_part))
    rels = ET.fromstring(zf.read(rels_name(wb_part)))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{{{NS_PKG_REL}}}Relationship")}
    entries = []
    for sheet in book.iter(f"{{{NS_MAIN}}}sheet"):
        rel_id = sheet.get(f"{{{NS_REL}}}id")
        entries.append(
            SheetEntry(sheet.get("name", ""), resolve(wb_part, targets.get(rel_id, "")), sheet.get("state", "visible"))
        )
    return entries


def uses_1904(zf: zipfile.ZipFile) -> bool:
    """True when the workbook counts dates from 1904-01-01 (`<workbookPr date1904="1"/>`, old Mac Excel)."""
    return _DATE1904.search(zf.read(workbook_part(zf))) is not None


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


# --- package structure: relationships and content types ------------------------------------

@dataclass(frozen=True)
class Rel:
    """One relationship; `target` is the resolved part name (zip name) when internal."""

    id: str
    type: str
    target: str
    external: bool


def rels_name(part: str) -> str:
    """The relationships part of `part` ("" is the package itself)."""
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def rels_source(name: str) -> str | None:
    """The part a .rels part describes, or None if `name` is not a relationships part."""
    folder, base = posixpath.split(name)
    if posixpath.basename(folder) != "_rels" or not base.endswith(".rels"):
        return None
    return posixpath.join(posixpath.dirname(folder), base[: -len(".rels")])


def resolve(source: str, target: str) -> str:
    """The part name a relationship target of `source` points at."""
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def parse_rels(data: bytes, source: str) -> list[Rel]:
    root = ET.fromstring(data)
    rels = []
    for el in root:
        if not el.tag.endswith("Relationship"):
            continue
        external = el.get("TargetMode", "Internal") == "External"
        target = el.get("Target", "")
        rels.append(Rel(el.get("Id", ""), el.get("Type", ""), target if external else resolve(source, target), external))
    return rels


class Package:
    """Read access to a zip package: parts by case-insensitive name, relationships."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zip = zf
        self.infos = {info.filename: info for info in zf.infolist()}
        self._lower = {name.lower(): name for name in self.infos}
        self._rels: dict[str, list[Rel]] = {}

    def actual(self, name: str) -> str | None:
        """The zip name of part `name` (part names are case-insensitive), or None."""
        return self._lower.get(name.lower())

    def read(self, name: str) -> bytes:
        return self.zip.read(name)

    def rels(self, part: str) -> list[Rel]:
        """Relationships of `part`, internal targets mapped to zip names where they exist."""
        if part not in self._rels:
            name = self.actual(rels_name(part))
            found = parse_rels(self.read(name), part) if name else []
            self._rels[part] = [Rel(r.id, r.type, r.target if r.external else (self.actual(r.target) or r.target), r.external)
                                for r in found]
        return self._rels[part]

    def graph(self) -> dict[str, set[str]]:
        """Every part that has relationships, and the internal parts it refers to."""
        result = {}
        for name in self.infos:
            source = rels_source(name)
            if source is not None:
                source = self.actual(source) or source
                result[source] = {r.target for r in self.rels(source) if not r.external}
        return result

    def main_part(self) -> str:
        """The workbook part, found through the package relationships."""
        for rel in self.rels(""):
            if rel.type.endswith("/officeDocument") and not rel.external and rel.target in self.infos:
                return rel.target
        raise errors.CorruptWorkbook(getattr(self.zip, "filename", ""), "找不到工作簿的主体部分", "no workbook part")


@dataclass
class ContentTypes:
    """Defaults by extension and overrides by part name (lower-case keys, no leading /)."""

    defaults: dict[str, str]
    overrides: dict[str, str]

    @classmethod
    def parse(cls, data: bytes) -> "ContentTypes":
        root = ET.fromstring(data)
        defaults, overrides = {}, {}
        for el in root:
            if el.tag.endswith("Default"):
                defaults[el.get("Extension", "").lower()] = el.get("ContentType", "")
            elif el.tag.endswith("Override"):
                overrides[el.get("PartName", "").lstrip("/").lower()] = el.get("ContentType", "")
        return cls(defaults, overrides)

    def of(self, part: str) -> str | None:
        ext = posixpath.splitext(part)[1].lstrip(".").lower()
        return self.overrides.get(part.lower()) or self.defaults.get(ext)


def orphans(graph: dict[str, set[str]], roots: set[str]) -> set[str]:
    """Parts reachable from `roots` that no part outside them refers to."""
    reach: set[str] = set()
    stack = list(roots)
    while stack:
        for target in graph.get(stack.pop(), ()):
            if target not in reach and target not in roots:
                reach.add(target)
                stack.append(target)
    dropped = set(reach)
    changed = True
    while changed:
        keepers = {t for source, targets in graph.items() if source not in dropped and source not in roots for t in targets}
        changed = bool(dropped & keepers)
        dropped -= keepers
    return dropped


def reachable(pkg: Package, part: str) -> list[str]:
    """Internal parts reachable from `part` through relationships, in a stable order."""
    seen: list[str] = []
    stack = [part]
    while stack:
        for rel in sorted(pkg.rels(stack.pop()), key=lambda r: r.id):
            if not rel.external and rel.target != part and rel.target not in seen and rel.target in pkg.infos:
                seen.append(rel.target)
                stack.append(rel.target)
    return seen


def open_zip(path: str | Path) -> zipfile.ZipFile:
    """Open a package, turning "not a zip" into errors.CorruptWorkbook."""
    path = Path(path)
    if not path.exists():
        raise errors.NoSuchFile(path)
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise errors.CorruptWorkbook(path, "文件结构已损坏或不完整", errors.technical(exc)) from exc
