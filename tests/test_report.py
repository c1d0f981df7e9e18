"""The yearly report: every figure against a hand count, the files it writes, and how they look.

`known()` is conftest's clean branch plus records whose effect is counted by hand in each
test's docstring, including rows that fail validation (they must not count) and rows
dated after the cut-off (26 November 2026, conftest's TODAY; 积分截止日期 left blank).
Roster: D001 张三 一组 在职 (phone 13812345678), D002 李四 一组 在职, D003 王五 二组 离退休,
D004 赵六 二组 转出 (not scored).
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from xlsxwriter.exceptions import FileCreateError

import reports
import sync
from conftest import TODAY, clean_data, raw_book
from workbook import errors, layout
from services.charts import chart_png, cjk_font, no_font_notice
from services.create import build_master
from services.pdf import not_installed, pdf_bytes
from workbook.reader import read_book
from workbook.render_xlsx import write_standalone
from services.report_html import IMAGE_DIR, REPORT_DIR, publish, report_stem, write_report
from workbook.sheetmodel import SheetModel, count_axis
from workplan.colors import AMBER, BLUE, GREEN, GREY, LIGHT_BLUE, PALETTE, RED
from workplan import pipeline
from workplan.report import Share, headline, key_figures, summary_sentence, year_report
from workplan.report_tables import report_sections, table

D = dt.date
PHONE = "13812345678"
ROOT = Path(__file__).resolve().parents[1]
M, B = layout.EVAL_MEMBER, layout.EVAL_BRANCH


def _book(member, name, title, start, finish, notes, grade=None):
    return {"党员编号": member, "姓名": name, "书名": title, "开始日期": start, "完成日期": finish, "笔记篇数": notes, "考评等级": grade}


def _recommend(number, day, member, name, who, step=None, commended="否"):
    return {"推荐编号": number, "推荐日期": day, "党员编号": member, "姓名": name, "推荐人": who, "环节": step, "是否表彰": commended}


def _vote(kind, who, target, grade, day=D(2026, 6, 29)):
    return {"评议类型": kind, "评议人": who, "评议对象": target, "等次": grade, "评议日期": day}


def _person(name, *stages):
    return {"姓名": name, "性别": "男", "培养联系人": "张三", **dict(zip(layout.DEVELOPMENT_STAGES, stages))}


def _activities(data):
    data[layout.ACTIVITIES] += [
        {"活动编号": "A04", "活动名称": "红色观影", "类别": "十个一", "组织者": "支部", "计划月份": "5月", "状态": "计划中"},
        {"活动编号": "A05", "活动名称": "书法比赛", "类别": "十个一", "组织者": "支部", "计划月份": "6月", "状态": "已取消"},
        {"活动编号": "A06", "活动名称": "支委会", "类别": "三会一课", "组织者": "支部", "计划日期": D(2026, 9, 7),
         "实际日期": D(2026, 9, 7), "状态": "已完成"},
        {"活动编号": "A07", "活动名称": "师德讲座", "类别": "十个一", "组织者": "支部", "计划月份": "13月",
         "实际日期": D(2026, 10, 10), "状态": "已完成"},  # bad-months: left out
    ]
    data[layout.ATTENDANCE_SHEET] += [
        {"活动编号": "A06", "党员编号": "D001", "姓名": "张三", "出勤": "出席"},
        {"活动编号": "A06", "党员编号": "D002", "姓名": "李四", "出勤": "缺席"},
        {"活动编号": "A06", "党员编号": "D003", "姓名": "王五", "出勤": "出席"},
        {"活动编号": "A06", "党员编号": "D004", "姓名": "赵六", "出勤": "出席"},
        {"活动编号": "A02", "党员编号": "D002", "姓名": "李四", "出勤": "出席"},
        {"活动编号": "A07", "党员编号": "D001", "姓名": "张三", "出勤": "出席"},  # its activity is left out
        {"活动编号": "A01", "党员编号": "D099", "姓名": "某某", "出勤": "出席"},  # unknown-member
    ]


def _promises(data):
    promises = {p["承诺编号"]: p for p in data[layout.MEMBER_PROMISES]}
    full = {"审诺日期": D(2026, 3, 1), "示诺日期": D(2026, 3, 5), "评诺日期": D(2026, 7, 1)}
    promises["P001"].update(full, 议诺日期=D(2026, 9, 1), 兑现情况="已兑现")
    promises["P002"].update(full, 兑现情况="部分兑现")
    promises["P003"].update(full, 兑现情况="未兑现")
    promises["P004"].update(审诺日期=D(2026, 3, 1), 示诺日期=D(2026, 3, 5))
    promises["P005"].update(审诺日期=D(2026, 3, 1))
    promises["P013"].update(full, 评诺日期=D(2026, 12, 10), 兑现情况="已兑现")  # reviewed after the cut-off
    promises["P014"].update(审诺日期=D(2026, 3, 1), 示诺日期=D(2026, 2, 20))  # stage-order: left out
    promises["P015"].update(full)  # reviewed, 兑现情况 not filled (a warning: still counts)
    branch = {p["承诺编号"]: p for p in data[layout.BRANCH_PROMISES]}
    for number, state in (("Z01", "已完成"), ("Z02", "已完成"), ("Z04", "未开始"), ("Z07", "未完成")):
        branch[number]["完成状态"] = state
    dynamic = {"承诺方式": "动态新增"}
    data[layout.BRANCH_PROMISES] += [
        {**dynamic, "承诺编号": "Z16", "方面": layout.ASPECTS[2], "工作层面": "课后服务",
         "承诺内容": f"开展课后服务（家长热线 {PHONE}）", "新增日期": D(2026, 3, 5), "完成状态": "已完成"},
        {**dynamic, "承诺编号": "Z17", "方面": layout.ASPECTS[0], "工作层面": "安全教育", "承诺内容": "寒假安全教育",
         "新增日期": D(2026, 12, 1), "完成状态": "未开始"},  # added after the cut-off
        {**dynamic, "承诺编号": "Z18", "方面": layout.ASPECTS[1], "工作层面": "读书", "承诺内容": "读书会",
         "完成状态": "进行中"},  # dynamic-without-date: left out
    ]


def _reading_and_recommendations(data):
    data[layout.READING] += [
        _book("D001", "张三", "《平凡的世界》", D(2026, 4, 2), D(2026, 5, 1), 2, "良好"),
        _book("D002", "李四", "《论语》", D(2026, 3, 1), D(2026, 6, 1), 4, "优秀"),
        _book("D002", "李四", "《乡土中国》", D(2026, 6, 2), D(2026, 7, 1), 1),
        _book("D003", "王五", "《苦难辉煌》", D(2026, 9, 1), D(2026, 10, 1), 5, "优秀"),
        _book("D003", "王五", "《可爱的中国》", D(2026, 10, 5), None, 0),
        _book("D004", "赵六", "《红星照耀中国》", D(2026, 3, 1), D(2026, 4, 1), 2, "合格"),
        _book("D001", "张三", "《论语译注》", D(2026, 5, 1), D(2026, 4, 1), 1),  # reading-order: left out
        _book("D003", "王五", "《红岩》", D(2026, 11, 1), D(2026, 12, 20), 1),  # finished after the cut-off
    ]
    data[layout.RECOMMENDATIONS] += [
        _recommend("R02", D(2026, 6, 1), "D001", "张三", "陈老师", "总结", "是"),
        _recommend("R03", D(2026, 6, 2), "D001", "张三", "刘老师", "学习"),
        _recommend("R04", D(2026, 7, 1), "D002", "李四", "家长代表", "发现"),
        _recommend("R05", D(2026, 12, 15), "D003", "王五", "王老师", "推荐"),  # after the cut-off
        _recommend("R06", D(2026, 8, 1), "D099", "某某", "王老师", "推荐"),  # unknown-member
        _recommend("R07", D(2026, 9, 1), "D003", "王五", "王老师", None, "是"),
    ]


def _evaluations_ledger_development(data):
    data[layout.EVALUATIONS] += [
        _vote(M, "群众02", "D001", "合格"),
        _vote(M, "群众01", "D002", "基本合格"),
        _vote(M, "群众02", "D002", "优秀"),
        _vote(M, "群众01", "D003", "不合格"),
        _vote(M, "群众04", "D001", "优秀", D(2026, 12, 1)),  # after the cut-off
        _vote(M, "群众05", "D002", "满意"),  # eval-grade: left out
        _vote(B, "D002", "领导班子好", "基本满意"),
        _vote(B, "D003", "领导班子好", "满意"),
        _vote(B, "D001", "党员队伍好", "满意"),
        _vote(B, "D002", "党员队伍好", "不满意"),
        _vote(B, "D001", "工作机制好", "满意"),
        _vote(B, "D002", "工作业绩好", "满意"),
        _vote(B, "D003", "工作作风好", "满意"),  # eval-object-branch: left out
    ]
    data[layout.LEDGER].append({"日期": D(2026, 11, 20), "党员编号": "D003", "姓名": "王五", "事项类别": "志愿服务",
                                "事由": "社区志愿服务", "分值": 2, "审核人": "书记"})
    data[layout.DEVELOPMENT] += [
        _person("孙八", D(2026, 3, 1)),
        _person("钱九", D(2025, 3, 1), D(2025, 12, 20)),
        _person("吴十", D(2024, 1, 10), D(2024, 5, 1), D(2025, 6, 1), D(2025, 11, 1)),
        _person("郑一", D(2022, 3, 1), D(2022, 6, 1), D(2023, 7, 1), D(2024, 7, 1), D(2025, 7, 2)),
        _person("冯二", D(2024, 10, 1), D(2025, 1, 1), D(2025, 6, 1)),  # dev-training-year: left out
        _person("陈三", D(2026, 6, 1), D(2026, 12, 10)),  # activist only after the cut-off
    ]


def known(data: dict) -> dict:
    """conftest's clean branch plus the records counted by hand below (9 errors, 1 warning)."""
    _activities(data)
    _promises(data)
    _reading_and_recommendations(data)
    _evaluations_ledger_development(data)
    return data


