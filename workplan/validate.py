"""Validation: raw workbook in, typed `Branch` and a `Report` of findings out.

`load` is the one entry point: it types every input sheet against the contract, reads
the settings, and runs every check of `workplan.checks`. It never raises for bad data:
a missing sheet is a finding and its table is simply empty.
"""

from __future__ import annotations

import datetime as dt

from workbook import layout
from workbook.raw import RawBook

from . import findings as F
from .branch import Branch
from .checks import ALL_CHECKS
from .records import missing_table, type_sheet
from .settings import read_settings


def wanted_sheets() -> dict[str, int]:
    """The input sheets to read, with their number of contract columns."""
    return {spec.name: len(spec.columns) for spec in layout.INPUT_SHEETS}


def load(raw: RawBook, today: dt.date) -> tuple[Branch, F.Report]:
    """Type, check and collect: the branch as far as it could be read, and every finding."""
    found: list[F.Finding] = []
    tables = {}
    for spec in layout.INPUT_SHEETS:
        sheet = raw.sheet(spec.name)
        if sheet is None:
            found.append(F.make("missing-sheet", spec.name))
            tables[spec.name] = missing_table(spec)
        else:
            tables[spec.name], sheet_findings = type_sheet(sheet, spec)
            found.extend(sheet_findings)
    settings, setting_findings = read_settings(raw.sheet(layout.SETTINGS), today)
    found.extend(setting_findings)
    branch = Branch(settings, tables)
    for check in ALL_CHECKS:
        found.extend(check(branch))
    return branch, F.Report(found)
