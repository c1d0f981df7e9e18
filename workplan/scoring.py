"""Member and party-group scores (积分) under the rules staff keep in 积分规则.

Pure: a validated `Branch`, the `Report` (rows with errors are left out), the rules and a
cut-off date in; `Scores` out. A record counts when its own date lies between 年度开始日期
and the cut-off (and inside the year). A member's items are capped per rule code and
rounded to hundredths, and the total is the sum of the rounded items, so a row of
个人积分 always adds up. Ranks are competition ranks (1, 1, 3).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from workbook import layout
from workbook.values import code

from .branch import Branch
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


def competition_ranks(totals: list[float]) -> list[int]:
    """1 + the number of strictly greater totals: equal totals share a rank (1, 1, 3)."""
    keys = [round(t, 6) for t in totals]
    ascending = sorted(keys)
    return [1 + len(ascending) - bisect_right(ascending, key) for key in keys]


def score(branch: Branch, report: Report, cutoff: dt.date) -> Scores:
    """Every scored member's items and total, every group's score, ranked."""
    settings = branch.settings
    span = Span(settings.year_start, min(cutoff, settings.year_end))
    rules = read_rules(branch.table(layout.RULES), report.bad_rows(layout.RULES))
    counter = _Counter(branch, report, span, rules)
    members = [_member_score(counter, rules, record) for record in counter.scored_members()]
    for member, rank in zip(members, competition_ranks([m.total for m in members])):
        member.rank = rank
    groups = [_group_score(counter, rules, name, members, cutoff) for name in branch.groups]
    for group, rank in zip(groups, competition_ranks([g.total for g in groups])):
        group.rank = rank
    return Scores(cutoff, span, members, groups, rules)


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


class _Counter:
    """Counts each member's scoring events in the span, skipping rows that failed validation."""

    def __init__(self, branch: Branch, report: Report, span: Span, rules: dict[str, Rule]):
        self.branch, self.report, self.span, self.rules = branch, report, span, rules
        self._events = self._all_events()

    def valid(self, sheet: str) -> Iterable[Record]:
        bad = self.report.bad_rows(sheet)
        return (r for r in self.branch.records(sheet) if r.row not in bad)

    def scored_members(self) -> list[Record]:
        seen, members = set(), []
        for record in self.valid(layout.MEMBERS):
            if record["在册状态"] in layout.SCORED_STATUSES and record["党员编号"] not in seen:
                seen.add(record["党员编号"])
                members.append(record)
        return members

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

    def _done_activities(self) -> dict[str, Record]:
        return {
            r["活动编号"]: r for r in self.valid(layout.ACTIVITIES)
            if r["状态"] == "已完成" and r["实际日期"] in self.span
        }

    def _attendance(self, points) -> None:
        done = self._done_activities()
        for record in self.valid(layout.ATTENDANCE_SHEET):
            activity = done.get(record["活动编号"])
            if activity is None:
                continue
            state = record["出勤"]
            if state == "出席":
                rule_code = "ATTEND_BRANCH" if activity["组织者"] == layout.BRANCH_ORGANIZER else "ATTEND_GROUP"
            else:
                rule_code = ATTEND_CODES.get(state)
            if rule_code:
                points[record["党员编号"]][rule_code] += self._value(rule_code)

    def _reading(self, points) -> None:
        for record in self.valid(layout.READING):
            if record["完成日期"] not in self.span:
                continue
            member = points[record["党员编号"]]
            member["READ_BOOK"] += self._value("READ_BOOK")
            grade_code = READING_CODES.get(record["考评等级"])
            if grade_code:
                member[grade_code] += self._value(grade_code)

    def _promises(self, points) -> None:
        for record in self.valid(layout.MEMBER_PROMISES):
            rule_code = PROMISE_CODES.get(record["兑现情况"])
            if rule_code and record["评诺日期"] in self.span:
                points[record["党员编号"]][rule_code] += self._value(rule_code)

    def _recommendations(self, points) -> None:
        recommenders: dict[str, set] = defaultdict(set)
        for record in self.valid(layout.RECOMMENDATIONS):
            if record["推荐日期"] not in self.span:
                continue
            recommenders[record["党员编号"]].add(record["推荐人"])
            if record["是否表彰"] == "是":
                points[record["党员编号"]]["COMMENDED"] += self._value("COMMENDED")
        for member_id, people in recommenders.items():
            points[member_id]["RECOMMENDED"] += len(people) * self._value("RECOMMENDED")

    def _evaluations(self, points) -> None:
        votes: dict[str, list[str]] = defaultdict(list)
        for record in self.valid(layout.EVALUATIONS):
            if record["评议类型"] == layout.EVAL_MEMBER and record["评议日期"] in self.span and record["等次"] in EVAL_CODES:
                votes[code(record["评议对象"]) or ""].append(record["等次"])
        for member_id, grades in votes.items():
            for grade, count in Counter(grades).items():
                rule_code = EVAL_CODES[grade]
                points[member_id][rule_code] += self._value(rule_code) * count / len(grades)

    def _ledger(self, points) -> None:
        for record in self.valid(layout.LEDGER):
            if record["日期"] in self.span and record["分值"] is not None:
                points[record["党员编号"]]["LEDGER"] += record["分值"] * self._value("LEDGER")

    def group_activities(self, group: str, cutoff: dt.date) -> tuple[int, int]:
        """(completed in the span, overdue at the cut-off) activities organized by `group`."""
        done = overdue = 0
        for record in self.valid(layout.ACTIVITIES):
            if record["组织者"] != group:
                continue
            if record["状态"] == "已完成" and record["实际日期"] in self.span:
                done += 1
            elif record["状态"] not in ("已完成", "已取消") and self._deadline_passed(record, cutoff):
                overdue += 1
        return done, overdue

    def _deadline_passed(self, activity: Record, cutoff: dt.date) -> bool:
        deadline = planned_deadline(self.branch, activity)
        return deadline is not None and self.span.start <= deadline < cutoff


def planned_deadline(branch: Branch, activity: Record) -> dt.date | None:
    """The last planned day of an activity: the end of its (last) planned month, else its 计划日期."""
    if activity["计划月份"]:
        return branch.month_dates(*activity["计划月份"])[1]
    return activity["计划日期"]
