"""The README documents every command; its two commands make and use `.venv`; CI runs the test command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import reports
import sync
from workbook import xlsm

from readme_commands import DEMO, POSIX, TEST, WINDOWS, section, setup_commands

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = setup_commands(ROOT)


@pytest.mark.parametrize("command", sorted(sync.COMMANDS))
def test_every_sync_command_is_documented(command):
    assert re.search(rf"python3? sync\.py {command}\b", README), f"README does not show `python sync.py {command}`"
    assert sync.COMMANDS[command].help


@pytest.mark.parametrize("command", sorted(reports.COMMANDS))
def test_every_reports_command_is_documented(command):
    shown = r"路径" if command == reports.REPORT else command  # the default command is `reports.py PATH`
    assert re.search(rf"python3? reports\.py {shown}\b", README), f"README does not show `python reports.py {shown}`"


@pytest.mark.parametrize("action", xlsm.ACTIONS, ids=lambda action: action.caption)
def test_every_button_is_documented(action):
    assert f"**{action.caption}**" in README, f"README does not say what the button **{action.caption}** does"


def test_ci_runs_the_readme_test_command_with_the_systems_python():
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert lines[-1] == COMMANDS[TEST, POSIX]  # exactly as written, last, so its exit code is CI's
    before = "\n".join(lines[:-1])
    assert 'exec /usr/bin/python3 "$@"' in before and '>"$system_python/python3"' in before
    assert 'export PATH="$system_python:$PATH"' in before
    assert "python3-venv" in before  # Debian's Python makes no virtual environment without it


def test_readme_demo_command_makes_the_demo():
    assert COMMANDS[DEMO, POSIX].endswith(".venv/bin/python sync.py demo")


@pytest.mark.parametrize("kind", [DEMO, TEST])
def test_readme_commands_make_and_use_the_checkouts_environment(kind):
    steps = COMMANDS[kind, POSIX].split(" && ")
    assert steps[0] == "python3 -m venv .venv"  # reuses .venv when it is there
    assert all(step.startswith(".venv/bin/python ") for step in steps[1:])
    wanted = "requirements.txt" if kind == DEMO else "requirements-dev.txt"
    assert any(step.startswith(".venv/bin/python -m pip install") and step.endswith(f"-r {wanted}") for step in steps)


@pytest.mark.parametrize("kind", [DEMO, TEST])
def test_the_windows_command_is_the_same_steps(kind):
    posix = COMMANDS[kind, POSIX].replace("python3 -m venv", "py -m venv").replace(".venv/bin/python", r".venv\Scripts\python")
    assert COMMANDS[kind, WINDOWS] == posix


def test_readme_says_what_to_install_when_venv_is_missing():
    text = section(README)
    assert "ensurepip is not available" in text and "sudo apt-get install -y python3-venv" in text
