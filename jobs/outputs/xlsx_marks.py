"""Fill and comment cells of an .xlsx package by editing its XML parts in place.

The way every `phan-hoi/<code>.xlsx` is made: only styles.xml, the marked sheets, their
relationships, their comments and drawing, and [Content_Types].xml change; every other part is
copied as it is. So the unit's formulas keep their saved results, and charts, images and
anything openpyxl would drop survive. A first sync of a 1,000-unit district makes some 300
copies at ~10 ms each.

Bounded whatever the file: a marked sheet is never loaded whole (``sheet_stream`` edits only
the rows it marks), and its merged ranges are scanned, not kept. Before editing, what the
editor would get wrong is normalised: cells of a row out of order or twice (kept as readers
read them: the last one wins), XML comments and processing instructions in any part it edits,
parts in UTF-16, the same part twice in the zip (the last one, which readers use, is the one
kept), a package that declares its relationship parts only by Overrides (a new one gets its
own). A sheet with comments of its own gets ours merged into them. What is still not handled
(Strict OOXML, a row without its number, no styles part) raises ``Unsupported``.
"""

from __future__ import annotations

import copy
import io
import itertools
import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree
from openpyxl.utils.cell import get_column_letter

from .sheet_stream import RowEditor, SheetBytes
from .xlsx_notes import DECLARATION, Note, comments_xml, merge, vml
from .xlsx_xml import CT, MAIN, PKG_REL, REL, STRICT_MAIN, Unsupported, coords, normalised_tree

__all__ = ["Mark", "Package", "Unsupported", "is_strict"]

_WORKSHEET = REL + "/worksheet"
_STYLES = REL + "/styles"
_COMMENTS = REL + "/comments"
_VML = REL + "/vmlDrawing"
_OFFICE_DOCUMENT = REL + "/officeDocument"
_COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_RELS_TYPE = "application/vnd.openxmlformats-package.relationships+xml"
_IDMAP = re.compile(rb'idmap[^>]*?data="([0-9,]{1,40})"')
# styles.xml is parsed whole; past this it is not a report's.
MAX_STYLES_BYTES = 8_000_000


@dataclass(frozen=True)
class Mark:
    """One cell to fill with ``fill`` (RRGGBB, or None to leave its format), and its comment."""

    row: int
    col: int
    fill: str | None
    comment: str | None = None


