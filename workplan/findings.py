"""Validation findings as data, and the report that collects them.

A finding is located the way a teacher sees the workbook: sheet, Excel row (the header is
row 1), column header and letter. Each kind of finding has a stable code, a level and a
Chinese message template with the fix; checks yield findings and never raise. The
report answers "is it valid", counts by level and sheet, flattens to rows for the
校验结果 sheet, and tells scoring which rows to leave out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from workbook import layout
from workbook.layout import MEMBER_KEY_COLUMNS, MEMBERS, column_letter
from workbook.privacy import mask_phones

ERROR = "错误"
WARNING = "警告"
STRUCTURAL = frozenset(("missing-sheet", "sheet-renamed", "missing-column", "column-renamed"))  # nothing can run
SHEET_ORDER = {name: index for index, name in enumerate(layout.INPUT_SHEET_NAMES)}  # the contract's order
SHOWN_LIMIT = 200  # characters of a typed value quoted in a finding; the cell itself holds the rest


@dataclass(frozen=True)
class Kind:
    """A kind of finding: its level, its message and its suggestion (str.format templates)."""

    level: str
    message: str
    suggestion: str


KINDS: dict[str, Kind] = {
    # the shape of the workbook
    "missing-sheet": Kind(ERROR, "缺少工作表“{sheet}”", "请恢复该工作表（可从“备份”文件夹中的副本复制），或新建一份总台账后把数据粘贴过去"),
    "sheet-renamed": Kind(ERROR, "缺少工作表“{sheet}”；工作簿里有一张“{value}”，可能是它被改了名",
                          "如果是，请把“{value}”改回“{sheet}”（双击工作表标签即可改名）；否则请恢复“{sheet}”"),
    "column-renamed": Kind(ERROR, "缺少列“{column}”（应在第 1 行，第 {expected} 列）；第 1 行有一列“{value}”，可能是它被改了名",
                           "如果是，请把列标题“{value}”改回“{column}”，列标题必须与模板完全一致"),
    "missing-column": Kind(ERROR, "缺少列“{column}”（应在第 1 行，第 {expected} 列）", "请恢复该列标题，列标题必须与模板完全一致"),
    "optional-sheet-missing": Kind(WARNING, "没有“{sheet}”工作表，日历只按程序自带的法定节假日安排和周末排日子",
                                   "请新建一张名为“{sheet}”的工作表，第 1 行依次填写列标题：名称、开始日期、结束日期、类型、备注，"
                                   "再照国务院的放假通知和学校的寒暑假逐行填写（也可以新建一份总台账，把其中的“{sheet}”表复制过来）"),
    # one cell
    "required": Kind(ERROR, "“{column}”不能为空", "请填写{column}"),
    "bad-date": Kind(ERROR, "“{column}”不是能识别的日期：{value}", "请按 2026-03-05、2026/3/5 或 2026年3月5日 的格式填写"),
    "bad-number": Kind(ERROR, "“{column}”应是数字：{value}", "请只填写数字，如 2 或 -1"),
    "bad-int": Kind(ERROR, "“{column}”应是整数：{value}", "请填写不带小数的整数，如 3"),
    "bad-choice": Kind(ERROR, "“{column}”的值“{value}”不在可选范围内", "请从下拉列表中选择：{choices}"),
    "bad-months": Kind(ERROR, "“计划月份”无法识别：{value}", "请写成 3月，或月份范围 4—7月、4-7月"),
    "duplicate-id": Kind(ERROR, "“{column}”重复：{value}（第 {first} 行已使用）", "每个编号只能用一次，请改为未使用的编号"),
    "negative": Kind(ERROR, "“{column}”不能为负数：{value}", "请填写 0 或正数"),
    "date-out-of-range": Kind(ERROR, "“{column}”的日期 {value} 不在 1900 年至 2100 年之间", "请核对年份，按 2026-03-05 的格式填写"),
    "date-is-time": Kind(ERROR, "“{column}”不是日期：单元格里是 0、负数或只有时间（{value}）", "请填写日期，如 2026-03-05"),
    "number-out-of-range": Kind(ERROR, "“{column}”的值 {value} 超出合理范围（-{limit} 至 {limit}）",
                                "请核对数值，每一项不超过 {limit}；这一行没有计分"),
    "text-too-long": Kind(ERROR, "“{column}”太长（{length} 个字，一个单元格最多 {limit} 个字）",
                          "请只填写{column}，较长的说明请写在备注中；这一格没有读入"),
    "newline-in-name": Kind(WARNING, "“{column}”中有换行，已按空格读作“{value}”",
                            "请删除换行（单元格内的换行是按 Alt+Enter 输入的）"),
    "cell-error": Kind(ERROR, "“{column}”是 Excel 错误值 {value}", "请改正这个单元格（常见原因：公式引用的行或工作表被删除、查找不到、除数为 0），或直接填写内容"),
    "cell-error-text": Kind(WARNING, "“{column}”是 Excel 错误值 {value}", "请改正这个单元格（常见原因：公式引用的行或工作表被删除、查找不到）；这一列只供阅读，不影响计分"),
    "formula-no-value": Kind(ERROR, "“{column}”的公式没有计算结果（{value}）", "公式没有计算结果：请在 Excel 或 WPS 中打开并保存一次"),
    "formula-no-value-text": Kind(WARNING, "“{column}”的公式没有计算结果（{value}）", "公式没有计算结果：请在 Excel 或 WPS 中打开并保存一次；这一列只供阅读，不影响计分"),
    "invisible-chars": Kind(WARNING, "“{column}”中有看不见的字符（{chars}），已去除，按“{value}”读取", "请清空这个单元格后重新输入（从网页、微信复制时常带入这类字符）"),
    "merged-across": Kind(WARNING, "{cells} 合并成了一个单元格，只有“{column}”有值，“{others}”读作空白", "请取消合并（开始 › 合并后居中），在每一列分别填写"),
    "duplicate-header": Kind(ERROR, "列标题“{column}”重复（{first} 列已有），程序只读取 {first} 列", "请把多出来的一列改名（如“{column}（备用）”）或删除"),
    "months-from-date": Kind(WARNING, "计划月份被 Excel 存成了日期 {value}，按 {months} 计", "如果要写月份范围，请写成“4—7月”（带“月”字，Excel 就不会把它变成日期）"),
    "date-outside-year": Kind(WARNING, "“{column}”{value} 不在本年度（{start} 至 {end}）内", "请核对日期；年度外的记录不计入本年度积分"),
    # references
    "unknown-member": Kind(ERROR, "党员编号“{value}”在党员名册中不存在", "请核对党员编号，或先在“党员名册”中登记该党员"),
    "name-mismatch": Kind(WARNING, "姓名“{value}”与党员名册中 {member} 的姓名“{expected}”不一致", "以党员编号为准；请核对编号或更正姓名"),
    "unknown-group": Kind(ERROR, "党小组“{value}”在“党小组”表中不存在", "请从“党小组”表已登记的小组中选择，或先登记该小组"),
    "no-group": Kind(WARNING, "{member} 未填写党小组", "请填写所属党小组，否则不计入小组积分"),
    "unknown-organizer": Kind(ERROR, "组织者“{value}”既不是“支部”，也不是已登记的党小组", "请填写“支部”或“党小组”表中的小组名称（由各党小组分别组织的活动，每个小组一行）"),
    "unknown-activity": Kind(ERROR, "活动编号“{value}”在活动计划中不存在", "请核对活动编号，或先在“活动计划”中登记该活动"),
    # records
    "duplicate-attendance": Kind(ERROR, "同一活动重复签到：{member} 在活动 {activity} 已于第 {first} 行签到", "请删除重复的一行"),
    "attendance-not-done": Kind(ERROR, "活动 {activity} 的状态是“{state}”，不能登记签到", "活动完成后，先在“活动计划”中把状态改为“已完成”并填写实际日期"),
    "done-without-date": Kind(ERROR, "活动已完成但没有填写实际日期", "请填写活动的实际日期"),
    "no-plan": Kind(ERROR, "活动没有计划月份，也没有计划日期", "请填写计划月份（如 3月、4—7月）或计划日期"),
    "months-outside-year": Kind(ERROR, "计划月份 {value} 不在本年度（{start} 至 {end}）内", "请填写本年度内的月份"),
    "plan-date-outside-months": Kind(WARNING, "计划日期 {value} 不在计划月份 {months} 内", "请核对计划日期或计划月份"),
    "stage-missing": Kind(ERROR, "已填写“{column}”，但前一环节“{previous}”为空", "承诺、审诺、示诺、评诺、议诺须依次进行，请补填{previous}"),
    "stage-order": Kind(ERROR, "“{column}”{value} 早于“{previous}”{previous_value}", "后一环节的日期不能早于前一环节，请核对"),
    "promise-item": Kind(ERROR, "{kind}的承诺事项“{value}”不是规定的事项", "{kind}的承诺事项应为：{choices}"),
    "promise-missing": Kind(ERROR, "{member} 缺少{kind}：{items}", "请在“党员承诺”中为该党员补充这些承诺"),
    "promise-no-deed": Kind(ERROR, "{member} 没有实事承诺", "每名党员至少要有一项实事承诺，请补充"),
    "fulfilment-without-review": Kind(WARNING, "已填写兑现情况，但没有评诺日期", "评诺后再填写兑现情况；没有评诺日期的承诺不计分"),
    "review-without-fulfilment": Kind(WARNING, "已评诺，但没有填写兑现情况", "请填写兑现情况（已兑现/部分兑现/未兑现）"),
    "promises-not-started": Kind(WARNING, "{what}还没有填写本年度的承诺", "年初请填写{todo}；填写后程序会检查是否齐全"),
    "aspect-missing": Kind(ERROR, "支部承诺没有覆盖方面“{value}”", "五个方面都要有承诺，请补充"),
    "too-few-dimensions": Kind(ERROR, "支部承诺只覆盖了 {count} 个工作层面，少于 {minimum} 个", "请补充承诺，覆盖至少 {minimum} 个工作层面"),
    "dynamic-without-date": Kind(ERROR, "动态新增的承诺没有填写新增日期", "请填写新增日期"),
    "reading-order": Kind(ERROR, "完成日期 {value} 早于开始日期 {previous_value}", "请核对开始日期和完成日期"),
    "ledger-sign": Kind(WARNING, "“违规违纪”的分值是正数：{value}", "违规违纪一般是减分，请核对分值是否应为负数"),
    "eval-object-member": Kind(ERROR, "群众评议党员的评议对象应是党员编号，“{value}”不在党员名册中", "请填写被评议党员的党员编号"),
    "eval-object-branch": Kind(ERROR, "党员评议支部的评议对象应是“五好”之一，不能是“{value}”", "请从以下选择：{choices}"),
    "eval-grade": Kind(ERROR, "{kind}的等次不能是“{value}”", "{kind}的等次应为：{choices}"),
    "eval-duplicate": Kind(ERROR, "评议人“{rater}”对“{value}”已在第 {first} 行评议过", "同一评议人对同一对象只能评议一次，请删除重复的一行"),
    "dev-stage-missing": Kind(ERROR, "已填写“{column}”，但前一阶段“{previous}”为空", "发展党员须按申请、积极分子、发展对象、预备党员、转正的顺序进行，请补填{previous}"),
    "dev-stage-order": Kind(ERROR, "“{column}”{value} 早于“{previous}”{previous_value}", "请核对日期，后一阶段不能早于前一阶段"),
    "dev-training-year": Kind(ERROR, "确定积极分子（{previous_value}）到确定发展对象（{value}）不满一年", "入党积极分子须经过一年以上培养考察，才能确定为发展对象"),
    "dev-probation-year": Kind(ERROR, "接收预备党员（{previous_value}）到转正（{value}）不满一年", "预备期为一年，期满后才能转正"),
    "dev-too-young": Kind(ERROR, "申请入党时（{value}）未满 18 周岁（出生日期 {birth}）", "年满十八岁才能申请入党，请核对出生日期和申请日期"),
    "holiday-order": Kind(ERROR, "结束日期 {value} 早于开始日期 {previous_value}", "请核对这一行的开始日期和结束日期；这一行没有用于日历"),
    "holiday-span": Kind(ERROR, "从 {previous_value} 到 {value} 共 {days} 天，超过一年", "请核对年份；这一行没有用于日历"),
    "holiday-overlap": Kind(WARNING, "“{value}”（{kind}）与第 {other} 行“{other_name}”（{other_kind}）的日期重叠：{days}",
                            "请核对两行的日期；重叠的日子按靠上的一行（第 {first} 行）计"),
    "holiday-makeup-weekday": Kind(WARNING, "调休上班日 {value} 是{weekday}，不是周末", "调休上班一般是周六或周日，请核对放假通知"),
    # settings and rules
    "setting-missing": Kind(ERROR, "基本设置缺少“{value}”", "请在“基本设置”中添加一行：项目填“{value}”，值填写{hint}"),
    "setting-blank": Kind(ERROR, "基本设置“{key}”没有填写", "{hint}"),
    "setting-bad": Kind(ERROR, "基本设置“{key}”的值“{value}”无法识别", "{hint}"),
    "setting-out-of-range": Kind(ERROR, "基本设置“{key}”的日期 {value} 不在 1900 年至 2100 年之间", "{hint}；本次按默认值计算"),
    "setting-newline": Kind(WARNING, "基本设置“{key}”中有换行，已按空格读作“{value}”", "请删除换行（单元格内的换行是按 Alt+Enter 输入的）"),
    "year-span": Kind(ERROR, "年度从 {start} 到 {end} 共 {days} 天，不是一年",
                      "年度起止应相隔约一年，如 2026-01-01 至 2026-12-31；本次按 {start} 至 {fallback} 计算"),
    "year-short": Kind(WARNING, "年度从 {start} 到 {end} 只有 {days} 天，不到一年",
                       "如果本年度确实较短（如年中成立的支部）可不处理，否则请核对年度起止日期"),
    "cutoff-outside-year": Kind(WARNING, "积分截止日期 {value} 不在本年度（{start} 至 {end}）内",
                                "积分只统计本年度内的记录，本次{used}；请核对积分截止日期（留空表示统计到今天）"),
    "setting-cell-error": Kind(ERROR, "基本设置“{key}”是 Excel 错误值 {value}", "请改正这个单元格：{hint}；{fallback}"),
    "setting-no-value": Kind(ERROR, "基本设置“{key}”的公式没有计算结果（{value}）", "公式没有计算结果：请在 Excel 或 WPS 中打开并保存一次；{fallback}"),
    "year-order": Kind(ERROR, "年度结束日期 {value} 早于年度开始日期 {previous_value}", "请核对年度起止日期"),
    "rule-unknown": Kind(WARNING, "规则代码“{value}”不是程序认识的代码，这一行不会计分", "请不要修改规则代码；可用代码：{choices}"),
    "rule-missing": Kind(WARNING, "积分规则中缺少“{value}”（{item}），按默认分值 {default} 计算", "如需调整，请在“积分规则”中添加这一行；如不计分，把分值填 0"),
    # returned forms (collect): the "sheet" is the file name, the row and column are the form's.
    # These reach the command line and Excel's message boxes alike: no command-line options here.
    "form-unreadable": Kind(ERROR, "无法读取这份评议表：{detail}", "这份表没有计入；{advice}"),
    "form-open": Kind(WARNING, "这份评议表正在 Excel 或 WPS 中打开，打开后尚未保存的填写内容没有读到", "请保存并关闭它后再回收一次（已计入的项不会重复计入）"),
    "form-not-ours": Kind(ERROR, "这不是本程序发放的评议表（找不到表单信息）", "这份表没有计入；请只把本程序生成并填好的评议表放进回收文件夹，不要把内容复制到新文件"),
    "form-other-branch": Kind(ERROR, "这份评议表属于“{value}”，不是本支部“{expected}”", "这份表没有计入；请核对是否放错了文件夹"),
    "form-other-round": Kind(ERROR, "这份评议表是“{value}”的，本次回收的是“{expected}”", "这份表没有计入；请把它放回“{value}”那一轮的评议表文件夹，回收“{value}”时再计入"),
    "form-list-changed": Kind(ERROR, "评议表中的名单或项目被改动过（与发放时的校验码不符），整份表没有计入", "请给该评议人重新发一份评议表，提醒只填写“{answer}”和“意见”两列"),
    "form-empty": Kind(WARNING, "整份表一项也没有填写，没有计入", "可能尚未交回或交回了空表；请评议人填写后再交"),
    "form-blank-answer": Kind(WARNING, "{target} 的“{column}”没有填写，这一项没有计入", "如属漏填，请评议人补填后重新交回这份表（已计入的项不会重复计入）"),
    "form-bad-answer": Kind(ERROR, "{target} 的“{column}”填了“{value}”，不在可选范围内，这一项没有计入", "可选：{choices}；请与评议人核实后重新交回这份表"),
    "form-unknown-object": Kind(WARNING, "评议对象“{value}”不是党员名册中的计分党员，这一项没有计入", "如该党员已转出，可不处理；否则请核对党员名册中的党员编号和在册状态"),
    "form-same-rater": Kind(ERROR, "评议人“{rater}”本轮已有一份表（{first}）计入，这一份没有计入", "每人每轮只计一份；如这一份才是正确的，请先在“评议记录”中删除{rows}，再重新回收"),
    "form-copy": Kind(WARNING, "这是 {first} 的副本（评议人和填写内容都相同），没有重复计入", "可以删除这个副本文件"),
    "form-answer-changed": Kind(WARNING, "{target} 的“{column}”与已录入的不同（已录入“{expected}”，这次是“{value}”），没有覆盖", "如需更正，请直接修改“评议记录”中来源为这份表的那一行"),
}


@dataclass(frozen=True)
class Finding:
    """One problem, located by sheet, Excel row and column, with a Chinese message and fix."""

    code: str
    level: str
    sheet: str
    row: int | None
    column: str | None
    col_index: int | None  # 0-based position of the column in the sheet
    value: str
    message: str
    suggestion: str

    @property
    def excludes_row(self) -> bool:
        """Whether this finding leaves its row out of every count (scores, forms, the report).

        An error on a data row does; on 党员名册 only an error in a column the member's scoring
        needs (`layout.MEMBER_KEY_COLUMNS`: 党员编号, 党小组, 在册状态) — a wrong 性别 is reported
        and the member is scored.
        """
        return (self.level == ERROR and self.row is not None and self.row > 1
                and (self.sheet != MEMBERS or self.column in MEMBER_KEY_COLUMNS))

    @property
    def letter(self) -> str:
        return column_letter(self.col_index) if self.col_index is not None else ""

    @property
    def cell(self) -> str:
        """The cell as Excel names it (D7), the row (7) or nothing, as far as it is known."""
        if self.row is None:
            return ""
        return f"{self.letter}{self.row}" if self.letter else f"{self.row}"

    def flatten(self) -> list:
        return [self.level, self.sheet, self.cell, self.column or "", self.value, self.message, self.suggestion]

    def describe(self) -> str:
        """One line for the terminal: where, what, what to do."""
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"[{self.level}] {where} {self.message}。{self.suggestion}。"


def make(
    code: str,
    sheet: str,
    *,
    row: int | None = None,
    column: str | None = None,
    col_index: int | None = None,
    value: object = "",
    **params: object,
) -> Finding:
    """A finding of kind `code` at its locus (sheet; row, column and its 0-based index when known).

    The message and suggestion are filled from the kind's templates with `value`, `column`,
    `sheet` and `params`. The locus is keyword-only so that a call reads like the cell it names.
    """
    kind = KINDS[code]
    shown = str(quoted(value))
    fields = {"sheet": sheet, "column": column or "", **{k: quoted(v) for k, v in params.items()}, "value": shown}
    return Finding(
        code,
        kind.level,
        sheet,
        row,
        column,
        col_index,
        shown,
        mask_phones(kind.message.format(**fields)),
        mask_phones(kind.suggestion.format(**fields)),
    )


def quoted(value: object) -> object:
    """A value as a finding quotes it: phone numbers masked, long text cut at SHOWN_LIMIT characters."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value if isinstance(value, (int, float)) else str(value)
    text = mask_phones(value)
    return text if len(text) <= SHOWN_LIMIT else f"{text[:SHOWN_LIMIT]}…（共 {len(text)} 个字）"


