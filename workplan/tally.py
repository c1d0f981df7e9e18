"""评议汇总: the votes of 评议记录 counted per member and per 好.

Pure: the validated branch, its report (rows with errors are left out) and the scores
(their span and scored members) in; a `Tally` out. The votes are scoring's own
(`scoring.counted_votes`: valid rows, 评议日期 in the span), so 评议汇总 and 积分 agree.
Every scored member gets a row, with or without votes; every one of the five 好 gets a
row. Shares are fractions rounded to four places, None when nobody voted. Votes of all
rounds of the year count together (评议记录 holds no round).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from workbook import layout

from .branch import Branch
from .findings import Report
from .scoring import Scores, Span, counted_votes


@dataclass(frozen=True)
class TallyRow:
    """The votes on one object: a member (群众评议党员) or one of the five 好 (党员评议支部)."""

    kind: str
    target: str
    label: str
    counts: dict[str, int]

    @property
    def votes(self) -> int:
        return sum(self.counts.values())

    def share(self, grade: str) -> float | None:
        """The fraction of votes giving `grade`, rounded to four places; None without votes."""
        return round(self.counts.get(grade, 0) / self.votes, 4) if self.votes else None


@dataclass
class Tally:
    span: Span
    members: list[TallyRow] = field(default_factory=list)
    items: list[TallyRow] = field(default_factory=list)


def tally(branch: Branch, report: Report, scores: Scores) -> Tally:
    """Grade counts for every scored member and every 好 item."""
    votes = counted_votes(branch, report, scores.span)

    def row(kind: str, target: str, label: str, grades: tuple[str, ...]) -> TallyRow:
        found = Counter(votes.get((kind, target), ()))
        return TallyRow(kind, target, label, {grade: found.get(grade, 0) for grade in grades})

    members = [row(layout.EVAL_MEMBER, m.member_id, m.name, layout.MEMBER_GRADES) for m in scores.members]
    items = [row(layout.EVAL_BRANCH, item, "", layout.BRANCH_GRADES) for item in layout.FIVE_GOODS]
    return Tally(scores.span, members, items)


def tally_rows(result: Tally) -> list[list]:
    """Rows of 评议汇总: 评议类型, 对象, 名称, 票数, the seven grades, 优秀率, 满意率."""
    grades = layout.MEMBER_GRADES + layout.BRANCH_GRADES
    rows = []
    for item in result.members + result.items:
        counts = [item.counts.get(grade) for grade in grades]
        member = item.kind == layout.EVAL_MEMBER
        shares = [item.share("优秀") if member else None, None if member else item.share("满意")]
        rows.append([item.kind, item.target, item.label, item.votes, *counts, *shares])
    return rows
