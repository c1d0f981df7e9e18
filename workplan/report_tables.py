"""The yearly report as titled tables with chart hints, shared by every output.

Pure: a `YearReport` in, `Section`s of `Table`s out. The report workbook
(`workplan.sheets.report`) and the HTML page (`services.report_html`) both render these,
so the two always show the same numbers under the same Chinese headings. A `Share`
value is a proportion each renderer shows as a percentage; None is shown as blank/—.

Every text cell passes `mask_phones` here, the one funnel to every output, so a phone
number typed into an activity name or a note never reaches a report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workbook import layout
from .colors import meaning_colors, series_colors
from .history import week_title
from .privacy import mask_phones

from .report import (
    CANCELLED, DONE, NOT_FILLED, OVERDUE, PENDING, TEN_STATES, Candidate, Share, Turnout, YearReport, headline,
    key_figures, share, summary_sentence,
)

NONE_YET = "（无）"


@dataclass(frozen=True)
class ChartHint:
    """How to chart a table: its `category` column against the `values` columns.

    `rows` limits the chart to the first rows (a total row below them is left out).
    """

    kind: str  # bar, line, pie
    title: str
    values: tuple[int, ...]
    category: int = 0
    rows: int | None = None
    y_title: str = ""


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: list[list[Any]]
    chart: ChartHint | None = None
    note: str = ""

    @property
    def chart_rows(self) -> int:
        """How many rows the chart draws (0: no chart)."""
        if self.chart is None:
            return 0
        return len(self.rows) if self.chart.rows is None else min(self.chart.rows, len(self.rows))

    @property
    def chart_percent(self) -> bool:
        """The chart draws shares: every renderer labels it in percent on a 0–100% axis."""
        charted = self.rows[: self.chart_rows]
        return bool(self.chart) and any(isinstance(row[col], Share) for row in charted for col in self.chart.values)

    @property
    def chart_counts(self) -> bool:
        """The chart draws counts (whole numbers only): its value axis steps by whole numbers."""
        charted = [row[col] for row in self.rows[: self.chart_rows] for col in self.chart.values] if self.chart else []
        numbers = [v for v in charted if v is not None]
        return bool(numbers) and all(isinstance(v, int) and not isinstance(v, (bool, Share)) for v in numbers)

    @property
    def chart_top(self) -> float:
        """The largest value the chart draws (0 when there is none)."""
        charted = [row[col] for row in self.rows[: self.chart_rows] for col in self.chart.values] if self.chart else []
        return max([float(v) for v in charted if isinstance(v, (int, float)) and not isinstance(v, bool)] + [0.0])

    @property
    def series_colors(self) -> tuple[str, ...]:
        """One colour per charted column: what its state means (支部承诺's 已完成 green, 未完成 red), else the palette."""
        return series_colors(self.headers[col] for col in self.chart.values) if self.chart else ()

    @property
    def point_colors(self) -> tuple[str, ...]:
        """One colour per category of a single series when every category is a state (兑现情况, 等次), else ()."""
        if not self.chart or len(self.chart.values) != 1:
            return ()
        return meaning_colors(row[self.chart.category] for row in self.rows[: self.chart_rows])


@dataclass(frozen=True)
class Section:
    """One sheet of the report workbook and one part of the HTML page."""

    name: str  # sheet name (short, no special characters)
    title: str
    tables: tuple[Table, ...]
    lead: str = ""  # one sentence shown above the tables


def table(
    title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], chart: ChartHint | None = None, note: str = ""
) -> Table:
    """A table whose texts have any phone number masked: cells, and headers too (group names typed by staff
    become headers and chart legends)."""
    clean = [[mask_phones(v) if isinstance(v, str) else v for v in row] for row in rows]
    return Table(mask_phones(title), tuple(mask_phones(h) for h in headers), clean, chart, mask_phones(note))


def year_label(report: YearReport) -> str:
    """2026, or 2026—2027 for a school year."""
    first, last = report.year_start.year, report.year_end.year
    return str(first) if first == last else f"{first}—{last}"


def report_title(report: YearReport) -> str:
    return mask_phones(f"{report.branch}{year_label(report)}年度党建工作报表")


def report_subtitle(report: YearReport) -> str:
    return (f"统计区间 {report.span.start.isoformat()} 至 {report.span.end.isoformat()}（与积分相同），"
            f"生成于 {report.today.isoformat()}。")