def refreshed(path: Path, today: dt.date = TODAY) -> pipeline.Refresh:
    return pipeline.refresh(read_book(path, pipeline.wanted_for_refresh()), today)


@pytest.fixture
def figures(data, build):
    """The yearly figures of the known branch, read back from a real workbook."""
    return year_report(refreshed(build(known(data))))


# --- every figure against a hand count ---------------------------------------------------

def test_ten_activities_done_overdue_cancelled_against_plan(figures):
    """十个一 rows: A01 done 03-10, A02 done 04-15, A03 12月 not yet due, A04 5月 overdue,
    A05 cancelled; A07 (计划月份 13月, an error) left out. Plan 5: done 2, overdue 1,
    cancelled 1, pending 1; completion 2/5."""
    assert [(a.code, a.status, a.day) for a in figures.ten] == [
        ("A01", "已完成", D(2026, 3, 10)), ("A02", "已完成", D(2026, 4, 15)), ("A03", "未到期", None),
        ("A04", "逾期", None), ("A05", "已取消", None),
    ]
    assert figures.ten_counts() == {"已完成": 2, "逾期": 1, "已取消": 1, "未到期": 1}
    assert dict(headline(figures))["十个一完成率"] == 0.4


def test_attendance_rate_by_activity_member_and_group(figures):
    """Completed activities in the span: A01 (D001 出席, D002 请假, D003 出席; D099 unknown, left
    out) 2/3; A02 (D001, D002 出席) 2/2; A06 (D001, D003 出席, D002 缺席; D004 转出: his sign-in
    counts nowhere, as in 积分) 2/3. A07 is left out, so D001's sign-in there is too.
    All: 6 出席 of 8 = 6/8 — the scored members' sign-ins, the same ones 个人积分 counts.
    Members: D001 3/3; D002 1 of 3 (请假, 出席, 缺席); D003 2/2; D004 转出 not listed.
    Groups (their scored members): 一组 4 of 6; 二组 2 of 2."""
    att = figures.attendance
    assert [(t.key, t.present, t.leave, t.absent, t.rate) for t in att.activities] == [
        ("A01", 2, 1, 0, 2 / 3), ("A02", 2, 0, 0, 1.0), ("A06", 2, 0, 1, 2 / 3)]
    assert [(t.key, t.present, t.leave, t.absent, t.rate) for t in att.members] == [
        ("D001", 3, 0, 0, 1.0), ("D002", 1, 1, 1, 1 / 3), ("D003", 2, 0, 0, 1.0)]
    assert [(t.key, t.present, t.total, t.rate) for t in att.groups] == [("一组", 4, 6, 4 / 6), ("二组", 2, 2, 1.0)]
    assert (att.overall.present, att.overall.total, att.overall.rate) == (6, 8, 6 / 8)
    assert att.overall.total == sum(t.total for t in att.members)  # one set of members everywhere
    assert isinstance(att.overall.rate, Share)


