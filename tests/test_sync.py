"""The command line: exit codes and Chinese messages for every kind of bad input."""

from __future__ import annotations

import zipfile

from msoffcrypto.format.ooxml import OOXMLFile
import openpyxl
import pytest

import sync
from workbook import layout
from services.demo import DELIBERATE_MISTAKES

from conftest import TODAY


def run(capsys, *argv):
    code = sync.main([*argv, "--today", TODAY.isoformat()])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out + out.err


def test_validate_clean_workbook_exits_0(capsys, build, data):
    code, out = run(capsys, "validate", str(build(data)))
    assert code == 0
    assert "没有发现问题" in out


def test_validate_with_errors_exits_1_and_names_the_cell(capsys, build, data):
    data[layout.LEDGER][0]["审核人"] = None
    code, out = run(capsys, "validate", str(build(data)))
    assert code == 1
    assert "加减分：错误 1 条，警告 0 条" in out
    assert "[错误] 加减分!G2 “审核人”不能为空。请填写审核人。" in out


def _encrypted(path):
    plain = path.with_name("plain.xlsx")
    openpyxl.Workbook().save(plain)
    with plain.open("rb") as src, path.open("wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    return path


def _truncated(path, build, data):
    whole = build(data).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


def _not_a_workbook(path):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    return path


def _missing_sheet(path, build, data):
    book = openpyxl.load_workbook(build(data))
    book.remove(book[layout.RULES])
    book.save(path)
    return path


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


def _file(path, content):
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


BAD_INPUTS = {
    "no-such-file": (lambda p, b, d: p / "无此文件.xlsx", "找不到文件"),
    "folder": (lambda p, b, d: p, "是一个文件夹，不是工作簿"),
    "xls": (lambda p, b, d: _file(p / "旧表.xls", OLE), "旧版 Excel 97-2003 工作簿（.xls）"),
    "xls-renamed-xlsx": (lambda p, b, d: _file(p / "改名.xlsx", OLE), "旧版 Excel 97-2003 工作簿（.xls）"),
    "et": (lambda p, b, d: _file(p / "台账.et", OLE), "WPS 表格文件（.et）"),
    "csv": (lambda p, b, d: _file(p / "名册.csv", "党员编号,姓名\n"), "CSV 文本文件（.csv）"),
    "encrypted": (lambda p, b, d: _encrypted(p / "加密.xlsx"), "设置了打开密码"),
    "not-zip": (lambda p, b, d: _file(p / "坏.xlsx", b"hello, not a workbook"), "已损坏或不是 Excel 工作簿"),
    "truncated": (lambda p, b, d: _truncated(p / "截断.xlsx", b, d), "已损坏或不是 Excel 工作簿"),
    "zip-without-workbook": (lambda p, b, d: _not_a_workbook(p / "文档.xlsx"), "已损坏或不是 Excel 工作簿"),
    "missing-sheet": (lambda p, b, d: _missing_sheet(p / "缺表.xlsx", b, d), "缺少工作表“积分规则”"),
}


@pytest.mark.parametrize("kind", BAD_INPUTS)
def test_bad_input_gets_chinese_message_and_exit_2(capsys, tmp_path, build, data, kind):
    make, message = BAD_INPUTS[kind]
    code, out = run(capsys, "validate", str(make(tmp_path, build, data)))
    assert code == 2
    assert message in out


def test_usage_errors_are_chinese(capsys):
    with pytest.raises(SystemExit) as exit_info:
        sync.main(["validate"])
    assert exit_info.value.code == 2
    assert "缺少参数：路径" in capsys.readouterr().err


def test_unexpected_error_goes_to_the_log_not_the_screen(capsys, tmp_path, build, data, monkeypatch):
    path = build(data)
    monkeypatch.setattr(sync.pipeline, "validate_only", lambda *a: 1 / 0)
    code, out = run(capsys, "validate", str(path))
    assert code == 2
    assert "程序遇到意外问题" in out
    log = (path.parent / "党建台账日志.log").read_text(encoding="utf-8")
    assert "ZeroDivisionError" in log


def test_log_never_holds_phone_numbers(capsys, build, data):
    data[layout.LEDGER][0]["事由"] = "联系 13812345678 未接通"
    data[layout.LEDGER][0]["党员编号"] = "D099"  # an error, so the row is logged
    path = build(data)
    run(capsys, "validate", str(path))
    log = (path.parent / "党建台账日志.log").read_text(encoding="utf-8")
    assert "13812345678" not in log
    assert "D099" in log


def test_init_creates_a_master_and_refuses_to_overwrite(capsys, tmp_path):
    path = tmp_path / "台账.xlsx"
    code, out = run(capsys, "init", str(path), "--branch", "青山镇中心学校党支部", "--groups", "一组,二组")
    assert code == 0 and path.exists()
    before = path.read_bytes()
    code, out = run(capsys, "init", str(path), "--branch", "别的支部")
    assert code == 2 and "已经存在" in out
    assert path.read_bytes() == before


def test_demo_finds_every_planted_mistake(capsys, tmp_path):
    path = tmp_path / "示例.xlsx"
    code, out = run(capsys, "demo", str(path))
    assert code == 1
    assert "发现错误 11 条，警告 1 条" in out
    from workbook.reader import read_book
    from workplan.validate import load, wanted_sheets

    _, report = load(read_book(path, wanted_sheets()), TODAY)
    assert {(f.sheet, f.code) for f in report.errors} == set(DELIBERATE_MISTAKES) - {(layout.ATTENDANCE_SHEET, "name-mismatch")}
    assert [(f.sheet, f.code) for f in report.warnings] == [(layout.ATTENDANCE_SHEET, "name-mismatch")]
