"""The README's two commands, read from its 两条命令 section, for the tests that check and run them.

The section holds four fenced one-line blocks: the demo and the test command, each for
Linux/macOS and for Windows. Tests take the commands from here rather than typing them again,
so what they check and run is what a newcomer reads. Test code only.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## 两条命令"
POSIX, WINDOWS = "posix", "windows"
DEMO, TEST = "demo", "test"


def section(readme: str) -> str:
    """The text of the 两条命令 section, up to the next level-2 heading."""
    start = readme.index(SECTION) + len(SECTION)
    end = readme.find("\n## ", start)
    return readme[start:] if end < 0 else readme[start:end]


def setup_commands(root: Path = ROOT) -> dict[tuple[str, str], str]:
    """(DEMO | TEST, POSIX | WINDOWS) -> the one-line command, from `root`'s README.md."""
    blocks = re.findall(r"^```\n(.*?)\n```$", section((root / "README.md").read_text(encoding="utf-8")), re.M | re.S)
    commands = {}
    for block in blocks:
        assert "\n" not in block, f"a README command is more than one line: {block!r}"
        kind = DEMO if block.endswith("sync.py demo") else TEST if "pytest" in block else None
        system = WINDOWS if "\\Scripts\\" in block else POSIX
        assert kind and (kind, system) not in commands, f"unexpected block in {SECTION}: {block!r}"
        commands[kind, system] = block
    assert len(commands) == 4, f"{SECTION} should hold 4 commands, found {sorted(commands)}"
    return commands
