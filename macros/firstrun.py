"""First-run problems of the buttons on a PC, found before anything is written, each with its fix in Chinese.

- the workbook's VBA module was built for another xlwings version than the one installed
  (`vba_version`; at a click the buttons pass their version, `at_click`);
- `xlwings.conf` names a Python or a 程序文件夹 this PC does not have: the workbook came from
  another PC (`conf_problems`, on the closed file; the buttons' VBA checks the same before it
  starts Python, see `workbook.xlsm`);
- the workbook was opened from a OneDrive/SharePoint address (`errors.CloudWorkbook`, raised by
  `macros.live` before anything is read);
- WPS has taken over Excel's registration (xlwings issue 2575): `Excel.Application` starts WPS
  (`excel_status`, from the registry, no Excel started);
- on macOS, xlwings' AppleScript file for Excel's sandbox is missing (`applescript_problem`).
Python's bitness does not matter for these buttons: `RunPython` starts Python as its own process
and never loads the xlwings DLL (only UDFs and `OPTIMIZED_CONNECTION` do); the self-test logs
both bitnesses for information, and a `USE UDF SERVER` setting is a warning (`conf_problems`).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbook import xlsm

REPAIR = "python -m macros 修复按钮 台账路径"
NO_EXCEL = ("这台电脑上没有可以自检的 Microsoft Excel（需要 Windows 或 macOS 上的 Excel）。"
            "WPS、LibreOffice 用户请用：python sync.py watch 台账路径（保存并关闭台账后自动刷新）。")
WPS_TOOK_OVER = ("这台电脑上的 WPS 接管了 Excel 的注册，程序打开台账时会打开 WPS 而不是 Excel。", (
    "修复：在“控制面板 → 程序和功能”中选中 Microsoft Office → 更改 → 快速修复（会重新注册 Excel）；"
    "并在 WPS 的“配置工具 → 高级 → 兼容设置”中取消“WPS Office 兼容第三方系统和软件”或与 Microsoft Office 文件的关联。"))


@dataclass(frozen=True)
class Problem:
    """One first-run problem: what is wrong and how to fix it; a warning does not stop anything."""

    message: str
    fix: str
    blocking: bool = True

    def line(self) -> str:
        return self.message + self.fix


def installed_xlwings() -> str:
    import xlwings

    return xlwings.__version__


def vba_version(vba: str | None, installed: str) -> Problem | None:
    """The buttons' VBA module built for another xlwings version than the installed one."""
    if not vba or vba == installed:
        return None
    return Problem(f"台账里的按钮模块是为 xlwings {vba} 制作的，本机安装的是 xlwings {installed}。",
                   f"请先保存并关闭台账，在程序文件夹运行：{REPAIR}", blocking=False)


def at_click(vba: str | None) -> list[str]:
    """Lines a click adds to its message (the click itself went ahead: Python started)."""
    problem = vba_version(vba, installed_xlwings()) if vba else None
    return [problem.line()] if problem else []


def module_version(path: str | Path) -> str | None:
    """The xlwings version the closed workbook's VBA module was built for (None: no module)."""
    from pyopenvba import ExcelFile

    try:
        with ExcelFile(str(path)) as book:
            source = book.get_module("xlwings")
    except Exception:  # no VBA project, or not a readable one: nothing to compare
        return None
    match = re.search(r'XLWINGS_VERSION As String = "([^"]+)"', source or "")
    return match.group(1) if match else None


def read_conf(path: str | Path) -> dict[str, str]:
    """The hidden xlwings.conf sheet of a closed workbook: setting -> value ({} when there is none)."""
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception:
        return {}
    try:
        if xlsm.CONF_SHEET not in book.sheet_names:
            return {}
        rows = book.get_sheet_by_name(xlsm.CONF_SHEET).to_python()
    finally:
        book.close()
    return {str(row[0]).strip(): str(row[1]).strip() for row in rows if len(row) >= 2 and str(row[0]).strip()}


def _looks_like_path(value: str) -> bool:
    return "\\" in value or "/" in value


