"""Assessment forms: what goes on them, the copies handed out, and the master's form sheets.

Pure: a validated branch and its scores in, `FormTable`s and `SheetModel`s out; files are
written by `services.formfiles`. Two kinds of form are handed out and collected back:
群众评议 (people from the masses grade every scored member) and 党员评议支部 (members
rate the branch on the five 好). Each handed-out copy carries an `Identity`: form kind,
branch, round, rater and a checksum of the form's fixed cells, so that a returned copy
can be recognised and a changed member list noticed.

The rater recorded in 评议记录 is the rater's label with the round, e.g.
`群众01（2026上半年）`: validation allows one vote per rater and object in the whole
sheet, so the same number in the next round must be a different rater.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbook import layout, values
from workbook.errors import FormError
from workbook.privacy import mask_phones
from workbook.sheetmodel import SheetModel
from workbook.textfit import fit_rows

from .annual import annual_blocks
from .branch import Branch
from .findings import Report
from .records import Record
from .counting import awaiting_review
from .scoring import Scores, left_out_members, scored_members, valid_records
from .sheets.common import table_sheet
from .sheets.forms import SIGN_LINE, FormTable, annual_sheet, form_sheet, tally_sheet
from .tally import Tally, tally_rows

FORM_VERSION = "1"
INFO_SHEET = "_表单信息"  # the very hidden sheet of a handed-out form holding its Identity
FORMS_FOLDER = "评议表"  # next to the master: 评议表/<kind>_<round>/
FORM_SIZE, RECORD_SIZE = 9, 9  # points of the forms' tables, printed at 100% (公示表: 11): as the old fitted print, now never smaller
RECORD_ROW_HEIGHT = 18  # a line of a 考评表 or 评议表 listing records, with room to write
MAX_ROUND_CHARS = 20
MAX_RATERS = 999
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
FIVE_GOODS_POINTS = {
    "领导班子好": "班子团结协作，带头学习，民主决策，廉洁自律",
    "党员队伍好": "党员理想信念坚定，爱岗敬业，发挥先锋模范作用",
    "工作机制好": "三会一课、组织生活、承诺践诺等制度健全并落实",
    "工作业绩好": "教育教学质量稳步提升，承诺事项兑现，师生得到实惠",
    "群众反映好": "师生、家长和群众认可，满意度高",
}


@dataclass(frozen=True)
class FormKind:
    """A kind of form that is handed out: its table and how its answers enter 评议记录."""

    key: str  # the --type, and the start of folder and file names
    eval_type: str  # 评议类型 in 评议记录
    sheet: str  # the sheet name, in the master and in a handed-out file
    title: str
    headers: tuple[str, ...]
    widths: tuple[float, ...]
    grades: tuple[str, ...]
    rater_prefix: str  # numbered raters are 群众01, 党员01, ...
    note: str

    @property
    def object_col(self) -> int:
        return 1

    @property
    def grade_col(self) -> int:
        return len(self.headers) - 2

    @property
    def opinion_col(self) -> int:
        return len(self.headers) - 1


MASS = FormKind(
    "群众评议", layout.EVAL_MEMBER, "群众评议表", "群众评议党员表",
    ("序号", "党员编号", "姓名", "党小组", "岗位", "等次", "意见"), (4, 6, 7, 10, 6, 19, 13.5),
    layout.MEMBER_GRADES, "群众",
    "请对每名党员在“等次”列选择：优秀、合格、基本合格、不合格（屏幕上下拉选择，纸上在□内打√）；“意见”可不填。可以不署名。",
)
BRANCH = FormKind(
    "党员评议支部", layout.EVAL_BRANCH, "党员评议支部表", "党员评议支部工作表",
    ("序号", "评议项目", "评议要点", "评价", "意见"), (4, 9, 24, 14, 14.5),
    layout.BRANCH_GRADES, "党员",
    "请对支部工作的“五好”逐项在“评价”列选择：满意、基本满意、不满意（屏幕上下拉选择，纸上在□内打√）；“意见”可写建议。",
)
FORM_KINDS = {kind.key: kind for kind in (MASS, BRANCH)}
KIND_BY_TYPE = {kind.eval_type: kind for kind in (MASS, BRANCH)}


# --- rounds and raters ----------------------------------------------------------------------

def default_round(today: dt.date) -> str:
    """The round a day belongs to: 2026上半年 (January to June) or 2026下半年."""
    return f"{today.year}{'上半年' if today.month <= 6 else '下半年'}"


def check_round(text: str) -> str:
    """A round as given with --round, spaces dropped; ValueError (Chinese) if it cannot name a folder.

    A round that `safe_file_part` would change (a forbidden character, a trailing “.”) is
    refused: its copies' file names would no longer match the round they carry.
    """
    cleaned = values.fold(text).replace(" ", "")
    if not cleaned or len(cleaned) > MAX_ROUND_CHARS or safe_file_part(cleaned) != cleaned:
        raise ValueError(f"轮次“{text}”不能用作文件夹名。请换一个轮次名称，如 2026上半年：最多 {MAX_ROUND_CHARS} 个字，"
                         "不含 \\ / : * ? \" < > | 这些符号，也不以“.”开头或结尾。")
    return cleaned


def safe_file_part(text: str) -> str:
    """Text made fit for a file name: phone numbers masked, characters Windows forbids become “_”."""
    return _UNSAFE.sub("_", mask_phones(values.fold(text))).strip(" .") or "_"


@dataclass(frozen=True)
class Rater:
    """Who fills in one copy: the number or name on the form, the id recorded, the file name part."""

    number: str  # "01", a name, or a 党员编号
    label: str  # shown on the form: 群众01, 张老师, D001 张三
    key: str  # what 评议记录 records (with the round): 群众01, 张老师, D001
    file_part: str

    def rater_id(self, round_label: str) -> str:
        """评议人 in 评议记录: the key with the round, e.g. 群众01（2026上半年）."""
        return f"{self.key}（{round_label}）"


def numbered_raters(kind: FormKind, count: int) -> list[Rater]:
    """Raters 01..count (wider numbers past 99): anonymous copies."""
    if count < 1:
        raise ValueError("at least one rater")
    width = max(2, len(str(count)))
    numbers = [f"{n:0{width}d}" for n in range(1, count + 1)]
    return [Rater(number, kind.rater_prefix + number, kind.rater_prefix + number, f"第{number}号") for number in numbers]


def _rater_key(name: str) -> str:
    """What 评议记录 records for a named rater: the name without spaces (陈 阿姨 -> 陈阿姨)."""
    return values.fold(name).replace(" ", "")


def named_raters(names: Iterable[str]) -> list[Rater]:
    """Raters by name, in the given order; blanks dropped, a repeated name (spaces aside) kept once.

    `repeated_names` says which names were dropped. FormError when no name is left, or when
    two different names would get the same file name (characters Windows forbids become
    “_”; Windows ignores case), since the second copy would replace the first.
    """
    raters: dict[str, Rater] = {}
    for name in names:
        label, key = values.fold(name), _rater_key(name)
        if key and key not in raters:
            raters[key] = Rater(label, label, key, safe_file_part(label))
    if not raters:
        raise FormError("", "评议人名单中没有姓名，没有生成评议表。请每行写一个姓名。")
    _refuse_file_clashes(list(raters.values()))
    return list(raters.values())


def repeated_names(names: Iterable[str]) -> list[str]:
    """The names given more than once (spaces aside), each once, as first written."""
    first: dict[str, str] = {}
    repeated: dict[str, str] = {}
    for name in names:
        key = _rater_key(name)
        if key in first:
            repeated.setdefault(key, first[key])
        elif key:
            first[key] = values.fold(name)
    return list(repeated.values())


def _refuse_file_clashes(raters: list[Rater]) -> None:
    by_file: dict[str, list[str]] = defaultdict(list)
    for rater in raters:
        by_file[rater.file_part.casefold()].append(rater.label)
    clashes = ["、".join(labels) for labels in by_file.values() if len(labels) > 1]
    if clashes:
        raise FormError("", f"名单中这些姓名会得到同一个文件名，后一份会覆盖前一份：{'；'.join(clashes)}。"
                            "文件名中 \\ / : * ? \" < > | 会换成“_”，也不区分大小写；请在名单中把它们改得能区分开（如加上单位），再生成。")


def member_raters(members: Sequence[Record]) -> list[Rater]:
    """One rater per scored member (党员评议支部 by default): the 党员编号 is the rater."""
    raters = []
    for member in members:
        member_id, name = member["党员编号"], member["姓名"] or ""
        raters.append(Rater(member_id, f"{member_id} {name}".strip(), member_id, safe_file_part(f"{member_id}_{name}")))
    return raters


# --- the forms' content ---------------------------------------------------------------------

def form_items(kind: FormKind, members: Sequence[Record]) -> list[list[Any]]:
    """The fixed cells of each row: the scored members (`scoring.scored_members`) for 群众评议,
    the five 好 for 党员评议支部."""
    if kind is BRANCH:
        return [[index, item, FIVE_GOODS_POINTS[item]] for index, item in enumerate(layout.FIVE_GOODS, 1)]
    return [[index, m["党员编号"], m["姓名"] or "", m["党小组"] or "", m["岗位"] or ""] for index, m in enumerate(members, 1)]


def list_checksum(kind_key: str, fixed_rows: Iterable[Sequence[Any]]) -> str:
    """A checksum of a form's fixed cells (as text, trimmed): changes when a row is edited, added or removed.

    Taken over the text as the form shows it (phone numbers masked), so the copy handed out
    and the copy read back agree.
    """
    lines = [kind_key] + ["\t".join(mask_phones(values.text(v) or "") for v in row) for row in fixed_rows]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def form_table(kind: FormKind, branch_name: str, round_label: str, items: list[list[Any]], intro: str) -> FormTable:
    """The form of `kind` listing `items`, answer columns empty; `intro` opens the note line."""
    rows = [list(item) + [None, None] for item in items]
    answers = {kind.grade_col: kind.grades, kind.opinion_col: ()}
    title = f"{branch_name} {kind.title}（{round_label}）"
    return FormTable(kind.sheet, title, intro + kind.note, kind.headers, kind.widths, rows, answers,
                     sign_line=_sign_line(kind), size=FORM_SIZE)


def _sign_line(kind: FormKind) -> str:
    who = "评议人（可不署名）" if kind is MASS else "评议人（签名）"
    return f"{who}：＿＿＿＿＿＿＿＿＿＿　　　　评议日期：＿＿＿＿年＿＿月＿＿日"


# --- handed-out copies ----------------------------------------------------------------------

IDENTITY_LABELS = ("表单类型", "支部名称", "轮次", "评议人编号", "评议人", "名单校验码", "发放文件名", "表单版本")


@dataclass(frozen=True)
class Identity:
    """Who a handed-out copy belongs to; stored in its very hidden sheet as label/value rows."""

    kind: str
    branch: str
    round: str
    rater_number: str
    rater: str  # 评议人 as recorded in 评议记录
    checksum: str
    file_name: str  # the name the copy was handed out under
    version: str = FORM_VERSION

    def rows(self) -> list[list[str]]:
        fields = (self.kind, self.branch, self.round, self.rater_number, self.rater, self.checksum, self.file_name, self.version)
        return [["项目", "值"], *([label, value] for label, value in zip(IDENTITY_LABELS, fields))]

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[Any]]) -> "Identity | None":
        """The identity read back from the hidden sheet; None if any field is missing."""
        found = {values.text(row[0]): values.text(row[1]) for row in rows if len(row) >= 2}
        fields = [found.get(label) for label in IDENTITY_LABELS]
        return None if None in fields else cls(*fields)


def identity_sheet(identity: Identity) -> SheetModel:
    """The hidden sheet of a handed-out copy: its identity as label/value rows (protected)."""
    model = SheetModel(INFO_SHEET, tab_color=None, verbatim=True)  # machine data, compared as written
    for row, pair in enumerate(identity.rows()):
        model.put_row(row, pair)
    model.col_widths.update({0: 12, 1: 40})
    return model


@dataclass(frozen=True)
class Handout:
    """One copy to hand out: its file name, its sheet and its identity."""

    file_name: str
    sheet: SheetModel
    identity: Identity
    items: int  # rows to answer
    left_out: int = 0  # roster rows not listed because of their errors


def forms_folder_name(kind: FormKind, round_label: str) -> str:
    """The folder of one round's copies, inside 评议表/ next to the master: 群众评议_2026上半年."""
    return f"{kind.key}_{safe_file_part(round_label)}"


