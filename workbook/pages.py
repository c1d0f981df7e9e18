"""Where the printed pages of a sheet break, planned from its row heights (pure, no I/O).

A sheet printed at 100% whose columns fit the paper's width breaks into pages by row
heights alone, which the model knows (`workbook.textfit` sets them): the same in Excel,
WPS and LibreOffice. `balanced_breaks` plans manual page breaks so that the pages are
about equally full — no last page holding two rows — and `A4_ROOM` is the height a page
holds, less a margin for the applications' own rounding.

Widths: a column `w` units wide is 7w + 5 pixels in Excel (5.25 points a unit); LibreOffice
without the Calibri-compatible font (Carlito) measures a unit by its fallback's digit,
up to 7 points. `fits_width` checks a table against the wider of the two, so a form that
fits prints at 100% everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

A4_WIDTH = {False: 494.0, True: 741.0}  # printable width (points), portrait / landscape, 0.7" side margins
A4_HEIGHT = {False: 733.0, True: 487.0}  # printable height (points), 0.75" top and bottom margins
SAFETY = 0.92  # of a page's height planned: room for rounding and the applications' own padding
WIDEST_UNIT = 7.0  # points per column unit, the widest any application here measures


def room(landscape: bool) -> float:
    """The height (points) planned for one page's rows."""
    return A4_HEIGHT[landscape] * SAFETY


def fits_width(widths: Sequence[float], landscape: bool) -> bool:
    """True when columns of these widths fit the page at 100% in every application."""
    return sum(w + 5 / 7 for w in widths) * WIDEST_UNIT <= A4_WIDTH[landscape]


def greedy_breaks(heights: Sequence[float], page: float, repeat: float = 0.0, allowed: set[int] | None = None) -> list[int]:
    """Row indexes before which a new page starts when each page is filled as far as it goes.

    `repeat`: the height of the title rows printed again on each later page; `allowed`: the
    indexes a page may start at (None: any).
    """
    breaks, used, last_allowed = [], 0.0, None
    for index, height in enumerate(heights):
        if allowed is None or index in allowed:
            last_allowed = index
        if used + height > page and index and last_allowed and (not breaks or last_allowed > breaks[-1]):
            breaks.append(last_allowed)
            used = repeat + sum(heights[last_allowed:index])
        used += height
    return breaks


def balanced_breaks(heights: Sequence[float], page: float, repeat: float = 0.0, allowed: set[int] | None = None) -> list[int]:
    """As few pages as `greedy_breaks`, but about equally full: no short last page.

    A page ends at the allowed row whose middle passes the page's equal share; if that
    would overfill a page, the greedy breaks are kept.
    """
    greedy = greedy_breaks(heights, page, repeat, allowed)
    if not greedy:
        return []
    pages = len(greedy) + 1
    share = (sum(heights) + repeat * (pages - 1)) / pages
    breaks, used = [], 0.0
    for index, height in enumerate(heights):
        may_break = index and (allowed is None or index in allowed) and len(breaks) < pages - 1
        if may_break and (used + height / 2 > share or used + height > page):
            breaks.append(index)
            used = repeat
        used += height
    return breaks if _fits(heights, breaks, page, repeat) else greedy


def _fits(heights: Sequence[float], breaks: list[int], page: float, repeat: float) -> bool:
    starts = [0, *breaks, len(heights)]
    return all((repeat if i else 0.0) + sum(heights[a:b]) <= page for i, (a, b) in enumerate(zip(starts, starts[1:])))
