"""The text of the 使用说明 sheet: the workbook explained in plain Chinese for the teachers who fill it in.

It speaks of what they see: the sheets, the buttons on this sheet (in a macro-enabled .xlsm) and the
double-click files beside the workbook (刷新.cmd …, services/launchers.py). It never names a program,
a command or the developers' documents: the people who install the program have the README.
"""

from __future__ import annotations

from workbook import layout, xlsm

_INTRO = (
    "■ 这个工作簿是什么",
    "这是支部党建工作的总台账。大家只在“输入表”（标签不是红色的表）里填写；程序检查填写的内容，"
    "计算党员积分和党小组积分，生成活动日历、近期提醒和各种评议表。",
    "程序生成的表（标签为红色、第一行写着“本表由程序生成”）每次刷新都会重写，请不要在里面填写内容。",
    "",
    "■ 每周怎么用",
    "1. 在输入表里登记这一周的事：活动、签到、承诺、读书、推荐、加减分等。",
    "2. 点本表右边的“刷新”按钮；或者先关闭工作簿，再双击工作簿旁边的“刷新.cmd”。",
    "3. 看“校验结果”表：标为“错误”的行没有计入积分，按“建议”一列改正后再刷新一次。",
    "刷新前会把工作簿备份到旁边的“备份”文件夹；写好后重新核对一遍，确认无误才替换原文件。",
    "用双击文件刷新时，工作簿要先在 Excel 或 WPS 里关闭，否则不会写入，会提示先关闭。",
    "",
    "■ 按钮",
    "用 Excel 打开启用宏的工作簿（文件名以 .xlsm 结尾）并点“启用内容”后，本表右边有这些按钮。"
    "按钮读的是正在打开的工作簿，还没保存的修改也算在内：",
)

_BUTTON_TEXT = {
    "校验": "只检查填写的内容，把问题写在“校验结果”表。",
    "刷新": "检查并重新生成所有程序生成的表（积分、日历、提醒、评议表等）。",
    "日历": "只重新生成“活动日历”和“近期提醒”。",
    "生成评议表": "生成这一轮要发放的群众评议表、党员评议支部表（每份一个文件），放在工作簿旁边的“评议表”文件夹里；"
              "交回的表放回原来的文件夹。",
    "回收评议表": "把收回的评议表文件里的结果，登记到“评议记录”表（同一份不会登记两次）。",
    "生成报表": "生成交给上级党委的年度报表（工作簿、网页和 PDF），放在旁边的“报表”文件夹。",
}

_LAUNCHERS = (
    "",
    "■ 双击文件（没有按钮时用，WPS 也可以）",
    "工作簿旁边有“刷新.cmd”“校验.cmd”“日历.cmd”“生成报表.cmd”，作用和同名按钮一样（苹果电脑上是同名的 .sh 文件）。"
    "双击前请先关闭工作簿。",
    "",
    "■ 填写的规矩",
    "1. 第一行的列标题不能改名、不能删除，也不要调换顺序；可以在最右边增加自己的列。",
    "2. 日期可以写成 2026-03-05、2026/3/5、2026.3.5 或 2026年3月5日。",
    "3. 带下拉箭头的单元格请从下拉列表中选择。党员编号的列表来自“党员名册”，活动编号的列表来自“活动计划”，"
    "组织者可以选“支部”，或“党小组”表里的某个小组；填了列表里没有的内容会弹出提醒，确认无误可以点“是”保留。"
    "负责人、审核人、培养联系人等列的列表是党员名册里的姓名，只是方便选择，不是党员的也可以照填。",
    "4. 党员在各表中以“党员编号”为准，姓名只是方便阅读；编号要与“党员名册”一致。",
    "5. 计划月份写成 3月，跨月的活动写成 4—7月 或 4-7月。",
    "6. 由党小组组织的活动，每个党小组各占一行，组织者填小组名称；支部组织的填“支部”。",
    "7. 党员的手机号只保存在本工作簿，不会出现在报表、评议表和记录文件中。",
    "",
    "■ 校验结果",
    "“校验结果”表列出所有问题：级别、工作表、单元格（点击可跳到该单元格）、问题和修改建议。"
    "“错误”的记录不计入积分，请按建议改正；“警告”请核对。",
    "",
    "■ 各输入表",
)


def _outro() -> tuple[str, ...]:
    return (
        "",
        "■ 程序生成的表",
        "、".join(layout.GENERATED_SHEETS) + "。",
        "",
        "■ 遇到问题",
        "按钮和双击文件的提示会说明哪里有问题、怎么改。详细经过记在工作簿旁边的“党建台账日志.log”里，"
        "可以把它发给帮您安装程序的老师。",
    )


def _button_lines() -> tuple[str, ...]:
    return tuple(f"“{action.caption}”：{_BUTTON_TEXT[action.caption]}" for action in xlsm.ACTIONS)


def _sheet_lines() -> tuple[str, ...]:
    return tuple(f"【{spec.name}】{spec.purpose}" for spec in layout.INPUT_SHEETS)


GUIDE_LINES: tuple[str, ...] = _INTRO + _button_lines() + _LAUNCHERS + _sheet_lines() + _outro()
