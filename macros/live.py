"""The workbook open in Excel, for one click: read its current contents, write sheets live, say one line.

`Live.of(book)` wraps the calling xlwings book and picks the engine:
- "com", desktop Excel on Windows: read through `macros.comread` (a few calls a sheet), write by
  rendering once and copying the sheets in (`macros.desktop`), a message box on Excel's window;
- "remote", xlwings' file-free engine (xlwings Server/Lite clients, and the tests), and "mac",
  Excel on macOS: read through xlwings' range API, write as batched cell blocks (`macros.blocks`).
`read` gives the same `RawBook` the file reader gives, so the same pure pipeline runs on it; no
file is replaced behind Excel's back. Text is written with a leading apostrophe, Excel's own
"this is text" mark, so a name like "=SUM(A1)" or "-李四" never becomes a formula.

A workbook opened from a OneDrive/SharePoint address whose local file xlwings cannot find is
refused before anything is read (`errors.CloudWorkbook`). While the self-test runs, messages go
to a file beside the workbook (`selftest_messages`) instead of a message box.

A sheet named like a generated one that we did not write (staff made their own 公示表) is never
replaced: `write` refuses with errors.ForeignSheet before it changes anything
(`foreign_sheets`). Messages pass the phone-number rule.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbook import errors, fingerprints, references, xlsm
from workbook.append import first_free_row
from workbook.privacy import mask_phones
from workbook.raw import RawBook, RawSheet, error_marker, normalize_header
from workbook.reader import EXTRA_COLUMNS
from workbook.sheetmodel import BANNER, SheetModel

from . import blocks, comread, desktop

log = logging.getLogger("workbench.macros")
MESSAGES_SUFFIX = ".自检消息.jsonl"
MB_ICONINFORMATION = 0x40


def engine(book) -> str:
    """"com" (Windows), "mac" (macOS) or "remote" (xlwings' file-free engine), from the book's implementation."""
    module = type(book.impl).__module__
    if module.endswith("_xlremote"):
        return "remote"
    return "com" if module.endswith("_xlwindows") else "mac"


def selftest_messages(path: Path) -> Path:
    """The file the self-test collects a workbook's messages in (it exists only while the self-test runs)."""
    return path.with_name(path.name + MESSAGES_SUFFIX)


def _message_box(hwnd: int, message: str, title: str) -> None:
    import win32api

    win32api.MessageBox(hwnd, message, title, MB_ICONINFORMATION)


@dataclass
class Live:
    """One click on one open workbook (see the module docstring)."""

    book: Any  # the xlwings Book; None when driven on a COM object directly
    kind: str
    wb: Any = None  # the COM workbook ("com")
    com_error: type = Exception
    show: Callable[[int, str, str], None] = _message_box
    com: comread.ComBook | None = None
    copy_in: desktop.CopyIn | None = None  # what the last write did ("com")
    _path: Path | None = None
    _fullname: str | None = None

    @classmethod
    def of(cls, book) -> "Live":
        kind = engine(book)
        if kind != "com":
            return cls(book, kind)
        import pywintypes

        return cls(book, kind, wb=book.api, com_error=pywintypes.com_error)

    @property
    def path(self) -> Path:
        """The workbook's file (a local path); errors.CloudWorkbook for an address with no local file."""
        if self._path is None:
            raw = self._fullname = str(self.wb.FullName if self.kind == "com" else (self.book.fullname or self.book.name))
            if "://" in raw:
                raw = self._local_copy(raw)
            self._path = Path(raw)
        return self._path

    def _local_copy(self, url: str) -> str:
        """xlwings' own mapping of a OneDrive/SharePoint address to the synced local file."""
        try:
            local = self.book.fullname if self.book is not None else url
        except Exception as exc:  # xlwings raises its own (English) error when it finds no local file
            raise errors.CloudWorkbook(url, technical=errors.technical(exc)) from exc
        if "://" in str(local):
            raise errors.CloudWorkbook(url)
        return str(local)

    @property
    def name(self) -> str:
        return self.path.name

    # --- reading ---------------------------------------------------------------------------------

    def read(self, wanted: dict[str, int]) -> RawBook:
        """The sheets named in `wanted` (name -> contract columns) as typed, from the open book."""
        if self.kind == "com":
            raw, self.com = comread.read_raw(self.wb, wanted, self.path, self.com_error)
            return raw
        return read_raw(self.book, wanted, self.path)

    # --- writing ---------------------------------------------------------------------------------

    def write(self, models: list[SheetModel], owned: set[str]) -> list[str]:
        """Replace (at the same place) or add each generated sheet; returns warnings for the message."""
        strangers = [m.name for m in models if m.name not in owned]
        if strangers:
            raise ValueError(f"not generated sheets: {strangers}")
        if not models:
            return []
        foreign = self.foreign_sheets([m.name for m in models])
        if foreign:
            raise errors.ForeignSheet(self.name, foreign)
        models = xlsm.with_refresh_buttons(models, self.path)
        if self.kind != "com":
            blocks.write_sheets(self.book, models, owned, remote=self.kind == "remote")
            return []
        if self.com is None:
            self.com = comread.ComBook(self.wb, self.wb.Sheets)
        self.com.fullname = self._fullname
        names = [m.name for m in models]
        temp = desktop.write_temp(models)
        refs = references.scan(self.path, names) if self.path.is_file() else None
        macro = xlsm.REFRESH.sub if xlsm.is_macro_enabled(self.path) else None
        self.copy_in = desktop.replace_generated(self.com, temp, names, macro, refs, self.com_error)
        log.info("copy-in: %s; buttons %s (%r); re-targeted %s", names, self.copy_in.buttons, self.copy_in.on_action,
                 self.copy_in.retargeted)
        return self.copy_in.warnings

    def append_rows(self, sheet_name: str, rows: list[list[Any]], columns: Iterable[int]) -> tuple[int, int]:
        """Add rows below the last row with content in the sheet's contract `columns` (0-based), by the
        same rule as the file writer (`append.first_free_row`); returns the (first, last) Excel row."""
        columns = list(columns)
        values = [[blocks.cell_value(v) for v in row] for row in rows]
        if self.kind != "com":
            sheet = self.book.sheets[sheet_name]
            first = first_free_row(_read_sheet(sheet, max(columns) + 1).rows, columns)
            sheet.range((first, 1)).value = values
            return first, first + len(rows) - 1
        self.com = self.com or comread.ComBook(self.wb, self.wb.Sheets)
        grid = comread.read_grid(self.com, sheet_name, max(columns) + 1)
        first = first_free_row(comread.raw_sheet(sheet_name, grid).rows, columns)
        width = max(len(row) for row in values)
        block = f"A{first}:{comread.column_letter(width)}{first + len(rows) - 1}"
        self.com.sheet(sheet_name).Range(block).Value = tuple(tuple(row + [None] * (width - len(row))) for row in values)
        return first, first + len(rows) - 1

    def foreign_sheets(self, names: Iterable[str]) -> list[str]:
        """Sheets of the open book named like one of `names` that we did not write (never replaced).

        Ours carry our fingerprint or our banner in A1. The saved file is asked first (no Excel
        call); when desktop Excel says the book is saved, its answer is the book's. Otherwise the
        book is asked which of the names it has, and A1 of each the file does not vouch for
        (a sheet made since the last save). Limit: a sheet the file shows as ours is taken as
        ours by its name (one of ours renamed away and a staff sheet named like it since the
        last save would pass); asking A1 of every sheet would cost Excel calls on every click.
        """
        wanted = list(dict.fromkeys(names))
        on_file, ours = self._file_answer(wanted)
        if self.kind == "com" and on_file is not None and self._com().saved:
            return [name for name in wanted if name.casefold() in on_file and name.casefold() not in ours]
        present = self._present(wanted)
        return [name for name in present if name.casefold() not in ours and self._first_cell(name) != BANNER]

    def _file_answer(self, wanted: list[str]) -> tuple[set[str] | None, set[str]]:
        """(casefolded names of `wanted` the saved file has, those of them it shows as ours); (None, ∅) without a file."""
        if not self.path.is_file():
            return None, set()
        try:
            on_file = {n.casefold() for n in fingerprints.sheet_names(self.path)} & {n.casefold() for n in wanted}
            foreign = {n.casefold() for n in fingerprints.foreign_sheets(self.path, wanted)}
        except Exception as exc:  # an unreadable file vouches for nothing: ask the open book
            log.info("the saved file cannot vouch for its sheets: %s", exc)
            return None, set()
        return on_file, on_file - foreign

    def _present(self, wanted: list[str]) -> list[str]:
        """The names of `wanted` the open book has (desktop Excel: by SHEET(), a call per five names)."""
        if self.kind != "com":
            folded = {name.casefold() for name in wanted}
            return [sheet.name for sheet in self.book.sheets if sheet.name.casefold() in folded]
        book = self._com()
        context = next(iter(book.handles.values()), None) or book.sheets(1)
        book.layout = (tuple(wanted), *desktop.positions(context, wanted))  # the copy-in needs them too
        return list(book.layout[1])

    def _com(self) -> comread.ComBook:
        self.com = self.com or comread.ComBook(self.wb, self.wb.Sheets)
        return self.com

    def _first_cell(self, name: str):
        if self.kind == "com":
            return self.com.sheet(name).Range("A1").Value
        return self.book.sheets[name].range("A1").value

    # --- the message -----------------------------------------------------------------------------

    def alert(self, message: str, title: str = "党建工作台账") -> None:
        """One short message box in Excel (in tests: an `alert` action; during the self-test: a line in a file).

        Phone numbers in it are masked, as everywhere the program speaks.
        """
        message, title = mask_phones(message), mask_phones(title)
        try:
            collected = selftest_messages(self.path)
        except errors.WorkbenchError:
            collected = None
        if collected is not None and collected.exists():
            record = {"title": title, "message": message, "time": dt.datetime.now().isoformat(timespec="seconds")}
            with collected.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            return
        if self.kind == "com":
            self.show(int((self.com or comread.ComBook(self.wb, None)).app.Hwnd), message, title)
        else:
            self.book.app.alert(message, title=title)


# --- reading through xlwings' range API (remote engine, macOS) ------------------------------------------

def read_raw(book, wanted: dict[str, int], path: Path) -> RawBook:
    """The sheets named in `wanted` (name -> contract columns) as typed, through xlwings' API."""
    names = [sheet.name for sheet in book.sheets]
    by_norm = {normalize_header(name): name for name in names}
    sheets = {}
    for name, columns in wanted.items():
        actual = by_norm.get(normalize_header(name))
        if actual is not None:
            sheets[name] = _read_sheet(book.sheets[actual], columns + EXTRA_COLUMNS)
    return RawBook(path, names, sheets)


def _read_sheet(sheet, width: int) -> RawSheet:
    used = sheet.used_range
    last_row, last_col = used.last_cell.row, min(used.last_cell.column, width)
    if last_row == 1 and last_col == 1 and sheet.range("A1").value is None:
        return RawSheet(sheet.name, [])
    grid = sheet.range((1, 1), (last_row, last_col)).options(ndim=2, err_to_str=True).value
    grid = [[error_marker(v) for v in row] for row in grid]  # #REF! is a finding on its cell, as in a file
    headers = [normalize_header(v) for v in grid[0]]
    while headers and not headers[-1]:
        headers.pop()
    rows = [(index + 2, row) for index, row in enumerate(grid[1:]) if any(v is not None and v != "" for v in row)]
    return RawSheet(sheet.name, headers, rows)