def round_from_folder(name: str) -> str | None:
    """The round in a folder named like `forms_folder_name` (群众评议_2026上半年 -> 2026上半年), else None."""
    for key in FORM_KINDS:
        if name.startswith(key + "_") and len(name) > len(key) + 1:
            return name[len(key) + 1:]
    return None


def handouts(kind: FormKind, branch_name: str, round_label: str, items: list[list[Any]], raters: list[Rater],
             left_out: int = 0) -> list[Handout]:
    """One copy per rater, each naming its rater and carrying its identity."""
    checksum = list_checksum(kind.key, items)
    copies = []
    for rater in raters:
        file_name = f"{kind.key}_{safe_file_part(round_label)}_{rater.file_part}.xlsx"
        table = form_table(kind, branch_name, round_label, items, f"评议人：{rater.label}。")
        identity = Identity(kind.key, branch_name, round_label, rater.number, rater.rater_id(round_label), checksum, file_name)
        copies.append(Handout(file_name, fit_rows(form_sheet(table, banner=False)), identity, len(items), left_out))
    return copies


def prepare_handouts(branch: Branch, report: Report, kind: FormKind, round_label: str, today: dt.date,
                     count: int | None = None, names: Sequence[str] = ()) -> list[Handout]:
    """The copies of one round for numbered raters (`count`), named raters (`names`), or, for
    党员评议支部 without either, one per scored member.

    FormError when there is nothing to hand out (no scored member to list on 群众评议, nobody
    to rate the branch); ValueError if 群众评议 gets neither `count` nor `names` (misuse).
    `today` is not used: who is scored does not depend on the date.
    """
    members = scored_members(branch, report)
    if count:
        raters = numbered_raters(kind, count)
    elif names:
        raters = named_raters(names)
    elif kind is BRANCH:
        raters = member_raters(members)
    else:
        raise ValueError(f"{kind.key} needs a number of raters or a list of names")
    items = form_items(kind, members)
    if not items or not raters:
        raise FormError("", f"“党员名册”中没有在职或离退休、且所在行没有错误的党员，没有生成{kind.title}。"
                            "请先在“党员名册”中登记党员，或改正有错误的行（见“校验结果”），再生成评议表。")
    left_out = len(left_out_members(branch, report)) if kind is MASS else 0
    return handouts(kind, branch.settings.branch, round_label, items, raters, left_out)


