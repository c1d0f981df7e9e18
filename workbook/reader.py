"""Reading the master workbook: check the file, then every sheet's header and rows.

`read_book` returns raw cell values (as typed, not yet checked) per sheet, located by
their Excel row, so that validation can name the exact cell. python-calamine does the
reading (it is several times faster than openpyxl, see benchmarks/read_speed.py), after one
cheap pass over the sheet's XML (`workbook.sheetscan`) that finds its real extent and the
cells calamine would read as blanks: error values and formulas without a cached value,
which go into the rows as markers (`raw.CellError`, `raw.NoCachedValue`). Merged ranges
give their value to every row they cover (`raw.fill_merged`).

Reading never takes the process down: a sheet whose real extent is unreasonable (a stray
value at XFD1048576, whatever `<dimension>` says) goes through the streaming reader,
because calamine would try to allocate the whole grid and abort; a sheet on which calamine
panics (pyo3's PanicException, a BaseException: -1e308 in a date cell does it) is read
again by the streaming reader, and calamine's English panic text never reaches the
terminal (it goes to the log).

Misuse of the tool (no such file, a folder, .xls/.et/.csv, an encrypted or corrupt file)
raises one of the exceptions of `workbook.errors`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree as ET

import python_calamine

from . import errors, xlsxstream
from .ooxml import SheetEntry, declared_extent, sheet_entries, uses_1904
from .raw import CellError, Merge, NoCachedValue, RawBook, RawSheet, fill_merged, normalize_header
from .sheetscan import SheetScan, scan_sheet

log = logging.getLogger("workbench.reader")

READABLE_SUFFIXES = (".xlsx", ".xlsm")
OTHER_KINDS = {
    ".xls": "旧版 Excel 97-2003 工作簿（.xls）",
    ".et": "WPS 表格文件（.et）",
    ".ett": "WPS 表格模板（.ett）",
    ".csv": "CSV 文本文件（.csv）",
    ".txt": "文本文件（.txt）",
    ".ods": "OpenDocument 表格（.ods）",
    ".xlsb": "Excel 二进制工作簿（.xlsb）",
    ".xltx": "Excel 模板（.xltx）",
    ".numbers": "Numbers 表格（.numbers）",
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_DENSE_CELLS = 5_000_000  # above this a sheet's real extent is read by streaming
EXTRA_COLUMNS = 30  # columns kept after the last contract header (staff may add columns)
STREAM_COLUMNS = 200  # columns kept by the streaming reader when all columns are wanted
BROKEN = (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, OverflowError, IndexError, zlib.error,
          ET.ParseError, python_calamine.CalamineError)


def check_file(path: str | Path) -> Path:
    """The path of a readable workbook, or raise the exception that says what is wrong."""
    path = Path(path)
    if not path.exists():
        raise errors.NoSuchFile(path)
    if path.is_dir():
        raise errors.NotAFile(path)
    suffix = path.suffix.lower()
    if suffix in OTHER_KINDS:
        raise errors.WrongFileType(path, OTHER_KINDS[suffix])
    with path.open("rb") as stream:
        magic = stream.read(8)
    if magic.startswith(OLE_MAGIC):
        if suffix in READABLE_SUFFIXES and _is_encrypted(path):
            raise errors.EncryptedWorkbook(path)
        raise errors.WrongFileType(path, OTHER_KINDS[".xls"])
    if suffix not in READABLE_SUFFIXES:
        raise errors.WrongFileType(path, f"“{suffix or '无扩展名'}”文件")
    if not magic.startswith(ZIP_MAGIC):
        raise errors.CorruptWorkbook(path, "文件内容不是 xlsx 格式")
    return path


def _is_encrypted(path: Path) -> bool:
    """An OLE file named .xlsx is an encrypted package when it holds an EncryptedPackage stream."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            return ole.exists("EncryptedPackage")
    except (OSError, ValueError, IndexError, EOFError):  # a damaged OLE file is not an encrypted package
        return False


def read_book(path: str | Path, wanted: dict[str, int] | None = None) -> RawBook:
    """Read the sheets named in `wanted` (name -> number of contract columns), or all sheets.

    Sheet names are matched ignoring stray spaces. Only the first `columns + EXTRA_COLUMNS`
    columns of each sheet are kept.
    """
    path = check_file(path)
    try:
        with zipfile.ZipFile(path) as zf:
            entries = sheet_entries(zf)
            chosen = _choose(entries, wanted)
            date1904 = uses_1904(zf)
            with _Calamine(path) as calamine:
                sheets = {name: _read_sheet(calamine, zf, entry, width, date1904)
                          for name, (entry, width) in chosen.items()}
    except BROKEN as exc:
        raise errors.CorruptWorkbook(path, "文件结构已损坏或不完整", errors.technical(exc)) from exc
    return RawBook(path, [e.name for e in entries], sheets, date1904)


def _choose(entries: list[SheetEntry], wanted: dict[str, int] | None) -> dict[str, tuple[SheetEntry, int]]:
    by_norm = {}
    for entry in entries:
        by_norm.setdefault(normalize_header(entry.name), entry)
    if wanted is None:
        return {entry.name: (entry, 0) for entry in entries}
    chosen = {}
    for name, columns in wanted.items():
        entry = by_norm.get(normalize_header(name))
        if entry is not None:
            chosen[name] = (entry, columns + EXTRA_COLUMNS)
    return chosen


