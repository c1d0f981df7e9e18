"""PNG charts of the report's tables, drawn with matplotlib in a Chinese font.

Chinese labels need a CJK font: `cjk_font` looks through the fonts matplotlib knows for
Noto Sans CJK (Debian's fonts-noto-cjk, installed by .ci/run), then Source Han Sans,
Microsoft YaHei, SimHei, PingFang or WenQuanYi. Without any of them the charts are still
drawn, but Chinese characters come out as empty boxes; `cjk_font` returns None so the
caller can say so (and how to fix it) in Chinese.

Only matplotlib's object API is used (no pyplot): no global figure state, no display
needed, safe in worker processes.
"""

from __future__ import annotations

import io
import math
import sys
import warnings
from dataclasses import dataclass
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import MultipleLocator, PercentFormatter

from workbook.sheetmodel import count_axis
from workplan.colors import PALETTE
from workplan.report_tables import Table

PREFERRED_FONTS = (
    "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Source Han Sans SC", "Source Han Sans CN",
    "Microsoft YaHei", "SimHei", "PingFang SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
)
SIZE = (6.4, 3.4)  # inches; at 110 dpi about 700 x 370 pixels
DPI = 110
LONG_LABELS = 6  # categories above this many are drawn slanted


def no_font_notice(platform: str = sys.platform) -> str:
    """The notice when `cjk_font` finds nothing, with the fix for this system."""
    if platform == "win32":
        how = "Windows 自带微软雅黑：请在“设置”→“个性化”→“字体”中确认“Microsoft YaHei”没有被删除，或重新安装它"
    elif platform == "darwin":
        how = "macOS 自带苹方：请在“字体册”中确认“PingFang SC”已启用"
    else:
        how = "请安装思源黑体/Noto Sans CJK（Debian/Ubuntu：sudo apt-get install fonts-noto-cjk）"
    return f"未找到中文字体，图表中的中文可能显示为方框。{how}，然后重新运行。"


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The name of an installed font that has Chinese characters, or None."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    for name in PREFERRED_FONTS:
        if name in installed:
            return name
    return next((name for name in sorted(installed) if "CJK" in name and "Mono" not in name), None)


def chart_png(part: Table) -> bytes:
    """The PNG of a table's chart (the table must have one: `part.chart_rows` > 0)."""
    hint = part.chart
    rows = part.rows[: part.chart_rows]
    labels = [str(row[hint.category]) for row in rows]
    series = {part.headers[col]: [_number(row[col]) for row in rows] for col in hint.values}
    look = Look(part.series_colors, part.point_colors, _formatter(part))
    font = cjk_font()
    params = {"font.family": [font] if font else ["sans-serif"], "axes.unicode_minus": False, "font.size": 9}
    with rc_context(params), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
        axes = figure.add_subplot()
        DRAW[hint.kind](axes, labels, series, look)
        axes.set_title(hint.title, fontsize=11)
        if hint.kind != "pie":
            _finish_axes(axes, labels, hint.y_title, part, len(series) > 1)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


@dataclass(frozen=True)
class Look:
    """How a chart's marks look: a colour per series, a colour per category (one series), value labels."""

    series_colors: tuple[str, ...]
    point_colors: tuple[str, ...]
    label: Callable[[float], str]

    def series_color(self, index: int) -> str:
        return self.series_colors[index] if index < len(self.series_colors) else PALETTE[index % len(PALETTE)]


def _formatter(part: Table) -> Callable[[float], str]:
    """Value labels as the workbook shows the cells: 82.5%, 83.50 (scores), 12 (counts)."""
    if part.chart_percent:
        return _percent_label
    return _count_label if part.chart_counts else _score_label


def _number(value: Any) -> float:
    """A plottable number: blanks (no votes, no sign-ins) are gaps."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan


def _bar(axes, labels: Sequence[str], series: dict[str, list[float]], look: Look) -> None:
    """Bars with their value on top; one series coloured by what each category means, when it means a state."""
    width = 0.8 / len(series)
    for index, (name, values) in enumerate(series.items()):
        positions = [i + (index - (len(series) - 1) / 2) * width for i in range(len(labels))]
        colors = list(look.point_colors) if look.point_colors else look.series_color(index)
        bars = axes.bar(positions, [0 if math.isnan(v) else v for v in values], width, label=name, color=colors)
        axes.bar_label(bars, labels=[look.label(v) for v in values], fontsize=8 if len(series) == 1 else 7, padding=2)


def _line(axes, labels: Sequence[str], series: dict[str, list[float]], look: Look) -> None:
    for index, (name, values) in enumerate(series.items()):
        axes.plot(range(len(labels)), values, marker="o", markersize=5, label=name, color=look.series_color(index))


def _pie(axes, labels: Sequence[str], series: dict[str, list[float]], look: Look) -> None:
    """One series as slices; empty slices are left out so their labels do not pile up."""
    values = next(iter(series.values()))
    colors = look.point_colors or tuple(PALETTE[i % len(PALETTE)] for i in range(len(labels)))
    shown = [(label, value, color) for label, value, color in zip(labels, values, colors) if value and not math.isnan(value)]
    if not shown:
        axes.text(0.5, 0.5, "暂无数据", ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
        return
    total = sum(value for _, value, _ in shown)
    axes.pie([value for _, value, _ in shown], labels=[f"{name} {look.label(value)}（{value / total:.0%}）" for name, value, _ in shown],
             startangle=90, counterclock=False, colors=[color for *_, color in shown], textprops={"fontsize": 9},
             wedgeprops={"edgecolor": "white"})
    axes.set_aspect("equal")


DRAW = {"bar": _bar, "line": _line, "pie": _pie}


def _count_label(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.0f}"


def _score_label(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.2f}"


def _percent_label(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.1%}"


def _finish_axes(axes, labels: Sequence[str], y_title: str, part: Table, legend: bool) -> None:
    """Category labels (slanted when long), the value axis (percent 0–100 %, whole numbers for counts), the legend
    only when there is more than one series."""
    slanted = len(labels) > LONG_LABELS or sum(len(label) for label in labels) > 40
    axes.set_xticks(range(len(labels)), labels, rotation=30 if slanted else 0, ha="right" if slanted else "center")
    axes.set_ylabel(y_title)
    axes.spines[["top", "right"]].set_visible(False)
    if part.chart_percent:
        axes.yaxis.set_major_formatter(PercentFormatter(1.0))
        axes.set_ylim(0, 1.1)
    elif part.chart_counts:
        top, step = count_axis(part.chart_top)
        axes.set_ylim(0, top * 1.1)
        axes.yaxis.set_major_locator(MultipleLocator(step))
    else:
        axes.margins(y=0.15)
    if legend:
        axes.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