@dataclass
class Report:
    """All findings of one validation run."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == WARNING]

    @property
    def structural(self) -> list[Finding]:
        """Missing (or renamed) sheets or columns: without them the workbook cannot be processed."""
        return [f for f in self.findings if f.code in STRUCTURAL]

    def counts(self) -> dict[tuple[str, str], int]:
        """Number of findings per (sheet, level)."""
        return dict(Counter((f.sheet, f.level) for f in self.findings))

    def bad_rows(self, sheet: str) -> set[int]:
        """Excel rows of `sheet` left out of every count (`Finding.excludes_row`)."""
        return {f.row for f in self.findings if f.sheet == sheet and f.excludes_row}

    def flatten(self) -> list[list]:
        """Rows for the 校验结果 sheet, in the order of `sorted`."""
        return [f.flatten() for f in self.sorted()]

    def sorted(self) -> list[Finding]:
        """Missing sheets and columns first (they explain much of the rest), then errors before
        warnings, then by sheet in the contract's order (other sheets, such as returned forms,
        after it by name), row and column."""
        return sorted(self.findings, key=lambda f: (f.code not in STRUCTURAL, f.level != ERROR,
                                                    SHEET_ORDER.get(f.sheet, len(SHEET_ORDER)), f.sheet,
                                                    f.row or 0, f.col_index or 0))

    def codes(self) -> list[tuple[str, int | None, str | None, str]]:
        """(sheet, row, column, code) of every finding, in order: handy for exact test assertions."""
        return [(f.sheet, f.row, f.column, f.code) for f in self.findings]
