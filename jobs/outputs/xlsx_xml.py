"""What the in-place annotator shares: namespaces, the locked-down parser, cell references,
and the normalisation of a part before it is edited (another encoding, XML comments, PIs)."""

from __future__ import annotations

import codecs
import re

from lxml import etree
from openpyxl.utils.cell import column_index_from_string

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
# No DTDs reach here (the guard refuses them); the parser is locked down all the same. XML
# comments and processing instructions are dropped on the way in (their tails kept): they mean
# nothing to a reader, and an editor counting children must not count them.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                         remove_comments=True, remove_pis=True)  # fmt: skip
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_ENCODING = re.compile(rb"""^(\s*<\?xml\b[^>]*?\bencoding\s*=\s*["'])([A-Za-z0-9._-]+)(["'])""")


class Unsupported(Exception):
    """The package has a shape this editor does not handle; make the copy another way."""


def coords(ref: str) -> tuple[int, int]:
    m = _REF.fullmatch(ref.replace("$", "").upper())
    if m is None:
        raise Unsupported(f"cell reference {ref!r}")
    return column_index_from_string(m.group(1)), int(m.group(2))


def recode_utf8(body: bytes) -> bytes:
    """``body`` as UTF-8 without a byte-order mark, its declaration saying so.

    Exporters write parts in UTF-16 (with a BOM) or declare a legacy encoding; a byte scan or
    a splice of UTF-8 text into them would corrupt them.
    """
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8) :]
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif body.startswith(b"<\x00") or body.startswith(b"\x00<"):
        encoding = "utf-16-le" if body.startswith(b"<\x00") else "utf-16-be"
    else:
        m = _ENCODING.match(body)
        declared = m.group(2).decode().lower() if m else "utf-8"
        if declared.replace("_", "-") in ("utf-8", "utf8"):
            return body
        encoding = declared
    try:
        text = body.decode(encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        raise Unsupported(f"a part in encoding {encoding}: {exc}") from exc
    out = text.lstrip("\ufeff").encode("utf-8")
    return _ENCODING.sub(rb"\1UTF-8\3", out, count=1)


def normalised_tree(body: bytes) -> etree._ElementTree:
    """The part parsed as UTF-8, without XML comments and processing instructions."""
    try:
        return etree.ElementTree(etree.fromstring(recode_utf8(body), PARSER))
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise Unsupported(f"XML: {exc}") from exc
