"""One rule masks phone numbers, however written, in every output; the master keeps the real ones.

The rule is asserted on a table of writings (masked) and look-alikes (kept). Then numbers
typed into the free text of a small branch, each written another way, are looked for in
everything the commands write or print: generated sheets, form files, the .ics, the
terminal, the log, the report workbook and page. None of them may hold a number; the
input sheets still do.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

import python_calamine
import pytest

import reports
import sync
from workbook import layout as L
from workbook.privacy import mask_phones
from workbook.sheetmodel import SheetModel
from workplan import findings as F
from workplan.privacy import mask_phones as domain_mask

from conftest import TODAY

MASKED = {
    "13823203533": "138****3533", "138-2320-3533": "138****3533", "138 2320 3533": "138****3533",
    "+86 138 2320 3533": "138****3533", "+8613823203533": "138****3533", "8613823203533": "138****3533",
    "0086-138-2320-3533": "138****3533", "0086 13823203533": "138****3533", "(+86)13823203533": "138****3533",
    "＋８６　１３８２３２０３５３３": "138****3533", "１３８２３２０３５３３": "138****3533", "138－2320－3533": "138****3533",
    "电话13823203533。": "电话138****3533。", "Tel:13823203533": "Tel:138****3533", "手机:138.2320.3533": "手机:138****3533",
    "010-12345678": "010-****5678", "(0755)12345678": "0755-****5678", "（0755）12345678": "0755-****5678",
    "0755-1234567": "0755-****4567", "0755 12345678": "0755-****5678", "021-87654321转801": "021-****4321转801",
    "+86-755-12345678": "0755-****5678", "+86 10 12345678": "010-****5678", "07551234567": "0755-****4567",
    "2026-03-05 13823203533": "2026-03-05 138****3533", "13823203533/13923203534": "138****3533/139****3534",
    "联系人张三13823203533李四": "联系人张三138****3533李四",
}
KEPT = [
    "2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", "20260305", "2026-W12", "2026-03-05 至 2026-04-05",
    "D001", "P0001", "A01", "R001", "X-13823", "1,382,320,353", "1382320353.5", "12345678", "1234567",
    "110101199003071234", "金额 13800.50 元", "第 138 号", "13.82", "0.5", "2026-2027", "周一 07:00",
    "2026上半年", "138****3533", "0755-****5678", "ISBN 978-7-02-000220-7", "邮编 518000", "共 13 人 2320 元",
    "2024-11-26 2026-03-13", "00012345678", "版本 1.3.8", "V1.38.2320",
]


@pytest.mark.parametrize("typed, shown", MASKED.items())
def test_every_common_writing_is_masked(typed, shown):
    assert mask_phones(typed) == shown
    assert mask_phones(shown) == shown  # masking is idempotent


@pytest.mark.parametrize("typed", KEPT)
def test_look_alikes_are_kept(typed):
    assert mask_phones(typed) == typed


def test_one_function_for_the_domain_and_the_file_layer():
    assert domain_mask is mask_phones


def test_a_sheet_model_masks_its_text_and_a_form_identity_keeps_it():
    model = SheetModel("公示表")
    model.put(0, 0, "联系 138-2320-3533")
    hidden = SheetModel("_表单信息", verbatim=True)
    hidden.put(0, 0, "13823203533")
    assert model.cells[(0, 0)].value == "联系 138****3533"
    assert hidden.cells[(0, 0)].value == "13823203533"


def test_a_finding_masks_value_message_and_suggestion():
    finding = F.make("bad-choice", L.MEMBERS, row=7, column="性别", col_index=2, value="138-2320-3533", choices="男、女")
    assert finding.value == "138****3533"
    assert finding.describe() == "[错误] 党员名册!C7 “性别”的值“138****3533”不在可选范围内。请从下拉列表中选择：男、女。"


# --- end to end ------------------------------------------------------------------------------------

WRITINGS = {  # typed -> the digits that must never leave the workbook
    "13811110001": "13811110001", "138-1111-0002": "13811110002", "138 1111 0003": "13811110003",
    "+86 138 1111 0004": "13811110004", "+8613811110005": "13811110005", "0086-138-1111-0006": "13811110006",
    "(0755)12340007": "075512340007", "0755-12340008": "075512340008", "（010）12340009": "01012340009",
    "１３８１１１１００１０": "13811110010", "138.1111.0011": "13811110011", "139 1111 0012": "13911110012",
}


def hostile_data(data: dict) -> dict:
    """The clean branch with a number, each written its own way, in free text of every kind."""
    w = list(WRITINGS)
    members = data[L.MEMBERS]
    members[0]["联系电话"] = w[0]
    members[0]["岗位"] = f"语文教师 {w[11]}"
    members[1]["性别"] = w[1]  # a bad value: quoted by a finding
    for number, promise in enumerate(data[L.MEMBER_PROMISES][:12]):
        promise["审诺日期"] = TODAY.replace(month=3, day=6)  # reviewed: on 公示表
    data[L.MEMBER_PROMISES][0]["承诺内容"] = f"课后辅导，家长可打 {w[0]}"
    data[L.MEMBER_PROMISES][1]["承诺内容"] = f"联系方式 {w[2]}"
    data[L.BRANCH_PROMISES][0]["承诺内容"] = f"值班电话 {w[3]}"
    data[L.BRANCH_PROMISES][1]["完成说明"] = f"热线 {w[7]}"
    activity = data[L.ACTIVITIES][2]
    activity.update(活动名称=f"服务社区（报名 {w[4]}）", 地点=f"社区中心 {w[5]}", 备注=f"联系 {w[6]}", 计划日期=TODAY)
    data[L.RECOMMENDATIONS][0]["推荐事迹"] = f"家访 {w[8]}"
    data[L.LEDGER][0]["事由"] = f"县级课题结题 {w[9]}"
    data[L.READING][0]["心得体会"] = f"读后交流 {w[10]}"
    return data


def _squeezed(text: str) -> str:
    """Text with full-width forms folded and the separators of phone numbers removed."""
    return re.sub(r"[\s\-‐－–—()（）+＋.．]", "", unicodedata.normalize("NFKC", text))


def _sheet_text(path: Path, skip: tuple[str, ...] = ()) -> str:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        return "\n".join(str(value) for name in book.sheet_names if name not in skip
                         for row in book.get_sheet_by_name(name).to_python() for value in row)
    finally:
        book.close()


def _leaks(text: str) -> list[str]:
    squeezed = _squeezed(text)
    return [typed for typed, digits in WRITINGS.items() if typed in text or digits in squeezed]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Every output of refresh, forms and reports on the hostile branch: name -> text."""
    import copy

    from services.create import build_master
    from conftest import clean_data

    folder = tmp_path_factory.mktemp("privacy")
    master = build_master(folder / "台账.xlsx", hostile_data(copy.deepcopy(clean_data())))
    printed = []
    today = ["--today", TODAY.isoformat()]
    for argv in (["refresh", str(master)], ["validate", str(master)],
                 ["forms", str(master), "--type", "群众评议", "--raters", "2"],
                 ["forms", str(master), "--type", "党员评议支部"]):
        printed.append(_run(lambda: sync.main([*argv, *today])))
    printed.append(_run(lambda: reports.main([str(master), "--no-pdf", *today])))
    found = {"terminal": "\n".join(printed), "generated sheets": _sheet_text(master, L.INPUT_SHEET_NAMES),
             "log": (folder / "党建台账日志.log").read_text(encoding="utf-8"),
             "ics": (folder / "活动日历.ics").read_bytes().decode("utf-8").replace("\r\n ", "")}
    for path in sorted((folder / "评议表").rglob("*.xlsx")) + sorted((folder / "报表").glob("*.xlsx")):
        found[path.name] = _sheet_text(path) + "\n" + "\n".join(_hidden_parts(path))
    for path in sorted((folder / "报表").glob("*.html")):
        found[path.name] = path.read_text(encoding="utf-8")
    found["master input sheets"] = _sheet_text(master, tuple(L.GENERATED_SHEETS))
    return found


