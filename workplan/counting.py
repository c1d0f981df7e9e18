"""Who and what counts: one definition for 积分, the forms, 评议汇总, 年度考评表, 近期提醒 and the report.

A member is scored when the roster row can be used — its 党员编号, 党小组 and 在册状态 have
no error (`layout.MEMBER_KEY_COLUMNS`; a wrong 性别 or 入党日期 is reported, the member still
scored) — and 在册状态 is 在职 or 离退休; of a repeated 党员编号 the first row counts. A record
counts when its row has no error that leaves it out (`Finding.excludes_row`) and, on a sheet
that names a member, that member is scored. `counted` computes this once per validation and
every figure reads its rows (`Counted.rows`), so no two sheets can count differently.

Everything left out is listed (`Counted.left_out`, shown below 个人积分's table) with the
reason and the cell, so the totals can always be explained: roster rows not scored, scored
members in no group (they count for themselves, not in a group's average), rows with an
error, and records of members who are not scored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from workbook import layout
from workbook.values import code

from .branch import Branch
from .checks.references import MEMBER_SHEETS
from .findings import Finding, Report
from .records import Record

# The sheets whose rows feed a score or a figure: the ones whose errors leave rows out.
COUNTED_SHEETS = frozenset({
    layout.MEMBERS, layout.ACTIVITIES, layout.ATTENDANCE_SHEET, layout.READING, layout.RECOMMENDATIONS,
    layout.EVALUATIONS, layout.LEDGER, layout.MEMBER_PROMISES, layout.RULES,
})
MEMBER, GROUP, RECORD = "党员", "小组", "记录"
TRANSFERRED = "在册状态为“转出”，不计分"
NO_GROUP = "未填写党小组：计个人积分，不计入小组平均分"


@dataclass(frozen=True)
class LeftOut:
    """One member or record not counted (or not counted in a group), and why."""

    kind: str  # 党员, 小组 or 记录
    sheet: str
    row: int
    cell: str  # like H31
    member_id: str
    name: str
    reason: str


@dataclass
class Counted:
    """The scored members, the rows that count on each sheet, and what was left out."""

    branch: Branch
    report: Report
    members: list[Record]
    ids: frozenset[str]
    left_out: list[LeftOut] = field(default_factory=list)
    _rows: dict[str, list[Record]] = field(default_factory=dict)

    def rows(self, sheet: str) -> list[Record]:
        """The rows of `sheet` that count: without an excluding error, of a scored member where
        the sheet names one (党员名册: the scored members themselves)."""
        if sheet not in self._rows:
            self._rows[sheet] = self._counted_rows(sheet)
        return self._rows[sheet]

    def _counted_rows(self, sheet: str) -> list[Record]:
        if sheet == layout.MEMBERS:
            return self.members
        bad = self.report.bad_rows(sheet)
        records = [r for r in self.branch.records(sheet) if r.row not in bad]
        if sheet in MEMBER_SHEETS:
            return [r for r in records if r["党员编号"] in self.ids]
        if sheet == layout.EVALUATIONS:
            return [r for r in records if not _vote_on_unscored(self.branch, r, self.ids)]
        return records


def counted(branch: Branch, report: Report) -> Counted:
    """Who and what counts in this branch under this validation (computed once, then remembered)."""
    memo = branch.memo.get("counted")
    if memo is not None and memo.report is report:
        return memo
    members = _scored_members(branch, report)
    result = Counted(branch, report, members, frozenset(m["党员编号"] for m in members))
    result.left_out = _left_out(result)
    branch.memo["counted"] = result
    return result


def _scored_members(branch: Branch, report: Report) -> list[Record]:
    bad, seen, members = report.bad_rows(layout.MEMBERS), set(), []
    for record in branch.records(layout.MEMBERS):
        member_id = record["党员编号"]
        if record.row in bad or record["在册状态"] not in layout.SCORED_STATUSES or member_id in seen:
            continue
        seen.add(member_id)
        members.append(record)
    return members


def _vote_on_unscored(branch: Branch, record: Record, ids: frozenset[str]) -> bool:
    """A 群众评议党员 vote on a roster member who is not scored (转出, or left out)."""
    if record["评议类型"] != layout.EVAL_MEMBER:
        return False
    target = code(record["评议对象"])
    return target in branch.members and target not in ids


# --- what was left out -------------------------------------------------------------------

def _left_out(result: Counted) -> list[LeftOut]:
    """Roster rows not scored, scored members without a group, rows with errors, records of unscored members."""
    branch, first_error = result.branch, _first_excluding(result.report)
    found = [*_roster_left_out(result, first_error), *_without_group(result)]
    for sheet in layout.INPUT_SHEET_NAMES:
        if sheet in COUNTED_SHEETS and sheet != layout.MEMBERS:
            found.extend(_rows_left_out(result, sheet, first_error))
    return found


def _first_excluding(report: Report) -> dict[tuple[str, int], Finding]:
    first: dict[tuple[str, int], Finding] = {}
    for finding in report.findings:
        if finding.excludes_row:
            first.setdefault((finding.sheet, finding.row), finding)
    return first


def _roster_left_out(result: Counted, first_error: dict[tuple[str, int], Finding]) -> list[LeftOut]:
    table, found = result.branch.table(layout.MEMBERS), []
    scored_rows = {m.row for m in result.members}
    for record in table.records:
        if record.row in scored_rows:
            continue
        error = first_error.get((layout.MEMBERS, record.row))
        if error is not None:
            found.append(_line(MEMBER, record, error.cell, error.message))
        elif record["在册状态"] == "转出":
            found.append(_line(MEMBER, record, _cell(table, record, "在册状态"), TRANSFERRED))
    return found


def _without_group(result: Counted) -> list[LeftOut]:
    table = result.branch.table(layout.MEMBERS)
    return [_line(GROUP, m, _cell(table, m, "党小组"), NO_GROUP) for m in result.members if not m["党小组"]]


def _rows_left_out(result: Counted, sheet: str, first_error: dict[tuple[str, int], Finding]) -> list[LeftOut]:
    """Each row with an error, and once per member the rows of a member who is not scored."""
    table, counted_rows = result.branch.table(sheet), {r.row for r in result.rows(sheet)}
    found, unscored = [], {}
    for record in table.records:
        error = first_error.get((sheet, record.row))
        if error is not None:
            found.append(_line(RECORD, record, error.cell, error.message, result.branch))
        elif record.row not in counted_rows:
            member_id = record["党员编号"] if sheet in MEMBER_SHEETS else code(record["评议对象"])
            unscored.setdefault(member_id, []).append(record)
    column = "评议对象" if sheet == layout.EVALUATIONS else "党员编号"
    for member_id, records in unscored.items():
        reason = (f"党员 {member_id} 不计分，这条记录不计入" if len(records) == 1
                  else f"党员 {member_id} 不计分，本表中该党员的 {len(records)} 条记录都不计入（此为第一条）")
        found.append(_line(RECORD, records[0], _cell(table, records[0], column), reason, result.branch, member_id))
    return found


def _line(kind: str, record: Record, cell: str, reason: str, branch: Branch | None = None,
          member_id: str | None = None) -> LeftOut:
    member_id = member_id or record["党员编号"] or ""
    name = record["姓名"] or (branch.members[member_id]["姓名"] if branch and member_id in branch.members else None)
    return LeftOut(kind, record.sheet, record.row, cell, member_id, name or "", reason)


def _cell(table, record: Record, column: str) -> str:
    index = table.col(column)
    return f"{layout.column_letter(index)}{record.row}" if index is not None else str(record.row)


# --- the stages of a commitment ------------------------------------------------------------

def stage_reached(record: Record, day: dt.date) -> str | None:
    """The last of 承诺, 审诺, 示诺, 评诺, 议诺 (their date columns) dated on or before `day`."""
    reached = None
    for stage in layout.PROMISE_STAGES:
        if record[stage] is not None and record[stage] <= day:
            reached = stage
        else:
            break
    return reached


def awaiting_review(records: list[Record], day: dt.date) -> list[Record]:
    """The commitments made by `day` and not yet reviewed (审诺) by then.

    The one question 公示表 (today), 近期提醒 (today) and the report (the cut-off) answer with
    “尚未审诺”, over the same counted rows (`Counted.rows(党员承诺)`).
    """
    return [r for r in records if stage_reached(r, day) == layout.PROMISE_STAGES[0]]
