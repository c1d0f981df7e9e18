"""Tests of workbook.safety: never write behind Excel's back, never leave a half-written file."""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter

from workbook import errors, fingerprints, package, safety
from workbook.sheetmodel import SheetModel

NOW = dt.datetime(2026, 3, 5, 7, 30, 0)
NAME = "党建工作台账.xlsx"


def make_workbook(path: Path, text: str = "原始数据") -> Path:
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("党员名册").write(0, 0, text)
    book.close()
    return path


def copy_writer(text: str, pause: float = 0.0):
    """A write_fn that writes a fresh workbook holding `text` (optionally slowly)."""
    def write(new_path: Path) -> str:
        time.sleep(pause)
        make_workbook(new_path, text)
        return text

    return write


def first_cell(path: Path):
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        return book.get_sheet_by_name("党员名册").to_python()[0][0]
    finally:
        book.close()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(safety.TEMP_PREFIX))


@pytest.fixture
def workbook(tmp_path) -> Path:
    return make_workbook(tmp_path / NAME)


def test_successful_replace(workbook):
    done = safety.safe_replace(workbook, copy_writer("新数据"), lambda p: first_cell(p) == "新数据", now=NOW)
    assert first_cell(workbook) == "新数据"
    assert done.result == "新数据"
    assert done.backup == workbook.parent / "备份" / "党建工作台账_20260305-073000.xlsx"
    assert first_cell(done.backup) == "原始数据"
    assert leftovers(workbook.parent) == []


@pytest.mark.parametrize("owner", ["~$" + NAME, "~$" + NAME[2:], ".~lock." + NAME + "#"])
def test_owner_file_means_open(workbook, owner):
    before = workbook.read_bytes()
    (workbook.parent / owner).write_bytes(b"\x05Excel")
    assert safety.is_open_elsewhere(workbook)
    with pytest.raises(errors.WorkbookOpen):
        safety.safe_replace(workbook, copy_writer("新数据"), lambda p: True, now=NOW)
    assert workbook.read_bytes() == before
    assert not (workbook.parent / "备份").exists()
    assert leftovers(workbook.parent) == []


def test_not_open_without_owner_file(workbook):
    assert not safety.is_open_elsewhere(workbook)


def test_owner_file_names():
    names = [p.name for p in safety.owner_files(Path("/x") / "台账.xlsx")]
    assert names == [".~lock.台账.xlsx#", "~$台账.xlsx"]
    names = [p.name for p in safety.owner_files(Path("/x") / NAME)]
    assert names == [".~lock.党建工作台账.xlsx#", "~$党建工作台账.xlsx", "~$工作台账.xlsx"]


def test_racing_writers_with_a_short_lock_timeout(workbook):
    """Two writers at once: the second cannot get the lock in time and is told the book is busy."""
    outcomes: dict[str, object] = {}

    def run(text: str, pause: float) -> None:
        try:
            outcomes[text] = safety.safe_replace(workbook, copy_writer(text, pause), lambda p: True, now=NOW, lock_timeout=0.2)
        except errors.WorkbenchError as exc:
            outcomes[text] = exc

    slow = threading.Thread(target=run, args=("慢", 1.0))
    slow.start()
    time.sleep(0.3)
    run("快", 0.0)
    slow.join()
    assert isinstance(outcomes["快"], errors.WorkbookBusy)
    assert isinstance(outcomes["慢"], safety.SafeWrite)
    assert first_cell(workbook) == "慢"
    assert leftovers(workbook.parent) == []


def test_racing_writers_that_wait(workbook):
    """With a long enough timeout both writers succeed, one after the other; the file is valid."""
    results = []
    threads = [threading.Thread(target=lambda t=t: results.append(
        safety.safe_replace(workbook, copy_writer(t, 0.3), lambda p: first_cell(p) == t, now=NOW).result)) for t in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["乙", "甲"]
    assert first_cell(workbook) == results[-1]
    assert len(safety.backups_of(workbook)) == 2
    assert leftovers(workbook.parent) == []


def test_disk_full_at_replace_leaves_original(workbook, monkeypatch):
    before = workbook.read_bytes()

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: full() if Path(dst) == workbook else real_replace(src, dst))
    with pytest.raises(errors.DiskFull) as caught:
        safety.safe_replace(workbook, copy_writer("新数据"), lambda p: True, now=NOW)
    monkeypatch.undo()
    assert caught.value.user_message() == (
        f"写入 {workbook} 时磁盘空间不足，原工作簿没有改动。请清理磁盘空间（可以把“备份”文件夹中较早的备份移到别处）后再运行。")
    assert "No space left on device" in caught.value.technical  # the English detail goes to the log only
    assert workbook.read_bytes() == before and first_cell(workbook) == "原始数据"
    assert safety.backups_of(workbook) == []  # the backup of an unchanged master is removed, not kept
    assert leftovers(workbook.parent) == [] and leftovers(workbook.parent / "备份") == []


