"""Put generated sheets into an existing .xlsx/.xlsm without losing anything staff typed.

openpyxl load-and-save drops shapes, pictures, x14 validations, custom XML and VML
drawings, so this module works on the zip package itself:

1. the models are rendered by `workbook.render_xlsx` into an in-memory xlsxwriter file;
2. its sheet parts (and their drawings and charts) are transplanted into a copy of the
   master: a generated sheet that already exists is replaced in place (same position,
   sheetId, r:id and part name), a new one is appended after all existing sheets;
3. every other part of the master is copied byte for byte, raw (still compressed).
   Only xl/workbook.xml, its .rels, [Content_Types].xml and xl/styles.xml are edited, by
   text surgery (insert before a closing tag, update a count), never re-serialised;
   styles.xml only grows at the end of its lists, and an entry equal to one already
   there is reused, so a second refresh with the same styles leaves it unchanged.

Generated sheets hold inline strings, so sharedStrings.xml is never touched. Each
generated sheet carries a fingerprint of the values we wrote in a hidden sheet-local
defined name, so a sheet edited by hand can be detected (`edited_sheets`).

Limits: Strict Open XML workbooks are refused (errors.WrongFileType). Slicers or timelines
living on a replaced generated sheet are not supported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import numbers
import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Collection, Iterable
from urllib.parse import unquote
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, unescape

from workbook import errors, layout, render_xlsx
from workbook.sheetmodel import SheetModel

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET_REL = REL_NS + "/worksheet"
STYLES_REL = REL_NS + "/styles"
FINGERPRINT_NAME = "_workbench_fp"
FINGERPRINT_VERSION = "v1"
# Sheet-local defined names that belong to a generated sheet and are rewritten with it.
OWN_NAMES = frozenset(n.casefold() for n in ("_xlnm.Print_Titles", "_xlnm._FilterDatabase", "_xlnm.Print_Area", FINGERPRINT_NAME))
# The children of <styleSheet> in schema order.
STYLE_LISTS = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
               "tableStyles", "colors", "extLst")
WORKBOOK_AFTER_NAMES = ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                        "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")
FIRST_CUSTOM_NUMFMT = 164
NEW_PART_TIME = (1980, 1, 1, 0, 0, 0)
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_DATA_DESCRIPTOR_FLAG = 0x08
_COPY_CHUNK = 1 << 20


@dataclass
class WriteSummary:
    """What a write did: sheets replaced in place, sheets appended, parts touched."""

    replaced: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed_parts: list[str] = field(default_factory=list)
    new_parts: list[str] = field(default_factory=list)
    dropped_calc_chain: bool = False


# --- small XML text helpers ---------------------------------------------------------------

_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_OPEN_TAG = re.compile(r"<(/?)(?![\w.-]+:)([A-Za-z_][\w.-]*)(?=[\s/>])")


def _attrs(tag_text: str) -> dict[str, str]:
    """Attributes of one start tag, unescaped (prefixes kept as written)."""
    return {m.group(1): unescape(m.group(2) if m.group(2) is not None else m.group(3), {"&quot;": '"', "&apos;": "'"})
            for m in _ATTR.finditer(tag_text)}


def _attr(value: str) -> str:
    """An attribute value escaped for double quotes."""
    return escape(value, {'"': "&quot;"})


def _root_prefix(text: str, local: str) -> str:
    """The namespace prefix of the root element `local` ("" for the default namespace)."""
    match = re.search(rf"<(?:([\w.-]+):)?{local}[\s>/]", text)
    return match.group(1) or "" if match else ""


def _with_prefix(fragment: str, prefix: str) -> str:
    """Put unprefixed elements of an xlsxwriter fragment in the master's main prefix."""
    if not prefix:
        return fragment
    return _OPEN_TAG.sub(lambda m: f"<{m.group(1)}{prefix}:{m.group(2)}", fragment)


def _root_start(text: str) -> str:
    """The start tag of the root element (after any declaration, comments or PIs)."""
    match = re.search(r"<(?![?!])[^>]*>", text)
    return match.group(0) if match else ""


def _ns_prefix(text: str, namespace: str) -> str | None:
    """The prefix the root element binds to `namespace` ("" = default), or None."""
    for match in re.finditer(r'xmlns(?::([\w.-]+))?\s*=\s*"([^"]*)"', _root_start(text)):
        if match.group(2) == namespace:
            return match.group(1) or ""
    return None


def _tag(prefix: str, local: str) -> str:
    return f"{prefix}:{local}" if prefix else local


def _elements(text: str, qname: str) -> Iterable[re.Match]:
    """Every element `qname` (self-closing or with content) of a text, in order."""
    pattern = rf"<{re.escape(qname)}\b([^>]*?)(?:/>|>(.*?)</{re.escape(qname)}\s*>)"
    return re.finditer(pattern, text, re.S)


def _append_in(text: str, qname: str, body: str, count: int | None = None) -> str | None:
    """Insert `body` before the closing tag of the first element `qname`; None if absent.

    A self-closing element is opened up; a `count` attribute is set to `count` when given.
    """
    match = re.search(rf"<{re.escape(qname)}\b([^>]*?)(/?)>", text)
    if match is None:
        return None
    attrs = match.group(1)
    if count is not None and re.search(r'\scount="\d*"', attrs):
        attrs = re.sub(r'(\scount=")\d*(")', rf"\g<1>{count}\2", attrs)
    opening = f"<{qname}{attrs}>"
    if match.group(2):
        return text[: match.start()] + opening + body + f"</{qname}>" + text[match.end():]
    close = text.index(f"</{qname}>", match.end())
    return text[: match.start()] + opening + text[match.end(): close] + body + text[close:]


