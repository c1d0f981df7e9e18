"""reports.py export: CSV files (UTF-8 with BOM) and one workbook, of a master or a folder, never a phone number."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import reports
from conftest import TODAY, clean_data
from services.create import build_master
from workbook import layout

PHONES = ("13812345678", "13912345678", "0755-12345678")
TABLES = [*layout.INPUT_SHEET_NAMES, "个人积分", "小组积分", "积分历史"]


def branch_data(name: str) -> dict[str, list[dict]]:
    """The clean branch under `name`, with member 007 and phone numbers typed in a note and an activity's 备注."""
    data = clean_data()
    next(row for row in data[layout.SETTINGS] if row["项目"] == "支部名称")["值"] = name
    data[layout.MEMBERS].append({"党员编号": "007", "姓名": "钱七", "性别": "女", "党小组": "二组", "政治面貌": "正式党员",
                                 "在册状态": "离退休", "联系电话": "13912345678", "备注": "家里 0755-12345678"})
    data[layout.ACTIVITIES][0]["备注"] = "联系人 138 1234 5678"
    return data


def run(capsys, *argv):
    code = reports.main([*argv, "--today", TODAY.isoformat()])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out + out.err


def csv_frame(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def no_phone_anywhere(folder: Path) -> None:
    """No phone number in any CSV, nor in any part of the workbook (its XML, shared strings included)."""
    texts = [p.read_bytes().decode("utf-8-sig") for p in folder.glob("*.csv")]
    with zipfile.ZipFile(folder / "党建台账数据.xlsx") as book:
        texts += [book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xml")]
    for text in texts:
        digits = re.sub(r"[\s-]", "", text)
        assert not any(re.sub(r"\D", "", phone) in digits for phone in PHONES)
        assert "联系电话" not in text


def test_export_of_one_master(capsys, tmp_path):
    master = build_master(tmp_path / "台账.xlsx", branch_data("甲支部"))
    code, out = run(capsys, "export", str(master))
    folder = tmp_path / "导出"
    assert code == 0 and f"已导出 {len(TABLES)} 张表（不含手机号）到 {folder}" in out
    assert sorted(p.name for p in folder.iterdir()) == sorted([f"{name}.csv" for name in TABLES] + ["党建台账数据.xlsx"])
    for name in TABLES:
        assert (folder / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    members = csv_frame(folder / "党员名册.csv")
    assert list(members.columns) == ["党员编号", "姓名", "性别", "党小组", "政治面貌", "岗位", "入党日期", "在册状态", "备注",
                                     "行号", "有错误"]
    assert members["党员编号"].tolist() == ["D001", "D002", "D003", "D004", "007"]
    assert members["备注"].tolist()[-1] == "家里 0755-****5678" and members["有错误"].tolist() == ["否"] * 5
    activities = csv_frame(folder / "活动计划.csv")
    assert activities["实际日期"].tolist() == ["2026-03-10", "2026-04-15", ""]
    assert activities["备注"].tolist()[0] == "联系人 138****5678"
    assert csv_frame(folder / "个人积分.csv")[["党员编号", "总分"]].values.tolist() == [
        ["D001", "16.0"], ["D003", "2.0"], ["007", "0.0"], ["D002", "0.0"]]  # equal totals by 编号, as 个人积分
    book = openpyxl.load_workbook(folder / "党建台账数据.xlsx")
    assert book.sheetnames == TABLES
    assert [row[0].value for row in book["党员名册"].iter_rows(min_row=2)] == ["D001", "D002", "D003", "D004", "007"]
    assert book["活动计划"]["G2"].number_format == "yyyy-mm-dd" and book["活动计划"]["G2"].value.year == 2026
    no_phone_anywhere(folder)


def test_export_of_a_folder_puts_the_branches_one_under_the_other(capsys, tmp_path):
    branches = tmp_path / "各支部"
    branches.mkdir()
    build_master(branches / "1甲.xlsx", branch_data("甲支部"))
    build_master(branches / "2乙.xlsx", branch_data("乙支部"))
    (branches / "3坏.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    out_folder = tmp_path / "数据"
    code, out = run(capsys, "export", str(branches), "--out", str(out_folder))
    assert code == 1 and "已跳过：" in out and "3坏.xlsx 已损坏或不是 Excel 工作簿" in out
    members = csv_frame(out_folder / "党员名册.csv")
    assert members.columns[:3].tolist() == ["支部", "文件", "党员编号"]
    assert members[["支部", "文件", "党员编号"]].values.tolist() == [
        *(["甲支部", "1甲.xlsx", code] for code in ("D001", "D002", "D003", "D004", "007")),
        *(["乙支部", "2乙.xlsx", code] for code in ("D001", "D002", "D003", "D004", "007"))]
    scores = csv_frame(out_folder / "个人积分.csv")
    assert scores[["支部", "党员编号", "排名"]].values.tolist()[:2] == [["甲支部", "D001", "1"], ["甲支部", "D003", "2"]]
    assert openpyxl.load_workbook(out_folder / "党建台账数据.xlsx").sheetnames == TABLES
    no_phone_anywhere(out_folder)
    assert not list(branches.glob("导出"))  # --out was given


def test_an_export_with_errors_says_where_they_are_marked(capsys, tmp_path):
    data = branch_data("甲支部")
    data[layout.MEMBERS][1]["性别"] = "男性"
    code, out = run(capsys, "export", str(build_master(tmp_path / "台账.xlsx", data)))
    assert code == 1 and "这些行在“有错误”列标为“是”" in out
    assert csv_frame(tmp_path / "导出" / "党员名册.csv")["有错误"].tolist() == ["否", "是", "否", "否", "否"]


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "不存在.xlsx", "找不到文件"),
    (lambda p: p, "中没有找到总台账"),
])
def test_export_problems_exit_2_in_chinese(capsys, tmp_path, make, message):
    code, out = run(capsys, "export", str(make(tmp_path)))
    assert code == 2 and message in out


def test_an_out_that_is_a_file_is_refused(capsys, tmp_path):
    master = build_master(tmp_path / "台账.xlsx", branch_data("甲支部"))
    code, out = run(capsys, "export", str(master), "--out", str(master))
    assert code == 2 and "--out 请给出存放导出文件的文件夹" in out and not (tmp_path / "导出").exists()


def test_pandas_reads_the_csv_back_as_excel_would(capsys, tmp_path):
    """The BOM is taken as the encoding mark, not as part of the first header."""
    build_master(tmp_path / "台账.xlsx", branch_data("甲支部"))
    run(capsys, "export", str(tmp_path / "台账.xlsx"))
    raw = (tmp_path / "导出" / "党小组.csv").read_bytes()
    first = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig").columns[0]
    assert first == "小组名称" and raw.count(b"\r\n") == 3  # header and the two groups, Windows line ends
