"""Member and party-group scores (积分) under the rules staff keep in 积分规则.

Pure: a validated `Branch`, the `Report` (rows with errors are left out), the rules and a
cut-off date in; `Scores` out. A record counts when its own date lies between 年度开始日期
and the cut-off (and inside the year). A member's items are capped per rule code and
rounded to hundredths, and the total is the sum of the rounded items, so a row of
个人积分 always adds up. Ranks are competition ranks (1, 1, 3).

What counts is public (`valid_records`, `scored_members`, `counted_attendance`,
`counted_votes` …), all reading `workplan.counting.counted`: 党员年度考评表, 评议汇总, the
hand-outs, the collect check, 近期提醒 and the report use the same functions, so they cannot
disagree with 积分. Everything left out is on `Scores.left_out`, listed below 个人积分.

An activity's deadline is its 计划日期 when one is typed, else the last day of its (last)
planned month (`planned_deadline`): scores and the report compare it with the cut-off
(`activity_overdue`), the calendar and 近期提醒 with today (`calendar.activity_status`).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from workbook import layout
from workbook.values import code

from .branch import Branch
from .counting import LeftOut, counted
from .findings import Report
from .records import Record
from .rules import Rule, read_rules

# The columns of 个人积分: a label and the rule codes whose points it adds up.
MEMBER_ITEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("出席支部活动", ("ATTEND_BRANCH",)),
    ("出席小组活动", ("ATTEND_GROUP",)),
    ("请假", ("LEAVE",)),
    ("缺席", ("ABSENT",)),
    ("读完书目", ("READ_BOOK",)),
    ("读书考评", ("READ_EXCELLENT", "READ_GOOD", "READ_PASS", "READ_FAIL")),
    ("承诺兑现", ("PROMISE_KEPT", "PROMISE_PARTLY", "PROMISE_BROKEN")),
    ("群众推荐", ("RECOMMENDED",)),
    ("获得表彰", ("COMMENDED",)),
    ("群众评议", ("EVAL_EXCELLENT", "EVAL_PASS", "EVAL_BASIC", "EVAL_FAIL")),
    ("加减分", ("LEDGER",)),
)
READING_CODES = dict(zip(layout.READING_GRADES, ("READ_EXCELLENT", "READ_GOOD", "READ_PASS", "READ_FAIL")))
PROMISE_CODES = dict(zip(layout.FULFILMENTS, ("PROMISE_KEPT", "PROMISE_PARTLY", "PROMISE_BROKEN")))
EVAL_CODES = dict(zip(layout.MEMBER_GRADES, ("EVAL_EXCELLENT", "EVAL_PASS", "EVAL_BASIC", "EVAL_FAIL")))
ATTEND_CODES = {"请假": "LEAVE", "缺席": "ABSENT"}


@dataclass(frozen=True)
class Span:
    """The days whose records count: year start to the cut-off, never past the year's end."""

    start: dt.date
    end: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


@dataclass
class MemberScore:
    member_id: str
    name: str
    group: str
    items: dict[str, float]
    total: float = 0.0
    rank: int = 0


@dataclass
class GroupScore:
    group: str
    members: int
    average: float
    done: int
    overdue: int
    activity_points: float
    total: float = 0.0
    rank: int = 0

    @property
    def empty(self) -> bool:
        return self.members == 0


@dataclass
class Scores:
    cutoff: dt.date
    span: Span
    members: list[MemberScore] = field(default_factory=list)
    groups: list[GroupScore] = field(default_factory=list)
    rules: dict[str, Rule] = field(default_factory=dict)
    left_out: list[LeftOut] = field(default_factory=list)  # members and records not counted, and why


def competition_ranks(totals: list[float]) -> list[int]:
    """1 + the number of strictly greater totals: equal totals share a rank (1, 1, 3)."""
    return competition_ranks_by([round(t, 6) for t in totals])


def score(branch: Branch, report: Report, cutoff: dt.date) -> Scores:
    """Every scored member's items and total, every group's score, ranked."""
    settings = branch.settings
    span = Span(settings.year_start, min(cutoff, settings.year_end))
    rules = read_rules(branch.table(layout.RULES), report.bad_rows(layout.RULES))
    counter = _Counter(branch, report, span, rules)
    members = [_member_score(counter, rules, record) for record in scored_members(branch, report)]
    for member, rank in zip(members, competition_ranks([m.total for m in members])):
        member.rank = rank
    groups = [_group_score(counter, rules, name, members, cutoff) for name in branch.groups]
    for group, rank in zip(groups, competition_ranks([g.total for g in groups])):
        group.rank = rank
    return Scores(cutoff, span, members, groups, rules, counted(branch, report).left_out)


def _member_score(counter: "_Counter", rules: dict[str, Rule], member: Record) -> MemberScore:
    raw = counter.points_by_code(member["党员编号"])
    items = {}
    for label, codes in MEMBER_ITEMS:
        items[label] = round(sum(_capped(raw.get(c, 0.0), rules[c]) for c in codes), 2)
    total = round(sum(items.values()), 2)
    return MemberScore(member["党员编号"], member["姓名"] or "", member["党小组"] or "", items, total)