def is_strict(data: bytes) -> bool:
    """Whether the package is Strict Open XML (its workbook in the Strict namespace)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = {i.filename for i in zf.infolist()}
            book = next((n for n in ("xl/workbook.xml",) if n in names), None)
            head = zf.read(book)[:4096] if book else b""
    except (zipfile.BadZipFile, OSError, KeyError):
        return False
    return STRICT_MAIN.encode() in head


class Package:
    """An .xlsx package read once: its worksheets, their merged ranges, and the marking."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._zf = zipfile.ZipFile(io.BytesIO(data))
        # The last entry of a name is the one readers use; the editor reads and keeps that one.
        self._read = _Reader(self._zf, {i.filename: i for i in self._zf.infolist()})
        self._book = self._read.office_document()
        self._book_rels = self._read.rels(self._book)
        self.sheets = _sheets(self._read.xml(self._book), self._book_rels)  # title → part
        self._parsed: dict[str, SheetBytes] = {}

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self._zf.close()

    @property
    def styles_part(self) -> str | None:
        return next((t for kind, t in self._book_rels.values() if kind == _STYLES), None)

    def covering(self, title: str, cells: Iterable[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, int]]:  # fmt: skip
        """For each (col, row) of ``cells`` inside a merged range of ``title``: its top-left."""
        return self._sheet(title).merges_covering(cells)

    def mark(self, marks: dict[str, list[Mark]], author: str) -> bytes:
        """The package with each worksheet's ``marks`` (by title) applied; values untouched."""
        styles = self.styles_part
        if styles is None:
            raise Unsupported("no styles part")
        todo = [(t, m) for t, m in marks.items() if m and t in self.sheets]
        if not todo:
            return self.data
        if self._read.parts[styles].file_size > MAX_STYLES_BYTES:
            raise Unsupported("styles.xml too large")
        style_tree = self._read.xml(styles)
        xfs = _Styles(style_tree)
        types = self._read.xml("[Content_Types].xml")
        taken = set(self._read.parts)
        changed: dict[str, bytes] = {}
        for number, (title, found) in enumerate(todo, start=self._first_drawing_id()):
            changed.update(self._mark_sheet(title, found, xfs, types, author, number, taken))
        changed[styles] = _bytes(style_tree)
        changed["[Content_Types].xml"] = _bytes(types)
        return _repack(self._zf, self._read.parts, changed)

    def _first_drawing_id(self) -> int:
        # Each VML drawing owns a block of 1,024 shape ids (o:idmap data=n); ours come after
        # any the workbook already has, so no two shapes share an id.
        used = [0]
        for name in self._read.parts:
            if name.lower().endswith(".vml"):
                head = self._read.body(name)[:4096]
                used += [int(n) for d in _IDMAP.findall(head) for n in d.split(b",") if n]
        return max(used) + 1

    def comments_part(self, title: str) -> str | None:
        """The comments part of worksheet ``title``, if it has one."""
        rels = self._read.rels(self.sheets[title])
        return next((t for kind, t in rels.values() if kind == _COMMENTS), None)

    def scanned(self) -> dict[str, SheetBytes]:
        """The worksheets scanned so far, by title (their bytes are never changed)."""
        return dict(self._parsed)

    def sheet_bytes(self, title: str) -> SheetBytes:
        """Worksheet ``title`` as bytes with its row positions (``sheet_stream``)."""
        return self._sheet(title)

    def _sheet(self, title: str) -> SheetBytes:
        if title not in self._parsed:
            self._parsed[title] = SheetBytes(self._read.body(self.sheets[title]))
        return self._parsed[title]

    def _mark_sheet(self, title: str, marks: list[Mark], xfs: _Styles, types: etree._ElementTree,
                    author: str, number: int, taken: set[str]) -> dict[str, bytes]:  # fmt: skip
        part = self.sheets[title]
        sheet = self._sheet(title)
        rels = self._read.rels(part)
        rows = RowEditor(sheet)
        col_styles = sheet.col_styles()
        for m in marks:
            if m.fill is not None:
                cell = _cell(rows.row(m.row), m.row, m.col, col_styles)
                cell.set("s", str(xfs.with_fill(int(cell.get("s", "0") or 0), m.fill)))
        notes = [Note(m.row, m.col, m.comment) for m in marks if m.comment]
        out: dict[str, bytes] = {}
        if not notes:
            out[part] = rows.result()
            return out
        own = {kind: target for kind, target in rels.values() if kind in (_COMMENTS, _VML)}
        has_legacy = any(name == "legacyDrawing" for name, _ in sheet.top_level())
        if own or has_legacy:
            if _COMMENTS not in own or _VML not in own or not has_legacy:
                raise Unsupported(f"{part}: comments without their drawing, or the reverse")
            comments, drawing = merge(self._read.body(own[_COMMENTS]),
                                      self._read.body(own[_VML]), notes, author, number)  # fmt: skip
            out[own[_COMMENTS]], out[own[_VML]] = comments, drawing
            out[part] = rows.result()
            return out
        comments_part = _free(taken, "xl/comments/tonghop{}.xml", number)
        drawing_part = _free(taken, "xl/drawings/tonghop{}.vml", number)
        out[comments_part] = comments_xml(notes, author)
        out[drawing_part] = vml(notes, number)
        rels_name = _rels_name(part)
        if rels_name in self._read.parts:
            rels_root = self._read.xml(rels_name).getroot()
        else:
            rels_root = etree.Element(f"{{{PKG_REL}}}Relationships", nsmap={None: PKG_REL})
            _ensure_type(types, rels_name, _RELS_TYPE)
        _add_rel(rels_root, _COMMENTS, comments_part)
        rid = _add_rel(rels_root, _VML, drawing_part)
        out[rels_name] = _bytes(etree.ElementTree(rels_root))
        prefix = sheet.prefix
        legacy = f'<{prefix}legacyDrawing xmlns:r="{REL}" r:id="{rid}"/>'.encode()
        out[part] = rows.result(legacy)
        _override(types, comments_part, _COMMENTS_TYPE)
        _override(types, drawing_part, _VML_TYPE)
        return out


# ---------------------------------------------------------------------- reading the package


class _Reader:
    def __init__(self, zf: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo]) -> None:
        self.zf, self.parts = zf, parts

    def body(self, name: str) -> bytes:
        if name not in self.parts:
            raise Unsupported(f"no part {name}")
        return self.zf.read(self.parts[name])

    def xml(self, name: str) -> etree._ElementTree:
        return normalised_tree(self.body(name))

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


# ---------------------------------------------------------------------- styles


