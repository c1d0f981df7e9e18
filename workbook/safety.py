"""Safety around writing the master workbook: never behind Excel's back, never half-written.

`safe_replace` is the one way the master is rewritten:

1. refuse if the workbook is open in Excel or WPS (errors.WorkbookOpen), or if the file
   system would refuse a step later (`preflight`: a read-only file or folder, a file named
   备份, a lock that cannot be made, a name too long for the backup's name);
2. take a file lock `备份/<workbook>.lock`, so two refreshes never interleave (errors.WorkbookBusy);
3. copy the workbook into `备份/` next to it and check the copy byte for byte; a copy that
   is not complete is removed and never counts (errors.BackupFailed);
4. write the new file beside the old one under a temporary name, fsync it, verify it;
5. atomically replace the old file with `os.replace`; then prune the backups to the newest
   `keep` (only complete workbooks count).

Any failure before step 5 removes the temporary file and the backup just taken and leaves
the original untouched. Every error of the file system becomes its own Chinese message
(`_stage`), by what the system said: no room, no permission, a name too long.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import logging
import os
import re
import shutil
import stat
import uuid
import zipfile
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
NAME_MAX = 255  # bytes of one file name on the file systems we meet (ext4, NTFS counts 255 UTF-16 units)
SHARING_VIOLATIONS = (32, 33)  # Windows: the file is open in another program (ERROR_SHARING/LOCK_VIOLATION)
log = logging.getLogger("workbench.safety")

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
    """Windows only: Excel opens a workbook denying writes, so opening it for writing fails.

    A read-only file fails the same way; it is not "open elsewhere" (`preflight` says so).
    """
    try:
        with open(path, "r+b"):
            return False
    except PermissionError as exc:
        return in_use(exc, path)


def is_read_only(path: Path) -> bool:
    """The file's own write permission is off (chmod 444, or the Windows read-only attribute)."""
    return not path.stat().st_mode & stat.S_IWUSR


def in_use(exc: OSError, path: Path) -> bool:
    """Whether a PermissionError means "another program holds the file" (Windows only).

    A sharing violation always does; "access denied" does for a file that is not read-only
    (Windows answers so when a program holds the file open). POSIX has no such locks.
    """
    code = getattr(exc, "winerror", None)
    if code is None:
        return False
    return code in SHARING_VIOLATIONS or (code == 5 and path.is_file() and not is_read_only(path))


def lock_path(path: Path) -> Path:
    return path.parent / BACKUP_DIR / f"{path.name}.lock"


def preflight(path: Path) -> None:
    """Refuse before the lock and the backup whatever the file system would refuse later."""
    folder, backups, lock = path.parent, path.parent / BACKUP_DIR, lock_path(path)
    if is_read_only(path):
        raise errors.ReadOnlyWorkbook(path)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise errors.FolderNotWritable(folder, "没有写入权限")
    if backups.exists() and not backups.is_dir():
        raise errors.BackupNotAFolder(backups)
    if backups.is_dir() and not os.access(backups, os.W_OK | os.X_OK):
        raise errors.FolderNotWritable(backups, "没有写入权限")
    if lock.is_symlink() or (lock.exists() and not lock.is_file()):
        raise errors.LockFailed(lock, "它是一个快捷方式（符号链接）或文件夹，不是普通文件")
    longest = len(f"{path.stem}_{'0' * 15}-99{path.suffix}".encode("utf-8"))  # a backup's name, numbered
    if longest > NAME_MAX:
        raise errors.NameTooLong(path, f"备份的文件名将有 {longest} 字节，最多 {NAME_MAX} 字节")


@contextmanager
def _stage(path: Path, backup: bool = False) -> Iterator[None]:
    """An OSError of the file system as the Chinese message for what the system said."""
    try:
        yield
    except errors.WorkbenchError:
        raise
    except OSError as exc:
        raise _os_error(path, exc, backup) from exc


def _os_error(path: Path, exc: OSError, backup: bool) -> errors.WorkbenchError:
    """The WorkbenchError for one OSError met while writing `path` (or its backup)."""
    detail, technical = errors.os_reason(exc), errors.technical(exc)
    if isinstance(exc, PermissionError) and in_use(exc, path):
        return errors.WorkbookOpen(path, technical=technical)
    if backup and exc.errno not in (errno.ENAMETOOLONG, errno.ELOOP):
        return errors.BackupFailed(path, detail, technical)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return errors.DiskFull(path, detail, technical)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return errors.FolderNotWritable(path.parent, detail, technical)
    if exc.errno == errno.ENAMETOOLONG:
        return errors.NameTooLong(path, detail, technical)
    if exc.errno == errno.ELOOP:
        return errors.LockFailed(lock_path(path), detail, technical)
    return errors.CannotWrite(path, detail, technical)


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
    """Existing backups of a workbook, oldest first (by the time in the name).

    Only complete workbooks count: a file of the right name that is no zip package (a copy
    cut short by a full disk, before backups were checked) is left alone and never counted.
    """
    path = Path(path)
    pattern = re.compile(rf"^{re.escape(path.stem)}_(\d{{8}}-\d{{6}})(?:-(\d+))?{re.escape(path.suffix)}$")
    found = []
    for candidate in (path.parent / BACKUP_DIR).glob("*"):
        match = pattern.match(candidate.name)
        if match and candidate.is_file():
            if not zipfile.is_zipfile(candidate):
                log.warning("not a complete workbook, not counted as a backup: %s", candidate)
                continue
            found.append((match.group(1), int(match.group(2) or 1), candidate))
    return [item[2] for item in sorted(found)]