def test_commitments_by_stage_and_fulfilment(figures):
    """24 commitments (P001–P024), P014 out of order (left out): 23, all 承诺 on 02-26.
    审诺: P001–P005, P013, P015 = 7; 示诺: P001–P004, P013, P015 = 6; 评诺 by the cut-off:
    P001–P003, P015 = 4 (P013's is 12-10); 议诺: P001 = 1.
    兑现 of those 4: 已兑现 P001, 部分兑现 P002, 未兑现 P003, 未填写 P015; kept 1/4."""
    promises = figures.promises
    assert promises.total == 23
    assert promises.reached == {"承诺": 23, "审诺": 7, "示诺": 6, "评诺": 4, "议诺": 1}
    assert promises.fulfilment == {"已兑现": 1, "部分兑现": 1, "未兑现": 1, "未填写": 1}
    assert promises.kept_rate == 0.25


def test_branch_commitments_by_aspect_and_status_with_dynamic_additions(figures):
    """Z01–Z15, three per aspect, 进行中 except Z01, Z02 已完成, Z04 未开始, Z07 未完成.
    Z16 (服务型, 03-05, 已完成) counts and is listed; Z17 added 12-01 (after the cut-off) and
    Z18 (no 新增日期, an error) do not. Total 16, 已完成 3."""
    by_aspect = figures.branch_promises.by_aspect
    assert [list(by_aspect[a].values()) for a in layout.ASPECTS] == [
        [0, 1, 2, 0], [1, 2, 0, 0], [0, 2, 1, 1], [0, 3, 0, 0], [0, 3, 0, 0]]
    assert (figures.branch_promises.total, figures.branch_promises.count("已完成")) == (16, 3)
    assert [(d.code, d.aspect, d.added, d.status) for d in figures.branch_promises.dynamic] == [
        ("Z16", layout.ASPECTS[2], D(2026, 3, 5), "已完成")]


def test_reading_totals_and_leaders(figures):
    """Finished in the span by scored members: D001 红岩 (优秀, 3 notes) and 平凡的世界 (良好, 2);
    D002 论语 (优秀, 4) and 乡土中国 (no grade, 1); D003 苦难辉煌 (优秀, 5) = 5 books, 3 readers,
    15 notes. Not counted: D004's 红星照耀中国 (转出), 论语译注 (finished before started: an
    error), D003's 红岩 (finished 12-20). In progress: 可爱的中国 and that 红岩 = 2.
    Leaders: D001 and D002 both 2 books, 1 优秀, 5 notes: tied 1st; D003 3rd."""
    reading = figures.reading
    assert (reading.finished, reading.readers, reading.notes, reading.reading) == (5, 3, 15, 2)
    assert reading.grades == {"优秀": 3, "良好": 1, "合格": 0, "不合格": 0, "未填写": 1}
    assert [(r.rank, r.member_id, r.books, r.excellent, r.notes) for r in reading.leaders] == [
        (1, "D001", 2, 1, 5), (1, "D002", 2, 1, 5), (3, "D003", 1, 1, 5)]


