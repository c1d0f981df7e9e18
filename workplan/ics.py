"""The calendar as an iCalendar file for phones (the `icalendar` package).

Every dated activity and regular meeting becomes an all-day event. Each event's UID is
stable across runs (it comes from the 活动编号, or the meeting and month), so importing
the file again updates events instead of duplicating them; a cancelled activity stays in
the file marked CANCELLED so that phones remove it. The time stamp is passed in.

Phones leave the workbook: every text of the file passes `mask_phones`, and a line break
in the branch name (a property that cannot hold one) is folded to a space.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar as ICalendar
from icalendar import Event

from workbook.privacy import mask_phones

from .calendar import CANCELLED, REGULAR, SUGGESTED, Calendar, CalendarItem

PRODUCT = "-//branch-workbench//党建工作台账//ZH"


def to_ics(calendar: Calendar, branch_name: str, stamp: dt.datetime) -> bytes:
    """The .ics bytes of every dated item."""
    ical = ICalendar()
    ical.add("prodid", PRODUCT)
    ical.add("version", "2.0")
    ical.add("calscale", "GREGORIAN")
    ical.add("x-wr-calname", mask_phones(" ".join(f"{branch_name}活动日历".split())))
    ical.add("x-wr-timezone", "Asia/Shanghai")
    for item in calendar.items:
        if item.day is not None:
            ical.add_component(_event(item, stamp))
    return ical.to_ical()


def _event(item: CalendarItem, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", stamp.astimezone(dt.timezone.utc) if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc))
    event.add("dtstart", item.day)
    event.add("dtend", item.day + dt.timedelta(days=1))
    event.add("summary", mask_phones(item.title))
    event.add("description", mask_phones(_description(item)))
    if item.place:
        event.add("location", mask_phones(item.place))
    event.add("categories", [mask_phones(item.kind or "活动")])
    event.add("status", "CANCELLED" if item.status == CANCELLED else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    return event


def _description(item: CalendarItem) -> str:
    parts = [f"组织者：{item.organizer}"]
    if item.code:
        parts.append(f"活动编号：{item.code}")
    if item.source == SUGGESTED:
        parts.append("日期为程序建议，尚未确定")
    elif item.source == REGULAR:
        parts.append("例会（按基本设置中的规律安排）")
    parts.append(f"状态：{item.status}")
    if item.note:
        parts.append(f"备注：{item.note}")
    return "\n".join(parts)