def report_sections(report: YearReport) -> list[Section]:
    """Every part of the yearly report, in the order the upper committee reads it."""
    return [
        Section("概况", "概况", _overview(report), summary_sentence(report)),
        Section("十个一", "“十个一”活动完成情况", _ten(report)),
        Section("三会一课", "三会一课落实情况（组织生活落实）", _meetings(report)),
        Section("出勤", "活动出勤率", _attendance(report)),
        Section("党员承诺", "党员承诺：各环节与兑现情况", _promises(report)),
        Section("支部承诺", "支部承诺：各方面完成状态与动态新增", _branch_promises(report)),
        Section("读书达人", "读书达人", _reading(report)),
        Section("推荐表彰", "我身边的优秀共产党员：推荐与表彰", _recommendations(report)),
        Section("评议结果", "评议结果", _evaluations(report)),
        Section("小组排名", "党小组积分排名与每周趋势", _ranking(report)),
        Section("发展党员", "发展党员：各阶段与下一步", _development(report)),
    ]


def _overview(report: YearReport) -> tuple[Table, ...]:
    """The eight key figures, then the rest of the headline figures."""
    key = key_figures(report)
    shown = {label for label, _ in key}
    rest = [[label, value] for label, value in headline(report) if label not in shown]
    return (table("主要数字", ("项目", "数值"), [list(pair) for pair in key]),
            table("其他数字", ("项目", "数值"), rest))


def _ten(report: YearReport) -> tuple[Table, ...]:
    counts = report.ten_counts()
    rows = [[state, counts[state]] for state in TEN_STATES] + [["计划合计", len(report.ten)]]
    note = (f"{DONE}：统计区间内完成；{OVERDUE}：计划日期（未填时为计划月份的最后一天）已过、未完成也未取消；"
            f"{CANCELLED}：已取消；{PENDING}：尚未到期。完成率 = 已完成 ÷ 计划合计。")
    detail = [[a.code, a.name, a.organizer, a.planned, a.day, a.status] for a in report.ten]
    return (
        table("完成情况", ("状态", "项目数"), rows, ChartHint("pie", "“十个一”完成情况", (1,), rows=len(TEN_STATES)), note),
        table("活动明细", ("活动编号", "活动名称", "组织者", "计划月份", "完成日期", "状态"), detail),
    )


def _meetings(report: YearReport) -> tuple[Table, ...]:
    rows = [[m.name, m.organizer, m.period, m.required, m.held, m.required - m.held, m.rate] for m in report.meetings]
    held, required = report.meeting_totals()
    rows.append(["合计", "", "", required, held, required - held, share(held, required)])
    note = ("应开：按“基本设置”中的例会规律，统计截止日期前已结束的月份、季度（和已召开的）应召开的次数；"
            "已开：活动计划中状态“已完成”、实际日期在该期内的同类会议（与“组织生活落实”表相同）。")
    missed = [[m.name, m.organizer, period] for m in report.meetings for period in m.missed] or [[NONE_YET, "", ""]]
    return (
        table("各项会议", ("会议", "组织者", "要求", "应开", "已开", "未开", "落实率"), rows, note=note),
        table("未召开的会议", ("会议", "组织者", "期间"), missed),
    )


def _turnout_cells(t: Turnout) -> list[Any]:
    return [t.present, t.leave, t.absent, t.total, t.rate]


TURNOUT_HEADERS = ("出席", "请假", "缺席", "签到人次", "出勤率")


def _attendance(report: YearReport) -> tuple[Table, ...]:
    figures = report.attendance
    overall = figures.overall
    note = (f"出勤率 = 出席 ÷ 签到人次，只计统计区间内已完成活动的签到。全部活动：签到 {overall.total} 人次，"
            f"出席 {overall.present} 人次。党小组按成员（计分党员）统计。")
    groups = [[t.label, *_turnout_cells(t)] for t in figures.groups]
    activities = [[t.key, t.label, t.kind, t.group, t.day, *_turnout_cells(t)] for t in figures.activities]
    members = [[t.key, t.label, t.group, *_turnout_cells(t)] for t in figures.members]
    return (
        table("按党小组", ("党小组", *TURNOUT_HEADERS), groups, ChartHint("bar", "各党小组出勤率", (5,), y_title="出勤率"), note),
        table("按活动", ("活动编号", "活动名称", "类别", "组织者", "日期", *TURNOUT_HEADERS), activities),
        table("按党员", ("党员编号", "姓名", "党小组", *TURNOUT_HEADERS), members),
    )


