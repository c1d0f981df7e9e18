"""Faults of the file system end in their own Chinese sentence, exit code 2, and an untouched master.

Read-only files and folders, a file named 备份, a lock that cannot be made, names too long
for the backup, a full disk while backing up or writing, a log that cannot be written.
Permissions: a read-only *file* is refused by its mode, so root sees it too; a read-only
*folder* stops only a user without root's override, so that case runs the command in a
child process without CAP_DAC_OVERRIDE (`setpriv`), or as the user CI runs as.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import reports
import sync
from services import logs
from workbook import errors, package, safety

from conftest import TODAY

ROOT = Path(__file__).resolve().parents[1]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(capfd, *argv) -> tuple[int, str]:
    code = sync.main([*argv, "--today", TODAY.isoformat()])
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "Logging error" not in out + err
    assert err == ""
    return code, out


@pytest.fixture
def master(build, data) -> Path:
    return build(data, "台账.xlsx")


def refused(capfd, master: Path, command: str = "refresh") -> str:
    """Run `command`; assert exit 2, the master byte-identical and no backup left; the output."""
    before, inode = digest(master), master.stat().st_ino
    code, out = run(capfd, command, str(master))
    assert code == 2
    assert digest(master) == before and master.stat().st_ino == inode
    assert safety.backups_of(master) == []
    return out


# --- the workbook and its folder -------------------------------------------------------------------

@pytest.mark.parametrize("command", ["refresh", "calendar"])
def test_a_read_only_workbook_is_not_written(capfd, master, command):
    master.chmod(0o444)
    try:
        out = refused(capfd, master, command)
    finally:
        master.chmod(0o644)
    assert out.splitlines()[-1] == (f"工作簿 {master} 是只读文件，程序没有写入任何内容。"
                                    "请在文件属性中取消“只读”后再运行（只校验可以照常运行）。")


def test_a_read_only_workbook_can_still_be_validated(capfd, master):
    master.chmod(0o444)
    try:
        code, out = run(capfd, "validate", str(master))
    finally:
        master.chmod(0o644)
    assert code == 0 and "没有发现问题" in out


def test_a_folder_that_cannot_be_written_is_said(capfd, master, monkeypatch):
    real = os.access
    monkeypatch.setattr(safety.os, "access", lambda p, mode: False if Path(p) == master.parent else real(p, mode))
    out = refused(capfd, master)
    assert out.splitlines()[-1] == (f"无法在文件夹 {master.parent} 中写入（没有写入权限），工作簿没有改动。"
                                    "请把总台账复制到可以写入的文件夹（如“文档”或桌面）后再运行。")


def test_a_file_named_backup_is_said(capfd, master):
    (master.parent / "备份").write_text("我是一个文件", encoding="utf-8")
    out = refused(capfd, master)
    assert out.splitlines()[-1] == (f"“{master.parent / '备份'}”是一个文件，不是文件夹，程序无法在其中保存写入前的备份，"
                                    "工作簿没有改动。请把这个名为“备份”的文件改名或移走后再运行。")


@pytest.mark.parametrize("kind", ["dangling-link", "folder"])
def test_a_lock_that_cannot_be_made_is_said(capfd, master, kind):
    lock = master.parent / "备份" / f"{master.name}.lock"
    lock.parent.mkdir()
    if kind == "folder":
        lock.mkdir()
    else:
        lock.symlink_to(master.parent / "不存在的文件")
    out = refused(capfd, master)
    assert out.splitlines()[-1].startswith(f"无法建立锁文件 {lock}（")
    assert out.splitlines()[-1].endswith("工作簿没有改动。请删除这个文件（或同名的快捷方式、文件夹）后再运行。")


def test_a_lock_the_system_refuses_is_said(capfd, master, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OSError(errno.ELOOP, "Too many levels of symbolic links")

    monkeypatch.setattr(safety.filelock.FileLock, "acquire", refuse)
    out = refused(capfd, master)
    assert "无法建立锁文件" in out.splitlines()[-1] and "符号链接" in out.splitlines()[-1]


def test_a_name_too_long_for_its_backup_is_said(capfd, build, data):
    master = build(data, "党" * 80 + ".xlsx")  # 245 bytes: its backup's name would take 264
    out = refused(capfd, master)
    assert out.splitlines()[-1] == (f"工作簿的文件名太长（备份的文件名将有 264 字节，最多 255 字节），程序无法在它旁边建立备份和临时文件，"
                                    f"工作簿没有改动。请把文件名改短（建议不超过 60 个汉字）后再运行：{master}")


def test_a_long_name_whose_backup_fits_is_written(capfd, build, data):
    master = build(data, "党" * 76 + ".xlsx")  # 233 bytes: the temporary name no longer grows with it
    code, out = run(capfd, "refresh", str(master))
    assert code == 0 and "已写入" in out
    assert len(safety.backups_of(master)) == 1


# --- a full disk ------------------------------------------------------------------------------------

def test_a_backup_cut_short_by_a_full_disk_never_counts(capfd, master, monkeypatch):
    def half_then_full(src, dst, **kwargs):
        Path(dst).write_bytes(Path(src).read_bytes()[:1000])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safety.shutil, "copyfile", half_then_full)
    out = refused(capfd, master)
    assert out.splitlines()[-1] == (f"写入前的备份没有做成（磁盘空间不足），工作簿没有改动：{master}。"
                                    "请清理磁盘空间（可以把“备份”文件夹中较早的备份移到别处）、检查“备份”文件夹的写入权限后再运行。")
    assert [p.name for p in (master.parent / "备份").iterdir()] == [f"{master.name}.lock"]  # no partial copy


def test_a_backup_that_differs_from_the_workbook_never_counts(capfd, master, monkeypatch):
    monkeypatch.setattr(safety.shutil, "copyfile", lambda src, dst, **kw: Path(dst).write_bytes(b"PK" + b"\0" * 10))
    out = refused(capfd, master)
    assert out.splitlines()[-1].startswith("写入前的备份没有做成（备份与原文件不一致）")


def test_a_full_disk_while_writing_keeps_the_master_and_drops_the_backup(capfd, master, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(package, "write_zip", full)
    out = refused(capfd, master)
    assert out.splitlines()[-1] == (f"写入 {master} 时磁盘空间不足，原工作簿没有改动。"
                                    "请清理磁盘空间（可以把“备份”文件夹中较早的备份移到别处）后再运行。")
    assert [p.name for p in master.parent.iterdir() if p.name.startswith("~")] == []


def test_truncated_backups_of_old_versions_are_not_counted_and_never_displace_a_real_one(capfd, build, data):
    from workbook import layout

    next(r for r in data[layout.SETTINGS] if r["项目"] == "备份保留份数")["值"] = 2
    master = build(data, "台账.xlsx")
    folder = master.parent / "备份"
    folder.mkdir()
    broken = [folder / f"台账_20260101-00000{i}.xlsx" for i in range(3)]
    for path in broken:
        path.write_bytes(master.read_bytes()[:5000])  # what a full disk left before backups were checked
    for _ in range(3):
        assert run(capfd, "refresh", str(master))[0] == 0
    kept = safety.backups_of(master)
    assert len(kept) == 2 and all(p not in kept for p in broken)
    assert all(p.exists() for p in broken)  # left alone: not ours to judge, and never counted


# --- the log ------------------------------------------------------------------------------------------

def test_a_log_that_fails_mid_run_stays_quiet(capfd, master, monkeypatch):
    def full(self, record):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(logs.QuietFileHandler, "shouldRollover", full)
    code, out = run(capfd, "refresh", str(master))  # run() asserts: no "Logging error", nothing on stderr
    assert code == 0 and "已写入" in out


def test_a_log_beside_the_workbook_that_cannot_be_written_goes_home(capfd, master, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    (master.parent / logs.LOG_NAME).mkdir()  # the log's place is taken: it cannot be opened there
    (master.parent / "备份").write_text("一个文件", encoding="utf-8")
    out = refused(capfd, master)
    assert out.splitlines()[-1] == (f"详细情况见日志 {home / logs.LOG_NAME}（工作簿所在的文件夹不能写入，日志改写在您的主文件夹中）。")
    assert "BackupNotAFolder" in (home / logs.LOG_NAME).read_text(encoding="utf-8")


def test_a_log_that_cannot_be_written_anywhere_still_lets_the_command_run(capfd, master, tmp_path, monkeypatch):
    home = tmp_path / "nohome"
    (home / logs.LOG_NAME).mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    (master.parent / logs.LOG_NAME).mkdir()
    code, out = run(capfd, "refresh", str(master))
    assert code == 0 and "已写入" in out
    assert str(logs.setup_logging(master)).startswith("日志中（但日志也无法写入")


# --- Windows answers, as the code reads them --------------------------------------------------------

def _denied(winerror: int) -> PermissionError:
    exc = PermissionError(errno.EACCES, "Access is denied")
    exc.winerror = winerror
    return exc


def test_a_sharing_violation_is_open_elsewhere_and_access_denied_on_a_read_only_file_is_not(master):
    assert safety.in_use(_denied(32), master) and safety.in_use(_denied(33), master)
    assert safety.in_use(_denied(5), master)  # Windows' answer for a file another program holds
    master.chmod(0o444)
    try:
        assert not safety.in_use(_denied(5), master)  # ... and for a read-only one
    finally:
        master.chmod(0o644)
    assert not safety.in_use(PermissionError(errno.EACCES, "denied"), master)  # POSIX: a permission, not a lock


def test_a_replace_refused_on_windows_names_the_reason(master, monkeypatch):
    real = os.replace

    def refusing(failure):
        return lambda src, dst: (_ for _ in ()).throw(failure) if Path(dst) == master else real(src, dst)

    monkeypatch.setattr(safety.os, "replace", refusing(_denied(32)))
    with pytest.raises(errors.WorkbookOpen):
        safety.safe_replace(master, lambda new: shutil.copyfile(master, new), lambda new: True)
    monkeypatch.setattr(safety.os, "replace", refusing(PermissionError(errno.EACCES, "denied")))
    with pytest.raises(errors.FolderNotWritable):
        safety.safe_replace(master, lambda new: shutil.copyfile(master, new), lambda new: True)
    assert safety.backups_of(master) == []


def test_a_report_folder_without_permission_is_not_called_open_elsewhere(capfd, master, monkeypatch):
    from services import report_html

    def denied(path, data):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(report_html, "atomic_write_bytes", denied)
    code = reports.main([str(master), "--no-pdf", "--today", TODAY.isoformat()])
    out, err = capfd.readouterr()
    assert code == 2 and err == ""
    assert "没有写成（没有写入权限）" in out and "正在被其他程序" not in out


# --- a real read-only folder, as an ordinary user meets it ---------------------------------------------

def _as_ordinary_user() -> list[str] | None:
    """The prefix that runs a command without root's override of permissions, or None if we cannot."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    probe = subprocess.run([setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "true"], capture_output=True)
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"] if probe.returncode == 0 else None


