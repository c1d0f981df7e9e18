"""Reading the master workbook: check the file, then every sheet's header and rows.

`read_book` returns raw cell values (as typed, not yet checked) per sheet, located by
their Excel row, so that validation can name the exact cell. python-calamine does the
reading (it is several times faster than openpyxl, see benchmarks/read_speed.py); a sheet
whose extent is unreasonable (a stray value at XFD1048576) goes through the streaming
reader instead, because calamine would try to allocate the whole grid.

Misuse of the tool (no such file, a folder, .xls/.et/.csv, an encrypted or corrupt file)
raises one of the exceptions of `workbook.errors`.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import python_calamine

from . import errors, xlsxstream
from .ooxml import SheetEntry, declared_extent, sheet_entries
from .raw import RawBook, RawSheet, normalize_header

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
MAX_DENSE_CELLS = 5_000_000  # above this a sheet's declared extent is read by streaming
EXTRA_COLUMNS = 30  # columns kept after the last contract header (staff may add columns)


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
            with _Calamine(path) as calamine:
                sheets = {name: _read_sheet(calamine, zf, entry, width) for name, (entry, width) in chosen.items()}
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, python_calamine.CalamineError) as exc:
        raise errors.CorruptWorkbook(path, "文件结构已损坏或不完整", errors.technical(exc)) from exc
    return RawBook(path, [e.name for e in entries], sheets)


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


def _read_sheet(calamine: "_Calamine", zf: zipfile.ZipFile, entry: SheetEntry, width: int) -> RawSheet:
    extent = declared_extent(zf, entry.part)
    if extent is None or extent[0] * extent[1] > MAX_DENSE_CELLS:
        rows = list(xlsxstream.iter_rows(zf, entry.part, width or 200))
    else:
        rows = calamine.rows(entry.name, width)
    header_values = rows[0][1] if rows and rows[0][0] == 1 else []
    headers = [normalize_header(v) for v in header_values]
    while headers and not headers[-1]:
        headers.pop()
    body = rows[1:] if rows and rows[0][0] == 1 else rows
    return RawSheet(entry.name, headers, body)


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

    def rows(self, name: str, width: int) -> list[tuple[int, list]]:
        """Non-blank rows of a sheet as (Excel row, values); blank cells stay ''."""
        if self.book is None:
            self.book = python_calamine.CalamineWorkbook.from_path(str(self.path))
        grid = self.book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        if width and grid and len(grid[0]) > width:  # calamine's grid is dense: every row is as wide
            grid = [values[:width] for values in grid]
        return [(index, values) for index, values in enumerate(grid, 1) if values.count("") != len(values)]
