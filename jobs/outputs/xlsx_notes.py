"""The comments of the annotated copy: a new comments part and its VML drawing, or ours merged
into the ones a sheet already has (a unit's own notes stay, after ours)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree
from openpyxl.utils.cell import get_column_letter

from .xlsx_xml import MAIN, Unsupported, normalised_tree

# Characters XML 1.0 cannot hold; a message quoting a unit's odd value must still be written.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
KEPT = "\n\n— Ghi chú có sẵn trong tệp: "
_V = "urn:schemas-microsoft-com:vml"
_O = "urn:schemas-microsoft-com:office:office"
_X = "urn:schemas-microsoft-com:office:excel"
MAX_DRAWING_BYTES = 8_000_000


@dataclass(frozen=True)
class Note:
    """One comment to write at (row, col)."""

    row: int
    col: int
    text: str


def clean(text: str) -> str:
    return _NOT_XML.sub("?", text)


def comments_xml(notes: Iterable[Note], author: str) -> bytes:
    body = [f'<comments xmlns="{MAIN}"><authors><author>{escape(author)}</author></authors>',
            "<commentList>"]  # fmt: skip
    for n in notes:
        ref = f"{get_column_letter(n.col)}{n.row}"
        body.append(f'<comment ref="{ref}" authorId="0"><text><t xml:space="preserve">'
                    f"{escape(clean(n.text))}</t></text></comment>")  # fmt: skip
    body.append("</commentList></comments>")
    return DECLARATION + "".join(body).encode()


def vml(notes: list[Note], number: int) -> bytes:
    """The legacy drawing Excel needs to show the comments: one hidden note box per cell."""
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{number}"/></o:shapelayout>'
        + _SHAPETYPE
        + _shapes(notes, number)
        + "</xml>"
    ).encode()


_SHAPETYPE = (
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
    'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
    '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)


def _shapes(notes: list[Note], number: int) -> str:
    shapes = []
    for i, n in enumerate(notes, start=1):
        lines = n.text.count("\n") + 1 + len(n.text) // 60
        height = min(450, 15 * lines + 15)
        c, r = n.col - 1, n.row - 1
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
    return "".join(shapes)


def merge(comments: bytes, drawing: bytes, notes: list[Note], author: str,
          number: int) -> tuple[bytes, bytes]:  # fmt: skip
    """The sheet's comments part and VML drawing with ``notes`` added.

    A cell that already has a comment keeps it, with ours first; a new one gets a note box in
    the drawing (shape ids from its own block ``number``, added to the drawing's id map).
    """
    tree = normalised_tree(comments)
    root = tree.getroot()
    if root.tag != f"{{{MAIN}}}comments":
        raise Unsupported(f"comments root is {root.tag}")
    authors = root.find(f"{{{MAIN}}}authors")
    if authors is None:
        authors = etree.Element(f"{{{MAIN}}}authors")
        root.insert(0, authors)
    names = [a.text or "" for a in authors]
    if author not in names:
        etree.SubElement(authors, f"{{{MAIN}}}author").text = author
        names.append(author)
    author_id = str(names.index(author))
    listed = root.find(f"{{{MAIN}}}commentList")
    if listed is None:
        listed = etree.SubElement(root, f"{{{MAIN}}}commentList")
    existing = {(c.get("ref") or "").upper(): c for c in listed}
    fresh: list[Note] = []
    for n in notes:
        ref = f"{get_column_letter(n.col)}{n.row}"
        old = existing.get(ref)
        if old is None:
            comment = etree.SubElement(listed, f"{{{MAIN}}}comment", ref=ref, authorId=author_id)
            text = etree.SubElement(comment, f"{{{MAIN}}}text")
            t = etree.SubElement(text, f"{{{MAIN}}}t")
            t.text = clean(n.text)
            t.set(_XML_SPACE, "preserve")
            fresh.append(n)
            continue
        text = old.find(f"{{{MAIN}}}text")
        if text is None:
            text = etree.SubElement(old, f"{{{MAIN}}}text")
        t = text.find(f"{{{MAIN}}}t")
        if t is None:  # rich text runs only: a plain run of ours may come first
            t = etree.Element(f"{{{MAIN}}}t")
            t.text = ""
            text.insert(0, t)
        t.text = clean(n.text) + KEPT + (t.text or "")
        t.set(_XML_SPACE, "preserve")
    out = DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return out, _add_shapes(drawing, fresh, number) if fresh else drawing


def _add_shapes(drawing: bytes, notes: list[Note], number: int) -> bytes:
    if len(drawing) > MAX_DRAWING_BYTES:
        raise Unsupported("a comments drawing too large to edit")
    root = normalised_tree(drawing).getroot()
    idmap = root.find(f".//{{{_O}}}idmap")
    if idmap is None:
        layout = etree.Element(f"{{{_O}}}shapelayout", {f"{{{_V}}}ext": "edit"})
        idmap = etree.SubElement(layout, f"{{{_O}}}idmap", {f"{{{_V}}}ext": "edit"})
        root.insert(0, layout)
    blocks = [b for b in (idmap.get("data") or "").split(",") if b.strip()]
    idmap.set("data", ",".join([*blocks, str(number)]))
    ours = _SHAPETYPE if root.find(f".//{{{_V}}}shapetype[@id='_x0000_t202']") is None else ""
    wrapper = etree.fromstring(
        f'<xml xmlns:v="{_V}" xmlns:o="{_O}" xmlns:x="{_X}">{ours}{_shapes(notes, number)}</xml>'
    )
    for shape in list(wrapper):
        root.append(shape)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=False)