def _insert_before_first(text: str, prefix: str, followers: Iterable[str], root: str, fragment: str) -> str:
    """Insert `fragment` before the first of `followers` present, else before the root's end."""
    positions = [m.start() for local in followers
                 if (m := re.search(rf"<{re.escape(_tag(prefix, local))}[\s/>]", text))]
    where = min(positions) if positions else text.rindex(f"</{_tag(prefix, root)}>")
    return text[:where] + fragment + text[where:]


def _decode(data: bytes) -> tuple[str, bool]:
    """XML bytes as text, and whether they started with a UTF-8 byte order mark."""
    bom = data.startswith(b"\xef\xbb\xbf")
    return data.decode("utf-8-sig"), bom


def _encode(text: str, bom: bool) -> bytes:
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


# --- package structure: relationships and content types ------------------------------------

@dataclass(frozen=True)
class Rel:
    """One relationship; `target` is the resolved part name (zip name) when internal."""

    id: str
    type: str
    target: str
    external: bool


def rels_name(part: str) -> str:
    """The relationships part of `part` ("" is the package itself)."""
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def _rels_source(name: str) -> str | None:
    """The part a .rels part describes, or None if `name` is not a relationships part."""
    folder, base = posixpath.split(name)
    if posixpath.basename(folder) != "_rels" or not base.endswith(".rels"):
        return None
    return posixpath.join(posixpath.dirname(folder), base[: -len(".rels")])


def _resolve(source: str, target: str) -> str:
    """The part name a relationship target of `source` points at."""
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _parse_rels(data: bytes, source: str) -> list[Rel]:
    root = ET.fromstring(data)
    rels = []
    for el in root:
        if not el.tag.endswith("Relationship"):
            continue
        external = el.get("TargetMode", "Internal") == "External"
        target = el.get("Target", "")
        rels.append(Rel(el.get("Id", ""), el.get("Type", ""), target if external else _resolve(source, target), external))
    return rels


