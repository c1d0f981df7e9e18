"""Form files: writing the copies handed out, reading the copies returned, reading rater lists.

The file edge of `workplan.forms` and `workplan.collect`; the command line and, later, the
workbook's buttons call these. A handed-out copy is an .xlsx holding the form's sheet
(protected without a password: only the answer cells can be typed in) and the very
hidden sheet `_表单信息` with the copy's identity (protected too). Excel and WPS keep a
very hidden sheet through every save and offer no menu to unhide it (only VBA can).
Protection prevents slips, not fraud; a changed member list is caught by the checksum.

Returned copies are read with the project's reader (python-calamine, with its guard
against sheets of absurd extent); a file that cannot be read is reported, not raised,
in words for a form (never the master's advice), and a copy open in Excel or WPS is
read as last saved, with a warning.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from workbook import errors, reader, render_xlsx, xlsxstream
from workbook.errors import FormError
from workbook.ooxml import sheet_entries
from workbook.raw import RawSheet, normalize_header
from workbook.safety import TEMP_PREFIX, is_open_elsewhere
from workplan.collect import ReturnedForm
from workplan.forms import Handout, identity_sheet, round_from_folder

log = logging.getLogger("workbench.formfiles")
FORM_SUFFIXES = frozenset((".xlsx", ".xlsm", *(s for s in reader.OTHER_KINDS if s != ".txt")))
SKIPPED_PREFIXES = ("~$", ".~lock.", ".", TEMP_PREFIX)  # owner files of Office, hidden files, our temp files
NAME_HEADERS = frozenset(("姓名", "评议人", "名单", "名字"))  # the header of a column of names
LIST_HEADERS = NAME_HEADERS | {"序号", "编号"}  # words in a rater list that are never a name
NAME_COLUMNS = 10  # columns of a rater list .xlsx looked at for names
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
    failure halfway leaves no half set of forms behind. No copies: nothing is created.
    """
    if not copies:
        return []
    if folder.exists() and not folder.is_dir():
        raise FormError(folder, f"{folder} 已存在且不是文件夹，程序没有写入。请把它改名或移走后再运行。")
    if folder.is_dir() and any(p.suffix.lower() in FORM_SUFFIXES for p in folder.iterdir()):
        raise FormError(folder, f"文件夹 {folder} 里已经有评议表，为避免覆盖已发出或已交回的表，程序没有写入。"
                                "如要重新生成，请先把这个文件夹改名或移走；如要生成另一轮，请换一个轮次名称。")
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

def _checked_folder(folder: Path) -> Path:
    """The folder, or NoSuchFile / FormError saying what it is instead."""
    if not folder.exists():
        raise errors.NoSuchFile(folder)
    if not folder.is_dir():
        raise FormError(folder, f"{folder} 不是文件夹。请给出放交回评议表的文件夹，例如 评议表/群众评议_2026上半年。")
    return folder


def returned_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """(spreadsheet files to check, other files skipped) in a folder, by name; Office owner files ignored."""
    files = sorted(p for p in _checked_folder(folder).iterdir() if p.is_file() and not p.name.startswith(SKIPPED_PREFIXES))
    forms = [p for p in files if p.suffix.lower() in FORM_SUFFIXES]
    return forms, [p for p in files if p not in forms]


def round_folders(parent: Path) -> list[Path]:
    """The folders of one round each inside `parent` (评议表/), by name: 群众评议_2026上半年 …

    A folder counts when `forms.round_from_folder` recognises its name; our temporary
    folders and hidden ones do not. NoSuchFile / FormError when `parent` is not a folder.
    """
    return sorted(p for p in _checked_folder(parent).iterdir()
                  if p.is_dir() and not p.name.startswith(SKIPPED_PREFIXES) and round_from_folder(p.name))


def _grid(sheet: RawSheet) -> list[list]:
    """A returned form's sheet as the reader gives it, back to a grid from row 1 (blank rows empty).

    Row 1 comes back as normalised headers (spaces dropped): on a form that is the title,
    which nothing reads; the table's header row and the identity rows are further down.
    """
    by_row = {1: list(sheet.headers), **dict(sheet.rows)}
    return [list(by_row.get(number, [])) for number in range(1, max(by_row) + 1)]


