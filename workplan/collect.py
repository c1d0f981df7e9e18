"""Collecting returned forms: check each copy, keep its valid answers, never count twice.

Pure: the returned copies as read (`ReturnedForm`: file name and the grid of every sheet),
the validated branch, the round being collected and today in; a `Collection` out: the
rows to add to 评议记录 and findings located by file (as the "sheet"), row and column.

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
from workbook.reader import normalize_header

from . import findings as F
from .branch import Branch
from .forms import FORM_KINDS, INFO_SHEET, FormKind, Identity, list_checksum

EMPTY_LISTED = 3  # more empty copies than this (forms not yet returned) are summed up in one line
MANUAL = "手工录入"  # how a 评议记录 row without 来源 is named in a message
Answers = dict[str, tuple[str, str | None]]  # object -> (grade, opinion)


@dataclass(frozen=True)
class ReturnedForm:
    """One returned file as read: its name and every sheet's grid, or why it could not be read."""

    file_name: str
    sheets: dict[str, list[list[Any]]] = field(default_factory=dict)
    unreadable: str = ""


@dataclass(frozen=True)
class Answer:
    target: str  # 党员编号 or the 好 item
    grade: str
    opinion: str | None
    row: int  # Excel row in the form


@dataclass
class FormResult:
    """What one copy gave: its identity and kind (when recognised), answers and findings."""

    file_name: str
    identity: Identity | None = None
    kind: FormKind | None = None
    answers: list[Answer] = field(default_factory=list)
    findings: list[F.Finding] = field(default_factory=list)
    added: int = 0
    already: int = 0

    def problem(self, code: str, row: int | None = None, column: str | None = None, col: int | None = None,
                value: Any = "", **params: Any) -> None:
        self.findings.append(F.make(code, self.file_name, row, column, col, values.display(value), **params))

    @property
    def accepted(self) -> bool:
        """Recognised, unchanged and with answers: ready to be counted."""
        return bool(self.answers) and not any(f.code in FATAL for f in self.findings)


FATAL = {"form-unreadable", "form-not-ours", "form-other-branch", "form-other-round", "form-list-changed"}


@dataclass
class Collection:
    """The outcome of one collect run."""

    results: list[FormResult]
    rows: list[dict[str, Any]]  # new 评议记录 rows, by header

    @property
    def report(self) -> F.Report:
        return F.Report([f for r in self.results for f in r.findings])

    @property
    def counted(self) -> list[FormResult]:
        return [r for r in self.results if r.added]

    @property
    def already(self) -> int:
        return sum(r.already for r in self.results)

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

def check_form(form: ReturnedForm, branch: Branch, round_label: str) -> FormResult:
    """Recognise one returned copy and read its answers; every problem becomes a finding."""
    result = FormResult(form.file_name)
    if form.unreadable:
        result.problem("form-unreadable", detail=form.unreadable)
        return result
    identity = Identity.from_rows(form.sheets.get(INFO_SHEET, []))
    kind = FORM_KINDS.get(identity.kind) if identity else None
    if identity is None or kind is None or kind.sheet not in form.sheets:
        result.problem("form-not-ours")
        return result
    result.identity, result.kind = identity, kind
    if identity.branch != branch.settings.branch:
        result.problem("form-other-branch", value=identity.branch, expected=branch.settings.branch)
    elif identity.round != round_label:
        result.problem("form-other-round", value=identity.round, expected=round_label)
    else:
        _read_answers(result, kind, form.sheets[kind.sheet], _scored(branch))
    return result


def _scored(branch: Branch) -> set[str]:
    return {member_id for member_id, r in branch.members.items() if r["在册状态"] in layout.SCORED_STATUSES}


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
            result.problem(code, rater=result.identity.rater, first=first)
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


def collect(forms: Sequence[ReturnedForm], branch: Branch, round_label: str, today: dt.date) -> Collection:
    """Check every copy and gather the new 评议记录 rows (评议日期 = today, 来源 = the file name)."""
    results = [check_form(form, branch, round_label) for form in forms]
    ledger, rows = _Ledger(branch), []
    for result in sorted(results, key=_counting_order):
        if not result.accepted:
            continue
        fresh = ledger.take(result)
        result.added = len(fresh)
        rows += [{"评议类型": result.kind.eval_type, "评议人": result.identity.rater, "评议对象": a.target, "等次": a.grade,
                  "意见": a.opinion, "评议日期": today, "来源": result.file_name} for a in fresh]
    return Collection(sorted(results, key=lambda r: r.file_name), rows)


def summary_lines(result: Collection, folder_name: str, round_label: str, skipped: Sequence[str] = (), shown: int = 20) -> list[str]:
    """Chinese lines for the terminal: counts, files skipped, then the problems, errors first."""
    report = result.report
    lines = [f"回收“{folder_name}”（{round_label}）：共 {len(result.results)} 份表，计入 {len(result.counted)} 份，"
             f"新增评议 {len(result.rows)} 条；此前已录入、本次跳过 {result.already} 条。"]
    if skipped:
        lines.append("跳过了不是表格的文件：" + "、".join(skipped))
    empty = [f.sheet for f in report.findings if f.code == "form-empty"]
    if len(empty) > EMPTY_LISTED:
        lines.append(f"{len(empty)} 份表一项也没有填写（可能尚未交回），没有计入：{empty[0]} … {empty[-1]}")
    listed = [f for f in report.sorted() if f.code != "form-empty" or len(empty) <= EMPTY_LISTED]
    if listed:
        lines.append(f"发现错误 {len(report.errors)} 条，警告 {len(report.warnings)} 条" + ("：" if len(listed) <= shown else f"，前 {shown} 条："))
        lines += ["  " + finding.describe() for finding in listed[:shown]]
    return lines