class _Package:
    """Read access to a zip package: parts by case-insensitive name, relationships."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zip = zf
        self.infos = {info.filename: info for info in zf.infolist()}
        self._lower = {name.lower(): name for name in self.infos}
        self._rels: dict[str, list[Rel]] = {}

    def actual(self, name: str) -> str | None:
        """The zip name of part `name` (part names are case-insensitive), or None."""
        return self._lower.get(name.lower())

    def read(self, name: str) -> bytes:
        return self.zip.read(name)

    def rels(self, part: str) -> list[Rel]:
        """Relationships of `part`, internal targets mapped to zip names where they exist."""
        if part not in self._rels:
            name = self.actual(rels_name(part))
            found = _parse_rels(self.read(name), part) if name else []
            self._rels[part] = [Rel(r.id, r.type, r.target if r.external else (self.actual(r.target) or r.target), r.external)
                                for r in found]
        return self._rels[part]

    def graph(self) -> dict[str, set[str]]:
        """Every part that has relationships, and the internal parts it refers to."""
        result = {}
        for name in self.infos:
            source = _rels_source(name)
            if source is not None:
                source = self.actual(source) or source
                result[source] = {r.target for r in self.rels(source) if not r.external}
        return result

    def main_part(self) -> str:
        """The workbook part, found through the package relationships."""
        for rel in self.rels(""):
            if rel.type.endswith("/officeDocument") and not rel.external and rel.target in self.infos:
                return rel.target
        raise errors.CorruptWorkbook(getattr(self.zip, "filename", ""), "找不到工作簿的主体部分", "no workbook part")


@dataclass
class _ContentTypes:
    """Defaults by extension and overrides by part name (lower-case keys, no leading /)."""

    defaults: dict[str, str]
    overrides: dict[str, str]

    @classmethod
    def parse(cls, data: bytes) -> "_ContentTypes":
        root = ET.fromstring(data)
        defaults, overrides = {}, {}
        for el in root:
            if el.tag.endswith("Default"):
                defaults[el.get("Extension", "").lower()] = el.get("ContentType", "")
            elif el.tag.endswith("Override"):
                overrides[el.get("PartName", "").lstrip("/").lower()] = el.get("ContentType", "")
        return cls(defaults, overrides)

    def of(self, part: str) -> str | None:
        ext = posixpath.splitext(part)[1].lstrip(".").lower()
        return self.overrides.get(part.lower()) or self.defaults.get(ext)


# --- rendering the models ------------------------------------------------------------------

@dataclass
class _Rendered:
    """The in-memory xlsxwriter package of the models."""

    pkg: _Package
    sheets: dict[str, str]  # sheet name -> part
    shared: list[str]  # inner XML of each <si>
    styles: str
    names: list[tuple[int, str]]  # (localSheetId, <definedName> element text)
    types: _ContentTypes
    fingerprints: dict[str, str] = field(default_factory=dict)  # sheet name -> fingerprint of its values


def _render(models: list[SheetModel], fingerprints: dict[str, str] | None = None) -> _Rendered:
    """Render the models into an in-memory xlsxwriter file and index its parts."""
    buffer = io.BytesIO()
    book = render_xlsx.new_workbook(buffer)
    for model in models:
        render_xlsx.add_sheet(book, model)
    book.close()
    pkg = _Package(zipfile.ZipFile(io.BytesIO(buffer.getvalue())))
    workbook_text = pkg.read("xl/workbook.xml").decode("utf-8")
    by_rid = {r.id: r.target for r in pkg.rels("xl/workbook.xml")}
    sheets = {_attrs(m.group(1))["name"]: by_rid[_attrs(m.group(1))["r:id"]] for m in _elements(workbook_text, "sheet")}
    names = [(int(_attrs(m.group(1)).get("localSheetId", "-1")), m.group(0)) for m in _elements(workbook_text, "definedName")]
    shared_text = pkg.read("xl/sharedStrings.xml").decode("utf-8") if pkg.actual("xl/sharedStrings.xml") else ""
    shared = [m.group(2) or "" for m in _elements(shared_text, "si")]
    styles = pkg.read("xl/styles.xml").decode("utf-8")
    prints = {m.name: (fingerprints or {}).get(m.name) or fingerprint_model(m) for m in models}
    return _Rendered(pkg, sheets, shared, styles, names, _ContentTypes.parse(pkg.read("[Content_Types].xml")), prints)


# --- styles: append-only merge -----------------------------------------------------------

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
        self.prefix = _root_prefix(master, "styleSheet")
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
        return [m.group(0) for m in _elements(match.group(1), child)] if match else []

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
            attrs = _attrs(fragment)
            code, our_id = attrs["formatCode"], int(attrs["numFmtId"])
            if code not in master:
                master[code] = next_id
                self.added.setdefault("numFmts", []).append(
                    f'<numFmt numFmtId="{next_id}" formatCode="{_attr(code)}"/>')
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
        qname = _tag(self.prefix, local)
        body = "".join(_with_prefix(f, self.prefix) for f in self.added[local])
        total = len(self._master_list(local)) + len(self.added[local])
        result = _append_in(text, qname, body, total)
        if result is not None:
            return result
        later = STYLE_LISTS[STYLE_LISTS.index(local) + 1:]
        return _insert_before_first(text, self.prefix, later, "styleSheet", f'<{qname} count="{total}">{body}</{qname}>')


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


# --- the transplanted sheet --------------------------------------------------------------

_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?(/>|>(.*?)</c>)', re.S)


def transplant_sheet_xml(text: str, shared: list[str], merge: StyleMerge) -> str:
    """Our sheet XML made fit for the master: inline strings, master style indexes.

    Also drops tabSelected, so the master does not open with two sheets grouped.
    """
    def cell(match: re.Match) -> str:
        ref, style, kind, tail, inner = match.groups()
        new_style = merge.xf_map[int(style)] if style else 0
        s_attr = f' s="{new_style}"' if new_style else ""
        if kind == "s":
            index = int(re.fullmatch(r"<v>(\d+)</v>", inner).group(1))
            return f'<c r="{ref}"{s_attr} t="inlineStr"><is>{shared[index]}</is></c>'
        t_attr = f' t="{kind}"' if kind else ""
        return f'<c r="{ref}"{s_attr}{t_attr}{tail}'

    text = _CELL.sub(cell, text)
    text = _remap_attribute(text, "row", "s", merge.xf_map)
    text = _remap_attribute(text, "col", "style", merge.xf_map)
    text = _remap_attribute(text, "cfRule", "dxfId", merge.dxf_map)
    return re.sub(r'(<sheetView\b[^>]*?)\stabSelected="1"', r"\1", text, count=1)


def _remap_attribute(text: str, element: str, attribute: str, mapping: dict[int, int]) -> str:
    """Replace the index in `attribute` of every `element` through `mapping`."""
    pattern = rf'(<{element}\b[^>]*?\s{attribute}=")(\d+)(")'
    return re.sub(pattern, lambda m: f"{m.group(1)}{mapping[int(m.group(2))]}{m.group(3)}", text)


def keep_code_name(new: str, old: str) -> str:
    """Give our sheet the VBA code name of the sheet it replaces, if that had one.

    In an .xlsm the VBA project has a document module per sheet, bound by this name.
    """
    found = re.search(r'<(?:[\w.-]+:)?sheetPr\b[^>]*?\scodeName="([^"]*)"', old[:5000])
    if not found or "codeName=" in new[:5000]:
        return new
    attribute = f' codeName="{found.group(1)}"'
    if re.search(r"<sheetPr\b", new):
        return re.sub(r"<sheetPr\b", "<sheetPr" + attribute, new, count=1)
    root = re.search(r"<worksheet\b[^>]*>", new)
    return new[: root.end()] + f"<sheetPr{attribute}/>" + new[root.end():]


# --- fingerprints --------------------------------------------------------------------------

def normalise_value(value: Any) -> str | None:
    """The form of one cell value that a fingerprint hashes; None for an empty cell.

    - None, "" and text of only spaces are empty and ignored;
    - text is stripped: "s:" + text;
    - booleans: "b:TRUE" / "b:FALSE";
    - numbers (int or float): "n:" + repr(float(f"{x:.16G}")), the form xlsxwriter writes,
      so 1 and 1.0 agree and 0.1+0.2 agrees with the 0.3 read back;
    - dates: "d:" + ISO date; a datetime at midnight is a date, other datetimes are
      rounded to the second ("d:2026-03-05T13:30:00");
    - anything else (times, errors read back): "o:" + str(value).
    A date written with a non-date number format reads back as a number and will differ.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return "s:" + text if text else None
    if isinstance(value, bool):
        return "b:TRUE" if value else "b:FALSE"
    if isinstance(value, numbers.Real):
        return "n:" + repr(float(f"{float(value):.16G}"))
    if isinstance(value, dt.datetime):
        rounded = (value.replace(tzinfo=None) + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
        return "d:" + (rounded.date().isoformat() if rounded.time() == dt.time() else rounded.isoformat())
    if isinstance(value, dt.date):
        return "d:" + value.isoformat()
    return "o:" + str(value)


def fingerprint_cells(cells: Iterable[tuple[int, int, Any]]) -> str:
    """A fingerprint of (row, col, value) triples: sha-256 of the sorted normalised cells.

    See `normalise_value` for how values are normalised; empty cells are ignored, so a
    reader's dense grid and our sparse model give the same fingerprint.
    """
    lines = sorted(f"{row}\t{col}\t{norm}" for row, col, value in cells if (norm := normalise_value(value)) is not None)
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    return f"{FINGERPRINT_VERSION}:{digest}"


def fingerprint_model(model: SheetModel) -> str:
    """The fingerprint of the values a model writes (links count as their text)."""
    return fingerprint_cells((r, c, render_xlsx.written_value(cell)) for (r, c), cell in model.cells.items())


def fingerprint_rows(rows: list[list[Any]]) -> str:
    """The fingerprint of a dense grid starting at A1, as python-calamine's
    `to_python(skip_empty_area=False)` returns it."""
    return fingerprint_cells((r, c, value) for r, row in enumerate(rows) for c, value in enumerate(row))


def read_owned_fingerprints(path: str | Path) -> dict[str, str]:
    """Sheet name -> fingerprint stored when we last wrote that sheet."""
    with _open_zip(path) as zf:
        pkg = _Package(zf)
        root = ET.fromstring(pkg.read(pkg.main_part()))
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    q = (lambda local: f"{{{ns}}}{local}") if ns else (lambda local: local)
    sheets = [el.get("name", "") for el in root.iter(q("sheet"))]
    stored = {}
    for el in root.iter(q("definedName")):
        local = el.get("localSheetId")
        if (el.get("name", "").casefold() == FINGERPRINT_NAME and local is not None
                and local.isdigit() and int(local) < len(sheets)):
            stored[sheets[int(local)]] = (el.text or "").strip().strip('"')
    return stored


def read_sheet_rows(path: str | Path, names: Iterable[str]) -> dict[str, list[list[Any]]]:
    """Dense grids (from A1) of some sheets, read with python-calamine; missing sheets skipped."""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        present = set(book.sheet_names)
        return {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in names if n in present}
    finally:
        book.close()


def edited_sheets(path: str | Path, values_by_sheet: dict[str, list[list[Any]]] | None = None) -> list[str]:
    """Generated sheets whose values no longer match the fingerprint we stored.

    `values_by_sheet` maps a sheet name to its dense grid from A1 (python-calamine
    `to_python(skip_empty_area=False)`); sheets not given are read from `path`. Values are
    compared after `normalise_value`: formatting, widths or colours do not count, a
    changed, added or cleared value does. Sheets without a stored fingerprint are not
    reported.
    """
    stored = read_owned_fingerprints(path)
    values = dict(values_by_sheet or {})
    missing = [name for name in stored if name not in values]
    if missing:
        values.update(read_sheet_rows(path, missing))
    return [name for name, fp in stored.items() if name in values and fingerprint_rows(values[name]) != fp]


def verify_written(path: str | Path, models: list[SheetModel], fingerprints: dict[str, str] | None = None) -> None:
    """Re-open a written file and check each model's sheet reads back with its values.

    `fingerprints` (sheet name -> fingerprint_model) saves computing them again. Raises
    errors.WriteFailed naming the first sheet that does not read back.
    """
    try:
        rows = read_sheet_rows(path, [m.name for m in models])
        stored = read_owned_fingerprints(path)
    except Exception as exc:  # any failure to read the new file is a failed check
        raise errors.WriteFailed(path, "新文件无法读回", errors.technical(exc)) from exc
    for model in models:
        expected = (fingerprints or {}).get(model.name) or fingerprint_model(model)
        if model.name not in rows or fingerprint_rows(rows[model.name]) != expected or stored.get(model.name) != expected:
            raise errors.WriteFailed(path, f"新文件中的“{model.name}”读回与写入的不一致", f"sheet {model.name!r} differs")


# --- the write -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Sheet:
    """One sheet of the master's workbook.xml."""

    name: str
    sheet_id: int
    rid: str
    part: str | None
    rel_type: str


@dataclass
class _Plan:
    """Everything decided before writing: new contents by part name, parts removed."""

    new_parts: dict[str, bytes] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    summary: WriteSummary = field(default_factory=WriteSummary)


class _Writer:
    """Plans the transplant of rendered sheets into one master package."""

    def __init__(self, path: Path, pkg: _Package, rendered: _Rendered, owned: set[str]):
        self.path, self.pkg, self.rendered = path, pkg, rendered
        self.owned = {name.casefold() for name in owned}
        self.plan = _Plan()
        self.wb_part = pkg.main_part()
        self.wb_text, self.wb_bom = _decode(pkg.read(self.wb_part))
        self._check_namespace()
        self.wb_rels_part = pkg.actual(rels_name(self.wb_part))
        self.rels_text, self.rels_bom = _decode(pkg.read(self.wb_rels_part))
        self.ct_text, self.ct_bom = _decode(pkg.read("[Content_Types].xml"))
        self.types = _ContentTypes.parse(pkg.read("[Content_Types].xml"))
        self.sheets = self._sheets()
        self.allocated: set[str] = set()

    def _check_namespace(self) -> None:
        """Refuse Strict Open XML; note the prefixes of the main and relationship namespaces."""
        if _ns_prefix(self.wb_text, STRICT_NS) is not None:
            raise errors.WrongFileType(self.path, "Strict Open XML 格式的工作簿")
        self.prefix = _root_prefix(self.wb_text, "workbook")
        self.r_prefix = _ns_prefix(self.wb_text, REL_NS)

    def _sheets(self) -> list[_Sheet]:
        rels = {r.id: r for r in self.pkg.rels(self.wb_part)}
        result = []
        for match in _elements(self.wb_text, _tag(self.prefix, "sheet")):
            attrs = _attrs(match.group(1))
            rid = next((v for k, v in attrs.items() if k.endswith(":id") or k == "id"), "")
            rel = rels.get(rid)
            part = rel.target if rel and rel.target in self.pkg.infos else None
            result.append(_Sheet(attrs.get("name", ""), int(attrs.get("sheetId", "0")), rid, part, rel.type if rel else ""))
        return result

    # -- planning ------------------------------------------------------------------------

    def run(self, models: list[SheetModel]) -> _Plan:
        merge = self._merge_styles()
        by_name = {s.name.casefold(): (i, s) for i, s in enumerate(self.sheets)}
        replaced = [by_name[m.name.casefold()] for m in models if m.name.casefold() in by_name]
        self._check_replaceable([s for _, s in replaced])
        self._remove_old([s for _, s in replaced])
        names: list[str] = []
        for model in models:
            if model.name.casefold() in by_name:
                index, sheet = by_name[model.name.casefold()]
                self._transplant(model, merge, sheet.part)
                self.plan.summary.replaced.append(sheet.name)
            else:
                index = len(self.sheets) + len(self.plan.summary.added)
                self._append_sheet(model, merge)
                self.plan.summary.added.append(model.name)
            names.extend(self._names_for(model, index))
        self._rewrite_defined_names({i for i, _ in replaced}, names)
        self._finish_shared_parts()
        return self.plan

    def _check_replaceable(self, sheets: list[_Sheet]) -> None:
        """Only generated worksheets may be replaced; an input sheet never, whatever `owned` says."""
        inputs = {name.casefold() for name in layout.INPUT_SHEET_NAMES}
        for sheet in sheets:
            if sheet.name.casefold() not in self.owned or sheet.name.casefold() in inputs:
                raise ValueError(f"refusing to overwrite sheet {sheet.name!r}: it is not a generated sheet")
            if sheet.rel_type != WORKSHEET_REL or sheet.part is None:
                raise ValueError(f"sheet {sheet.name!r} is not a worksheet part; cannot replace it")

    def _merge_styles(self) -> StyleMerge:
        styles = next((r.target for r in self.pkg.rels(self.wb_part) if r.type.endswith("/styles")), None)
        if styles is None or styles not in self.pkg.infos:
            return self._add_styles_part()
        text, bom = _decode(self.pkg.read(styles))
        merge = merge_styles(text, self.rendered.styles)
        if merge.text != text:
            self.plan.new_parts[styles] = _encode(merge.text, bom)
        return merge

    def _add_styles_part(self) -> StyleMerge:
        """A master without styles (some generators omit it) gets ours as they are."""
        ours = self.rendered.styles
        name = self._free_name(posixpath.join(posixpath.dirname(self.wb_part), "styles.xml"))
        self._put(name, ours.encode("utf-8"), "xl/styles.xml")
        self._add_relationship(STYLES_REL, name)
        count = len(re.findall(r"<xf\b", ours.split("<cellXfs", 1)[1].split("</cellXfs>", 1)[0]))
        dxfs = len(list(_elements(ours, "dxf")))
        return StyleMerge(ours, {i: i for i in range(count)}, {i: i for i in range(dxfs)}, {})

    def _remove_old(self, sheets: list[_Sheet]) -> None:
        """Drop parts only the replaced sheets used; drop calcChain if they had formulas."""
        roots = {s.part for s in sheets}
        graph = self.pkg.graph()
        dropped = _orphans(graph, roots)
        for part in dropped | roots:
            rels = self.pkg.actual(rels_name(part))
            if rels:
                self.plan.removed.add(rels)
        self.plan.removed |= {p for p in dropped if p in self.pkg.infos}
        if any(re.search(rb"<(?:[\w.-]+:)?f[\s>/]", self.pkg.read(p)) for p in roots):
            self._drop_calc_chain()

    def _drop_calc_chain(self) -> None:
        """Remove calcChain (Excel rebuilds it): it may point at formulas we overwrite."""
        for rel in self.pkg.rels(self.wb_part):
            if rel.type.endswith("/calcChain"):
                self.plan.removed.add(rel.target)
                self.rels_text = _remove_relationship(self.rels_text, rel.id)
                self.plan.summary.dropped_calc_chain = True

    def _free_name(self, template: str) -> str:
        """A part name like `template` (folder/stemN.ext) not used by any kept or new part."""
        folder, base = posixpath.split(template)
        stem, ext = re.fullmatch(r"(.*?)(?:\d*)(\.[^.]*)?", base).groups()
        ext = ext or ""
        taken = {n.lower() for n in self.pkg.infos if n not in self.plan.removed} | self.allocated
        number = 1
        while f"{folder}/{stem}{number}{ext}".lower() in taken:
            number += 1
        name = f"{folder}/{stem}{number}{ext}"
        self.allocated.add(name.lower())
        return name

    def _transplant(self, model: SheetModel, merge: StyleMerge, part: str | None) -> str:
        """Copy our sheet and the parts it refers to into the plan; return its part name."""
        source = self.rendered.sheets[model.name]
        target = part or self._free_name(posixpath.join(posixpath.dirname(self.wb_part), "worksheets/sheet1.xml"))
        if part:
            self.allocated.add(part.lower())
        names = {source: target}
        for child in _reachable(self.rendered.pkg, source):
            names[child] = self._free_name(child)
        text = transplant_sheet_xml(self.rendered.pkg.read(source).decode("utf-8"), self.rendered.shared, merge)
        if part:
            text = keep_code_name(text, self.pkg.read(part).decode("utf-8", "replace"))
        self._put(target, text.encode("utf-8"), source)
        for old, new in names.items():
            if old != source:
                self._put(new, self.rendered.pkg.read(old), old)
            self._copy_rels(old, new, names)
        return target

    def _put(self, name: str, data: bytes, rendered_name: str) -> None:
        self.plan.new_parts[name] = data
        self.plan.summary.new_parts.append(name)
        self._set_content_type(name, self.rendered.types.of(rendered_name))

    def _copy_rels(self, old: str, new: str, names: dict[str, str]) -> None:
        """Our relationships of `old`, targets renamed, as the relationships of `new`."""
        rels_part = self.rendered.pkg.actual(rels_name(old))
        if not rels_part:
            return
        text = self.rendered.pkg.read(rels_part).decode("utf-8")

        def retarget(match: re.Match) -> str:
            tag = match.group(0)
            attrs = _attrs(tag)
            if attrs.get("TargetMode") == "External":
                return tag
            moved = names[_resolve(old, attrs["Target"])]
            relative = posixpath.relpath(moved, posixpath.dirname(new))
            return re.sub(r'Target="[^"]*"', f'Target="{_attr(relative)}"', tag)

        text = re.sub(r"<Relationship\b[^>]*>", retarget, text)
        self.plan.new_parts[rels_name(new)] = text.encode("utf-8")
        self.plan.summary.new_parts.append(rels_name(new))

    def _append_sheet(self, model: SheetModel, merge: StyleMerge) -> None:
        """Add a new sheet after all existing ones: workbook.xml entry and relationship."""
        part = self._transplant(model, merge, None)
        rid = self._add_relationship(WORKSHEET_REL, part)
        sheet_id = max([0, *(s.sheet_id for s in self.sheets)]) + len(self.plan.summary.added) + 1
        self.wb_text = _append_in(self.wb_text, _tag(self.prefix, "sheets"), self._sheet_element(model.name, sheet_id, rid))

    def _add_relationship(self, rel_type: str, part: str) -> str:
        """Add a workbook relationship to `part`; return its new Id."""
        rid = _free_rel_id(self.rels_text)
        relative = posixpath.relpath(part, posixpath.dirname(self.wb_part))
        rel = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{_attr(relative)}"/>'
        prefix = _root_prefix(self.rels_text, "Relationships")
        self.rels_text = _append_in(self.rels_text, _tag(prefix, "Relationships"), _with_prefix(rel, prefix))
        return rid

    def _sheet_element(self, name: str, sheet_id: int, rid: str) -> str:
        if self.r_prefix:
            return f'<{_tag(self.prefix, "sheet")} name="{_attr(name)}" sheetId="{sheet_id}" {self.r_prefix}:id="{rid}"/>'
        return f'<{_tag(self.prefix, "sheet")} xmlns:wbr="{REL_NS}" name="{_attr(name)}" sheetId="{sheet_id}" wbr:id="{rid}"/>'

    def _names_for(self, model: SheetModel, index: int) -> list[str]:
        """Our defined names of one sheet (print titles, filter, fingerprint) at `index`."""
        position = list(self.rendered.sheets).index(model.name)
        result = [re.sub(r'localSheetId="\d+"', f'localSheetId="{index}"', text)
                  for local, text in self.rendered.names if local == position]
        fingerprint = self.rendered.fingerprints[model.name]
        result.append(f'<definedName name="{FINGERPRINT_NAME}" localSheetId="{index}" hidden="1">"{fingerprint}"</definedName>')
        return [_with_prefix(text, self.prefix) for text in result]

    def _rewrite_defined_names(self, indexes: set[int], names: list[str]) -> None:
        """Remove our old sheet-local names of replaced sheets; add the new ones."""
        qname = _tag(self.prefix, "definedName")

        def keep(match: re.Match) -> str:
            attrs = _attrs(match.group(1))
            ours = attrs.get("name", "").casefold() in OWN_NAMES
            local = attrs.get("localSheetId", "")
            return "" if ours and local.isdigit() and int(local) in indexes else match.group(0)

        pattern = rf"<{re.escape(qname)}\b([^>]*?)(?:/>|>(.*?)</{re.escape(qname)}\s*>)"
        self.wb_text = re.sub(pattern, keep, self.wb_text, flags=re.S)
        body = "".join(names)
        container = _tag(self.prefix, "definedNames")
        appended = _append_in(self.wb_text, container, body)
        self.wb_text = appended if appended is not None else _insert_before_first(
            self.wb_text, self.prefix, WORKBOOK_AFTER_NAMES, "workbook", f"<{container}>{body}</{container}>")

    def _set_content_type(self, name: str, wanted: str | None) -> None:
        """Make [Content_Types].xml give `name` the type `wanted` (None: the part is gone)."""
        key = name.lower()
        current = self.types.overrides.get(key)
        default = self.types.defaults.get(posixpath.splitext(key)[1].lstrip("."))
        needs_override = wanted is not None and default != wanted
        if current is not None and (not needs_override or current != wanted):
            self.ct_text = _remove_override(self.ct_text, name)
            del self.types.overrides[key]
        if needs_override and self.types.overrides.get(key) != wanted:
            prefix = _root_prefix(self.ct_text, "Types")
            element = f'<Override PartName="/{_attr(name)}" ContentType="{_attr(wanted)}"/>'
            self.ct_text = _append_in(self.ct_text, _tag(prefix, "Types"), _with_prefix(element, prefix))
            self.types.overrides[key] = wanted

    def _finish_shared_parts(self) -> None:
        """Forget removed parts in [Content_Types].xml; store the edited shared parts."""
        self.plan.removed -= set(self.plan.new_parts)
        for name in sorted(self.plan.removed):
            self._set_content_type(name, None)
        self.plan.summary.removed_parts = sorted(self.plan.removed)
        self.plan.new_parts[self.wb_part] = _encode(self.wb_text, self.wb_bom)
        self.plan.new_parts[self.wb_rels_part] = _encode(self.rels_text, self.rels_bom)
        self.plan.new_parts["[Content_Types].xml"] = _encode(self.ct_text, self.ct_bom)


def _orphans(graph: dict[str, set[str]], roots: set[str]) -> set[str]:
    """Parts reachable from `roots` that no part outside them refers to."""
    reach: set[str] = set()
    stack = list(roots)
    while stack:
        for target in graph.get(stack.pop(), ()):
            if target not in reach and target not in roots:
                reach.add(target)
                stack.append(target)
    dropped = set(reach)
    changed = True
    while changed:
        keepers = {t for source, targets in graph.items() if source not in dropped and source not in roots for t in targets}
        changed = bool(dropped & keepers)
        dropped -= keepers
    return dropped


def _reachable(pkg: _Package, part: str) -> list[str]:
    """Internal parts reachable from `part` through relationships, in a stable order."""
    seen: list[str] = []
    stack = [part]
    while stack:
        for rel in sorted(pkg.rels(stack.pop()), key=lambda r: r.id):
            if not rel.external and rel.target != part and rel.target not in seen and rel.target in pkg.infos:
                seen.append(rel.target)
                stack.append(rel.target)
    return seen


def _free_rel_id(rels_text: str) -> str:
    used = set(re.findall(r'\bId="([^"]*)"', rels_text))
    number = len(used) + 1
    while f"rId{number}" in used:
        number += 1
    return f"rId{number}"


def _remove_relationship(text: str, rid: str) -> str:
    def drop(match: re.Match) -> str:
        return "" if _attrs(match.group(0)).get("Id") == rid else match.group(0)

    return re.sub(r"<(?:[\w.-]+:)?Relationship\b[^>]*?(?:/>|>\s*</(?:[\w.-]+:)?Relationship>)", drop, text)


def _remove_override(text: str, name: str) -> str:
    def drop(match: re.Match) -> str:
        part = _attrs(match.group(0)).get("PartName", "").lstrip("/")
        return "" if part.lower() == name.lower() else match.group(0)

    return re.sub(r"<(?:[\w.-]+:)?Override\b[^>]*?(?:/>|>\s*</(?:[\w.-]+:)?Override>)", drop, text)


# --- zip output ----------------------------------------------------------------------------

def _open_zip(path: str | Path) -> zipfile.ZipFile:
    """Open a package, turning "not a zip" into errors.CorruptWorkbook."""
    path = Path(path)
    if not path.exists():
        raise errors.NoSuchFile(path)
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise errors.CorruptWorkbook(path, "文件结构已损坏或不完整", errors.technical(exc)) from exc


def _copy_raw(raw: Any, info: zipfile.ZipInfo, out: zipfile.ZipFile) -> None:
    """Copy one member's compressed bytes unchanged into `out` (no recompression).

    Uses ZipFile's own bookkeeping (fp, filelist, start_dir): stable since Python 3.6.
    """
    raw.seek(info.header_offset)
    fields = _LOCAL_HEADER.unpack(raw.read(_LOCAL_HEADER.size))
    if fields[0] != zipfile.stringFileHeader:
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    raw.seek(fields[10] + fields[11], 1)
    clone = zipfile.ZipInfo(info.filename, info.date_time)
    clone.compress_type, clone.CRC = info.compress_type, info.CRC
    clone.compress_size, clone.file_size = info.compress_size, info.file_size
    clone.external_attr, clone.create_system = info.external_attr, info.create_system
    clone.flag_bits = info.flag_bits & ~_DATA_DESCRIPTOR_FLAG
    clone.header_offset = out.fp.tell()
    zip64 = clone.file_size > zipfile.ZIP64_LIMIT or clone.compress_size > zipfile.ZIP64_LIMIT
    out.fp.write(clone.FileHeader(zip64))
    remaining = info.compress_size
    while remaining:
        chunk = raw.read(min(_COPY_CHUNK, remaining))
        if not chunk:
            raise zipfile.BadZipFile(f"truncated member {info.filename}")
        out.fp.write(chunk)
        remaining -= len(chunk)
    out.filelist.append(clone)
    out.NameToInfo[clone.filename] = clone
    out.start_dir = out.fp.tell()
    out._didModify = True


def _write_member(out: zipfile.ZipFile, name: str, data: bytes, like: zipfile.ZipInfo | None) -> None:
    """Write new content for a part, compressed like the member it replaces (or deflated)."""
    info = zipfile.ZipInfo(name, like.date_time if like else NEW_PART_TIME)
    method = like.compress_type if like else zipfile.ZIP_DEFLATED
    info.compress_type = method if method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) else zipfile.ZIP_DEFLATED
    info.external_attr = like.external_attr if like else 0o600 << 16
    out.writestr(info, data)