def _run(job) -> str:
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        job()
    return buffer.getvalue()


def _hidden_parts(path: Path) -> list[str]:
    """The very hidden identity sheet of a form is a sheet part too: read every sheet part's raw XML."""
    with zipfile.ZipFile(path) as zf:
        return [zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("xl/worksheets/")]


def test_no_output_holds_a_phone_number(outputs):
    leaks = {name: _leaks(text) for name, text in outputs.items() if name != "master input sheets"}
    assert {name: found for name, found in leaks.items() if found} == {}
    assert len(outputs) >= 10  # terminal, sheets, log, ics, 2+ forms, report workbook and page


def test_the_masked_forms_are_there(outputs):
    sheets = outputs["generated sheets"]
    assert "课后辅导，家长可打 138****0001" in sheets  # 公示表 and 承诺评议表
    assert "值班电话 138****0004" in sheets and "语文教师 139****0012" in sheets
    assert "“性别”的值“138****0002”不在可选范围内" in sheets  # 校验结果
    assert "服务社区（报名 138****0005）" in outputs["ics"] and "社区中心 138****0006" in outputs["ics"]
    assert "联系 0755-****0007" in outputs["ics"] and "语文教师 139****0012" in outputs["群众评议_2026下半年_第01号.xlsx"]
    assert "服务社区（报名 138****0005）" in outputs["测试支部2026年度报表.html"]
    assert "“性别”的值“138****0002”" in outputs["terminal"] and "138****0002" in outputs["log"]


def test_the_input_sheets_keep_the_real_numbers(outputs):
    kept = outputs["master input sheets"]
    assert "13811110001" in kept and "138-1111-0002" in kept and "（010）12340009" in kept



def test_a_form_listing_a_masked_number_is_still_recognised_when_returned(capsys, build, data):
    """The checksum is taken over the list as the form shows it, so a masked 岗位 does not read as an edit."""
    from test_forms import fill

    data[L.MEMBERS][0]["岗位"] = "语文教师 139 1111 0012"
    master = build(data)
    today = ["--today", TODAY.isoformat()]
    assert sync.main(["forms", str(master), "--type", "群众评议", "--raters", "1", *today]) == 0
    folder = master.parent / "评议表" / "群众评议_2026下半年"
    fill(folder / "群众评议_2026下半年_第01号.xlsx", {"D001": ("优秀", ""), "D002": ("合格", "")})
    capsys.readouterr()
    assert sync.main(["collect", str(master), str(folder), *today]) == 0
    out = capsys.readouterr().out
    assert "共 1 份表，计入 1 份，新增评议 2 条" in out and "校验码" not in out