def command_line(*words: str) -> str:
    """`python sync.py …` as one line to copy: a word with a space or a quote is put in double quotes."""
    return " ".join(f'"{w}"' if not w or any(c in w for c in " \t\u3000'\"&;()<>|") else w
                    for w in ("python", "sync.py", *words))


def handout_lines(copies: list[Handout], folder: Path, master: Path, report: Report | None = None,
                  names: Sequence[str] = (), command: Callable[..., str] = command_line) -> list[str]:
    """Chinese lines for the terminal: what was written, what was left out, and what to do next.

    `copies` as `prepare_handouts` gives them (never empty); `names` the rater list as read,
    to name its repeats. `report` is not used (the copies know what was left out).
    `command(*args)` spells a sync.py command for the user's shell (the command line passes
    `services.interpreter.invocation`, which knows the shell and the Python to name).
    """
    kind, first = FORM_KINDS[copies[0].identity.kind], copies[0]
    lines = [f"已生成 {len(copies)} 份{kind.title}（{first.identity.round}），在文件夹 {folder}：",
             f"  {first.file_name}" + (f" … {copies[-1].file_name}" if len(copies) > 1 else ""),
             f"每份列出 {first.items} {'名党员' if kind is MASS else '项'}；只有“{kind.headers[kind.grade_col]}”“意见”两列可以填写，表中没有手机号等个人信息。"]
    repeated = repeated_names(names)
    if repeated:
        lines.append(f"名单中重复的姓名只生成了一份：{'、'.join(repeated)}。")
    if first.left_out:
        lines.append(f"注意：党员名册中有 {first.left_out} 行有错误，这些党员没有列入评议表；运行 {command('validate', str(master))} 查看。")
    lines += ["把这些文件发给评议人（也可以直接打印），交回后放进同一个文件夹，再运行：",
              f"  {command('collect', str(master), str(folder))}"]
    return lines