def _write_zip(src_path: Path, pkg: _Package, dst_path: Path, plan: _Plan) -> None:
    """The master's members in their order (raw-copied unless changed), then new parts."""
    pending = dict(plan.new_parts)
    with open(src_path, "rb") as raw, zipfile.ZipFile(dst_path, "w") as out:
        for info in pkg.zip.infolist():
            if info.filename in pending:
                _write_member(out, info.filename, pending.pop(info.filename), info)
            elif info.filename not in plan.removed:
                _copy_raw(raw, info, out)
        for name, data in pending.items():
            _write_member(out, name, data, None)


def write_sheets(src_path: str | Path, dst_path: str | Path, models: list[SheetModel], owned: set[str],
                 fingerprints: dict[str, str] | None = None) -> WriteSummary:
    """Write `models` into a copy of the package at `src_path`, saved as `dst_path`.

    A model whose sheet exists is replaced in place and must be named in `owned`
    (ValueError otherwise: input sheets are never overwritten); others are appended.
    Every part not listed in the module docstring stays byte-identical.
    """
    src, dst = Path(src_path), Path(dst_path)
    if len({m.name.casefold() for m in models}) != len(models):
        raise ValueError("two models with the same sheet name")
    if dst.resolve() == src.resolve():
        raise ValueError("write_sheets needs a new file as destination, not the source itself")
    with _open_zip(src) as zf:
        pkg = _Package(zf)
        plan = _plan(src, pkg, models, owned, fingerprints)
        try:
            _write_zip(src, pkg, dst, plan)
        except BaseException:
            dst.unlink(missing_ok=True)
            raise
    return plan.summary