def read_returned(path: Path) -> ReturnedForm:
    """Every sheet of a returned copy, or why it cannot be read (never raises for a bad file).

    A copy open in Excel or WPS (its owner file beside it) is read as last saved, marked
    `open_elsewhere` so that collect warns about answers typed since.
    """
    try:
        book = reader.read_book(path)
    except errors.WorkbenchError as exc:
        detail, advice = _unreadable_reason(exc)
        return ReturnedForm(path.name, unreadable=detail, advice=advice)
    except OSError as exc:  # check_file opens the file: no permission, gone meanwhile, a network drive
        return ReturnedForm(path.name, unreadable=errors.os_reason(exc), advice="请关闭正在使用它的程序、检查文件的权限后再回收")
    except BaseException as exc:  # a library's failure on one hostile copy (a panic too) is this copy's problem
        if errors.is_ours(exc):
            raise
        log.warning("returned form %s unreadable: %s", path, errors.technical(exc), exc_info=True)
        return ReturnedForm(path.name, unreadable="文件内容无法读取", advice="请让评议人重新发送")
    sheets = {name: _grid(sheet) for name, sheet in book.sheets.items()}
    return ReturnedForm(path.name, sheets, open_elsewhere=is_open_elsewhere(path))


def _unreadable_reason(exc: errors.WorkbenchError) -> tuple[str, str]:
    """(what is wrong, what to do) for a returned copy the reader refused, in words for a form."""
    if isinstance(exc, errors.WrongFileType):
        return f"它是{exc.detail}，不是 .xlsx 工作簿", "请评议人用 Excel 或 WPS 打开后另存为 .xlsx 再交回"
    if isinstance(exc, errors.EncryptedWorkbook):
        return "它设置了打开密码", "请评议人取消打开密码后保存，再交回"
    if isinstance(exc, errors.NoSuchFile):
        return "回收时文件已不在文件夹中", "请把它放回文件夹后再回收"
    return "文件已损坏或不是评议表文件", "请让评议人重新发送"


# --- rater lists ------------------------------------------------------------------------------

def read_rater_names(path: str | Path) -> list[str]:
    """Names from a text file (one a line, or separated by commas/、) or the first sheet of an .xlsx.

    In an .xlsx the names are the column headed 姓名 (评议人, 名单, 名字), else the first
    column holding text; numbers (a 序号 column) and header words are never names, and a
    name keeps its inner spaces. FormError if the file holds no name or is of another kind.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        cells = _name_column(_first_sheet(path))
    elif suffix in (".txt", ".csv"):
        cells = NAME_SEPARATORS.split(_read_text(path))
    else:
        raise FormError(path, f"名单文件 {path} 应是 .txt（每行一个姓名）或 .xlsx（第一列每行一个姓名）。")
    names = [str(c).strip() for c in cells if _is_name(c)]
    if not names:
        raise FormError(path, f"名单文件 {path} 里没有找到姓名。请每行写一个姓名（.txt），或在 Excel 第一列每行写一个姓名。")
    return names


def _first_sheet(path: Path) -> list[list]:
    """The first sheet of a workbook as typed, a grid from row 1 (only the first NAME_COLUMNS columns).

    Streamed (`xlsxstream`), so row 1 keeps its spaces and a stray far cell costs nothing.
    """
    path = reader.check_file(path)
    try:
        with zipfile.ZipFile(path) as zf:
            entries = sheet_entries(zf)
            rows = dict(xlsxstream.read_rows(zf, entries[0].part, NAME_COLUMNS)[0]) if entries else {}
    except (zipfile.BadZipFile, KeyError, IndexError, ValueError, OSError, ET.ParseError) as exc:
        raise errors.CorruptWorkbook(path, "文件结构已损坏或不完整", errors.technical(exc)) from exc
    return [list(rows.get(number, [])) for number in range(1, max(rows, default=0) + 1)]


def _name_column(grid: list[list]) -> list:
    """The cells of the names: the column headed like 姓名, else the first with text that is not a number."""
    header = [normalize_header(v) for v in (grid[0] if grid else [])]
    column = next((i for i, v in enumerate(header) if v in NAME_HEADERS), None)
    if column is None:
        column = next((c for c in range(NAME_COLUMNS) if any(_is_name(row[c]) for row in grid if len(row) > c)), 0)
    return [row[column] if len(row) > column else None for row in grid]


def _is_name(cell) -> bool:
    """A cell that can be a rater's name: text, not digits (序号) and not a header word."""
    if not isinstance(cell, str):
        return False  # blank, a number (a 序号 column), a date
    text = cell.strip()
    return bool(text) and normalize_header(text) not in LIST_HEADERS and not re.fullmatch(r"[\d.]+", text)


def _read_text(path: Path) -> str:
    """A text file in UTF-8 (with or without BOM) or, as Windows Notepad often saves, GB18030."""
    if not path.exists():
        raise errors.NoSuchFile(path)
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")
