"""Which Python `init` writes down, and the guard for a Python without our packages.

A real virtual environment (made without pip; it sees this Python's packages through a `.pth`
file) runs `sync.py init`, and the launchers and the xlwings.conf sheet it wrote are read back.
Windows and macOS are `Host`s with their own folder layouts, built in tmp_path.
"""

from __future__ import annotations

import re
import site
import subprocess
import sys
from pathlib import Path

import python_calamine
import pytest

from services import interpreter
from services.create import build_master, default_data
from services.interpreter import Host, invocation, program_python, setup_problem, xlwings_interpreters
from services.launchers import write_launchers
from workbook import xlsm

ROOT = Path(__file__).resolve().parents[1]
SYNC = ROOT / "sync.py"
BASE = "/usr"  # a base installation's prefix, for hosts outside any environment
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="the environment layout here is Linux/macOS's")


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("", encoding="utf-8")
    return path


def conf(path: Path) -> dict[str, str]:
    return dict(python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(xlsm.CONF_SHEET).to_python())


class Env:
    """A virtual environment at `folder` whose Python is `python`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.python = folder / "bin" / "python"

    def host(self, platform: str = sys.platform) -> Host:
        return Host(platform, str(self.python), str(self.folder), sys.base_prefix, ROOT)


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> Env:
    made = Env(tmp_path_factory.mktemp("environment") / "venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(made.folder)], check=True, timeout=120)
    purelib = subprocess.run([str(made.python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "outer.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    return made


def test_every_requirement_has_its_module_in_the_guard():
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    names = [re.split(r"[~=<>! ]", line.split("#")[0].strip())[0] for line in lines if line.split("#")[0].strip()]
    assert names == list(interpreter.REQUIRED)


@posix_only
def test_init_in_an_environment_names_its_python_in_the_launchers(env, tmp_path):
    book = tmp_path / "党建工作台账.xlsm"
    done = subprocess.run([str(env.python), str(SYNC), "init", str(book), "--branch", "青山镇中心学校党支部"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for name, script, action in (("刷新", "sync.py", "refresh"), ("校验", "sync.py", "validate"), ("生成报表", "reports.py", "")):
        line = f'"{env.python}" "{ROOT / script}" {action} "./党建工作台账.xlsm"'
        assert line in (tmp_path / f"{name}.sh").read_text(encoding="utf-8").splitlines()
    assert f"  {env.python} {SYNC} validate {book}" in done.stdout.splitlines()  # the hint names it too
    assert conf(book)["PYTHONPATH"] == str(ROOT)
    ran = subprocess.run(["sh", str(tmp_path / "刷新.sh")], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                         timeout=300)
    assert "已写入“党建工作台账.xlsm”" in ran.stdout and "Traceback" not in ran.stdout + ran.stderr


@posix_only
def test_xlwings_conf_written_on_a_mac_in_an_environment_names_its_python(env, tmp_path):
    book = build_master(tmp_path / "台账.xlsm", default_data("测试支部", 2026, ["一组"]), host=env.host("darwin"))
    rows = conf(book)
    assert rows["INTERPRETER_MAC"] == str(env.python)
    assert rows["INTERPRETER_WIN"] == "pythonw"  # a Windows PC's path cannot be known on a Mac


def windows_program(tmp_path: Path) -> Path:
    program = tmp_path / "党建台账程序"
    for name in ("python.exe", "pythonw.exe"):
        touch(program / ".venv" / "Scripts" / name)
    return program


def test_on_windows_in_the_environment_the_buttons_use_its_pythonw_and_the_launchers_its_python(tmp_path):
    program = windows_program(tmp_path)
    scripts = program / ".venv" / "Scripts"
    host = Host("win32", str(scripts / "python.exe"), str(program / ".venv"), "C:/Python311", program)
    book = build_master(tmp_path / "台账.xlsm", default_data("测试支部", 2026, ["一组"]), host=host)
    assert conf(book)["INTERPRETER_WIN"] == str(scripts / "pythonw.exe")
    assert conf(book)["INTERPRETER_MAC"] == "python3"
    write_launchers(book, host)
    text = (tmp_path / "刷新.cmd").read_bytes().decode("gbk")
    assert f'"{scripts / "python.exe"}" "{program / "sync.py"}" refresh "%~dp0台账.xlsm"' in text.split("\r\n")
    assert not (tmp_path / "刷新.sh").exists()


def test_on_windows_outside_an_environment_the_programs_venv_is_preferred(tmp_path):
    program = windows_program(tmp_path)
    host = Host("win32", "C:/Python311/python.exe", "C:/Python311", "C:/Python311", program)
    assert program_python(host) == str(program / ".venv" / "Scripts" / "python.exe")
    assert xlwings_interpreters(host) == (str(program / ".venv" / "Scripts" / "pythonw.exe"), "python3")


def test_outside_an_environment_the_launchers_use_the_programs_venv(tmp_path):
    program = tmp_path / "程序"
    venv_python = touch(program / ".venv" / "bin" / "python")
    host = Host("linux", "/usr/bin/python3", BASE, BASE, program)
    write_launchers(tmp_path / "台账.xlsx", host)
    assert f'"{venv_python}" "{program / "sync.py"}" refresh "./台账.xlsx"' in (tmp_path / "刷新.sh").read_text("utf-8")


def test_with_no_environment_anywhere_the_running_python_is_named(tmp_path):
    host = Host("linux", "/opt/python/bin/python3", "/opt/python", "/opt/python", tmp_path)
    assert program_python(host) == "/opt/python/bin/python3"
    assert xlwings_interpreters(host) == ("pythonw", "python3")


def test_a_venvs_python_is_named_as_it_is_not_resolved(env):
    assert env.python.is_symlink()  # to the base Python, which lacks the packages
    assert program_python(env.host("linux")) == str(env.python)


def test_the_hint_after_init_names_the_environment_relative_to_the_current_folder(tmp_path, monkeypatch):
    program = tmp_path / "程序"
    touch(program / ".venv" / "bin" / "python")
    monkeypatch.chdir(program)
    outside = Host("linux", "/usr/bin/python3", BASE, BASE, program)
    assert invocation("sync.py", "validate", "台账 副本.xlsx", host=outside) == ".venv/bin/python sync.py validate '台账 副本.xlsx'"
    monkeypatch.chdir(tmp_path)
    assert invocation("sync.py", host=outside) == "程序/.venv/bin/python 程序/sync.py"


def test_the_hint_without_an_environment_keeps_the_readmes_python(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    host = Host("linux", "/usr/bin/python3", BASE, BASE, tmp_path)
    assert invocation("sync.py", "validate", "台账.xlsx", host=host) == "python sync.py validate 台账.xlsx"


def test_a_python_without_the_packages_is_told_to_use_the_programs_venv(tmp_path, monkeypatch):
    program = tmp_path / "程序"
    touch(program / ".venv" / "bin" / "python")
    monkeypatch.chdir(program)
    host = Host("linux", "/usr/bin/python3", BASE, BASE, program)
    message = setup_problem(["openpyxl", "XlsxWriter", "python-calamine", "olefile"], (3, 11, 2),
                            ["sync.py", "validate", "党建工作台账.xlsx"], host)
    assert message == ("这个 Python（/usr/bin/python3，版本 3.11.2）里没有装本程序需要的软件包（缺少 openpyxl、XlsxWriter、"
                       f"python-calamine 等 4 个）。程序文件夹里已经建好了环境 {program / '.venv'}，请改用它运行：\n"
                       "  .venv/bin/python sync.py validate 党建工作台账.xlsx")


def test_python_m_macros_is_shown_as_a_module_run(tmp_path, monkeypatch):
    program = tmp_path / "程序"
    touch(program / ".venv" / "bin" / "python")
    monkeypatch.chdir(program)
    host = Host("linux", "/usr/bin/python3", BASE, BASE, program)
    message = setup_problem(["xlwings"], (3, 11, 2), [str(program / "macros" / "__main__.py"), "刷新", "台账.xlsm"], host)
    assert message.endswith("\n  .venv/bin/python -m macros 刷新 台账.xlsm")


def test_without_an_environment_the_setup_command_is_given(tmp_path):
    host = Host("win32", r"C:\Python311\python.exe", r"C:\Python311", r"C:\Python311", tmp_path)
    message = setup_problem(["xlwings"], (3, 12, 1), ["sync.py", "demo"], host)
    assert message == (r"这个 Python（C:\Python311\python.exe，版本 3.12.1）里没有装本程序需要的软件包（缺少 xlwings）。"
                       f"请在程序文件夹 {tmp_path} 里运行 README 的第一条命令，建好环境并装上软件包：\n"
                       r"  py -m venv .venv && .venv\Scripts\python -m pip install -r requirements.txt")


def test_too_old_a_python_is_told_the_version_needed(tmp_path):
    host = Host("linux", "/usr/bin/python3", BASE, BASE, tmp_path)
    assert setup_problem([], (3, 9, 2), ["sync.py", "demo"], host).startswith(
        "这个 Python（/usr/bin/python3，版本 3.9.2）太旧，本程序需要 Python 3.11 或更新版本。")
    assert setup_problem([], (3, 11, 2), ["sync.py", "demo"], host) == ""


@pytest.mark.parametrize("entry", [["sync.py", "validate", "台账.xlsx"], ["reports.py", "台账.xlsx"], ["-m", "macros", "刷新", "台账.xlsm"]])
def test_every_entry_point_stops_with_one_chinese_message_on_a_python_without_site_packages(entry, tmp_path):
    argv = [str(ROOT / entry[0]), *entry[1:]] if entry[0].endswith(".py") else entry
    done = subprocess.run([sys.executable, "-S", *argv], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2
    assert "里没有装本程序需要的软件包" in done.stderr and "Traceback" not in done.stderr + done.stdout
