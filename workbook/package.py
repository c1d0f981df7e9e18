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
defined name, so a sheet edited by hand can be detected (`workbook.fingerprints`).
After writing, the new file is read back (`verify_written`) and every part we may not
change is compared with the master's (`check_parts_kept`) before it replaces the master.

This module owns the plan of a write (which parts change, appear, go) and its checks; the
text helpers live in `workbook.xmltext`, the package structure in `workbook.ooxml`, the
style merge in `workbook.styles`, fingerprints in `workbook.fingerprints` and writing the
zip in `workbook.zipout`.

Limits: Strict Open XML workbooks are refused (errors.WrongFileType). Slicers or timelines
living on a replaced generated sheet are not supported.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Collection
from xml.etree import ElementTree as ET
from xml.sax.saxutils import unescape

from workbook import errors, layout, render_xlsx, safety
from workbook import xmltext as xt
from workbook.fingerprints import (
    FINGERPRINT_NAME,
    fingerprint_model,
    fingerprint_rows,
    foreign_sheets,
    read_owned_fingerprints,
    read_sheet_rows,
)
from workbook.ooxml import (
    NS_REL,
    NS_STRICT,
    STYLES_REL,
    WORKSHEET_REL,
    ContentTypes,
    Package,
    open_zip,
    orphans,
    uses_1904,
    reachable,
    rels_name,
    resolve,
)
from workbook.sheetmodel import SheetModel
from workbook.styles import StyleMerge, merge_styles
from workbook.zipout import write_zip

# Sheet-local defined names that belong to a generated sheet and are rewritten with it.
OWN_NAMES = frozenset(n.casefold() for n in ("_xlnm.Print_Titles", "_xlnm._FilterDatabase", "_xlnm.Print_Area", FINGERPRINT_NAME))
WORKBOOK_AFTER_NAMES = ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                        "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")


@dataclass
class WriteSummary:
    """What a write did: sheets replaced in place, sheets appended, parts touched."""

    replaced: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed_parts: list[str] = field(default_factory=list)
    new_parts: list[str] = field(default_factory=list)
    dropped_calc_chain: bool = False


# --- rendering the models ------------------------------------------------------------------

@dataclass
class _Rendered:
    """The in-memory xlsxwriter package of the models."""

    pkg: Package
    sheets: dict[str, str]  # sheet name -> part
    shared: list[str]  # inner XML of each <si>
    styles: str
    names: list[tuple[int, str]]  # (localSheetId, <definedName> element text)
    types: ContentTypes
    fingerprints: dict[str, str] = field(default_factory=dict)  # sheet name -> fingerprint of its values


