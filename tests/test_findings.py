"""Findings built by keyword and locus, and the regression the notes found in `Table.finding`.

A bad or blank value in column A used to lose its cell: the record being typed is still an
empty dict when its first column is read, and `if record` was false for it, so the finding
had no row and the row was scored although it had an error.
"""

from __future__ import annotations

import pytest

from workbook import layout as L
from workplan import findings as F
from workplan.records import Record, Table

from conftest import load_data


def test_make_takes_its_locus_by_keyword():
    finding = F.make("bad-number", L.LEDGER, row=3, column="分值", col_index=5, value="三分")
    assert finding.flatten() == [F.ERROR, L.LEDGER, "F3", "分值", "三分", "“分值”应是数字：三分", "请只填写数字，如 2 或 -1"]
    with pytest.raises(TypeError):
        F.make("bad-number", L.LEDGER, 3, "分值")  # the locus is keyword-only


def test_a_sheet_finding_has_no_cell():
    assert F.make("missing-sheet", L.MEMBERS).describe() == (
        "[错误] 党员名册 缺少工作表“党员名册”。请恢复该工作表（可从“备份”文件夹中的副本复制），或新建一份总台账后把数据粘贴过去。"
    )


def test_table_finding_on_an_empty_record_keeps_its_row():
    table = Table(L.SPECS[L.LEDGER], columns={"日期": 0, "分值": 5})
    empty = Record(L.LEDGER, 7)
    assert not empty  # the case that used to lose its row
    assert table.finding("bad-date", empty, "日期", "昨天").cell == "A7"


def test_column_finding_names_the_column_only():
    table = Table(L.SPECS[L.BRANCH_PROMISES], columns={"方面": 1})
    finding = table.column_finding("aspect-missing", "方面", "党建引领")
    assert (finding.row, finding.column, finding.letter, finding.cell) == (None, "方面", "B", "")
    assert finding.message == "支部承诺没有覆盖方面“党建引领”"


@pytest.mark.parametrize("sheet, column, typed, code", [
    (L.LEDGER, "日期", "2026-02-30", "bad-date"),
    (L.LEDGER, "日期", None, "required"),
    (L.MEMBERS, "党员编号", None, "required"),
])
def test_first_column_finding_has_its_cell_and_leaves_the_row_out(data, sheet, column, typed, code):
    assert L.SPECS[sheet].headers[0] == column
    data[sheet][0][column] = typed
    _, report = load_data(data)
    assert (sheet, 2, column, code) in report.codes()
    assert next(f for f in report.findings if f.code == code and f.sheet == sheet).cell == "A2"
    assert 2 in report.bad_rows(sheet)
