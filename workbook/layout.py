"""The workbook contract: sheet names, column headers, kinds of value and drop-down lists.

This module is the one source of truth for the layout of the master workbook. The names
and headers are a contract with the staff and with outside tools: they may gain columns
after them, never lose or rename one. Everything that builds, reads or checks the
workbook takes its names from here.
"""

from __future__ import annotations

from dataclasses import dataclass

# Kinds of value a column holds.
TEXT = "text"  # free text, kept as typed (trimmed)
ID = "id"  # a code such as 党员编号: trimmed, full-width folded, 1001.0 read as "1001"
DATE = "date"  # any date form the spec lists
INT = "int"  # a whole number
NUMBER = "number"  # any number
CHOICE = "choice"  # one value of a fixed list (a drop-down in the workbook)
MONTHS = "months"  # a planned month or month range: 3月, 4—7月, 4-7月
NAME = "name"  # a name (姓名, 党小组, 评议人 …): text, without invisible characters pasted along


@dataclass(frozen=True)
class Column:
    """One column of an input sheet."""

    name: str
    kind: str = TEXT
    required: bool = False
    unique: bool = False
    choices: tuple[str, ...] = ()
    strict: bool = True  # a value outside `choices` is an error (else the list only helps)
    width: float = 12
    hint: str = ""
    extra: bool = False  # added by us after the contract's columns: a workbook may lack it
    limit: float | None = None  # a number beyond ±limit is a finding (a typo such as 1e300, not a score)
    one_line: bool = False  # a name (of a person, group, activity, book): a line break in it is folded, with a warning


SCORE_LIMIT = 1000  # |分值| and |上限| of a ledger line or a scoring rule; more is surely a typo


@dataclass(frozen=True)
class SheetSpec:
    """One input sheet: its name, its columns in order, and what it is for."""

    name: str
    columns: tuple[Column, ...]
    purpose: str

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


# --- value lists -------------------------------------------------------------------------

GENDERS = ("男", "女")
STANDINGS = ("正式党员", "预备党员")
STATUSES = ("在职", "离退休", "转出")
SCORED_STATUSES = ("在职", "离退休")
# The roster columns a member's scoring needs: an error in one of them leaves the member out;
# an error in any other roster column (性别, 岗位, 入党日期 …) is reported and the member is scored.
MEMBER_KEY_COLUMNS = ("党员编号", "党小组", "在册状态")
ASPECTS = (
    "贯彻党的教育方针",
    "建设学习型党组织",
    "建设服务型党组织",
    "加强党员和教师队伍建设",
    "改善办学条件",
)
MIN_DIMENSIONS = 15
PROMISE_WAYS = ("年初承诺", "动态新增")
CARRIED_NOTE = "由{year}年度转入"  # how `newyear` marks a carried 支部承诺 in its 完成说明
BRANCH_PROMISE_STATES = ("未开始", "进行中", "已完成", "未完成")
PROMISE_KINDS = ("共性承诺", "岗位承诺", "实事承诺")
COMMON_ITEMS = ("学习提高", "争创佳绩", "服务群众", "遵守纪律", "弘扬正气")
POST_ITEMS = ("教书育人", "爱岗敬业", "为人师表", "关爱学生", "教育科研", "提高质量")
PROMISE_STAGES = ("承诺日期", "审诺日期", "示诺日期", "评诺日期", "议诺日期")
FULFILMENTS = ("已兑现", "部分兑现", "未兑现")
ACTIVITY_KINDS = ("十个一", "三会一课", "主题党日", "工会", "团队", "关工委", "其他")
ACTIVITY_STATES = ("计划中", "已完成", "已取消")
PLANNED, DONE, CANCELLED = ACTIVITY_STATES
BRANCH_ORGANIZER = "支部"
ATTENDANCE = ("出席", "请假", "缺席")
READING_GRADES = ("优秀", "良好", "合格", "不合格")
RECOMMEND_STEPS = ("发现", "推荐", "总结", "学习")
YES_NO = ("是", "否")
EVAL_MEMBER = "群众评议党员"
EVAL_BRANCH = "党员评议支部"
EVAL_KINDS = (EVAL_MEMBER, EVAL_BRANCH)
MEMBER_GRADES = ("优秀", "合格", "基本合格", "不合格")
FIVE_GOODS = ("领导班子好", "党员队伍好", "工作机制好", "工作业绩好", "群众反映好")
BRANCH_GRADES = ("满意", "基本满意", "不满意")
LEDGER_KINDS = ("教学常规", "教科研", "表彰奖励", "志愿服务", "违规违纪", "其他")
HOLIDAY_KINDS = ("法定节假日", "调休上班", "学校假期")
DEVELOPMENT_STAGES = (
    "申请入党日期",
    "确定积极分子日期",
    "确定发展对象日期",
    "接收预备党员日期",
    "转正日期",
)