def _capped(points: float, rule: Rule) -> float:
    """At most 上限 points; for a deduction, at most 上限 points deducted."""
    if rule.cap is None:
        return points
    cap = abs(rule.cap)
    return min(points, cap) if points >= 0 else max(points, -cap)


def _group_score(counter: "_Counter", rules: dict[str, Rule], name: str, members: list[MemberScore], cutoff: dt.date) -> GroupScore:
    totals = [m.total for m in members if m.group == name]
    average = round(sum(totals) / len(totals), 2) if totals else 0.0
    done, overdue = counter.group_activities(name, cutoff)
    activity = round(_capped(done * rules["GROUP_ACTIVITY_DONE"].value, rules["GROUP_ACTIVITY_DONE"])
                     + _capped(overdue * rules["GROUP_ACTIVITY_OVERDUE"].value, rules["GROUP_ACTIVITY_OVERDUE"]), 2)
    return GroupScore(name, len(totals), average, done, overdue, activity, round(average + activity, 2))


# --- what counts: one definition for 积分, 年度考评表, 评议汇总 and the forms ----------------------

def valid_records(branch: Branch, report: Report, sheet: str) -> list[Record]:
    """The rows of `sheet` that count (`counting.Counted.rows`): the only rows any count uses.

    Rows with an error that leaves them out are not among them, nor, on a sheet that names a
    member, the rows of members who are not scored.
    """
    return counted(branch, report).rows(sheet)


def scored_members(branch: Branch, report: Report) -> list[Record]:
    """The roster rows of the scored members, in roster order: 在职 or 离退休, their 党员编号,
    党小组 and 在册状态 usable (an error in another roster column is reported, the member scored);
    of a repeated 党员编号 only the first row counts. 转出 members are never scored."""
    return counted(branch, report).members


def scored_member_ids(branch: Branch, report: Report) -> set[str]:
    """The 党员编号 of the scored members (see `scored_members`)."""
    return set(counted(branch, report).ids)


def left_out_members(branch: Branch, report: Report) -> list[Record]:
    """Roster rows not scored because of their errors: not 转出, and their 党员编号 not scored otherwise."""
    bad, scored = report.bad_rows(layout.MEMBERS), scored_member_ids(branch, report)
    return [r for r in branch.records(layout.MEMBERS)
            if r.row in bad and r["在册状态"] != "转出" and r["党员编号"] not in scored]


def completed_activities(branch: Branch, report: Report, span: Span) -> dict[str, Record]:
    """Valid activities 已完成 with their 实际日期 in the span, by 活动编号."""
    return {r["活动编号"]: r for r in valid_records(branch, report, layout.ACTIVITIES)
            if r["状态"] == layout.DONE and r["实际日期"] in span}


def counted_attendance(branch: Branch, report: Report, span: Span) -> list[tuple[Record, Record]]:
    """(sign-in, its activity) for each valid sign-in of an activity completed in the span."""
    done = completed_activities(branch, report, span)
    return [(r, done[r["活动编号"]]) for r in valid_records(branch, report, layout.ATTENDANCE_SHEET) if r["活动编号"] in done]


def counted_books(branch: Branch, report: Report, span: Span) -> list[Record]:
    """Valid 读书记录 rows whose 完成日期 lies in the span."""
    return [r for r in valid_records(branch, report, layout.READING) if r["完成日期"] in span]


def reviewed_promises(branch: Branch, report: Report, span: Span) -> list[Record]:
    """Valid member commitments evaluated in the span: a 兑现情况 of the list and 评诺日期 in the span."""
    return [r for r in valid_records(branch, report, layout.MEMBER_PROMISES)
            if r["兑现情况"] in layout.FULFILMENTS and r["评诺日期"] in span]


@dataclass
class Recommended:
    """One member's recommendations in the span: the distinct 推荐人 and the rows with 是否表彰 = 是."""

    people: set = field(default_factory=set)
    commended: int = 0


def counted_recommendations(branch: Branch, report: Report, span: Span) -> dict[str, Recommended]:
    """Per 党员编号, the valid recommendations whose 推荐日期 lies in the span."""
    found: dict[str, Recommended] = defaultdict(Recommended)
    for record in valid_records(branch, report, layout.RECOMMENDATIONS):
        if record["推荐日期"] in span:
            member = found[record["党员编号"]]
            member.people.add(record["推荐人"])
            member.commended += int(record["是否表彰"] == "是")
    return found


GRADES_OF = {layout.EVAL_MEMBER: layout.MEMBER_GRADES, layout.EVAL_BRANCH: layout.BRANCH_GRADES}