# --- the master's form sheets -----------------------------------------------------------------

MASTER_NOTE = "本表供打印后填写；在此表中填写的内容不会被程序读取，下次刷新会被覆盖。"
MAX_PRINTED_MEMBERS = 300  # above this the sheets printed member by member would run to thousands of pages


def assessment_sheets(branch: Branch, report: Report, scores: Scores, result: Tally, today: dt.date) -> list[SheetModel]:
    """The six form sheets (layout.FORM_SHEETS) and 评议汇总, for a refresh.

    Limit: with more than MAX_PRINTED_MEMBERS scored members (a county-sized book, not a
    branch) the sheets that list every member are a one-line notice instead, and the
    公示表 lists the branch's commitments only; 评议汇总 and the hand-outs are not limited.
    """
    members = scored_members(branch, report)
    listed = len(members) <= MAX_PRINTED_MEMBERS
    builders = _builders(branch, report, scores, result, members, default_round(today), listed, today)
    return [build() if listed or sheet not in PER_MEMBER_SHEETS else not_printed(sheet, len(members))
            for sheet, build in builders.items()]


PER_MEMBER_SHEETS = frozenset(layout.FORM_SHEETS[i] for i in (0, 2, 3, 4))  # a notice instead in a very large book


def _builders(branch: Branch, report: Report, scores: Scores, result: Tally, members: list[Record], round_label: str,
              listed: bool, today: dt.date) -> dict[str, Callable[[], SheetModel]]:
    """Sheet name -> how to build it, in workbook order (layout.FORM_SHEETS, then 评议汇总)."""
    name, scored = branch.settings.branch, {m["党员编号"] for m in members}
    span = f"统计 {scores.span.start.isoformat()} 至 {scores.span.end.isoformat()}"
    annual_title = f"党员年度考评表（{branch.settings.year_start.year}年度）"
    sheets = layout.FORM_SHEETS
    return {
        sheets[0]: lambda: form_sheet(form_table(MASS, name, round_label, form_items(MASS, members), MASTER_NOTE), banner=True),
        sheets[1]: lambda: form_sheet(form_table(BRANCH, name, round_label, form_items(BRANCH, members), MASTER_NOTE), banner=True),
        sheets[2]: lambda: form_sheet(record_form(READING_FORM, branch, report, scored, name), banner=True),
        sheets[3]: lambda: form_sheet(record_form(PROMISE_FORM, branch, report, scored, name), banner=True),
        sheets[4]: lambda: annual_sheet(sheets[4], annual_title, f"{name}　{span}", annual_blocks(branch, report, scores, result),
                                        layout.MEMBER_GRADES),
        sheets[5]: lambda: form_sheet(public_notice(branch, report, scored if listed else set(), name, round_label, today),
                                      banner=True),
        layout.EVAL_SUMMARY_SHEET: lambda: tally_sheet(f"评议汇总（{span}；群众评议党员按党员，党员评议支部按“五好”）", tally_rows(result)),
    }


