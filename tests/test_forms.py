"""Assessment forms end to end: hand out, fill in, collect back, tally; printed by LibreOffice."""

from __future__ import annotations

import datetime as dt
import errno
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine

import sync
from workbook import render_xlsx
from services import formfiles
from workbook import layout as L
from workbook.errors import FormError
from workbook.safety import backups_of
from workplan import collect, forms, pipeline
from workplan import findings as F
from workplan.collect import ReturnedForm, check_form
from workplan.forms import INFO_SHEET, list_checksum
from workplan.scoring import score, scored_member_ids

from conftest import load_data, raw_book, soffice_convert

TODAY = dt.date(2026, 6, 30)  # 2026上半年
ROUND = "2026上半年"
PHONE = "13812345678"  # D001's phone in conftest: must never leave the master
MASS_FOLDER = f"评议表/群众评议_{ROUND}"
BRANCH_FOLDER = f"评议表/党员评议支部_{ROUND}"


def run(capsys, *argv, today=TODAY):
    code = sync.main([*argv, "--today", today.isoformat()])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out + out.err


def copy_name(number: str, suffix: str = "") -> str:
    return f"群众评议_{ROUND}_第{number}号{suffix}.xlsx"


def fill(path, answers, out=None, edits=None):
    """Type answers into a handed-out copy as a person would (openpyxl ignores the protection).

    `answers` maps an object (党员编号 or 好 item) to (grade, opinion); `edits` are raw cell changes.
    """
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = next(row for row in sheet.iter_rows() if row[0].value == "序号")
    columns = {cell.value: cell.column for cell in header}
    grade_col = columns.get("等次") or columns["评价"]
    for row in sheet.iter_rows(min_row=header[0].row + 1):
        target = row[1].value
        if target in answers:
            grade, opinion = answers[target]
            sheet.cell(row[0].row, grade_col, grade)
            sheet.cell(row[0].row, grade_col + 1, opinion).data_type = "s"  # "=…" typed as text (a leading ')
    for ref, value in (edits or {}).items():
        sheet[ref] = value
    book.save(out or path)
    return out or path


def rows_of(path, sheet):
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        return book.get_sheet_by_name(sheet).to_python()
    finally:
        book.close()


@pytest.fixture
def master(build, data):
    for promise in data[L.MEMBER_PROMISES][:3]:  # three reviewed commitments go on the 公示表
        promise["审诺日期"] = dt.date(2026, 3, 2)
    return build(data)


@pytest.fixture
def returned(capsys, master):
    """Five copies handed out and returned: full, one blank answer, tampered, empty, one bad answer;
    plus a copy of 01 under another name and a second, different form from rater 05."""
    code, _ = run(capsys, "forms", str(master), "--type", "群众评议", "--raters", "5")
    assert code == 0
    folder = master.parent / MASS_FOLDER
    fill(folder / copy_name("01"), {"D001": ("优秀", "起带头作用"), "D002": ("合格", None), "D003": ("优秀", None)})
    fill(folder / copy_name("02"), {"D001": ("优秀", None), "D003": ("基本合格", "=多参加活动")})
    fill(folder / copy_name("03"), {"D001": ("优秀", None), "D002": ("优秀", None)}, edits={"C5": "李斯"})
    blank_05 = shutil.copy(folder / copy_name("05"), master.parent / "blank05.xlsx")
    fill(folder / copy_name("05"), {"D001": ("合格", None), "D002": ("很好", None), "D003": ("不合格", None)})
    shutil.copy(folder / copy_name("01"), folder / copy_name("01", " - 副本"))
    fill(blank_05, {"D001": ("优秀", None), "D002": ("优秀", None), "D003": ("优秀", None)}, folder / copy_name("05", "（重填）"))
    (folder / "说明.txt").write_text("交回的表放在这里", encoding="utf-8")
    (folder / "~$群众评议_2026上半年_第02号.xlsx").write_bytes(b"owner file of an open copy")
    return folder


# --- handing out -------------------------------------------------------------------------------

