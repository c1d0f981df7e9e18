"""The scoring scheme: default rules, and the rules as staff set them in 积分规则.

The defaults are the product spec's scheme. `read_rules` takes the typed 积分规则 table
and returns the value and cap of every known code, using the default for a code staff
removed and ignoring codes the program does not know; `check_rules` reports both.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from workbook import layout

from . import findings as F
from .records import Table


@dataclass(frozen=True)
class Rule:
    code: str
    item: str
    value: float
    cap: float | None
    note: str


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("ATTEND_BRANCH", "出席支部组织的活动", 2, None, "每出席一次支部组织的已完成活动"),
    Rule("ATTEND_GROUP", "出席党小组组织的活动", 1, None, "每出席一次党小组组织的已完成活动"),
    Rule("LEAVE", "请假", 0, None, "每请假一次"),
    Rule("ABSENT", "缺席", -1, None, "每缺席一次"),
    Rule("READ_BOOK", "读完一本书", 1, 10, "填写了完成日期的每本书"),
    Rule("READ_EXCELLENT", "读书考评：优秀", 3, None, "每条考评为优秀的读书记录"),
    Rule("READ_GOOD", "读书考评：良好", 2, None, "每条考评为良好的读书记录"),
    Rule("READ_PASS", "读书考评：合格", 1, None, "每条考评为合格的读书记录"),
    Rule("READ_FAIL", "读书考评：不合格", 0, None, "每条考评为不合格的读书记录"),
    Rule("PROMISE_KEPT", "承诺已兑现", 2, None, "已评诺、兑现情况为已兑现的每项承诺"),
    Rule("PROMISE_PARTLY", "承诺部分兑现", 1, None, "已评诺、兑现情况为部分兑现的每项承诺"),
    Rule("PROMISE_BROKEN", "承诺未兑现", -1, None, "已评诺、兑现情况为未兑现的每项承诺"),
    Rule("RECOMMENDED", "被群众推荐", 1, 5, "每位不同的推荐人计一次"),
    Rule("COMMENDED", "推荐后获表彰", 5, None, "是否表彰为“是”的每条推荐"),
    Rule("EVAL_EXCELLENT", "群众评议：优秀", 5, None, "群众评议按全部票数取平均分"),
    Rule("EVAL_PASS", "群众评议：合格", 3, None, "群众评议按全部票数取平均分"),
    Rule("EVAL_BASIC", "群众评议：基本合格", 1, None, "群众评议按全部票数取平均分"),
    Rule("EVAL_FAIL", "群众评议：不合格", 0, None, "群众评议按全部票数取平均分"),
    Rule("LEDGER", "加减分台账", 1, None, "加减分表的分值乘以此倍数后计入"),
    Rule("GROUP_ACTIVITY_DONE", "党小组完成一次活动", 3, None, "党小组组织并已完成的每次活动（计入小组积分）"),
    Rule("GROUP_ACTIVITY_OVERDUE", "党小组活动逾期未完成", -2, None, "计划月份已过、既未完成也未取消的党小组活动（计入小组积分）"),
)
DEFAULTS = {rule.code: rule for rule in DEFAULT_RULES}


def read_rules(table: Table, bad_rows: set[int]) -> dict[str, Rule]:
    """Every known code's rule: as staff set it in 积分规则, else the default."""
    rules = dict(DEFAULTS)
    for record in table.records:
        code = record["规则代码"]
        if record.row in bad_rows or code not in DEFAULTS or record["分值"] is None:
            continue
        default = DEFAULTS[code]
        rules[code] = Rule(code, record.get("项目", default.item), record["分值"], record["上限"], record.get("说明", ""))
    return rules


def check_rules(table: Table) -> Iterator[F.Finding]:
    """Unknown codes (ignored) and codes staff removed (the default is used)."""
    if not table.present or "规则代码" not in table.columns:
        return
    seen = set()
    for record in table.records:
        code = record["规则代码"]
        if code is None:
            continue
        seen.add(code)
        if code not in DEFAULTS:
            yield table.finding("rule-unknown", record, "规则代码", code, choices="、".join(DEFAULTS))
    for code, rule in DEFAULTS.items():
        if code not in seen:
            yield F.make("rule-missing", layout.RULES, column="规则代码", col_index=0, value=code, item=rule.item,
                         default=_number(rule.value))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
