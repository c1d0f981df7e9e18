"""Scores worked out by hand on the small clean branch of conftest.

The clean branch, at the cut-off 2026-11-26, by hand:
  D001 张三 (一组): A01 支部 出席 2 + A02 一组 出席 1 + one book 1 + 优秀 3 + one recommender 1
                   + one 优秀 vote 5 + ledger 3 = 16
  D002 李四 (一组): A01 请假 0 = 0
  D003 王五 (二组, 离退休): A01 出席 2 = 2
  D004 赵六 (转出): not scored
  一组: (16 + 0) / 2 = 8 + A02 done 3 = 11;   二组: 2 + nothing = 2
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from workbook import layout as L
from workplan.annual import annual_blocks
from workplan.forms import MASS, form_items, prepare_handouts
from workplan.scoring import competition_ranks, left_out_members, score, scored_member_ids, scored_members
from workplan.tally import tally

from conftest import TODAY, clean_data, load_data

D = dt.date


def scores_of(data, today=TODAY):
    branch, report = load_data(data, today)
    return score(branch, report, branch.settings.cutoff_for(today))


def member(scores, member_id):
    return next(m for m in scores.members if m.member_id == member_id)


def group(scores, name):
    return next(g for g in scores.groups if g.group == name)


def rule(data, code, value=None, cap="keep"):
    for row in data[L.RULES]:
        if row["规则代码"] == code:
            if value is not None:
                row["分值"] = value
            if cap != "keep":
                row["上限"] = cap


def add_done_activity(data, code, organizer, day):
    data[L.ACTIVITIES].append({"活动编号": code, "活动名称": "活动", "类别": "其他", "组织者": organizer,
                               "计划月份": f"{day.month}月", "实际日期": day, "状态": "已完成"})


def sign(data, activity, member_id, state="出席"):
    names = {"D001": "张三", "D002": "李四", "D003": "王五", "D004": "赵六"}
    data[L.ATTENDANCE_SHEET].append({"活动编号": activity, "党员编号": member_id, "姓名": names.get(member_id), "出勤": state})


def test_clean_branch_by_hand(data):
    scores = scores_of(data)
    assert [(m.member_id, m.total, m.rank) for m in scores.members] == [("D001", 16.0, 1), ("D002", 0.0, 3), ("D003", 2.0, 2)]
    assert member(scores, "D001").items == {
        "出席支部活动": 2.0, "出席小组活动": 1.0, "请假": 0.0, "缺席": 0.0, "读完书目": 1.0, "读书考评": 3.0,
        "承诺兑现": 0.0, "群众推荐": 1.0, "获得表彰": 0.0, "群众评议": 5.0, "加减分": 3.0,
    }
    assert [(g.group, g.members, g.average, g.activity_points, g.total, g.rank) for g in scores.groups] == [
        ("一组", 2, 8.0, 3.0, 11.0, 1), ("二组", 1, 2.0, 0.0, 2.0, 2),
    ]


def test_attendance_items(data):
    add_done_activity(data, "A04", "支部", D(2026, 5, 10))
    add_done_activity(data, "A05", "二组", D(2026, 6, 10))
    sign(data, "A04", "D002", "缺席")
    sign(data, "A05", "D002")  # another group's activity counts as 出席小组活动 too
    sign(data, "A04", "D003")
    items = member(scores_of(data), "D002").items
    assert (items["出席支部活动"], items["出席小组活动"], items["请假"], items["缺席"]) == (0.0, 1.0, 0.0, -1.0)
    assert member(scores_of(data), "D003").items["出席支部活动"] == 4.0


def test_changed_value_in_rules_changes_the_result(data):
    rule(data, "ATTEND_BRANCH", 4)
    rule(data, "LEAVE", -0.5)
    scores = scores_of(data)
    assert member(scores, "D001").items["出席支部活动"] == 4.0
    assert member(scores, "D001").total == 18.0
    assert member(scores, "D002").items["请假"] == -0.5


def test_reading_book_cap_and_grades(data):
    for n in range(12):
        data[L.READING].append({"党员编号": "D002", "姓名": "李四", "书名": f"书{n}", "完成日期": D(2026, 5, 1 + n),
                                "考评等级": ("良好", "合格", "不合格")[n % 3]})
    items = member(scores_of(data), "D002").items
    assert items["读完书目"] == 10.0  # 12 books, capped at 10
    assert items["读书考评"] == 4 * 2 + 4 * 1 + 4 * 0
    rule(data, "READ_BOOK", cap=None)
    assert member(scores_of(data), "D002").items["读完书目"] == 12.0


def _review(data, number, outcome):
    data[L.MEMBER_PROMISES][number - 1].update(
        审诺日期=D(2026, 3, 6), 示诺日期=D(2026, 3, 13), 评诺日期=D(2026, 7, 3), 兑现情况=outcome
    )


def test_promise_outcomes(data):
    _review(data, 13, "已兑现")
    _review(data, 14, "部分兑现")
    _review(data, 15, "未兑现")
    _review(data, 16, "已兑现")
    assert member(scores_of(data), "D002").items["承诺兑现"] == 2 + 1 - 1 + 2


def test_unreviewed_fulfilment_is_not_scored(data):
    data[L.MEMBER_PROMISES][12]["兑现情况"] = "已兑现"  # no 评诺日期: a warning, and no points
    assert member(scores_of(data), "D002").items["承诺兑现"] == 0.0


def test_recommendations_count_distinct_recommenders_with_cap(data):
    for n, who in enumerate(["王老师", "王老师", "陈老师"]):
        data[L.RECOMMENDATIONS].append({"推荐编号": f"R1{n}", "推荐日期": D(2026, 6, 1), "党员编号": "D002", "姓名": "李四",
                                        "推荐人": who, "是否表彰": "是" if n == 2 else "否"})
    items = member(scores_of(data), "D002").items
    assert (items["群众推荐"], items["获得表彰"]) == (2.0, 5.0)
    for n in range(7):
        data[L.RECOMMENDATIONS].append({"推荐编号": f"R2{n}", "推荐日期": D(2026, 6, 2), "党员编号": "D002", "姓名": "李四",
                                        "推荐人": f"家长{n}"})
    assert member(scores_of(data), "D002").items["群众推荐"] == 5.0  # 9 recommenders, capped at 5


def test_evaluation_is_the_mean_over_all_votes(data):
    for n, grade in enumerate(["优秀", "合格", "不合格"]):
        data[L.EVALUATIONS].append({"评议类型": "群众评议党员", "评议人": f"群众{n + 2}", "评议对象": "D002", "等次": grade,
                                    "评议日期": D(2026, 6, 29)})
    assert member(scores_of(data), "D002").items["群众评议"] == round((5 + 3 + 0) / 3, 2)


def test_ledger_added_as_is_times_multiplier(data):
    data[L.LEDGER].append({"日期": D(2026, 6, 1), "党员编号": "D002", "姓名": "李四", "事项类别": "违规违纪", "事由": "迟到",
                           "分值": -2, "审核人": "书记"})
    data[L.LEDGER].append({"日期": D(2026, 6, 2), "党员编号": "D002", "姓名": "李四", "事项类别": "教学常规", "事由": "优课",
                           "分值": 1.5, "审核人": "书记"})
    assert member(scores_of(data), "D002").items["加减分"] == -0.5
    rule(data, "LEDGER", 2)
    assert member(scores_of(data), "D002").items["加减分"] == -1.0


def test_transferred_member_is_left_out(data):
    sign(data, "A01", "D004")
    scores = scores_of(data)
    assert "D004" not in [m.member_id for m in scores.members]
    assert group(scores, "二组").members == 1


def test_records_outside_the_year_or_after_cutoff_are_left_out(data):
    data[L.LEDGER].append({"日期": D(2025, 12, 30), "党员编号": "D002", "姓名": "李四", "事项类别": "其他", "事由": "去年",
                           "分值": 5, "审核人": "书记"})
    data[L.LEDGER].append({"日期": D(2026, 11, 27), "党员编号": "D002", "姓名": "李四", "事项类别": "其他", "事由": "明天",
                           "分值": 7, "审核人": "书记"})
    assert member(scores_of(data), "D002").items["加减分"] == 0.0
    assert member(scores_of(data, D(2026, 11, 27)), "D002").items["加减分"] == 7.0


def test_cutoff_setting_limits_the_span(data):
    for row in data[L.SETTINGS]:
        if row["项目"] == "积分截止日期":
            row["值"] = D(2026, 5, 1)
    d001 = member(scores_of(data), "D001")
    assert (d001.items["出席小组活动"], d001.items["加减分"], d001.items["群众评议"]) == (1.0, 0.0, 0.0)
    assert scores_of(data).cutoff == D(2026, 5, 1)


def test_empty_group_scores_only_its_activities(data):
    data[L.GROUPS].append({"小组名称": "三组"})
    add_done_activity(data, "A06", "三组", D(2026, 9, 9))
    three = group(scores_of(data), "三组")
    assert (three.members, three.average, three.activity_points, three.total, three.empty) == (0, 0.0, 3.0, 3.0, True)


def test_overdue_group_activity(data):
    data[L.ACTIVITIES][2]["计划月份"] = "4—5月"  # 二组's activity, still 计划中 after May
    two = group(scores_of(data), "二组")
    assert (two.overdue, two.activity_points, two.total) == (1, -2.0, 0.0)
    assert group(scores_of(data, D(2026, 5, 31)), "二组").overdue == 0  # May has not ended yet


def test_cancelled_activity_is_not_overdue(data):
    data[L.ACTIVITIES][2].update(计划月份="5月", 状态="已取消")
    assert group(scores_of(data), "二组").overdue == 0


def test_ties_share_a_rank(data):
    data[L.MEMBERS].append({"党员编号": "D005", "姓名": "孙八", "性别": "男", "党小组": "二组", "政治面貌": "正式党员", "在册状态": "离退休"})
    sign(data, "A01", "D005")
    scores = scores_of(data)
    assert [(m.member_id, m.total, m.rank) for m in scores.members] == [
        ("D001", 16.0, 1), ("D002", 0.0, 4), ("D003", 2.0, 2), ("D005", 2.0, 2),
    ]


def test_rows_with_errors_are_left_out(data):
    data[L.LEDGER][0]["审核人"] = None
    assert member(scores_of(data), "D001").items["加减分"] == 0.0


# --- one definition of what counts, shared with the forms, 评议汇总 and 年度考评表 -------------

def test_one_definition_of_the_scored_members(data):
    data[L.MEMBERS][1]["党小组"] = "三组"  # 李四's roster row has an error: not scored, not listed, not tallied
    branch, report = load_data(data)
    scores = score(branch, report, TODAY)
    assert scored_member_ids(branch, report) == {m.member_id for m in scores.members} == {"D001", "D003"}
    assert [r["党员编号"] for r in left_out_members(branch, report)] == ["D002"]  # 赵六 (转出) is not "left out"
    assert [row[1] for row in form_items(MASS, scored_members(branch, report))] == ["D001", "D003"]
    copies = prepare_handouts(branch, report, MASS, "2026上半年", TODAY, count=1)
    assert (copies[0].items, copies[0].left_out) == (2, 1)
    result = tally(branch, report, scores)
    assert [row.target for row in result.members] == ["D001", "D003"]
    assert [block.heading[0] for block in annual_blocks(branch, report, scores, result)] == [("党员编号", "D001"), ("党员编号", "D003")]


def _section(block, title):
    return dict(next(pairs for name, pairs in block.sections if name.startswith(title)))


def test_the_annual_sheet_and_the_tally_count_what_scoring_counts(data):
    data[L.ATTENDANCE_SHEET].append({"活动编号": "A01", "党员编号": "D001", "姓名": "李四", "出勤": "出席"})  # a repeat: an error
    data[L.RECOMMENDATIONS].append({"推荐编号": "R02", "推荐日期": D(2026, 12, 1), "党员编号": "D001", "姓名": "张三",
                                    "推荐人": "王老师", "环节": "推荐", "是否表彰": "是"})  # after the cut-off
    data[L.EVALUATIONS].append({"评议类型": "群众评议党员", "评议人": "群众02", "评议对象": "d001", "等次": "合格",
                                "评议日期": D(2026, 6, 29)})
    data[L.EVALUATIONS].append({"评议类型": "群众评议党员", "评议人": "群众03", "评议对象": "D001", "等次": "很好",
                                "评议日期": D(2026, 6, 29)})  # not a grade: an error
    branch, report = load_data(data)
    scores = score(branch, report, TODAY)
    result = tally(branch, report, scores)
    d001 = annual_blocks(branch, report, scores, result)[0]
    assert _section(d001, "二、") == {"出席": 2, "请假": 0, "缺席": 0}
    assert _section(d001, "五、") == {"推荐人数": 1, "获表彰次数": 0}
    assert member(scores, "D001").items["群众推荐"] == 1.0 and member(scores, "D001").items["获得表彰"] == 0.0
    assert result.members[0].counts == {"优秀": 1, "合格": 1, "基本合格": 0, "不合格": 0}
    assert _section(d001, "六、")["票数"] == 2


def test_a_commitment_evaluated_before_the_year_is_not_waiting(data):
    last_year = dict(zip(L.PROMISE_STAGES, (D(2025, 11, 1), D(2025, 11, 5), D(2025, 11, 10), D(2025, 12, 20))))
    data[L.MEMBER_PROMISES][0].update(last_year, 兑现情况="已兑现")
    data[L.MEMBER_PROMISES][1].update(dict(zip(L.PROMISE_STAGES[1:4], (D(2026, 3, 1), D(2026, 3, 5), D(2026, 12, 20)))),
                                      兑现情况="部分兑现")  # evaluated after the cut-off: still waiting
    branch, report = load_data(data)
    scores = score(branch, report, TODAY)
    d001 = annual_blocks(branch, report, scores, tally(branch, report, scores))[0]
    assert _section(d001, "三、") == {"承诺总数": 11, "已兑现": 0, "部分兑现": 0, "未兑现": 0, "待评诺": 11}
    assert member(scores, "D001").items["承诺兑现"] == 0.0


# --- properties --------------------------------------------------------------------------

members_ = st.sampled_from(["D001", "D002", "D003"])
states = st.sampled_from(["出席", "请假", "缺席"])


@settings(max_examples=40, deadline=None)
@given(value=st.integers(0, 5), extra=st.lists(st.tuples(members_, states), max_size=6), who=members_)
def test_adding_a_presence_never_lowers_the_total(value, extra, who):
    data = clean_data()
    rule(data, "ATTEND_BRANCH", value)
    rule(data, "ATTEND_GROUP", value)
    for n, (member_id, state) in enumerate(extra):
        add_done_activity(data, f"B{n}", "支部", D(2026, 6, 1 + n))
        sign(data, f"B{n}", member_id, state)
    before = member(scores_of(data), who).total
    add_done_activity(data, "B99", "一组", D(2026, 7, 1))
    sign(data, "B99", who)
    assert member(scores_of(data), who).total >= before


@settings(max_examples=40, deadline=None)
@given(
    points=st.lists(st.floats(-10, 10, allow_nan=False).map(lambda x: round(x, 2)), max_size=5),
    grades=st.lists(st.sampled_from(["优秀", "合格", "基本合格", "不合格"]), max_size=7),
)
def test_items_always_add_up_to_the_total(points, grades):
    data = clean_data()
    for n, value in enumerate(points):
        data[L.LEDGER].append({"日期": D(2026, 6, 1 + n), "党员编号": "D002", "姓名": "李四", "事项类别": "其他", "事由": "x",
                               "分值": value, "审核人": "书记"})
    for n, grade in enumerate(grades):
        data[L.EVALUATIONS].append({"评议类型": "群众评议党员", "评议人": f"群众X{n}", "评议对象": "D002", "等次": grade,
                                    "评议日期": D(2026, 6, 29)})
    for m in scores_of(data).members:
        assert round(sum(m.items.values()), 2) == m.total


@given(st.lists(st.integers(-5, 20).map(float), min_size=1, max_size=12))
def test_ranks_are_a_competition_ranking(totals):
    ranks = competition_ranks(totals)
    assert min(ranks) == 1
    for total, rank in zip(totals, ranks):
        assert rank == 1 + sum(other > total for other in totals)
        assert ranks.count(rank) == totals.count(total)
