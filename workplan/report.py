"""The yearly figures for the upper committee (上级党委), computed from one refresh.

Pure: a `Refresh` (validated branch, findings, scores, weekly history) in, a `YearReport`
of plain dataclasses out; nothing here reads a file or the clock. The rules are the
scoring rules, so the report and 个人积分 never disagree:

- the rows and members that count are scoring's own (`workplan.counting.counted`, through
  `scoring.valid_records`): rows with an error that leaves them out do not count, and every
  figure about members — sign-ins and turnout, commitments, recommendations, reading, the
  votes (the refresh's 评议汇总 tally) — counts the scored members only (在职 and 离退休
  with a usable roster row), the same ones 个人积分 lists;
- the span is scoring's: 年度开始日期 to the cut-off (积分截止日期, else today), and a
  record counts when its own date lies in it (活动 实际日期, 书 完成日期, 评诺日期,
  推荐日期, 评议日期); stages and development steps count when dated on or before its end;
- a “十个一” activity is overdue as a group's is (`scoring.activity_overdue`): its deadline
  (计划日期, else the end of its planned month) lies before the cut-off.

What counts comes from `workplan.scoring`'s public helpers (`valid_records`,
`completed_activities`, `counted_books`, `activity_overdue` …), the ones 积分 uses.

Limits: attendance rates are 出席 ÷ the sign-in rows of completed activities (a member
with no row for an activity is not counted as absent); `headline` is what the roll-up
compares across branches. Phone numbers are never
read; `report_tables` passes every text through `workplan.privacy.mask_phones`, in case one
was typed into free text.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from workbook import layout
from workbook.values import months_text

from .branch import Branch
from .checks.development import add_years
from .findings import Report
from .history import pivot
from .orglife import MISSED, period_text
from .pipeline import Refresh
from .records import Record
from .scoring import (
    GroupScore, MemberScore, Span, activity_overdue, competition_ranks_by, completed_activities, counted_attendance,
    counted_books, valid_records,
)
from .tally import Tally, TallyRow

DONE, CANCELLED = layout.DONE, layout.CANCELLED
OVERDUE, PENDING = "逾期", "未到期"
TEN_STATES = (DONE, OVERDUE, CANCELLED, PENDING)
TEN_KIND = "十个一"
NOT_FILLED = "未填写"
READING_LEADERS = 5  # 读书达人: members ranked this high or better (ties included)
# Development stages: the date column that starts the stage, the stage's name, the next step
# and the rule-book's minimum wait (years) before that step, when it has one.
DEV_STAGES = (
    ("申请入党日期", "入党申请人", "确定为入党积极分子", None),
    ("确定积极分子日期", "入党积极分子", "确定为发展对象", 1),
    ("确定发展对象日期", "发展对象", "接收为预备党员", None),
    ("接收预备党员日期", "预备党员", "转为正式党员", 1),
    ("转正日期", "已转正", "", None),
)


class Share(float):
    """A proportion between 0 and 1, shown as a percentage by the renderers."""


def share(part: float, whole: float) -> Share | None:
    """part ÷ whole, or None when there is nothing to divide by."""
    return Share(part / whole) if whole else None


@dataclass(frozen=True)
class TenActivity:
    """One “十个一” activity and where it stands at the cut-off."""

    code: str
    name: str
    organizer: str
    planned: str  # 3月, 4—7月, or the 计划日期
    day: dt.date | None  # 实际日期 when done
    status: str  # one of TEN_STATES


@dataclass(frozen=True)
class Turnout:
    """Sign-ins of one activity, member or group: 出席, 请假, 缺席 and the rate."""

    key: str
    label: str
    group: str
    present: int = 0
    leave: int = 0
    absent: int = 0
    day: dt.date | None = None
    kind: str = ""

    @property
    def total(self) -> int:
        return self.present + self.leave + self.absent

    @property
    def rate(self) -> Share | None:
        return share(self.present, self.total)


@dataclass
class AttendanceFigures:
    activities: list[Turnout]
    members: list[Turnout]
    groups: list[Turnout]

    @property
    def overall(self) -> Turnout:
        """All counted sign-ins of completed activities in the span (the scored members')."""
        rows = self.activities
        return Turnout("", "全部", "", sum(r.present for r in rows), sum(r.leave for r in rows), sum(r.absent for r in rows))


@dataclass
class PromiseFigures:
    """党员承诺: how many reached each stage, and the 兑现情况 of those reviewed in the span."""

    total: int
    reached: dict[str, int]  # 承诺, 审诺, 示诺, 评诺, 议诺 -> commitments dated at that stage
    fulfilment: dict[str, int]  # 已兑现, 部分兑现, 未兑现, 未填写 -> reviewed (评诺日期 in span)

    @property
    def reviewed(self) -> int:
        return sum(self.fulfilment.values())

    @property
    def kept_rate(self) -> Share | None:
        return share(self.fulfilment["已兑现"], self.reviewed)


@dataclass(frozen=True)
class DynamicPromise:
    code: str
    aspect: str
    dimension: str
    content: str
    added: dt.date | None
    status: str


@dataclass
class BranchPromiseFigures:
    """支部承诺 by 方面 and 完成状态, and the items added during the year."""

    by_aspect: dict[str, dict[str, int]]
    dynamic: list[DynamicPromise]

    @property
    def total(self) -> int:
        return sum(sum(states.values()) for states in self.by_aspect.values())

    def count(self, status: str) -> int:
        return sum(states[status] for states in self.by_aspect.values())


@dataclass(frozen=True)
class Reader:
    member_id: str
    name: str
    group: str
    books: int
    excellent: int
    notes: int
    rank: int = 0


@dataclass
class ReadingFigures:
    finished: int  # books finished in the span
    readers: int  # members with at least one
    notes: int  # 笔记篇数 of those books
    reading: int  # books started by the cut-off and not finished in the span
    grades: dict[str, int]  # 考评等级 of the finished books (未填写 included)
    leaders: list[Reader]


@dataclass(frozen=True)
class Recommended:
    member_id: str
    name: str
    group: str
    times: int
    recommenders: int
    commended: int


@dataclass
class RecommendationFigures:
    total: int
    recommenders: int  # distinct 推荐人
    commended: int  # 是否表彰 = 是
    steps: dict[str, int]  # 环节 -> count (未填写 included)
    members: list[Recommended]


@dataclass(frozen=True)
class Votes:
    """Votes by grade (a row of 评议汇总, or their sum); `rate` is the share of the `counted` grade."""

    grades: dict[str, int]
    counted: str  # 优秀 for votes on members, 满意 for votes on the five 好

    @property
    def votes(self) -> int:
        return sum(self.grades.values())

    @property
    def rate(self) -> Share | None:
        return share(self.grades[self.counted], self.votes)


@dataclass(frozen=True)
class MemberVotes(Votes):
    """群众评议党员: the votes on one scored member."""

    member_id: str = ""
    name: str = ""
    group: str = ""

    @property
    def excellent(self) -> int:
        return self.grades["优秀"]


@dataclass(frozen=True)
class GoodVotes(Votes):
    """党员评议支部: the votes on one of the five 好."""

    good: str = ""


@dataclass
class EvaluationFigures:
    on_members: Votes  # 优秀, 合格, 基本合格, 不合格 -> votes on scored members
    members: list[MemberVotes]  # the scored members with votes
    goods: list[GoodVotes]
    on_branch: Votes  # 满意, 基本满意, 不满意 -> votes on the five 好


@dataclass(frozen=True)
class Candidate:
    """One person on the way to membership, their stage and the next milestone."""

    name: str
    stage: str
    since: dt.date
    next_step: str
    earliest: dt.date | None  # by the rule-book's interval, when it sets one
    contact: str

    def due(self, day: dt.date) -> bool:
        """The waiting time is over by `day`."""
        return self.earliest is not None and self.earliest <= day


@dataclass
class Trend:
    """积分历史 as weeks down, groups across."""

    weeks: list[str]
    groups: list[str]
    totals: list[list[float | None]]


@dataclass(frozen=True)
class MeetingCount:
    """One required meeting of the year (组织生活落实): held against required, and the periods missed."""

    name: str
    organizer: str
    period: str  # 每月, 每季度, 每年
    held: int
    required: int
    missed: tuple[str, ...]  # 2026年5月, 2026年第3季度 …

    @property
    def rate(self) -> Share | None:
        return share(self.held, self.required)


@dataclass
class YearReport:
    branch: str
    year_start: dt.date
    year_end: dt.date
    span: Span
    cutoff: dt.date
    today: dt.date
    members: int
    errors: int
    ten: list[TenActivity]
    attendance: AttendanceFigures
    promises: PromiseFigures
    branch_promises: BranchPromiseFigures
    reading: ReadingFigures
    recommendations: RecommendationFigures
    evaluations: EvaluationFigures
    ranking: list[GroupScore]
    trend: Trend
    development: list[Candidate] = field(default_factory=list)
    meetings: list[MeetingCount] = field(default_factory=list)

    def meeting_totals(self) -> tuple[int, int]:
        """(held, required) over every required meeting: the 三会一课 figures of 概况 and the roll-up."""
        return sum(m.held for m in self.meetings), sum(m.required for m in self.meetings)

    def ten_counts(self) -> dict[str, int]:
        counts = Counter(a.status for a in self.ten)
        return {state: counts[state] for state in TEN_STATES}

    def development_counts(self) -> dict[str, int]:
        counts = Counter(c.stage for c in self.development)
        return {stage: counts[stage] for _, stage, _, _ in DEV_STAGES}


def year_report(result: Refresh) -> YearReport:
    """The yearly figures of a refresh that ran (`result.runnable`)."""
    if result.scores is None or result.tally is None:
        raise ValueError("year_report needs a refresh that computed scores (result.runnable)")
    scores = result.scores
    view = _View(result.branch, result.report, scores.span)
    members = {m.member_id: m for m in scores.members}
    weeks, groups, totals = pivot(result.history)
    return YearReport(
        branch=result.branch.settings.branch,
        year_start=result.branch.settings.year_start,
        year_end=result.branch.settings.year_end,
        span=scores.span,
        cutoff=scores.cutoff,
        today=result.today,
        members=len(members),
        errors=len(result.report.errors),
        ten=ten_activities(view, scores.cutoff),
        attendance=attendance(view, members),
        promises=promises(view),
        branch_promises=branch_promises(view),
        reading=reading(view, members),
        recommendations=recommendations(view, members),
        evaluations=evaluations(result.tally, members),
        ranking=sorted(scores.groups, key=lambda g: (g.rank, g.group)),
        trend=Trend(weeks, groups, totals),
        development=development(view),
        meetings=meetings(result),
    )


def meetings(result: Refresh) -> list[MeetingCount]:
    """The 组织生活落实 counts of the refresh, one per required meeting (the same cells as the sheet)."""
    if result.orglife is None:
        return []
    return [MeetingCount(r.title, r.organizer, r.meeting.period, r.held, r.required,
                         tuple(period_text(c.period) for c in r.cells if c.state == MISSED))
            for r in result.orglife.requirements]


class _View:
    """The valid records of each sheet (rows with errors left out, as scoring) and the span."""

    def __init__(self, branch: Branch, report: Report, span: Span):
        self.branch, self.report, self.span = branch, report, span

    def valid(self, sheet: str) -> list[Record]:
        return valid_records(self.branch, self.report, sheet)

    def completed(self) -> dict[str, Record]:
        """Activities completed in the span, by 活动编号 (scoring's `completed_activities`)."""
        return completed_activities(self.branch, self.report, self.span)

    def by_end(self, day: dt.date | None) -> bool:
        """Dated on or before the span's last day."""
        return day is not None and day <= self.span.end


# --- 十个一 ------------------------------------------------------------------------------

def ten_activities(view: _View, cutoff: dt.date) -> list[TenActivity]:
    """Every “十个一” row and its state at the cut-off, as scoring judges group activities."""
    done = view.completed()
    return [
        TenActivity(r["活动编号"], _text(r["活动名称"]), r["组织者"] or "", _planned(r),
                    r["实际日期"] if done.get(r["活动编号"]) is r else None, _ten_state(view, r, done, cutoff))
        for r in view.valid(layout.ACTIVITIES) if r["类别"] == TEN_KIND
    ]


def _ten_state(view: _View, activity: Record, done: dict[str, Record], cutoff: dt.date) -> str:
    if done.get(activity["活动编号"]) is activity:
        return DONE
    if activity["状态"] == CANCELLED:
        return CANCELLED
    return OVERDUE if activity_overdue(view.branch, activity, view.span, cutoff) else PENDING


def _planned(activity: Record) -> str:
    """3月, 4—7月, the 计划日期, or both: 11月（2026-11-06）."""
    months, day = months_text(activity["计划月份"]), activity["计划日期"]
    if months and day:
        return f"{months}（{day.isoformat()}）"
    return months or (day.isoformat() if day else "")


# --- attendance --------------------------------------------------------------------------

def attendance(view: _View, members: dict[str, MemberScore]) -> AttendanceFigures:
    """Turnout by completed activity, by scored member and by their group: the scored members' sign-ins."""
    done = view.completed()
    by_activity: dict[str, Counter] = {key: Counter() for key in done}
    by_member: dict[str, Counter] = {key: Counter() for key in members}
    for record, _ in counted_attendance(view.branch, view.report, view.span):
        by_activity[record["活动编号"]][record["出勤"]] += 1
        if record["党员编号"] in by_member:
            by_member[record["党员编号"]][record["出勤"]] += 1
    by_group: dict[str, Counter] = {name: Counter() for name in view.branch.groups}
    for member_id, counts in by_member.items():
        if members[member_id].group in by_group:
            by_group[members[member_id].group].update(counts)
    activities = [_turnout(key, _text(a["活动名称"]), a["组织者"] or "", by_activity[key], a["实际日期"], a["类别"] or "")
                  for key, a in done.items()]
    people = [_turnout(key, m.name, m.group, by_member[key]) for key, m in members.items()]
    groups = [_turnout(name, name, name, counts) for name, counts in by_group.items()]
    return AttendanceFigures(sorted(activities, key=lambda t: (t.day, t.key)), people, groups)


def _turnout(key: str, label: str, group: str, counts: Counter, day: dt.date | None = None, kind: str = "") -> Turnout:
    return Turnout(key, label, group, counts["出席"], counts["请假"], counts["缺席"], day, kind)


# --- commitments -------------------------------------------------------------------------

def promises(view: _View) -> PromiseFigures:
    """Stages reached by the cut-off, and 兑现情况 of the commitments reviewed in the span."""
    records = [r for r in view.valid(layout.MEMBER_PROMISES) if view.by_end(r["承诺日期"])]
    reached = {stage.removesuffix("日期"): sum(1 for r in records if view.by_end(r[stage])) for stage in layout.PROMISE_STAGES}
    reviewed = (r["兑现情况"] or NOT_FILLED for r in records if r["评诺日期"] in view.span)
    return PromiseFigures(len(records), reached, _counts(layout.FULFILMENTS + (NOT_FILLED,), reviewed))


def branch_promises(view: _View) -> BranchPromiseFigures:
    """支部承诺 by 方面 × 完成状态; a dynamic addition counts once added by the cut-off."""
    by_aspect = {aspect: dict.fromkeys(layout.BRANCH_PROMISE_STATES, 0) for aspect in layout.ASPECTS}
    dynamic = []
    for record in view.valid(layout.BRANCH_PROMISES):
        added = record["承诺方式"] == "动态新增"
        if added and not view.by_end(record["新增日期"]):
            continue
        by_aspect[record["方面"]][record["完成状态"]] += 1
        if added:
            dynamic.append(DynamicPromise(record["承诺编号"], record["方面"], _text(record["工作层面"]),
                                          _text(record["承诺内容"]), record["新增日期"], record["完成状态"]))
    return BranchPromiseFigures(by_aspect, sorted(dynamic, key=lambda d: (d.added, d.code)))


# --- reading -----------------------------------------------------------------------------

def reading(view: _View, members: dict[str, MemberScore]) -> ReadingFigures:
    """The scored members' books finished in the span (as scoring counts them), and the 读书达人 among them."""
    finished = [r for r in counted_books(view.branch, view.report, view.span) if r["党员编号"] in members]
    ongoing = [r for r in view.valid(layout.READING)
               if r["党员编号"] in members and view.by_end(r["开始日期"]) and not view.by_end(r["完成日期"])]
    per_member: dict[str, list[Record]] = defaultdict(list)
    for record in finished:
        per_member[record["党员编号"]].append(record)
    grades = _counts(layout.READING_GRADES + (NOT_FILLED,), (r["考评等级"] or NOT_FILLED for r in finished))
    readers = [_reader(members[key], books) for key, books in per_member.items()]
    return ReadingFigures(len(finished), len(per_member), sum(r.get("笔记篇数", 0) for r in finished), len(ongoing),
                          grades, _leaders(readers))


def _reader(member: MemberScore, books: list[Record]) -> Reader:
    excellent = sum(1 for b in books if b["考评等级"] == "优秀")
    return Reader(member.member_id, member.name, member.group, len(books), excellent, sum(b.get("笔记篇数", 0) for b in books))


def _leaders(readers: list[Reader]) -> list[Reader]:
    """Ranked by books finished, then 优秀 grades, then notes (equal on all three share a rank); rank ≤ 5 kept."""
    ordered = sorted(readers, key=lambda r: (-r.books, -r.excellent, -r.notes, r.member_id))
    ranks = competition_ranks_by([(r.books, r.excellent, r.notes) for r in ordered])
    return [replace(r, rank=rank) for r, rank in zip(ordered, ranks) if rank <= READING_LEADERS]


# --- recommendations ---------------------------------------------------------------------

def recommendations(view: _View, members: dict[str, MemberScore]) -> RecommendationFigures:
    """“我身边的优秀共产党员” recommendations dated in the span, and the commendations."""
    records = [r for r in view.valid(layout.RECOMMENDATIONS) if r["推荐日期"] in view.span]
    steps = _counts(layout.RECOMMEND_STEPS + (NOT_FILLED,), (r["环节"] or NOT_FILLED for r in records))
    per_member: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        per_member[record["党员编号"]].append(record)
    listed = [_recommended(view.branch, key, rows, members) for key, rows in per_member.items()]
    return RecommendationFigures(
        len(records), len({r["推荐人"] for r in records}), sum(1 for r in records if r["是否表彰"] == "是"), steps,
        sorted(listed, key=lambda m: (-m.commended, -m.recommenders, -m.times, m.member_id)),
    )


def _recommended(branch: Branch, member_id: str, rows: list[Record], members: dict[str, MemberScore]) -> Recommended:
    name, group = _who(branch, member_id, members)
    return Recommended(member_id, name, group, len(rows), len({r["推荐人"] for r in rows}),
                       sum(1 for r in rows if r["是否表彰"] == "是"))


def _who(branch: Branch, member_id: str, members: dict[str, MemberScore]) -> tuple[str, str]:
    """Name and group of a member; a 转出 member is still named from the roster."""
    if member_id in members:
        return members[member_id].name, members[member_id].group
    record = branch.members.get(member_id)
    return (_text(record["姓名"]), _text(record["党小组"])) if record else ("", "")


# --- evaluations -------------------------------------------------------------------------

def evaluations(tally: Tally, members: dict[str, MemberScore]) -> EvaluationFigures:
    """The votes as 评议汇总 counts them (dated in the span; every scored member, every 好): 优秀 per member,
    满意 per 好, and the totals of both."""
    listed = [MemberVotes(row.counts, "优秀", member_id=row.target, name=row.label, group=members[row.target].group)
              for row in tally.members if row.votes]
    goods = [GoodVotes(row.counts, "满意", good=row.target) for row in tally.items]
    return EvaluationFigures(_total(tally.members, layout.MEMBER_GRADES, "优秀"), listed, goods,
                             _total(tally.items, layout.BRANCH_GRADES, "满意"))


def _total(rows: list[TallyRow], grades: tuple[str, ...], counted: str) -> Votes:
    return Votes({grade: sum(row.counts[grade] for row in rows) for grade in grades}, counted)


def _counts(keys: Iterable[str], values: Iterable[str]) -> dict[str, int]:
    counts = Counter(values)
    return {key: counts[key] for key in keys}


# --- development -------------------------------------------------------------------------

def development(view: _View) -> list[Candidate]:
    """Each person's stage at the cut-off (the last stage dated by then) and the next milestone."""
    people = []
    for record in view.valid(layout.DEVELOPMENT):
        reached = [stage for stage in DEV_STAGES if view.by_end(record[stage[0]])]
        if reached:
            people.append(_candidate(record, reached[-1]))
    order = [stage for _, stage, _, _ in DEV_STAGES]
    return sorted(people, key=lambda c: (order.index(c.stage), c.since, c.name))


def _candidate(record: Record, stage: tuple[str, str, str, int | None]) -> Candidate:
    column, name, next_step, years = stage
    since = record[column]
    earliest = add_years(since, years) if years else None
    return Candidate(_text(record["姓名"]), name, since, next_step, earliest, _text(record["培养联系人"]))


# --- the figures the roll-up compares ----------------------------------------------------

def headline(report: YearReport) -> list[tuple[str, Any]]:
    """The key figures, in order: the report's 概况 and one row of the roll-up."""
    ten, turnout = report.ten_counts(), report.attendance.overall
    votes, dev = report.evaluations, report.development_counts()
    leaders = [g for g in report.ranking if g.rank == 1]
    return [
        ("计分党员", report.members),
        ("党小组", len(report.ranking)),
        ("十个一计划", len(report.ten)),
        ("十个一已完成", ten[DONE]),
        ("十个一逾期", ten[OVERDUE]),
        ("十个一已取消", ten[CANCELLED]),
        ("十个一完成率", share(ten[DONE], len(report.ten))),
        ("签到人次", turnout.total),
        ("出勤率", turnout.rate),
        ("党员承诺", report.promises.total),
        ("已评诺承诺", report.promises.reviewed),
        ("承诺兑现率", report.promises.kept_rate),
        ("支部承诺", report.branch_promises.total),
        ("支部承诺已完成", report.branch_promises.count("已完成")),
        ("动态新增承诺", len(report.branch_promises.dynamic)),
        ("三会一课应开", report.meeting_totals()[1]),
        ("三会一课已开", report.meeting_totals()[0]),
        ("三会一课落实率", share(*report.meeting_totals())),
        ("读完书目", report.reading.finished),
        ("读书党员", report.reading.readers),
        ("人均读完", round(report.reading.finished / report.members, 2) if report.members else None),
        ("推荐次数", report.recommendations.total),
        ("表彰次数", report.recommendations.commended),
        ("群众评议票数", votes.on_members.votes),
        ("群众评议优秀率", votes.on_members.rate),
        ("评议支部票数", votes.on_branch.votes),
        ("评议支部满意率", votes.on_branch.rate),
        ("第一名小组", "、".join(g.group for g in leaders)),
        ("第一名总分", leaders[0].total if leaders else None),
        *((f"发展：{stage}", count) for stage, count in dev.items()),
    ]


KEY_FIGURES = ("计分党员", "党小组", "十个一完成率", "出勤率", "承诺兑现率", "读完书目", "群众评议优秀率", "评议支部满意率")


def key_figures(report: YearReport) -> list[tuple[str, Any]]:
    """The eight figures 概况 leads with (the rest of `headline` follows them)."""
    figures = dict(headline(report))
    return [(label, figures[label]) for label in KEY_FIGURES]


def summary_sentence(report: YearReport) -> str:
    """The one sentence under 概况's title: the year in words."""
    ten, turnout = report.ten_counts(), report.attendance.overall
    leaders = [g for g in report.ranking if g.rank == 1]
    parts = [f"本年度 {report.members} 名党员、{len(report.ranking)} 个党小组参与计分",
             f"“十个一”计划 {len(report.ten)} 项、已完成 {ten[DONE]} 项" + (f"、逾期 {ten[OVERDUE]} 项" if ten[OVERDUE] else ""),
             f"活动出勤率 {_percent(turnout.rate)}", f"党员承诺兑现率 {_percent(report.promises.kept_rate)}"]
    if leaders:
        parts.append(f"{'、'.join(g.group for g in leaders)}以 {leaders[0].total:.2f} 分居党小组第一")
    return "，".join(parts) + "。"


def _percent(value: Share | None) -> str:
    return "—（尚无记录）" if value is None else f"{value:.1%}"


def _text(value: Any) -> str:
    return "" if value is None else str(value)
