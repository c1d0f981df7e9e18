"""Safety around writing the master workbook: never behind Excel's back, never half-written.

`safe_replace` is the one way the master is rewritten:

1. refuse if the workbook is open in Excel or WPS (errors.WorkbookOpen);
2. take a file lock `备份/<workbook>.lock`, so two refreshes never interleave (errors.WorkbookBusy);
3. copy the workbook into `备份/` next to it, keeping the newest `keep` copies;
4. write the new file beside the old one under a temporary name, fsync it, verify it;
5. atomically replace the old file with `os.replace`.

Any failure before step 5 removes the temporary file and leaves the original untouched.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import filelock

from workbook import errors

BACKUP_DIR = "备份"
TEMP_PREFIX = "~workbench-"
LOCK_TIMEOUT = 10.0  # seconds to wait for another refresh of the same workbook
STAMP_FORMAT = "%Y%m%d-%H%M%S"

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class SafeWrite:
    """The outcome of `safe_replace`: the backup taken and what write_fn returned."""

    backup: Path
    result: Any


def owner_files(path: str | Path) -> list[Path]:
    """The lock files Office programs leave next to an open workbook.

    Excel and WPS write "~$" + the file name; Word-style owner files replace the first
    two characters of a long name instead ("~$" + name[2:], checked when the stem has more
    than two characters); LibreOffice writes
    ".~lock.<name>#". All three are accepted.
    """
    path = Path(path)
    name = path.name
    candidates = {f"~${name}", f".~lock.{name}#"}
    if len(path.stem) > 2:
        candidates.add(f"~${name[2:]}")
    return [path.with_name(candidate) for candidate in sorted(candidates)]


def is_open_elsewhere(path: str | Path) -> bool:
    """True if an owner file exists next to the workbook, or (Windows) it is locked by another program.

    A stale owner file left by a crashed Excel also counts; deleting it fixes that.
    """
    if any(owner.exists() for owner in owner_files(path)):
        return True
    return os.name == "nt" and Path(path).is_file() and _locked_on_windows(Path(path))


def _locked_on_windows(path: Path) -> bool:
    """Windows only: Excel opens a workbook denying writes, so opening it for writing fails."""
    try:
        with open(path, "r+b"):
            return False
    except PermissionError:
        return True


def backup_path(path: Path, now: dt.datetime) -> Path:
    """`备份/<stem>_YYYYMMDD-HHMMSS<ext>` next to the workbook, numbered if that name is taken."""
    folder = path.parent / BACKUP_DIR
    stamp = now.strftime(STAMP_FORMAT)
    candidate = folder / f"{path.stem}_{stamp}{path.suffix}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{path.stem}_{stamp}-{number}{path.suffix}"
        number += 1
    return candidate


def backups_of(path: str | Path) -> list[Path]:
    """Existing backups of a workbook, oldest first (by the time in the name)."""
    path = Path(path)
    pattern = re.compile(rf"^{re.escape(path.stem)}_(\d{{8}}-\d{{6}})(?:-(\d+))?{re.escape(path.suffix)}$")
    found = []
    for candidate in (path.parent / BACKUP_DIR).glob("*"):
        match = pattern.match(candidate.name)
        if match and candidate.is_file():
            found.append((match.group(1), int(match.group(2) or 1), candidate))
    return [item[2] for item in sorted(found)]


def backup(path: str | Path, keep: int, now: dt.datetime | None = None) -> Path:
    """Copy the workbook into `备份/` and prune to the newest `keep` copies (at least 1)."""
    path = Path(path)
    target = backup_path(path, now or dt.datetime.now())
    target.parent.mkdir(exist_ok=True)
    shutil.copy2(path, target)
    for old in backups_of(path)[: -max(keep, 1)]:
        old.unlink()
    return target


@contextmanager
def workbook_lock(path: str | Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold `备份/<name>.lock` while writing; errors.WorkbookBusy if another writer keeps it.

    The lock file lives in the backup folder, out of the staff's way beside the workbook.
    """
    path = Path(path)
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    lock = filelock.FileLock(str(folder / f"{path.name}.lock"), timeout=timeout)
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        raise errors.WorkbookBusy(path) from exc
    try:
        yield
    finally:
        lock.release()


