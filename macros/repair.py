"""`python -m macros 修复按钮 台账路径`: make a closed .xlsm's buttons fit this PC again.

The fix of every first-run problem that lives in the workbook itself (`macros.firstrun`): the
VBA modules (xlwings' own and ours) are rebuilt from the installed xlwings, and the hidden
xlwings.conf sheet is written with this PC's Python and program folder. It goes through the
safe writer like every other write: refused while the workbook is open, a backup first, the
new file written beside, read back (modules, settings, every other sheet's values unchanged),
then moved over the original.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from services.interpreter import xlwings_interpreters
from services.logs import setup_logging
from workbook import errors, package, safety, xlsm
from workbook.fingerprints import fingerprint_rows, read_sheet_rows
from workbook.reader import check_file
from workbook.sheetmodel import SheetModel

from . import firstrun

USAGE = "用法：python -m macros 修复按钮 台账路径（先保存并关闭台账）"


def conf_rows() -> list[tuple[str, str]]:
    """xlwings.conf as `init` writes it on this PC (the Python that has the program's packages)."""
    return xlsm.conf_rows(*xlwings_interpreters())


def conf_model() -> SheetModel:
    """The xlwings.conf sheet with this PC's settings (no banner, no protection: an admin may edit it)."""
    model = SheetModel(xlsm.CONF_SHEET, protect=False, tab_color=None)
    for row, (key, value) in enumerate(conf_rows()):
        model.put(row, 0, key)
        model.put(row, 1, value)
    return model


def _other_sheets(path: Path) -> dict[str, str]:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    names = [n for n in book.sheet_names if n != xlsm.CONF_SHEET]
    book.close()
    return {name: fingerprint_rows(rows) for name, rows in read_sheet_rows(path, names).items()}


def repair(path: Path, now: dt.datetime | None = None) -> safety.SafeWrite:
    """Rebuild the VBA modules and xlwings.conf of a closed .xlsm, safely."""
    before = _other_sheets(path)

    def write(new: Path) -> None:
        package.write_sheets(path, new, [conf_model()], {xlsm.CONF_SHEET})
        from pyopenvba import ExcelFile

        module, dictionary = xlsm.xlwings_sources()
        with ExcelFile(new) as book:
            book.set_module("xlwings", module)
            book.set_module("Dictionary", dictionary)
            book.set_module(xlsm.MODULE_NAME, xlsm.buttons_module())
            book.save()

    def verify(new: Path) -> None:
        if firstrun.module_version(new) != firstrun.installed_xlwings():
            raise errors.WriteFailed(path, "新文件中的按钮模块版本不对", "module version")
        if firstrun.read_conf(new) != dict(conf_rows()):
            raise errors.WriteFailed(path, "新文件中的 xlwings.conf 设置不对", "conf rows")
        if _other_sheets(new) != before:
            raise errors.WriteFailed(path, "其他工作表的内容发生了变化", "sheet values")

    return safety.safe_replace(path, write, verify, now=now)


def main(argv: list[str]) -> int:
    if not argv:
        print(USAGE)
        return errors.EXIT_CANNOT_RUN
    try:
        path = check_file(argv[0])
        if not xlsm.is_macro_enabled(path):
            print(f"{path.name} 不是带按钮的 .xlsm 台账，不需要修复按钮。")
            return errors.EXIT_CANNOT_RUN
        setup_logging(path)
        done = repair(path)
    except errors.WorkbenchError as exc:
        print(exc.user_message())
        return exc.exit_code
    settings = dict(conf_rows())
    interpreter = settings["INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"]
    print(f"已修复“{path.name}”的按钮：按钮模块与本机的 xlwings {firstrun.installed_xlwings()} 配套，"
          f"xlwings.conf 指向本机的 Python（{interpreter}）和程序文件夹（{xlsm.PROGRAM_DIR}）。写入前的备份：{done.backup}")
    print("可以打开台账点按钮了；新电脑上建议先运行一次：python -m macros 自检")
    return errors.EXIT_OK