# --- sheet names -------------------------------------------------------------------------

SETTINGS = "基本设置"
GROUPS = "党小组"
MEMBERS = "党员名册"
BRANCH_PROMISES = "支部承诺"
MEMBER_PROMISES = "党员承诺"
ACTIVITIES = "活动计划"
ATTENDANCE_SHEET = "活动签到"
READING = "读书记录"
RECOMMENDATIONS = "优秀推荐"
EVALUATIONS = "评议记录"
LEDGER = "加减分"
RULES = "积分规则"
DEVELOPMENT = "发展党员"
HOLIDAYS = "节假日"
GUIDE = "使用说明"


def _date(name: str, required: bool = False, hint: str = "") -> Column:
    return Column(name, DATE, required=required, width=12, hint=hint or "日期，如 2026-03-05")


def _member_ref() -> tuple[Column, Column]:
    return (
        Column("党员编号", ID, required=True, width=10, hint="填写党员名册中的党员编号"),
        Column("姓名", NAME, width=9, hint="便于阅读；以党员编号为准", one_line=True),
    )


# --- 基本设置 -----------------------------------------------------------------------------

SETTING_KEYS = (
    ("支部名称", "本支部的全称，如：某某镇中心学校党支部"),
    ("年度开始日期", "本工作年度的第一天，如 2026-01-01"),
    ("年度结束日期", "本工作年度的最后一天，如 2026-12-31"),
    ("积分截止日期", "积分统计到哪一天；留空表示统计到今天"),
    ("每周刷新时间", "自动刷新的时间，如：周一 07:00"),
    ("备份保留份数", "每次写入前自动备份，最多保留几份，如 20"),
    ("群众评议份数", "点“生成评议表”按钮时，为群众评议准备几份不记名的表（按 01、02…编号），如 20"),
)
# Regular meetings (三会一课 and 主题党日): name, default rule, note. See workplan/meetings.py.
MEETING_KEYS = (
    ("支委会", "每月第1个周一", "三会一课：支委会每月一次。写法如“每月第1个周一”“每月10日”，不开填“不安排”"),
    ("党小组会", "每月第2个周三", "三会一课：各党小组每月一次，日历中每个小组一条"),
    ("支部党员大会", "每季度最后一个周四", "三会一课：每季度一次；“每季度”指 3、6、9、12 月"),
    ("党课", "每季度最后一个周五", "三会一课：每季度一次"),
    ("主题党日", "每月10日", "每月一次；遇节假日顺延到下一个工作日"),
    ("组织生活会", "12月最后一个周四", "每年至少一次（“组织生活落实”表按全年检查）；不开填“不安排”"),
    ("民主评议党员", "12月最后一个周五", "每年一次，常与组织生活会一起开；活动名称中含“民主评议”即算"),
)

SETTINGS_SPEC = SheetSpec(
    SETTINGS,
    (
        Column("项目", TEXT, required=True, width=16, hint="设置项的名称，请勿修改"),
        Column("值", TEXT, width=30, hint="在这一列填写设置的值"),
        Column("说明", TEXT, width=48, hint="设置项的说明", extra=True),
    ),
    "支部名称、年度起止日期、积分截止日期、自动刷新时间和备份份数。",
)