def test_one_copy_per_rater_with_a_very_hidden_identity(capsys, master):
    code, out = run(capsys, "forms", str(master), "--type", "群众评议", "--raters", "5")
    assert code == 0
    folder = master.parent / MASS_FOLDER
    assert sorted(p.name for p in folder.iterdir()) == [copy_name(f"0{n}") for n in range(1, 6)]
    assert f"已生成 5 份群众评议党员表（{ROUND}），在文件夹 {folder}：" in out
    assert f"python sync.py collect {master} {folder}" in out
    book = openpyxl.load_workbook(folder / copy_name("03"))
    form, info = book.worksheets
    assert (form.title, info.title, info.sheet_state) == ("群众评议表", INFO_SHEET, "veryHidden")
    assert form.protection.sheet and info.protection.sheet
    identity = {row[0]: row[1] for row in info.iter_rows(min_row=2, values_only=True)}
    items = [[1, "D001", "张三", "一组", ""], [2, "D002", "李四", "一组", ""], [3, "D003", "王五", "二组", ""]]
    assert identity == {"表单类型": "群众评议", "支部名称": "测试支部", "轮次": ROUND, "评议人编号": "03",
                        "评议人": f"群众03（{ROUND}）", "名单校验码": list_checksum("群众评议", items),
                        "发放文件名": copy_name("03"), "表单版本": "1"}
    unlocked = sorted(c.coordinate for row in form.iter_rows() for c in row if not c.protection.locked)
    assert unlocked == ["F4", "F5", "F6", "G4", "G5", "G6"]
    assert [(str(v.sqref), v.formula1) for v in form.data_validations.dataValidation] == [("F4:F6", '"优秀,合格,基本合格,不合格"')]
    assert form.print_title_rows == "$3:$3" and form.page_setup.paperSize == 9
    assert "评议人（可不署名）" in form["A8"].value and "评议日期" in form["A8"].value


def test_branch_forms_go_to_each_scored_member_and_names_come_from_a_file(capsys, master, tmp_path):
    code, out = run(capsys, "forms", str(master), "--type", "党员评议支部")
    assert code == 0
    names = sorted(p.name for p in (master.parent / BRANCH_FOLDER).iterdir())
    assert names == [f"党员评议支部_{ROUND}_D001_张三.xlsx", f"党员评议支部_{ROUND}_D002_李四.xlsx", f"党员评议支部_{ROUND}_D003_王五.xlsx"]
    raters = tmp_path / "名单.txt"
    raters.write_bytes("姓名\n刘老师\n陈 阿姨、刘老师\n".encode("gb18030"))  # Notepad's Chinese encoding
    code, out = run(capsys, "forms", str(master), "--type", "群众评议", "--raters-file", str(raters), "--round", "2026年终")
    assert code == 0
    folder = master.parent / "评议表" / "群众评议_2026年终"
    assert sorted(p.name for p in folder.iterdir()) == ["群众评议_2026年终_刘老师.xlsx", "群众评议_2026年终_陈 阿姨.xlsx"]
    info = openpyxl.load_workbook(folder / "群众评议_2026年终_陈 阿姨.xlsx")[INFO_SHEET]
    assert [row for row in info.iter_rows(min_row=5, max_row=6, values_only=True)] == [("评议人编号", "陈 阿姨"), ("评议人", "陈阿姨（2026年终）")]


@pytest.mark.parametrize("argv, message", [
    (["--type", "群众评议"], "群众评议要给出评议人：--raters 人数"),
    (["--type", "群众评议", "--raters-file", "没有这个文件.txt"], "找不到文件：没有这个文件.txt"),
])
def test_forms_without_usable_raters_say_what_to_do(capsys, master, argv, message):
    code, out = run(capsys, "forms", str(master), *argv)
    assert code == 2 and message in out
    assert not (master.parent / "评议表").exists()


@pytest.mark.parametrize("argv, message", [
    (["--type", "群众评议", "--raters", "0"], "评议人数“0”无效，请写 1 到 999 之间的整数"),
    (["--type", "民主评议", "--raters", "3"], "评议表类型“民主评议”无效，可选：群众评议、党员评议支部"),
    (["--type", "群众评议", "--raters", "3", "--round", "2026/上"], "轮次“2026/上”不能用作文件夹名"),
    (["--type", "群众评议", "--raters", "3", "--round", "2026上半年."], "轮次“2026上半年.”不能用作文件夹名"),
    (["--type", "群众评议", "--raters", "3", "--raters-file", "a.txt"], "not allowed with argument"),
])
def test_forms_command_line_mistakes_exit_2(capsys, master, argv, message):
    with pytest.raises(SystemExit) as ended:
        sync.main(["forms", str(master), *argv])
    assert ended.value.code == 2 and message in capsys.readouterr().err
    assert not (master.parent / "评议表").exists()


