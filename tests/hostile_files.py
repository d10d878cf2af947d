"""Hostile variants of a unit's .xlsx file, built from a real one (never committed as binaries).

Each builder takes the bytes of a valid unit workbook and returns what a careless or hostile
unit could leave in the folder instead. ``write_hostile`` puts one in place, including the
cases that are not bytes at all (a FIFO, a symlink to /dev/zero).
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
BOMB_GB = 1.2


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def zip_of(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return out.getvalue()


def first_sheet(parts: dict[str, bytes]) -> str:
    return sorted(n for n in parts if n.startswith("xl/worksheets/sheet"))[0]


def with_dtd(body: bytes, entity_use: bool = True) -> bytes:
    """Put a billion-laughs DTD in an XML part (after its declaration)."""
    decl = re.match(rb"<\?xml[^>]*\?>", body)
    head, rest = (body[: decl.end()], body[decl.end() :]) if decl else (b"", body)
    return head + LAUGHS.encode() + rest


def laughs_in(part: str) -> Callable[[bytes], bytes]:
    def build(data: bytes) -> bytes:
        parts = parts_of(data)
        name = first_sheet(parts) if part == "sheet" else part
        if name == "xl/sharedStrings.xml" and name not in parts:
            parts[name] = (
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                b'count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
            )
            parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        parts[name] = with_dtd(parts[name])
        return zip_of(parts)

    return build


def undefined_entity(data: bytes) -> bytes:
    parts = parts_of(data)
    name = first_sheet(parts)
    parts[name] = re.sub(rb"<t>([^<]*)</t>", rb"<t>\1&undefined;</t>", parts[name], count=1)
    assert b"&undefined;" in parts[name]
    return zip_of(parts)


def _raw_zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from already-deflated entries: (name, deflated, crc, size declared, method)."""
    out = io.BytesIO()
    central = []
    for name, body, crc, size, method in entries:
        offset = out.tell()
        fname = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc,
                              len(body), size, len(fname), 0))  # fmt: skip
        out.write(fname)
        out.write(body)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21,
                                   crc, len(body), size, len(fname), 0, 0, 0, 0, 0, offset) + fname)  # fmt: skip
    start = out.tell()
    for c in central:
        out.write(c)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                          out.tell() - start, start, 0))  # fmt: skip
    return out.getvalue()


def _deflated(body: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(body) + c.flush()


_BOMB_CACHE: dict[float, tuple[bytes, int, int]] = {}


def _bomb_stream(gigabytes: float) -> tuple[bytes, int, int]:
    """A raw deflate stream of ``gigabytes`` of spaces, its CRC and size, built from one
    flushed megabyte repeated (a full flush makes each segment independent of the others)."""
    if gigabytes not in _BOMB_CACHE:
        chunk = b" " * (1 << 20)
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        seg = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
        n = int(gigabytes * 1024)
        crc = 0
        for _ in range(n):
            crc = zlib.crc32(chunk, crc)
        tail = c.flush(zlib.Z_FINISH)
        _BOMB_CACHE[gigabytes] = (seg * n + tail, crc, n * len(chunk))
    return _BOMB_CACHE[gigabytes]


def bomb_in(part: str, *, lie: bool = False) -> Callable[[bytes], bytes]:
    """A part replaced by (or, for a new name, added as) 1.2 GB of spaces in ~1.2 MB."""

    def build(data: bytes) -> bytes:
        parts = parts_of(data)
        name = first_sheet(parts) if part == "sheet" else part
        stream, crc, size = _bomb_stream(BOMB_GB)
        entries = [
            (n, _deflated(b), zlib.crc32(b), len(b), 8) for n, b in parts.items() if n != name
        ]
        entries.append((name, stream, crc, 4096 if lie else size, 8))
        return _raw_zip(entries)

    return build


def far_value(data: bytes) -> bytes:
    """One value at XFD1048576 on every tab (a 22 KB file)."""
    parts = parts_of(data)
    for name in parts:
        if name.startswith("xl/worksheets/sheet"):
            parts[name] = parts[name].replace(
                b"</sheetData>",
                b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
                b"</sheetData>",
            )
    return zip_of(parts)


def resized_name(name: str) -> Callable[[bytes], bytes]:
    def build(data: bytes) -> bytes:
        parts = parts_of(data)
        wb = parts["xl/workbook.xml"]
        pattern = rb'(<definedName name="' + name.encode() + rb'"[^>]*>)([^<]*?)!([^<]*)<'
        m = re.search(pattern, wb)
        assert m, name
        parts["xl/workbook.xml"] = wb[: m.start(3)] + b"$A$1:$XFD$1048576" + wb[m.end(3) :]
        return zip_of(parts)

    return build


def many_names(count: int) -> Callable[[bytes], bytes]:
    def build(data: bytes) -> bytes:
        parts = parts_of(data)
        extra = "".join(f"<definedName name=\"n{i}\">'X'!$A$1</definedName>" for i in range(count))
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
            b"</definedNames>", extra.encode() + b"</definedNames>"
        )
        return zip_of(parts)

    return build


def huge_string_count(data: bytes) -> bytes:
    """A shared-string table claiming 4,000,000,000 strings (calamine aborts reserving them)."""
    parts = parts_of(data)
    parts["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="4000000000" uniqueCount="4000000000"><si><t>a</t></si>'
        b"</sst>"
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    return zip_of(parts)


def not_a_zip(data: bytes) -> bytes:
    return b"PK\x03\x04" + os.urandom(2048)


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


# name → builder of bytes, or None for the cases made with the file system
BUILDERS: dict[str, Callable[[bytes], bytes] | None] = {
    "laughs-sheet": laughs_in("sheet"),
    "laughs-workbook": laughs_in("xl/workbook.xml"),
    "laughs-sharedstrings": laughs_in("xl/sharedStrings.xml"),
    "laughs-styles": laughs_in("xl/styles.xml"),
    "undefined-entity": undefined_entity,
    "bomb-sheet": bomb_in("sheet"),
    "bomb-unreferenced": bomb_in("xl/worksheets/sheet99.xml"),
    "bomb-styles": bomb_in("xl/styles.xml"),
    "bomb-lying-header": bomb_in("sheet", lie=True),
    "far-value": far_value,
    "resized-field": resized_name("tt_so_dang_vien"),
    "resized-table": resized_name("hc_bang"),
    "names-200k": many_names(200_000),
    "string-count-4e9": huge_string_count,
    "not-a-zip": not_a_zip,
    "truncated-zip": truncated,
    "fifo": None,
    "symlink-dev-zero": None,
}
# Classes that are not refused: the file is read, with a finding (exit 1, or 0 with a warning).
READ_WITH_FINDING = {"far-value", "resized-field", "resized-table", "string-count-4e9"}


def write_hostile(kind: str, path: Path, good: bytes) -> None:
    """Put the ``kind`` variant of ``good`` at ``path`` (replacing what is there)."""
    if path.exists() or path.is_symlink():
        path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink-dev-zero":
        path.symlink_to("/dev/zero")
    else:
        builder = BUILDERS[kind]
        assert builder is not None
        path.write_bytes(builder(good))