def test_recommendations_and_commendations(figures):
    """In the span: R01 (D001 by 刘老师, 推荐), R02 (D001 by 陈老师, 总结, 表彰), R03 (D001 by
    刘老师, 学习), R04 (D002 by 家长代表, 发现), R07 (D003 by 王老师, no 环节, 表彰) = 5, by 4
    different people, 2 commended. R05 (12-15) and R06 (unknown member) do not count."""
    rec = figures.recommendations
    assert (rec.total, rec.recommenders, rec.commended) == (5, 4, 2)
    assert rec.steps == {"发现": 1, "推荐": 1, "总结": 1, "学习": 1, "未填写": 1}
    assert [(m.member_id, m.times, m.recommenders, m.commended) for m in rec.members] == [
        ("D001", 3, 2, 1), ("D003", 1, 1, 1), ("D002", 1, 1, 0)]


def test_evaluation_grades_excellent_share_and_satisfaction_per_good(figures):
    """群众评议党员 in the span: D001 优秀 + 合格, D002 基本合格 + 优秀, D003 不合格 = 5 votes,
    2 优秀 (2/5). Not counted: 群众04's vote of 12-01, 群众05's grade 满意 (an error).
    党员评议支部: 领导班子好 满意 2 + 基本满意 1; 党员队伍好 满意 1 + 不满意 1; 工作机制好 满意 1;
    工作业绩好 满意 1; 群众反映好 none; “工作作风好” is an error. 5 满意 of 7."""
    ev = figures.evaluations
    assert ev.on_members.grades == {"优秀": 2, "合格": 1, "基本合格": 1, "不合格": 1}
    assert ev.on_members.rate == 0.4
    assert [(m.member_id, m.votes, m.excellent, m.rate) for m in ev.members] == [
        ("D001", 2, 1, 0.5), ("D002", 2, 1, 0.5), ("D003", 1, 0, 0.0)]
    assert [(g.good, list(g.grades.values()), g.rate) for g in ev.goods] == [
        ("领导班子好", [2, 1, 0], 2 / 3), ("党员队伍好", [1, 0, 1], 0.5), ("工作机制好", [1, 0, 0], 1.0),
        ("工作业绩好", [1, 0, 0], 1.0), ("群众反映好", [0, 0, 0], None)]
    assert (ev.on_branch.votes, ev.on_branch.rate) == (7, 5 / 7)


def test_group_ranking_and_weekly_trend_from_history(capsys, data, build):
    """Members on 11-26: D001 = 出席支部 4 + 小组 1 + 读完 2 + 考评 5 (优秀 3, 良好 2) + 承诺 2
    (2 + 1 - 1) + 推荐 2 + 表彰 5 + 评议 4 ((5 + 3) / 2) + 加减分 3 = 28; D002 = 小组 1 - 缺席 1
    + 读完 2 + 考评 3 + 推荐 1 + 评议 3 ((1 + 5) / 2) = 9; D003 = 支部 4 + 读完 1 + 考评 3 + 推荐 1
    + 表彰 5 + 评议 0 + 加减分 2 (11-20) = 16, or 14 on 11-19.
    一组 = (28 + 9) / 2 + A02 done 3 = 21.5, rank 1; 二组 = 16 (D004 转出), rank 2.
    A refresh on 11-19 wrote week 2026-W47 (21.5, 14); the report adds 2026-W48 (21.5, 16)."""
    path = build(known(data))
    assert sync.main(["refresh", str(path), "--today", "2026-11-19"]) == 1
    capsys.readouterr()
    figures = year_report(refreshed(path))
    assert [(g.rank, g.group, g.members, g.average, g.activity_points, g.total) for g in figures.ranking] == [
        (1, "一组", 2, 18.5, 3.0, 21.5), (2, "二组", 1, 16.0, 0.0, 16.0)]
    assert figures.trend.weeks == ["2026-W47", "2026-W48"]
    assert figures.trend.groups == ["一组", "二组"]
    assert figures.trend.totals == [[21.5, 14.0], [21.5, 16.0]]


def test_development_pipeline_by_stage_with_next_milestones(figures):
    """Stages at the cut-off: 孙八 applied 2026-03-01 and 陈三 2026-06-01 (activist only on
    12-10) → 申请人 2; 钱九 activist 2025-12-20 → 发展对象 from 2026-12-20 (not yet); 周七 发展对象
    (no interval to 预备); 吴十 预备 2025-11-01 → 转正 from 2026-11-01 (due); 郑一 已转正;
    冯二 (发展对象 within a year of 积极分子: an error) left out."""
    assert figures.development_counts() == {"入党申请人": 2, "入党积极分子": 1, "发展对象": 1, "预备党员": 1, "已转正": 1}
    assert [(c.name, c.stage, c.next_step, c.earliest, c.due(figures.cutoff)) for c in figures.development] == [
        ("孙八", "入党申请人", "确定为入党积极分子", None, False),
        ("陈三", "入党申请人", "确定为入党积极分子", None, False),
        ("钱九", "入党积极分子", "确定为发展对象", D(2026, 12, 20), False),
        ("周七", "发展对象", "接收为预备党员", None, False),
        ("吴十", "预备党员", "转为正式党员", D(2026, 11, 1), True),
        ("郑一", "已转正", "", None, False),
    ]


