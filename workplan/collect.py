"""Collecting returned forms: check each copy, keep its valid answers, never count twice.

Pure: the returned copies as read (`ReturnedForm`: file name and the grid of every sheet),
the validated branch and its report, the round being collected and today in; a
`Collection` out: the rows to add to 评议记录 and findings located by file (as the
"sheet"), row and column. The answers are dated so that scoring counts them: today, but
never after the year's end or 积分截止日期, nor before the year's start (`vote_date`).

Each copy is checked: it is one of ours (its identity is in the hidden sheet), of this
branch and this round, its fixed cells are as handed out (checksum), each answer is in
its list. A blank answer is skipped with a warning; a copy with no answer at all is
reported as empty. Nothing is counted twice: an answer already in 评议记录 from the same
file (来源), rater and object is skipped; a second copy from a rater who already has
answers from another file is reported and not counted (a plain copy of that file as a
warning, anything else as an error). Copies under the name they were handed out under
count first, then the others by file name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from workbook import layout, values
from workbook.raw import normalize_header

from . import findings as F
from .branch import Branch
from .forms import FORM_KINDS, INFO_SHEET, FormKind, Identity, list_checksum
from .scoring import scored_member_ids
from .sheets.forms import untick
from .settings import Settings

EMPTY_LISTED = 3  # more empty copies than this (forms not yet returned) are summed up in one line
MANUAL = "手工录入"  # how a 评议记录 row without 来源 is named in a message
Answers = dict[str, tuple[str, str | None]]  # object -> (grade, opinion)


UNREADABLE_ADVICE = "请评议人用 Excel 或 WPS 打开后另存为 .xlsx 再交回"


@dataclass(frozen=True)
class ReturnedForm:
    """One returned file as read: its name and every sheet's grid, or why it could not be read
    (`unreadable`, with `advice` on what to do); `open_elsewhere` when it is open in Excel or WPS
    (answers typed since its last save are not in the file)."""

    file_name: str
    sheets: dict[str, list[list[Any]]] = field(default_factory=dict)
    unreadable: str = ""
    advice: str = UNREADABLE_ADVICE
    open_elsewhere: bool = False


@dataclass(frozen=True)
class Answer:
    target: str  # 党员编号 or the 好 item
    grade: str
    opinion: str | None
    row: int  # Excel row in the form


@dataclass
class FormResult:
    """What one copy gave: its identity (when recognised), answers and findings."""

    file_name: str
    identity: Identity | None = None
    answers: list[Answer] = field(default_factory=list)
    findings: list[F.Finding] = field(default_factory=list)
    added: int = 0
    already: int = 0

    def problem(self, code: str, row: int | None = None, column: str | None = None, col: int | None = None,
                value: Any = "", **params: Any) -> None:
        self.findings.append(F.make(code, self.file_name, row=row, column=column, col_index=col,
                                    value=values.display(value), **params))

    @property
    def kind(self) -> FormKind | None:
        """The kind of form, from the identity."""
        return FORM_KINDS.get(self.identity.kind) if self.identity else None

    @property
    def accepted(self) -> bool:
        """Recognised, unchanged and with answers: ready to be counted."""
        return bool(self.answers) and not any(f.code in FATAL for f in self.findings)


FATAL = {"form-unreadable", "form-not-ours", "form-other-branch", "form-other-round", "form-list-changed"}


@dataclass
class Collection:
    """The outcome of one collect run: the new rows are dated `date` (today unless that would
    fall outside what scoring counts)."""

    results: list[FormResult]
    rows: list[dict[str, Any]]  # new 评议记录 rows, by header
    date: dt.date
    today: dt.date

    @property
    def report(self) -> F.Report:
        return F.Report([f for r in self.results for f in r.findings])

    @property
    def counted(self) -> list[FormResult]:
        return [r for r in self.results if r.added]

    @property
    def already(self) -> int:
        return sum(r.already for r in self.results)

    def date_note(self) -> str | None:
        """A Chinese line when the answers are not dated today (shown by the command line and the button)."""
        if self.date == self.today or not self.rows:
            return None
        return (f"新增的评议按 {self.date.isoformat()} 记录评议日期（今天 {self.today.isoformat()} 不在本年度的积分统计期内），"
                "以便计入本年度的评议汇总和积分。")

    def sheet_rows(self, columns: dict[str, int]) -> list[list[Any]]:
        """The new rows as cell lists for the master's 评议记录, by its column positions."""
        width = max(columns.values()) + 1
        rows = []
        for row in self.rows:
            cells: list[Any] = [None] * width
            for header, value in row.items():
                cells[columns[header]] = value
            rows.append(cells)
        return rows


