"""Refresh after the workbook was saved and closed: WPS and LibreOffice users' next best thing to a button.

Polling, not the operating system's file events: every `POLL_SECONDS` the watcher looks at the
workbook's size and time stamp and at its owner files (`~$台账.xlsx`, LibreOffice's
`.~lock.台账.xlsx#`). That works the same on a local disk, a network share (where change
notifications are unreliable) and a synced folder, needs no new dependency, and costs an
`os.stat` or four per poll. One poll (`SaveTrigger.due`) answers:

- the workbook is open (an owner file, or on Windows the file locked): not yet; a save while
  it is open does nothing;
- size and time stamp as handled last (our own write, or a save already handled): nothing;
- changed since the previous poll: not yet, let the save settle for one more poll;
- changed, and its content too (SHA-256; a time stamp touched by a sync tool or antivirus is
  no save): due.
The caller refreshes and then marks the file as it is now handled (`mark_handled`), so its own
write never triggers a refresh; it marks it handled after a failed refresh too, so each save
leads to one attempt. Close, then at most two polls: about 6 s.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbook import safety

POLL_SECONDS = 3
SAME_WRITE = dt.timedelta(seconds=1)  # the run log keeps whole seconds


def signature(path: Path) -> tuple[int, int] | None:
    """(time stamp in ns, size); None while the file is missing (a program saving by write-and-rename)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def digest(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


@dataclass
class SaveTrigger:
    """Notices that the workbook at `path` was saved and closed since it was last handled."""

    path: Path
    is_open: Callable[[Path], bool] = safety.is_open_elsewhere
    handled: tuple[int, int] | None = None
    handled_digest: str | None = None
    _seen: tuple[int, int] | None = None

    def mark_handled(self) -> None:
        """The file as it is now needs no refresh (we just wrote it, or just reacted to it)."""
        self.handled, self.handled_digest, self._seen = signature(self.path), digest(self.path), None

    def due(self) -> bool:
        """One poll: True when the workbook was saved and closed since it was last handled."""
        if self.is_open(self.path):
            self._seen = None
            return False
        now = signature(self.path)
        if now is None or now == self.handled:
            self._seen = None
            return False
        if now != self._seen:
            self._seen = now
            return False
        if digest(self.path) == self.handled_digest:  # only the time stamp moved
            self.handled, self._seen = now, None
            return False
        return True

    def saved_after(self, moment: dt.datetime | None) -> bool:
        """Whether the file was written after `moment` (a refresh's time in the run log; None: never)."""
        now = signature(self.path)
        if now is None:
            return False
        return moment is None or dt.datetime.fromtimestamp(now[0] / 1e9) > moment + SAME_WRITE
