"""Fill and comment cells of an .xlsx package by editing its XML parts in place.

The fast way to make `phan-hoi/<code>.xlsx`: only styles.xml, the marked sheets, their
relationships and [Content_Types].xml change; every other part is copied as it is. So the
unit's formulas keep their saved results, and charts, images and anything openpyxl would drop
survive. A first sync of a 1,000-unit district makes some 300 copies: at ~10 ms each instead of
openpyxl's ~160 ms (load twice, save), that is seconds, not most of the run.

What this does not handle (a sheet that already has comments or a VML drawing, cells or rows
without their ``r`` reference, no styles part, Strict OOXML) raises ``Unsupported``, and the
caller makes the copy with openpyxl instead.
"""

from __future__ import annotations

import copy
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree
from openpyxl.utils.cell import column_index_from_string, get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_WORKSHEET = REL + "/worksheet"
_STYLES = REL + "/styles"
_COMMENTS = REL + "/comments"
_VML = REL + "/vmlDrawing"
_OFFICE_DOCUMENT = REL + "/officeDocument"
_COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
# Worksheet children that come after <legacyDrawing> (ECMA-376 CT_Worksheet sequence).
_AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                 "webPublishItems", "tableParts", "extLst")  # fmt: skip
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_IDMAP = re.compile(rb'idmap[^>]*?data="([0-9,]{1,40})"')
# Characters XML 1.0 cannot hold; a message quoting a unit's odd value must still be written.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# No DTDs reach here (the guard refuses them); the parser is locked down all the same.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class Unsupported(Exception):
    """The package has a shape this editor does not handle; make the copy another way."""


@dataclass(frozen=True)
class Mark:
    """One cell to fill with ``fill`` (RRGGBB, or None to leave its format), and its comment."""

    row: int
    col: int
    fill: str | None
    comment: str | None = None


class Package:
    """An .xlsx package read once: its worksheets, their merged ranges, and the marking."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._zf = zipfile.ZipFile(io.BytesIO(data))
        self._read = _Reader(self._zf, {i.filename: i for i in self._zf.infolist()})
        self._book = self._read.office_document()
        self._book_rels = self._read.rels(self._book)
        self.sheets = _sheets(self._read.xml(self._book), self._book_rels)  # title → part
        self._trees: dict[str, etree._ElementTree] = {}

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self._zf.close()

    def merged(self, title: str) -> list[tuple[int, int, int, int]]:
        """Merged ranges of worksheet ``title`` as (min_col, min_row, max_col, max_row)."""
        return list(_merges(self._sheet(title)))

    def mark(self, marks: dict[str, list[Mark]], author: str) -> bytes:
        """The package with each worksheet's ``marks`` (by title) applied; values untouched."""
        styles = next((t for kind, t in self._book_rels.values() if kind == _STYLES), None)
        if styles is None:
            raise Unsupported("no styles part")
        todo = [(t, m) for t, m in marks.items() if m and t in self.sheets]
        if not todo:
            return self.data
        style_tree = self._read.xml(styles)
        xfs = _Styles(style_tree)
        types = self._read.xml("[Content_Types].xml")
        taken = set(self._read.parts)
        changed: dict[str, bytes] = {}
        for number, (title, found) in enumerate(todo, start=self._first_drawing_id()):
            tree = self._sheet(title)
            part = self.sheets[title]
            changed.update(_mark_sheet(self._read, part, tree, found, xfs, types, author,
                                       number, taken))  # fmt: skip
        changed[styles] = _bytes(style_tree)
        changed["[Content_Types].xml"] = _bytes(types)
        return _repack(self._zf, changed)

    def _first_drawing_id(self) -> int:
        # Each VML drawing owns a block of 1,024 shape ids (o:idmap data=n); ours come after
        # any the workbook already has, so no two shapes share an id.
        used = [0]
        for name in self._read.parts:
            if name.endswith(".vml"):
                head = self._zf.read(name)[:4096]
                used += [int(n) for d in _IDMAP.findall(head) for n in d.split(b",") if n]
        return max(used) + 1

    def _sheet(self, title: str) -> etree._ElementTree:
        if title not in self._trees:
            self._trees[title] = self._read.xml(self.sheets[title])
        return self._trees[title]