def _read_sheet(calamine: "_Calamine", zf: zipfile.ZipFile, entry: SheetEntry, width: int, date1904: bool) -> RawSheet:
    rows, merges = _sheet_rows(calamine, zf, entry, width, date1904)
    fill_merged(rows, merges)
    header_values = rows[0][1] if rows and rows[0][0] == 1 else []
    headers = [normalize_header(v) for v in header_values]
    while headers and not headers[-1]:
        headers.pop()
    body = rows[1:] if rows and rows[0][0] == 1 else rows
    return RawSheet(entry.name, headers, body, merges)


def _sheet_rows(calamine: "_Calamine", zf: zipfile.ZipFile, entry: SheetEntry, width: int,
                date1904: bool) -> tuple[list[tuple[int, list]], list[Merge]]:
    """The non-blank rows and the merges of one sheet: calamine when it can take the sheet, else streaming."""
    scan = scan_sheet(zf, entry.part, declared_extent(zf, entry.part))
    if _fits_calamine(scan):
        found = calamine.rows(entry.name, width, scan)
        if found is not None:
            return found
    return xlsxstream.read_rows(zf, entry.part, width or STREAM_COLUMNS, date1904)


def _fits_calamine(scan: SheetScan) -> bool:
    """calamine allocates last row x last column cells: only a known, reasonable extent goes to it,
    and no number it is known to panic on."""
    return not scan.rowless and not scan.risky and scan.dense_cells <= MAX_DENSE_CELLS


def read_grids(path: str | Path, names: list[str], width: int = STREAM_COLUMNS) -> dict[str, list[list]]:
    """Dense grids from A1 of some sheets (missing sheets skipped), as calamine's
    `to_python(skip_empty_area=False)` gives them, through the same guards as `read_book`.

    For the writers' checks (fingerprints, appended rows). A sheet that must be streamed keeps
    its first `width` columns; markers are left out (a generated sheet holds none).
    """
    with zipfile.ZipFile(path) as zf:
        entries = {entry.name: entry for entry in sheet_entries(zf)}
        date1904 = uses_1904(zf)
        with _Calamine(Path(path)) as calamine:
            return {name: _grid(calamine, zf, entries[name], width, date1904) for name in names if name in entries}


def _grid(calamine: "_Calamine", zf: zipfile.ZipFile, entry: SheetEntry, width: int, date1904: bool) -> list[list]:
    scan = scan_sheet(zf, entry.part, declared_extent(zf, entry.part))
    if _fits_calamine(scan):
        grid = calamine.grid(entry.name)
        if grid is not None:
            return grid
    rows, _ = xlsxstream.read_rows(zf, entry.part, width, date1904)
    by_row = dict(rows)
    return [[None if isinstance(v, (CellError, NoCachedValue)) else v for v in by_row.get(number, [])]
            for number in range(1, max(by_row, default=0) + 1)]


@contextlib.contextmanager
def _quiet_stderr():
    """Keep what native code writes to stderr (a Rust panic's English message and backtrace) off
    the teacher's terminal; the panic itself is logged by the caller, from its exception.

    Works on the file descriptor, as the panic hook writes there, not to sys.stderr. Where the
    process has no usable stderr (a windowless Python started by Excel) nothing is redirected.
    """
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as sink:
            sys.stderr.flush()
            os.dup2(sink.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _Calamine:
    """A python-calamine workbook opened on first use and closed with the reader."""

    def __init__(self, path: Path):
        self.path = path
        self.book = None

    def __enter__(self) -> "_Calamine":
        return self

    def __exit__(self, *exc) -> None:
        if self.book is not None:
            self.book.close()

    def rows(self, name: str, width: int, scan: SheetScan) -> tuple[list[tuple[int, list]], list[Merge]] | None:
        """(rows, merges) of a sheet: non-blank rows as (Excel row, values), blank cells '', the
        scan's markers put in; merges as (first row, first col, last row, last col).
        None when calamine failed on the sheet (the caller streams it instead)."""
        found = self._call(name, lambda sheet: (sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges))
        if found is None:
            return None
        grid, ranges = found
        if width and grid and len(grid[0]) > width:  # calamine's grid is dense: every row is as wide
            grid = [values[:width] for values in grid]
        _put_markers(grid, scan.cells, width)
        merges = [(r1 + 1, c1, r2 + 1, c2) for (r1, c1), (r2, c2) in ranges]
        return [(index, values) for index, values in enumerate(grid, 1) if values.count("") != len(values)], merges

    def grid(self, name: str) -> list[list] | None:
        """The dense grid of a sheet from A1, or None when calamine failed on it."""
        return self._call(name, lambda sheet: sheet.to_python(skip_empty_area=False))

    def _call(self, name: str, read):
        """`read(sheet)` with calamine; None (logged) when calamine panics. A corrupt file still raises."""
        try:
            with _quiet_stderr():
                if self.book is None:
                    self.book = python_calamine.CalamineWorkbook.from_path(str(self.path))
                return read(self.book.get_sheet_by_name(name))
        except (python_calamine.CalamineError, KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as exc:  # noqa: B036 — pyo3's PanicException derives from BaseException
            log.warning("python-calamine failed on sheet %r of %s (%s: %s); reading it with the streaming reader",
                        name, self.path, type(exc).__name__, exc)
            return None


def _put_markers(grid: list[list], cells: dict[tuple[int, int], object], width: int) -> None:
    """Put error values and uncached formulas (found by the scan) where calamine read ''."""
    for (row, col), marker in cells.items():
        if width and col >= width:
            continue
        while len(grid) < row:
            grid.append([""] * (len(grid[0]) if grid else 0))
        line = grid[row - 1]
        if col >= len(line):
            line.extend([""] * (col + 1 - len(line)))
        line[col] = marker

