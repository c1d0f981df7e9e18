"""Colours that mean what they show, shared by the workbook's native charts and the report's PNGs.

A category or series named after a state gets the colour of what that state means: done, kept and
excellent are green; overdue, broken, failed and absent are red (未兑现 is never green); halfway
states amber; cancelled and not filled grey. Anything else (groups, stages, weeks) gets the neutral
palette, which has neither green nor red, so a plain series never looks like a verdict.
"""

from __future__ import annotations

from collections.abc import Iterable

GREEN, LIGHT_GREEN, BLUE = "#548235", "#A9D18E", "#2F5597"
AMBER, RED, GREY, LIGHT_BLUE = "#FFC000", "#C00000", "#A6A6A6", "#9DC3E6"
MEANING = {
    **dict.fromkeys(("已完成", "已兑现", "优秀", "满意", "出席"), GREEN),
    "良好": LIGHT_GREEN,
    **dict.fromkeys(("合格", "进行中"), BLUE),
    **dict.fromkeys(("部分兑现", "基本合格", "基本满意", "请假"), AMBER),
    **dict.fromkeys(("未兑现", "逾期", "不合格", "不满意", "缺席", "未完成"), RED),
    **dict.fromkeys(("已取消", "未填写", "未开始"), GREY),
    "未到期": LIGHT_BLUE,
}
PALETTE = ("#2F5597", "#ED7D31", "#7030A0", "#00B0F0", "#7F6000", "#808080", "#264478", "#9E480E")


def meaning_color(label: object) -> str | None:
    """The colour of a state's meaning, or None for a label that is not a state."""
    return MEANING.get(str(label).strip())


def meaning_colors(labels: Iterable[object]) -> tuple[str, ...]:
    """One colour per label when every label is a state; () when any is not (the palette is used then)."""
    colors = tuple(meaning_color(label) for label in labels)
    return colors if colors and all(colors) else ()  # type: ignore[return-value]


def series_colors(names: Iterable[object]) -> tuple[str, ...]:
    """A colour per series: the states' meanings when every name is a state, else the neutral palette."""
    names = list(names)
    return meaning_colors(names) or tuple(PALETTE[i % len(PALETTE)] for i in range(len(names)))
