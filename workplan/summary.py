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
    """Counts by level and sheet, then the first findings, errors first."""
    lines = [f"校验“{workbook_name}”：{count_line(report)}"]
    counts = report.counts()
    ordered = report.sorted()
    for sheet in dict.fromkeys(f.sheet for f in ordered):
        errors, warnings = counts.get((sheet, F.ERROR), 0), counts.get((sheet, F.WARNING), 0)
        lines.append(f"  {sheet}：错误 {errors} 条，警告 {warnings} 条")
    if ordered:
        lines.append(f"前 {shown} 条：" if len(ordered) > shown else "全部问题：")
        lines.extend("  " + finding.describe() for finding in ordered[:shown])
    return lines