def test_a_second_hand_out_into_the_same_folder_is_refused(capsys, master):
    run(capsys, "forms", str(master), "--type", "群众评议", "--raters", "2")
    before = sorted((master.parent / MASS_FOLDER).iterdir())
    code, out = run(capsys, "forms", str(master), "--type", "群众评议", "--raters", "3")
    assert code == 2 and "里已经有评议表，为避免覆盖已发出或已交回的表，程序没有写入" in out
    assert sorted((master.parent / MASS_FOLDER).iterdir()) == before


# --- collecting --------------------------------------------------------------------------------

EXPECTED_FINDINGS = [
    (copy_name("03"), "", "form-list-changed"),
    (copy_name("05"), "F5", "form-bad-answer"),
    (copy_name("05", "（重填）"), "", "form-same-rater"),
    (copy_name("01", " - 副本"), "", "form-copy"),
    (copy_name("02"), "", "form-open"),  # its owner file ~$… lies beside it
    (copy_name("02"), "F5", "form-blank-answer"),
    (copy_name("04"), "", "form-empty"),
]
COLLECTED = [
    ["群众评议党员", f"群众01（{ROUND}）", "D001", "优秀", "起带头作用", TODAY, copy_name("01")],
    ["群众评议党员", f"群众01（{ROUND}）", "D002", "合格", "", TODAY, copy_name("01")],
    ["群众评议党员", f"群众01（{ROUND}）", "D003", "优秀", "", TODAY, copy_name("01")],
    ["群众评议党员", f"群众02（{ROUND}）", "D001", "优秀", "", TODAY, copy_name("02")],
    ["群众评议党员", f"群众02（{ROUND}）", "D003", "基本合格", "=多参加活动", TODAY, copy_name("02")],
    ["群众评议党员", f"群众05（{ROUND}）", "D001", "合格", "", TODAY, copy_name("05")],
    ["群众评议党员", f"群众05（{ROUND}）", "D003", "不合格", "", TODAY, copy_name("05")],
]


def collected_findings(out: str) -> list[tuple[str, str, str]]:
    """(file, cell, message) of each finding line the command printed."""
    return re.findall(r"\[(?:错误|警告)\] (.+?\.xlsx?)(?:!([A-Z]+\d+))? (.+)", out)


def test_collect_counts_every_answer_once(capsys, master, returned):
    before = rows_of(master, L.EVALUATIONS)
    code, out = run(capsys, "collect", str(master), str(returned))
    assert code == 1  # errors among the forms
    assert f"回收“群众评议_{ROUND}”（{ROUND}）：共 7 份表，计入 3 份，新增评议 7 条；此前已录入、本次跳过 0 条。" in out
    assert "跳过了不是表格的文件：说明.txt" in out
    assert "发现错误 3 条，警告 4 条：" in out
    assert [(name, cell) for name, cell, _ in collected_findings(out)] == [(name, cell) for name, cell, _ in EXPECTED_FINDINGS]
    assert (f"[错误] {copy_name('05')}!F5 D002 李四 的“等次”填了“很好”，不在可选范围内，这一项没有计入。"
            "可选：优秀、合格、基本合格、不合格；请与评议人核实后重新交回这份表。") in out
    assert (f"[错误] {copy_name('05', '（重填）')} 评议人“群众05（{ROUND}）”本轮已有一份表（{copy_name('05')}）计入，这一份没有计入。") in out
    assert f"[警告] {copy_name('01', ' - 副本')} 这是 {copy_name('01')} 的副本（评议人和填写内容都相同），没有重复计入。" in out
    assert (f"[警告] {copy_name('02')} 这份评议表正在 Excel 或 WPS 中打开，打开后尚未保存的填写内容没有读到。"
            "请保存并关闭它后再回收一次（已计入的项不会重复计入）。") in out
    after = rows_of(master, L.EVALUATIONS)
    assert after[:3] == before and after[3:] == COLLECTED
    assert len(after) - 1 == 9
    assert openpyxl.load_workbook(master)[L.EVALUATIONS]["E8"].data_type == "s"  # "=多参加活动" stays text
    assert "已写入“master.xlsx”的“评议记录”第 4 至 10 行。" in out