# ---------------------------------------------------------------------- reading the package


class _Reader:
    def __init__(self, zf: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo]) -> None:
        self.zf, self.parts = zf, parts

    def xml(self, name: str) -> etree._ElementTree:
        if name not in self.parts:
            raise Unsupported(f"no part {name}")
        try:
            root = etree.fromstring(self.zf.read(name), _PARSER)
        except etree.XMLSyntaxError as exc:
            raise Unsupported(f"{name}: {exc}") from exc
        return etree.ElementTree(root)

    def office_document(self) -> str:
        for kind, target in self.rels("").values():
            if kind == _OFFICE_DOCUMENT:
                return target
        raise Unsupported("no office document relationship")

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id → (type, target part name) of ``part`` ("" for the package)."""
        name = _rels_name(part)
        if name not in self.parts:
            return {}
        out = {}
        for rel in self.xml(name).getroot().iter(f"{{{PKG_REL}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            out[rel.get("Id", "")] = (rel.get("Type", ""), _resolve(part, rel.get("Target", "")))
        return out


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _sheets(book: etree._ElementTree, rels: dict[str, tuple[str, str]]) -> dict[str, str]:
    root = book.getroot()
    if root.tag != f"{{{MAIN}}}workbook":
        raise Unsupported(f"workbook root is {root.tag}")  # Strict OOXML, or not a workbook
    out = {}
    for sheet in root.iter(f"{{{MAIN}}}sheet"):
        kind, target = rels.get(sheet.get(f"{{{REL}}}id", ""), ("", ""))
        if kind == _WORKSHEET:
            out[sheet.get("name", "")] = target
    return out


def _merges(sheet: etree._ElementTree) -> Iterator[tuple[int, int, int, int]]:
    for merge in sheet.getroot().iter(f"{{{MAIN}}}mergeCell"):
        first, _, last = merge.get("ref", "").partition(":")
        (c1, r1), (c2, r2) = _coords(first), _coords(last or first)
        yield c1, r1, c2, r2


def _coords(ref: str) -> tuple[int, int]:
    m = _REF.fullmatch(ref.replace("$", "").upper())
    if m is None:
        raise Unsupported(f"cell reference {ref!r}")
    return column_index_from_string(m.group(1)), int(m.group(2))


# ---------------------------------------------------------------------- styles


class _Styles:
    """styles.xml: one new fill per colour, one new cell format per (old format, colour)."""

    def __init__(self, tree: etree._ElementTree) -> None:
        root = tree.getroot()
        self.fills = root.find(f"{{{MAIN}}}fills")
        self.xfs = root.find(f"{{{MAIN}}}cellXfs")
        if self.fills is None or self.xfs is None or len(self.xfs) == 0:
            raise Unsupported("styles.xml without fills or cell formats")
        self._fill_ids: dict[str, int] = {}
        self._xf_ids: dict[tuple[int, str], int] = {}

    def with_fill(self, xf: int, colour: str) -> int:
        """The index of a cell format like ``xf`` but filled with ``colour``."""
        key = (xf, colour)
        if key not in self._xf_ids:
            base = self.xfs[xf] if 0 <= xf < len(self.xfs) else self.xfs[0]
            new = copy.deepcopy(base)
            new.set("fillId", str(self._fill(colour)))
            new.set("applyFill", "1")
            self.xfs.append(new)
            self.xfs.set("count", str(len(self.xfs)))
            self._xf_ids[key] = len(self.xfs) - 1
        return self._xf_ids[key]

    def _fill(self, colour: str) -> int:
        if colour not in self._fill_ids:
            fill = etree.SubElement(self.fills, f"{{{MAIN}}}fill")
            pattern = etree.SubElement(fill, f"{{{MAIN}}}patternFill", patternType="solid")
            etree.SubElement(pattern, f"{{{MAIN}}}fgColor", rgb="FF" + colour)
            etree.SubElement(pattern, f"{{{MAIN}}}bgColor", indexed="64")
            self.fills.set("count", str(len(self.fills)))
            self._fill_ids[colour] = len(self.fills) - 1
        return self._fill_ids[colour]


# ---------------------------------------------------------------------- one sheet


def _mark_sheet(read: _Reader, part: str, tree: etree._ElementTree, marks: list[Mark],
                xfs: _Styles, types: etree._ElementTree, author: str, number: int,
                taken: set[str]) -> dict[str, bytes]:  # fmt: skip
    root = tree.getroot()
    rels = read.rels(part)
    commented = [m for m in marks if m.comment]
    if commented and (
        any(kind in (_COMMENTS, _VML) for kind, _ in rels.values())
        or root.find(f"{{{MAIN}}}legacyDrawing") is not None
    ):
        raise Unsupported(f"{part} already has comments or a VML drawing")
    data = root.find(f"{{{MAIN}}}sheetData")
    cells = _Cells(root, data if data is not None else _insert_sheet_data(root))
    for m in marks:
        if m.fill is not None:
            cell = cells.get(m.row, m.col)
            cell.set("s", str(xfs.with_fill(int(cell.get("s", "0")), m.fill)))
    out = {}
    if commented:
        comments = _free(taken, "xl/comments/tonghop{}.xml", number)
        vml = _free(taken, "xl/drawings/tonghop{}.vml", number)
        out[comments] = _comments_xml(commented, author)
        out[vml] = _vml(commented, number)
        rels_name = _rels_name(part)
        rels_root = (read.xml(rels_name).getroot() if rels_name in read.parts
                     else etree.Element(f"{{{PKG_REL}}}Relationships", nsmap={None: PKG_REL}))  # fmt: skip
        _add_rel(rels_root, _COMMENTS, comments)
        legacy = etree.Element(f"{{{MAIN}}}legacyDrawing")
        legacy.set(f"{{{REL}}}id", _add_rel(rels_root, _VML, vml))
        out[rels_name] = _bytes(etree.ElementTree(rels_root))
        after = next((c for c in root if etree.QName(c).localname in _AFTER_LEGACY), None)
        if after is None:
            root.append(legacy)
        else:
            after.addprevious(legacy)
        _override(types, comments, _COMMENTS_TYPE)
        _override(types, vml, _VML_TYPE)
    out[part] = _bytes(tree)
    return out


def _insert_sheet_data(root: etree._Element) -> etree._Element:
    data = etree.Element(f"{{{MAIN}}}sheetData")
    before = ("sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols")
    last = [c for c in root if etree.QName(c).localname in before]
    if last:
        last[-1].addnext(data)
    else:
        root.insert(0, data)
    return data


class _Cells:
    """The <c> element for a (row, column), created in order where the sheet has none."""

    def __init__(self, root: etree._Element, data: etree._Element) -> None:
        self.data = data
        self.rows: dict[int, etree._Element] = {}
        for row in data.iterchildren(f"{{{MAIN}}}row"):
            r = row.get("r")
            if r is None or not r.isdigit():
                raise Unsupported("a row without its number")
            self.rows[int(r)] = row
        self.col_styles: list[tuple[int, int, int]] = []
        for col in root.iter(f"{{{MAIN}}}col"):
            if col.get("style"):
                lo, hi = int(col.get("min", "0")), int(col.get("max", "0"))
                self.col_styles.append((lo, hi, int(col.get("style", "0"))))

    def get(self, row: int, col: int) -> etree._Element:
        line = self.rows[row] if row in self.rows else self._new_row(row)
        ref = f"{get_column_letter(col)}{row}"
        later = None
        for cell in line.iterchildren(f"{{{MAIN}}}c"):
            r = cell.get("r")
            if r is None:
                raise Unsupported("a cell without its reference")
            here = _coords(r)[0]
            if here == col:
                return cell
            if here > col:
                later = cell
                break
        new = etree.Element(f"{{{MAIN}}}c", r=ref)
        new.set("s", str(self._base_style(line, col)))
        if later is not None:
            later.addprevious(new)
        else:
            line.append(new)  # a row holds only <c> and an optional trailing <extLst>
            ext = line.find(f"{{{MAIN}}}extLst")
            if ext is not None:
                ext.addprevious(new)
        line.attrib.pop("spans", None)  # an optimisation hint that may no longer hold
        return new

    def _new_row(self, row: int) -> etree._Element:
        new = etree.Element(f"{{{MAIN}}}row", r=str(row))
        later = next((self.rows[r] for r in sorted(self.rows) if r > row), None)
        if later is not None:
            later.addprevious(new)
        else:
            self.data.append(new)
        self.rows[row] = new
        return new

    def _base_style(self, line: etree._Element, col: int) -> int:
        # An empty cell shows its row's format, else its column's: keep it under the fill.
        if line.get("customFormat") in ("1", "true") and line.get("s"):
            return int(line.get("s", "0"))
        return next((s for lo, hi, s in self.col_styles if lo <= col <= hi), 0)


def _free(taken: set[str], pattern: str, number: int) -> str:
    while (name := pattern.format(number)) in taken:
        number += 1000
    taken.add(name)
    return name


def _add_rel(root: etree._Element, kind: str, target: str) -> str:
    """Add a relationship to ``target`` and return its new, unused id."""
    used = {r.get("Id") for r in root}
    n = len(used) + 1
    while f"rIdTh{n}" in used:
        n += 1
    etree.SubElement(root, f"{{{PKG_REL}}}Relationship", Id=f"rIdTh{n}", Type=kind,
                     Target="/" + target)  # fmt: skip
    return f"rIdTh{n}"


def _override(types: etree._ElementTree, part: str, content_type: str) -> None:
    etree.SubElement(types.getroot(), f"{{{CT}}}Override", PartName="/" + part,
                     ContentType=content_type)  # fmt: skip


def _comments_xml(marks: Iterable[Mark], author: str) -> bytes:
    body = [f'<comments xmlns="{MAIN}"><authors><author>{escape(author)}</author></authors>',
            "<commentList>"]  # fmt: skip
    for m in marks:
        text = escape(_NOT_XML.sub("?", m.comment or ""))
        ref = f"{get_column_letter(m.col)}{m.row}"
        body.append(f'<comment ref="{ref}" authorId="0"><text><t xml:space="preserve">'
                    f"{text}</t></text></comment>")  # fmt: skip
    body.append("</commentList></comments>")
    return _DECLARATION + "".join(body).encode()


def _vml(marks: list[Mark], number: int) -> bytes:
    """The legacy drawing Excel needs to show the comments: one hidden note box per cell."""
    shapes = []
    for i, m in enumerate(marks, start=1):
        lines = (m.comment or "").count("\n") + 1 + len(m.comment or "") // 60
        height = min(450, 15 * lines + 15)
        c, r = m.col - 1, m.row - 1
        # The note box sits right of and below its cell, kept inside the sheet's last column/row.
        left, top = min(c + 1, 16379), min(r + 1 + height // 15, 1_048_575)
        shapes.append(
            f'<v:shape id="_x0000_s{1024 * number + i}" type="#_x0000_t202" '
            f'style="position:absolute;margin-left:80pt;margin-top:2pt;width:270pt;'
            f'height:{height}pt;z-index:{i};visibility:hidden" fillcolor="#ffffe1" '
            'o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
            '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div>'
            '</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:Anchor>{left}, 15, {r}, 2, {left + 4}, 15, {top}, 2</x:Anchor>"
            f"<x:AutoFill>False</x:AutoFill><x:Row>{r}</x:Row><x:Column>{c}</x:Column>"
            "</x:ClientData></v:shape>"
        )
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{number}"/></o:shapelayout>'
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
        'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
        '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        + "".join(shapes)
        + "</xml>"
    ).encode()


# ---------------------------------------------------------------------- writing


_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _bytes(tree: etree._ElementTree) -> bytes:
    # The declaration as Office writes it (lxml's own uses single quotes).
    return _DECLARATION + etree.tostring(tree.getroot(), encoding="UTF-8", xml_declaration=False)


def _repack(zf: zipfile.ZipFile, changed: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in zf.infolist():
            body = changed.pop(info.filename, None)
            dst.writestr(info.filename, body if body is not None else zf.read(info))
        for name, body in changed.items():  # new parts
            dst.writestr(name, body)
    return out.getvalue()
