"""党员年度考评表: the facts of each scored member's year, as blocks for the renderer.

Pure: the validated branch, its report, the scores and the tally in; one `AnnualBlock`
per scored member (roster order) out: the heading (编号, 姓名, 党小组, 政治面貌, 岗位,
总分与排名), the score items, attendance, commitments by 兑现情况, books read,
recommendations and the 群众评议 votes. What counts is scoring's own (`scoring.counted_*`,
`reviewed_promises`): rows without errors, dated in the span, so the sheet cannot
disagree with 积分. A commitment still 待评诺 has no 评诺 in the span yet (none, or one
after the cut-off); one evaluated before the year began is not this year's and is left
out. Never a phone number.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from workbook import layout

from .branch import Branch
from .findings import Report
from .scoring import (MemberScore, Recommended, Scores, Span, counted_attendance, counted_books, counted_recommendations,
                      reviewed_promises, valid_records)
from .sheets.forms import AnnualBlock
from .tally import Tally, TallyRow

NONE = "无"


class _Facts:
    """Per-member counts of one branch's year."""

    def __init__(self, branch: Branch, report: Report, span: Span):
        self.attendance: dict[str, Counter] = defaultdict(Counter)
        for record, _ in counted_attendance(branch, report, span):
            self.attendance[record["党员编号"]][record["出勤"]] += 1
        self.promises, self.pending = _promises(branch, report, span)
        self.books: dict[str, list[str]] = defaultdict(list)
        for record in counted_books(branch, report, span):
            grade = f"（{record['考评等级']}）" if record["考评等级"] else ""
            self.books[record["党员编号"]].append(f"{record['书名']}{grade}")
        self.recommended = counted_recommendations(branch, report, span)


def _promises(branch: Branch, report: Report, span: Span) -> tuple[dict[str, Counter], Counter]:
    """(evaluated commitments by 兑现情况, commitments 待评诺) per member."""
    evaluated: dict[str, Counter] = defaultdict(Counter)
    reviewed = reviewed_promises(branch, report, span)
    for record in reviewed:
        evaluated[record["党员编号"]][record["兑现情况"]] += 1
    done = {record.row for record in reviewed}
    pending: Counter = Counter()
    for record in valid_records(branch, report, layout.MEMBER_PROMISES):
        day = record["评诺日期"]
        if record.row not in done and (day is None or day >= span.start):
            pending[record["党员编号"]] += 1
    return evaluated, pending


def annual_blocks(branch: Branch, report: Report, scores: Scores, result: Tally) -> list[AnnualBlock]:
    """One block per scored member, in roster order."""
    facts = _Facts(branch, report, scores.span)
    votes = {row.target: row for row in result.members}
    return [_block(branch, facts, member, len(scores.members), votes.get(member.member_id)) for member in scores.members]


def _block(branch: Branch, facts: _Facts, member: MemberScore, count: int, votes: TallyRow | None) -> AnnualBlock:
    record = branch.members.get(member.member_id)
    heading = [
        ("党员编号", member.member_id), ("姓名", member.name), ("党小组", member.group or NONE),
        ("政治面貌", (record and record["政治面貌"]) or ""), ("岗位", (record and record["岗位"]) or ""),
        ("总分 / 排名", f"{member.total:.2f} 分 / 第 {member.rank} 名（共 {count} 人）"),
    ]
    return AnnualBlock(heading, [
        ("一、积分明细（分）", list(member.items.items())),
        ("二、活动出勤（已完成的活动，次）", [(state, facts.attendance[member.member_id][state]) for state in layout.ATTENDANCE]),
        ("三、公开承诺（项）", _promise_pairs(facts, member.member_id)),
        ("四、读书", [("读完书目", len(facts.books[member.member_id])), ("书目与考评", "；".join(facts.books[member.member_id]) or NONE)]),
        ("五、我身边的优秀共产党员", _recommendation_pairs(facts.recommended.get(member.member_id, Recommended()))),
        ("六、群众评议（票）", _vote_pairs(votes)),
    ])


def _promise_pairs(facts: _Facts, member_id: str) -> list[tuple[str, int]]:
    evaluated = facts.promises[member_id]
    pairs = [(state, evaluated[state]) for state in layout.FULFILMENTS]
    return [("承诺总数", sum(evaluated.values()) + facts.pending[member_id]), *pairs, ("待评诺", facts.pending[member_id])]


def _recommendation_pairs(found: Recommended) -> list[tuple[str, int]]:
    return [("推荐人数", len(found.people)), ("获表彰次数", found.commended)]


def _vote_pairs(votes: TallyRow | None) -> list[tuple[str, object]]:
    counts = votes.counts if votes else {}
    share = votes.share("优秀") if votes else None
    pairs: list[tuple[str, object]] = [(grade, counts.get(grade, 0)) for grade in layout.MEMBER_GRADES]
    return pairs + [("票数", votes.votes if votes else 0), ("优秀率", f"{share:.1%}" if share is not None else NONE)]