def test_collecting_again_changes_nothing(capsys, master, returned):
    run(capsys, "collect", str(master), str(returned))
    content, backups = master.read_bytes(), backups_of(master)
    code, out = run(capsys, "collect", str(master), str(returned))
    assert code == 1
    assert "计入 0 份，新增评议 0 条；此前已录入、本次跳过 7 条。" in out
    assert "没有新的评议需要写入，总台账没有改动。" in out
    assert [(name, cell) for name, cell, _ in collected_findings(out)] == [(name, cell) for name, cell, _ in EXPECTED_FINDINGS]
    assert master.read_bytes() == content and backups_of(master) == backups


def test_a_copy_returned_again_adds_only_its_new_answers(capsys, master, returned):
    run(capsys, "collect", str(master), str(returned))
    fill(returned / copy_name("02"), {"D001": ("合格", None), "D002": ("优秀", "补填")})  # changed one, filled the blank
    code, out = run(capsys, "collect", str(master), str(returned))
    assert "计入 1 份，新增评议 1 条；此前已录入、本次跳过 6 条。" in out
    assert (f"[警告] {copy_name('02')}!F4 D001 的“等次”与已录入的不同（已录入“优秀”，这次是“合格”），没有覆盖。"
            "如需更正，请直接修改“评议记录”中来源为这份表的那一行。") in out
    assert rows_of(master, L.EVALUATIONS)[-1] == ["群众评议党员", f"群众02（{ROUND}）", "D002", "优秀", "补填", TODAY, copy_name("02")]


def test_forms_of_another_branch_or_round_and_files_that_are_no_forms(capsys, master, build, data, tmp_path):
    run(capsys, "forms", str(master), "--type", "群众评议", "--raters", "1", "--round", "2025下半年")
    data[L.SETTINGS][0]["值"] = "别的支部"
    other = build(data, "other/master.xlsx")
    run(capsys, "forms", str(other), "--type", "群众评议", "--raters", "1")
    inbox = tmp_path / "收回"
    inbox.mkdir()
    shutil.copy(master.parent / "评议表" / "群众评议_2025下半年" / "群众评议_2025下半年_第01号.xlsx", inbox / "a.xlsx")
    shutil.copy(other.parent / MASS_FOLDER / copy_name("01"), inbox / "b.xlsx")
    openpyxl.Workbook().save(inbox / "c.xlsx")
    (inbox / "d.xlsx").write_bytes(b"not a zip at all")
    (inbox / "e.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel")
    before = master.read_bytes()
    code, out = run(capsys, "collect", str(master), str(inbox))
    assert code == 1
    assert [(name, cell, message.split("。")[0]) for name, cell, message in collected_findings(out)] == [
        ("a.xlsx", "", "这份评议表是“2025下半年”的，本次回收的是“2026上半年”"),
        ("b.xlsx", "", "这份评议表属于“别的支部”，不是本支部“测试支部”"),
        ("c.xlsx", "", "这不是本程序发放的评议表（找不到表单信息）"),
        ("d.xlsx", "", "无法读取这份评议表：文件已损坏或不是评议表文件"),
        ("e.xls", "", "无法读取这份评议表：它是旧版 Excel 97-2003 工作簿（.xls），不是 .xlsx 工作簿"),
    ]
    assert "[错误] d.xlsx 无法读取这份评议表：文件已损坏或不是评议表文件。这份表没有计入；请让评议人重新发送。" in out
    assert "这份表没有计入；请把它放回“2025下半年”那一轮的评议表文件夹，回收“2025下半年”时再计入。" in out
    assert master.read_bytes() == before


