"""Which Python runs the program: the environment the README sets up, and a guard for any other.

The README's first command makes a virtual environment `.venv` in the program folder and installs
requirements.txt into it, because Debian 12 and Ubuntu 23.04 and later refuse `pip install` into
the system's Python (PEP 668). Whatever `init` writes down for later (the double-click launchers,
the interpreter in the workbook's `xlwings.conf` sheet) must name a Python that has the packages:
the running one when it runs in a virtual environment; else the program folder's `.venv` when it
has one; else the running one (it has the packages, or `init` could not have run).

`require_packages()` runs before the entry points import any third-party package: a Python without
them (the system's, typed by habit) gets one Chinese message naming the command to use instead,
not an `ImportError` traceback. It only looks for the packages (`importlib.util.find_spec`), it
imports nothing. Everything here is the standard library, and this module's syntax stays old enough
for an old Python to reach the version check.

Limits: the environment's Python is trusted to hold what requirements.txt lists; a `.venv` whose
installation broke half-way is not noticed until a package is missing, and then the guard says so.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PROGRAM_DIR = Path(__file__).resolve().parents[1]
VENV = ".venv"
MINIMUM = (3, 11)
EXIT_CANNOT_RUN = 2  # workbook.errors.EXIT_CANNOT_RUN; not imported, so the guard loads nothing of ours
# Each distribution in requirements.txt and the module it installs (tests/test_interpreter.py keeps them equal).
REQUIRED = {
    "openpyxl": "openpyxl", "XlsxWriter": "xlsxwriter", "python-calamine": "python_calamine",
    "olefile": "olefile", "chinesecalendar": "chinese_calendar", "icalendar": "icalendar",
    "filelock": "filelock", "schedule": "schedule", "xlwings": "xlwings", "matplotlib": "matplotlib",
    "tqdm": "tqdm", "pyOpenVBA": "pyopenvba", "pandas": "pandas",
}


@dataclass(frozen=True)
class Host:
    """The running Python and where the program lives; tests pass their own instead of patching `sys`."""

    platform: str
    executable: str
    prefix: str
    base_prefix: str
    program_dir: Path = PROGRAM_DIR

    @classmethod
    def current(cls) -> "Host":
        return cls(sys.platform, sys.executable or "", sys.prefix, sys.base_prefix, PROGRAM_DIR)

    @property
    def windows(self) -> bool:
        return self.platform == "win32"

    @property
    def in_venv(self) -> bool:
        return self.prefix != self.base_prefix


def venv_python(host: Host, windowed: bool = False) -> Path | None:
    """The program folder's `.venv` Python if that environment exists (`pythonw.exe` when windowed, on Windows)."""
    folder = host.program_dir / VENV
    if host.windows:
        candidates = [folder / "Scripts" / ("pythonw.exe" if windowed else "python.exe"), folder / "Scripts" / "python.exe"]
    else:
        candidates = [folder / "bin" / "python", folder / "bin" / "python3"]
    return next((path for path in candidates if path.is_file()), None)


def program_python(host: Host | None = None, windowed: bool = False) -> str:
    """The Python that has the program's packages, as a path to write into a launcher or xlwings.conf.

    `windowed` asks for Windows' console-less `pythonw.exe` beside it, where there is one (for Excel's
    buttons); elsewhere it changes nothing. The running interpreter's path is kept as it is, never
    resolved: a venv's `bin/python` is a symlink to the base Python, which lacks the packages.
    """
    host = host or Host.current()
    if host.in_venv or not (found := venv_python(host, windowed)):
        running = Path(host.executable) if host.executable else None
        if running and windowed and host.windows and (quiet := running.with_name("pythonw.exe")).is_file():
            return str(quiet)
        return host.executable or "python"
    return str(found)


def xlwings_interpreters(host: Host | None = None) -> tuple[str, str]:
    """INTERPRETER_WIN and INTERPRETER_MAC for the xlwings.conf sheet.

    Only the platform `init` runs on can be named by path; the other keeps xlwings' own default name
    (`pythonw` on Windows, `python3` on a Mac), found on that computer's PATH. xlwings checks that a
    path it is given exists and runs it with the console hidden, so Windows gets `pythonw.exe`.
    """
    host = host or Host.current()
    win = program_python(host, windowed=True) if host.windows else "pythonw"
    mac = program_python(host) if host.platform == "darwin" else "python3"
    return win, mac