def counted_votes(branch: Branch, report: Report, span: Span) -> dict[tuple[str, str], list[str]]:
    """(评议类型, 评议对象) -> the grades of the valid votes dated in the span, in sheet order.

    A member is named by the 党员编号 as a code (d001 -> D001); a vote whose grade is not
    one of its type's grades is not counted.
    """
    votes: dict[tuple[str, str], list[str]] = defaultdict(list)
    for record in valid_records(branch, report, layout.EVALUATIONS):
        kind = record["评议类型"]
        if record["评议日期"] in span and record["等次"] in GRADES_OF.get(kind, ()):
            target = code(record["评议对象"]) if kind == layout.EVAL_MEMBER else record["评议对象"]
            votes[(kind, target or "")].append(record["等次"])
    return votes


class _Counter:
    """Counts each member's scoring events in the span, from what counts (see above)."""

    def __init__(self, branch: Branch, report: Report, span: Span, rules: dict[str, Rule]):
        self.branch, self.report, self.span, self.rules = branch, report, span, rules
        self.activities = valid_records(branch, report, layout.ACTIVITIES)
        self._events = self._all_events()

    def points_by_code(self, member_id: str) -> dict[str, float]:
        return self._events.get(member_id, {})

    def _all_events(self) -> dict[str, dict[str, float]]:
        points: dict[str, Counter] = defaultdict(Counter)
        self._attendance(points)
        self._reading(points)
        self._promises(points)
        self._recommendations(points)
        self._evaluations(points)
        self._ledger(points)
        return points

    def _value(self, rule_code: str) -> float:
        return self.rules[rule_code].value

    def _attendance(self, points) -> None:
        for record, activity in counted_attendance(self.branch, self.report, self.span):
            state = record["出勤"]
            if state == "出席":
                rule_code = "ATTEND_BRANCH" if activity["组织者"] == layout.BRANCH_ORGANIZER else "ATTEND_GROUP"
            else:
                rule_code = ATTEND_CODES.get(state)
            if rule_code:
                points[record["党员编号"]][rule_code] += self._value(rule_code)

    def _reading(self, points) -> None:
        for record in counted_books(self.branch, self.report, self.span):
            member = points[record["党员编号"]]
            member["READ_BOOK"] += self._value("READ_BOOK")
            grade_code = READING_CODES.get(record["考评等级"])
            if grade_code:
                member[grade_code] += self._value(grade_code)

    def _promises(self, points) -> None:
        for record in reviewed_promises(self.branch, self.report, self.span):
            rule_code = PROMISE_CODES[record["兑现情况"]]
            points[record["党员编号"]][rule_code] += self._value(rule_code)

    def _recommendations(self, points) -> None:
        for member_id, found in counted_recommendations(self.branch, self.report, self.span).items():
            points[member_id]["COMMENDED"] += found.commended * self._value("COMMENDED")
            points[member_id]["RECOMMENDED"] += len(found.people) * self._value("RECOMMENDED")

    def _evaluations(self, points) -> None:
        for (kind, member_id), grades in counted_votes(self.branch, self.report, self.span).items():
            if kind != layout.EVAL_MEMBER:
                continue
            for grade, count in Counter(grades).items():
                rule_code = EVAL_CODES[grade]
                points[member_id][rule_code] += self._value(rule_code) * count / len(grades)

    def _ledger(self, points) -> None:
        for record in valid_records(self.branch, self.report, layout.LEDGER):
            if record["日期"] in self.span and record["分值"] is not None:
                points[record["党员编号"]]["LEDGER"] += record["分值"] * self._value("LEDGER")

    def group_activities(self, group: str, cutoff: dt.date) -> tuple[int, int]:
        """(completed in the span, overdue at the cut-off) activities organized by `group`."""
        done = overdue = 0
        for record in self.activities:
            if record["组织者"] != group:
                continue
            if record["状态"] == layout.DONE and record["实际日期"] in self.span:
                done += 1
            elif activity_overdue(self.branch, record, self.span, cutoff):
                overdue += 1
        return done, overdue


def planned_deadline(branch: Branch, activity: Record) -> dt.date | None:
    """The deadline of an activity: its 计划日期 when one is typed, else the last day of its (last)
    planned month (GROUP_ACTIVITY_OVERDUE in the spec); None without either."""
    if activity["计划日期"]:
        return activity["计划日期"]
    if activity["计划月份"]:
        return branch.month_dates(*activity["计划月份"])[1]
    return None


def activity_overdue(branch: Branch, activity: Record, span: Span, cutoff: dt.date) -> bool:
    """Neither 已完成 nor 已取消, and its deadline lies in the span before the cut-off (as a group's overdue)."""
    deadline = planned_deadline(branch, activity)
    return activity["状态"] not in (layout.DONE, layout.CANCELLED) and deadline is not None and span.start <= deadline < cutoff


def competition_ranks_by(keys: list) -> list[int]:
    """Competition ranks of comparable keys (tuples too), greater first: equal keys share a rank (1, 1, 3)."""
    ascending = sorted(keys)
    return [1 + len(ascending) - bisect_right(ascending, key) for key in keys]