INPUT_SHEETS: tuple[SheetSpec, ...] = (
    SETTINGS_SPEC,
    SheetSpec(
        GROUPS,
        (
            Column("小组名称", NAME, required=True, unique=True, width=18, hint="党小组名称，不可重复", one_line=True),
            Column("组长", NAME, width=10, hint="党小组组长姓名", one_line=True),
            Column("备注", TEXT, width=30),
        ),
        "党小组名单。党员名册、活动计划中的小组名称必须与这里一致。",
    ),
    SheetSpec(
        MEMBERS,
        (
            Column("党员编号", ID, required=True, unique=True, width=10, hint="每名党员一个编号，不可重复，如 D001"),
            Column("姓名", NAME, required=True, width=9, one_line=True),
            Column("性别", CHOICE, required=True, choices=GENDERS, width=6),
            Column("党小组", NAME, width=16, hint="填写党小组表中的小组名称"),
            Column("政治面貌", CHOICE, required=True, choices=STANDINGS, width=10),
            Column("岗位", TEXT, width=12, hint="如：语文教师、校长"),
            _date("入党日期"),
            Column("在册状态", CHOICE, required=True, choices=STATUSES, width=9),
            Column("联系电话", TEXT, width=13, hint="仅保存在本工作簿，不会出现在报表和评议表中"),
            Column("备注", TEXT, width=20),
        ),
        "全体党员名单。党员编号是其他各表引用党员的依据。",
    ),
    SheetSpec(
        BRANCH_PROMISES,
        (
            Column("承诺编号", ID, required=True, unique=True, width=9),
            Column("方面", CHOICE, required=True, choices=ASPECTS, width=20, hint="五个方面之一"),
            Column("工作层面", TEXT, required=True, width=16, hint="十五个工作层面之一，如：师德师风"),
            Column("承诺内容", TEXT, required=True, width=36),
            Column("责任人", NAME, width=9, one_line=True),
            _date("完成时限"),
            Column("承诺方式", CHOICE, required=True, choices=PROMISE_WAYS, width=10),
            _date("新增日期", hint="动态新增的承诺必须填写新增日期"),
            Column("完成状态", CHOICE, required=True, choices=BRANCH_PROMISE_STATES, width=9),
            Column("完成说明", TEXT, width=24),
        ),
        "支部公开承诺：五个方面、十五个工作层面，以及年中动态新增的承诺。",
    ),
    SheetSpec(
        MEMBER_PROMISES,
        (
            Column("承诺编号", ID, required=True, unique=True, width=9),
            *_member_ref(),
            Column("承诺类别", CHOICE, required=True, choices=PROMISE_KINDS, width=10),
            Column(
                "承诺事项",
                CHOICE,
                choices=COMMON_ITEMS + POST_ITEMS,
                strict=False,
                width=10,
                hint="共性承诺填“五带头”之一，岗位承诺填六个方面之一，实事承诺可自拟",
            ),
            Column("承诺内容", TEXT, required=True, width=30),
            _date("承诺日期", required=True),
            _date("审诺日期"),
            _date("示诺日期"),
            _date("评诺日期"),
            _date("议诺日期"),
            Column("兑现情况", CHOICE, choices=FULFILMENTS, width=9, hint="评诺后填写"),
            Column("点评意见", TEXT, width=24),
        ),
        "党员公开承诺：共性承诺（五带头）、岗位承诺（六个方面）、实事承诺，及承诺、审诺、示诺、评诺、议诺各环节日期。",
    ),
    SheetSpec(
        ACTIVITIES,
        (
            Column("活动编号", ID, required=True, unique=True, width=9),
            Column("活动名称", TEXT, required=True, width=30, one_line=True),
            Column("类别", CHOICE, required=True, choices=ACTIVITY_KINDS, width=9),
            Column("组织者", NAME, required=True, width=14, hint="填“支部”或党小组名称"),
            Column("计划月份", MONTHS, width=9, hint="如 3月，或月份范围 4—7月"),
            _date("计划日期"),
            _date("实际日期", hint="活动完成后填写实际日期"),
            Column("地点", TEXT, width=14),
            Column("负责人", NAME, width=9, one_line=True),
            Column("状态", CHOICE, required=True, choices=ACTIVITY_STATES, width=8),
            Column("备注", TEXT, width=20),
        ),
        "全年活动计划：“十个一”、三会一课、主题党日、工会、团队、关工委等活动。",
    ),
    SheetSpec(
        ATTENDANCE_SHEET,
        (
            Column("活动编号", ID, required=True, width=9, hint="填写活动计划中的活动编号"),
            *_member_ref(),
            Column("出勤", CHOICE, required=True, choices=ATTENDANCE, width=7),
            Column("备注", TEXT, width=20),
        ),
        "已完成活动的签到：每名党员每次活动一行。",
    ),
    SheetSpec(
        READING,
        (
            *_member_ref(),
            Column("书名", TEXT, required=True, width=24, one_line=True),
            _date("开始日期"),
            _date("完成日期", hint="读完后填写；读完才计分"),
            Column("笔记篇数", INT, width=8, limit=SCORE_LIMIT),
            Column("心得体会", TEXT, width=30),
            Column("考评等级", CHOICE, choices=READING_GRADES, width=9),
        ),
        "“读书达人”活动的读书记录及支部考评等级。",
    ),
    SheetSpec(
        RECOMMENDATIONS,
        (
            Column("推荐编号", ID, required=True, unique=True, width=9),
            _date("推荐日期", required=True),
            *_member_ref(),
            Column("推荐人", NAME, required=True, width=9, one_line=True),
            Column("推荐事迹", TEXT, width=36),
            Column("环节", CHOICE, choices=RECOMMEND_STEPS, width=7),
            Column("是否表彰", CHOICE, choices=YES_NO, width=8),
        ),
        "“我身边的优秀共产党员”群众推荐：发现、推荐、总结、学习典型。",
    ),
    SheetSpec(
        EVALUATIONS,
        (
            Column("评议类型", CHOICE, required=True, choices=EVAL_KINDS, width=13),
            Column("评议人", NAME, required=True, width=10, one_line=True),
            Column("评议对象", NAME, required=True, width=12, hint="群众评议党员填党员编号；党员评议支部填“五好”之一"),
            Column(
                "等次",
                CHOICE,
                required=True,
                choices=MEMBER_GRADES + BRANCH_GRADES,
                width=9,
                hint="群众评议党员：优秀/合格/基本合格/不合格；党员评议支部：满意/基本满意/不满意",
            ),
            Column("意见", TEXT, width=30),
            _date("评议日期", required=True),
            Column("来源", TEXT, width=20, hint="回收的评议表文件名，手工录入可留空"),
        ),
        "群众评议党员、党员评议支部的每一票。",
    ),
    SheetSpec(
        LEDGER,
        (
            _date("日期", required=True),
            *_member_ref(),
            Column("事项类别", CHOICE, required=True, choices=LEDGER_KINDS, width=9),
            Column("事由", TEXT, required=True, width=30),
            Column("分值", NUMBER, required=True, width=7, hint="加分填正数，减分填负数", limit=SCORE_LIMIT),
            Column("审核人", NAME, required=True, width=9, one_line=True),
        ),
        "教学与教研等方面的加分、减分台账。",
    ),
    SheetSpec(
        RULES,
        (
            Column("规则代码", ID, required=True, unique=True, width=22, hint="程序识别用的代码，请勿修改"),
            Column("项目", TEXT, width=30),
            Column("分值", NUMBER, required=True, width=7, limit=SCORE_LIMIT),
            Column("上限", NUMBER, width=7, hint="该项最多计多少分（扣分项为最多扣多少分）；留空表示不设上限",
                   limit=SCORE_LIMIT),
            Column("说明", TEXT, width=40),
        ),
        "积分规则：可修改分值和上限，不要修改规则代码。",
    ),
    SheetSpec(
        DEVELOPMENT,
        (
            Column("姓名", NAME, required=True, width=9, one_line=True),
            Column("性别", CHOICE, choices=GENDERS, width=6),
            _date("出生日期"),
            _date("申请入党日期", required=True),
            _date("确定积极分子日期"),
            _date("确定发展对象日期", hint="须在确定积极分子满一年后"),
            _date("接收预备党员日期"),
            _date("转正日期", hint="须在接收预备党员满一年后"),
            Column("培养联系人", NAME, width=10, one_line=True),
            Column("备注", TEXT, width=20),
        ),
        "入党申请人、积极分子、发展对象、预备党员的培养发展过程。",
    ),
    SheetSpec(
        HOLIDAYS,
        (
            Column("名称", NAME, required=True, width=14, hint="如：国庆节、中秋节、寒假、暑假", one_line=True),
            _date("开始日期", required=True, hint="假期（或调休上班）的第一天，如 2027-10-01"),
            _date("结束日期", hint="假期的最后一天，如 2027-10-07；只有一天可留空"),
            Column("类型", CHOICE, required=True, choices=HOLIDAY_KINDS, width=11,
                   hint="国务院通知中的放假日期选“法定节假日”，周末上班的日子选“调休上班”，寒假暑假选“学校假期”"),
            Column("备注", TEXT, width=30),
        ),
        "法定节假日、调休上班日（照国务院办公厅的放假通知填写）和学校的寒假、暑假。日历建议日期时避开放假的日子。",
    ),
)
OPTIONAL_SHEETS = frozenset((HOLIDAYS,))  # a master made before the sheet existed still works without it

