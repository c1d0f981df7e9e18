"""Double-click launchers next to the workbook, for PCs where the Excel buttons cannot run.

WPS, LibreOffice, or a PC without Excel cannot run xlwings' buttons, so `init` writes small
scripts beside the workbook that run the same actions on the closed file: `刷新.cmd`,
`校验.cmd`, `日历.cmd`, `生成报表.cmd` for Windows (saved in the Chinese Windows code page,
GBK, so cmd.exe reads the names right), and the same as `.sh` scripts elsewhere. They call
this program by its absolute path, so they work from any folder on the PC `init` ran on, and
with the Python that has the program's packages (`services/interpreter.py`: the environment
`init` ran in, or the program folder's `.venv`). A `.cmd` made on another system cannot know the
Windows PC's paths and says `python` and a relative `sync.py`.
"""

from __future__ import annotations

import stat
from pathlib import Path

from services.interpreter import Host, program_python

LAUNCHERS = (
    ("刷新", ["sync.py", "refresh"]),
    ("校验", ["sync.py", "validate"]),
    ("日历", ["sync.py", "calendar"]),
    ("生成报表", ["reports.py"]),
)


def cmd_script(workbook: Path, script: str, command: str, host: Host) -> str:
    """A Windows batch file; made on Windows it names the environment's Python and this program exactly."""
    python = f'"{program_python(host)}"' if host.windows else "python"
    program = str(host.program_dir / script) if host.windows else script
    lines = [
        "@echo off",
        f"rem 党建工作台账：双击运行。请先在 Excel/WPS 中保存并关闭“{workbook.name}”。",
        'cd /d "%~dp0"',
        f'{python} "{program}" {command} "%~dp0{workbook.name}"',
        "pause",
    ]
    return "\r\n".join(lines) + "\r\n"


def sh_script(workbook: Path, script: str, command: str, host: Host) -> str:
    """A shell script naming the environment's Python and this program by their paths."""
    return "\n".join([
        "#!/bin/sh",
        f"# 党建工作台账：请先保存并关闭“{workbook.name}”再运行。",
        'cd "$(dirname "$0")"',
        f'"{program_python(host)}" "{host.program_dir / script}" {command} "./{workbook.name}"',
        'printf "按回车键关闭…"; read _',
        "",
    ])


def write_launchers(workbook: str | Path, host: Host | None = None) -> list[Path]:
    """The launchers beside `workbook`; returns their paths. `host` is the running Python unless given."""
    workbook, host = Path(workbook), host or Host.current()
    written = []
    for name, (script, *command) in LAUNCHERS:
        command_text = " ".join(command)
        cmd = workbook.parent / f"{name}.cmd"
        text = cmd_script(workbook, script, command_text, host)
        try:
            cmd.write_bytes(text.encode("gbk"))
        except UnicodeEncodeError:
            cmd.write_bytes(("@chcp 65001 >nul\r\n" + text).encode("utf-8"))
        written.append(cmd)
        if not host.windows:
            sh = workbook.parent / f"{name}.sh"
            sh.write_text(sh_script(workbook, script, command_text, host), encoding="utf-8")
            sh.chmod(sh.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            written.append(sh)
    return written