@pytest.mark.skipif(os.name == "nt", reason="POSIX folder modes")
@pytest.mark.parametrize("command", ["refresh", "report"])
def test_a_read_only_folder_for_real(master, tmp_path, command):
    prefix = _as_ordinary_user()
    if prefix is None:
        pytest.skip("cannot drop root's permission override here (no setpriv)")
    home = tmp_path / "home"
    home.mkdir()
    before = digest(master)
    master.parent.chmod(0o555)
    try:
        script = ["sync.py", "refresh", str(master)] if command == "refresh" else ["reports.py", str(master), "--no-pdf"]
        done = subprocess.run([*prefix, sys.executable, *script, "--today", TODAY.isoformat()], cwd=ROOT,
                              capture_output=True, text=True, env={**os.environ, "HOME": str(home)}, timeout=300)
    finally:
        master.parent.chmod(0o755)
    assert done.returncode == 2 and done.stderr == ""
    assert digest(master) == before
    last = done.stdout.splitlines()
    if command == "refresh":
        assert last[-2] == (f"无法在文件夹 {master.parent} 中写入（没有写入权限），工作簿没有改动。"
                            "请把总台账复制到可以写入的文件夹（如“文档”或桌面）后再运行。")
    else:
        assert "没有写成（没有写入权限）" in last[-2] and "正在被其他程序" not in done.stdout
    assert last[-1] == f"详细情况见日志 {home / logs.LOG_NAME}（工作簿所在的文件夹不能写入，日志改写在您的主文件夹中）。"
    assert (home / logs.LOG_NAME).stat().st_mode & stat.S_IFREG