def copy_package(src_path: str | Path, dst_path: str | Path, new_parts: dict[str, bytes]) -> None:
    """Copy the package at `src_path` to `dst_path`: every member raw, in its order, except
    the existing parts named in `new_parts`, which get that content.

    For writers that edit one part by text surgery (workbook.append). A name that is not a
    part of the package is a ValueError: this never adds or removes parts.
    """
    src, dst = Path(src_path), Path(dst_path)
    with _open_zip(src) as zf:
        pkg = _Package(zf)
        unknown = sorted(set(new_parts) - set(pkg.infos))
        if unknown:
            raise ValueError(f"copy_package only replaces existing parts; not in the package: {unknown}")
        try:
            _write_zip(src, pkg, dst, _Plan(new_parts=dict(new_parts)))
        except BaseException:
            dst.unlink(missing_ok=True)
            raise


def _plan(src: Path, pkg: _Package, models: list[SheetModel], owned: set[str],
          fingerprints: dict[str, str] | None = None) -> _Plan:
    """Decide every part of the new package; unreadable XML in the master is CorruptWorkbook."""
    if not models:
        return _Plan()
    rendered = _render(models, fingerprints)
    try:
        return _Writer(src, pkg, rendered, owned).run(models)
    except (ET.ParseError, UnicodeDecodeError) as exc:
        raise errors.CorruptWorkbook(src, "其中的内容无法解析", errors.technical(exc)) from exc


