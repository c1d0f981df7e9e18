"""近期提醒: what needs attention now, as plain rows for the generated sheet.

Pure: the branch, its calendar and `today` in, `Reminder`s out, most urgent first (those
whose deadline has passed, e.g. “预备期已满 148 天，尚未办理转正”, before all others): what falls in the next 14 days, overdue activities, commitments waiting too long at one
stage, 预备党员 whose year of probation ends within 60 days, 积极分子 who reach a year
of training, activities marked 已完成 with nobody signed in, required meetings (三会一课) whose
period ended without them (`workplan.orglife`), and a notice when the official holidays of a
year are not known.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from workbook import layout
from workbook.values import months_text

from .branch import Branch
from .calendar import OVERDUE, PLANNED, SUGGESTED, Calendar
from .checks.development import add_years
from .counting import Counted, stage_reached
from .orglife import MISSED, OrgLife, period_text

AHEAD_DAYS = 14
PROBATION_NOTICE_DAYS = 60
TRAINING_NOTICE_DAYS = 60
# The longest a commitment should wait after each stage before the next one.
STAGE_WAIT_DAYS = {"承诺日期": 30, "审诺日期": 30, "示诺日期": 180, "评诺日期": 60}

SOON, LATE, STAGE, PROBATION, PROBATION_OVER, TRAINING, NO_SIGN_IN, NOTICE, MEETING_MISSED = (
    "近期活动", "逾期活动", "承诺环节", "预备期将满", "预备期已满", "积极分子满一年", "未签到", "日历提示", "会议未开",
)
ORDER = (LATE, PROBATION_OVER, MEETING_MISSED, SOON, PROBATION, TRAINING, STAGE, NO_SIGN_IN, NOTICE)
MAX_NAMES = 200  # names listed in one reminder; a county-sized book says how many more


@dataclass(frozen=True)
class Reminder:
    """One line of 近期提醒. `passed`: its deadline has gone by (shown red, sorted first);
    `names`: the people concerned when they are many (`who` then says how many)."""

    kind: str
    day: dt.date | None
    subject: str
    who: str
    detail: str
    passed: bool = False
    names: str = ""


def reminders(branch: Branch, calendar: Calendar, today: dt.date, counted: Counted,
              orglife: OrgLife | None = None) -> list[Reminder]:
    """All reminders: those whose deadline passed first, then by kind, then by date.

    Commitments and activities are the rows that count (`counted`, as 积分 and the report
    count them); the deadlines of people (预备期, 积极分子) are every roster row not 转出.
    """
    found = [
        *_upcoming(calendar, today),
        *_overdue(calendar),
        *_waiting_commitments(branch, today, counted.rows(layout.MEMBER_PROMISES)),
        *_probation(branch, today),
        *_training(branch, today),
        *_no_sign_in(branch, counted.rows(layout.ACTIVITIES)),
        *_unknown_years(calendar),
        *(_missed_meetings(orglife) if orglife else ()),
    ]
    return sorted(found, key=lambda r: (not r.passed, ORDER.index(r.kind), r.day or dt.date.max, r.subject))


def _upcoming(calendar: Calendar, today: dt.date) -> Iterator[Reminder]:
    until = today + dt.timedelta(days=AHEAD_DAYS)
    for item in calendar.items:
        if item.day and today <= item.day <= until and item.status not in (layout.DONE, layout.CANCELLED):
            note = "建议日期，请确定后填入活动计划" if item.source == SUGGESTED else f"{item.source}日期"
            yield Reminder(SOON, item.day, item.title, item.organizer, note)


def _overdue(calendar: Calendar) -> Iterator[Reminder]:
    """Activities past their deadline (the typed 计划日期, else the end of the planned month)."""
    for item in calendar.activities:
        if item.status == OVERDUE:
            if item.source == PLANNED:
                planned = f"计划日期 {item.day.isoformat()}"
            else:
                planned = "计划" + (months_text(item.months) or (item.day.isoformat() if item.day else ""))
            yield Reminder(LATE, item.day, f"{item.code} {item.title}", item.organizer,
                           f"{planned}，至今未完成也未取消；完成后请把状态改为“已完成”并填写实际日期", passed=True)


def _waiting_commitments(branch: Branch, today: dt.date, records: list) -> Iterator[Reminder]:
    """Per stage: the commitments that have waited there longer than the stage allows, and whose.

    A commitment waits at the last stage dated by today (`counting.stage_reached`); the line
    also says how many wait there in all — for 承诺 the “尚未审诺” of 公示表 and the report.
    """
    waiting: dict[str, list[tuple[str, dt.date]]] = defaultdict(list)
    stages = layout.PROMISE_STAGES
    for record in records:
        last = stage_reached(record, today)
        if last is not None and last != stages[-1]:
            waiting[last].append((record["党员编号"], record[last]))
    for stage, entries in waiting.items():
        late = [(member_id, day) for member_id, day in entries if (today - day).days > STAGE_WAIT_DAYS[stage]]
        if not late:
            continue
        members = list(dict.fromkeys(member_id for member_id, _ in late))
        next_stage = stages[stages.index(stage) + 1].removesuffix("日期")
        yield Reminder(STAGE, min(day for _, day in late), f"承诺停在“{stage.removesuffix('日期')}”",
                       f"{len(members)} 名党员",
                       f"{len(members)} 名党员的 {len(late)} 项承诺已超过 {STAGE_WAIT_DAYS[stage]} 天尚未{next_stage}"
                       f"（尚未{next_stage}的共 {len(entries)} 项），请安排{next_stage}",
                       passed=True, names=_names(branch.member_label(m) for m in members))


def _names(labels, shown: int = MAX_NAMES) -> str:
    """Up to `shown` names, then how many more: a cell stays readable in a county-sized book."""
    labels = list(labels)
    text = "、".join(labels[:shown])
    return text + (f" 等 {len(labels)} 人" if len(labels) > shown else "")


def _probation(branch: Branch, today: dt.date) -> Iterator[Reminder]:
    until = today + dt.timedelta(days=PROBATION_NOTICE_DAYS)
    for record in branch.records(layout.MEMBERS):
        joined = record["入党日期"]
        if record["政治面貌"] == "预备党员" and record["在册状态"] != "转出" and joined:
            ends = add_years(joined, 1)
            if ends <= until:
                yield _probation_reminder(ends, today, branch.member_label(record["党员编号"] or ""), record["党小组"] or "",
                                          f"{joined.isoformat()} 接收为预备党员")
    for record in branch.records(layout.DEVELOPMENT):
        admitted = record["接收预备党员日期"]
        if admitted and not record["转正日期"]:
            ends = add_years(admitted, 1)
            if ends <= until:
                yield _probation_reminder(ends, today, record["姓名"] or "", record["培养联系人"] or "",
                                          f"{admitted.isoformat()} 接收为预备党员")


def _probation_reminder(ends: dt.date, today: dt.date, subject: str, who: str, admitted: str) -> Reminder:
    """预备期将满 (ends today or later), or 预备期已满 N 天 (passed: red, first)."""
    if ends < today:
        days = (today - ends).days
        return Reminder(PROBATION_OVER, ends, subject, who,
                        f"预备期已满 {days} 天，尚未办理转正（{admitted}，{ends.isoformat()} 满一年）；请尽快讨论转正",
                        passed=True)
    when = "今天" if ends == today else f" {ends.isoformat()} "
    return Reminder(PROBATION, ends, subject, who, f"{admitted}，预备期{when}满，请准备转正讨论")


def _training(branch: Branch, today: dt.date) -> Iterator[Reminder]:
    until = today + dt.timedelta(days=TRAINING_NOTICE_DAYS)
    for record in branch.records(layout.DEVELOPMENT):
        activist = record["确定积极分子日期"]
        if activist and not record["确定发展对象日期"]:
            year_on = add_years(activist, 1)
            if year_on <= until:
                state = "已满一年" if year_on <= today else f"{year_on.isoformat()} 满一年"
                yield Reminder(TRAINING, year_on, record["姓名"] or "", record["培养联系人"] or "",
                               f"确定为积极分子 {state}，可考察确定为发展对象")


def _no_sign_in(branch: Branch, activities: list) -> Iterator[Reminder]:
    signed = {r["活动编号"] for r in branch.records(layout.ATTENDANCE_SHEET)}
    for record in activities:
        if record["状态"] == layout.DONE and record["活动编号"] not in signed:
            yield Reminder(NO_SIGN_IN, record["实际日期"], f"{record['活动编号']} {record['活动名称'] or ''}",
                           record["组织者"] or "", "活动已完成，但“活动签到”中没有任何人签到；请补登签到")


def _missed_meetings(orglife: OrgLife) -> Iterator[Reminder]:
    """One row per required meeting that was missed: "2026年第3季度未召开支部党员大会" for one period; for
    several, how many, with the periods in 名单 (a branch that records no meetings gets one row a meeting,
    not one a month: 组织生活落实 shows the grid)."""
    for requirement in orglife.requirements:
        missed = [cell for cell in requirement.cells if cell.state == MISSED]
        if not missed:
            continue
        meeting = requirement.meeting
        words = f"名称含“{meeting.keywords[0]}”" if meeting.keywords else "任意名称"
        periods = [period_text(cell.period) for cell in missed]
        subject = (f"{periods[0]}未召开{requirement.title}" if len(missed) == 1
                   else f"{requirement.title} {len(missed)} 次未召开（{periods[0]}至{periods[-1]}）")
        yield Reminder(MEETING_MISSED, missed[-1].period.last, subject, requirement.organizer,
                       f"按“基本设置”，{meeting.name}{meeting.period}一次；如已召开，请在“活动计划”登记（类别“{meeting.kind}”、"
                       f"{words}、组织者“{requirement.organizer}”），状态改为“已完成”并填写实际日期", passed=True,
                       names="、".join(periods) if len(missed) > 1 else "")


def _unknown_years(calendar: Calendar) -> Iterator[Reminder]:
    for year in calendar.unknown_years:
        yield Reminder(NOTICE, None, f"{year} 年节假日", "",
                       f"{year} 年的法定节假日还没有填入“节假日”表（程序自带的节假日安排里也没有这一年），建议日期只避开了周末；"
                       f"国务院公布放假通知后，请把 {year} 年的法定节假日和调休上班日逐行填入“节假日”表")


def unknown_year_message(calendar: Calendar) -> str:
    """The terminal line about years whose official holidays are not known, or ''."""
    if not calendar.unknown_years:
        return ""
    years = "、".join(str(y) for y in calendar.unknown_years)
    return f"注意：{years} 年的法定节假日安排尚未收录，日历中的建议日期只避开了周末；请把放假通知填入“节假日”表。"
