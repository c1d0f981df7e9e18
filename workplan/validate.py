"""Validation: raw workbook in, typed `Branch` and a `Report` of findings out.

`load` is the one entry point: it types every input sheet against the contract, reads
the settings, and runs every check of `workplan.checks`. It never raises for bad data:
a missing sheet is a finding and its table is simply empty.
"""

from __future__ import annotations

import datetime as dt
import difflib

from workbook import layout
from workbook.raw import RawBook, normalize_header

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
            found.append(_missing(spec.name, raw.sheet_names))
            tables[spec.name] = missing_table(spec)
        else:
            tables[spec.name], sheet_findings = type_sheet(sheet, spec, raw.date1904)
            found.extend(sheet_findings)
    settings, setting_findings = read_settings(raw.sheet(layout.SETTINGS), today, raw.date1904)
    found.extend(setting_findings)
    branch = Branch(settings, tables)
    for check in ALL_CHECKS:
        found.extend(check(branch))
    return branch, F.Report(found)


def _missing(name: str, sheet_names: list[str]) -> F.Finding:
    """The finding of a missing input sheet: a warning for an optional one (节假日), else an error."""
    if name in layout.OPTIONAL_SHEETS:
        return F.make("optional-sheet-missing", name)
    guess = renamed_sheet(name, sheet_names)
    return F.make("sheet-renamed", name, value=guess) if guess else F.make("missing-sheet", name)


NOT_CANDIDATES = frozenset(normalize_header(n) for n in (*layout.INPUT_SHEET_NAMES, *layout.GENERATED_SHEETS,
                                                         *layout.HELPER_SHEETS, layout.GUIDE, "xlwings.conf",
                                                         "_表单信息"))
SIMILAR = 0.5  # difflib's ratio: 党员名单 0.75, 名册 0.67, 加分减分 0.86, 活动安排 0.5, Sheet1 0


def renamed_sheet(missing: str, names: list[str]) -> str | None:
    """The sheet of the workbook that is most likely `missing` renamed (say 党员名单), or None.

    Only sheets that are neither in the contract nor ours are candidates, and only by their
    names' likeness; a renamed sheet with a name unlike the old one is simply missing.
    """
    candidates = [name for name in names if normalize_header(name) not in NOT_CANDIDATES]
    close = difflib.get_close_matches(missing, candidates, n=1, cutoff=SIMILAR)
    return close[0] if close else None
