"""The README's first command, run as a newcomer on Debian or Ubuntu runs it: a fresh clone, the system's Python.

`python3` is /usr/bin/python3 (first on PATH through a folder holding only a script that execs it), the command is
read from the clone's README and run by bash, once to set up and once more to show it reuses `.venv`.

Slow: it makes a virtual environment and installs requirements.txt from the package index (about a
minute with pip's cache). It runs in CI (`.ci/run` sets WORKBENCH_SETUP_TEST=1; CI=true does too) and
is skipped elsewhere unless WORKBENCH_SETUP_TEST=1. It clones the committed HEAD: edits not yet
committed are not in the clone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import python_calamine
import pytest

from workbook import errors

from readme_commands import DEMO, POSIX, setup_commands

ROOT = Path(__file__).resolve().parents[1]
SYSTEM_PYTHON = Path("/usr/bin/python3")
DEMO_BOOK = Path("demo") / "党建工作台账-示例.xlsx"
WANTED = os.environ.get("WORKBENCH_SETUP_TEST", "1" if os.environ.get("CI") else "0") == "1"

pytestmark = [
    pytest.mark.readme_setup,
    pytest.mark.skipif(not WANTED, reason="slow (makes a venv, installs from PyPI): set WORKBENCH_SETUP_TEST=1 to run"),
    pytest.mark.skipif(not SYSTEM_PYTHON.is_file(), reason="no system Python at /usr/bin/python3"),
    pytest.mark.skipif(not (ROOT / ".git").exists() or not shutil.which("git"), reason="not a git checkout"),
]


def run_readme(command: str, clone: Path, bin_dir: Path) -> subprocess.CompletedProcess:
    """`command` in bash in `clone`, with the system's python3 first on PATH and no environment of ours leaking in."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(["bash", "-c", command], cwd=clone, env=env, capture_output=True, text=True, timeout=1200)


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("newcomer") / "党建台账"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True, timeout=120)
    assert not (target / ".venv").exists()
    return target


@pytest.fixture(scope="module")
def bin_dir(tmp_path_factory) -> Path:
    """A folder whose `python3` is the system's: a script that execs it, as .ci/run makes (a symlink would
    become the environment's home)."""
    folder = tmp_path_factory.mktemp("system-bin")
    script = folder / "python3"
    script.write_text(f'#!/bin/sh\nexec {SYSTEM_PYTHON} "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return folder


@pytest.fixture(scope="module")
def first_run(clone, bin_dir) -> subprocess.CompletedProcess:
    return run_readme(setup_commands(clone)[DEMO, POSIX], clone, bin_dir)


def test_the_first_command_makes_the_demo_with_the_systems_python(first_run, clone):
    output = first_run.stdout + first_run.stderr
    assert "Traceback" not in output and "externally-managed-environment" not in output
    assert first_run.returncode == errors.EXIT_FINDINGS, output[-3000:]  # the demo's deliberate mistakes
    assert f"已生成示例总台账：{DEMO_BOOK}" in first_run.stdout
    assert "已写入“党建工作台账-示例.xlsx”" in first_run.stdout
    sheets = python_calamine.CalamineWorkbook.from_path(str(clone / DEMO_BOOK)).sheet_names
    assert {"校验结果", "个人积分", "小组积分", "活动日历"} <= set(sheets)
    config = (clone / ".venv" / "pyvenv.cfg").read_text(encoding="utf-8").splitlines()
    assert f"home = {SYSTEM_PYTHON.parent}" in config  # the environment was made by the system's Python


def test_running_the_first_command_again_reuses_the_environment(first_run, clone, bin_dir):
    marker = clone / ".venv" / "kept-by-a-second-run"
    marker.write_text("", encoding="utf-8")
    again = run_readme(setup_commands(clone)[DEMO, POSIX], clone, bin_dir)
    output = again.stdout + again.stderr
    assert "Traceback" not in output and again.returncode == errors.EXIT_FINDINGS, output[-3000:]
    assert marker.exists()
    assert "Requirement already satisfied: XlsxWriter" in again.stdout
    assert "Successfully installed" not in again.stdout  # nothing installed twice