def refresh_master(path: str | Path, models: list[SheetModel], owned: set[str], keep: int = 20,
                   now: dt.datetime | Callable[[], dt.datetime] | None = None):
    """Safely write generated sheets into the master itself: backup, write, verify, replace.

    Returns `safety.SafeWrite`: the backup taken, and the `WriteSummary` as its result.
    """
    from workbook import safety

    fingerprints = {model.name: fingerprint_model(model) for model in models}

    def write(new_path: Path) -> WriteSummary:
        return write_sheets(path, new_path, models, owned, fingerprints)

    def verify(new_path: Path) -> None:
        verify_written(new_path, models, fingerprints)
        verify_untouched(path, new_path, models)

    return safety.safe_replace(path, write, verify, keep=keep, now=now)


def verify_untouched(old_path: str | Path, new_path: str | Path, models: list[SheetModel]) -> None:
    """Every part of the old package that the write may not change is still there, byte-identical.

    The parts of the sheets we replaced, and the four shared parts we edit, are the only
    exceptions (see `check_parts_kept`).
    """
    with _open_zip(old_path) as old_zip:
        replaced = _owned_parts(_Package(old_zip), {m.name for m in models})
    check_parts_kept(old_path, new_path, replaced | EDITED_SHARED_PARTS | {"xl/calcChain.xml"}, old_path)