def not_printed(sheet: str, members: int) -> SheetModel:
    """The notice standing in for a member-by-member sheet of a very large workbook."""
    text = (f"本台账有 {members} 名计分党员，超过 {MAX_PRINTED_MEMBERS} 名，逐人打印的“{sheet}”不再生成（打印页数过多）。"
            "评议表的发放和回收、评议汇总和积分不受影响。")
    return table_sheet(sheet, sheet, ("说明", "计分党员"), [[text, members]], (100, 10))


def _valid(branch: Branch, report: Report, sheet: str, scored: set[str] | None = None) -> list[Record]:
    """Rows of `sheet` without errors (and, when `scored` is given, of scored members)."""
    return [r for r in valid_records(branch, report, sheet) if scored is None or r["党员编号"] in scored]


@dataclass(frozen=True)
class RecordForm:
    """A printed form listing the rows of one input sheet (of scored members), some columns to fill in."""

    name: str
    title: str
    sheet: str  # the input sheet listed
    columns: tuple[str, ...]  # its columns shown, after 序号
    widths: tuple[float, ...]
    answers: dict[str, tuple[str, ...]]  # column -> its list; () for free text
    note: str
    sign_line: str = SIGN_LINE


READING_FORM = RecordForm(
    layout.FORM_SHEETS[2], "“读书达人”读书考评表", layout.READING,
    ("党员编号", "姓名", "书名", "完成日期", "笔记篇数", "心得体会", "考评等级"), (4, 6, 7, 24, 9, 5, 30, 15),
    {"考评等级": layout.READING_GRADES}, "请支部对每条读书记录评定“考评等级”（优秀、良好、合格、不合格），评定后填入“读书记录”表。",
)
PROMISE_FORM = RecordForm(
    layout.FORM_SHEETS[3], "党员承诺评议表（评诺）", layout.MEMBER_PROMISES,
    ("党员编号", "姓名", "承诺类别", "承诺事项", "承诺内容", "兑现情况", "点评意见"), (4, 6, 7, 8, 8, 29, 25, 13),
    {"兑现情况": layout.FULFILMENTS, "点评意见": ()}, "评诺：请逐项选择“兑现情况”（已兑现、部分兑现、未兑现）并写点评意见，评定后填入“党员承诺”表。",
    "评议人（签名）：＿＿＿＿＿＿＿＿　　领导点评（签名）：＿＿＿＿＿＿＿＿　　日期：＿＿＿＿年＿＿月＿＿日",
)