def test_a_member_who_left_since_the_hand_out_is_not_counted(data, capsys, master):
    run(capsys, "forms", str(master), "--type", "群众评议", "--raters", "1")
    path = fill(master.parent / MASS_FOLDER / copy_name("01"), {"D001": ("优秀", None), "D003": ("合格", None)})
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    sheets = {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}
    data[L.MEMBERS][2]["在册状态"] = "转出"  # 王五 transferred out after the forms went out
    branch, report = load_data(data, TODAY)
    result = check_form(ReturnedForm(path.name, sheets), branch, ROUND, scored_member_ids(branch, report))
    assert [(f.row, f.column, f.code, f.message) for f in result.findings] == [
        (5, "等次", "form-blank-answer", "D002 李四 的“等次”没有填写，这一项没有计入"),
        (6, "党员编号", "form-unknown-object", "评议对象“D003”不是党员名册中的计分党员，这一项没有计入")]
    assert [(a.target, a.grade) for a in result.answers] == [("D001", "优秀")]


def test_collect_into_a_workbook_open_in_excel_writes_nothing(capsys, master, returned):
    (master.parent / "~$master.xlsx").write_bytes(b"owner")
    before = master.read_bytes()
    code, out = run(capsys, "collect", str(master), str(returned))
    assert code == 3 and "正在 Excel 或 WPS 中打开，程序没有写入任何内容" in out
    assert master.read_bytes() == before


def test_every_form_finding_kind_is_exercised_here():
    exercised = {code for *_, code in EXPECTED_FINDINGS} | {
        "form-answer-changed", "form-other-round", "form-other-branch", "form-not-ours", "form-unreadable", "form-unknown-object"}
    assert exercised == {code for code in F.KINDS if code.startswith("form-")}


# --- regressions from the review ---------------------------------------------------------------

def set_setting(data, key, value):
    next(row for row in data[L.SETTINGS] if row["项目"] == key)["值"] = value


@pytest.mark.parametrize("today, cutoff, dated", [
    (dt.date(2027, 1, 10), None, dt.date(2026, 12, 31)),  # collected after 年度结束日期
    (dt.date(2026, 8, 1), dt.date(2026, 6, 15), dt.date(2026, 6, 15)),  # after 积分截止日期
    (dt.date(2025, 12, 20), None, dt.date(2026, 1, 1)),  # before the year begins
    (TODAY, None, TODAY),
])
def test_answers_are_dated_inside_what_scoring_counts(capsys, master, data, today, cutoff, dated):
    run(capsys, "forms", str(master), "--type", "群众评议", "--raters", "1")
    path = fill(master.parent / MASS_FOLDER / copy_name("01"), {"D001": ("优秀", None), "D002": ("合格", None), "D003": ("合格", None)})
    set_setting(data, "积分截止日期", cutoff)
    branch, report = load_data(data, today)
    result = collect.collect([formfiles.read_returned(path)], branch, ROUND, today, report)
    assert [row["评议日期"] for row in result.rows] == [dated] * 3
    assert dated in score(branch, report, branch.settings.cutoff_for(max(today, dated))).span  # counted once the year runs
    note = (f"新增的评议按 {dated.isoformat()} 记录评议日期（今天 {today.isoformat()} 不在本年度的积分统计期内），"
            "以便计入本年度的评议汇总和积分。")
    assert (note in collect.summary_lines(result, MASS_FOLDER, ROUND)) == (dated != today)


def test_no_scored_member_means_no_forms_and_no_folder(capsys, build, data):
    for member in data[L.MEMBERS]:
        member["在册状态"] = "转出"
    master = build(data)
    for kind in ("群众评议", "党员评议支部"):
        code, out = run(capsys, "forms", str(master), "--type", kind, *(["--raters", "3"] if kind == "群众评议" else []))
        assert code == 2
        assert f"“党员名册”中没有在职或离退休、且所在行没有错误的党员，没有生成{forms.FORM_KINDS[kind].title}。" in out
    assert not (master.parent / "评议表").exists()
    assert formfiles.write_handouts(master.parent / "评议表" / "空", []) == [] and not (master.parent / "评议表").exists()


def test_a_copy_that_cannot_be_opened_is_a_finding_not_a_crash(monkeypatch, data, tmp_path):
    def refuse(path, wanted=None):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(formfiles.reader, "read_book", refuse)  # as check_file meets a file it may not open
    form = formfiles.read_returned(tmp_path / "锁住的.xlsx")
    branch, report = load_data(data, TODAY)
    result = collect.collect([form], branch, ROUND, TODAY, report)
    assert [f.describe() for f in result.report.findings] == [
        "[错误] 锁住的.xlsx 无法读取这份评议表：没有写入权限，或文件正被其他程序占用。这份表没有计入；请关闭正在使用它的程序、检查文件的权限后再回收。"]


