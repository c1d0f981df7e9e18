"""Chinese text for the terminal and message boxes: what validation found, in a few lines."""

from __future__ import annotations

from . import findings as F

FIRST_SHOWN = 10


def count_line(report: F.Report) -> str:
    errors, warnings = len(report.errors), len(report.warnings)
    if not errors and not warnings:
        return "没有发现问题。"
    return f"发现错误 {errors} 条，警告 {warnings} 条。"


def validation_summary(report: F.Report, workbook_name: str, shown: int = FIRST_SHOWN) -> list[str]:
    """Counts by level and sheet, then the first findings, errors first.

    When sheets or columns are missing, those come alone: every one of them, then one line
    for the rest (mostly their consequences), which a check after the repair will show.
    """
    lines = [f"校验“{workbook_name}”：{count_line(report)}"]
    counts = report.counts()
    ordered = report.sorted()
    for sheet in dict.fromkeys(f.sheet for f in ordered):
        errors, warnings = counts.get((sheet, F.ERROR), 0), counts.get((sheet, F.WARNING), 0)
        lines.append(f"  {sheet}：错误 {errors} 条，警告 {warnings} 条")
    structural = report.structural
    if structural:
        lines.append("缺少的表或列：")
        lines.extend("  " + finding.describe() for finding in structural)
        if len(ordered) > len(structural):
            lines.append(f"另有 {len(ordered) - len(structural)} 条问题（多半是因为缺少上面的表或列），恢复后重新校验即可看到。")
        return lines
    if ordered:
        lines.append(f"前 {shown} 条：" if len(ordered) > shown else "全部问题：")
        lines.extend("  " + finding.describe() for finding in ordered[:shown])
    return lines


def scores_line(scores) -> str:
    """积分统计到 2026-11-26：39 名党员，4 个党小组；第一名 中心小学党小组 83.79 分。"""
    line = f"积分统计到 {scores.span.end.isoformat()}：{len(scores.members)} 名党员，{len(scores.groups)} 个党小组"
    leaders = [g for g in scores.groups if g.rank == 1]
    if leaders:
        line += "；小组第一名 " + "、".join(f"{g.group}（{g.total:.2f} 分）" for g in leaders)
    return line + "。"


def reminders_line(result) -> str:
    """近期提醒 N 条：…, from a refresh (its reminders, and the meetings 组织生活落实 counts as missed)."""
    found = result.reminders
    late = sum(1 for r in found if r.kind == "逾期活动")
    soon = sum(1 for r in found if r.kind == "近期活动")
    missed = len(result.orglife.missed_cells()) if result.orglife is not None else 0
    meetings = f"，应开未开的会议 {missed} 次（见“组织生活落实”）" if missed else ""
    return f"近期提醒 {len(found)} 条：未来 14 天内 {soon} 项活动，逾期 {late} 项{meetings}。"


def written_line(workbook_name: str, summary, backup) -> str:
    """已写入“x.xlsx”：… 备份在 …"""
    parts = []
    if summary.replaced:
        parts.append("更新 " + "、".join(summary.replaced))
    if summary.added:
        parts.append("新增 " + "、".join(summary.added))
    return f"已写入“{workbook_name}”：{'；'.join(parts) or '没有变化'}。写入前的备份：{backup}"


def edited_line(edited: list[str], backup) -> str:
    """The notice that generated sheets edited by hand were rewritten, and where the old ones are."""
    names = "、".join(f"“{name}”" for name in edited)
    return f"注意：{names}在上次刷新后被手工修改过，现已按程序结果重写；修改过的内容保存在备份 {backup} 中。"
