"""Merging our styles into the master's styles.xml, append-only.

xlsxwriter numbers its fonts, fills, borders, number formats, cell formats and differential
formats (conditional colours) from zero; the master has its own. `merge_styles` maps each of
ours onto an equal entry of the master, or appends it at the end of its list, and says how
our indexes map. Nothing already in styles.xml moves or changes, so a second refresh with
the same styles leaves the part byte-identical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable
from xml.etree import ElementTree as ET

from workbook import xmltext as xt

# The children of <styleSheet> in schema order.
STYLE_LISTS = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
               "tableStyles", "colors", "extLst")
FIRST_CUSTOM_NUMFMT = 164

def _canon(el: ET.Element) -> tuple:
    """A comparable form of an element: tag, sorted attributes, text, children in order."""
    return (el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip(), tuple(_canon(c) for c in el))


@dataclass
class StyleMerge:
    """The merged styles.xml text and how our xf/dxf indexes map into it."""

    text: str
    xf_map: dict[int, int]
    dxf_map: dict[int, int]
    appended: dict[str, int]


class _StyleMerger:
    """Maps xlsxwriter's style entries onto the master's, appending the missing ones."""

    def __init__(self, master: str, ours: str):
        self.master = master
        self.prefix = xt.root_prefix(master, "styleSheet")
        self.root = ET.fromstring(master.encode("utf-8"))
        self.ns = self.root.tag[1:].split("}")[0] if self.root.tag.startswith("{") else ""
        self.ours = ours
        self.added: dict[str, list[str]] = {}
        self._indexes: dict[str, dict[tuple, int]] = {}
        self._lists: dict[str, list[ET.Element]] = {}

    def _master_list(self, local: str) -> list[ET.Element]:
        """The entries of the master's list `local` (empty if the list is absent)."""
        if local not in self._lists:
            found = self.root.find(f"{{{self.ns}}}{local}" if self.ns else local)
            self._lists[local] = list(found) if found is not None else []
        return self._lists[local]

    def _our_fragments(self, local: str, child: str) -> list[str]:
        match = re.search(rf"<{local}\b[^>]*>(.*?)</{local}>", self.ours, re.S)
        return [m.group(0) for m in xt.elements(match.group(1), child)] if match else []

    def _parse(self, fragment: str) -> ET.Element:
        return ET.fromstring(f'<w xmlns="{self.ns}">{fragment}</w>'.encode("utf-8"))[0]

    def _index(self, local: str) -> dict[tuple, int]:
        """Canonical form -> first index, for the master's list `local` plus our pending entries."""
        if local not in self._indexes:
            index: dict[tuple, int] = {}
            for position, el in enumerate(self._master_list(local)):
                index.setdefault(_canon(el), position)
            self._indexes[local] = index
        return self._indexes[local]

    def _place(self, local: str, fragment: str) -> int:
        """Index of an entry equal to `fragment` in list `local`, appending it if missing."""
        index = self._index(local)
        key = _canon(self._parse(fragment))
        if key not in index:
            pending = self.added.setdefault(local, [])
            index[key] = len(self._master_list(local)) + len(pending)
            pending.append(fragment)
        return index[key]

    def dxfs(self) -> dict[int, int]:
        """Map our differential formats (conditional colours) to the master's."""
        return {i: self._place("dxfs", frag) for i, frag in enumerate(self._our_fragments("dxfs", "dxf"))}

    def num_formats(self) -> dict[int, int]:
        """Map our custom number format ids to the master's (same format code) or new ids."""
        master: dict[str, int] = {}
        for el in self._master_list("numFmts"):
            master.setdefault(el.get("formatCode", ""), int(el.get("numFmtId", "0")))
        next_id = max([FIRST_CUSTOM_NUMFMT - 1, *master.values()]) + 1
        mapping = {}
        for fragment in self._our_fragments("numFmts", "numFmt"):
            attrs = xt.attrs(fragment)
            code, our_id = attrs["formatCode"], int(attrs["numFmtId"])
            if code not in master:
                master[code] = next_id
                self.added.setdefault("numFmts", []).append(
                    f'<numFmt numFmtId="{next_id}" formatCode="{xt.quote(code)}"/>')
                next_id += 1
            mapping[our_id] = master[code]
        return mapping

    def cell_xfs(self, numfmts: dict[int, int]) -> dict[int, int]:
        """Map our cellXfs to the master's; xf 0 (the default) stays 0.

        Fonts, fills and borders are placed only when an xf we place uses them.
        """
        lists = {"fontId": ("fonts", "font"), "fillId": ("fills", "fill"), "borderId": ("borders", "border")}
        fragments = {attr: self._our_fragments(*names) for attr, names in lists.items()}
        memo: dict[tuple[str, int], int] = {}

        def mapped(attr: str, value: int) -> int:
            if attr == "numFmtId":
                return numfmts.get(value, value)
            if attr == "xfId":
                return 0
            if (attr, value) not in memo:
                memo[(attr, value)] = self._place(lists[attr][0], fragments[attr][value])
            return memo[(attr, value)]

        result = {0: 0}
        for index, fragment in enumerate(self._our_fragments("cellXfs", "xf")):
            if index:
                result[index] = self._place("cellXfs", _remap_xf(fragment, mapped))
        return result

    def merged(self) -> str:
        """The master text with every pending entry appended and counts updated."""
        text = self.master
        for local in STYLE_LISTS:
            if self.added.get(local):
                text = self._append(text, local)
        return text

    def _append(self, text: str, local: str) -> str:
        qname = xt.tag(self.prefix, local)
        body = "".join(xt.with_prefix(f, self.prefix) for f in self.added[local])
        total = len(self._master_list(local)) + len(self.added[local])
        result = xt.append_in(text, qname, body, total)
        if result is not None:
            return result
        later = STYLE_LISTS[STYLE_LISTS.index(local) + 1:]
        return xt.insert_before_first(text, self.prefix, later, "styleSheet", f'<{qname} count="{total}">{body}</{qname}>')


def _remap_xf(fragment: str, mapped: Callable[[str, int], int]) -> str:
    """An xf with its numFmt/font/fill/border/xfId attributes replaced by `mapped(attr, value)`."""
    def swap(match: re.Match) -> str:
        return f'{match.group(1)}="{mapped(match.group(1), int(match.group(2)))}"'

    return re.sub(r'\b(numFmtId|fontId|fillId|borderId|xfId)="(\d+)"', swap, fragment)


def merge_styles(master: str, ours: str) -> StyleMerge:
    """Merge xlsxwriter's styles into the master's styles.xml text, append-only."""
    merger = _StyleMerger(master, ours)
    xf_map = merger.cell_xfs(merger.num_formats())
    dxf_map = merger.dxfs()
    appended = {local: len(items) for local, items in merger.added.items()}
    return StyleMerge(merger.merged(), xf_map, dxf_map, appended)