# --- one copy --------------------------------------------------------------------------------

def check_form(form: ReturnedForm, branch: Branch, round_label: str, scored: set[str]) -> FormResult:
    """Recognise one returned copy and read its answers; every problem becomes a finding.

    `scored`: the 党员编号 a 群众评议 answer may name (`scoring.scored_member_ids`).
    """
    result = FormResult(form.file_name)
    if form.unreadable:
        result.problem("form-unreadable", detail=form.unreadable, advice=form.advice)
        return result
    if form.open_elsewhere:
        result.problem("form-open")
    identity = Identity.from_rows(form.sheets.get(INFO_SHEET, []))
    kind = FORM_KINDS.get(identity.kind) if identity else None
    if identity is None or kind is None or kind.sheet not in form.sheets:
        result.problem("form-not-ours")
        return result
    result.identity = identity
    if identity.branch != branch.settings.branch:
        result.problem("form-other-branch", value=identity.branch, expected=branch.settings.branch)
    elif identity.round != round_label:
        result.problem("form-other-round", value=identity.round, expected=round_label)
    else:
        _read_answers(result, kind, form.sheets[kind.sheet], scored)
    return result


def _table(kind: FormKind, grid: list[list[Any]]) -> tuple[int, list[list[Any]]] | None:
    """(0-based header row, the numbered rows below it) of a form's table; None if the header is gone."""
    wanted = [normalize_header(h) for h in kind.headers]
    for index, row in enumerate(grid):
        if [normalize_header(v) for v in row[: len(wanted)]] == wanted:
            body = []
            for cells in grid[index + 1:]:
                if not _is_number(cells[0] if cells else None):
                    break
                body.append(list(cells) + [None] * (len(wanted) - len(cells)))
            return index, body
    return None


def _is_number(value: Any) -> bool:
    """A 序号 cell: a number, or digits typed as text."""
    if isinstance(value, str):
        return value.strip().isdigit()
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _read_answers(result: FormResult, kind: FormKind, grid: list[list[Any]], scored: set[str]) -> None:
    table = _table(kind, grid)
    fixed = range(kind.grade_col)
    if table is None or list_checksum(kind.key, [[row[c] for c in fixed] for row in table[1]]) != result.identity.checksum:
        result.problem("form-list-changed", answer=kind.headers[kind.grade_col])
        return
    header, rows = table
    grade = kind.grade_col  # the boxes printed for paper are no answer; one box ticked is that choice
    rows = [[*row[:grade], untick(row[grade], kind.grades), *row[grade + 1:]] for row in rows]
    if all(values.is_blank(row[kind.grade_col]) and values.is_blank(row[kind.opinion_col]) for row in rows):
        result.problem("form-empty")
        return
    found = [_answer(result, kind, header + 2 + offset, row, scored) for offset, row in enumerate(rows)]
    result.answers = [a for a in found if a is not None]


def _answer(result: FormResult, kind: FormKind, excel_row: int, row: list[Any], scored: set[str]) -> Answer | None:
    """The answer of one row, or None (with a finding) when it cannot be counted."""
    target = (values.code if kind.eval_type == layout.EVAL_MEMBER else values.text)(row[kind.object_col]) or ""
    shown = " ".join(values.text(v) or "" for v in row[kind.object_col: kind.object_col + 2]).strip()
    grade, column = values.choice(row[kind.grade_col]), kind.headers[kind.grade_col]
    if grade is None:
        result.problem("form-blank-answer", excel_row, column, kind.grade_col, target=shown)
        return None
    if grade not in kind.grades:
        result.problem("form-bad-answer", excel_row, column, kind.grade_col, row[kind.grade_col], target=shown,
                       choices="、".join(kind.grades))
        return None
    if kind.eval_type == layout.EVAL_MEMBER and target not in scored:
        result.problem("form-unknown-object", excel_row, kind.headers[kind.object_col], kind.object_col, target)
        return None
    return Answer(target, grade, values.text(row[kind.opinion_col]), excel_row)


# --- counting once ---------------------------------------------------------------------------

