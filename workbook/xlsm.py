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
        """The Python the Sub runs (VBA text: the module's own xlwings version is passed along)."""
        return f"import macros; macros.{self.function}(vba='\" & XLWINGS_VERSION & \"')"


ACTIONS: tuple[Action, ...] = (
    Action("校验", "Workbench_Validate", "validate"),
    Action("刷新", "Workbench_Refresh", "refresh"),
    Action("日历", "Workbench_Calendar", "calendar"),
    Action("生成评议表", "Workbench_Forms", "forms"),
    Action("回收评议表", "Workbench_Collect", "collect"),
    Action("生成报表", "Workbench_Reports", "reports"),
)
REFRESH = ACTIONS[1]


READY_MESSAGES = {
    "NoPython": "找不到运行按钮的 Python：{0}。这份台账可能是在另一台电脑上生成的，或者 Python 被移动了。"
                "请先保存并关闭台账，在本机的程序文件夹运行：python -m macros 修复按钮 台账路径",
    "NoProgram": "找不到程序文件夹：{0}。这份台账可能是从另一台电脑复制来的，或者程序文件夹被移动了。"
                 "请先保存并关闭台账，在本机的程序文件夹运行：python -m macros 修复按钮 台账路径",
}
TITLE = "党建工作台账"


def buttons_module() -> str:
    """The VBA source of our module: one public Sub per button, each checking first that the Python
    and the program folder of xlwings.conf exist on this PC (a workbook from another PC), in Chinese."""
    lines = [f'Attribute VB_Name = "{MODULE_NAME}"', "Option Explicit", ""]
    for action in ACTIONS:
        lines += [f"Public Sub {action.sub}()", "    If Not WorkbenchReady() Then Exit Sub",
                  f'    RunPython "{action.command}"', "End Sub", ""]
    lines += _ready_function()
    lines += ["Private Function MsgTitle() As String", "    Dim s As String", *vba_string(TITLE), "    MsgTitle = s",
              "End Function", ""]
    for name, text in READY_MESSAGES.items():
        lines += _message_function(name, text)
    return "\r\n".join(lines)


def _ready_function() -> list[str]:
    return [
        "Private Function WorkbenchReady() As Boolean",
        "    Dim interpreter As String, folder As String, sep As String",
        "    #If Mac Then",
        '        interpreter = GetConfig("INTERPRETER_MAC", "python3"): sep = "/"',
        "    #Else",
        '        interpreter = GetConfig("INTERPRETER_WIN", "pythonw"): sep = "\\"',
        "    #End If",
        '    folder = GetConfig("PYTHONPATH", "")',
        '    If (InStr(interpreter, "\\") > 0 Or InStr(interpreter, "/") > 0) And Not FileExists(interpreter) Then',
        "        MsgBox MsgNoPython(interpreter), vbExclamation, MsgTitle()",
        "        Exit Function",
        "    End If",
        '    If folder <> "" And Not FileExists(folder & sep & "macros" & sep & "__init__.py") Then',
        "        MsgBox MsgNoProgram(folder), vbExclamation, MsgTitle()",
        "        Exit Function",
        "    End If",
        "    WorkbenchReady = True",
        "End Function",
        "",
    ]


def vba_string(text: str) -> list[str]:
    """VBA statements appending `text` to the variable s: ASCII runs as literals, the rest as ChrW(),
    so the module stays ASCII whatever code page the VBA project is read with."""
    parts, run = [], ""
    for char in text:
        if 32 <= ord(char) < 127 and char != '"':
            run += char
            continue
        if run:
            parts.append(f'"{run}"')
            run = ""
        parts.append(f"ChrW({ord(char)})")
    if run:
        parts.append(f'"{run}"')
    lines, line = [], []
    for part in parts:  # short lines: VBA allows 1023 characters and 24 continuations
        line.append(part)
        if sum(len(p) + 3 for p in line) > 200:
            lines.append("    s = s & " + " & ".join(line))
            line = []
    if line:
        lines.append("    s = s & " + " & ".join(line))
    return lines


def _message_function(name: str, text: str) -> list[str]:
    head, _, tail = text.partition("{0}")
    return [f"Private Function Msg{name}(ByVal detail As String) As String", "    Dim s As String",
            *vba_string(head), "    s = s & detail", *vba_string(tail), f"    Msg{name} = s", "End Function", ""]


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


def is_macro_enabled(workbook: str | Path) -> bool:
    """Whether a workbook's name says it carries our VBA project (.xlsm)."""
    return Path(str(workbook)).suffix.lower() == ".xlsm"


def with_refresh_buttons(models: list, workbook: str | Path) -> list:
    """In a macro-enabled master, give each generated sheet a 刷新 button right of its content."""
    if not is_macro_enabled(workbook):
        return models
    from workbook.sheetmodel import Button

    for model in models:
        model.buttons.append(Button(0, max(model.max_col, 0) + 1, REFRESH.caption, REFRESH.sub))
    return models