def test_headline_figures(figures):
    """The 概况 and the roll-up row, every one counted in the tests above; the 9 validation errors
    (A07, D099 sign-in, P014, Z18, 论语译注, R06, 群众05, 工作作风好, 冯二) are the secretary's, not the committee's."""
    assert headline(figures) == [
        ("计分党员", 3), ("党小组", 2), ("十个一计划", 5), ("十个一已完成", 2), ("十个一逾期", 1), ("十个一已取消", 1),
        ("十个一完成率", 0.4), ("签到人次", 8), ("出勤率", 6 / 8), ("党员承诺", 23), ("已评诺承诺", 4), ("承诺兑现率", 0.25),
        ("支部承诺", 16), ("支部承诺已完成", 3), ("动态新增承诺", 1),
        # 三会一课 to 26 Nov with the default rules and two groups: Jan-Oct are over (10 months), Q1-Q3
        # (3 quarters), the year runs: 支委会 10 + 党小组会 2×10 + 主题党日 10 + 党员大会 3 + 党课 3 = 46; held:
        # the 支委会 A06 of September only
        ("三会一课应开", 46), ("三会一课已开", 1), ("三会一课落实率", 1 / 46), ("读完书目", 5), ("读书党员", 3), ("人均读完", 1.67),
        ("推荐次数", 5), ("表彰次数", 2), ("群众评议票数", 5), ("群众评议优秀率", 0.4), ("评议支部票数", 7),
        ("评议支部满意率", 5 / 7), ("第一名小组", "一组"), ("第一名总分", 21.5), ("发展：入党申请人", 2),
        ("发展：入党积极分子", 1), ("发展：发展对象", 1), ("发展：预备党员", 1), ("发展：已转正", 1),
    ]
    assert figures.errors == 9


def test_overview_leads_with_eight_figures_and_one_sentence(figures):
    assert key_figures(figures) == [("计分党员", 3), ("党小组", 2), ("十个一完成率", 0.4), ("出勤率", 6 / 8),
                                    ("承诺兑现率", 0.25), ("读完书目", 5), ("群众评议优秀率", 0.4), ("评议支部满意率", 5 / 7)]
    assert summary_sentence(figures) == ("本年度 3 名党员、2 个党小组参与计分，“十个一”计划 5 项、已完成 2 项、逾期 1 项，"
                                         "活动出勤率 75.0%，党员承诺兑现率 25.0%，一组以 21.50 分居党小组第一。")
    overview = report_sections(figures)[0]
    assert overview.lead == summary_sentence(figures)
    assert [t.title for t in overview.tables] == ["主要数字", "其他数字"]
    rest = [tuple(row) for row in overview.tables[1].rows]
    assert rest == [pair for pair in headline(figures) if pair not in key_figures(figures)] and len(rest) == 26  # 三会一课 3


def test_the_cutoff_is_scorings(data, build):
    """积分截止日期 2026-06-30: A06 (09-07) is not yet done, so only A01's 3 and A02's 2 sign-ins
    count; the report's span is the one scoring used."""
    settings = {row["项目"]: row for row in known(data)[layout.SETTINGS]}
    settings["积分截止日期"]["值"] = D(2026, 6, 30)
    result = refreshed(build(data))
    figures = year_report(result)
    assert figures.span == result.scores.span == type(figures.span)(D(2026, 1, 1), D(2026, 6, 30))
    assert [t.key for t in figures.attendance.activities] == ["A01", "A02"]
    assert figures.attendance.overall.total == 5


def test_votes_and_reading_count_scored_members_only(data, build):
    """Regression: a vote on 赵六 (D004, 转出) counted in the 概况's 群众评议票数 though no per-member table
    nor 积分 shows it. The totals are now 评议汇总's (the refresh's tally: scored members, the five 好), so
    that valid vote counts nowhere, like his finished book (读完书目 5, 读书党员 3)."""
    data = known(data)
    data[layout.EVALUATIONS].append(_vote(M, "群众03", "D004", "优秀"))
    result = refreshed(build(data))
    figures = year_report(result)
    assert len(result.report.errors) == 9  # the vote on D004 is valid: it is left out for being 转出 only
    assert figures.evaluations.on_members.grades == {"优秀": 2, "合格": 1, "基本合格": 1, "不合格": 1}
    assert figures.evaluations.on_members.votes == sum(row.votes for row in result.tally.members) == 5
    assert figures.evaluations.on_branch.votes == sum(row.votes for row in result.tally.items) == 7
    assert [m.member_id for m in figures.evaluations.members] == ["D001", "D002", "D003"]
    assert (figures.reading.finished, figures.reading.readers, dict(headline(figures))["人均读完"]) == (5, 3, 1.67)


def test_headers_are_masked_too():
    """Group names typed by staff become table headers and chart legends (积分历史's trend)."""
    part = table("趋势", ("周次", f"一组（{PHONE}）"), [["2026-W48", 1.0]])
    assert part.headers == ("周次", "一组（138****5678）")