def _promises(report: YearReport) -> tuple[Table, ...]:
    figures = report.promises
    stages = [[stage, count, share(count, figures.total)] for stage, count in figures.reached.items()]
    kept = [[state, count, share(count, figures.reviewed)] for state, count in figures.fulfilment.items()]
    note = f"全部承诺 {figures.total} 项；到达某一环节 = 该环节日期已填写且不晚于统计截止日。"
    return (
        table("承诺各环节", ("环节", "已到达", "占全部承诺"), stages, ChartHint("bar", "承诺各环节到达数", (1,), y_title="项数"), note),
        table("兑现情况（统计区间内评诺）", ("兑现情况", "项数", "占比"), kept,
              ChartHint("pie", "承诺兑现情况", (1,), rows=len(layout.FULFILMENTS)), f"{NOT_FILLED}：已评诺但未填兑现情况。"),
    )


def _branch_promises(report: YearReport) -> tuple[Table, ...]:
    figures = report.branch_promises
    states = layout.BRANCH_PROMISE_STATES
    rows = [[aspect, *(counts[s] for s in states), sum(counts.values())] for aspect, counts in figures.by_aspect.items()]
    rows.append(["合计", *(figures.count(s) for s in states), figures.total])
    chart = ChartHint("bar", "各方面承诺完成状态", tuple(range(1, len(states) + 1)), rows=len(layout.ASPECTS), y_title="项数")
    dynamic = [[d.code, d.aspect, d.dimension, d.content, d.added, d.status] for d in figures.dynamic]
    return (
        table("按方面和完成状态", ("方面", *states, "合计"), rows, chart),
        table("动态新增承诺", ("承诺编号", "方面", "工作层面", "承诺内容", "新增日期", "完成状态"), dynamic,
              note=f"年中动态新增 {len(dynamic)} 项。"),
    )


def _reading(report: YearReport) -> tuple[Table, ...]:
    figures = report.reading
    totals = [["读完书目（本）", figures.finished], ["读书党员（人）", figures.readers],
              ["读书笔记（篇）", figures.notes], ["在读书目（本）", figures.reading]]
    grades = [[grade, count] for grade, count in figures.grades.items()]
    leaders = [[r.rank, r.member_id, r.name, r.group, r.books, r.excellent, r.notes] for r in figures.leaders]
    return (
        table("读书统计", ("项目", "数值"), totals, note="计分党员（在职、离退休）的读书；读完 = 完成日期在统计区间内。"),
        table("读完书目的考评等级", ("考评等级", "本数"), grades, ChartHint("bar", "读书考评等级", (1,), y_title="本数")),
        table("读书达人（前五名）", ("名次", "党员编号", "姓名", "党小组", "读完书目", "考评优秀", "笔记篇数"), leaders,
              ChartHint("bar", "读书达人读完书目", (4,), category=2, y_title="本数"),
              "按读完书目排名，相同时比考评优秀本数、再比笔记篇数；三项都相同的并列。"),
    )


def _recommendations(report: YearReport) -> tuple[Table, ...]:
    figures = report.recommendations
    totals = [["推荐次数", figures.total], ["推荐人（不同的人）", figures.recommenders],
              ["被推荐党员", len(figures.members)], ["表彰次数", figures.commended]]
    steps = [[step, count] for step, count in figures.steps.items()]
    members = [[m.member_id, m.name, m.group, m.times, m.recommenders, m.commended] for m in figures.members]
    return (
        table("推荐统计", ("项目", "数值"), totals, note="推荐日期在统计区间内的推荐。"),
        table("推荐环节", ("环节", "次数"), steps, ChartHint("bar", "推荐各环节", (1,), y_title="次数")),
        table("被推荐党员", ("党员编号", "姓名", "党小组", "被推荐次数", "推荐人数", "获表彰次数"), members),
    )