# Columns holding phone numbers: never in a report, a form or an export (`read_frames(..., with_phones=True)` only).
PHONE_COLUMNS = ("联系电话",)

SPECS: dict[str, SheetSpec] = {spec.name: spec for spec in INPUT_SHEETS}
INPUT_SHEET_NAMES = tuple(SPECS)

# Generated sheets: the software owns them and rewrites them on every refresh.
VALIDATION_SHEET = "校验结果"
MEMBER_SCORES_SHEET = "个人积分"
GROUP_SCORES_SHEET = "小组积分"
HISTORY_SHEET = "积分历史"
CALENDAR_SHEET = "活动日历"
REMINDERS_SHEET = "近期提醒"
ORGLIFE_SHEET = "组织生活落实"  # 三会一课 kept: each required meeting, held / missed / not yet due
FORM_SHEETS = ("群众评议表", "党员评议支部表", "读书考评表", "承诺评议表", "党员年度考评表", "公示表")
EVAL_SUMMARY_SHEET = "评议汇总"  # the tallies of 评议记录: per member grades, per 好 satisfaction
GENERATED_SHEETS = (
    VALIDATION_SHEET,
    MEMBER_SCORES_SHEET,
    GROUP_SCORES_SHEET,
    HISTORY_SHEET,
    CALENDAR_SHEET,
    REMINDERS_SHEET,
    ORGLIFE_SHEET,
) + FORM_SHEETS + (EVAL_SUMMARY_SHEET,)

