"""Double-click launchers next to the workbook, for PCs where the Excel buttons cannot run.

WPS, LibreOffice, or a PC without Excel cannot run xlwings' buttons, so `init` writes small
scripts beside the workbook that run the same actions on the closed file: `刷新.cmd`,
`校验.cmd`, `日历.cmd`, `生成报表.cmd` for Windows (saved in the Chinese Windows code page,
GBK, so cmd.exe reads the names right), and the same as `.sh` scripts elsewhere. They call
this program by its absolute path, so they work from any folder on the PC `init` ran on.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

PROGRAM_DIR = Path(__file__).resolve().parents[1]
LAUNCHERS = (
    ("刷新", ["sync.py", "refresh"]),
    ("校验", ["sync.py", "validate"]),
    ("日历", ["sync.py", "calendar"]),
    ("生成报表", ["reports.py"]),
)


def _python() -> str:
    return sys.executable or "python"


def cmd_script(workbook: Path, script: str, command: str) -> str:
    """A Windows batch file; made on Windows it names this Python and this program exactly."""
    python = f'"{_python()}"' if sys.platform == "win32" else "python"
    program = str(PROGRAM_DIR / script) if sys.platform == "win32" else script
    lines = [
        "@echo off",
        f"rem 党建工作台账：双击运行。请先在 Excel/WPS 中保存并关闭“{workbook.name}”。",
        'cd /d "%~dp0"',
        f'{python} "{program}" {command} "%~dp0{workbook.name}"',
        "pause",
    ]
    return "\r\n".join(lines) + "\r\n"


def sh_script(workbook: Path, script: str, command: str) -> str:
    return "\n".join([
        "#!/bin/sh",
        f"# 党建工作台账：请先保存并关闭“{workbook.name}”再运行。",
        'cd "$(dirname "$0")"',
        f'"{_python()}" "{PROGRAM_DIR / script}" {command} "./{workbook.name}"',
        'printf "按回车键关闭…"; read _',
        "",
    ])


def write_launchers(workbook: str | Path) -> list[Path]:
    """The launchers beside `workbook`; returns their paths."""
    workbook = Path(workbook)
    written = []
    for name, (script, *command) in LAUNCHERS:
        command_text = " ".join(command)
        cmd = workbook.parent / f"{name}.cmd"
        text = cmd_script(workbook, script, command_text)
        try:
            cmd.write_bytes(text.encode("gbk"))
        except UnicodeEncodeError:
            cmd.write_bytes(("@chcp 65001 >nul\r\n" + text).encode("utf-8"))
        written.append(cmd)
        if sys.platform != "win32":
            sh = workbook.parent / f"{name}.sh"
            sh.write_text(sh_script(workbook, script, command_text), encoding="utf-8")
            sh.chmod(sh.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            written.append(sh)
    return written
