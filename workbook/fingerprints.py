"""Fingerprints of the generated sheets: how a sheet edited by hand is noticed.

Each generated sheet carries, in a hidden sheet-local defined name, a hash of the values we
wrote (`fingerprint_model`). Reading the sheet back and hashing what is there
(`fingerprint_rows`) tells whether someone typed into it since (`edited_sheets`), and the
writer's read-back check uses the same hash (`workbook.package.verify_written`).

The same mark tells our sheets from a staff-made one that happens to carry a generated
sheet's name (`foreign_sheets`): such a sheet is never replaced. Masters written before
fingerprints existed, or by the Excel buttons of earlier versions, carry no fingerprint;
for them our banner in A1 counts as the mark.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import numbers
from pathlib import Path
from typing import Any, Iterable
from xml.etree import ElementTree as ET

from workbook import render_xlsx, xlsxstream
from workbook.ooxml import Package, open_zip, sheet_entries
from workbook.sheetmodel import BANNER, SheetModel

log = logging.getLogger("workbench.fingerprints")

FINGERPRINT_NAME = "_workbench_fp"
FINGERPRINT_VERSION = "v1"

def normalise_value(value: Any) -> str | None:
    """The form of one cell value that a fingerprint hashes; None for an empty cell.

    - None, "" and text of only spaces are empty and ignored;
    - text is stripped: "s:" + text;
    - booleans: "b:TRUE" / "b:FALSE";
    - numbers (int or float): "n:" + repr(float(f"{x:.16G}")), the form xlsxwriter writes,
      so 1 and 1.0 agree and 0.1+0.2 agrees with the 0.3 read back;
    - dates: "d:" + ISO date; a datetime at midnight is a date, other datetimes are
      rounded to the second ("d:2026-03-05T13:30:00");
    - anything else (times, errors read back): "o:" + str(value).
    A date written with a non-date number format reads back as a number and will differ.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return "s:" + text if text else None
    if isinstance(value, bool):
        return "b:TRUE" if value else "b:FALSE"
    if isinstance(value, numbers.Real):
        return "n:" + repr(float(f"{float(value):.16G}"))
    if isinstance(value, dt.datetime):
        rounded = (value.replace(tzinfo=None) + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
        return "d:" + (rounded.date().isoformat() if rounded.time() == dt.time() else rounded.isoformat())
    if isinstance(value, dt.date):
        return "d:" + value.isoformat()
    return "o:" + str(value)


def fingerprint_cells(cells: Iterable[tuple[int, int, Any]]) -> str:
    """A fingerprint of (row, col, value) triples: sha-256 of the sorted normalised cells.

    See `normalise_value` for how values are normalised; empty cells are ignored, so a
    reader's dense grid and our sparse model give the same fingerprint.
    """
    lines = sorted(f"{row}\t{col}\t{norm}" for row, col, value in cells if (norm := normalise_value(value)) is not None)
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    return f"{FINGERPRINT_VERSION}:{digest}"


def fingerprint_model(model: SheetModel) -> str:
    """The fingerprint of the values a model writes (links count as their text)."""
    return fingerprint_cells((r, c, render_xlsx.written_value(cell)) for (r, c), cell in model.cells.items())


def fingerprint_rows(rows: list[list[Any]]) -> str:
    """The fingerprint of a dense grid starting at A1, as python-calamine's
    `to_python(skip_empty_area=False)` returns it."""
    return fingerprint_cells((r, c, value) for r, row in enumerate(rows) for c, value in enumerate(row))


def read_owned_fingerprints(path: str | Path) -> dict[str, str]:
    """Sheet name -> fingerprint stored when we last wrote that sheet."""
    with open_zip(path) as zf:
        pkg = Package(zf)
        root = ET.fromstring(pkg.read(pkg.main_part()))
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    q = (lambda local: f"{{{ns}}}{local}") if ns else (lambda local: local)
    sheets = [el.get("name", "") for el in root.iter(q("sheet"))]
    stored = {}
    for el in root.iter(q("definedName")):
        local = el.get("localSheetId")
        if (el.get("name", "").casefold() == FINGERPRINT_NAME and local is not None
                and local.isdigit() and int(local) < len(sheets)):
            stored[sheets[int(local)]] = (el.text or "").strip().strip('"')
    return stored


def read_sheet_rows(path: str | Path, names: Iterable[str]) -> dict[str, list[list[Any]]]:
    """Dense grids (from A1) of some sheets, read with python-calamine; missing sheets skipped.

    Through the reader's guards (`reader.read_grids`): a stray cell at XFD1048576 or a value
    calamine panics on does not take the process down.
    """
    from workbook.reader import read_grids

    return read_grids(path, list(names))


def edited_sheets(path: str | Path, values_by_sheet: dict[str, list[list[Any]]] | None = None) -> list[str]:
    """Generated sheets whose values no longer match the fingerprint we stored.

    `values_by_sheet` maps a sheet name to its dense grid from A1 (python-calamine
    `to_python(skip_empty_area=False)`); sheets not given are read from `path`. Values are
    compared after `normalise_value`: formatting, widths or colours do not count, a
    changed, added or cleared value does. Sheets without a stored fingerprint are not
    reported.
    """
    stored = read_owned_fingerprints(path)
    values = dict(values_by_sheet or {})
    missing = [name for name in stored if name not in values]
    if missing:
        values.update(read_sheet_rows(path, missing))
    return [name for name, fp in stored.items() if name in values and fingerprint_rows(values[name]) != fp]


def foreign_sheets(path: str | Path, names: Iterable[str]) -> list[str]:
    """Sheets of the workbook named like one of `names` (case folded) that we did not write.

    Ours carry a fingerprint (its presence counts, not its value: an edited sheet is still
    ours) or, for legacy masters, our banner in A1. A sheet whose A1 cannot be read is not ours.
    """
    wanted = {name.casefold() for name in names}
    owned = {name.casefold() for name in read_owned_fingerprints(path)}
    with open_zip(path) as zf:
        candidates = [e for e in sheet_entries(zf) if e.name.casefold() in wanted and e.name.casefold() not in owned]
        foreign = [e.name for e in candidates if _first_cell(zf, e.part) != BANNER]
    for entry in candidates:
        if entry.name not in foreign:
            log.info("sheet %r has no fingerprint but our banner in A1: taken as ours (a legacy master)", entry.name)
    return foreign


def sheet_names(path: str | Path) -> list[str]:
    """The names of a workbook file's sheets, in tab order."""
    with open_zip(path) as zf:
        return [entry.name for entry in sheet_entries(zf)]


def _first_cell(zf, part: str):
    """The value of A1 of a sheet part, streamed (None when empty or unreadable)."""
    try:
        rows, _ = xlsxstream.read_rows(zf, part, 1, max_rows=1)
        return rows[0][1][0] if rows and rows[0][0] == 1 else None
    except Exception as exc:  # a sheet we cannot even stream is certainly not one we wrote
        log.info("A1 of %s unreadable: %s", part, exc)
    return None