class _Styles:
    """styles.xml: one new fill per colour, one new cell format per (old format, colour)."""

    def __init__(self, tree: etree._ElementTree) -> None:
        root = tree.getroot()
        self.fills = root.find(f"{{{MAIN}}}fills")
        self.xfs = root.find(f"{{{MAIN}}}cellXfs")
        if self.fills is None or self.xfs is None or len(self.xfs) == 0:
            raise Unsupported("styles.xml without fills or cell formats")
        if any(child.tag != f"{{{MAIN}}}xf" for child in self.xfs) or any(
            child.tag != f"{{{MAIN}}}fill" for child in self.fills
        ):
            raise Unsupported("styles.xml with unknown elements among formats or fills")
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


# ---------------------------------------------------------------------- one row


def _cell(line: etree._Element, row: int, col: int,
          col_styles: list[tuple[int, int, int]]) -> etree._Element:  # fmt: skip
    """The <c> for (row, col) in ``line``, created in order where the row has none.

    Cells out of order or written twice are put in order first, the last of a twin kept:
    that is the one readers show, and the one the mark must land on.
    """
    _normalise_row(line)
    later = None
    for cell in line.iterchildren(f"{{{MAIN}}}c"):
        here = coords(cell.get("r", ""))[0]
        if here == col:
            return cell
        if here > col:
            later = cell
            break
    new = etree.Element(f"{{{MAIN}}}c", r=f"{get_column_letter(col)}{row}")
    new.set("s", str(_base_style(line, col, col_styles)))
    if later is not None:
        later.addprevious(new)
    else:
        ext = line.find(f"{{{MAIN}}}extLst")  # a row holds only <c> and a trailing <extLst>
        if ext is not None:
            ext.addprevious(new)
        else:
            line.append(new)
    line.attrib.pop("spans", None)  # an optimisation hint that may no longer hold
    return new


def _normalise_row(line: etree._Element) -> None:
    cells = list(line.iterchildren(f"{{{MAIN}}}c"))
    cols = []
    for cell in cells:
        r = cell.get("r")
        if r is None:
            raise Unsupported("a cell without its reference")
        cols.append(coords(r)[0])
    if all(a < b for a, b in itertools.pairwise(cols)):
        return
    last = {col: cell for col, cell in zip(cols, cells, strict=True)}
    for cell in cells:
        line.remove(cell)
    ext = line.find(f"{{{MAIN}}}extLst")
    for col in sorted(last):
        if ext is not None:
            ext.addprevious(last[col])
        else:
            line.append(last[col])


def _base_style(line: etree._Element, col: int, col_styles: list[tuple[int, int, int]]) -> int:
    # An empty cell shows its row's format, else its column's: keep it under the fill.
    if line.get("customFormat") in ("1", "true") and line.get("s"):
        return int(line.get("s", "0"))
    return next((s for lo, hi, s in col_styles if lo <= col <= hi), 0)


# ---------------------------------------------------------------------- the package's parts


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


def _ensure_type(types: etree._ElementTree, part: str, content_type: str) -> None:
    """Give a new part a content type unless a Default for its extension already does."""
    ext = part.rsplit(".", 1)[-1].lower()
    for default in types.getroot().iter(f"{{{CT}}}Default"):
        if (default.get("Extension") or "").lower() == ext:
            return
    _override(types, part, content_type)


# ---------------------------------------------------------------------- writing


def _bytes(tree: etree._ElementTree) -> bytes:
    # The declaration as Office writes it (lxml's own uses single quotes).
    return DECLARATION + etree.tostring(tree.getroot(), encoding="UTF-8", xml_declaration=False)


def _level(body: bytes) -> int:
    # zlib's fastest level on a large part: 30 MB of sheet XML takes a fifth of the time, and
    # the copy is still about the size of the unit's own file.
    return 1 if len(body) > 1_000_000 else 6


def _repack(zf: zipfile.ZipFile, kept: dict[str, zipfile.ZipInfo], changed: dict[str, bytes]) -> bytes:  # fmt: skip
    """The package with ``changed`` parts replaced or added; each name written once, from the
    entry readers use (``kept``: the last of a name)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in zf.infolist():
            if kept.get(info.filename) is not info:
                continue  # an earlier entry of a name stored twice
            body = changed.pop(info.filename, None)
            body = body if body is not None else zf.read(info)
            dst.writestr(info.filename, body, compresslevel=_level(body))
        for name, body in changed.items():  # new parts
            dst.writestr(name, body, compresslevel=_level(body))
    return out.getvalue()
