"""The macro-enabled master: a VBA project with one Sub per button, built without Excel.

The project is made by pyOpenVBA (`add_vba_project` gives every sheet its document module,
as Excel would) and holds three modules: the installed xlwings package's own standalone
module `xlwings` (it provides `RunPython`) with the `Dictionary` class it needs, and ours,
`WorkbenchButtons`, whose Subs call `RunPython "import macros; macros.<action>()"`. It is
built at `init` from the installed xlwings, so the VBA always matches its version; no
binary is committed. pyOpenVBA leaves the workbook part's content type as a plain .xlsx
one, which Excel would refuse for an .xlsm, so `_mark_macro_enabled` fixes it.

Limit: whether Excel opens, compiles and runs the project can only be seen on Windows or
macOS with Excel; the tests check the project with oletools and LibreOffice.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

MODULE_NAME = "WorkbenchButtons"
CONF_SHEET = "xlwings.conf"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PROGRAM_DIR = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Action:
    """One button: its caption, the VBA Sub behind it, and the Python it runs."""

    caption: str
    sub: str
    function: str  # a function of the `macros` package

    @property
    def command(self) -> str:
        return f"import macros; macros.{self.function}()"


ACTIONS: tuple[Action, ...] = (
    Action("校验", "Workbench_Validate", "validate"),
    Action("刷新", "Workbench_Refresh", "refresh"),
    Action("日历", "Workbench_Calendar", "calendar"),
    Action("生成评议表", "Workbench_Forms", "forms"),
    Action("回收评议表", "Workbench_Collect", "collect"),
    Action("生成报表", "Workbench_Reports", "reports"),
)
REFRESH = ACTIONS[1]


def buttons_module() -> str:
    """The VBA source of our module: one public Sub per button."""
    lines = [f'Attribute VB_Name = "{MODULE_NAME}"', "Option Explicit", ""]
    for action in ACTIONS:
        lines += [f"Public Sub {action.sub}()", f'    RunPython "{action.command}"', "End Sub", ""]
    return "\r\n".join(lines)


def conf_rows(interpreter_win: str, interpreter_mac: str) -> list[tuple[str, str]]:
    """The xlwings.conf sheet: which Python runs the buttons (chosen by the caller) and where our code is."""
    return [
        ("INTERPRETER_WIN", interpreter_win),
        ("INTERPRETER_MAC", interpreter_mac),
        ("PYTHONPATH", str(PROGRAM_DIR)),
        ("ADD_WORKBOOK_TO_PYTHONPATH", "False"),
        ("SHOW CONSOLE", "False"),
    ]


def xlwings_sources() -> tuple[str, str]:
    """The standalone `xlwings` module and its `Dictionary` class, from the installed package."""
    import xlwings

    folder = Path(xlwings.__file__).parent
    module = (folder / "xlwings.bas").read_text(encoding="utf-8", errors="replace")
    dictionary = (folder / "addin" / "Dictionary.cls").read_text(encoding="utf-8", errors="replace")
    return module, dictionary


def add_vba_project(path: str | Path) -> Path:
    """Give a freshly built .xlsm its VBA project: xlwings' module, its Dictionary, our buttons."""
    from pyopenvba import ExcelFile, VBAModuleKind

    path = Path(path)
    module, dictionary = xlwings_sources()
    with ExcelFile(path) as book:
        project = book.add_vba_project()
        project.add_module("xlwings", module)
        project.add_module("Dictionary", dictionary, kind=VBAModuleKind.other)
        project.add_module(MODULE_NAME, buttons_module())
        book.save()
    _mark_macro_enabled(path)
    return path


def _mark_macro_enabled(path: Path) -> None:
    """Rewrite [Content_Types].xml so the workbook part is the macro-enabled kind; other parts as they are."""
    handle, temp = tempfile.mkstemp(suffix=".xlsm", dir=path.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename == "[Content_Types].xml":
                    data = data.replace(XLSX_MAIN.encode(), XLSM_MAIN.encode())
                target.writestr(info, data)
        shutil.move(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def with_refresh_buttons(models: list, workbook: str | Path) -> list:
    """In a macro-enabled master, give each generated sheet a 刷新 button right of its content."""
    if Path(str(workbook)).suffix.lower() != ".xlsm":
        return models
    from workbook.sheetmodel import Button

    for model in models:
        model.buttons.append(Button(0, max(model.max_col, 0) + 1, REFRESH.caption, REFRESH.sub))
    return models
