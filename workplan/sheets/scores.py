"""The 个人积分, 小组积分 and 积分历史 sheets, with a bar chart of groups and a trend chart."""

from __future__ import annotations

from collections.abc import Sequence

from workbook import layout
from workbook.sheetmodel import Chart, PrintSetup, Series, SheetModel

from ..colors import PALETTE, series_colors
from ..history import HistoryRow, pivot, week_title
from ..scoring import MEMBER_ITEMS, Scores
from .common import FIRST_DATA_ROW, HEADER_ROW, HEADER_STYLE, SCORE, SCORE_FORMAT, table_sheet
from .left_out import add_left_out

UNIT = "（分）"  # the unit of an item column's header; 总分 and 排名 go without
MEMBER_HEADERS = ("党员编号", "姓名", "党小组", "总分", "排名") + tuple(label + UNIT for label, _ in MEMBER_ITEMS)
# On the sheet the unit goes on a line of its own: a narrow column never breaks 读书考评（分） after its （.
SHEET_MEMBER_HEADERS = tuple(h.replace(UNIT, "\n" + UNIT) for h in MEMBER_HEADERS)
GROUP_HEADERS = ("小组名称", "人数", "成员平均分", "活动得分", "总分", "排名", "完成活动", "逾期活动", "备注")
HISTORY_HEADERS = ("周次", "截止日期", "小组名称", "总分", "排名")
EMPTY_GROUP = "无计分党员，只计活动得分"
SCORE_COLOR = PALETTE[0]
TREND_WIDTH, TREND_HEIGHT = 900, 380  # pixels: the trend chart across a landscape A4 page


def member_rows(scores: Scores) -> list[list]:
    """The rows of 个人积分 (MEMBER_HEADERS), by rank: the sheet, `read_frames` and the roll-up share them."""
    ordered = sorted(scores.members, key=lambda m: (m.rank, m.member_id))
    return [[m.member_id, m.name, m.group, m.total, m.rank, *m.items.values()] for m in ordered]


def group_rows(scores: Scores) -> list[list]:
    """The rows of 小组积分 (GROUP_HEADERS), by rank."""
    ordered = sorted(scores.groups, key=lambda g: (g.rank, g.group))
    return [[g.group, g.members, g.average, g.activity_points, g.total, g.rank, g.done, g.overdue,
             EMPTY_GROUP if g.empty else ""] for g in ordered]


def history_rows(rows: Sequence[HistoryRow]) -> list[list]:
    """The rows of 积分历史's weekly blocks (HISTORY_HEADERS)."""
    return [[r.week, r.cutoff, r.group, r.total, r.rank] for r in rows]


def _span_title(kind: str, scores: Scores) -> str:
    return f"{kind}（统计 {scores.span.start.isoformat()} 至 {scores.span.end.isoformat()}，截止日期 {scores.cutoff.isoformat()}）"


def member_scores_sheet(scores: Scores) -> SheetModel:
    """One row per scored member, by rank; the item columns add up to 总分. Below the table,
    after a blank row, every member and record not counted, with the reason and a link."""
    rows = member_rows(scores)
    widths = (9, 9, 16, 8, 6) + (9,) * len(MEMBER_ITEMS)
    score_cols = {3, *range(5, len(MEMBER_HEADERS))}
    model = table_sheet(layout.MEMBER_SCORES_SHEET, _span_title("党员个人积分", scores), SHEET_MEMBER_HEADERS, rows, widths, True,
                        {col: SCORE for col in score_cols})
    model.row_heights[HEADER_ROW] = 45  # 出席支部活动 wraps to two lines, （分） below them
    add_left_out(model, scores.left_out, FIRST_DATA_ROW + max(len(rows), 1) + 1, len(MEMBER_HEADERS) - 1)
    return model


def group_scores_sheet(scores: Scores) -> SheetModel:
    """One row per group, by rank, and a column chart of 总分 by group."""
    rows = group_rows(scores)
    widths = (18, 6, 10, 9, 8, 6, 9, 9, 24)
    model = table_sheet(layout.GROUP_SCORES_SHEET, _span_title("党小组积分", scores), GROUP_HEADERS, rows, widths, True,
                        {2: SCORE, 3: SCORE, 4: SCORE})
    if rows:
        last = FIRST_DATA_ROW + len(rows) - 1
        series = Series("总分", FIRST_DATA_ROW, 4, last, 0, name_row=HEADER_ROW, color=SCORE_COLOR)
        model.charts.append(Chart("bar", "党小组总分", (series,), last + 2, 0, x_title="党小组", y_title="总分（分）",
                                  value_labels=True, label_format=SCORE_FORMAT))
    return model


def history_sheet(rows: Sequence[HistoryRow]) -> SheetModel:
    """The weekly blocks, then (to the right) the same totals as a week-by-group grid, each week named as a
    person reads it (第48周（11月23日—29日）), for the trend chart below the grid; printed landscape."""
    model = table_sheet(layout.HISTORY_SHEET, "党小组积分历史（每周一组）", HISTORY_HEADERS, history_rows(rows),
                        (10, 12, 18, 8, 6), True, {3: SCORE})
    weeks, groups, grid = pivot(rows)
    if not weeks:
        return model
    first_col = len(HISTORY_HEADERS) + 1
    model.put(HEADER_ROW, first_col, "周次", HEADER_STYLE)
    model.col_widths[first_col] = 24
    for offset, group in enumerate(groups, 1):
        model.put(HEADER_ROW, first_col + offset, group, HEADER_STYLE)
        model.col_widths[first_col + offset] = 12
    for row_offset, (week, totals) in enumerate(zip(weeks, grid)):
        model.put(FIRST_DATA_ROW + row_offset, first_col, week_title(week))
        for offset, total in enumerate(totals, 1):
            model.put(FIRST_DATA_ROW + row_offset, first_col + offset, total, SCORE)
    last = FIRST_DATA_ROW + len(weeks) - 1
    series = tuple(
        Series(group, FIRST_DATA_ROW, first_col + offset, last, first_col, name_row=HEADER_ROW, color=color)
        for offset, (group, color) in enumerate(zip(groups, series_colors(groups)), 1)
    )
    model.charts.append(Chart("line", "党小组总分每周趋势", series, last + 2, first_col, width=TREND_WIDTH,
                              height=TREND_HEIGHT, x_title="周次", y_title="总分（分）", markers=True))
    model.print_setup = PrintSetup(landscape=True, repeat_rows=(HEADER_ROW, HEADER_ROW), header="&C" + layout.HISTORY_SHEET)
    return model