def test_year_report_needs_a_refresh_that_ran(data):
    book = raw_book(data)
    del book.sheets[layout.MEMBERS]
    with pytest.raises(ValueError):
        year_report(pipeline.refresh(book, TODAY))


# --- the files ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The known branch's report written with its PDF (LibreOffice), read once for the file tests."""
    folder = tmp_path_factory.mktemp("report")
    master = build_master(folder / "总台账.xlsx", known(clean_data()))
    assert reports.main([str(master), "--today", TODAY.isoformat()]) == 1
    files = sorted((folder / REPORT_DIR).iterdir())
    return folder, {p.suffix: p for p in files if p.is_file()}


def test_report_writes_workbook_page_pictures_and_pdf(written):
    folder, files = written
    assert set(files) == {".xlsx", ".html", ".pdf"}
    assert files[".xlsx"].name == "测试支部2026年度报表.xlsx"
    charts = sorted((folder / REPORT_DIR / "图表").glob("*.png"))
    sections = report_sections(year_report(refreshed(folder / "总台账.xlsx")))
    assert len(charts) == sum(1 for s in sections for t in s.tables if t.chart_rows) == 13


def test_report_workbook_round_trip(written):
    """Re-open the workbook: a sheet per section, 概况 holds the headline, native charts (two pies)."""
    _, files = written
    book = openpyxl.load_workbook(files[".xlsx"])
    figures = year_report(refreshed(files[".xlsx"].parents[1] / "总台账.xlsx"))
    assert book.sheetnames == [s.name for s in report_sections(figures)]
    sheet = book["概况"]
    assert sheet["A4"].value == summary_sentence(figures)  # title, subtitle, blank, the sentence, blank
    rows = list(sheet.iter_rows(min_row=8, max_col=2, values_only=True))  # table title, header
    assert rows[:8] == key_figures(figures)
    assert rows[8:11] == [(None, None), ("其他数字", None), ("项目", "数值")]
    assert rows[11:] == [(label, pytest.approx(value) if isinstance(value, float) else value)  # 1/46 to 16 digits
                         for label, value in headline(figures) if (label, value) not in key_figures(figures)]
    assert sheet["A10"].value == "十个一完成率" and sheet["B10"].number_format == "0.0%"
    with zipfile.ZipFile(files[".xlsx"]) as package:
        charts = [package.read(n).decode("utf-8") for n in package.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 13 and sum("<c:pieChart>" in c for c in charts) == 2


def test_no_phone_number_anywhere(written):
    """D001's phone (roster) and the one typed into Z16's 承诺内容 appear in no file nor the log."""
    folder, files = written
    texts = [files[".html"].read_text(encoding="utf-8"), _pdf_text(files[".pdf"]),
             (folder / "党建台账日志.log").read_text(encoding="utf-8")]
    with zipfile.ZipFile(files[".xlsx"]) as package:
        texts += [package.read(name).decode("utf-8", "replace") for name in package.namelist()]
    assert not [t for t in texts if PHONE in t]
    assert "家长热线 138****5678" in texts[0]


def test_validation_counts_stay_out_of_the_report(written):
    """The report goes to the upper committee: 校验 and the error count are the secretary's (校验结果, the terminal)."""
    _, files = written
    texts = [files[".html"].read_text(encoding="utf-8"), _pdf_text(files[".pdf"])]
    with zipfile.ZipFile(files[".xlsx"]) as package:
        texts += [package.read(name).decode("utf-8", "replace") for name in package.namelist() if name.endswith(".xml")]
    assert not [t for t in texts if "校验" in t or "错误" in t]


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_pdf_pages_render_with_chinese_text(written, tmp_path):
    """The PDF turns into PNG pages (looked at by hand: tables and charts, Chinese in Noto Sans CJK)."""
    _, files = written
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(files[".pdf"]), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= len(report_sections(year_report(refreshed(files[".xlsx"].parents[1] / "总台账.xlsx"))))
    assert all(p.stat().st_size > 5_000 for p in pages)
    text = _pdf_text(files[".pdf"])
    for words in ("测试支部2026年度党建工作报表", "“十个一”活动完成情况", "读书达人（前五名）", "党员评议支部：五好满意率", "确定为发展对象"):
        assert words in text
    fonts = subprocess.run(["pdffonts", str(files[".pdf"])], capture_output=True, text=True).stdout
    assert "CJK" in fonts


def test_html_page_in_headless_chromium(written, tmp_path):
    """A screenshot of the page in Debian's chromium (looked at by hand: charts readable, no boxes)."""
    _, files = written
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.fail("chromium is not installed: run bash .ci/run or apt-get install chromium")
    shot = tmp_path / "page.png"
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1200,2000",
               files[".html"].as_uri()]
    subprocess.run(command, capture_output=True, timeout=120, check=True)
    from matplotlib import image

    pixels = image.imread(shot)
    assert pixels.shape[:2] == (2000, 1200)
    assert (pixels[..., :3].mean(axis=2) < 0.5).mean() > 0.01  # text and charts, not a blank page


