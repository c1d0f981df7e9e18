"""Where staff point at a generated sheet: formulas, defined names, charts, drop-downs, pivot tables.

Staff type `=个人积分!D5` in an input sheet or in a sheet of their own. The file writer keeps
such formulas (it replaces a generated sheet's part in place, under the same name); the
Excel button replaces the sheet, and Excel turns every reference to a deleted sheet into
`#REF!` for good, so the button re-targets them first (`macros/desktop.py`). Which ones to
re-target is decided here, from the workbook file as last saved, without asking Excel:

- `formula_sheets`: sheets not generated whose cell formulas name a generated sheet;
- `names`: defined names (workbook-level, or local to such a sheet) that name one;
- `unfixable`: references a cell-by-cell re-targeting cannot reach (charts of staff sheets,
  drop-down lists and conditional formats, pivot tables), as Chinese phrases for a warning.

A sheet is named in a formula as `个人积分!` or `'个人积分'!`; a text mentioning that is a
hit even when it is something else (a reference into another workbook with a sheet of the
same name): a hit only costs one re-targeting that changes nothing. Limit: it reads what
was saved; references typed since the last save are not in the file (the button looks at
those itself).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from .ooxml import Package, sheet_entries, workbook_part
from .xmltext import attrs

CHUNK = 1 << 20
_FORMULA_MARKS = (b"<f>", b"<f ", b":f>", b":f ", b"<formula", b":formula")
_CELL_FORMULA = re.compile(r"<(?:\w+:)?f(?:\s[^>]*)?>([^<]*)</(?:\w+:)?f>")
_LIST_FORMULA = re.compile(r"<(?:\w+:)?(?:formula[12]?)>([^<]*)</(?:\w+:)?formula[12]?>")
_CHART_FORMULA = re.compile(r"<(?:\w+:)?f>([^<]*)</(?:\w+:)?f>")
_DEFINED_NAME = re.compile(r"<(?:\w+:)?definedName\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?definedName\s*>)", re.S)


@dataclass
class References:
    """What in the saved workbook points at generated sheets (see the module docstring)."""

    formula_sheets: list[str] = field(default_factory=list)
    names: list[tuple[str, str | None]] = field(default_factory=list)  # (name, sheet it is local to, or None)
    unfixable: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)  # every sheet of the file, in tab order
    name_count: int = 0  # how many defined names the file has

    def __bool__(self) -> bool:
        return bool(self.formula_sheets or self.names or self.unfixable)


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")


def mentioned(text: str, sheets: Collection[str]) -> list[str]:
    """The sheets of `sheets` that a formula text names (`X!` or `'X'!`)."""
    text = unescape(text)
    return [name for name in sheets if f"{name}!" in text or f"{name.replace(chr(39), chr(39) * 2)}'!" in text]


def scan(path: str | Path, generated: Collection[str]) -> References | None:
    """What in the saved file at `path` points at the `generated` sheets; None when it cannot be read."""
    try:
        with zipfile.ZipFile(path) as zf:
            return _scan(zf, set(generated))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        return None


def _scan(zf: zipfile.ZipFile, generated: set[str]) -> References:
    entries = sheet_entries(zf)
    found = References(sheets=[e.name for e in entries])
    pkg = Package(zf)
    for entry in entries:
        if entry.name in generated:
            continue
        if _has_formulas(zf, entry.part):
            text = zf.read(entry.part).decode("utf-8", "replace")
            if any(mentioned(f, generated) for f in _CELL_FORMULA.findall(text)):
                found.formula_sheets.append(entry.name)
            for target in sorted({n for f in _LIST_FORMULA.findall(text) for n in mentioned(f, generated)}):
                found.unfixable.append(f"工作表“{entry.name}”的下拉列表或条件格式（引用“{target}”）")
        found.unfixable += _chart_hits(zf, pkg, entry.name, entry.part, generated)
    found.names, found.name_count = _name_hits(zf, [e.name for e in entries], generated)
    found.unfixable += _pivot_hits(zf, generated)
    return found


def _has_formulas(zf: zipfile.ZipFile, part: str) -> bool:
    """Whether a sheet part holds any formula text, read in chunks (most input sheets hold none)."""
    tail = b""
    with zf.open(part) as stream:
        while chunk := stream.read(CHUNK):
            window = tail + chunk
            if any(mark in window for mark in _FORMULA_MARKS):
                return True
            tail = window[-16:]
    return False


def _name_hits(zf: zipfile.ZipFile, sheets: list[str], generated: set[str]) -> tuple[list[tuple[str, str | None]], int]:
    """Defined names that name a generated sheet (names local to a generated sheet are that sheet's
    own), and how many names there are."""
    text = zf.read(workbook_part(zf)).decode("utf-8", "replace")
    hits, count = [], 0
    for match in _DEFINED_NAME.finditer(text):
        count += 1
        found = attrs(match.group(1))
        local = found.get("localSheetId")
        owner = sheets[int(local)] if local is not None and local.isdigit() and int(local) < len(sheets) else None
        if owner in generated:
            continue
        if mentioned(match.group(2) or "", generated):
            hits.append((found.get("name", ""), owner))
    return hits, count


def _chart_hits(zf: zipfile.ZipFile, pkg: Package, sheet: str, part: str, generated: set[str]) -> list[str]:
    """Charts drawn on a staff sheet from a generated sheet's cells."""
    hits = []
    for drawing in (r.target for r in pkg.rels(part) if r.type.endswith("/drawing")):
        for chart in (r.target for r in pkg.rels(drawing) if r.type.endswith("/chart")):
            actual = pkg.actual(chart)
            if actual is None:
                continue
            text = pkg.read(actual).decode("utf-8", "replace")
            targets = sorted({n for f in _CHART_FORMULA.findall(text) for n in mentioned(f, generated)})
            hits += [f"工作表“{sheet}”中的图表（数据来自“{target}”）" for target in targets]
    return hits


def _pivot_hits(zf: zipfile.ZipFile, generated: set[str]) -> list[str]:
    """Pivot tables whose source is a generated sheet."""
    hits = []
    for name in zf.namelist():
        if re.search(r"pivotCacheDefinition\d*\.xml$", name):
            text = zf.read(name).decode("utf-8", "replace")
            for match in re.finditer(r"<(?:\w+:)?worksheetSource\b([^>]*)/?>", text):
                source = unescape(attrs(match.group(1)).get("sheet", ""))
                if source in generated:
                    hits.append(f"数据透视表（数据源“{source}”）")
    return hits