def conf_problems(conf: dict[str, str], platform: str = sys.platform,
                  exists: Callable[[str], bool] = os.path.exists,
                  which: Callable[[str], str | None] = shutil.which) -> list[Problem]:
    """What in xlwings.conf does not fit this PC (the workbook moved to another PC)."""
    if not conf:
        return []
    problems = []
    key = "INTERPRETER_MAC" if platform == "darwin" else "INTERPRETER_WIN"
    interpreter = conf.get(key, "")
    if interpreter and platform in ("win32", "darwin"):
        missing = not exists(interpreter) if _looks_like_path(interpreter) else which(interpreter) is None
        if missing:
            problems.append(Problem(f"台账的 xlwings.conf 表里写的 Python（{interpreter}）在这台电脑上找不到，按钮无法启动。"
                                    "这份台账可能是在另一台电脑上生成的。", f"请先保存并关闭台账，在本机的程序文件夹运行：{REPAIR}"))
    folder = conf.get("PYTHONPATH", "")
    if folder and not exists(os.path.join(folder, "macros", "__init__.py")):
        problems.append(Problem(f"台账的 xlwings.conf 表里写的程序文件夹（{folder}）在这台电脑上找不到。"
                                "这份台账可能是从另一台电脑复制来的，或程序文件夹被移动了。",
                                f"请先保存并关闭台账，在本机的程序文件夹运行：{REPAIR}"))
    if conf.get("USE UDF SERVER", "").lower() == "true":
        problems.append(Problem("台账的 xlwings.conf 表里设置了 USE UDF SERVER，按钮就要求 Python 与 Excel 的位数（32/64 位）一致。",
                                f"请删除这一行，或运行：{REPAIR}", blocking=False))
    return problems


def workbook_problems(path: str | Path, installed: str | None = None, platform: str = sys.platform) -> list[Problem]:
    """Every first-run problem of a closed .xlsm on this PC."""
    if not xlsm.is_macro_enabled(path):
        return []
    found = conf_problems(read_conf(path), platform)
    version = vba_version(module_version(path), installed or installed_xlwings())
    if platform == "darwin":
        found += [p for p in [applescript_problem(module_version(path) or installed or installed_xlwings())] if p]
    return ([version] if version else []) + found


# --- which program answers to "Excel.Application" ---------------------------------------------------------

def registry_value(key: str) -> str | None:
    """A default value under HKEY_CLASSES_ROOT, in the 64-bit view, then the 32-bit one (Windows only)."""
    import winreg

    for view in (winreg.KEY_WOW64_64KEY, winreg.KEY_WOW64_32KEY):
        try:
            with winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, key, 0, winreg.KEY_READ | view) as handle:
                value, _ = winreg.QueryValueEx(handle, "")
                if value:
                    return str(value)
        except OSError:
            continue
    return None


def com_server(read: Callable[[str], str | None] = registry_value) -> str | None:
    """The program registered to start for `Excel.Application` (None: not registered)."""
    clsid = read(r"Excel.Application\CLSID")
    return read(rf"CLSID\{clsid}\LocalServer32") if clsid else None


def excel_status(platform: str = sys.platform, read: Callable[[str], str | None] | None = None,
                 mac_apps: Path = Path("/Applications")) -> str:
    """"excel" when Microsoft Excel can be driven here; "wps" when WPS took over its registration; "none"."""
    if platform == "darwin":
        return "excel" if (mac_apps / "Microsoft Excel.app").exists() else "none"
    if platform != "win32":
        return "none"
    server = com_server(read or registry_value)
    if not server:
        return "none"
    lowered = server.lower()
    if "excel.exe" in lowered:
        return "excel"
    return "wps" if any(mark in lowered for mark in ("wps", "et.exe", "ksolaunch", "kingsoft")) else "none"


def excel_problem(status: str) -> Problem | None:
    if status == "wps":
        return Problem(*WPS_TOOK_OVER)
    if status == "none":
        return Problem(NO_EXCEL, "")
    return None


def applescript_problem(version: str, home: Path | None = None) -> Problem | None:
    """macOS: xlwings' AppleScript file that lets the sandboxed Excel start Python."""
    home = home or Path.home()
    script = home / "Library" / "Application Scripts" / "com.microsoft.Excel" / f"xlwings-{version}.applescript"
    if script.exists():
        return None
    return Problem(f"这台 Mac 上缺少 xlwings 的 AppleScript 文件（{script.name}），Excel 无法启动 Python。",
                   f"请在终端运行：xlwings runpython install；如果台账是在别的电脑上生成的，再运行：{REPAIR}")