def test_html_page_shows_every_section_and_embeds_its_charts(written):
    _, files = written
    page = files[".html"].read_text(encoding="utf-8")
    assert page.count("<img alt=\"") == 13 and page.count("data:image/png;base64,") == 13
    for title in ("“十个一”活动完成情况", "活动出勤率", "读书达人", "评议结果", "发展党员：各阶段与下一步"):
        assert title in page
    assert "<td class=\"num\">75.0%</td>" in page  # 出勤率 6/8
    assert "<script" not in page


def test_chart_colours_mean_what_they_show(figures):
    sections = {section.name: section for section in report_sections(figures)}
    assert sections["十个一"].tables[0].point_colors == (GREEN, RED, GREY, LIGHT_BLUE)  # 已完成 逾期 已取消 未到期
    assert sections["党员承诺"].tables[1].point_colors == (GREEN, AMBER, RED)  # 已兑现 部分兑现 未兑现 (未填写 not drawn)
    assert sections["支部承诺"].tables[0].series_colors == (GREY, BLUE, GREEN, RED)  # 未开始 进行中 已完成 未完成
    turnout = sections["出勤"].tables[0]  # groups are no verdict: the palette, neither green nor red
    assert turnout.point_colors == () and turnout.series_colors == (PALETTE[0],)
    assert not {GREEN, RED} & set(PALETTE)


def test_count_charts_have_whole_number_axes(figures):
    sections = {section.name: section for section in report_sections(figures)}
    assert sections["党员承诺"].tables[0].chart_counts  # 承诺各环节到达数
    assert not sections["出勤"].tables[0].chart_counts  # rates
    assert not sections["小组排名"].tables[0].chart_counts  # scores: 0.00
    assert count_axis(sections["党员承诺"].tables[0].chart_top) == (25, 5)  # 23 commitments reached 承诺日期


def _pixels_near(png: bytes, colour: str) -> int:
    from matplotlib import image

    pixels = image.imread(io.BytesIO(png), format="png")[..., :3]
    target = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    return int((abs(pixels - target).max(axis=2) < 0.02).sum())


def test_png_bars_and_slices_take_their_meaning_colours(figures):
    """群众评议等次: 优秀 green, 合格 blue, 基本合格 amber, 不合格 red; 出勤 by group: neither green nor red."""
    sections = {section.name: section for section in report_sections(figures)}
    grades = chart_png(sections["评议结果"].tables[0])
    assert all(_pixels_near(grades, colour) > 200 for colour in (GREEN, BLUE, RED)), "优秀, 合格 and 不合格 have votes"
    kept = chart_png(sections["党员承诺"].tables[1])
    assert _pixels_near(kept, RED) > 200 and _pixels_near(kept, GREEN) > 200  # 未兑现 red, 已兑现 green
    turnout = chart_png(sections["出勤"].tables[0])
    assert _pixels_near(turnout, PALETTE[0]) > 200 and _pixels_near(turnout, GREEN) == _pixels_near(turnout, RED) == 0


def test_native_charts_have_a_legend_only_for_several_series(written):
    _, files = written
    with zipfile.ZipFile(files[".xlsx"]) as package:
        charts = [package.read(n).decode("utf-8") for n in package.namelist() if n.startswith("xl/charts/chart")]
    legends = [c for c in charts if "<c:legend>" in c]
    assert len(legends) == 2  # 支部承诺 (four states) and the weekly trend (two groups)
    assert sum('<c:symbol val="circle"/>' in c for c in charts) == 1  # the trend marks its points
    assert sum("<c:dLbls>" in c for c in charts) == 12  # the ten bar charts and both pies show their values


def test_charts_find_a_cjk_font():
    from matplotlib import font_manager

    name = cjk_font()
    assert name and name.startswith("Noto Sans CJK"), "install fonts-noto-cjk (bash .ci/run does)"
    assert "NotoSansCJK" in font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)


@pytest.mark.parametrize("platform", ["win32", "darwin", "linux"])
def test_install_notices_fit_the_system(platform):
    """No `sudo apt-get` on Windows: there LibreOffice comes from its site and 微软雅黑 is built in."""
    pdf_notice, font_notice = not_installed(platform), no_font_notice(platform)
    assert ("apt-get" in pdf_notice, "apt-get" in font_notice) == (platform == "linux",) * 2
    if platform == "win32":
        assert "https://zh-cn.libreoffice.org/" in pdf_notice and "微软雅黑" in font_notice


@pytest.mark.parametrize("soffice, reason", [
    ("/nonexistent/soffice", "LibreOffice 无法启动"),
    (shutil.which("false"), "LibreOffice 没有生成 PDF 文件"),
])
def test_pdf_failure_is_told_in_chinese_and_the_english_goes_to_the_log(tmp_path, soffice, reason):
    source = tmp_path / "报表.xlsx"
    source.write_bytes(b"not a workbook")
    with pytest.raises(errors.PdfFailed) as caught:
        pdf_bytes(source, soffice)
    message = caught.value.user_message()
    assert f"（{reason}）" in message and caught.value.technical
    assert set(re.findall(r"[A-Za-z]+", message.replace(str(source), ""))) <= {"PDF", "LibreOffice", "Excel", "WPS"}


