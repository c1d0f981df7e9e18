"""Checks on commitments: the branch's coverage, each member's set, and the five stages."""

from __future__ import annotations

import re
from collections.abc import Iterator

from workbook import layout

from .. import findings as F
from ..branch import Branch

CARRIED = re.compile("^" + layout.CARRIED_NOTE.format(year=r"\d{4}"))


ITEMS_BY_KIND = {"共性承诺": layout.COMMON_ITEMS, "岗位承诺": layout.POST_ITEMS}


def check_branch_coverage(branch: Branch) -> Iterator[F.Finding]:
    """Branch commitments cover all five aspects and at least 15 work dimensions, once this year's are typed.

    A sheet holding no commitment of this year (empty, or only those `newyear` carried over) is
    not incomplete but not started: one warning says so.
    """
    table = branch.table(layout.BRANCH_PROMISES)
    if not table.present or "方面" not in table.columns:
        return
    if not any(not CARRIED.match(r["完成说明"] or "") for r in table.records):
        yield table.column_finding("promises-not-started", "承诺内容", what="支部承诺",
                                   todo="五个方面、至少 15 个工作层面的支部承诺")
        return
    aspects = {r["方面"] for r in table.records}
    for aspect in layout.ASPECTS:
        if aspect not in aspects:
            yield table.column_finding("aspect-missing", "方面", aspect)
    dimensions = {r["工作层面"] for r in table.records if r["工作层面"]}
    if len(dimensions) < layout.MIN_DIMENSIONS:
        yield table.column_finding(
            "too-few-dimensions", "工作层面", len(dimensions), count=len(dimensions), minimum=layout.MIN_DIMENSIONS,
        )


def check_dynamic_dates(branch: Branch) -> Iterator[F.Finding]:
    """A commitment added during the year (动态新增) says when it was added."""
    table = branch.table(layout.BRANCH_PROMISES)
    for record in table.records:
        if record["承诺方式"] == "动态新增" and record.blank("新增日期"):
            yield table.finding("dynamic-without-date", record, "新增日期")


def check_promise_items(branch: Branch) -> Iterator[F.Finding]:
    """共性 and 岗位 commitments name one of their fixed items."""
    table = branch.table(layout.MEMBER_PROMISES)
    for record in table.records:
        allowed = ITEMS_BY_KIND.get(record["承诺类别"])
        item = record["承诺事项"]
        if allowed and item not in allowed:
            yield table.finding(
                "promise-item" if item else "required", record, "承诺事项", item,
                kind=record["承诺类别"], choices="、".join(allowed),
            )


def check_promise_stages(branch: Branch) -> Iterator[F.Finding]:
    """承诺 → 审诺 → 示诺 → 评诺 → 议诺: each filled stage has all earlier ones, none earlier in time."""
    table = branch.table(layout.MEMBER_PROMISES)
    for record in table.records:
        yield from _stage_order(table, record, layout.PROMISE_STAGES, "stage-missing", "stage-order")
        reviewed, fulfilment = record["评诺日期"], record["兑现情况"]
        if fulfilment and reviewed is None:
            yield table.finding("fulfilment-without-review", record, "兑现情况", fulfilment)
        elif reviewed is not None and record.blank("兑现情况"):
            yield table.finding("review-without-fulfilment", record, "兑现情况")


def _stage_order(table, record, stages, missing_code: str, order_code: str) -> Iterator[F.Finding]:
    """Shared by commitments and the development pipeline: stages filled in order and in time."""
    for index in range(len(stages) - 1, 0, -1):
        column = stages[index]
        if record[column] is None:
            continue
        previous = stages[index - 1]
        if record[previous] is None:
            if record.blank(previous):
                yield table.finding(missing_code, record, column, record[column], previous=previous)
        elif record[column] < record[previous]:
            yield table.finding(
                order_code, record, column, record[column], previous=previous, previous_value=record[previous]
            )


def check_member_sets(branch: Branch) -> Iterator[F.Finding]:
    """Every 在职 member has the five 共性 items, the six 岗位 items and at least one 实事承诺."""
    table = branch.table(layout.MEMBER_PROMISES)
    if not table.present or "承诺类别" not in table.columns:
        return
    if not table.records:
        yield table.column_finding("promises-not-started", "承诺内容", what="党员承诺",
                                   todo="每名在职党员的共性承诺（五带头）、岗位承诺和实事承诺")
        return
    items: dict[str, set[tuple[str, str]]] = {}
    for record in table.records:
        if record["党员编号"]:
            items.setdefault(record["党员编号"], set()).add((record["承诺类别"], record["承诺事项"]))
    for member_id, member in branch.members.items():
        if member["在册状态"] != "在职" or member["政治面貌"] not in layout.STANDINGS:
            continue
        yield from _missing_items(branch, table, member_id, items.get(member_id, set()))


def _missing_items(branch: Branch, table, member_id: str, have: set) -> Iterator[F.Finding]:
    label = branch.member_label(member_id)
    for kind, required in ITEMS_BY_KIND.items():
        missing = [item for item in required if (kind, item) not in have]
        if missing:
            yield table.column_finding("promise-missing", "承诺事项", member_id, member=label, kind=kind,
                                       items="、".join(missing))
    if not any(kind == "实事承诺" for kind, _ in have):
        yield table.column_finding("promise-no-deed", "承诺类别", member_id, member=label)