def check_parts_kept(old_path: str | Path, new_path: str | Path, may_change: Collection[str], shown: str | Path,
                     no_new_parts: bool = False) -> None:
    """Every part of the old package outside `may_change` is in the new one, byte-identical.

    Compares the zip directories (CRC-32 and size of the uncompressed content), not the
    bytes. With `no_new_parts`, a part the old package lacks is refused too. Raises
    errors.WriteFailed naming `shown` (the file the user knows).
    """
    with _open_zip(old_path) as old_zip, _open_zip(new_path) as new_zip:
        old = {info.filename: (info.CRC, info.file_size) for info in old_zip.infolist()}
        new = {info.filename: (info.CRC, info.file_size) for info in new_zip.infolist()}
    added = sorted(set(new) - set(old))
    if no_new_parts and added:
        raise errors.WriteFailed(shown, "新文件的组成与原文件不同", f"parts added: {added}")
    for name, entry in old.items():
        if name not in may_change and new.get(name) != entry:
            raise errors.WriteFailed(shown, "原有内容在新文件中发生了变化", f"part {name} changed or went missing")


EDITED_SHARED_PARTS = frozenset(("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"))


def _owned_parts(pkg: "_Package", names: set[str]) -> set[str]:
    """The parts of the named sheets (sheet, rels, drawings, charts) in a package."""
    main = pkg.main_part()
    root_text = pkg.read(main).decode("utf-8", "replace")
    parts: set[str] = set()
    targets = {rel.id: rel.target for rel in pkg.rels(main)}
    for match in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", root_text):
        attrs = _attrs(match.group(0))
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
        if unescape(attrs.get("name", "")) in names and rid in targets:
            for part in [targets[rid], *_reachable(pkg, targets[rid])]:
                parts.update((part, rels_name(part)))
    return parts
