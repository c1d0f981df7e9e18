"""Form files: writing the copies handed out, reading the copies returned, reading rater lists.

The file edge of `workplan.forms` and `workplan.collect`; the command line and, later, the
workbook's buttons call these. A handed-out copy is an .xlsx holding the form's sheet
(protected without a password: only the answer cells can be typed in) and the very
hidden sheet `_表单信息` with the copy's identity (protected too). Excel and WPS keep a
very hidden sheet through every save and offer no menu to unhide it (only VBA can).
Protection prevents slips, not fraud; a changed member list is caught by the checksum.

Returned copies are read with the project's reader (python-calamine, with its guard
against sheets of absurd extent); a file that cannot be read is reported, not raised.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from workbook import errors, reader, render_xlsx
from workbook.errors import FormError
from workbook.safety import TEMP_PREFIX
from workplan.collect import ReturnedForm
from workplan.forms import Handout, identity_sheet

FORM_SUFFIXES = frozenset((".xlsx", ".xlsm", *(s for s in reader.OTHER_KINDS if s != ".txt")))
SKIPPED_PREFIXES = ("~$", ".~lock.", ".", TEMP_PREFIX)  # owner files of Office, hidden files, our temp files
NAME_HEADERS = frozenset(("姓名", "评议人", "名单", "序号", "名字"))
NAME_SEPARATORS = re.compile(r"[\r\n\t,，、;；]+")


# --- handing out ------------------------------------------------------------------------------

def write_handout(path: Path, copy: Handout) -> Path:
    """One copy: the form's sheet, active, and its identity in a very hidden sheet."""
    book = render_xlsx.new_workbook(path)
    render_xlsx.add_sheet(book, copy.sheet).activate()
    render_xlsx.add_sheet(book, identity_sheet(copy.identity)).very_hidden()
    book.set_properties({"title": copy.sheet.name, "comments": "由党建工作台账程序生成的评议表，请只填写浅黄色单元格"})
    book.close()
    return path


def write_handouts(folder: Path, copies: list[Handout]) -> list[Path]:
    """Write every copy into `folder`; refuse (FormError) if it already holds forms.

    The copies are written into a temporary folder beside it first, then moved in, so a
    failure halfway leaves no half set of forms behind.
    """
    if folder.exists() and not folder.is_dir():
        raise FormError(folder, f"{folder} 已存在且不是文件夹，程序没有写入。请把它改名或移走后再运行。")
    if folder.is_dir() and any(p.suffix.lower() in FORM_SUFFIXES for p in folder.iterdir()):
        raise FormError(folder, f"文件夹 {folder} 里已经有评议表，为避免覆盖已发出或已交回的表，程序没有写入。"
                                "如要重新生成，请先把这个文件夹改名或移走；如要生成另一轮，请用 --round 指定轮次。")
    staging = folder.with_name(TEMP_PREFIX + folder.name)
    shutil.rmtree(staging, ignore_errors=True)  # a leftover of an interrupted run: ours to remove
    staging.mkdir(parents=True)
    try:
        for copy in copies:
            write_handout(staging / copy.file_name, copy)
        folder.mkdir(parents=True, exist_ok=True)
        for copy in copies:
            os.replace(staging / copy.file_name, folder / copy.file_name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [folder / copy.file_name for copy in copies]


# --- collecting -------------------------------------------------------------------------------

def returned_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """(spreadsheet files to check, other files skipped) in a folder, by name; Office owner files ignored."""
    if not folder.exists():
        raise errors.NoSuchFile(folder)
    if not folder.is_dir():
        raise FormError(folder, f"{folder} 不是文件夹。请给出放交回评议表的文件夹，例如 评议表/群众评议_2026上半年。")
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(SKIPPED_PREFIXES))
    forms = [p for p in files if p.suffix.lower() in FORM_SUFFIXES]
    return forms, [p for p in files if p not in forms]


def _grid(sheet: reader.RawSheet) -> list[list]:
    """A sheet as the reader gives it, back to a grid from row 1 (blank rows empty)."""
    by_row = {1: list(sheet.headers), **dict(sheet.rows)}
    return [list(by_row.get(number, [])) for number in range(1, max(by_row) + 1)]


def read_returned(path: Path) -> ReturnedForm:
    """Every sheet of a returned copy, or why it cannot be read (never raises for a bad file)."""
    try:
        book = reader.read_book(path)
    except errors.WorkbenchError as exc:
        return ReturnedForm(path.name, unreadable=exc.user_message().replace(str(path), path.name))
    return ReturnedForm(path.name, {name: _grid(sheet) for name, sheet in book.sheets.items()})


# --- rater lists ------------------------------------------------------------------------------

def read_rater_names(path: str | Path) -> list[str]:
    """Names from a text file (one a line, or separated by commas/、) or column A of an .xlsx.

    A header such as 姓名 is skipped. FormError if the file holds no name or is of another kind.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        sheet = next(iter(reader.read_book(path).sheets.values()), None)
        cells = [row[0] if row else None for row in _grid(sheet)] if sheet else []
    elif suffix in (".txt", ".csv"):
        cells = NAME_SEPARATORS.split(_read_text(path))
    else:
        raise FormError(path, f"名单文件 {path} 应是 .txt（每行一个姓名）或 .xlsx（第一列每行一个姓名）。")
    names = [str(c).strip() for c in cells if c is not None and str(c).strip() and str(c).strip() not in NAME_HEADERS]
    if not names:
        raise FormError(path, f"名单文件 {path} 里没有找到姓名。请每行写一个姓名（.txt），或在 Excel 第一列每行写一个姓名。")
    return names


def _read_text(path: Path) -> str:
    """A text file in UTF-8 (with or without BOM) or, as Windows Notepad often saves, GB18030."""
    if not path.exists():
        raise errors.NoSuchFile(path)
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")