def _evaluations(report: YearReport) -> tuple[Table, ...]:
    figures = report.evaluations
    on_members = figures.on_members
    grades = [[grade, count, share(count, on_members.votes)] for grade, count in on_members.grades.items()]
    goods = [[g.good, *g.grades.values(), g.votes, g.rate] for g in figures.goods]
    members = [[m.member_id, m.name, m.group, m.votes, m.excellent, m.rate] for m in figures.members]
    return (
        table("群众评议党员：各等次票数", ("等次", "票数", "占比"), grades, ChartHint("bar", "群众评议等次", (1,), y_title="票数"),
              f"共 {on_members.votes} 票（对计分党员的评议），优秀率 = 优秀票 ÷ 全部票。"),
        table("党员评议支部：五好满意率", ("评议项目", *layout.BRANCH_GRADES, "票数", "满意率"), goods,
              ChartHint("bar", "“五好”满意率", (len(layout.BRANCH_GRADES) + 2,), y_title="满意率"),
              f"共 {figures.on_branch.votes} 票，满意率 = 满意票 ÷ 该项全部票。"),
        table("群众评议党员：每名党员优秀率", ("党员编号", "姓名", "党小组", "票数", "优秀票", "优秀率"), members),
    )


def _ranking(report: YearReport) -> tuple[Table, ...]:
    ranking = [[g.rank, g.group, g.members, g.average, g.activity_points, g.total] for g in report.ranking]
    trend = report.trend
    weeks = [[week_title(week), *totals] for week, totals in zip(trend.weeks, trend.totals)]
    return (
        table("党小组排名", ("名次", "党小组", "人数", "成员平均分", "活动得分", "总分"), ranking,
              ChartHint("bar", "党小组总分", (5,), category=1, y_title="总分"), "与“小组积分”表相同。"),
        table("每周趋势（积分历史）", ("周次", *trend.groups), weeks,
              ChartHint("line", "党小组总分每周趋势", tuple(range(1, len(trend.groups) + 1)), y_title="总分"),
              "来自“积分历史”表：每次刷新记下当周各小组总分。"),
    )


def _development(report: YearReport) -> tuple[Table, ...]:
    counts = [[stage, count] for stage, count in report.development_counts().items()]
    people = [[c.name, c.stage, c.since, c.next_step, c.earliest, _due(c, report), c.contact] for c in report.development]
    return (
        table("各阶段人数", ("阶段", "人数"), counts, ChartHint("bar", "发展党员各阶段人数", (1,), y_title="人数")),
        table("下一步", ("姓名", "当前阶段", "开始日期", "下一步", "最早可办日期", "时间条件", "培养联系人"), people,
              note="按规定：确定积极分子满一年方可确定为发展对象；预备期一年，期满方可转正。"),
    )


def _due(candidate: Candidate, report: YearReport) -> str:
    if not candidate.next_step:
        return ""
    if candidate.earliest is None:
        return "无时间要求，按程序办理"
    return "已满一年" if candidate.due(report.cutoff) else "未满一年"


def rollup_table(rows: Sequence[tuple[str, YearReport]]) -> Table:
    """One row per branch workbook (file name, then the headline figures)."""
    labels = [label for label, _ in headline(rows[0][1])] if rows else []
    body = [[report.branch, name, *(value for _, value in headline(report))] for name, report in rows]
    columns = ("支部名称", "文件", *labels)
    chart = ChartHint("bar", "各支部“十个一”完成率和出勤率", (columns.index("十个一完成率"), columns.index("出勤率"))) if rows else None
    return table("各支部对比", columns, body, chart, "各支部按各自的积分截止日期统计；口径与各支部年度报表的“概况”相同。")


def failures_table(failures: Sequence[tuple[str, str]]) -> Table:
    """The files that could not be read, and why."""
    return table("未能读取的文件", ("文件", "问题"), [list(f) for f in failures], note="这些文件没有计入汇总，请按提示处理后重新汇总。")


def rollup_sections(rows: Sequence[tuple[str, YearReport]], failures: Sequence[tuple[str, str]],
                    town: Sequence[Section] = ()) -> list[Section]:
    """The roll-up's parts, for its workbook and its page: the comparison, the town's tables, the failures."""
    sections = [Section("各支部对比", "各支部党建工作对比", (rollup_table(rows),)), *town]
    if failures:
        sections.append(Section("未能读取", "未能读取的文件", (failures_table(failures),)))
    return sections
