"""The README documents every command, and CI runs the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import reports
import sync
from workbook import xlsm

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


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


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = ci.strip().splitlines()[-1]
    assert "pytest" in test_command
    assert test_command in README


def test_readme_demo_command_exists():
    assert "python3 -m pip install -r requirements.txt && python3 sync.py demo" in README