def test_named_raters_keep_one_copy_per_person_and_say_which_names_repeat(data):
    names = ["刘老师", "陈 阿姨", "陈阿姨", "刘老师", " "]
    assert [(r.label, r.key, r.file_part) for r in forms.named_raters(names)] == [
        ("刘老师", "刘老师", "刘老师"), ("陈 阿姨", "陈阿姨", "陈 阿姨")]
    branch, report = load_data(data, TODAY)
    copies = forms.prepare_handouts(branch, report, forms.MASS, ROUND, TODAY, names=names)
    assert [c.identity.rater for c in copies] == [f"刘老师（{ROUND}）", f"陈阿姨（{ROUND}）"]
    lines = forms.handout_lines(copies, Path("评议表"), Path("master.xlsx"), names=names)
    assert "名单中重复的姓名只生成了一份：陈 阿姨、刘老师。" in lines


@pytest.mark.parametrize("names, shown", [(["张/三", "李四", "张:三"], "张/三、张:三"), (["Amy", "amy"], "Amy、amy")])
def test_names_that_would_get_the_same_file_are_refused(names, shown):
    with pytest.raises(FormError) as raised:
        forms.named_raters(names)
    assert raised.value.user_message().startswith(f"名单中这些姓名会得到同一个文件名，后一份会覆盖前一份：{shown}。")


@pytest.mark.parametrize("text", ["2026上半年.", ".2026", "2026/上", "2026上*", "一" * 21, "  "])
def test_rounds_that_would_not_survive_in_a_file_name_are_refused(text):
    with pytest.raises(ValueError, match=f"轮次“{re.escape(text)}”不能用作文件夹名。请换一个轮次名称"):
        forms.check_round(text)


def test_a_round_is_its_text_without_spaces():
    assert forms.check_round(" ２０２６ 上半年 ") == "2026上半年"


def test_answers_about_a_member_whose_roster_row_has_errors_are_not_counted(capsys, master, data):
    run(capsys, "forms", str(master), "--type", "群众评议", "--raters", "1")
    path = fill(master.parent / MASS_FOLDER / copy_name("01"), {"D001": ("优秀", None), "D002": ("合格", None), "D003": ("合格", None)})
    data[L.MEMBERS][1]["党小组"] = "三组"  # 李四's roster row has an error since: scoring leaves him out
    branch, report = load_data(data, TODAY)
    result = collect.collect([formfiles.read_returned(path)], branch, ROUND, TODAY, report)
    assert [(f.row, f.code, f.value) for f in result.report.findings] == [(5, "form-unknown-object", "D002")]
    assert [row["评议对象"] for row in result.rows] == ["D001", "D003"]


def test_rater_names_from_a_workbook_skip_numbers_and_keep_spaces(tmp_path):
    numbered = tmp_path / "名单.xlsx"
    book = openpyxl.Workbook()
    for row in ([1, "陈 阿姨"], [2, "刘老师"], ["3", "王 五"]):
        book.active.append(row)
    book.save(numbered)
    assert formfiles.read_rater_names(numbered) == ["陈 阿姨", "刘老师", "王 五"]
    headed = tmp_path / "带表头.xlsx"
    book = openpyxl.Workbook()
    for row in (["序号", "单位", "姓名"], [1, "一小", "陈 阿姨"], [2, "二小", "刘老师"]):
        book.active.append(row)
    book.save(headed)
    assert formfiles.read_rater_names(headed) == ["陈 阿姨", "刘老师"]


def test_round_folders_are_the_subfolders_named_for_a_round(tmp_path):
    for name in ("群众评议_2026上半年", "党员评议支部_2026上半年", "~workbench-群众评议_2026下半年", "照片", "群众评议_"):
        (tmp_path / name).mkdir()
    (tmp_path / "群众评议_2025下半年.xlsx").write_bytes(b"a file, not a folder")
    assert [p.name for p in formfiles.round_folders(tmp_path)] == ["党员评议支部_2026上半年", "群众评议_2026上半年"]


# --- tallies -----------------------------------------------------------------------------------