def test_failed_verification_leaves_original(workbook):
    before = workbook.read_bytes()
    with pytest.raises(errors.WriteFailed):
        safety.safe_replace(workbook, copy_writer("新数据"), lambda p: first_cell(p) == "别的", now=NOW)
    with pytest.raises(errors.WriteFailed):
        safety.safe_replace(workbook, copy_writer("新数据"), lambda p: 1 / 0, now=NOW + dt.timedelta(seconds=1))
    assert workbook.read_bytes() == before and first_cell(workbook) == "原始数据"
    assert safety.backups_of(workbook) == []  # nothing was written: the backups taken for it are gone again
    assert leftovers(workbook.parent) == []


def test_failed_write_leaves_original(workbook):
    before = workbook.read_bytes()

    def broken(new_path: Path) -> None:
        new_path.write_bytes(b"PK half")
        raise OSError(errno.EIO, "I/O error")

    with pytest.raises(errors.CannotWrite) as caught:
        safety.safe_replace(workbook, broken, lambda p: True, now=NOW)
    assert "（磁盘读写出错）" in caught.value.user_message() and "检查未通过" not in caught.value.user_message()
    assert workbook.read_bytes() == before
    assert leftovers(workbook.parent) == []


def test_backups_are_pruned_to_keep(workbook):
    made = [safety.backup(workbook, keep=3, now=NOW + dt.timedelta(minutes=i)) for i in range(5)]
    assert safety.backups_of(workbook) == made[2:]
    assert [p.name for p in made[2:]] == ["党建工作台账_20260305-073200.xlsx", "党建工作台账_20260305-073300.xlsx",
                                          "党建工作台账_20260305-073400.xlsx"]
    same_second = safety.backup(workbook, keep=3, now=NOW + dt.timedelta(minutes=4))
    assert same_second.name == "党建工作台账_20260305-073400-2.xlsx"
    assert safety.backups_of(workbook) == made[3:] + [same_second]


def test_backups_of_other_workbooks_are_left_alone(workbook):
    other = make_workbook(workbook.parent / "台账副本.xlsx")
    safety.backup(other, keep=1, now=NOW)
    for minute in range(3):
        safety.backup(workbook, keep=1, now=NOW + dt.timedelta(minutes=minute))
    assert len(safety.backups_of(other)) == 1 and len(safety.backups_of(workbook)) == 1


def test_missing_workbook(tmp_path):
    with pytest.raises(errors.NoSuchFile):
        safety.safe_replace(tmp_path / "无.xlsx", copy_writer("x"), lambda p: True)


def test_refresh_master_end_to_end(workbook):
    model = SheetModel("校验结果")
    model.put(0, 0, "=A1")
    done = package.refresh_master(workbook, [model], {"校验结果"}, keep=2, now=NOW)
    assert done.result.added == ["校验结果"]
    assert done.backup.parent.name == "备份"
    assert fingerprints.edited_sheets(workbook) == []
    book = python_calamine.CalamineWorkbook.from_path(str(workbook))
    assert book.sheet_names == ["党员名册", "校验结果"]
    assert book.get_sheet_by_name("校验结果").to_python() == [["=A1"]]
    book.close()
    assert len(safety.backups_of(workbook)) == 1
    shutil.rmtree(workbook.parent / "备份")


KILLED_WRITER = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from workbook import safety

def write(new):
    new.write_bytes(Path(sys.argv[1]).read_bytes()[:100])  # half a workbook
    Path(sys.argv[2]).write_text("written")                # tell the test: now kill me
    time.sleep(60)

safety.safe_replace(sys.argv[1], write, lambda p: True)
"""


def test_a_refresh_killed_between_writing_and_replacing_leaves_the_original(workbook, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    before = workbook.read_bytes()
    ready = tmp_path.parent / f"{tmp_path.name}-ready"
    program = Path(__file__).resolve().parents[1]
    child = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(workbook), str(ready), str(program)])
    deadline = time.time() + 30
    while not ready.exists() and time.time() < deadline:
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert workbook.read_bytes() == before  # the original is untouched and still reads
    python_calamine.CalamineWorkbook.from_path(str(workbook)).close()
    assert len(safety.backups_of(workbook)) == 1
    assert len(leftovers(workbook.parent)) == 1  # the half-written file the kill left behind ...
    other = workbook.parent / f"{safety.TEMP_PREFIX}{workbook.stem}-副本-0123456789ab{workbook.suffix}"
    other.write_bytes(b"another workbook's write in progress")
    safety.safe_replace(workbook, copy_writer("x"), lambda p: True)
    assert leftovers(workbook.parent) == [other.name]  # ... is cleared by the next write, under the lock
