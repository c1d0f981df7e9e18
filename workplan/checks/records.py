"""Checks on single records: reading, ledger and evaluation rows, and dates outside the year."""

from __future__ import annotations

from collections.abc import Iterator

from workbook import layout
from workbook.values import code

from .. import findings as F
from ..branch import Branch
from ..rules import check_rules

# The date that places each kind of record in the year (the spec's counting rule).
YEAR_DATES = (
    (layout.ACTIVITIES, "实际日期"),
    (layout.READING, "完成日期"),
    (layout.MEMBER_PROMISES, "评诺日期"),
    (layout.RECOMMENDATIONS, "推荐日期"),
    (layout.EVALUATIONS, "评议日期"),
    (layout.LEDGER, "日期"),
)


def check_year_dates(branch: Branch) -> Iterator[F.Finding]:
    """A record dated outside the year is a warning: it will not count this year."""
    settings = branch.settings
    for sheet, column in YEAR_DATES:
        table = branch.table(sheet)
        for record in table.records:
            day = record[column]
            if day is not None and not settings.in_year(day):
                yield table.finding(
                    "date-outside-year", record, column, day, start=settings.year_start, end=settings.year_end
                )


def check_reading(branch: Branch) -> Iterator[F.Finding]:
    table = branch.table(layout.READING)
    for record in table.records:
        started, finished = record["开始日期"], record["完成日期"]
        if started and finished and finished < started:
            yield table.finding("reading-order", record, "完成日期", finished, previous_value=started)


def check_ledger(branch: Branch) -> Iterator[F.Finding]:
    table = branch.table(layout.LEDGER)
    for record in table.records:
        if record["事项类别"] == "违规违纪" and (record["分值"] or 0) > 0:
            yield table.finding("ledger-sign", record, "分值", record["分值"])


def check_evaluations(branch: Branch) -> Iterator[F.Finding]:
    """Each vote's object and grade fit its type; one vote per rater, type and object."""
    table = branch.table(layout.EVALUATIONS)
    first_row: dict[tuple, int] = {}
    for record in table.records:
        kind, target, grade = record["评议类型"], record["评议对象"], record["等次"]
        if kind is None:
            continue
        yield from _evaluation_fit(branch, table, record, kind, target, grade)
        key = (kind, record["评议人"], target)
        if None in key:
            continue
        if key in first_row:
            yield table.finding("eval-duplicate", record, "评议对象", target, rater=record["评议人"], first=first_row[key])
        else:
            first_row[key] = record.row


def _evaluation_fit(branch, table, record, kind, target, grade) -> Iterator[F.Finding]:
    member_vote = kind == layout.EVAL_MEMBER
    if target is not None:
        if member_vote and _member_code(target) not in branch.members and "党员编号" in branch.table(layout.MEMBERS).columns:
            yield table.finding("eval-object-member", record, "评议对象", target)
        elif not member_vote and target not in layout.FIVE_GOODS:
            yield table.finding("eval-object-branch", record, "评议对象", target, choices="、".join(layout.FIVE_GOODS))
    grades = layout.MEMBER_GRADES if member_vote else layout.BRANCH_GRADES
    if grade is not None and grade not in grades:
        yield table.finding("eval-grade", record, "等次", grade, kind=kind, choices="、".join(grades))


def _member_code(target: str) -> str:
    return code(target) or ""


def check_rule_codes(branch: Branch) -> Iterator[F.Finding]:
    yield from check_rules(branch.table(layout.RULES))