def test_refresh_tallies_the_collected_votes(capsys, master, returned):
    run(capsys, "collect", str(master), str(returned))
    run(capsys, "forms", str(master), "--type", "党员评议支部")
    folder = master.parent / BRANCH_FOLDER
    good = {item: ("满意", None) for item in L.FIVE_GOODS}
    fill(folder / f"党员评议支部_{ROUND}_D001_张三.xlsx", {**good, "群众反映好": ("基本满意", "多听家长意见")})
    fill(folder / f"党员评议支部_{ROUND}_D002_李四.xlsx", {**good, "领导班子好": ("不满意", None)})
    code, out = run(capsys, "collect", str(master), str(folder))
    assert code == 0 and "共 3 份表，计入 2 份，新增评议 10 条" in out
    code, out = run(capsys, "refresh", str(master))
    assert code == 0, out
    rows = rows_of(master, L.EVAL_SUMMARY_SHEET)
    header = next(i for i, row in enumerate(rows) if row[0] == "评议类型")
    assert rows[header] == ["评议类型", "评议对象", "名称", "票数", "优秀", "合格", "基本合格", "不合格",
                            "满意", "基本满意", "不满意", "优秀率", "满意率"]
    assert rows[header + 1:] == [
        ["群众评议党员", "D001", "张三", 4.0, 3.0, 1.0, 0.0, 0.0, "", "", "", 0.75, ""],
        ["群众评议党员", "D002", "李四", 1.0, 0.0, 1.0, 0.0, 0.0, "", "", "", 0.0, ""],
        ["群众评议党员", "D003", "王五", 3.0, 1.0, 0.0, 1.0, 1.0, "", "", "", 0.3333, ""],
        ["党员评议支部", "领导班子好", "", 3.0, "", "", "", "", 2.0, 0.0, 1.0, "", 0.6667],
        ["党员评议支部", "党员队伍好", "", 2.0, "", "", "", "", 2.0, 0.0, 0.0, "", 1.0],
        ["党员评议支部", "工作机制好", "", 2.0, "", "", "", "", 2.0, 0.0, 0.0, "", 1.0],
        ["党员评议支部", "工作业绩好", "", 2.0, "", "", "", "", 2.0, 0.0, 0.0, "", 1.0],
        ["党员评议支部", "群众反映好", "", 2.0, "", "", "", "", 1.0, 1.0, 0.0, "", 0.5],
    ]
    scores = rows_of(master, L.MEMBER_SCORES_SHEET)
    by_id = {row[0]: row for row in scores}
    assert by_id["D003"][scores[2].index("群众评议\n（分）")] == round((5 + 1 + 0) / 3, 2)  # the mean over all votes


def test_refresh_writes_every_assessment_sheet(data):
    result = pipeline.refresh(raw_book(data), TODAY)
    sheets = {s.name: s for s in result.sheets}
    assert list(sheets)[7:] == [*L.FORM_SHEETS, L.EVAL_SUMMARY_SHEET] and list(sheets)[6] == L.ORGLIFE_SHEET
    mass = sheets["群众评议表"]
    assert mass.values()[0][0] == "本表由程序生成，请勿在此输入；下次刷新会覆盖"
    assert [row[1] for row in mass.values()[4:7]] == ["D001", "D002", "D003"]  # 赵六 (转出) is not evaluated
    assert all(cell.style.locked is False for (row, col), cell in mass.cells.items() if col in (5, 6) and row > 3)
    assert [row[1] for row in sheets["党员评议支部表"].values()[4:9]] == list(L.FIVE_GOODS)
    annual = sheets["党员年度考评表"].print_setup
    assert (annual.fit_width, annual.scale, len(annual.page_breaks)) == (False, 85, 2)  # one page per member
    notice = sheets["公示表"].values()
    assert notice[3] == ["序号", "承诺人", "承诺内容"]
    branch_rows = [row for row in notice if row and row[1] == "党支部"]  # one row per 方面, its 层面 in it
    assert [row[2] for row in branch_rows] == [f"【{aspect}】" + "；".join(f"层面{3 * i + k}：内容" for k in (1, 2, 3))
                                               for i, aspect in enumerate(L.ASPECTS)]
    assert "另有 24 项党员承诺尚未审诺，审核后再公示。" in notice[2][0]