VALIDATION_HEADERS = ("级别", "工作表", "单元格", "列名", "值", "问题", "建议")

# Defined name that lists the party groups, used by drop-downs on other sheets.
GROUP_LIST_NAME = "小组名称列表"
GROUP_LIST_REF = f"={GROUPS}!$A$2:$A$500"
GROUP_LIST_ROWS = 499  # the groups 小组名称列表 covers (rows 2..500)

# --- drop-downs over other sheets ---------------------------------------------------------
# A drop-down whose list lives on another sheet names a defined name, never a plain cross-sheet
# range (Excel 2010+ stores that as an x14 extension several tools drop; a defined name survives).
# The names cover far more rows than a branch has, so the lists grow with the sheets.
LIST_ROWS = 2000
LISTS_SHEET = "下拉列表"  # hidden helper: 支部 and the groups (formulas over 党小组), for 组织者列表
HELPER_SHEETS = (LISTS_SHEET,)  # ours, not input: validation ignores them, the writer never replaces them
MEMBER_LIST_NAME = "党员编号列表"
MEMBER_NAME_LIST_NAME = "党员姓名列表"
ACTIVITY_LIST_NAME = "活动编号列表"
ORGANIZER_LIST_NAME = "组织者列表"
DEFINED_LISTS: dict[str, str] = {
    GROUP_LIST_NAME: GROUP_LIST_REF,
    MEMBER_LIST_NAME: f"={MEMBERS}!$A$2:$A${LIST_ROWS}",
    MEMBER_NAME_LIST_NAME: f"={MEMBERS}!$B$2:$B${LIST_ROWS}",
    ACTIVITY_LIST_NAME: f"={ACTIVITIES}!$A$2:$A${LIST_ROWS}",
    ORGANIZER_LIST_NAME: f"={LISTS_SHEET}!$A$2:$A${2 + GROUP_LIST_ROWS}",
}
# How a typed value outside the list is met: "warning" asks (a typo is caught, staff may confirm),
# "information" only tells (a suggestion list that accepts another name).
CHECKED, SUGGESTED = "warning", "information"


@dataclass(frozen=True)
class ListSource:
    """The drop-down of a column whose values come from another sheet, through a defined name."""

    name: str  # one of DEFINED_LISTS
    error_type: str  # CHECKED or SUGGESTED


_MEMBER_ID = ListSource(MEMBER_LIST_NAME, CHECKED)
_PERSON = ListSource(MEMBER_NAME_LIST_NAME, SUGGESTED)
REFERENCE_LISTS: dict[tuple[str, str], ListSource] = {
    (MEMBERS, "党小组"): ListSource(GROUP_LIST_NAME, SUGGESTED),
    **{(sheet, "党员编号"): _MEMBER_ID for sheet in (MEMBER_PROMISES, ATTENDANCE_SHEET, READING, RECOMMENDATIONS, LEDGER)},
    (ATTENDANCE_SHEET, "活动编号"): ListSource(ACTIVITY_LIST_NAME, CHECKED),
    (ACTIVITIES, "组织者"): ListSource(ORGANIZER_LIST_NAME, CHECKED),
    (GROUPS, "组长"): _PERSON,
    (BRANCH_PROMISES, "责任人"): _PERSON,
    (ACTIVITIES, "负责人"): _PERSON,
    (RECOMMENDATIONS, "推荐人"): _PERSON,
    (LEDGER, "审核人"): _PERSON,
    (DEVELOPMENT, "培养联系人"): _PERSON,
}


def column_letter(index: int) -> str:
    """Excel column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
