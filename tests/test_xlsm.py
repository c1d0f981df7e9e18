"""The macro-enabled master from `init`: its VBA project, its buttons, its launchers.

olevba (oletools) reads the VBA project back; every button's macro must be a Sub of our
module and every RunPython target a real function of `macros`. LibreOffice must open the
.xlsm and keep the buttons when it saves it again.
"""

from __future__ import annotations

import re
import subprocess
import zipfile

import pytest
from oletools.olevba import VBA_Parser

import macros
import sync
from workbook import xlsm
from workbook.layout import GENERATED_SHEETS

from conftest import TODAY, soffice_convert


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsm") / "党建工作台账.xlsm"
    assert sync.main(["init", str(path), "--branch", "测试支部", "--groups", "一组,二组", "--today", TODAY.isoformat()]) == 0
    return path


def vba_modules(path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def button_macros(path) -> list[str]:
    """The macro of every form button, from the VML drawings."""
    with zipfile.ZipFile(path) as zf:
        found = []
        for name in zf.namelist():
            if name.endswith(".vml"):
                found += re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", zf.read(name).decode("utf-8", "replace"))
        return found


def test_vba_project_holds_xlwings_and_our_module(master):
    modules = vba_modules(master)
    assert {"xlwings", "Dictionary", "WorkbenchButtons"} <= set(modules)
    assert "Function RunPython" in modules["xlwings"] or "Sub RunPython" in modules["xlwings"]
    with zipfile.ZipFile(master) as zf:
        types = zf.read("[Content_Types].xml").decode()
    assert 'PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"' in types


def test_every_button_runs_a_sub_of_our_module(master):
    ours = vba_modules(master)["WorkbenchButtons"]
    subs = set(re.findall(r"Public Sub (\w+)\(\)", ours))
    assert button_macros(master) == [action.sub for action in xlsm.ACTIONS]
    assert set(button_macros(master)) <= subs


def test_every_runpython_target_is_a_function_of_macros(master):
    ours = vba_modules(master)["WorkbenchButtons"]
    targets = re.findall(r'RunPython "import macros; macros\.(\w+)\(vba=\'" & XLWINGS_VERSION & "\'\)"', ours)
    assert targets == [action.function for action in xlsm.ACTIONS]
    for target in targets:
        assert callable(getattr(macros, target)), target


def test_xlwings_conf_sheet_points_at_this_program(master):
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(master))
    rows = dict(book.get_sheet_by_name("xlwings.conf").to_python())
    assert rows["PYTHONPATH"] == str(xlsm.PROGRAM_DIR)
    assert set(rows) >= {"INTERPRETER_WIN", "INTERPRETER_MAC", "PYTHONPATH"}


def test_refresh_keeps_the_vba_project_and_adds_a_refresh_button_per_generated_sheet(master, tmp_path, capsys):
    path = tmp_path / master.name
    path.write_bytes(master.read_bytes())
    sync.main(["refresh", str(path), "--today", TODAY.isoformat()])
    with zipfile.ZipFile(master) as before, zipfile.ZipFile(path) as after:
        assert after.read("xl/vbaProject.bin") == before.read("xl/vbaProject.bin")
    refresh_buttons = [m for m in button_macros(path) if m == xlsm.REFRESH.sub]
    import python_calamine

    generated = [n for n in python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names if n in GENERATED_SHEETS]
    assert len(generated) >= 6
    assert len(refresh_buttons) == 1 + len(generated)  # 使用说明, and each generated sheet


def test_libreoffice_opens_the_xlsm_and_keeps_the_buttons(master, tmp_path):
    resaved = soffice_convert(master, "xlsm:Calc MS Excel 2007 VBA XML", tmp_path)
    with zipfile.ZipFile(resaved) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
        bound = re.findall(r'macro="WorkbenchButtons\.(\w+)"', sheet)
    assert bound == [action.sub for action in xlsm.ACTIONS]  # LibreOffice found each Sub in our module


def test_launchers_run_the_same_action_on_the_closed_file(master, tmp_path):
    path = tmp_path / master.name
    path.write_bytes(master.read_bytes())
    from services.launchers import write_launchers

    written = {p.name for p in write_launchers(path)}
    assert {"刷新.cmd", "校验.cmd", "日历.cmd", "生成报表.cmd"} <= written
    assert "refresh" in (tmp_path / "刷新.cmd").read_bytes().decode("gbk")
    result = subprocess.run(["sh", str(tmp_path / "刷新.sh")], stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=120)
    assert "已写入“党建工作台账.xlsm”" in result.stdout
