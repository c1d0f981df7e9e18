"""A realistic demo branch: 40 members in 4 party groups and a year of their work.

`demo_data(today)` returns rows for every input sheet of the year of `today`: the
“十个一” activities, monthly 主题党日, 支委会 and 党小组会, quarterly 党员大会 and 党课, the
yearly 民主评议党员 and 组织生活会 (two meetings missed on purpose: `MISSED_MEETINGS`), the union, league and
retired-teacher activities, sign-ins for every completed activity, reading, recommendations,
commitments at every stage, ledger rows, evaluations, a development pipeline, and the 节假日
sheet (the year's official holidays as copied from the notice, the school's 寒假 and 暑假). Only
what has happened by `today` is filled in. A fixed random seed keeps it the same for the
same day. `DELIBERATE_MISTAKES` lists the handful of errors planted for the 校验结果 sheet
to show; the tests check that each is found.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from services.create import default_data
from workbook import layout
from workplan.holidays import VACATION, is_workday, package_spans

BRANCH = "青山镇中心学校党支部"
GROUPS = ("中心小学党小组", "东山小学党小组", "西河小学党小组", "离退休教师党小组")
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "建华国强秀英桂兰志明丽娟海燕晓东春梅文杰玉兰俊峰红霞振宇慧敏德胜雪梅立新淑芬永红亚军凤英新民金凤"
POSTS = ("语文教师", "数学教师", "英语教师", "科学教师", "体育教师", "音乐教师", "美术教师", "班主任", "教导主任", "总务主任")
LEADERS = ("校长", "副校长", "副校长", "工会主席")
RATERS = 10  # 群众评议: teachers and parents who vote on every member
BOOKS = (
    "《习近平新时代中国特色社会主义思想学习纲要》", "《中国共产党简史》", "《给教师的建议》", "《教育的情调》",
    "《红岩》", "《平凡的世界》", "《苦难辉煌》", "《做一个专业的班主任》", "《论语译注》", "《乡土中国》",
    "《可爱的中国》", "《课堂观察》",
)

# The required meetings the demo misses on purpose, as 组织生活落实 shows them: (meeting, period).
MISSED_MEETINGS = (("支委会", "5月"), ("支部党员大会", "第3季度"))
# (sheet, code) of every mistake planted in the demo, as validation reports it.
DELIBERATE_MISTAKES = (
    (layout.MEMBERS, "bad-choice"),
    (layout.ACTIVITIES, "bad-months"),
    (layout.ATTENDANCE_SHEET, "unknown-member"),
    (layout.ATTENDANCE_SHEET, "name-mismatch"),
    (layout.ATTENDANCE_SHEET, "duplicate-attendance"),
    (layout.ATTENDANCE_SHEET, "attendance-not-done"),
    (layout.READING, "bad-date"),
    (layout.MEMBER_PROMISES, "stage-order"),
    (layout.BRANCH_PROMISES, "dynamic-without-date"),
    (layout.LEDGER, "required"),
    (layout.DEVELOPMENT, "dev-training-year"),
)


def demo_data(today: dt.date, mistakes: bool = True) -> dict[str, list[dict[str, Any]]]:
    """Rows for every input sheet of a demo branch whose year is the year of `today` (with the
    `DELIBERATE_MISTAKES` planted, unless `mistakes` is False)."""
    builder = _Demo(today)
    data = builder.build()
    if mistakes:
        _plant_mistakes(data, builder)
    return data


class _Demo:
    """Builds the demo rows sheet by sheet, sharing the roster and the random generator."""

    def __init__(self, today: dt.date):
        self.today = today
        self.year = today.year
        self.rng = random.Random(self.year)
        self.data = default_data(BRANCH, self.year, list(GROUPS))
        self.members: list[dict[str, Any]] = []

    def build(self) -> dict[str, list[dict[str, Any]]]:
        self.data[layout.GROUPS] = self._groups()
        self.data[layout.MEMBERS] = self.members = self._members()
        self.data[layout.ACTIVITIES] = self._activities()
        self.data[layout.ATTENDANCE_SHEET] = self._attendance()
        self.data[layout.BRANCH_PROMISES] = self._branch_promises()
        self.data[layout.MEMBER_PROMISES] = self._member_promises()
        self.data[layout.READING] = self._reading()
        self.data[layout.RECOMMENDATIONS] = self._recommendations()
        self.data[layout.EVALUATIONS] = self._evaluations()
        self.data[layout.LEDGER] = self._ledger()
        self.data[layout.DEVELOPMENT] = self._development()
        self.data[layout.HOLIDAYS] = self._holidays()
        return self.data

    # --- helpers -------------------------------------------------------------------------

    def day(self, month: int, around: int = 15) -> dt.date:
        """A working day of `month` near day `around`."""
        day = dt.date(self.year, month, min(max(around, 1), 28))
        while not is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def past(self, day: dt.date | None) -> dt.date | None:
        return day if day is not None and day <= self.today else None

    def scored(self, group: str | None = None) -> list[dict[str, Any]]:
        return [m for m in self.members if m["在册状态"] != "转出" and (group is None or m["党小组"] == group)]

    def committee(self) -> list[dict[str, Any]]:
        """The 支部委员会: the three school leaders (D001, D011, D021) and two teachers of the central school."""
        return [self.members[i] for i in (0, 1, 2, 10, 20)]

    def working(self) -> list[dict[str, Any]]:
        return [m for m in self.members if m["在册状态"] == "在职"]

    # --- sheets --------------------------------------------------------------------------

    def _groups(self) -> list[dict[str, Any]]:
        return [{"小组名称": name, "组长": None, "备注": ""} for name in GROUPS]

    def _members(self) -> list[dict[str, Any]]:
        names = self._names(40)
        members = []
        for index, name in enumerate(names):
            group = GROUPS[index // 10]
            retired = group == GROUPS[3]
            members.append({
                "党员编号": f"D{index + 1:03d}",
                "姓名": name,
                "性别": self.rng.choice(layout.GENDERS),
                "党小组": group,
                "政治面貌": "预备党员" if index in (8, 18) else "正式党员",
                "岗位": "退休教师" if retired else (LEADERS[index // 10] if index % 10 == 0 else self.rng.choice(POSTS)),
                "入党日期": self._joined(index, retired),
                "在册状态": "离退休" if retired else ("转出" if index == 29 else "在职"),
                "联系电话": f"138{self.rng.randrange(10**7, 10**8)}",
                "备注": "" if index != 29 else "已调往县城关小学",
            })
        for group_row, leader in zip(self.data[layout.GROUPS], members[::10]):
            group_row["组长"] = leader["姓名"]
        return members

    def _joined(self, index: int, retired: bool) -> dt.date:
        if index in (8, 18):  # 预备党员 admitted last July
            return dt.date(self.year - 1, 7, 1)
        years = (35 if retired else 2) + self.rng.randrange(0, 20)
        return dt.date(self.year - years, self.rng.randrange(1, 13), 1)

    def _names(self, count: int) -> list[str]:
        names: list[str] = []
        while len(names) < count:
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN[::2]) + self.rng.choice(GIVEN[1::2])
            if name not in names:
                names.append(name)
        return names

    def _activities(self) -> list[dict[str, Any]]:
        rows = self.data[layout.ACTIVITIES]
        for month in range(1, 13):
            rows.append(self._plan(f"Z{month:02d}", f"{month}月主题党日", "主题党日", "支部", month, 10 if month != 7 else 1))
        for quarter in range(4):
            month = 3 * quarter + 3
            rows.append(self._plan(f"H{quarter + 1}", f"第{quarter + 1}季度支部党员大会", "三会一课", "支部", month, 25))
            rows.append(self._plan(f"K{quarter + 1}", f"第{quarter + 1}季度党课", "三会一课", "支部", month, 26))
        rows.extend(self._meetings())
        extras = (
            ("G01", "教职工代表大会", "工会", "支部", 3), ("G02", "教职工趣味运动会", "工会", "支部", 11),
            ("T01", "党建带团建：团员党史知识竞赛", "团队", "支部", 5), ("T02", "少先队“红旗标杆大队”达标竞赛", "团队", "支部", 10),
            ("L01", "重阳节慰问老教师", "关工委", GROUPS[3], 10), ("L02", "离退休教师文体活动", "关工委", GROUPS[3], 9),
        )
        rows.extend(self._plan(code, name, kind, who, month, 20) for code, name, kind, who, month in extras)
        for row in rows:
            self._progress(row)
        return rows

    def _meetings(self) -> list[dict[str, Any]]:
        """支委会 and each group's 党小组会 every month, 民主评议党员 in June, 组织生活会 in December.

        Two are missed on purpose (`MISSED_MEETINGS`): May's 支委会 was never typed, and the third
        quarter's 支部党员大会 (H3) was cancelled (`_progress`), so 组织生活落实 shows two red cells.
        """
        rows = []
        for month in range(1, 13):
            if month != 5:
                rows.append(self._plan(f"W{month:02d}", f"{month}月支委会", "三会一课", "支部", month, 5))
            for index, group in enumerate(GROUPS):
                rows.append({**self._plan(f"S{month:02d}-{index + 1}", f"{month}月党小组会", "三会一课", group, month,
                                          14 + index), "地点": "各校"})
        rows.append(self._plan("P01", f"{self.year}年度民主评议党员", "三会一课", "支部", 6, 29))
        rows.append(self._plan("P02", f"{self.year}年度组织生活会", "三会一课", "支部", 12, 22))
        return rows

    def _plan(self, code: str, name: str, kind: str, organizer: str, month: int, around: int) -> dict[str, Any]:
        return {"活动编号": code, "活动名称": name, "类别": kind, "组织者": organizer, "计划月份": f"{month}月",
                "计划日期": self.day(month, around), "地点": "中心学校会议室", "负责人": self.members[0]["姓名"],
                "状态": layout.PLANNED, "备注": ""}

    def _progress(self, row: dict[str, Any]) -> None:
        """Mark what has happened by today: done with a date, one cancelled, one group late."""
        first, last = _months(row["计划月份"])
        day = row.get("计划日期") or self.day(last, 12 + 3 * GROUPS.index(row["组织者"]) if row["组织者"] in GROUPS else 12)
        if row["活动编号"] == "A05-3":
            row["备注"] = "因防汛推迟，尚未开展"
            return
        if row["活动编号"] == "H3" and day <= self.today:
            row["状态"], row["备注"] = layout.CANCELLED, "因迎接县教学视导推迟，本季度未补开"
            return
        if row["活动编号"] == "A07" and day <= self.today:
            row["状态"], row["备注"] = layout.CANCELLED, "与县书画比赛合并举办"
            return
        if day <= self.today:
            row["状态"], row["实际日期"] = layout.DONE, day
            row["地点"] = row.get("地点") or "各校"

    def _attendance(self) -> list[dict[str, Any]]:
        rows = []
        for activity in self.data[layout.ACTIVITIES]:
            if activity["状态"] != layout.DONE:
                continue
            who = self.scored(activity["组织者"]) if activity["组织者"] in GROUPS else self.scored()
            if "支委会" in activity["活动名称"]:
                who = self.committee()
            for member in who:
                retired = member["在册状态"] == "离退休"
                weights = (0.55, 0.4, 0.05) if retired and activity["组织者"] == "支部" else (0.9, 0.07, 0.03)
                state = self.rng.choices(layout.ATTENDANCE, weights)[0]
                rows.append({"活动编号": activity["活动编号"], "党员编号": member["党员编号"], "姓名": member["姓名"],
                             "出勤": state, "备注": "外出培训" if state == "请假" else ""})
        return rows

    def _branch_promises(self) -> list[dict[str, Any]]:
        dimensions = {
            layout.ASPECTS[0]: ("立德树人", "课程改革", "安全稳定"),
            layout.ASPECTS[1]: ("政治学习", "读书达人", "校本研修"),
            layout.ASPECTS[2]: ("服务学生", "服务家长", "服务社区"),
            layout.ASPECTS[3]: ("师德师风", "名师培养", "党员发展"),
            layout.ASPECTS[4]: ("校舍维修", "信息化建设", "校园绿化"),
        }
        rows = []
        for aspect, items in dimensions.items():
            for item in items:
                number = len(rows) + 1
                state = "已完成" if number % 3 == 0 and self.today.month > 6 else ("进行中" if number % 3 else "未开始")
                rows.append({"承诺编号": f"Z{number:02d}", "方面": aspect, "工作层面": item,
                             "承诺内容": f"{item}：全年完成既定目标，群众满意", "责任人": self.members[(number * 3) % 10]["姓名"],
                             "完成时限": dt.date(self.year, 12, 31), "承诺方式": "年初承诺", "新增日期": None,
                             "完成状态": state, "完成说明": ""})
        rows.append({"承诺编号": "Z16", "方面": layout.ASPECTS[2], "工作层面": "课后服务", "承诺内容": "开展课后延时服务，每周五天全覆盖",
                     "责任人": self.members[0]["姓名"], "完成时限": dt.date(self.year, 12, 31), "承诺方式": "动态新增",
                     "新增日期": self.past(self.day(3, 5)), "完成状态": "进行中", "完成说明": "群众新要求，3月增加"})
        return rows

    def _member_promises(self) -> list[dict[str, Any]]:
        rows = []
        for member in self.working():
            kinds = [("共性承诺", item) for item in layout.COMMON_ITEMS] + [("岗位承诺", item) for item in layout.POST_ITEMS]
            kinds.append(("实事承诺", "办实事"))
            for kind, item in kinds:
                rows.append(self._member_promise(len(rows) + 1, member, kind, item))
        return rows

    def _member_promise(self, number: int, member: dict[str, Any], kind: str, item: str) -> dict[str, Any]:
        stages = [self.day(2, 26), self.day(3, 6), self.day(3, 13), self.day(7, 3), self.day(9, 10)]
        done = number % 7  # commitments reach different stages
        dates = [self.past(day) if index <= done else None for index, day in enumerate(stages)]
        fulfilled = self.rng.choices(layout.FULFILMENTS, (0.8, 0.15, 0.05))[0] if dates[3] else None
        content = f"{item}：" + ("结合岗位实际，做出表率" if kind != "实事承诺" else "为学生开设一门课后兴趣课")
        row = {"承诺编号": f"P{number:04d}", "党员编号": member["党员编号"], "姓名": member["姓名"], "承诺类别": kind,
               "承诺事项": item, "承诺内容": content, "兑现情况": fulfilled, "点评意见": "兑现较好" if fulfilled == "已兑现" else ""}
        row.update(dict(zip(layout.PROMISE_STAGES, dates)))
        row["承诺日期"] = stages[0]
        return row

    def _reading(self) -> list[dict[str, Any]]:
        rows = []
        for member in self.scored():
            for _ in range(self.rng.randrange(1, 5)):
                start = self.day(self.rng.randrange(1, 11), self.rng.randrange(1, 28))
                finish = start + dt.timedelta(days=self.rng.randrange(20, 90))
                finished = self.past(finish) if finish.year == self.year else None
                rows.append({"党员编号": member["党员编号"], "姓名": member["姓名"], "书名": self.rng.choice(BOOKS),
                             "开始日期": self.past(start), "完成日期": finished,
                             "笔记篇数": self.rng.randrange(1, 8) if finished else self.rng.randrange(0, 3),
                             "心得体会": "结合教学实际，收获很大" if finished else "",
                             "考评等级": self.rng.choices(layout.READING_GRADES, (0.3, 0.4, 0.25, 0.05))[0] if finished else None})
        return [row for row in rows if row["开始日期"]]

    def _recommendations(self) -> list[dict[str, Any]]:
        rows = []
        recommenders = [f"{s}老师" for s in "王李张刘陈杨黄赵周吴"] + ["家长代表", "学生代表"]
        for number in range(1, 26):
            member = self.rng.choice(self.working())
            day = self.past(self.day(self.rng.randrange(3, 12), self.rng.randrange(1, 28)))
            if day is None:
                continue
            rows.append({"推荐编号": f"R{number:03d}", "推荐日期": day, "党员编号": member["党员编号"], "姓名": member["姓名"],
                         "推荐人": self.rng.choice(recommenders), "推荐事迹": "坚持辅导潜能生，帮助学困生进步明显",
                         "环节": self.rng.choice(layout.RECOMMEND_STEPS), "是否表彰": "是" if number % 6 == 0 else "否"})
        return rows

    def _evaluations(self) -> list[dict[str, Any]]:
        day = self.past(self.day(6, 28))
        if day is None:
            return []
        rows = []
        for rater in range(1, RATERS + 1):
            for member in self.scored():
                grade = self.rng.choices(layout.MEMBER_GRADES, (0.55, 0.4, 0.04, 0.01))[0]
                rows.append({"评议类型": layout.EVAL_MEMBER, "评议人": f"群众{rater:02d}", "评议对象": member["党员编号"],
                             "等次": grade, "意见": "", "评议日期": day, "来源": "纸质评议表（手工录入）"})
        for member in self.working():
            for good in layout.FIVE_GOODS:
                grade = self.rng.choices(layout.BRANCH_GRADES, (0.85, 0.13, 0.02))[0]
                rows.append({"评议类型": layout.EVAL_BRANCH, "评议人": member["党员编号"], "评议对象": good,
                             "等次": grade, "意见": "", "评议日期": day, "来源": "纸质评议表（手工录入）"})
        return rows

    def _ledger(self) -> list[dict[str, Any]]:
        reasons = (
            ("教学常规", "教学常规检查优秀", 2), ("教科研", "县级课题结题", 3), ("表彰奖励", "获县优秀教师称号", 5),
            ("志愿服务", "参加社区志愿服务", 1), ("教学常规", "作业批改不及时", -1), ("违规违纪", "无故缺席教研活动", -2),
        )
        rows = []
        for number in range(30):
            kind, reason, points = self.rng.choice(reasons)
            member = self.rng.choice(self.working())
            day = self.past(self.day(self.rng.randrange(1, 12), self.rng.randrange(1, 28)))
            if day:
                rows.append({"日期": day, "党员编号": member["党员编号"], "姓名": member["姓名"], "事项类别": kind,
                             "事由": reason, "分值": points, "审核人": self.members[0]["姓名"]})
        return rows

    def _development(self) -> list[dict[str, Any]]:
        y = self.year
        people = (
            ("林晓雨", "女", dt.date(1998, 5, 2), dt.date(y, 3, 1), None, None, None, None),
            ("周子涵", "男", dt.date(1996, 8, 9), dt.date(y - 1, 3, 5), dt.date(y - 1, 6, 1), None, None, None),
            ("吴思远", "女", dt.date(1995, 2, 14), dt.date(y - 2, 3, 2), dt.date(y - 2, 5, 10), dt.date(y - 1, 6, 1), None, None),
            ("郑可欣", "女", dt.date(1993, 11, 20), dt.date(y - 3, 3, 1), dt.date(y - 3, 4, 20), dt.date(y - 2, 5, 8), dt.date(y - 1, 7, 1), None),
            ("黄志强", "男", dt.date(1990, 1, 6), dt.date(y - 4, 3, 3), dt.date(y - 4, 4, 1), dt.date(y - 3, 5, 6), dt.date(y - 2, 6, 28), dt.date(y - 1, 6, 30)),
        )
        rows = []
        for name, gender, born, *stages in people:
            row = {"姓名": name, "性别": gender, "出生日期": born, "培养联系人": self.members[1]["姓名"], "备注": ""}
            row.update(dict(zip(layout.DEVELOPMENT_STAGES, (self.past(day) for day in stages))))
            rows.append(row)
        return rows


    def _holidays(self) -> list[dict[str, Any]]:
        """The State Council's notice as the secretary copies it (when the package knows the year), and the school's vacations."""
        y = self.year
        rows = [{"名称": span.name, "开始日期": span.first, "结束日期": span.last if span.last != span.first else None,
                 "类型": span.kind, "备注": "国务院办公厅放假通知"} for span in package_spans(y)]
        rows.append({"名称": "寒假", "开始日期": dt.date(y, 1, 24), "结束日期": dt.date(y, 2, 28), "类型": VACATION,
                     "备注": "县教育局校历"})
        rows.append({"名称": "暑假", "开始日期": dt.date(y, 7, 4), "结束日期": dt.date(y, 8, 31), "类型": VACATION,
                     "备注": "县教育局校历"})
        return rows


def _months(text: str) -> tuple[int, int]:
    from workbook.values import to_months

    return to_months(text) or (1, 12)


def _plant_mistakes(data: dict[str, list[dict[str, Any]]], demo: _Demo) -> None:
    """The handful of errors a real workbook has, for the validation report to show."""
    data[layout.MEMBERS][5]["性别"] = "男性"
    data[layout.ACTIVITIES].append({**demo._plan("X01", "师德师风专题讲座", "其他", "支部", 12, 15), "计划月份": "13月", "计划日期": None})
    attendance = data[layout.ATTENDANCE_SHEET]
    attendance.append({"活动编号": "Z01", "党员编号": "D099", "姓名": "赵明", "出勤": "出席", "备注": ""})
    attendance.append({**attendance[3], "姓名": attendance[3]["姓名"][:1] + "某某"})
    attendance.append(dict(attendance[1]))
    attendance.append({"活动编号": "X01", "党员编号": "D002", "姓名": demo.members[1]["姓名"], "出勤": "出席", "备注": "提前登记"})
    data[layout.READING][2]["完成日期"] = f"{demo.year}-13-05"
    promise = next(p for p in data[layout.MEMBER_PROMISES] if p["评诺日期"])
    promise["评诺日期"] = promise["示诺日期"] - dt.timedelta(days=3)
    data[layout.BRANCH_PROMISES][-1]["新增日期"] = None
    data[layout.LEDGER][0]["审核人"] = None
    data[layout.DEVELOPMENT][2]["确定发展对象日期"] = data[layout.DEVELOPMENT][2]["确定积极分子日期"] + dt.timedelta(days=200)
