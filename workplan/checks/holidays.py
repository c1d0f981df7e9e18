"""Checks on the 节假日 sheet: spans that end before they start or run over a year, a 法定节假日
and a 调休上班 row on the same days (one says rest, the other work), and 调休上班 days that are
not weekends. A holiday inside a 学校假期 is what every 寒假 holds (春节): not a finding."""

from __future__ import annotations

from collections.abc import Iterator

from workbook import layout

from .. import findings as F
from ..branch import Branch
from ..holidays import MAKEUP, MAX_SPAN_DAYS, VACATION, row_span

WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
SHOWN_DAYS = 3  # overlapping days quoted in a finding


def check_holidays(branch: Branch) -> Iterator[F.Finding]:
    table = branch.table(layout.HOLIDAYS)
    first_row: dict = {}  # day -> (record, kind) of the first usable row on it
    overlaps: dict[tuple[int, int], list] = {}
    for record in table.records:
        first, last, kind = record["开始日期"], record["结束日期"], record["类型"]
        if first and last and last < first:
            yield table.finding("holiday-order", record, "结束日期", last, previous_value=first)
            continue
        if first and last and (last - first).days + 1 > MAX_SPAN_DAYS:
            yield table.finding("holiday-span", record, "结束日期", last, previous_value=first, days=(last - first).days + 1)
            continue
        span = row_span(record["名称"], first, last, kind)
        if span is None or kind == VACATION:
            continue
        weekdays = [day for day in span.days() if kind == MAKEUP and day.weekday() < 5]
        if weekdays:
            yield table.finding("holiday-makeup-weekday", record, "开始日期" if weekdays[0] == first else "结束日期",
                                weekdays[0], weekday=WEEKDAY_NAMES[weekdays[0].weekday()])
        for day in span.days():
            earlier = first_row.setdefault(day, (record, kind))
            if earlier[0] is not record and earlier[1] != kind:
                overlaps.setdefault((earlier[0].row, record.row), [earlier[0], record]).append(day)
    for (_, _), (earlier, later, *days) in overlaps.items():
        shown = "、".join(d.isoformat() for d in days[:SHOWN_DAYS]) + (f" 等 {len(days)} 天" if len(days) > SHOWN_DAYS else "")
        yield table.finding("holiday-overlap", later, "开始日期", later["名称"] or "", kind=later["类型"], other=earlier.row,
                            other_name=earlier["名称"] or "", other_kind=earlier["类型"], days=shown, first=earlier.row)
