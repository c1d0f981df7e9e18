"""Checks that references between sheets resolve: members, groups, organizers, activities.

A reference is checked only against a sheet that is there with its key column: when
党员名册 is missing (or renamed) that one structural finding says it, rather than one
"unknown member" per row of every other sheet.
"""

from __future__ import annotations

from collections.abc import Iterator

from workbook import layout

from .. import findings as F
from ..branch import Branch

MEMBER_SHEETS = (
    layout.MEMBER_PROMISES,
    layout.ATTENDANCE_SHEET,
    layout.READING,
    layout.RECOMMENDATIONS,
    layout.LEDGER,
)


def _known(branch: Branch, sheet: str, key: str) -> bool:
    """The referenced sheet is there with its key column, so an unknown reference is a real one."""
    table = branch.table(sheet)
    return table.present and key in table.columns


def check_member_refs(branch: Branch) -> Iterator[F.Finding]:
    """Every 党员编号 is on the roster; a 姓名 beside it that disagrees is a warning."""
    if not _known(branch, layout.MEMBERS, "党员编号"):
        return
    for sheet in MEMBER_SHEETS:
        table = branch.table(sheet)
        for record in table.records:
            member_id = record["党员编号"]
            if member_id is None:
                continue
            member = branch.members.get(member_id)
            if member is None:
                yield table.finding("unknown-member", record, "党员编号", member_id)
            elif _differs(record["姓名"], member["姓名"]):
                yield table.finding(
                    "name-mismatch", record, "姓名", record["姓名"], member=member_id, expected=member["姓名"]
                )


def _differs(name: str | None, roster_name: str | None) -> bool:
    if not name or not roster_name:
        return False
    return name.replace(" ", "").replace("\u3000", "") != roster_name.replace(" ", "").replace("\u3000", "")


def check_group_refs(branch: Branch) -> Iterator[F.Finding]:
    """A member's 党小组 is a registered group; a scored member without a group is a warning."""
    table = branch.table(layout.MEMBERS)
    if "党小组" not in table.columns:
        return
    for record in table.records:
        group = record["党小组"]
        if group is None:
            if record["在册状态"] in layout.SCORED_STATUSES:
                yield table.finding("no-group", record, "党小组", member=branch.member_label(record["党员编号"] or ""))
        elif group not in branch.groups and _known(branch, layout.GROUPS, "小组名称"):
            yield table.finding("unknown-group", record, "党小组", group)


def check_organizers(branch: Branch) -> Iterator[F.Finding]:
    """An activity's 组织者 is 支部 or a registered group."""
    table = branch.table(layout.ACTIVITIES)
    if not _known(branch, layout.GROUPS, "小组名称"):
        return
    for record in table.records:
        organizer = record["组织者"]
        if organizer is not None and organizer != layout.BRANCH_ORGANIZER and organizer not in branch.groups:
            yield table.finding("unknown-organizer", record, "组织者", organizer)


def check_attendance(branch: Branch) -> Iterator[F.Finding]:
    """Sign-ins name a known, completed activity, once per member."""
    table = branch.table(layout.ATTENDANCE_SHEET)
    activities_known = _known(branch, layout.ACTIVITIES, "活动编号")
    first_row: dict[tuple[str, str], int] = {}
    for record in table.records:
        activity_id, member_id = record["活动编号"], record["党员编号"]
        if activity_id is None:
            continue
        activity = branch.activities.get(activity_id)
        if activity is None and activities_known:
            yield table.finding("unknown-activity", record, "活动编号", activity_id)
        elif activity is not None and activity["状态"] is not None and activity["状态"] != layout.DONE:
            yield table.finding("attendance-not-done", record, "活动编号", activity_id, activity=activity_id, state=activity["状态"])
        if member_id is None:
            continue
        key = (activity_id, member_id)
        if key in first_row:
            yield table.finding(
                "duplicate-attendance", record, "党员编号", member_id,
                member=branch.member_label(member_id), activity=activity_id, first=first_row[key],
            )
        else:
            first_row[key] = record.row