def test_a_county_sized_book_gets_notices_instead_of_thousands_of_pages(data, monkeypatch):
    monkeypatch.setattr(forms, "MAX_PRINTED_MEMBERS", 2)  # the clean branch has 3 scored members
    sheets = {s.name: s for s in pipeline.refresh(raw_book(data), TODAY).sheets}
    for name in ("群众评议表", "读书考评表", "承诺评议表", "党员年度考评表"):
        assert sheets[name].values()[3] == [
            "本台账有 3 名计分党员，超过 2 名，逐人打印的“" + name + "”不再生成（打印页数过多）。评议表的发放和回收、评议汇总和积分不受影响。", 3]
    notice = sheets["公示表"].values()
    assert [row[1] for row in notice[4:] if row and isinstance(row[0], int)] == ["党支部"] * 5
    assert len(sheets["评议汇总"].values()) == 3 + 3 + 5  # banner, title, header; 3 members and the five 好


# --- printing and personal data ----------------------------------------------------------------

def test_a_form_and_the_public_notice_print_on_a4(capsys, master, tmp_path):
    run(capsys, "forms", str(master), "--type", "群众评议", "--raters", "1")
    form_pdf = soffice_convert(master.parent / MASS_FOLDER / copy_name("01"), "pdf", tmp_path / "pdf")
    result = pipeline.refresh(raw_book(_with_reviews()), TODAY)
    sheets = {s.name: s for s in result.sheets}
    printed = render_xlsx.write_standalone(tmp_path / "公示表与年度考评表.xlsx", [sheets["公示表"], sheets["党员年度考评表"]])
    notice_pdf = soffice_convert(printed, "pdf", tmp_path / "pdf")
    assert _pages(form_pdf) == (1, "595 x 842")  # A4 portrait, points
    assert _pages(notice_pdf) == (1 + 3, "595 x 842")  # the notice, then one page per scored member
    form_text = _text(form_pdf)
    assert "测试支部 群众评议党员表（2026上半年）" in form_text and "评议人：群众01" in form_text
    assert INFO_SHEET not in form_text and "名单校验码" not in form_text  # the identity is not printed
    assert "公开承诺公示" in _text(notice_pdf)
    for pdf in (form_pdf, notice_pdf):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(pdf.with_suffix(""))], check=True)
        assert pdf.with_name(pdf.stem + "-1.png").stat().st_size > 5000


def _with_reviews():
    from conftest import clean_data

    data = clean_data()
    for promise in data[L.MEMBER_PROMISES][:3]:
        promise["审诺日期"] = dt.date(2026, 3, 2)
    return data


def _pages(pdf) -> tuple[int, str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    size = re.search(r"Page size:\s+([\d.]+ x [\d.]+)", info).group(1)
    return pages, " x ".join(str(round(float(v))) for v in size.split(" x "))


def _text(pdf) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_no_phone_number_in_any_generated_file(capsys, master, returned):
    run(capsys, "forms", str(master), "--type", "党员评议支部")
    run(capsys, "collect", str(master), str(returned))
    run(capsys, "refresh", str(master))
    handed_out = sorted(p for p in (master.parent / "评议表").rglob("*.xlsx") if not p.name.startswith("~$"))
    assert len(handed_out) == 10
    for path in handed_out:
        with zipfile.ZipFile(path) as zf:
            assert not any(PHONE.encode() in zf.read(name) for name in zf.namelist()), path.name
    book = python_calamine.CalamineWorkbook.from_path(str(master))
    generated = [name for name in book.sheet_names if name in L.GENERATED_SHEETS]
    assert len(generated) == len(L.GENERATED_SHEETS)
    for name in generated:
        assert PHONE not in repr(book.get_sheet_by_name(name).to_python()), name
    assert PHONE in repr(book.get_sheet_by_name(L.MEMBERS).to_python())  # it is still kept where staff typed it


def test_collect_given_the_parent_forms_folder_names_the_round_folders(capsys, master):
    run(capsys, "forms", str(master), "--type", "群众评议", "--raters", "2")
    code, out = run(capsys, "collect", str(master), str(master.parent / "评议表"))
    assert code == 2
    assert "“评议表”里是各轮的评议表文件夹，请指明回收哪一个" in out and "评议表/群众评议_2026上半年" in out
