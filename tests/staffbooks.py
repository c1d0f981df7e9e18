"""Workbooks as real applications leave them, for the tests of reading and counting.

The clean branch of conftest is built by the project (xlsxwriter), then changed the way an
application would: openpyxl (which writes merges as Excel does, keeping only the top-left
value, formulas without a cached value as `<f>..</f><v />`, and Excel error values as
`t="e"`), or a part of the zip rewritten by hand where no library writes what Excel or WPS
would (a cached formula, a control character, a small `<dimension>` over a far cell).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Callable

import openpyxl

from workbook import layout as L
from workbook.ooxml import sheet_entries
from workbook.reader import read_book
from workplan import pipeline
from workplan.scoring import score
from workplan.validate import load, wanted_sheets

TODAY = dt.date(2026, 11, 26)


def with_openpyxl(path: Path, change: Callable[[openpyxl.Workbook], None]) -> Path:
    """Open with openpyxl, change, save in place (openpyxl's own calcPr is kept)."""
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path


def sheet_part(path: Path, sheet: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return next(e.part for e in sheet_entries(zf) if e.name == sheet)


def rewrite_part(path: Path, part: str, change: Callable[[str], str]) -> Path:
    """Rewrite one part of the package as text; every other member copied as it was."""
    temporary = path.with_name(path.stem + "-rewritten.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == part:
                data = change(data.decode("utf-8")).encode("utf-8")
            dst.writestr(item, data)
    temporary.replace(path)
    return path


def rewrite_sheet(path: Path, sheet: str, change: Callable[[str], str]) -> Path:
    return rewrite_part(path, sheet_part(path, sheet), change)


def replace_cell(path: Path, sheet: str, ref: str, cell_xml: str) -> Path:
    """Replace the `<c r="ref">` element of a sheet with `cell_xml` (which must carry r="ref")."""
    pattern = re.compile(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', re.S)

    def change(text: str) -> str:
        new, count = pattern.subn(cell_xml, text, count=1)
        assert count == 1, f"no cell {ref} in {sheet}"
        return new

    return rewrite_sheet(path, sheet, change)


def add_far_cell(path: Path, sheet: str, keep_dimension: bool = True) -> Path:
    """A stray value at XFD1048576; with `keep_dimension` the sheet's <dimension> still says it is small."""
    row = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'

    def change(text: str) -> str:
        text = text.replace("</sheetData>", row + "</sheetData>", 1)
        if not keep_dimension:
            text = re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', text, count=1)
        return text

    return rewrite_sheet(path, sheet, change)


def validated(path: Path, today: dt.date = TODAY):
    """(branch, report) of a workbook file, read and validated as `sync.py validate` does."""
    return load(read_book(path, wanted_sheets()), today)


def refreshed(path: Path, today: dt.date = TODAY) -> pipeline.Refresh:
    return pipeline.refresh(read_book(path, pipeline.wanted_for_refresh()), today, pipeline.NO_SHEETS)


def totals(path: Path, today: dt.date = TODAY):
    """(findings as codes, {member: total}, {group: (members, average, total)}) of a workbook file."""
    branch, report = validated(path, today)
    scores = score(branch, report, branch.settings.cutoff_for(today))
    members = {m.member_id: m.total for m in scores.members}
    groups = {g.group: (g.members, g.average, g.total) for g in scores.groups}
    return report.codes(), members, groups


CLEAN_MEMBERS = {"D001": 16.0, "D002": 0.0, "D003": 2.0}
CLEAN_GROUPS = {"一组": (2, 8.0, 11.0), "二组": (1, 2.0, 2.0)}


def settings_row(key: str) -> int:
    """The Excel row of a 基本设置 item in a master built by the project."""
    return 2 + [k for k, _ in L.SETTING_KEYS].index(key)
