"""党员年度考评表: the facts of each scored member's year, as blocks for the renderer.

Pure: the validated branch, its report, the scores and the tally in; one `AnnualBlock`
per scored member (roster order) out: the heading (编号, 姓名, 党小组, 政治面貌, 岗位,
总分与排名), the score items, attendance, commitments by 兑现情况, books read,
recommendations and the 群众评议 votes. Counting follows scoring: rows without errors,
dated in the span (a commitment counts as evaluated when its 评诺日期 is in the span).
Never a phone number.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from workbook import layout

from .branch import Branch
from .findings import Report
from .records import Record
from .scoring import MemberScore, Scores, Span
from .sheets.forms import AnnualBlock
from .tally import Tally, TallyRow

NONE = "无"


class _Facts:
    """Per-member counts of one branch's year."""

    def __init__(self, branch: Branch, report: Report, span: Span):
        self.branch, self.report, self.span = branch, report, span
        self.attendance = self._attendance()
        self.promises, self.pending = self._promises()
        self.books = self._books()
        self.recommenders, self.commended = self._recommendations()

    def valid(self, sheet: str) -> Iterable[Record]:
        bad = self.report.bad_rows(sheet)
        return (r for r in self.branch.records(sheet) if r.row not in bad)

    def _attendance(self) -> dict[str, Counter]:
        done = {r["活动编号"] for r in self.valid(layout.ACTIVITIES) if r["状态"] == "已完成" and r["实际日期"] in self.span}
        found: dict[str, Counter] = defaultdict(Counter)
        for record in self.valid(layout.ATTENDANCE_SHEET):
            if record["活动编号"] in done:
                found[record["党员编号"]][record["出勤"]] += 1
        return found

    def _promises(self) -> tuple[dict[str, Counter], Counter]:
        evaluated: dict[str, Counter] = defaultdict(Counter)
        pending: Counter = Counter()
        for record in self.valid(layout.MEMBER_PROMISES):
            if record["评诺日期"] in self.span and record["兑现情况"]:
                evaluated[record["党员编号"]][record["兑现情况"]] += 1
            else:
                pending[record["党员编号"]] += 1
        return evaluated, pending

    def _books(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for record in self.valid(layout.READING):
            if record["完成日期"] in self.span:
                grade = f"（{record['考评等级']}）" if record["考评等级"] else ""
                found[record["党员编号"]].append(f"{record['书名']}{grade}")
        return found

    def _recommendations(self) -> tuple[dict[str, set], Counter]:
        people: dict[str, set] = defaultdict(set)
        commended: Counter = Counter()
        for record in self.valid(layout.RECOMMENDATIONS):
            if record["推荐日期"] in self.span:
                people[record["党员编号"]].add(record["推荐人"])
                commended[record["党员编号"]] += int(record["是否表彰"] == "是")
        return people, commended


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
        ("总分 / 排名", f"{member.total:g} 分 / 第 {member.rank} 名（共 {count} 人）"),
    ]
    return AnnualBlock(heading, [
        ("一、积分明细（分）", list(member.items.items())),
        ("二、活动出勤（已完成的活动，次）", [(state, facts.attendance[member.member_id][state]) for state in layout.ATTENDANCE]),
        ("三、公开承诺（项）", _promise_pairs(facts, member.member_id)),
        ("四、读书", [("读完书目", len(facts.books[member.member_id])), ("书目与考评", "；".join(facts.books[member.member_id]) or NONE)]),
        ("五、我身边的优秀共产党员", [("推荐人数", len(facts.recommenders[member.member_id])),
                              ("获表彰次数", facts.commended[member.member_id])]),
        ("六、群众评议（票）", _vote_pairs(votes)),
    ])


def _promise_pairs(facts: _Facts, member_id: str) -> list[tuple[str, int]]:
    evaluated = facts.promises[member_id]
    pairs = [(state, evaluated[state]) for state in layout.FULFILMENTS]
    return [("承诺总数", sum(evaluated.values()) + facts.pending[member_id]), *pairs, ("待评诺", facts.pending[member_id])]


def _vote_pairs(votes: TallyRow | None) -> list[tuple[str, object]]:
    counts = votes.counts if votes else {}
    share = votes.share("优秀") if votes else None
    pairs: list[tuple[str, object]] = [(grade, counts.get(grade, 0)) for grade in layout.MEMBER_GRADES]
    return pairs + [("票数", votes.votes if votes else 0), ("优秀率", f"{share:.1%}" if share is not None else NONE)]
