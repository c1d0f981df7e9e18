"""The README documents every command, and CI runs the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

import sync

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_sync_command_is_documented():
    for command in sync.COMMANDS:
        assert re.search(rf"python3? sync\.py {command}\b", README), f"README does not show `python sync.py {command}`"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = ci.strip().splitlines()[-1]
    assert "pytest" in test_command
    assert test_command in README


def test_readme_demo_command_exists():
    assert "python3 -m pip install -r requirements.txt && python3 sync.py demo" in README
