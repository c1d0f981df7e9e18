"""The yearly report's PDF: every chart whole on one page (moved out of tests/test_report.py, which
reached the 700-line limit; the report it prints is that file's module-scoped `written`)."""

from __future__ import annotations

import re

from workplan.report import year_report
from workplan.report_tables import report_sections

from test_report import _pdf_text, refreshed, written  # noqa: F401  (written: the fixture, shared)


def test_every_chart_is_whole_on_one_pdf_page(written):
    """Each chart's title is on one page, and every category it draws (or, with several series, its legend) is printed
    below the title on that same page: a chart cut by a page break would have its bottom on the next page."""
    _, files = written
    figures = year_report(refreshed(files[".xlsx"].parents[1] / "总台账.xlsx"))
    pages = [[re.sub(r"\s", "", line) for line in page.splitlines()] for page in _pdf_text(files[".pdf"]).split("\f")]
    checked = 0
    for section in report_sections(figures):
        for part in section.tables:
            if not part.chart_rows:
                continue
            title = re.sub(r"\s", "", part.chart.title)
            found = [(page, at) for page, lines in enumerate(pages) for at, line in enumerate(lines) if line == title]
            assert len(found) == 1, (title, found)
            page, at = found[0]
            below = "".join(pages[page][at + 1:])
            if len(part.chart.values) > 1:  # the legend, at the chart's bottom (its long categories print slanted)
                bottom = [part.headers[col] for col in part.chart.values]
            else:
                drawn = [row for row in part.rows[: part.chart_rows] if part.chart.kind != "pie" or row[part.chart.values[0]]]
                bottom = [str(row[part.chart.category]) for row in drawn]
            assert all(re.sub(r"\s", "", label) in below for label in bottom), title
            checked += 1
    assert checked == 13