def _render(models: list[SheetModel], fingerprints: dict[str, str] | None = None, date1904: bool = False) -> _Rendered:
    """Render the models into an in-memory xlsxwriter file and index its parts.

    `date1904`: the master counts dates from 1904 (old Mac Excel), so our date serials must too.
    """
    buffer = io.BytesIO()
    book = render_xlsx.new_workbook(buffer, date_1904=date1904)
    for model in models:
        render_xlsx.add_sheet(book, model)
    book.close()
    pkg = Package(zipfile.ZipFile(io.BytesIO(buffer.getvalue())))
    workbook_text = pkg.read("xl/workbook.xml").decode("utf-8")
    by_rid = {r.id: r.target for r in pkg.rels("xl/workbook.xml")}
    sheets = {xt.attrs(m.group(1))["name"]: by_rid[xt.attrs(m.group(1))["r:id"]] for m in xt.elements(workbook_text, "sheet")}
    names = [(int(xt.attrs(m.group(1)).get("localSheetId", "-1")), m.group(0)) for m in xt.elements(workbook_text, "definedName")]
    shared_text = pkg.read("xl/sharedStrings.xml").decode("utf-8") if pkg.actual("xl/sharedStrings.xml") else ""
    shared = [m.group(2) or "" for m in xt.elements(shared_text, "si")]
    styles = pkg.read("xl/styles.xml").decode("utf-8")
    prints = {m.name: (fingerprints or {}).get(m.name) or fingerprint_model(m) for m in models}
    return _Rendered(pkg, sheets, shared, styles, names, ContentTypes.parse(pkg.read("[Content_Types].xml")), prints)


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

    def __init__(self, path: Path, pkg: Package, rendered: _Rendered, owned: set[str]):
        self.path, self.pkg, self.rendered = path, pkg, rendered
        self.owned = {name.casefold() for name in owned}
        self.plan = _Plan()
        self.wb_part = pkg.main_part()
        self.wb_text, self.wb_bom = xt.decode(pkg.read(self.wb_part))
        self._check_namespace()
        self.wb_rels_part = pkg.actual(rels_name(self.wb_part))
        self.rels_text, self.rels_bom = xt.decode(pkg.read(self.wb_rels_part))
        self.ct_text, self.ct_bom = xt.decode(pkg.read("[Content_Types].xml"))
        self.types = ContentTypes.parse(pkg.read("[Content_Types].xml"))
        self.sheets = self._sheets()
        self.allocated: set[str] = set()

    def _check_namespace(self) -> None:
        """Refuse Strict Open XML; note the prefixes of the main and relationship namespaces."""
        if xt.ns_prefix(self.wb_text, NS_STRICT) is not None:
            raise errors.WrongFileType(self.path, "Strict Open XML 格式的工作簿")
        self.prefix = xt.root_prefix(self.wb_text, "workbook")
        self.r_prefix = xt.ns_prefix(self.wb_text, NS_REL)

    def _sheets(self) -> list[_Sheet]:
        rels = {r.id: r for r in self.pkg.rels(self.wb_part)}
        result = []
        for match in xt.elements(self.wb_text, xt.tag(self.prefix, "sheet")):
            attrs = xt.attrs(match.group(1))
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
        text, bom = xt.decode(self.pkg.read(styles))
        merge = merge_styles(text, self.rendered.styles)
        if merge.text != text:
            self.plan.new_parts[styles] = xt.encode(merge.text, bom)
        return merge

    def _add_styles_part(self) -> StyleMerge:
        """A master without styles (some generators omit it) gets ours as they are."""
        ours = self.rendered.styles
        name = self._free_name(posixpath.join(posixpath.dirname(self.wb_part), "styles.xml"))
        self._put(name, ours.encode("utf-8"), "xl/styles.xml")
        self._add_relationship(STYLES_REL, name)
        count = len(re.findall(r"<xf\b", ours.split("<cellXfs", 1)[1].split("</cellXfs>", 1)[0]))
        dxfs = len(list(xt.elements(ours, "dxf")))
        return StyleMerge(ours, {i: i for i in range(count)}, {i: i for i in range(dxfs)}, {})

    def _remove_old(self, sheets: list[_Sheet]) -> None:
        """Drop parts only the replaced sheets used; drop calcChain if they had formulas."""
        roots = {s.part for s in sheets}
        graph = self.pkg.graph()
        dropped = orphans(graph, roots)
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
        for child in reachable(self.rendered.pkg, source):
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
            attrs = xt.attrs(tag)
            if attrs.get("TargetMode") == "External":
                return tag
            moved = names[resolve(old, attrs["Target"])]
            relative = posixpath.relpath(moved, posixpath.dirname(new))
            return re.sub(r'Target="[^"]*"', f'Target="{xt.quote(relative)}"', tag)

        text = re.sub(r"<Relationship\b[^>]*>", retarget, text)
        self.plan.new_parts[rels_name(new)] = text.encode("utf-8")
        self.plan.summary.new_parts.append(rels_name(new))

    def _append_sheet(self, model: SheetModel, merge: StyleMerge) -> None:
        """Add a new sheet after all existing ones: workbook.xml entry and relationship."""
        part = self._transplant(model, merge, None)
        rid = self._add_relationship(WORKSHEET_REL, part)
        sheet_id = max([0, *(s.sheet_id for s in self.sheets)]) + len(self.plan.summary.added) + 1
        self.wb_text = xt.append_in(self.wb_text, xt.tag(self.prefix, "sheets"), self._sheet_element(model.name, sheet_id, rid))

    def _add_relationship(self, rel_type: str, part: str) -> str:
        """Add a workbook relationship to `part`; return its new Id."""
        rid = _free_rel_id(self.rels_text)
        relative = posixpath.relpath(part, posixpath.dirname(self.wb_part))
        rel = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{xt.quote(relative)}"/>'
        prefix = xt.root_prefix(self.rels_text, "Relationships")
        self.rels_text = xt.append_in(self.rels_text, xt.tag(prefix, "Relationships"), xt.with_prefix(rel, prefix))
        return rid

    def _sheet_element(self, name: str, sheet_id: int, rid: str) -> str:
        if self.r_prefix:
            return f'<{xt.tag(self.prefix, "sheet")} name="{xt.quote(name)}" sheetId="{sheet_id}" {self.r_prefix}:id="{rid}"/>'
        return f'<{xt.tag(self.prefix, "sheet")} xmlns:wbr="{NS_REL}" name="{xt.quote(name)}" sheetId="{sheet_id}" wbr:id="{rid}"/>'

    def _names_for(self, model: SheetModel, index: int) -> list[str]:
        """Our defined names of one sheet (print titles, filter, fingerprint) at `index`."""
        position = list(self.rendered.sheets).index(model.name)
        result = [re.sub(r'localSheetId="\d+"', f'localSheetId="{index}"', text)
                  for local, text in self.rendered.names if local == position]
        fingerprint = self.rendered.fingerprints[model.name]
        result.append(f'<definedName name="{FINGERPRINT_NAME}" localSheetId="{index}" hidden="1">"{fingerprint}"</definedName>')
        return [xt.with_prefix(text, self.prefix) for text in result]

    def _rewrite_defined_names(self, indexes: set[int], names: list[str]) -> None:
        """Remove our old sheet-local names of replaced sheets; add the new ones."""
        qname = xt.tag(self.prefix, "definedName")

        def keep(match: re.Match) -> str:
            attrs = xt.attrs(match.group(1))
            ours = attrs.get("name", "").casefold() in OWN_NAMES
            local = attrs.get("localSheetId", "")
            return "" if ours and local.isdigit() and int(local) in indexes else match.group(0)

        pattern = rf"<{re.escape(qname)}\b([^>]*?)(?:/>|>(.*?)</{re.escape(qname)}\s*>)"
        self.wb_text = re.sub(pattern, keep, self.wb_text, flags=re.S)
        body = "".join(names)
        container = xt.tag(self.prefix, "definedNames")
        appended = xt.append_in(self.wb_text, container, body)
        self.wb_text = appended if appended is not None else xt.insert_before_first(
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
            prefix = xt.root_prefix(self.ct_text, "Types")
            element = f'<Override PartName="/{xt.quote(name)}" ContentType="{xt.quote(wanted)}"/>'
            self.ct_text = xt.append_in(self.ct_text, xt.tag(prefix, "Types"), xt.with_prefix(element, prefix))
            self.types.overrides[key] = wanted

    def _finish_shared_parts(self) -> None:
        """Forget removed parts in [Content_Types].xml; store the edited shared parts.

        workbook.xml also asks for a full recalculation on opening, so staff formulas that
        refer to a generated sheet show the new values, not the ones cached at the last save.
        """
        self.wb_text = xt.ensure_full_calc(self.wb_text, self.prefix, WORKBOOK_AFTER_NAMES[1:])
        self.plan.removed -= set(self.plan.new_parts)
        for name in sorted(self.plan.removed):
            self._set_content_type(name, None)
        self.plan.summary.removed_parts = sorted(self.plan.removed)
        self.plan.new_parts[self.wb_part] = xt.encode(self.wb_text, self.wb_bom)
        self.plan.new_parts[self.wb_rels_part] = xt.encode(self.rels_text, self.rels_bom)
        self.plan.new_parts["[Content_Types].xml"] = xt.encode(self.ct_text, self.ct_bom)


def _free_rel_id(rels_text: str) -> str:
    used = set(re.findall(r'\bId="([^"]*)"', rels_text))
    number = len(used) + 1
    while f"rId{number}" in used:
        number += 1
    return f"rId{number}"


def _remove_relationship(text: str, rid: str) -> str:
    def drop(match: re.Match) -> str:
        return "" if xt.attrs(match.group(0)).get("Id") == rid else match.group(0)

    return re.sub(r"<(?:[\w.-]+:)?Relationship\b[^>]*?(?:/>|>\s*</(?:[\w.-]+:)?Relationship>)", drop, text)


def _remove_override(text: str, name: str) -> str:
    def drop(match: re.Match) -> str:
        part = xt.attrs(match.group(0)).get("PartName", "").lstrip("/")
        return "" if part.lower() == name.lower() else match.group(0)

    return re.sub(r"<(?:[\w.-]+:)?Override\b[^>]*?(?:/>|>\s*</(?:[\w.-]+:)?Override>)", drop, text)


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
    with open_zip(src) as zf:
        pkg = Package(zf)
        plan = _plan(src, pkg, models, owned, fingerprints)
        try:
            write_zip(src, pkg, dst, plan.new_parts, plan.removed)
        except BaseException:
            dst.unlink(missing_ok=True)
            raise
    return plan.summary


def _plan(src: Path, pkg: Package, models: list[SheetModel], owned: set[str],
          fingerprints: dict[str, str] | None = None) -> _Plan:
    """Decide every part of the new package; unreadable XML in the master is CorruptWorkbook."""
    if not models:
        return _Plan()
    try:
        rendered = _render(models, fingerprints, uses_1904(pkg.zip))
        return _Writer(src, pkg, rendered, owned).run(models)
    except (ET.ParseError, UnicodeDecodeError) as exc:
        raise errors.CorruptWorkbook(src, "其中的内容无法解析", errors.technical(exc)) from exc


def refresh_master(path: str | Path, models: list[SheetModel], owned: set[str], keep: int = 20,
                   now: dt.datetime | Callable[[], dt.datetime] | None = None):
    """Safely write generated sheets into the master itself: backup, write, verify, replace.

    errors.ForeignSheet, before anything is written, when a sheet of a model's name exists
    but was not written by us (`fingerprints.foreign_sheets`).

    Returns `safety.SafeWrite`: the backup taken, and the `WriteSummary` as its result.
    """
    foreign = foreign_sheets(path, [model.name for model in models])
    if foreign:
        raise errors.ForeignSheet(path, foreign)
    fingerprints = {model.name: fingerprint_model(model) for model in models}

    def write(new_path: Path) -> WriteSummary:
        return write_sheets(path, new_path, models, owned, fingerprints)

    def verify(new_path: Path) -> None:
        verify_written(new_path, models, fingerprints, shown=path)
        verify_untouched(path, new_path, models)

    return safety.safe_replace(path, write, verify, keep=keep, now=now)


def verify_untouched(old_path: str | Path, new_path: str | Path, models: list[SheetModel]) -> None:
    """Every part of the old package that the write may not change is still there, byte-identical.

    The parts of the sheets we replaced, and the four shared parts we edit, are the only
    exceptions (see `check_parts_kept`).
    """
    with open_zip(old_path) as old_zip:
        replaced = _owned_parts(Package(old_zip), {m.name for m in models})
    check_parts_kept(old_path, new_path, replaced | EDITED_SHARED_PARTS | {"xl/calcChain.xml"}, old_path)


def check_parts_kept(old_path: str | Path, new_path: str | Path, may_change: Collection[str], shown: str | Path,
                     no_new_parts: bool = False) -> None:
    """Every part of the old package outside `may_change` is in the new one, byte-identical.

    Compares the zip directories (CRC-32 and size of the uncompressed content), not the
    bytes. With `no_new_parts`, a part the old package lacks is refused too. Raises
    errors.WriteFailed naming `shown` (the file the user knows).
    """
    with open_zip(old_path) as old_zip, open_zip(new_path) as new_zip:
        old = {info.filename: (info.CRC, info.file_size) for info in old_zip.infolist()}
        new = {info.filename: (info.CRC, info.file_size) for info in new_zip.infolist()}
    added = sorted(set(new) - set(old))
    if no_new_parts and added:
        raise errors.WriteFailed(shown, "新文件的组成与原文件不同", f"parts added: {added}")
    for name, entry in old.items():
        if name not in may_change and new.get(name) != entry:
            raise errors.WriteFailed(shown, "原有内容在新文件中发生了变化", f"part {name} changed or went missing")


EDITED_SHARED_PARTS = frozenset(("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"))


def _owned_parts(pkg: "Package", names: set[str]) -> set[str]:
    """The parts of the named sheets (sheet, rels, drawings, charts) in a package."""
    main = pkg.main_part()
    root_text = pkg.read(main).decode("utf-8", "replace")
    parts: set[str] = set()
    targets = {rel.id: rel.target for rel in pkg.rels(main)}
    for match in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", root_text):
        attrs = xt.attrs(match.group(0))
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
        if unescape(attrs.get("name", "")) in names and rid in targets:
            for part in [targets[rid], *reachable(pkg, targets[rid])]:
                parts.update((part, rels_name(part)))
    return parts


def verify_written(path: str | Path, models: list[SheetModel], fingerprints: dict[str, str] | None = None,
                   shown: str | Path | None = None) -> None:
    """Re-open a written file and check each model's sheet reads back with its values.

    `fingerprints` (sheet name -> fingerprint_model) saves computing them again. Raises
    errors.WriteFailed naming the first sheet that does not read back, and the file the user
    knows (`shown`, the master) rather than the temporary file beside it.
    """
    shown = shown or path
    try:
        rows = read_sheet_rows(path, [m.name for m in models])
        stored = read_owned_fingerprints(path)
    except Exception as exc:  # any failure to read the new file is a failed check
        raise errors.WriteFailed(shown, "新文件无法读回", errors.technical(exc)) from exc
    for model in models:
        expected = (fingerprints or {}).get(model.name) or fingerprint_model(model)
        if model.name not in rows or fingerprint_rows(rows[model.name]) != expected or stored.get(model.name) != expected:
            raise errors.WriteFailed(shown, f"新文件中的“{model.name}”读回与写入的不一致", f"sheet {model.name!r} differs")
