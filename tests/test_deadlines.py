"""One deadline rule: an activity's 计划日期 when typed, else the last day of its (last) planned month.

Scores and the report compare it with the cut-off; the calendar's state and 近期提醒 with today.
The clean branch's 一组 has A02 done (3 points) and an average of 8: total 11.
"""

from __future__ import annotations

import datetime as dt

from services.demo import demo_data
from workbook import layout as L
from workplan import pipeline
from workplan.calendar import OVERDUE
from workplan.report import year_report
from workplan.scoring import planned_deadline

from conftest import raw_book

D = dt.date
DAY = D(2026, 11, 28)


def _with_a04(data, **plan):
    data[L.ACTIVITIES].append({"活动编号": "A04", "活动名称": "志愿服务", "类别": "十个一", "组织者": "一组",
                               "计划月份": "11月", "计划日期": D(2026, 11, 6), "状态": "计划中", **plan})
    return pipeline.refresh(raw_book(data), DAY)


def _group(result, name):
    return next(g for g in result.scores.groups if g.group == name)


def _a04(result):
    return next(i for i in result.calendar.activities if i.code == "A04")


def test_a_typed_date_before_the_months_end_is_the_deadline_everywhere(data):
    result = _with_a04(data)
    assert result.report.codes() == []
    one = _group(result, "一组")
    assert (one.overdue, one.activity_points, one.total) == (1, 1.0, 9.0)
    assert _a04(result).status == OVERDUE
    late = [(r.kind, r.day, r.subject, r.detail) for r in result.reminders if "A04" in r.subject]
    assert late == [("逾期活动", D(2026, 11, 6), "A04 志愿服务",
                     "计划日期 2026-11-06，至今未完成也未取消；完成后请把状态改为“已完成”并填写实际日期")]
    ten = {a.code: a for a in year_report(result).ten}
    assert (ten["A04"].status, ten["A04"].planned) == ("逾期", "11月（2026-11-06）")


def test_a_typed_date_after_the_cutoff_is_not_yet_due(data):
    result = _with_a04(data, 计划日期=D(2026, 12, 5))
    assert result.report.codes() == [(L.ACTIVITIES, 5, "计划日期", "plan-date-outside-months")]
    assert _group(result, "一组").overdue == 0
    assert _a04(result).status == "计划中"
    assert {a.code: a.status for a in year_report(result).ten}["A04"] == "未到期"


def test_without_a_date_the_months_end_is_the_deadline(data):
    result = _with_a04(data, 计划日期=None)
    assert _group(result, "一组").overdue == 0  # 11-30 has not passed on 11-28
    branch = result.branch
    assert planned_deadline(branch, branch.activities["A04"]) == D(2026, 11, 30)
    later = pipeline.refresh(raw_book(data), D(2026, 12, 1))
    assert _group(later, "一组").overdue == 1
    assert any(r.detail.startswith("计划11月，") for r in later.reminders if "A04" in r.subject)


def test_scores_use_the_cutoff_and_the_calendar_uses_today(data):
    """积分截止日期 2026-11-05: on 11-28 the calendar says 逾期, the scores (at the cut-off) do not."""
    for row in data[L.SETTINGS]:
        if row["项目"] == "积分截止日期":
            row["值"] = D(2026, 11, 5)
    result = _with_a04(data)
    assert _group(result, "一组").overdue == 0
    assert _a04(result).status == OVERDUE
    assert {a.code: a.status for a in year_report(result).ten}["A04"] == "未到期"


def test_the_demo_with_a_typed_deadline(data):
    """The demo plus A11-2 (东山小学党小组, 11月, 计划日期 2026-11-06, still 计划中) on 11-28."""
    demo = demo_data(D(2026, 11, 26))
    demo[L.ACTIVITIES].append({"活动编号": "A11-2", "活动名称": "教学开放日", "类别": "十个一", "组织者": "东山小学党小组",
                               "计划月份": "11月", "计划日期": D(2026, 11, 6), "状态": "计划中"})
    result = pipeline.refresh(raw_book(demo), DAY)
    east, west = _group(result, "东山小学党小组"), _group(result, "西河小学党小组")
    assert (east.overdue, east.total, east.rank, west.rank) == (1, 127.31, 2, 3)  # 129.31 without it, less GROUP_ACTIVITY_OVERDUE
    counts = year_report(result).ten_counts()
    assert (counts["逾期"], counts["未到期"]) == (2, 0)