def temp_path(path: Path) -> Path:
    """A temporary name beside the workbook, same folder so os.replace is atomic.

    It starts with "~workbench-", never "~$" (which Excel reads as an owner file).
    """
    return path.with_name(f"{TEMP_PREFIX}{path.stem}-{uuid.uuid4().hex[:12]}{path.suffix}")


def remove_stale_temps(path: Path) -> list[Path]:
    """Temporary files a killed write of this workbook left behind; call only holding its lock."""
    ours = re.compile(rf"^{re.escape(TEMP_PREFIX + path.stem)}-[0-9a-f]{{12}}{re.escape(path.suffix)}$")
    stale = [p for p in path.parent.iterdir() if ours.match(p.name)]
    for leftover in stale:
        leftover.unlink(missing_ok=True)
    return stale


def _fsync(path: Path) -> None:
    """Flush a written file to disk."""
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    """Flush a folder entry (POSIX); Windows cannot open folders, and needs no such step."""
    if os.name == "nt":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _check_target(path: Path) -> None:
    if not path.exists():
        raise errors.NoSuchFile(path)
    if path.is_dir():
        raise errors.NotAFile(path)
    if is_open_elsewhere(path):
        raise errors.WorkbookOpen(path)


def _write_and_verify(path: Path, new: Path, write_fn: Callable[[Path], Any], verify_fn: Callable[[Path], Any]) -> Any:
    """Write the new file, flush it, and check it; errors.WriteFailed if the check fails."""
    try:
        result = write_fn(new)
        _fsync(new)
    except OSError as exc:
        raise errors.WriteFailed(path, errors.os_reason(exc), errors.technical(exc)) from exc
    try:
        verdict = verify_fn(new)
    except errors.WriteFailed:
        raise
    except Exception as exc:  # any exception of the check means the file is not trusted
        raise errors.WriteFailed(path, "新文件核对未通过", errors.technical(exc)) from exc
    if verdict is False:
        raise errors.WriteFailed(path, "新文件核对未通过", "verification returned False")
    return result


def _replace(new: Path, path: Path) -> None:
    """Move the new file over the old one; a sharing violation means someone opened it."""
    try:
        os.replace(new, path)
    except PermissionError as exc:
        raise errors.WorkbookOpen(path) from exc
    except OSError as exc:
        raise errors.WriteFailed(path, errors.os_reason(exc), errors.technical(exc)) from exc
    _fsync_dir(path.parent)


def safe_replace(
    src_path: str | Path,
    write_fn: Callable[[Path], Any],
    verify_fn: Callable[[Path], Any],
    keep: int = 20,
    now: dt.datetime | Clock | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
) -> SafeWrite:
    """Rewrite a workbook safely; return the backup taken and write_fn's result.

    `write_fn(new_path)` writes the new workbook (reading the current one itself);
    `verify_fn(new_path)` re-opens and checks it, raising or returning False on failure.
    `now` is a datetime or a clock for the backup name (default: the system clock).
    """
    path = Path(src_path)
    _check_target(path)
    with workbook_lock(path, lock_timeout):
        _check_target(path)
        stamp = now() if callable(now) else now
        remove_stale_temps(path)
        saved = backup(path, keep, stamp)
        new = temp_path(path)
        try:
            result = _write_and_verify(path, new, write_fn, verify_fn)
            shutil.copymode(path, new)
            _replace(new, path)
        finally:
            new.unlink(missing_ok=True)
    return SafeWrite(saved, result)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write a small file beside its final name, flush it, then move it into place."""
    path = Path(path)
    new = temp_path(path)
    try:
        new.write_bytes(data)
        _fsync(new)
        os.replace(new, path)
    finally:
        new.unlink(missing_ok=True)
    return path