class _Ledger:
    """What 评议记录 already holds: (评议类型, 评议人) -> 来源 -> object -> (grade, opinion)."""

    def __init__(self, branch: Branch):
        self.sources: dict[tuple[str, str], dict[str, Answers]] = {}
        for record in branch.records(layout.EVALUATIONS):
            kind, rater, target = record["评议类型"], record["评议人"], record["评议对象"]
            if kind and rater and target:
                target = values.code(target) if kind == layout.EVAL_MEMBER else target
                answers = self.sources.setdefault((kind, rater), {}).setdefault(record["来源"] or MANUAL, {})
                answers.setdefault(target, (record["等次"], record["意见"]))

    def take(self, result: FormResult) -> list[Answer]:
        """The answers of an accepted copy that are new; a second copy of a rater is a finding."""
        sources = self.sources.setdefault((result.kind.eval_type, result.identity.rater), {})
        own = sources.get(result.file_name)
        if own is None and sources:
            first, answers = next(iter(sources.items()))
            code = "form-copy" if answers == _answers(result) else "form-same-rater"
            rows = "来源为空（手工录入）的行" if first == MANUAL else f"来源为 {first} 的行"
            result.problem(code, rater=result.identity.rater, first=first, rows=rows)
            return []
        own = sources.setdefault(result.file_name, {})
        fresh = []
        for answer in result.answers:
            if answer.target not in own:
                own[answer.target] = (answer.grade, answer.opinion)
                fresh.append(answer)
            elif own[answer.target][0] != answer.grade:
                result.problem("form-answer-changed", answer.row, result.kind.headers[result.kind.grade_col],
                               result.kind.grade_col, answer.grade, target=answer.target, expected=own[answer.target][0])
            else:
                result.already += 1
        return fresh


def _answers(result: FormResult) -> Answers:
    return {a.target: (a.grade, a.opinion) for a in result.answers}


def _counting_order(result: FormResult) -> tuple[bool, str]:
    """Copies under their handed-out name first, then by file name."""
    return (result.identity is None or result.file_name != result.identity.file_name, result.file_name)


def vote_date(settings: Settings, today: dt.date) -> dt.date:
    """The 评议日期 of answers collected today: today, moved into what scoring counts.

    Scoring counts a vote dated from 年度开始日期 to the cut-off (积分截止日期, else today)
    and never after 年度结束日期; forms collected after that are dated its last day, forms
    collected before the year starts its first day.
    """
    last = min(today, settings.cutoff_for(today), settings.year_end)
    return max(last, settings.year_start)


def collect(forms: Sequence[ReturnedForm], branch: Branch, round_label: str, today: dt.date,
            report: F.Report | None = None) -> Collection:
    """Check every copy and gather the new 评议记录 rows (评议日期 = `vote_date`, 来源 = the file name).

    `report` is the validation of the master: a roster row with errors is not scored, so an
    answer about that member is not counted. Without it (older callers) every roster row
    counts as valid.
    """
    scored = scored_member_ids(branch, report or F.Report())
    results = [check_form(form, branch, round_label, scored) for form in forms]
    ledger, rows, day = _Ledger(branch), [], vote_date(branch.settings, today)
    for result in sorted(results, key=_counting_order):
        if not result.accepted:
            continue
        fresh = ledger.take(result)
        result.added = len(fresh)
        rows += [{"评议类型": result.kind.eval_type, "评议人": result.identity.rater, "评议对象": a.target, "等次": a.grade,
                  "意见": a.opinion, "评议日期": day, "来源": result.file_name} for a in fresh]
    return Collection(sorted(results, key=lambda r: r.file_name), rows, day, today)


def summary_lines(result: Collection, folder_name: str, round_label: str, skipped: Sequence[str] = (), shown: int = 20) -> list[str]:
    """Chinese lines for the terminal: counts, files skipped, then the problems, errors first."""
    report = result.report
    lines = [f"回收“{folder_name}”（{round_label}）：共 {len(result.results)} 份表，计入 {len(result.counted)} 份，"
             f"新增评议 {len(result.rows)} 条；此前已录入、本次跳过 {result.already} 条。"]
    if skipped:
        lines.append("跳过了不是表格的文件：" + "、".join(skipped))
    if result.date_note():
        lines.append(result.date_note())
    empty = [f.sheet for f in report.findings if f.code == "form-empty"]
    if len(empty) > EMPTY_LISTED:
        lines.append(f"{len(empty)} 份表一项也没有填写（可能尚未交回），没有计入：{empty[0]} … {empty[-1]}")
    listed = [f for f in report.sorted() if f.code != "form-empty" or len(empty) <= EMPTY_LISTED]
    if listed:
        lines.append(f"发现错误 {len(report.errors)} 条，警告 {len(report.warnings)} 条" + ("：" if len(listed) <= shown else f"，前 {shown} 条："))
        lines += ["  " + finding.describe() for finding in listed[:shown]]
    return lines