def test_a_file_xlsxwriter_cannot_create_is_a_chinese_write_failure(tmp_path):
    """xlsxwriter's FileCreateError is not an OSError: publish maps it like one."""
    target = tmp_path / "报表.xlsx"
    with pytest.raises(errors.ReportWriteFailed) as caught:
        publish(target, lambda new: write_standalone(new.parent / "没有的文件夹" / new.name, [SheetModel("表")]))
    assert "没有写成（文件或文件夹不存在）" in caught.value.user_message() and "原工作簿" not in caught.value.user_message()
    assert caught.value.technical.startswith("FileCreateError") and not target.exists()


def test_report_that_cannot_be_written_exits_2_with_the_reason(capsys, data, build, monkeypatch):
    """Regression: FileCreateError escaped `except OSError` and became “意外问题”."""
    import services.report_html as report_html

    def no_space(path, models, properties=None):
        raise FileCreateError(OSError(errno.ENOSPC, "No space left on device"))

    monkeypatch.setattr(report_html, "write_standalone", no_space)
    path = build(data)
    code, out = run(capsys, str(path), "--no-pdf")
    assert code == 2 and "没有写成（磁盘空间不足）" in out and "No space" not in out
    assert "FileCreateError" in (path.parent / "党建台账日志.log").read_text(encoding="utf-8")


def test_charts_of_an_earlier_run_are_not_left_behind(data, build, tmp_path):
    """A chart this run does not draw again is removed from 图表/; other pictures there are kept."""
    figures = year_report(refreshed(build(data)))
    images = tmp_path / "out" / IMAGE_DIR
    images.mkdir(parents=True)
    (images / f"{report_stem(figures)}-99-1.png").write_bytes(b"a chart of an older report")
    (images / "我的图.png").write_bytes(b"staff's own picture")
    files = write_report(figures, tmp_path / "out", want_pdf=False)
    assert sorted(images.glob("*.png")) == sorted([*files.images, images / "我的图.png"])


def test_without_libreoffice_or_cjk_font_the_rest_is_written_with_a_notice(data, build, tmp_path, monkeypatch):
    import services.report_html as report_html

    monkeypatch.setattr(report_html, "find_soffice", lambda: None)
    monkeypatch.setattr(report_html, "cjk_font", lambda: None)
    files = write_report(year_report(refreshed(build(data))), tmp_path / "out")
    assert files.pdf is None and files.workbook.exists() and files.html.exists()
    assert [n.split("，")[0] for n in files.notices] == ["未找到中文字体", "未找到 LibreOffice"]


# --- the command -------------------------------------------------------------------------

def run(capsys, *argv):
    code = reports.main([*argv, "--today", TODAY.isoformat()])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out + out.err


def test_clean_branch_report_exits_0(capsys, data, build, tmp_path):
    code, out = run(capsys, str(build(data)), "--out", str(tmp_path / "给党委"), "--no-pdf")
    assert code == 0
    assert "已生成年度报表（统计到 2026-11-26）" in out and "给党委" in out
    assert PHONE not in out


def test_report_with_data_errors_exits_1_and_says_rows_were_left_out(capsys, data, build):
    code, out = run(capsys, str(build(known(data))), "--no-pdf")
    assert code == 1
    assert "校验“master.xlsx”：发现错误 9 条，警告 1 条。" in out  # the validation summary, first findings below
    assert "有错误的行没有计入报表" in out and "python sync.py validate" in out


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "没有这个文件.xlsx", "找不到文件"),
    (lambda p: p, "是一个文件夹"),
    (lambda p: _write(p / "旧版.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "只能读取 .xlsx"),
    (lambda p: _write(p / "坏了.xlsx", b"PK\x03\x04 broken"), "已损坏"),
])
def test_bad_input_gets_a_chinese_message_and_exit_2(capsys, tmp_path, make, message):
    code, out = run(capsys, str(make(tmp_path)), "--no-pdf")
    assert code == 2 and message in out


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_out_must_be_a_folder(capsys, data, build):
    path = build(data)
    code, out = run(capsys, str(path), "--out", str(path), "--no-pdf")
    assert code == 2 and "是一个文件，不是文件夹" in out


def test_missing_sheet_exits_2_without_writing(capsys, data, build):
    path = build(data)
    book = openpyxl.load_workbook(path)
    del book[layout.MEMBERS]
    book.save(path)
    code, out = run(capsys, str(path), "--no-pdf")
    assert code == 2 and "缺少必需的工作表或列，没有写入任何内容" in out and "缺少工作表“党员名册”" in out
    assert not (path.parent / REPORT_DIR).exists()


def test_report_open_in_excel_exits_3(capsys, data, build):
    path = build(data)
    folder = path.parent / REPORT_DIR
    folder.mkdir()
    (folder / "~$测试支部2026年度报表.xlsx").write_bytes(b"owner")
    code, out = run(capsys, str(path), "--no-pdf")
    assert code == 3 and "正在被其他程序" in out and "请关闭它后再运行" in out


def test_usage_errors_are_chinese_and_point_at_reports_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        reports.main(["a.xlsx", "--colour"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "命令写法有误：无法识别的参数：--colour" in err and "python reports.py -h" in err


def test_readme_documents_both_commands_and_the_requirements():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"python3? reports\.py 路径", readme)
    assert re.search(r"python3? reports\.py rollup 文件夹", readme)
    assert "chromium" in readme and "fonts-noto-cjk" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "chromium" in ci