def record_form(spec: RecordForm, branch: Branch, report: Report, scored: set[str], branch_name: str) -> FormTable:
    """读书考评表 or 承诺评议表: every valid row of a scored member; the answer columns preset with what is typed."""
    rows = [[i, *(r[c] for c in spec.columns)] for i, r in enumerate(_valid(branch, report, spec.sheet, scored), 1)]
    answers = {spec.columns.index(column) + 1: choices for column, choices in spec.answers.items()}
    return FormTable(spec.name, f"{branch_name} {spec.title}", spec.note + MASTER_NOTE, ("序号", *spec.columns), spec.widths,
                     rows, answers, spec.sign_line, landscape=True, row_height=RECORD_ROW_HEIGHT, size=RECORD_SIZE)


def public_notice(branch: Branch, report: Report, scored: set[str], branch_name: str, round_label: str,
                  today: dt.date) -> FormTable:
    """公示表 (示诺): the branch's commitments and the members' reviewed ones (审诺日期 by today). No phones.

    Grouped so that a notice board can hold it: one row per 方面 of the branch's commitments,
    one row per member, each listing its commitments by 类别 (【共性承诺】学习提高：…；…).
    The commitments “尚未审诺” are `counting.awaiting_review` at today: the number 近期提醒
    and the report give for the same day.
    """
    aspects: dict[str, list[str]] = defaultdict(list)
    for r in _valid(branch, report, layout.BRANCH_PROMISES):
        aspects[r["方面"] or ""].append(_commitment(r["工作层面"], r["承诺内容"]))
    rows: list[list[Any]] = [["党支部", f"【{aspect}】" + "；".join(items)] for aspect, items in aspects.items()]
    members = _valid(branch, report, layout.MEMBER_PROMISES, scored) if scored else []
    people: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    names: dict[str, str] = {}
    for r in members:
        if r["审诺日期"] and r["审诺日期"] <= today:
            people[r["党员编号"]][r["承诺类别"] or ""].append(_commitment(r["承诺事项"], r["承诺内容"]))
            names.setdefault(r["党员编号"], r["姓名"] or branch.member_label(r["党员编号"]))
    rows += [[names[member], "\n".join(f"【{kind}】" + "；".join(items) for kind, items in kinds.items())]
             for member, kinds in people.items()]
    waiting = len(awaiting_review(members, today))
    note = "以下承诺经支部审核（审诺）后公示，欢迎师生、家长和群众监督。" + (f"另有 {waiting} 项党员承诺尚未审诺，审核后再公示。" if waiting else "")
    if not scored:
        note += f"计分党员超过 {MAX_PRINTED_MEMBERS} 名（或没有计分党员），党员承诺不在此表列出。"
    return FormTable(layout.FORM_SHEETS[5], f"{branch_name} 公开承诺公示（{round_label}）", note,
                     NOTICE_HEADERS, NOTICE_WIDTHS, [[i, *row] for i, row in enumerate(rows, 1)], row_height=None,
                     sign_line=f"公示时间：＿＿＿＿年＿＿月＿＿日至＿＿＿＿年＿＿月＿＿日　　　　{branch_name}（盖章）")


NOTICE_HEADERS = ("序号", "承诺人", "承诺内容")
NOTICE_WIDTHS = (4.5, 9, 52)  # fits A4 portrait at 100%: printed at 11 points


def _commitment(item: Any, content: Any) -> str:
    """One commitment on the notice: 事项：内容, the 事项 left out when the content starts with it."""
    item, text = values.text(item) or "", values.text(content) or ""
    return text if not item or text.startswith(item) else f"{item}：{text}"