def missing_packages() -> list[str]:
    """The distributions of requirements.txt whose module this Python cannot find."""
    return [dist for dist, module in REQUIRED.items() if importlib.util.find_spec(module) is None]


def require_packages(argv: list[str] | None = None, host: Host | None = None) -> None:
    """Stop with one Chinese message when this Python is too old or lacks the packages; else do nothing."""
    problem = setup_problem(missing_packages() if sys.version_info >= MINIMUM else [], sys.version_info[:3],
                            sys.argv if argv is None else argv, host or Host.current())
    if problem:
        print(problem, file=sys.stderr)
        raise SystemExit(EXIT_CANNOT_RUN)


def setup_problem(missing: list[str], version: tuple[int, ...], argv: list[str], host: Host) -> str:
    """What to tell a user whose Python cannot run the program ("" when it can)."""
    this = f"这个 Python（{host.executable or 'python'}，版本 {'.'.join(map(str, version))}）"
    if tuple(version[:2]) < MINIMUM:
        return (f"{this}太旧，本程序需要 Python {MINIMUM[0]}.{MINIMUM[1]} 或更新版本。"
                "请安装新版本（Windows 从 python.org 下载），再按 README 的第一条命令建好环境。")
    if not missing:
        return ""
    names = "、".join(missing[:3]) + (f" 等 {len(missing)} 个" if len(missing) > 3 else "")
    head = f"{this}里没有装本程序需要的软件包（缺少 {names}）。"
    found = venv_python(host)
    if found and not host.in_venv:
        command = shown_command(argv, found, host)
        instead = f"请改用它运行：\n  {command}" if command else f"请改用它运行：{found}"
        return head + f"程序文件夹里已经建好了环境 {found.parent.parent}，" + instead
    return (head + f"请在程序文件夹 {host.program_dir} 里运行 README 的第一条命令，建好环境并装上软件包：\n  "
            + setup_command(host))


def setup_command(host: Host) -> str:
    """The README's first command's setup part, for this platform."""
    if host.windows:
        return rf"py -m venv {VENV} && {VENV}\Scripts\python -m pip install -r requirements.txt"
    return f"python3 -m venv {VENV} && {VENV}/bin/python -m pip install -r requirements.txt"


def shown_command(argv: list[str], python: Path, host: Host) -> str:
    """The command the user just typed, with `python` in place of the interpreter ("" if not a script)."""
    script = argv[0] if argv else ""
    if Path(script).name == "__main__.py":
        head = ["-m", Path(script).parent.name]
    elif script.endswith(".py"):
        head = [script]
    else:
        return ""
    return join_command([_as_typed(python), *head, *argv[1:]], host)


def invocation(script: str, *args: str, host: Host | None = None) -> str:
    """How to run `script` (e.g. "sync.py") with `args` in this environment, for the hints the program prints.

    Plain `python` where there is no environment (the README's wording), else the path of the
    environment's Python; the script's path too, both relative to the current folder where they lie in it.
    """
    host = host or Host.current()
    program = _as_typed(host.program_dir / script)
    if not host.in_venv and not venv_python(host):
        return join_command(["python", program, *args], host)
    return join_command([_as_typed(Path(program_python(host))), program, *args], host)


def _as_typed(python: Path) -> str:
    """A path relative to the current folder when it lies inside it (`.venv/bin/python`), else as it is."""
    try:
        return str(python.relative_to(Path.cwd()))
    except ValueError:
        return str(python)


def join_command(words: list[str], host: Host) -> str:
    """Words joined for the user's shell: quoted only where the shell needs it (Chinese names stay readable)."""
    if host.windows:
        return subprocess.list2cmdline(words)
    return " ".join(word if re.fullmatch(r"[\w@%+=:,./-]+", word) else shlex.quote(word) for word in words)