def take_backup(path: str | Path, now: dt.datetime | None = None) -> Path:
    """Copy the workbook into `备份/` and check the copy byte for byte; errors.BackupFailed if it is not whole.

    The copy is written under a temporary name and gets its backup name only once checked,
    so a copy cut short (a full disk, a pulled USB stick) is removed and never counts.
    """
    path = Path(path)
    target = backup_path(path, now or dt.datetime.now())
    partial = temp_path(target.parent / path.name)  # short whatever the name; never counted as a backup
    with _stage(path, backup=True):
        target.parent.mkdir(exist_ok=True)
        try:
            shutil.copyfile(path, partial)
            shutil.copystat(path, partial)
            _fsync(partial)
            if _digest(partial) != _digest(path):
                raise errors.BackupFailed(path, "备份与原文件不一致", f"backup {partial} differs from {path}")
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        _fsync_dir(target.parent)
    return target


def _digest(path: Path) -> tuple[int, str]:
    """(size, sha-256) of a file's bytes."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return path.stat().st_size, sha.hexdigest()


def prune_backups(path: str | Path, keep: int) -> list[Path]:
    """Remove the oldest complete backups beyond the newest `keep` (at least 1); the removed ones."""
    old = backups_of(path)[: -max(keep, 1)]
    for backup in old:
        backup.unlink(missing_ok=True)
    return old


def backup(path: str | Path, keep: int, now: dt.datetime | None = None) -> Path:
    """Take a checked backup (`take_backup`) and prune to the newest `keep` copies (at least 1)."""
    target = take_backup(path, now)
    prune_backups(path, keep)
    return target


@contextmanager
def workbook_lock(path: str | Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold `备份/<name>.lock` while writing; errors.WorkbookBusy if another writer keeps it.

    The lock file lives in the backup folder, out of the staff's way beside the workbook. A
    lock that cannot be made at all (a dangling link, a folder of that name) is errors.LockFailed.
    """
    path = Path(path)
    lock_file = lock_path(path)
    with _stage(path):
        lock_file.parent.mkdir(exist_ok=True)
    lock = filelock.FileLock(str(lock_file), timeout=timeout)
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        raise errors.WorkbookBusy(path) from exc
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise errors.FolderNotWritable(lock_file.parent, errors.os_reason(exc), errors.technical(exc)) from exc
        raise errors.LockFailed(lock_file, errors.os_reason(exc), errors.technical(exc)) from exc
    try:
        yield
    finally:
        lock.release()


def temp_path(path: Path) -> Path:
    """A temporary name beside the workbook, same folder so os.replace is atomic.

    It starts with "~workbench-", never "~$" (which Excel reads as an owner file), and is
    37 characters long whatever the workbook's name (a hash of the stem, not the stem), so
    a long name never makes it too long.
    """
    return path.with_name(f"{TEMP_PREFIX}{_stem_key(path)}-{uuid.uuid4().hex[:12]}{path.suffix}")


def _stem_key(path: Path) -> str:
    return hashlib.sha1(path.stem.encode("utf-8")).hexdigest()[:8]


def remove_stale_temps(path: Path) -> list[Path]:
    """Temporary files a killed write of this workbook left behind; call only holding its lock.

    Both namings are recognised: the hashed one, and the stem-named one of earlier versions;
    beside the workbook (a new file) and in 备份/ (a backup being copied).
    """
    suffix = re.escape(path.suffix)
    ours = re.compile(rf"^{re.escape(TEMP_PREFIX)}(?:{re.escape(_stem_key(path))}|{re.escape(path.stem)})-[0-9a-f]{{12}}{suffix}$")
    backups = path.parent / BACKUP_DIR
    folders = [path.parent, backups] if backups.is_dir() else [path.parent]  # a backup copy cut short lives there
    stale = [p for folder in folders for p in folder.iterdir() if ours.match(p.name)]
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
    """Write the new file, flush it, and check it; errors.WriteFailed (naming the master) if the check fails."""
    with _stage(path):
        result = write_fn(new)
        _fsync(new)
    try:
        verdict = verify_fn(new)
    except errors.WriteFailed as exc:
        raise errors.WriteFailed(path, exc.detail, exc.technical) from exc  # the file the user knows, not ours
    except Exception as exc:  # any exception of the check means the file is not trusted
        raise errors.WriteFailed(path, "新文件核对未通过", errors.technical(exc)) from exc
    if verdict is False:
        raise errors.WriteFailed(path, "新文件核对未通过", "verification returned False")
    return result


def _replace(new: Path, path: Path) -> None:
    """Move the new file over the old one; a sharing violation means someone opened it."""
    with _stage(path):
        shutil.copymode(path, new)
        os.replace(new, path)
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
    preflight(path)
    with workbook_lock(path, lock_timeout):
        _check_target(path)
        stamp = now() if callable(now) else now
        with _stage(path):
            remove_stale_temps(path)
        saved = take_backup(path, stamp)
        new = temp_path(path)
        try:
            result = _write_and_verify(path, new, write_fn, verify_fn)
            _replace(new, path)
        except BaseException:
            saved.unlink(missing_ok=True)  # the same bytes as the untouched master: it would only take a kept slot
            raise
        finally:
            new.unlink(missing_ok=True)
        prune_backups(path, keep)
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
